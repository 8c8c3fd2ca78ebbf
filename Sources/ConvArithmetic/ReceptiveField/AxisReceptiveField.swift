/// The receptive field of a layer's outputs along one spatial axis, in units of the network's input:
/// its size `r`, the jump `j` (the distance between the fields of neighbouring outputs — the effective
/// stride) and where the first output's field starts.
///
/// Composed layer by layer with the rules of Araujo, Norris & Sim, "Computing Receptive Fields of
/// Convolutional Neural Networks" (Distill, 2019): for a window of dilated size `k̂ = d(k − 1) + 1`,
/// stride `s` and padding `p_lo` before the axis,
///
///     r_out = r_in + (k̂ − 1)·j_in,   j_out = j_in·s,   u_out = u_in − p_lo·j_in
///
/// where `u` is the first input unit of the first output's field (so `−u` is the effective padding and
/// `u + (r − 1)/2` the field's centre). A network's input starts at `r = 1, j = 1, u = 0`.
///
/// A transposed convolution is read as its equivalent stride-1 convolution over the stretched input,
/// whose units are `j_in/s` apart: `j_out = j_in/s`, `r_out = r_in + (k̂ − 1)·j_in/s`,
/// `u_out = u_in − (k̂ − 1 − p_lo)·j_in/s`. That counts the positions of the inserted zeros too, so for
/// `s > 1` it bounds the field from above (outputs of different phases read different taps); fractions
/// appear, which is why the values are ``Rational``.
public struct AxisReceptiveField: Sendable, Hashable {
    /// The field size `r`, in input units.
    public let size: Rational
    /// The jump `j`: how far apart in the input the fields of neighbouring outputs are (effective stride).
    public let jump: Rational
    /// `u`: the input position where the first output's field starts (negative inside the padding).
    public let start: Rational

    /// A field of `size`, `jump` and `start`.
    public init(size: Rational, jump: Rational, start: Rational) {
        self.size = size
        self.jump = jump
        self.start = start
    }

    /// The field of the network's input itself: each unit sees itself (`r = 1, j = 1, u = 0`).
    public static let input = AxisReceptiveField(size: Rational(1), jump: Rational(1), start: Rational(0))

    /// The effective padding `−u`: how far the first field reaches before the input.
    public var effectivePadding: Rational { Rational.negated(start) }

    /// The centre of the first output's field, `u + (r − 1)/2`.
    public var center: Rational {
        (try? start.adding(try size.subtracting(Rational(1)).divided(by: 2))) ?? start
    }

    /// The last input position of the first output's field, `u + r − 1`.
    var end: Rational {
        (try? start.adding(try size.subtracting(Rational(1)))) ?? start
    }

    /// The field after a convolution, pooling or transposed convolution along `axis`.
    /// - Throws: ``ArithmeticError/overflow(_:)`` when a value does not fit.
    public func through(_ axis: AxisArithmetic, operation: Operation) throws(ArithmeticError) -> AxisReceptiveField {
        let spread = Rational(axis.effectiveKernel - 1)
        switch operation {
        case .convolution, .pooling:
            return AxisReceptiveField(size: try size.adding(try spread.multiplied(by: jump)),
                                      jump: try jump.multiplied(by: axis.stride),
                                      start: try start.subtracting(try jump.multiplied(by: axis.padding.before)))
        case .transposedConvolution:
            let stretched = try jump.divided(by: axis.stride)
            let before = try checkedSubtract(axis.effectiveKernel - 1, axis.padding.before, "the stretched input's padding")
            return AxisReceptiveField(size: try size.adding(try spread.multiplied(by: stretched)),
                                      jump: stretched,
                                      start: try start.subtracting(try stretched.multiplied(by: before)))
        }
    }

    /// The field after a layer whose every output reads the whole axis of `extent` units (global pooling,
    /// or a fully connected layer after flattening): a window of `extent` with one output.
    public func throughWholeAxis(extent: Int) throws(ArithmeticError) -> AxisReceptiveField {
        let spread = Rational(max(extent, 1) - 1)
        return AxisReceptiveField(size: try size.adding(try spread.multiplied(by: jump)),
                                  jump: try jump.multiplied(by: max(extent, 1)), start: start)
    }

    /// The field after nearest-neighbour upsampling by `factor` (output `u` copies input `⌊u/f⌋`): the
    /// same field, `factor` times closer together.
    public func upsampled(by factor: Int) throws(ArithmeticError) -> AxisReceptiveField {
        AxisReceptiveField(size: size, jump: try jump.divided(by: factor), start: start)
    }

    /// The field of an output that combines this one's and `other`'s (a skip connection's add or concat):
    /// the union of the two first fields, with the larger jump.
    public func union(with other: AxisReceptiveField) throws(ArithmeticError) -> AxisReceptiveField {
        let first = min(start, other.start)
        let last = max(end, other.end)
        return AxisReceptiveField(size: try last.subtracting(first).adding(Rational(1)), jump: max(jump, other.jump), start: first)
    }
}

extension Rational {
    /// `−value` (a receptive field's start is never near `Int.min`; saturates rather than traps if it were).
    static func negated(_ value: Rational) -> Rational {
        (try? value.multiplied(by: Rational(-1))) ?? value
    }
}

extension LayerShape {
    /// The receptive fields of this layer's outputs, one per spatial axis, from those of its input.
    /// - Throws: ``ArithmeticError/rankMismatch(parameter:expected:actual:)`` when `input` has another
    ///   rank, ``ArithmeticError/overflow(_:)`` when a value does not fit.
    public func receptiveFields(after input: [AxisReceptiveField]) throws(ArithmeticError) -> [AxisReceptiveField] {
        guard input.count == rank else { throw .rankMismatch(parameter: "the receptive field", expected: rank, actual: input.count) }
        var fields: [AxisReceptiveField] = []
        fields.reserveCapacity(rank)
        for (field, axis) in zip(input, axes) {
            fields.append(try field.through(axis, operation: operation))
        }
        return fields
    }
}
