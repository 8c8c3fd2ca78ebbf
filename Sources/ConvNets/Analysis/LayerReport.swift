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
    /// Multiply-adds of a convolution, transposed convolution or fully connected layer.
    public let multiplyAdds: Int?
    /// The receptive field of the outputs, per spatial axis of the network's input (`nil` where unknown).
    public let receptiveField: [AxisReceptiveField]?
    /// The resolved layer of a convolution, pooling or transposed convolution (relationships, padding).
    public let layer: Layer?
    /// Why this node has no output shape: the layer is impossible, or its inputs do not fit together.
    public let error: String?
    /// Why the shape is unknown without being wrong: an unsupported operator, values computed at run
    /// time, or an input that is itself unknown or failed.
    public let note: String?
    /// Where the node was written.
    public let location: SourceLocation?

    /// A row.
    public init(name: String, label: String, inputShapes: [[Int]?], outputShape: [Int]?, parameters: Int? = nil,
                multiplyAdds: Int? = nil, receptiveField: [AxisReceptiveField]? = nil, layer: Layer? = nil,
                error: String? = nil, note: String? = nil, location: SourceLocation? = nil) {
        self.name = name
        self.label = label
        self.inputShapes = inputShapes
        self.outputShape = outputShape
        self.parameters = parameters
        self.multiplyAdds = multiplyAdds
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

    /// A report.
    public init(name: String?, inputs: [Network.Input], layers: [LayerReport]) {
        self.name = name
        self.inputs = inputs
        self.layers = layers
    }

    /// The first node that failed, if any.
    public var firstFailure: LayerReport? { layers.first { $0.error != nil } }

    /// Every learned parameter of the nodes that have them (`nil` if the sum does not fit).
    public var totalParameters: Int? { Self.sum(layers.compactMap(\.parameters)) }

    /// Every multiply-add counted (`nil` if the sum does not fit).
    public var totalMultiplyAdds: Int? { Self.sum(layers.compactMap(\.multiplyAdds)) }

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
