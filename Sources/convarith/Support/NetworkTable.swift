import ConvArithmetic
import ConvEval
import ConvNets
import Foundation

/// A column of `convarith net`'s table, by the name `--columns` takes.
enum TableColumn: String, CaseIterable, Sendable {
    case index, name, node, op, input, output, kernel, stride, padding, dilation, groups, params, macs, rf, jump, pad

    /// The columns shown without `--columns` (`node` too when an ONNX model names its nodes).
    static let standard: [TableColumn] = [.index, .name, .op, .input, .output, .kernel, .stride, .padding, .dilation, .groups,
                                          .params, .macs, .rf, .jump, .pad]

    /// The header.
    var title: String {
        switch self {
        case .index: "#"
        case .macs: "MACs"
        case .rf: "RF"
        case .pad: "eff. pad"
        case .kernel: "k"
        case .stride: "s"
        case .padding: "p"
        case .dilation: "d"
        case .groups: "g"
        default: rawValue
        }
    }

    /// Whether the cells are numbers aligned on the right.
    var isNumeric: Bool { [.index, .params, .macs].contains(self) }

    /// `--columns name,op,output,kernel`: the columns named, in that order.
    static func list(_ text: String) -> [TableColumn]? {
        let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let columns = names.compactMap { name in name == "#" ? .index : TableColumn(rawValue: name) }
        // Each column once: the list is at most every column.
        return columns.count == names.count && !columns.isEmpty && Set(columns).count == columns.count ? columns : nil
    }
}

/// The terminal table of a network's shapes.
enum NetworkTable {
    static func text(_ report: NetworkReport, convention: Convention, columns requested: [TableColumn]? = nil) -> String {
        var lines: [String] = []
        let inputs = report.inputs.map { "\(SafeText.visible($0.name)) \($0.shape.map(brackets) ?? "?")" }.joined(separator: ", ")
        lines.append("\(SafeText.visible(report.name ?? "network")) (\(convention.displayName) rules): \(inputs)")
        var columns = requested ?? TableColumn.standard
        if requested == nil, report.layers.contains(where: { $0.sourceName != nil }) { columns.insert(.node, at: 2) }
        let header = columns.map(\.title)
        let rows = report.layers.enumerated().map { index, layer in columns.map { cell($0, layer, index: index) } }
        // Columns are as wide as their cells up to a limit: one long name overflows its own cell
        // instead of padding every row to its width.
        var widths = header.map(\.count)
        for row in rows {
            for (column, cell) in row.enumerated() { widths[column] = max(widths[column], min(cell.count, Self.widestColumn)) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: max(widths[column] - cell.count, 0))
                return columns[column].isNumeric ? pad + cell : cell + pad
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }
        lines.append(line(header))
        for (row, layer) in zip(rows, report.layers) {
            lines.append(line(row))
            if let error = layer.error { lines.append("    error: \(SafeText.visible(error))") }
            if let note = layer.note { lines.append("    \(SafeText.visible(note))") }
            if let note = fieldNote(layer) { lines.append("    \(note)") }
        }
        var total = "total: \(report.totalParameters.map(grouped) ?? "too many") parameters, \(report.totalMultiplyAdds.map(abbreviated) ?? "more than 2^63 − 1") multiply-adds"
        // The network's outputs by name when it has several (an ONNX graph's), else its last layer's.
        var byName: [String: LayerReport] = [:]
        for layer in report.layers { byName[layer.name] = layer }
        let outputs = report.outputs.compactMap { byName[$0] }
        if outputs.count > 1 {
            total += "; outputs " + outputs.map { "\(SafeText.visible($0.name)) \($0.outputShape.map(brackets) ?? "?")" }.joined(separator: ", ")
        } else if let shape = (outputs.first ?? report.layers.last)?.outputShape {
            total += "; output \(brackets(shape))"
        }
        lines.append(total)
        if let failure = report.firstFailure {
            let place = failure.location.map { " (\($0))" } ?? ""
            lines.append("first failure: '\(SafeText.visible(failure.name))'\(place): \(SafeText.visible(failure.error ?? ""))")
        } else if let unknown = report.firstUnknownOutput {
            let place = unknown.location.map { " (\($0))" } ?? ""
            lines.append("output unknown: '\(SafeText.visible(unknown.name))'\(place): \(SafeText.visible(unknownReason(unknown, in: report)))")
        }
        return lines.joined(separator: "\n")
    }

    /// The widest a column is padded to.
    static let widestColumn = 64

