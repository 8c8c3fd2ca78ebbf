import ConvArithmetic

/// A relationship of the catalogue in JSON: `{"seed": 13, "paper": 14}`, with `title`, `condition` and
/// `formula` when `detailed`.
public enum RelationshipAnswer {
    /// The relationship's JSON object.
    public static func json(_ relationship: Relationship, detailed: Bool = true) -> JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            ("seed", relationship.seed.map(JSONValue.integer) ?? .null),
            ("paper", .integer(relationship.paper)),
        ]
        if detailed {
            members += [("title", .string(relationship.title)), ("condition", .string(relationship.condition)),
                        ("formula", .string(relationship.formula))]
        }
        return .object(members)
    }
}
