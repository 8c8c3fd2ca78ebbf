import ConvArithmetic

/// The input units one unit of a tensor reads along one spatial axis: the window of its receptive field
/// placed at that unit (`first…last`, in input positions, possibly in the padding or fractional after a
/// transposed convolution), and the part inside the input.
public struct UnitField: Sendable, Hashable {
    /// The first input position of the window (negative inside the padding before the input).
    public let first: Rational
    /// The last input position of the window.
    public let last: Rational
    /// The input positions inside the input (`nil` when the window lies wholly in the padding).
    public let inside: ClosedRange<Int>?

    /// The window of `field` at `unit` over an input axis of `inputSize` units; `nil` when the field is not
    /// a window (the whole input, or too large to compute) or its position does not fit in 64 bits.
    public init?(field: InputField, unit: Int, inputSize: Int) {
        guard let window = field.window, unit >= 0, inputSize >= 1,
              let offset = try? window.jump.multiplied(by: unit), let first = try? window.start.adding(offset),
              let last = try? first.adding(window.size).subtracting(Rational(1)) else { return nil }
        self.first = first
        self.last = last
        // Whole positions between the two, inside 0…inputSize − 1.
        let low = first.numerator >= 0 ? (first.numerator + first.denominator - 1) / first.denominator : -((-first.numerator) / first.denominator)
        let high = last.numerator >= 0 ? last.numerator / last.denominator : -((-last.numerator + last.denominator - 1) / last.denominator)
        let clampedLow = max(low, 0), clampedHigh = min(high, inputSize - 1)
        inside = clampedLow <= clampedHigh ? clampedLow...clampedHigh : nil
    }
}
