import ConvArithmetic
import ConvEval
import ConvNets
import Foundation

/// A column of `convarith net`'s table, by the name `--columns` takes.
public enum TableColumn: String, CaseIterable, Sendable {
    /// The columns, by the names `--columns` takes.
    case index, name, node, op, input, output, kernel, stride, padding, dilation, groups, params, macs, rf, jump, pad

    /// The columns shown without `--columns` (`node` too when an ONNX model names its nodes).
    public static let standard: [TableColumn] = [.index, .name, .op, .input, .output, .kernel, .stride, .padding, .dilation, .groups,
                                          .params, .macs, .rf, .jump, .pad]

    /// The header.
    public var title: String {
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
    public var isNumeric: Bool { [.index, .params, .macs].contains(self) }

    /// `--columns name,op,output,kernel`: the columns named, in that order.
    public static func list(_ text: String) -> [TableColumn]? {
        let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let columns = names.compactMap { name in name == "#" ? .index : TableColumn(rawValue: name) }
        // Each column once: the list is at most every column.
        return columns.count == names.count && !columns.isEmpty && Set(columns).count == columns.count ? columns : nil
    }
}
