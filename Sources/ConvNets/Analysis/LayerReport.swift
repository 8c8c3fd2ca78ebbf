import ConvArithmetic

/// One row of a network's shape table: a node's input and output shapes, learned parameters,
/// multiply-adds and receptive field — or why it has none.
public struct LayerReport: Sendable, Hashable {
    /// The node's name (for an ONNX model, its first output tensor's name).
    public let name: String
    /// The operator as written (`conv`, `MaxPool`…).
    public let label: String
    /// The shapes of the node's data inputs (`nil` where unknown).
    public let inputShapes: [[Int]?]
    /// The output shape, `nil` when it could not be computed (see ``error`` and ``note``).
    public let outputShape: [Int]?
    /// Learned parameters (weights and biases), when the node has any.
    public let parameters: Int?
    /// Multiply-adds of a convolution, transposed convolution or fully connected layer (`nil` when
    /// there are none, or when ``multiplyAddsBeyondRange``).
    public let multiplyAdds: Int?
    /// Whether the layer's multiply-adds are more than a 64-bit integer holds.
    public let multiplyAddsBeyondRange: Bool
    /// The receptive field of the outputs, per spatial axis of the network's input (`nil` where unknown):
    /// a window, the whole input, or a window too large to compute exactly.
    public let receptiveField: [InputField]?
    /// The resolved layer of a convolution, pooling or transposed convolution (relationships, padding).
    public let layer: Layer?
    /// Why this node has no output shape: the layer is impossible, or its inputs do not fit together.
    public let error: String?
    /// Why the shape is unknown without being wrong: an unsupported operator, values computed at run
    /// time, or an input that is itself unknown or failed.
    public let note: String?
    /// Where the node was written.
    public let location: SourceLocation?
    /// The source's own name of the node (an ONNX node's `name`), when it differs from ``name``.
    public var sourceName: String?
    /// The input this row's shape is unknown because of (a tensor whose own shape is unknown or failed).
    public var dependsOn: String?
    /// The values of a small tensor the analysis follows (a shape, an index, a scale), as integers…
    public var integerValues: [Int]?
    /// …or as reals.
    public var realValues: [Double]?

    /// A row.
    public init(name: String, label: String, inputShapes: [[Int]?], outputShape: [Int]?, parameters: Int? = nil,
                multiplyAdds: Int? = nil, multiplyAddsBeyondRange: Bool = false, receptiveField: [InputField]? = nil, layer: Layer? = nil,
                error: String? = nil, note: String? = nil, location: SourceLocation? = nil) {
        self.name = name
        self.label = label
        self.inputShapes = inputShapes
        self.outputShape = outputShape
        self.parameters = parameters
        self.multiplyAdds = multiplyAdds
        self.multiplyAddsBeyondRange = multiplyAddsBeyondRange
        self.receptiveField = receptiveField
        self.layer = layer
        self.error = error
        self.note = note
        self.location = location
    }
}

/// The shape table of a whole network.
public struct NetworkReport: Sendable, Hashable {
    /// The network's name, if it has one.
    public let name: String?
    /// The inputs as analysed.
    public let inputs: [Network.Input]
    /// One row per node, in the network's order.
    public let layers: [LayerReport]
    /// The names of the network's outputs (an ONNX graph's outputs; a stack's last layer).
    public let outputs: [String]

    /// A report.
    public init(name: String?, inputs: [Network.Input], layers: [LayerReport], outputs: [String] = []) {
        self.name = name
        self.inputs = inputs
        self.layers = layers
        self.outputs = outputs.isEmpty ? layers.last.map { [$0.name] } ?? [] : outputs
    }

    /// Whether every output has a shape.
    public enum Status: String, Sendable, Hashable {
        /// Every output's shape is known and no node failed.
        case complete
        /// A node cannot have an output shape (``NetworkReport/firstFailure`` says which and why).
        case failed
        /// No node failed, but an output's shape depends on something this analysis does not know
        /// (``NetworkReport/firstUnknownOutput`` says which and why).
        case unknownOutputs = "unknown_outputs"
    }

    /// The report's status: failed if any node failed, else complete when every output is known.
    public var status: Status {
        if firstFailure != nil { return .failed }
        return firstUnknownOutput == nil ? .complete : .unknownOutputs
    }

    /// The first output (in the network's order of outputs) without a shape, with its row.
    public var firstUnknownOutput: LayerReport? {
        var rows: [String: LayerReport] = [:]
        for layer in layers { rows[layer.name] = layer }
        for output in outputs {
            // An output that is a network input or constant has no row and a known shape.
            if let row = rows[output], row.outputShape == nil { return row }
        }
        return nil
    }

    /// The row where the unknown shape of `row` starts: following ``LayerReport/dependsOn`` back to
    /// a row that is unknown for its own reason (an operator without a rule, values computed at run time).
    public func origin(of row: LayerReport) -> LayerReport {
        var rows: [String: LayerReport] = [:]
        for layer in layers { rows[layer.name] = layer }
        var current = row
        var steps = 0
        while let source = current.dependsOn, let next = rows[source], steps < layers.count {
            current = next
            steps += 1
        }
        return current
    }

    /// The first node that failed, if any.
    public var firstFailure: LayerReport? { layers.first { $0.error != nil } }

    /// Every learned parameter of the nodes that have them (`nil` if the sum does not fit).
    public var totalParameters: Int? { Self.sum(layers.compactMap(\.parameters)) }

    /// Every multiply-add counted (`nil` when the sum, or a layer's count, does not fit in 64 bits: see
    /// ``multiplyAddsBeyondRange``).
    public var totalMultiplyAdds: Int? {
        layers.contains(where: \.multiplyAddsBeyondRange) ? nil : Self.sum(layers.compactMap(\.multiplyAdds))
    }

    /// Whether the network's multiply-adds are more than a 64-bit integer holds.
    public var multiplyAddsBeyondRange: Bool { totalMultiplyAdds == nil }

    private static func sum(_ values: [Int]) -> Int? {
        var total = 0
        for value in values {
            let (next, overflow) = total.addingReportingOverflow(value)
            if overflow { return nil }
            total = next
        }
        return total
    }
}
