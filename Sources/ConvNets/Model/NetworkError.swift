/// Why a network could not be read or a layer of it has no output shape, in words a user can act on.
public enum NetworkError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A file that is not valid YAML/JSON/ONNX, or whose structure is wrong, at a place in it.
    case malformed(String, at: SourceLocation?)
    /// A layer whose parameters or inputs have no output shape.
    case layer(String)
    /// A file that cannot be read.
    case unreadable(path: String, reason: String)
    /// An output that depends on tensor values this analysis does not compute (reported as unknown,
    /// not as a failure).
    case unknownValues(String)
    /// A request the budgets refuse (a file or graph too large to read safely).
    case tooLarge(String)

    public var description: String {
        switch self {
        case let .malformed(message, location):
            return location.map { "\($0): \(message)" } ?? message
        case let .layer(message):
            return message
        case let .unreadable(path, reason):
            return "cannot read \(path): \(reason)"
        case let .tooLarge(message), let .unknownValues(message):
            return message
        }
    }
}

/// Shapes written the same way in every message and table.
enum ShapeText {
    /// `[1, 64, 56, 56]`.
    static func brackets(_ shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }

    /// `1×64×56×56`.
    static func times(_ shape: [Int]) -> String { shape.map(String.init).joined(separator: "×") }
}
