import ConvArithmetic
import ConvEval
import ConvNets
import Foundation

/// `convarith net --json`: one object with the network and its `layers`.
public enum NetworkReportJSON {
    /// The report as one line of JSON.
    public static func text(_ report: NetworkReport) -> String {
        JSONWriter.string(value(report))
    }

    /// The report as a JSON value: the network's name, inputs, layers, totals and status; `extras` adds
    /// members to a layer's object (the server's link to the single-layer view).
    public static func value(_ report: NetworkReport,
                             extras: (LayerReport) -> [(key: String, value: JSONValue)] = { _ in [] }) -> JSONValue {
        var members: [(key: String, value: JSONValue)] = []
        members.append(("name", report.name.map(JSONValue.string) ?? .null))
        members.append(("inputs", .array(report.inputs.map { input in
            .object([("name", .string(input.name)), ("shape", input.shape.map(integers) ?? .null)])
        })))
        members.append(("layers", .array(report.layers.map { row in
            guard case .object(let members) = layer(row) else { return layer(row) }
            return .object(members + extras(row))
        })))
        members.append(("total_parameters", report.totalParameters.map(JSONValue.integer) ?? .null))
        members.append(("total_multiply_adds", report.totalMultiplyAdds.map(JSONValue.integer) ?? .null))
        if report.multiplyAddsBeyondRange { members.append(("total_multiply_adds_beyond_int64", .bool(true))) }
        members.append(("status", .string(report.status.rawValue)))
        if let failure = report.firstFailure {
            members.append(("first_failure", .object([("name", .string(failure.name)), ("error", .string(failure.error ?? ""))])))
        }
        if report.firstFailure == nil, let unknown = report.firstUnknownOutput {
            members.append(("first_unknown", .object([("name", .string(unknown.name)),
                                                      ("reason", .string(NetworkTable.unknownReason(unknown, in: report)))])))
        }
        return .object(members)
    }

    static func layer(_ layer: LayerReport) -> JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            ("name", .string(layer.name)),
            ("op", .string(layer.label)),
            ("input_shape", layer.inputShapes.first.flatMap { $0.map(integers) } ?? .null),
        ]
        if layer.inputShapes.count > 1 {
            members.append(("input_shapes", .array(layer.inputShapes.map { $0.map(integers) ?? .null })))
        }
        members.append(("output_shape", layer.outputShape.map(integers) ?? .null))
        if let parameters = layer.parameters { members.append(("parameters", .integer(parameters))) }
        if let work = layer.multiplyAdds { members.append(("multiply_adds", .integer(work))) }
        if layer.multiplyAddsBeyondRange { members.append(("multiply_adds_beyond_int64", .bool(true))) }
        if let field = layer.receptiveField {
            // Per axis: a number, "whole" (every unit reads the whole input axis) or null (too large).
            members.append(("receptive_field", .array(field.map { axis in
                switch axis {
                case .window(let window): number(window.size)
                case .wholeInput: .string("whole")
                case .beyondRange: .null
                }
            })))
            members.append(("jump", .array(field.map { $0.jump.map(number) ?? .null })))
            members.append(("effective_padding", .array(field.map { $0.window.map { number($0.effectivePadding) } ?? .null })))
            members.append(("center", .array(field.map { $0.window.map { number($0.center) } ?? .null })))
            if let note = NetworkTable.fieldNote(layer) { members.append(("receptive_field_note", .string(note))) }
        } else {
            members.append(("receptive_field", .null))
            members.append(("jump", .null))
        }
        if let sourceName = layer.sourceName { members.append(("node", .string(sourceName))) }
        if let values = layer.integerValues {
            members.append(("values", integers(values)))
        } else if let values = layer.realValues, values.allSatisfy(\.isFinite) {
            members.append(("values", .array(values.map { .number($0, text: "\($0)") })))
        }
        if let resolved = layer.layer {
            let shape = resolved.shape
            members.append(("kernel", integers(shape.axes.map(\.kernel))))
            members.append(("stride", integers(shape.axes.map(\.stride))))
            members.append(("dilation", integers(shape.axes.map(\.dilation))))
            if shape.operation != .pooling { members.append(("groups", .integer(resolved.groups))) }
            members.append(("padding", .array(shape.axes.map { .array([.integer($0.padding.before), .integer($0.padding.after)]) })))
            members.append(("relationships", .array(shape.relationships.map { .object([("seed", $0.seed.map(JSONValue.integer) ?? .null), ("paper", .integer($0.paper))]) })))
        }
        if let error = layer.error { members.append(("error", .string(error))) }
        if let note = layer.note { members.append(("note", .string(note))) }
        if let location = layer.location {
            if let line = location.line { members.append(("line", .integer(line))) }
            if let node = location.nodeIndex { members.append(("node_index", .integer(node))) }
        }
        return .object(members)
    }

    /// A shape as a JSON array of integers.
    public static func integers(_ values: [Int]) -> JSONValue { .array(values.map(JSONValue.integer)) }

    /// A rational as a JSON integer when whole, else as a number.
    public static func number(_ value: Rational) -> JSONValue {
        value.isInteger ? .integer(value.numerator) : .number(value.doubleValue, text: "\(value.doubleValue)")
    }
}
