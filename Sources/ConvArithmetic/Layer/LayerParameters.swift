/// A layer as a user describes it — operation, sizes, parameters, convention, and optionally channels —
/// before any rule is applied. `convarith eval` requests decode into it and the command line builds it
/// from options; ``Layer/init(_:)`` resolves it.
public struct LayerParameters: Sendable, Hashable {
    /// The layer.
    public var operation: Operation
    /// Spatial input sizes; their count is the rank.
    public var input: [Int]
    /// Kernel per axis (or one for all).
    public var kernel: [Int]
    /// Stride per axis; `nil` = default (1, or the convention's pooling default).
    public var stride: [Int]?
    /// Padding; `nil` = no padding.
    public var padding: Padding?
    /// Dilation per axis; `nil` = 1.
    public var dilation: [Int]?
    /// Output padding of a transposed convolution; `nil` = the convention's default.
    public var outputPadding: [Int]?
    /// Requested output size of a transposed convolution.
    public var outputSize: [Int]?
    /// Pooling `ceil_mode`.
    public var ceilMode: Bool
    /// Max or average pooling.
    public var poolingMode: PoolingMode
    /// Average pooling's `count_include_pad`; `nil` = the convention's default.
    public var countIncludePad: Bool?
    /// Whose rules apply.
    public var convention: Convention
    /// Batch size (default 1 when channels are given).
    public var batch: Int?
    /// Input channels; when present the layer has full tensor shapes.
    public var channels: Int?
    /// Output channels (convolutions).
    public var outputChannels: Int?
    /// Channel groups.
    public var groups: Int?

    /// A layer description; only `operation`, `input` and `kernel` are required.
    public init(operation: Operation, input: [Int], kernel: [Int], stride: [Int]? = nil, padding: Padding? = nil,
                dilation: [Int]? = nil, outputPadding: [Int]? = nil, outputSize: [Int]? = nil, ceilMode: Bool = false,
                poolingMode: PoolingMode = .max, countIncludePad: Bool? = nil, convention: Convention = .default,
                batch: Int? = nil, channels: Int? = nil, outputChannels: Int? = nil, groups: Int? = nil) {
        self.operation = operation
        self.input = input
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.outputPadding = outputPadding
        self.outputSize = outputSize
        self.ceilMode = ceilMode
        self.poolingMode = poolingMode
        self.countIncludePad = countIncludePad
        self.convention = convention
        self.batch = batch
        self.channels = channels
        self.outputChannels = outputChannels
        self.groups = groups
    }

    /// The channel configuration, when channels are given.
    public var channelConfiguration: ChannelConfiguration? {
        channels.map { ChannelConfiguration(batch: batch ?? 1, channels: $0, outputChannels: outputChannels, groups: groups ?? 1) }
    }
}