    /// One cell of a row.
    static func cell(_ column: TableColumn, _ layer: LayerReport, index: Int) -> String {
        let field = layer.receptiveField
        let axes = layer.layer?.shape.axes
        switch column {
        case .index: return "\(index + 1)"
        case .name: return SafeText.visible(layer.name)
        case .node: return SafeText.visible(layer.sourceName ?? "")
        case .op: return SafeText.visible(layer.label)
        case .input:
            // A wide concatenation lists its first inputs and counts the rest: a row stays a line.
            let shown = layer.inputShapes.prefix(4).map { $0.map(shapeText) ?? "?" }
            let rest = layer.inputShapes.count - shown.count
            let text = shown.joined(separator: " + ") + (rest > 0 ? " + \(grouped(rest)) more" : "")
            return text.isEmpty ? "—" : text
        case .output: return layer.outputShape.map(shapeText) ?? (layer.error != nil ? "error" : "?")
        case .kernel: return axes.map { perAxis($0.map { "\($0.kernel)" }) } ?? ""
        case .stride: return axes.map { perAxis($0.map { "\($0.stride)" }) } ?? ""
        case .padding:
            // Per axis, before:after when the sides differ.
            return axes.map { perAxis($0.map { $0.padding.before == $0.padding.after ? "\($0.padding.before)" : "\($0.padding.before):\($0.padding.after)" }) } ?? ""
        case .dilation: return axes.map { perAxis($0.map { "\($0.dilation)" }) } ?? ""
        case .groups: return layer.layer.map { $0.shape.operation == .pooling ? "" : "\($0.groups)" } ?? ""
        case .params: return layer.parameters.map(grouped) ?? ""
        case .macs: return layer.multiplyAddsBeyondRange ? ">2^63" : layer.multiplyAdds.map(abbreviated) ?? ""
        case .rf: return field.map { perAxis($0.map(sizeText)) } ?? ""
        case .jump: return field.map { perAxis($0.map { $0.jump?.description ?? "?" }) } ?? ""
        case .pad: return field.map { perAxis($0.map { $0.window?.effectivePadding.description ?? "—" }) } ?? ""
        }
    }

    /// Why an output is unknown: the first row without a shape whose own inputs are known (the root
    /// cause), else the output's own note.
    static func unknownReason(_ output: LayerReport, in report: NetworkReport) -> String {
        let root = report.origin(of: output)
        let note = root.note ?? root.error ?? "its shape is unknown"
        guard root.name != output.name else { return note }
        return "the first unknown tensor is '\(root.name)' (\(root.label)): \(note)"
    }

    /// `1×64×56×56`, or `scalar`.
    static func shapeText(_ shape: [Int]) -> String { shape.isEmpty ? "scalar" : sizes(shape) }

    /// One value when every axis agrees, else `3×5`.
    static func perAxis(_ values: [String]) -> String {
        guard let first = values.first else { return "" }
        if values.allSatisfy({ $0 == first }) { return first }
        return values.joined(separator: "×")
    }

    /// A field's size: `195`, `whole` (every unit reads the whole input axis), or `?` when too large.
    static func sizeText(_ field: InputField) -> String {
        switch field {
        case .window(let window): window.size.description
        case .wholeInput: "whole"
        case .beyondRange: "?"
        }
    }

    /// Why a row's receptive field is not shown in full, when it is not.
    static func fieldNote(_ layer: LayerReport) -> String? {
        guard let field = layer.receptiveField, field.contains(.beyondRange) else { return nil }
        return "receptive field: too large to compute exactly in 64-bit integers (the shape is unaffected)"
    }

    static func brackets(_ shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }

    /// `1,792`.
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return (value < 0 ? "-" : "") + result
    }

    /// `86.7M`, `15.5G`.
    static func abbreviated(_ value: Int) -> String {
        let units: [(Double, String)] = [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")]
        let number = Double(value)
        for (scale, suffix) in units where number >= scale {
            let scaled = number / scale
            return (scaled >= 100 ? String(Int(scaled.rounded())) : String((scaled * 10).rounded() / 10)) + suffix
        }
        return String(value)
    }
}

/// `convarith net --json`: one object with the network and its `layers`.
enum NetworkReportJSON {
    static func text(_ report: NetworkReport) -> String {
        JSONWriter.string(value(report))
    }

    static func value(_ report: NetworkReport) -> JSONValue {
        var members: [(key: String, value: JSONValue)] = []
        members.append(("name", report.name.map(JSONValue.string) ?? .null))
        members.append(("inputs", .array(report.inputs.map { input in
            .object([("name", .string(input.name)), ("shape", input.shape.map(integers) ?? .null)])
        })))
        members.append(("layers", .array(report.layers.map(layer))))
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

    static func integers(_ values: [Int]) -> JSONValue { .array(values.map(JSONValue.integer)) }

    static func number(_ value: Rational) -> JSONValue {
        value.isInteger ? .integer(value.numerator) : .number(value.doubleValue, text: "\(value.doubleValue)")
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}
