/// The arithmetic of one spatial axis of a layer, after the convention has resolved every parameter:
/// the numbers the paper's relationships are written in.
///
/// For a transposed convolution, ``input`` is the paper's `i'`, ``output`` its `o'`, and
/// ``padding`` the padding `p` of the associated direct convolution (the transposed layer's own
/// `padding` argument in PyTorch and ONNX); ``outputPadding`` is `a`.
public struct AxisArithmetic: Sendable, Hashable {
    /// Input size `i` (or `i'` for a transposed convolution).
    public let input: Int
    /// Kernel size `k`.
    public let kernel: Int
    /// Stride `s`.
    public let stride: Int
    /// Dilation `d`.
    public let dilation: Int
    /// The resolved zero padding of the axis.
    public let padding: AxisPadding
    /// Output padding `a` (transposed convolutions; 0 otherwise).
    public let outputPadding: Int
    /// Whether pooling rounds the window count up (`ceil_mode`).
    public let ceilMode: Bool
    /// Output size `o` (or `o'`).
    public let output: Int
    /// The named padding this axis was resolved from, if any.
    public let namedPadding: PaddingMode?

    /// Creates a resolved axis. Package-internal: the specs' `shape(input:)` methods, which check every size,
    /// are the way to get one from outside the package.
    package init(input: Int, kernel: Int, stride: Int, dilation: Int, padding: AxisPadding,
                outputPadding: Int = 0, ceilMode: Bool = false, output: Int, namedPadding: PaddingMode? = nil) {
        self.input = input
        self.kernel = kernel
        self.stride = stride
        self.dilation = dilation
        self.padding = padding
        self.outputPadding = outputPadding
        self.ceilMode = ceilMode
        self.output = output
        self.namedPadding = namedPadding
    }

    /// `k̂ = d(k − 1) + 1`, the extent of the dilated kernel (0 for an empty kernel). Checked representable
    /// when the axis was made.
    public var effectiveKernel: Int { kernel == 0 ? 0 : dilation * (kernel - 1) + 1 }
}
