/// An exact fraction `numerator / denominator` in lowest terms, denominator positive, with overflow
/// reported as an ``ArithmeticError``.
///
/// Receptive fields need fractions once a network upsamples: a transposed convolution of stride `s`, or
/// an upsampling by `f`, makes the distance between neighbouring outputs `1/s` (or `1/f`) of its input's.
public struct Rational: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The numerator (carries the sign).
    public let numerator: Int
    /// The denominator, at least 1.
    public let denominator: Int

    /// The whole number `value`.
    public init(_ value: Int) {
        numerator = value
        denominator = 1
    }

    /// `numerator / denominator`, reduced.
    /// - Throws: ``ArithmeticError/nonPositive(parameter:axis:value:)`` for a zero denominator,
    ///   ``ArithmeticError/overflow(_:)`` when a negative denominator cannot be negated.
    public init(_ numerator: Int, _ denominator: Int) throws(ArithmeticError) {
        guard denominator != 0 else { throw .nonPositive(parameter: "denominator", axis: nil, value: 0) }
        let divisor = Rational.greatestCommonDivisor(numerator.magnitude, denominator.magnitude)
        var top = numerator / Int(bitPattern: divisor)
        var bottom = denominator / Int(bitPattern: divisor)
        if bottom < 0 {
            top = try checkedMultiply(top, -1, "a fraction's numerator")
            bottom = try checkedMultiply(bottom, -1, "a fraction's denominator")
        }
        self.numerator = top
        self.denominator = bottom
    }

    /// Whether the value is a whole number.
    public var isInteger: Bool { denominator == 1 }

    /// `3`, `-1/2`.
    public var description: String { isInteger ? "\(numerator)" : "\(numerator)/\(denominator)" }

    /// The nearest `Double` (for display and JSON).
    public var doubleValue: Double { Double(numerator) / Double(denominator) }

    /// `self + other`.
    public func adding(_ other: Rational) throws(ArithmeticError) -> Rational {
        let what = "a receptive field"
        let top = try checkedAdd(try checkedMultiply(numerator, other.denominator, what),
                                 try checkedMultiply(other.numerator, denominator, what), what)
        return try Rational(top, try checkedMultiply(denominator, other.denominator, what))
    }

    /// `self − other`.
    public func subtracting(_ other: Rational) throws(ArithmeticError) -> Rational {
        try adding(try other.multiplied(by: Rational(-1)))
    }

    /// `self · other`.
    public func multiplied(by other: Rational) throws(ArithmeticError) -> Rational {
        let what = "a receptive field"
        // Cross-reduce first so products of reduced fractions stay small.
        let a = Rational.greatestCommonDivisor(numerator.magnitude, other.denominator.magnitude)
        let b = Rational.greatestCommonDivisor(other.numerator.magnitude, denominator.magnitude)
        let left = numerator / Int(bitPattern: max(a, 1)), right = other.numerator / Int(bitPattern: max(b, 1))
        let down = denominator / Int(bitPattern: max(b, 1)), up = other.denominator / Int(bitPattern: max(a, 1))
        return try Rational(try checkedMultiply(left, right, what), try checkedMultiply(down, up, what))
    }

    /// `self · factor`.
    public func multiplied(by factor: Int) throws(ArithmeticError) -> Rational {
        try multiplied(by: Rational(factor))
    }

    /// `self / divisor` for a positive divisor.
    public func divided(by divisor: Int) throws(ArithmeticError) -> Rational {
        try multiplied(by: try Rational(1, divisor))
    }

    public static func < (lhs: Rational, rhs: Rational) -> Bool {
        // Compare a/b < c/d as a·d < c·b in double width: never overflows.
        let left = lhs.numerator.multipliedFullWidth(by: rhs.denominator)
        let right = rhs.numerator.multipliedFullWidth(by: lhs.denominator)
        return (left.high, left.low) < (right.high, right.low)
    }

    private static func greatestCommonDivisor(_ a: UInt, _ b: UInt) -> UInt {
        var (a, b) = (a, b)
        while b != 0 { (a, b) = (b, a % b) }
        return a == 0 ? 1 : a
    }
}
