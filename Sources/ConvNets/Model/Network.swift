import ConvArithmetic

/// A network as a graph of nodes in a valid order (each node reads the network's inputs, constants or
/// earlier nodes), with the convention whose rules decide its layers' sizes.
public struct Network: Sendable, Hashable {
    /// A named input tensor and its shape `[N, C, spatial…]`, if known (`--input` gives it otherwise).
    public struct Input: Sendable, Hashable {
        /// The tensor's name.
        public var name: String
        /// Its dimensions; `nil` when the model leaves some of them open.
        public var shape: [Int]?
        /// The dimensions as the model declares them (`"N"`, `"height"` for symbolic ones), for messages.
        public var declared: [String]

        /// An input.
        public init(name: String, shape: [Int]?, declared: [String] = []) {
            self.name = name
            self.shape = shape
            self.declared = declared
        }
    }

    /// The network's name (a file's `name:` or the ONNX graph's).
    public var name: String?
    /// The inputs; most networks have one.
    public var inputs: [Input]
    /// Constant tensors the nodes read (ONNX initializers and `Constant` outputs), by name.
    public var constants: [String: ConstantTensor]
    /// The nodes, in an order where every node comes after what it reads.
    public var nodes: [NetworkNode]
    /// The default convention of the window layers.
    public var convention: Convention
    /// The names of the network's outputs (empty: the last node).
    public var outputs: [String]
    /// The shapes the model itself declares for some tensors (ONNX `value_info` and graph outputs; `nil`
    /// for a symbolic dimension), which the analysis compares with its own.
    public var declaredShapes: [String: [Int?]]

    /// A network.
    public init(name: String? = nil, inputs: [Input], constants: [String: ConstantTensor] = [:], nodes: [NetworkNode],
                convention: Convention = .pytorch, outputs: [String] = [], declaredShapes: [String: [Int?]] = [:]) {
        self.name = name
        self.inputs = inputs
        self.constants = constants
        self.nodes = nodes
        self.convention = convention
        self.outputs = outputs
        self.declaredShapes = declaredShapes
    }

    /// The network with its first input's shape replaced (the command line's `--input`).
    public func withInputShape(_ shape: [Int]) -> Network {
        var copy = self
        if copy.inputs.isEmpty {
            copy.inputs = [Input(name: "input", shape: shape)]
        } else {
            copy.inputs[0].shape = shape
        }
        return copy
    }
}

/// A constant tensor of a model: its shape and, for small ones, its values (a `Reshape`'s target shape,
/// a `Resize`'s scales, a `Pad`'s pads).
public struct ConstantTensor: Sendable, Hashable {
    /// The dimensions.
    public var shape: [Int]
    /// The values of an integer tensor, when it is small enough to have been read.
    public var integers: [Int]?
    /// The values of a floating-point tensor, when it is small enough to have been read.
    public var reals: [Double]?

    /// A constant.
    public init(shape: [Int], integers: [Int]? = nil, reals: [Double]? = nil) {
        self.shape = shape
        self.integers = integers
        self.reals = reals
    }
}
