/// Whose rules decide sizes and refusals where frameworks disagree.
///
/// The formulas of the paper are shared by every framework; the conventions differ in what they accept
/// (PyTorch refuses `padding="same"` with strides, ONNX Runtime refuses pooling padding as large as the
/// kernel, Keras refuses strides together with dilation…), in how named paddings split an odd total, and
/// in the transposed convolution's default output size. See `oracle/SEMANTICS.md` for the measured rules.
public enum Convention: String, Sendable, Hashable, CaseIterable, Codable {
    /// PyTorch's `torch.nn.functional` and `torch.nn` layers (the default).
    case pytorch
    /// The ONNX operator specification as ONNX Runtime implements it.
    case onnx
    /// TensorFlow (`tf.nn`) and Keras layers.
    case tensorflow

    /// The name users know the framework by.
    public var displayName: String {
        switch self {
        case .pytorch: "PyTorch"
        case .onnx: "ONNX"
        case .tensorflow: "TensorFlow"
        }
    }
}
