import ConvArithmetic
import ConvEval

extension APIAnswers {
    /// The candidates `/api/choices` tries for each control, the same value on every axis.
    static let choiceCandidates: [(field: String, values: [String])] = [
        ("kernel", (1...9).map(String.init)),
        ("stride", (1...6).map(String.init)),
        ("padding", (0...6).map(String.init) + PaddingMode.allCases.map(\.rawValue)),
        ("dilation", (1...5).map(String.init)),
        ("output_padding", (0...5).map(String.init)),
        ("convention", Convention.all.map(\.name)),
    ]

    /// `/api/choices`: for each of the page's controls, which values keep the rest of the layer valid and,
    /// for every other value, the core's reason — so a control can offer the valid values and say why the
    /// others are refused. A value is tried on every axis at once (`kernel=3` is 3 on each); output padding
    /// only for a transposed convolution. The layer itself may be impossible: the choices then show which
    /// change repairs it.
    static func choices(_ query: LayerQuery) throws(LayerQuery.Invalid) -> Body {
        let operation = try query.parameters().operation
        var fields: [(String, JSONValue)] = []
        for (field, values) in choiceCandidates {
            if field == "output_padding", operation != .transposedConvolution { continue }
            var valid: [JSONValue] = [], invalid: [JSONValue] = []
            for value in values {
                var changed = query.values
                changed[field] = value
                do {
                    _ = try LayerQuery(values: changed).layer()
                    valid.append(.string(value))
                } catch {
                    invalid.append(.object([("value", .string(value)), ("reason", .string(error.description))]))
                }
            }
            fields.append((field, .object([("valid", .array(valid)), ("invalid", .array(invalid))])))
        }
        return .json(.object(fields))
    }
}
