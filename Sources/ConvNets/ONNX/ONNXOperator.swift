import ConvArithmetic

/// What the analysis knows of one input of an ONNX operator.
public struct ONNXValue: Sendable, Hashable {
    /// The dimensions.
    public var shape: [Int]
    /// The values of a small integer tensor (a shape computed by `Shape`, `Gather`, `Concat`…).
    public var integers: [Int]?
    /// The values of a small floating-point tensor (a `Resize`'s scales).
    public var reals: [Double]?
    /// The receptive field, when the tensor is a feature map of the network's input.
    public var field: [InputField]?

    /// A value.
    public init(shape: [Int], integers: [Int]? = nil, reals: [Double]? = nil, field: [InputField]? = nil) {
        self.shape = shape
        self.integers = integers
        self.reals = reals
        self.field = field
    }
}

/// An ONNX operator whose output shape needs its inputs' shapes and sometimes their values: evaluated
/// by `evaluate(_:)` when the analysis reaches it. Operators with fixed parameters (`Conv`, `MaxPool`,
/// a `Reshape` to a constant shape…) are translated to the other ``NetworkOperation`` cases on import.
public struct ONNXOperator: Sendable, Hashable {
    /// The operator type (`Shape`, `Gather`, `Slice`…).
    public var type: String
    /// Its attributes.
    public var attributes: ONNXAttributes
    /// Which of the node's outputs this is (`Split` has several).
    public var outputIndex: Int
    /// The model's opset of the default domain (attributes moved to inputs over the versions).
    public var opset: Int

    /// An operator.
    public init(type: String, attributes: ONNXAttributes, outputIndex: Int = 0, opset: Int) {
        self.type = type
        self.attributes = attributes
        self.outputIndex = outputIndex
        self.opset = opset
    }

    /// The operator types `evaluate(_:)` knows.
    public static let evaluated: Set<String> = Set([
        "Shape", "Size", "Gather", "Unsqueeze", "Squeeze", "Concat", "Cast", "CastLike", "Slice", "Reshape", "Resize", "Upsample",
        "Expand", "ConstantOfShape", "Transpose", "Split", "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd",
        "ReduceL1", "ReduceL2", "ReduceLogSumExp", "ReduceSumSquare", "ArgMax", "ArgMin", "MatMul", "Tile", "DepthToSpace",
        "SpaceToDepth", "Pad", "Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Sum", "Mean", "Equal", "Greater", "Less",
        "GreaterOrEqual", "LessOrEqual", "And", "Or", "Xor", "Where", "Mod", "PRelu", "BitShift", "Range", "Flatten",
        "GatherElements", "GatherND", "Scatter", "ScatterElements", "ScatterND", "ConvInteger", "QLinearConv", "DeformConv", "MatMulInteger", "QLinearMatMul", "LSTM", "GRU",
        "RNN", "DynamicQuantizeLinear", "TopK", "Einsum", "ReduceLogSum", "BitwiseAnd", "BitwiseOr", "BitwiseXor",
    ]).union(unaryValues).union(regionOperators)

    /// The prefix of the `com.microsoft` operators evaluated (ONNX Runtime's quantized operators).
    static let microsoftPrefix = "com.microsoft."
}

/// What an evaluated operator produced.
struct ONNXOutput {
    var shape: [Int]
    var integers: [Int]? = nil
    var reals: [Double]? = nil
    var field: [InputField]? = nil
    var parameters: Int? = nil
    var multiplyAdds: Int? = nil
    var workBeyondRange = false
    var note: String? = nil
    var layer: Layer? = nil
}
