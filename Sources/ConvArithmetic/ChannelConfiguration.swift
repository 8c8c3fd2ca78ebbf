/// The non-spatial dimensions of a layer's tensors: batch, channels, output channels and groups.
///
/// Shapes are `N, C, spatial…` (channels first), the layout of PyTorch and ONNX; TensorFlow's
/// channels-last tensors have the same numbers in another order.
public struct ChannelConfiguration: Sendable, Hashable {
    /// Batch size `N` (0 is allowed: an empty batch).
    public var batch: Int
    /// Input channels `C_in`.
    public var channels: Int
    /// Output channels `C_out` of a convolution; `nil` keeps `C_in`. Pooling always keeps `C_in`.
    public var outputChannels: Int?
    /// Channel groups: `C_in` and `C_out` split into this many independent convolutions.
    public var groups: Int

    /// Batch, channels, output channels and groups; nothing is checked until a shape is computed.
    public init(batch: Int = 1, channels: Int, outputChannels: Int? = nil, groups: Int = 1) {
        self.batch = batch
        self.channels = channels
        self.outputChannels = outputChannels
        self.groups = groups
    }

    /// The full output tensor shape `[N, C_out, o…]` of `shape`.
    /// - Throws: ``ArithmeticError`` for non-positive channels or groups, or channels that do not divide
    ///   by the groups (every framework refuses them).
    public func outputShape(of shape: LayerShape) throws(ArithmeticError) -> [Int] {
        if batch < 0 { throw .negative(parameter: "batch", axis: nil, value: batch) }
        if channels < 1 { throw .nonPositive(parameter: "channels", axis: nil, value: channels) }
        if groups < 1 { throw .nonPositive(parameter: "groups", axis: nil, value: groups) }
        if groups > 1, let limit = shape.convention.channels.maximumGroupedRank, shape.rank > limit {
            throw .groupsUnsupported(rank: shape.rank, groups: groups, convention: shape.convention)
        }
        var outputs = channels
        if shape.operation != .pooling {
            outputs = outputChannels ?? channels
            if outputs < 1 { throw .nonPositive(parameter: "output channels", axis: nil, value: outputs) }
            if channels % groups != 0 {
                throw .channelsNotDivisibleByGroups(role: "input channels", channels: channels, groups: groups)
            }
            if outputs % groups != 0 {
                throw .channelsNotDivisibleByGroups(role: "output channels", channels: outputs, groups: groups)
            }
        }
        return [batch, outputs] + shape.output
    }

    /// The weight tensor shape the layer needs, in PyTorch/ONNX layout: convolution
    /// `[C_out, C_in/groups, k…]`, transposed convolution `[C_in, C_out/groups, k…]`; `nil` for pooling.
    public func weightShape(of shape: LayerShape) -> [Int]? {
        let outputs = outputChannels ?? channels
        let kernel = shape.axes.map(\.kernel)
        switch shape.operation {
        case .pooling: return nil
        case .convolution: return [outputs, channels / max(groups, 1)] + kernel
        case .transposedConvolution: return [channels, outputs / max(groups, 1)] + kernel
        }
    }
}
