/// The three sliding-window layers whose arithmetic the paper describes.
public enum Operation: String, Sendable, Hashable, CaseIterable {
    /// A direct convolution (`convNd`, `Conv`, `ConvND`).
    case convolution = "conv"
    /// Max or average pooling.
    case pooling = "pool"
    /// A transposed convolution (fractionally strided convolution, "deconvolution").
    case transposedConvolution = "transposed"

    /// A short name for messages and tables ("conv2d", "pool1d", "transposed3d").
    public func name(rank: Int) -> String { "\(rawValue)\(rank)d" }

    /// The layer in words: "convolution", "pooling layer", "transposed convolution".
    public var noun: String {
        switch self {
        case .convolution: "convolution"
        case .pooling: "pooling layer"
        case .transposedConvolution: "transposed convolution"
        }
    }
}

/// How a pooling window combines its inputs. Sizes do not depend on it; the refusals do
/// (PyTorch's 3-D average pooling needs the input to be at least the kernel).
public enum PoolingMode: String, Sendable, Hashable, CaseIterable {
    /// The largest value in the window.
    case max
    /// The mean of the window.
    case average = "avg"
}
