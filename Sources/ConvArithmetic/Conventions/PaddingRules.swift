/// What a framework does with named, asymmetric, negative and causal padding.
public struct PaddingRules: Sendable, Hashable {
    /// How SAME (`same`, ONNX `SAME_UPPER`) resolves.
    public enum SameRule: Sendable, Hashable {
        /// PyTorch: stride 1 only; total `k̂ − 1`, which keeps the size.
        case keepsSizeAtUnitStride
        /// TensorFlow, ONNX, JAX: `o = ⌈i/s⌉`, total `max((o − 1)s + k̂ − i, 0)`, any stride.
        case ceilOfInputOverStride
    }

    /// How a negative padding (given, or the equivalent convolution's `p'` of a transposed one) crops.
    public enum Cropping: Sendable, Hashable {
        /// It removes units of the (stretched) input: `i + p_lo + p_hi` (JAX's `lax.pad`, PyTorch's and
        /// ONNX's transposed arithmetic).
        case arithmetic
        /// MLX: it slices whole units of the undilated input first (clamped at empty), then pads with the
        /// positive parts and inserts the `s − 1` zeros — so a crop of one unit removes `s` stretched units.
        case inputUnitsBeforeDilation
    }

    /// How SAME resolves where the framework has it.
    public let same: SameRule
    /// The layers that take a SAME padding; others refuse `same` and `same_lower`.
    public let sameOperations: OperationSet
    /// Whether `SAME_LOWER` (the odd unit at the start) exists.
    public let sameLower: Bool
    /// The layers that take different explicit paddings on the two sides of an axis (a named padding's
    /// own uneven split is always accepted).
    public let asymmetricOperations: OperationSet
    /// The layers that take a negative explicit padding (a crop).
    public let negativeOperations: OperationSet
    /// How negative padding crops.
    public let cropping: Cropping
    /// Whether `causal` exists only for 1-D convolutions (Keras `Conv1D`); elsewhere it is `(k̂ − 1, 0)`
    /// explicit padding, subject to ``asymmetricOperations``.
    public let causalOnlyForConvolution1D: Bool

    /// Padding rules.
    public init(same: SameRule, sameOperations: OperationSet, sameLower: Bool, asymmetricOperations: OperationSet,
                negativeOperations: OperationSet = [], cropping: Cropping = .arithmetic,
                causalOnlyForConvolution1D: Bool = false) {
        self.same = same
        self.sameOperations = sameOperations
        self.sameLower = sameLower
        self.asymmetricOperations = asymmetricOperations
        self.negativeOperations = negativeOperations
        self.cropping = cropping
        self.causalOnlyForConvolution1D = causalOnlyForConvolution1D
    }
}
