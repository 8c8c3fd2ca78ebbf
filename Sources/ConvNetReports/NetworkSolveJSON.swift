import ConvArithmetic
import ConvEval
import ConvNets

/// The answers of `convarith net --accepted-sizes` as JSON: per spatial axis, the accepted sizes and the
/// nearest to the size given; for a failing network, the changes of one layer that repair it.
public enum NetworkSolveJSON {
    /// One axis's accepted sizes, with the size given and whether it is accepted — beyond the sizes the rule
    /// was established for, as the analysis of the given shape says (`givenShapeFails`).
    public static func acceptedSizes(_ answer: AcceptedSizes, given: Int, givenShapeFails: Bool) -> JSONValue {
        // Beyond `evaluated_up_to` the nearest sizes follow the rule's period (the rule was checked up to there).
        let nearest = answer.nearest(to: given)
        return .object([
            ("axis", .integer(answer.axis)), ("rule", .string(answer.description)),
            ("threshold", .integer(answer.threshold)), ("period", .integer(answer.period)),
            ("residues", .array(answer.residues.map(JSONValue.integer))), ("exceptions", .array(answer.exceptions.map(JSONValue.integer))),
            ("evaluated_up_to", .integer(answer.evaluatedUpTo)), ("evaluations", .integer(answer.evaluations)),
            ("given", .integer(given)), ("accepted", .bool(answer.knownToAccept(given) ?? !givenShapeFails)), ("fixed_by_model", .bool(answer.fixedByModel)),
            ("nearest_below", nearest.below.map(JSONValue.integer) ?? .null), ("nearest_above", nearest.above.map(JSONValue.integer) ?? .null),
        ])
    }

    /// A repair: the node, what changes (`padding`, `output_padding` or `ceil_mode`), from and to.
    public static func repair(_ repair: LayerRepair) -> JSONValue {
        let change: [(key: String, value: JSONValue)]
        switch repair.change {
        case .padding(let from, let to):
            change = [("field", .string("padding")), ("from", paddings(from)), ("to", paddings(to))]
        case .outputPadding(let from, let to):
            change = [("field", .string("output_padding")), ("from", NetworkReportJSON.integers(from)), ("to", NetworkReportJSON.integers(to))]
        case .ceilMode(let to):
            change = [("field", .string("ceil_mode")), ("from", .bool(!to)), ("to", .bool(to))]
        }
        return .object([("node", .string(repair.node)), ("op", .string(repair.label))] + change
            + [("units", .integer(repair.magnitude)), ("distance", .integer(repair.distance)), ("text", .string(repair.description))])
    }

    static func paddings(_ axes: [AxisPadding]) -> JSONValue {
        .array(axes.map { .array([.integer($0.before), .integer($0.after)]) })
    }
}
