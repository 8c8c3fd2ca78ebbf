import ConvArithmetic

/// A convolution, pooling or transposed convolution inside a network: the core's `LayerParameters`
/// whose input sizes and channels come from the tensor that flows into it.
///
/// The parameters read through it (`window.kernel`, `window.stride`…); what the network adds is whether a
/// convolution has a bias and whose rules apply (`nil`: the network's).
@dynamicMemberLookup
public struct WindowLayer: Sendable, Hashable {
    /// The layer as written; `input`, `batch` and `channels` are filled in from the input tensor.
    public var parameters: LayerParameters
    /// Whether a convolution has a bias (counted in the parameters).
    public var hasBias: Bool
    /// Whose rules decide the sizes; `nil` = the network's convention.
    public var convention: Convention?

    /// A window layer; only the operation and kernel are required.
    public init(operation: Operation, kernel: [Int], stride: [Int]? = nil, padding: Padding? = nil, dilation: [Int]? = nil,
                outputPadding: [Int]? = nil, outputSize: [Int]? = nil, ceilMode: Bool = false, poolingMode: PoolingMode = .max,
                countIncludePad: Bool? = nil, outputChannels: Int? = nil, groups: Int? = nil, hasBias: Bool = true,
                convention: Convention? = nil) {
        parameters = LayerParameters(operation: operation, input: [], kernel: kernel, stride: stride, padding: padding, dilation: dilation,
                                     outputPadding: outputPadding, outputSize: outputSize, ceilMode: ceilMode, poolingMode: poolingMode,
                                     countIncludePad: countIncludePad, outputChannels: outputChannels, groups: groups)
        self.hasBias = hasBias
        self.convention = convention
    }

    /// A parameter of the layer (`kernel`, `stride`, `padding`, `outputChannels`…).
    public subscript<Value>(dynamicMember keyPath: WritableKeyPath<LayerParameters, Value>) -> Value {
        get { parameters[keyPath: keyPath] }
        set { parameters[keyPath: keyPath] = newValue }
    }

    /// The core's description of this layer applied to a tensor `[N, C, spatial…]`.
    /// - Throws: ``NetworkError`` when the tensor has no spatial axis.
    public func parameters(input shape: [Int], convention networkConvention: Convention) throws(NetworkError) -> LayerParameters {
        guard shape.count >= 3 else {
            throw .layer("a \(parameters.operation.noun) needs an input [N, C, spatial…] with at least one spatial axis, got \(ShapeText.brackets(shape))")
        }
        var resolved = parameters
        resolved.input = Array(shape.dropFirst(2))
        resolved.batch = shape[0]
        resolved.channels = shape[1]
        resolved.convention = convention ?? networkConvention
        if resolved.operation == .pooling { resolved.outputChannels = nil }
        return resolved
    }
}
