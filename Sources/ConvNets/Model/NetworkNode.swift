/// One node of a network: a name (an ONNX node's first output tensor), what it computes, and the names of
/// the tensors it reads (data inputs only: weights are part of the operation).
public struct NetworkNode: Sendable, Hashable {
    /// The node's name, unique in its network; the name of the tensor it produces.
    public var name: String
    /// What it computes.
    public var operation: NetworkOperation
    /// The tensors it reads, in order: the network's inputs or earlier nodes' names.
    public var inputs: [String]
    /// The operator as written in the source (`conv`, `Conv`, `MaxPool`…), for tables and messages.
    public var label: String
    /// Where the node was written (a file line, an ONNX node index), for messages.
    public var location: SourceLocation?
    /// The name the source gives the node itself, when it differs from its output's (an ONNX node's
    /// `name`, such as `/backbone/conv1/Conv`).
    public var sourceName: String?

    /// A node reading `inputs`.
    public init(name: String, operation: NetworkOperation, inputs: [String], label: String, location: SourceLocation? = nil,
                sourceName: String? = nil) {
        self.name = name
        self.operation = operation
        self.inputs = inputs
        self.label = label
        self.location = location
        self.sourceName = sourceName
    }
}

/// Where something was written: a line and column of a YAML/JSON file, or an ONNX node's index.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    /// 1-based line, when known.
    public var line: Int?
    /// 1-based column, when known.
    public var column: Int?
    /// An ONNX graph node's index, when the source is a model.
    public var nodeIndex: Int?

    /// A place in a text file.
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// A node of a model graph.
    public init(nodeIndex: Int) {
        self.nodeIndex = nodeIndex
    }

    /// `line 3, column 5` or `node 17`.
    public var description: String {
        if let line {
            return column.map { "line \(line), column \($0)" } ?? "line \(line)"
        }
        return nodeIndex.map { "node \($0)" } ?? "unknown place"
    }
}
