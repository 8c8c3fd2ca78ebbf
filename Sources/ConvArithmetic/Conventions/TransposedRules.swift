/// What a framework decides about transposed convolutions.
public struct TransposedRules: Sendable, Hashable {
    /// The largest output padding `a`.
    public enum OutputPaddingLimit: Sendable, Hashable {
        /// `a < max(s, d)` (PyTorch, ONNX Runtime).
        case belowStrideOrDilation
        /// `a < s` (Keras).
        case belowStride
        /// No limit (JAX through the stretched input, MLX).
        case none
    }

    /// How `same` and `valid` are read for a transposed convolution.
    public enum NamedPadding: Sendable, Hashable {
        /// As the padding of the associated direct convolution over the transposed layer's input
        /// (PyTorch and MLX have no named transposed padding; `valid`, `half`, `full` resolve to numbers).
        case associatedConvolution
        /// ONNX `auto_pad`: `SAME_*` aims at `o = i·s` with total padding `max(0, s(i − 1) + a + k̂ − i·s)`
        /// (odd unit at the end for `SAME_UPPER`, at the start otherwise); `VALID` pads nothing.
        case onnxAutoPad
        /// Keras and `lax.conv_transpose`: the padding of the forward SAME/VALID convolution of the
        /// output; without an output padding `o = i·s` (SAME) or `i·s + max(k̂ − s, 0)` (VALID).
        case forwardConvolution(outputPaddingAllowed: Bool)
    }

    /// How a requested output size (`output_size`, `output_shape`) is met.
    public enum OutputSize: Sendable, Hashable {
        /// PyTorch: any size in `[o_min, o_min + s − 1]`; the difference becomes `a`.
        case outputPaddingRange
        /// ONNX: the total padding is whatever makes the size (explicit pads are ignored).
        case derivesPadding
        /// TensorFlow: the size is taken as given, then checked by the forward convolution.
        case takenAsGiven
        /// The framework has no such parameter.
        case unsupported
    }

    /// The largest output padding.
    public let outputPaddingLimit: OutputPaddingLimit
    /// Whether an absent output padding follows Keras's `None` rule instead of meaning 0.
    public let absentOutputPaddingIsKerasNone: Bool
    /// How `same`/`valid` are read.
    public let namedPadding: NamedPadding
    /// How a requested output size is met.
    public let outputSize: OutputSize
    /// Whether the forward convolution of the output must give the input size back (ONNX Runtime,
    /// TensorFlow).
    public let forwardCheck: Bool

    /// Transposed-convolution rules.
    public init(outputPaddingLimit: OutputPaddingLimit, absentOutputPaddingIsKerasNone: Bool = false,
                namedPadding: NamedPadding, outputSize: OutputSize, forwardCheck: Bool = false) {
        self.outputPaddingLimit = outputPaddingLimit
        self.absentOutputPaddingIsKerasNone = absentOutputPaddingIsKerasNone
        self.namedPadding = namedPadding
        self.outputSize = outputSize
        self.forwardCheck = forwardCheck
    }
}
