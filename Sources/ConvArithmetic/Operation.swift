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

/// A set of layer kinds, stored as bits so a ``Convention`` stays a plain value without references.
public struct OperationSet: OptionSet, Sendable, Hashable {
    /// One bit per layer kind.
    public let rawValue: UInt8

    /// A set from its bits.
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Direct convolutions.
    public static let convolution = OperationSet(rawValue: 1 << 0)
    /// Pooling.
    public static let pooling = OperationSet(rawValue: 1 << 1)
    /// Transposed convolutions.
    public static let transposedConvolution = OperationSet(rawValue: 1 << 2)
    /// Every layer kind.
    public static let all: OperationSet = [.convolution, .pooling, .transposedConvolution]

    /// Whether `operation` is in the set.
    public func contains(_ operation: Operation) -> Bool {
        switch operation {
        case .convolution: contains(OperationSet.convolution)
        case .pooling: contains(OperationSet.pooling)
        case .transposedConvolution: contains(OperationSet.transposedConvolution)
        }
    }
}
