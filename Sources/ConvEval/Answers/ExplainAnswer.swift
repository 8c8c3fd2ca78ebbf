import ConvArithmetic

/// `convarith explain --json` (and the server's explain route): the relationships that hold and every
/// axis's derivation with the numbers substituted.
public enum ExplainAnswer {
    /// The answer for a resolved layer.
    public static func json(_ shape: LayerShape) -> JSONValue {
        .object([
            ("operation", .string(shape.name)),
            ("convention", .string(shape.convention.name)),
            ("input", .array(shape.input.map(JSONValue.integer))),
            ("output", .array(shape.output.map(JSONValue.integer))),
            ("relationships", .array(shape.relationships.map { RelationshipAnswer.json($0) })),
            ("derivations", .array(shape.derivations.map { derivation in
                .object([
                    ("axes", .array(derivation.axes.map(JSONValue.integer))),
                    ("given", .string(derivation.given)),
                    ("steps", .array(derivation.steps.map { .object([("title", .string($0.title)), ("detail", .string($0.detail))]) })),
                    ("relationships", .array(derivation.relationships.map { RelationshipAnswer.json($0) })),
                ])
            })),
        ])
    }
}
