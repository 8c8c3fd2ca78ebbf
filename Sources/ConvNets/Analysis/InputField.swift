import ConvArithmetic

/// What each unit of a tensor reads of the network's input along one spatial axis: a window that moves
/// by its jump from one unit to the next, the whole input, or a window too large to compute exactly.
///
/// A receptive field is an annotation beside a shape: every operation on it is total (it never throws),
/// so a field that cannot be expressed never costs a tensor its shape.
public enum InputField: Sendable, Hashable {
    /// A window of the input (size, jump, start), exact.
    case window(AxisReceptiveField)
    /// Every unit reads the whole input along this axis: after global pooling, a reduction over the axis,
    /// flattening into a fully connected layer, or a broadcast product with such a branch (a
    /// squeeze-and-excitation gate). `jump` is the distance in the input between neighbouring units'
    /// positions, when it is known.
    case wholeInput(jump: Rational?)
    /// A window whose size, jump or start does not fit in 64-bit integers (a deep stack of upsamplings
    /// and strides); the shape is unaffected.
    case beyondRange

    /// The field of the network's input itself: each unit sees itself.
    public static let input = InputField.window(.input)

    /// The window, when the field is one.
    public var window: AxisReceptiveField? {
        if case .window(let field) = self { return field }
        return nil
    }

    /// The jump (effective stride), when it is known.
    public var jump: Rational? {
        switch self {
        case .window(let field): field.jump
        case .wholeInput(let jump): jump
        case .beyondRange: nil
        }
    }

    /// Whether every unit reads the whole input along this axis.
    public var isWholeInput: Bool {
        if case .wholeInput = self { return true }
        return false
    }

    /// Through a convolution, pooling or transposed convolution along `axis`.
    func through(_ axis: AxisArithmetic, operation: Operation) -> InputField {
        switch self {
        case .window(let field):
            return (try? field.through(axis, operation: operation)).map(InputField.window) ?? .beyondRange
        case .wholeInput(let jump):
            let next = operation == .transposedConvolution ? try? jump?.divided(by: axis.stride) : try? jump?.multiplied(by: axis.stride)
            return .wholeInput(jump: next)
        case .beyondRange:
            return .beyondRange
        }
    }

    /// Through a layer whose every unit reads the whole axis of `extent` units (global pooling, a
    /// reduction): the whole input, whatever was read before.
    func throughWholeAxis(extent: Int) -> InputField {
        .wholeInput(jump: try? jump?.multiplied(by: max(extent, 1)))
    }

    /// After nearest-neighbour upsampling by `factor`.
    func upsampled(by factor: Int) -> InputField {
        switch self {
        case .window(let field): (try? field.upsampled(by: factor)).map(InputField.window) ?? .beyondRange
        case .wholeInput(let jump): .wholeInput(jump: try? jump?.divided(by: factor))
        case .beyondRange: .beyondRange
        }
    }

    /// After padding the axis by `before` units.
    func padded(before: Int) -> InputField {
        guard case .window(let field) = self else { return self }
        guard let shift = try? field.jump.multiplied(by: before), let start = try? field.start.subtracting(shift) else { return .beyondRange }
        return .window(AxisReceptiveField(size: field.size, jump: field.jump, start: start))
    }

    /// The field of a unit that reads this unit and the unit of `other` at the same position (a skip
    /// connection's add or concat): the union of the windows; the whole input if either reads it.
    func union(with other: InputField) -> InputField {
        switch (self, other) {
        case let (.window(a), .window(b)):
            return (try? a.union(with: b)).map(InputField.window) ?? .beyondRange
        case (.wholeInput, _), (_, .wholeInput):
            let jumps = [jump, other.jump].compactMap { $0 }
            return .wholeInput(jump: jumps.max())
        default:
            return .beyondRange
        }
    }
}
