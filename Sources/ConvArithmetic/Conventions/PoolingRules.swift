/// What a framework decides about max and average pooling.
public struct PoolingRules: Sendable, Hashable {
    /// The stride when none is given.
    public enum DefaultStride: Sendable, Hashable {
        /// The kernel size (PyTorch, Keras, MLX): windows that do not overlap.
        case kernel
        /// 1 (the ONNX operator default).
        case one
    }

    /// What average pooling divides by.
    public enum AverageDivisor: Sendable, Hashable {
        /// `count_include_pad`, with this default: true counts the taps inside the padded input, false
        /// only those on real input.
        case countIncludePad(default: Bool)
        /// Always the taps on real input (TensorFlow); `count_include_pad=true` is refused.
        case excludesPadding
        /// Always the whole window, padding included (MLX divides by k); `count_include_pad=false` is refused.
        case includesPadding
    }

    /// Which pooling layers take a dilation.
    public enum Dilation: Sendable, Hashable {
        /// Max and average.
        case any
        /// Max pooling only (PyTorch's average pooling has none).
        case maxOnly
        /// Only with padding `valid` and stride 1 (`tf.nn.pool`).
        case validPaddingAndUnitStrideOnly
        /// None (MLX's pooling layers).
        case none
    }

    /// The largest padding per side, relative to the kernel.
    public enum PaddingLimit: Sendable, Hashable {
        /// At most half of the raw (undilated) kernel, `p ≤ ⌊k/2⌋` (PyTorch).
        case halfOfRawKernel
        /// Smaller than the kernel, `p < k` (ONNX Runtime).
        case belowKernel
        /// No limit.
        case none
    }

    /// Which pooling layers take explicit padding (any other than `same` or `valid`).
    public enum ExplicitPadding: Sendable, Hashable {
        /// Every pooling layer.
        case any
        /// Max pooling of one or two axes only (TensorFlow's `MaxPool`: `tf.nn.avg_pool` and the 3-D pools
        /// take `'SAME'` or `'VALID'` alone).
        case maxUpToTwoAxes
    }

    /// What max pooling makes of a NaN in a window.
    public enum MaxNaN: Sendable, Hashable {
        /// The window gives NaN (PyTorch keeps a tap when `v > max || isnan(v)`).
        case propagates
        /// NaN is passed over (ONNX Runtime keeps a tap when `v > max`); a window of NaN alone gives
        /// ``PoolingRules/emptyMaxWindow``.
        case passedOver
    }

    /// Which of −0 and +0 max pooling keeps when they are a window's largest values.
    public enum MaxOfZeros: Sendable, Hashable {
        /// The first in the window's order (PyTorch, ONNX Runtime, TensorFlow and MLX keep a tap when
        /// `v > max`).
        case first
        /// +0, wherever it is (JAX: XLA's max is IEEE 754's maximum, for which +0 is above −0).
        case positive
    }

    /// The stride when none is given.
    public let defaultStride: DefaultStride
    /// What average pooling divides by.
    public let averageDivisor: AverageDivisor
    /// The value of a max window with nothing above it: one that lies entirely in the padding, or holds only −∞
    /// (and NaN, where NaN is passed over): −∞, or the lowest finite float −3.4028235e38 that ONNX Runtime and
    /// TensorFlow start their windows from.
    public let emptyMaxWindow: Float
    /// What max pooling makes of a NaN in a window.
    public let maxNaN: MaxNaN
    /// Which of −0 and +0 max pooling keeps when they are a window's largest values.
    public let maxOfZeros: MaxOfZeros
    /// The padding limit.
    public let paddingLimit: PaddingLimit
    /// Which pooling layers take explicit padding.
    public let explicitPadding: ExplicitPadding
    /// How the window count is divided.
    public let division: WindowDivision
    /// Whether `ceil_mode` exists (with the drop rule: the last window must start inside the input or
    /// its left padding).
    public let ceilMode: Bool
    /// Which pooling layers take a dilation.
    public let dilation: Dilation
    /// PyTorch: 3-D average pooling needs every unpadded input size to be at least the kernel.
    public let average3DNeedsInputAtLeastKernel: Bool
    /// The largest output size the framework can represent (PyTorch computes pooling sizes in 32 bits),
    /// `nil` for no limit beyond `Int`.
    public let largestOutput: Int?

    /// Pooling rules.
    public init(defaultStride: DefaultStride, averageDivisor: AverageDivisor, emptyMaxWindow: Float = -.infinity,
                maxNaN: MaxNaN = .propagates, maxOfZeros: MaxOfZeros = .first, paddingLimit: PaddingLimit = .none,
                explicitPadding: ExplicitPadding = .any, division: WindowDivision = .floor, ceilMode: Bool = true,
                dilation: Dilation = .any, average3DNeedsInputAtLeastKernel: Bool = false, largestOutput: Int? = nil) {
        self.defaultStride = defaultStride
        self.averageDivisor = averageDivisor
        self.emptyMaxWindow = emptyMaxWindow
        self.maxNaN = maxNaN
        self.maxOfZeros = maxOfZeros
        self.paddingLimit = paddingLimit
        self.explicitPadding = explicitPadding
        self.division = division
        self.ceilMode = ceilMode
        self.dilation = dilation
        self.average3DNeedsInputAtLeastKernel = average3DNeedsInputAtLeastKernel
        self.largestOutput = largestOutput
    }

    /// Whether average pooling counts the padded taps, given the layer's `count_include_pad` (`nil`:
    /// the default).
    public func countsPadding(_ given: Bool?) -> Bool {
        switch averageDivisor {
        case .countIncludePad(let fallback): given ?? fallback
        case .excludesPadding: false
        case .includesPadding: true
        }
    }
}
