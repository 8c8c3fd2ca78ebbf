import ConvArithmetic

/// `convarith transpose --json` (and the server's transpose route): a convolution, its associated
/// transposed convolution, and the transposed one's equivalent direct convolution over the stretched input
/// — the last in the one spelling of `convarith eval`'s `equivalent` (``EquivalentAnswer``).
public enum TransposeAnswer {
    /// The answer for a convolution or transposed convolution (`nil` for pooling, which has no transpose
    /// in the paper's sense).
    /// - Throws: `ArithmeticError` when a stretched size does not fit in `Int`.
    public static func json(_ shape: LayerShape) throws(ArithmeticError) -> JSONValue? {
        guard let associated = shape.associated else { return nil }
        let transposed = shape.operation == .transposedConvolution ? shape : associated
        let direct = shape.operation == .convolution ? shape : associated
        _ = try transposed.axes.map { axis throws(ArithmeticError) in try axis.equivalentConvolution() }
        return .object([
            ("convolution", axes(direct)),
            ("transposed", axes(transposed)),
            ("equivalent", EquivalentAnswer.json(transposed) ?? .null),
        ])
    }

    /// The sizes and parameters of every axis of a layer.
    public static func axes(_ shape: LayerShape) -> JSONValue {
        .object([
            ("input", .array(shape.input.map(JSONValue.integer))),
            ("output", .array(shape.output.map(JSONValue.integer))),
            ("kernel", .array(shape.axes.map { .integer($0.kernel) })),
            ("stride", .array(shape.axes.map { .integer($0.stride) })),
            ("dilation", .array(shape.axes.map { .integer($0.dilation) })),
            ("padding", .array(shape.axes.map { .array([.integer($0.padding.before), .integer($0.padding.after)]) })),
            ("output_padding", .array(shape.axes.map { .integer($0.outputPadding) })),
            ("relationships", .array(shape.relationships.map { RelationshipAnswer.json($0, detailed: false) })),
        ])
    }
}

/// A transposed convolution's equivalent direct convolution, per axis, as `convarith eval` writes it
/// (DESIGN.md §3): `stretched_input`, `inserted_zeros`, `kernel`, `dilation`, `stride`, `padding`,
/// `output_padding` and `transposed_padding`. The eval path writes the same bytes from its own fast writer;
/// a test holds the two together.
public enum EquivalentAnswer {
    /// The object, or `nil` when an axis has no equivalent (a stretched size beyond `Int`).
    public static func json(_ shape: LayerShape) -> JSONValue? {
        var axes: [EquivalentConvolution] = []
        for axis in shape.axes {
            guard let equivalent = try? axis.equivalentConvolution() else { return nil }
            axes.append(equivalent)
        }
        func pairs(_ values: [AxisPadding]) -> JSONValue { .array(values.map { .array([.integer($0.before), .integer($0.after)]) }) }
        return .object([
            ("stretched_input", .array(axes.map { .integer($0.stretchedInput) })),
            ("inserted_zeros", .array(axes.map { .integer($0.insertedZeros) })),
            ("kernel", .array(axes.map { .integer($0.kernel) })),
            ("dilation", .array(axes.map { .integer($0.dilation) })),
            ("stride", .array(axes.map { .integer($0.stride) })),
            ("padding", pairs(axes.map(\.padding))),
            ("output_padding", .array(axes.map { .integer($0.outputPadding) })),
            ("transposed_padding", pairs(shape.axes.map(\.padding))),
        ])
    }
}
