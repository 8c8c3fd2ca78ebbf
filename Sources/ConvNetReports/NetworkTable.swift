import ConvArithmetic
import ConvEval
import ConvNets
import Foundation

/// The terminal table of a network's shapes.
public enum NetworkTable {
    /// The table of `convarith net`: one row per layer (names made terminal-safe), a note per error or
    /// unknown shape, the totals and the first failure; `columns` picks and orders the columns.
    public static func text(_ report: NetworkReport, convention: Convention, columns requested: [TableColumn]? = nil) -> String {
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

/// "5×5" for sizes.
func sizes(_ values: [Int]) -> String { values.map(String.init).joined(separator: "×") }

extension String {
    func trimmingTrailingSpaces() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}
