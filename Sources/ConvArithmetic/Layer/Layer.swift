/// A resolved layer: convolution, pooling or transposed convolution, every spatial axis decided by its
/// convention, and — when channels are known — every tensor shape (`x`, weight, bias, `y`) checked.
///
/// The one place where a layer description becomes sizes: `convarith eval`, the command line, the
/// kernels, the figures and the verification all start here.
///
/// ```swift
/// let layer = try Layer(LayerParameters(operation: .convolution, input: [56, 56], kernel: [3], padding: .symmetric([1]),
///                                       channels: 64, outputChannels: 64))
/// layer.shape.output         // [56, 56]
/// layer.tensors?.weight      // [64, 64, 3, 3]
/// ```
public struct Layer: Sendable, Hashable {
    /// Every spatial axis, resolved.
    public let shape: LayerShape
    /// The channels, when given; checked against the layer.
    public let channels: ChannelConfiguration?
    /// Channel groups (1 unless given).
    public let groups: Int
    /// Max or average (pooling).
    public let poolingMode: PoolingMode
    /// Average pooling's `count_include_pad` as given (`nil`: the convention's default).
    public let countIncludePad: Bool?

    /// Resolves a description under its convention.
    /// - Throws: ``ArithmeticError`` when the convention refuses the parameters or the channels.
    public init(_ parameters: LayerParameters) throws(ArithmeticError) {
        groups = parameters.groups ?? 1
        poolingMode = parameters.poolingMode
        countIncludePad = parameters.countIncludePad
        // The specs' window initializers: `shape(input:)` makes the convention's checks, once.
        let convention = parameters.convention
        let stride = parameters.stride ?? (parameters.operation == .pooling
            ? PoolingSpec.defaultStride(kernel: parameters.kernel, convention: convention) : [1])
        let window = try WindowParameters(kernel: parameters.kernel, stride: stride, dilation: parameters.dilation ?? [1],
                                          padding: parameters.padding ?? .zero)
        switch parameters.operation {
        case .convolution:
            shape = try ConvolutionSpec(window: window, convention: convention).shape(input: parameters.input)
        case .pooling:
            shape = try PoolingSpec(window: window, mode: parameters.poolingMode, ceilMode: parameters.ceilMode,
                                    countIncludePad: parameters.countIncludePad, convention: convention).shape(input: parameters.input)
        case .transposedConvolution:
            shape = try TransposedConvolutionSpec(window: window, outputPadding: parameters.outputPadding, outputSize: parameters.outputSize,
                                                  convention: convention).shape(input: parameters.input)
        }
        channels = parameters.channelConfiguration
        try channels?.check(for: shape)
    }

    /// Every tensor shape (`x`, weight, bias, `y`), when channels were given.
    public var tensors: TensorShapes? { channels?.uncheckedTensorShapes(of: shape) }

    /// The output tensor shape `[N, C_out, o…]`, when channels were given.
    public var outputShape: [Int]? { channels.map { [$0.batch, $0.outputChannels(of: shape)] + shape.output } }

}
