/// How a window count is divided when the window does not tile the padded input exactly.
public enum WindowDivision: Sendable, Hashable {
    /// `⌊(i + p_lo + p_hi − k̂)/s⌋ + 1`: a window larger than the padded input gives no output.
    case floor
    /// C's truncating division: a window that overhangs the padded input by less than a stride still
    /// gives one output (ONNX Runtime's pooling, MLX's convolution).
    case truncating
}

/// What a framework decides about direct convolutions.
public struct ConvolutionRules: Sendable, Hashable {
    /// The smallest kernel size accepted (JAX takes 0: an empty window, `o = i + 1` at stride 1).
    public let minimumKernel: Int
    /// Whether a stride above 1 and a dilation above 1 may be combined (Keras refuses it, for
    /// transposed convolutions too).
    public let stridesWithDilation: Bool
    /// How the window count is divided.
    public let division: WindowDivision

    /// Convolution rules.
    public init(minimumKernel: Int = 1, stridesWithDilation: Bool = true, division: WindowDivision = .floor) {
        self.minimumKernel = minimumKernel
        self.stridesWithDilation = stridesWithDilation
        self.division = division
    }
}

/// What a framework decides about channels and groups.
public struct ChannelRules: Sendable, Hashable {
    /// The largest rank at which `groups` may be above 1 (MLX: 2), `nil` for any.
    public let maximumGroupedRank: Int?

    /// Channel rules.
    public init(maximumGroupedRank: Int? = nil) {
        self.maximumGroupedRank = maximumGroupedRank
    }
}
