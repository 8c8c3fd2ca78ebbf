/// The non-spatial dimensions of a layer's tensors: batch, channels, output channels and groups.
///
/// Shapes are `N, C, spatial…` (channels first), the layout of PyTorch and ONNX; TensorFlow's
/// channels-last tensors have the same numbers in another order. Every channel, group and weight-shape
/// check of the package is made here, in ``tensorShapes(of:)``.
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

    /// The channels that tensors of these shapes imply: `N` and `C_in` from `x` `[N, C, …]`, `C_out` from the
    /// weight (`[C_out, C_in/groups, k…]` for a convolution, `[C_in, C_out/groups, k…]` for a transposed one).
    /// `nil` when `x` has no channel axis; the shapes are then checked against ``tensorShapes(of:)``.
    /// - Throws: ``ArithmeticError/overflow(_:)`` when `C_out/groups · groups` does not fit in `Int`.
    public init?(input x: [Int], weight: [Int]?, operation: Operation, groups: Int) throws(ArithmeticError) {
        guard x.count >= 2 else { return nil }
        var outputs: Int?
        if let weight, weight.count >= 2, operation != .pooling {
            if operation == .transposedConvolution {
                outputs = try checkedMultiply(weight[1], groups, "the output channels C_out/groups · groups")
            } else {
                outputs = weight[0]
            }
        }
        self.init(batch: x[0], channels: x[1], outputChannels: outputs, groups: groups)
    }

    /// The full output tensor shape `[N, C_out, o…]` of `shape`.
    /// - Throws: ``ArithmeticError`` for non-positive channels or groups, or channels that do not divide
    ///   by the groups (every framework refuses them).
    public func outputShape(of shape: LayerShape) throws(ArithmeticError) -> [Int] {
        try check(for: shape)
        return [batch, outputChannels(of: shape)] + shape.output
    }

    /// The weight tensor shape the layer needs, in PyTorch/ONNX layout: convolution
    /// `[C_out, C_in/groups, k…]`, transposed convolution `[C_in, C_out/groups, k…]`; `nil` for pooling.
    public func weightShape(of shape: LayerShape) -> [Int]? {
        (try? tensorShapes(of: shape))?.weight
    }

    /// Every tensor shape of the layer: `x`, the weight, the bias and `y`.
    /// - Throws: ``ArithmeticError`` for a negative batch, non-positive channels or groups, channels that
    ///   do not divide by the groups, or groups at a rank where the convention has none.
    public func tensorShapes(of shape: LayerShape) throws(ArithmeticError) -> TensorShapes {
        try check(for: shape)
        return uncheckedTensorShapes(of: shape)
    }

    /// Checks these channels against a layer (the checks of ``tensorShapes(of:)``, without building shapes).
    /// - Throws: ``ArithmeticError`` as ``tensorShapes(of:)``.
    public func check(for shape: LayerShape) throws(ArithmeticError) {
        if batch < 0 { throw .negative(parameter: "batch", axis: nil, value: batch) }
        if channels < 1 { throw .nonPositive(parameter: "channels", axis: nil, value: channels) }
        if groups < 1 { throw .nonPositive(parameter: "groups", axis: nil, value: groups) }
        guard shape.operation != .pooling else { return }
        if groups > 1, let limit = shape.convention.channels.maximumGroupedRank, shape.rank > limit {
            throw .groupsUnsupported(rank: shape.rank, groups: groups, convention: shape.convention)
        }
        let outputs = outputChannels ?? channels
        if outputs < 1 { throw .nonPositive(parameter: "output channels", axis: nil, value: outputs) }
        if channels % groups != 0 {
            throw .channelsNotDivisibleByGroups(role: "input channels", channels: channels, groups: groups)
        }
        if outputs % groups != 0 {
            throw .channelsNotDivisibleByGroups(role: "output channels", channels: outputs, groups: groups)
        }
    }

    /// `C_out` of the layer (pooling keeps `C_in`).
    public func outputChannels(of shape: LayerShape) -> Int {
        shape.operation == .pooling ? channels : outputChannels ?? channels
    }

    /// The multiply-adds of the layer (pooling: the window reads): `N·C_out·Πo·(C_in/groups)·Πk` for a
    /// convolution, `N·C_in·Πi'·(C_out/groups)·Πk` for a transposed one, `N·C·Πo·Πk` for pooling; `nil` when
    /// the count does not fit in `Int`. Channels are assumed checked (``check(for:)``).
    public func multiplyAdds(of shape: LayerShape) -> Int? {
        let outputs = outputChannels(of: shape)
        let groups = max(self.groups, 1)
        var factors = [batch] + shape.axes.map(\.kernel)
        switch shape.operation {
        case .convolution: factors += [outputs, channels / groups] + shape.output
        case .transposedConvolution: factors += [channels, outputs / groups] + shape.input
        case .pooling: factors += [channels] + shape.output
        }
        var product = 1
        for factor in factors {
            let (next, overflow) = product.multipliedReportingOverflow(by: factor)
            if overflow || factor < 0 { return nil }
            product = next
        }
        return product
    }

    /// The tensor shapes of channels already checked by ``check(for:)``.
    func uncheckedTensorShapes(of shape: LayerShape) -> TensorShapes {
        let x = [batch, channels] + shape.input
        let outputs = outputChannels(of: shape)
        let y = [batch, outputs] + shape.output
        let kernel = shape.axes.map(\.kernel)
        switch shape.operation {
        case .pooling:
            return TensorShapes(x: x, weight: nil, bias: nil, y: y)
        case .convolution:
            return TensorShapes(x: x, weight: [outputs, channels / groups] + kernel, bias: [outputs], y: y)
        case .transposedConvolution:
            return TensorShapes(x: x, weight: [channels, outputs / groups] + kernel, bias: [outputs], y: y)
        }
    }
}

/// The shapes of a layer's tensors, `N, C, spatial…`, weights in PyTorch/ONNX layout.
public struct TensorShapes: Sendable, Hashable {
    /// The input `[N, C_in, i…]`.
    public let x: [Int]
    /// The weight (`nil` for pooling).
    public let weight: [Int]?
    /// The bias `[C_out]` (`nil` for pooling).
    public let bias: [Int]?
    /// The output `[N, C_out, o…]`.
    public let y: [Int]

    /// The number of input channels.
    public var inputChannels: Int { x[1] }
    /// The number of output channels.
    public var outputChannels: Int { y[1] }
    /// The batch size.
    public var batch: Int { x[0] }
}
