import ConvArithmetic

/// Why a numerical operation cannot run: tensors that do not fit the layer, files that are not valid
/// `.npy`, or sizes beyond the memory limit. Sizes and validity themselves are decided by
/// `ConvArithmetic` and arrive here as ``arithmetic(_:)``.
public enum KernelError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The arithmetic core refused the parameters.
    case arithmetic(ArithmeticError)
    /// A tensor's shape does not fit the layer.
    case shapeMismatch(tensor: String, expected: String, actual: [Int])
    /// A tensor's data count does not match its shape.
    case dataCount(shape: [Int], count: Int)
    /// The operation would need more memory than allowed.
    case memoryLimit(elements: Int, bytes: Int, limit: Int)
    /// The operation would take more multiply-adds than allowed (`nil`: more than `Int` counts).
    case workLimit(operations: Int?, limit: Int)
    /// A `.npy` file could not be read or written.
    case npy(String)
    /// A requested implementation does not exist for this operation.
    case unsupported(String)

    public var description: String {
        switch self {
        case .arithmetic(let error):
            return error.description
        case let .shapeMismatch(tensor, expected, actual):
            return "\(tensor) has shape \(actual) but the layer needs \(expected)"
        case let .dataCount(shape, count):
            if let negative = shape.first(where: { $0 < 0 }) {
                return "a tensor's sizes must be 0 or more, got \(negative) in the shape \(shape)"
            }
            guard let needed = MemoryLimit.elementCount(shape) else {
                return "a tensor of shape \(shape) would hold more than \(Int.max) values; its data has \(count)"
            }
            return "a tensor of shape \(shape) needs \(needed) values, got \(count)"
        case let .memoryLimit(elements, bytes, limit):
            return "the operation needs \(elements) values (\(bytes / 1_048_576) MiB), above the limit of \(limit / 1_048_576) MiB; "
                + "use smaller tensors or raise the limit (CONVARITH_MEMORY_LIMIT_MB, up to half of the memory the process may use)"
        case let .workLimit(operations, limit):
            let count = operations.map { "\($0)" } ?? "more than \(Int.max)"
            return "the operation needs \(count) multiply-adds (window taps, for pooling), above the limit of \(limit) "
                + "(a few seconds of the reference loops); use smaller tensors, a smaller kernel or less padding, "
                + "or raise the limit (CONVARITH_WORK_LIMIT)"
        case .npy(let message):
            return "npy: \(message)"
        case .unsupported(let message):
            return message
        }
    }
}
