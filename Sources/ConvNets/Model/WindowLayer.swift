import ConvArithmetic

/// A convolution, pooling or transposed convolution inside a network: the core's ``LayerParameters``
/// without the input sizes and channels, which come from the tensor that flows into it.
public struct WindowLayer: Sendable, Hashable {
    /// Convolution, pooling or transposed convolution.
    public var operation: Operation
    /// Kernel per spatial axis (or one for all).
    public var kernel: [Int]
    /// Stride; `nil` = the default (1, or the convention's pooling default).
    public var stride: [Int]?
    /// Padding; `nil` = none.
    public var padding: Padding?
    /// Dilation; `nil` = 1.
    public var dilation: [Int]?
    /// Output padding of a transposed convolution; `nil` = the convention's default.
    public var outputPadding: [Int]?
    /// Requested output size of a transposed convolution (the convention derives the output padding).
    public var outputSize: [Int]?
    /// Pooling `ceil_mode`.
    public var ceilMode: Bool
    /// Max or average pooling.
    public var poolingMode: PoolingMode
    /// Average pooling's `count_include_pad`; `nil` = the convention's default.
    public var countIncludePad: Bool?
    /// Output channels of a convolution or transposed convolution (`nil` for pooling).
    public var outputChannels: Int?
    /// Channel groups (`nil` = 1).
    public var groups: Int?
    /// Whether a convolution has a bias (counted in the parameters).
    public var hasBias: Bool
    /// Whose rules decide the sizes; `nil` = the network's convention.
    public var convention: Convention?

    /// A window layer; only the operation and kernel are required.
    public init(operation: Operation, kernel: [Int], stride: [Int]? = nil, padding: Padding? = nil, dilation: [Int]? = nil,
                outputPadding: [Int]? = nil, outputSize: [Int]? = nil, ceilMode: Bool = false, poolingMode: PoolingMode = .max,
                countIncludePad: Bool? = nil, outputChannels: Int? = nil, groups: Int? = nil, hasBias: Bool = true,
                convention: Convention? = nil) {
        self.operation = operation
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.outputPadding = outputPadding
        self.outputSize = outputSize
        self.ceilMode = ceilMode
        self.poolingMode = poolingMode
        self.countIncludePad = countIncludePad
        self.outputChannels = outputChannels
        self.groups = groups
        self.hasBias = hasBias
        self.convention = convention
    }

    /// The core's description of this layer applied to a tensor `[N, C, spatial…]`.
    /// - Throws: ``NetworkError`` when the tensor has no spatial axis.
    public func parameters(input shape: [Int], convention networkConvention: Convention) throws(NetworkError) -> LayerParameters {
        guard shape.count >= 3 else {
            throw .layer("a \(operation.noun) needs an input [N, C, spatial…] with at least one spatial axis, got \(ShapeText.brackets(shape))")
        }
        return LayerParameters(operation: operation, input: Array(shape.dropFirst(2)), kernel: kernel, stride: stride, padding: padding,
                               dilation: dilation, outputPadding: outputPadding, outputSize: outputSize, ceilMode: ceilMode,
                               poolingMode: poolingMode, countIncludePad: countIncludePad, convention: convention ?? networkConvention,
                               batch: shape[0], channels: shape[1], outputChannels: operation == .pooling ? nil : outputChannels,
                               groups: groups)
    }
}
