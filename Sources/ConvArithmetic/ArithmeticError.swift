/// Why a set of parameters has no output size, in words a user can act on.
///
/// Every case carries the numbers involved, and ``description`` names the axis (counted from 0, spatial
/// axes only), the rule that was broken and what would be valid. The library never traps on bad input:
/// zero or negative values, kernels larger than the padded input, and sizes whose arithmetic would
/// overflow `Int` all end here.
public enum ArithmeticError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A per-axis parameter has a different number of axes than the input.
    case rankMismatch(parameter: String, expected: Int, actual: Int)
    /// The input has no spatial axes.
    case noSpatialAxes
    /// A size or parameter that must be at least 1 is not (kernel, stride, dilation, input, channels…).
    case nonPositive(parameter: String, axis: Int?, value: Int)
    /// A parameter that must be at least 0 is negative (padding, output padding, batch).
    case negative(parameter: String, axis: Int?, value: Int)
    /// An intermediate size does not fit in `Int`.
    case overflow(String)
    /// The dilated kernel is larger than the padded input, so not even one window fits.
    case kernelExceedsPaddedInput(axis: Int, effectiveKernel: Int, input: Int, paddingBefore: Int, paddingAfter: Int)
    /// The output size computed by the framework's formula is zero or negative.
    case nonPositiveOutput(axis: Int, output: Int, formula: String)
    /// A SAME padding that keeps the size (PyTorch's `padding="same"`) with a stride other than 1.
    case sameRequiresUnitStride(axis: Int, stride: Int, convention: Convention)
    /// A convention that only takes the same padding on both sides of an axis of this layer got different ones.
    case asymmetricPadding(axis: Int, before: Int, after: Int, operation: Operation, convention: Convention)
    /// A named padding the convention does not have for this layer.
    case paddingModeUnsupported(mode: PaddingMode, operation: Operation, rank: Int, convention: Convention)
    /// More spatial axes than the convention's layers take.
    case rankUnsupported(rank: Int, operation: Operation, convention: Convention)
    /// Channel groups at a rank where the convention has none.
    case groupsUnsupported(rank: Int, groups: Int, convention: Convention)
    /// A negative padding that crops more than the whole input.
    case cropExceedsInput(axis: Int, input: Int, paddingBefore: Int, paddingAfter: Int)
    /// Pooling padding above the convention's limit (PyTorch: at most half the kernel; ONNX: less than the kernel).
    case poolingPaddingTooLarge(axis: Int, padding: Int, kernel: Int, limit: Int, convention: Convention)
    /// 3-D average pooling that needs every unpadded input size to be at least the kernel (PyTorch).
    case inputSmallerThanKernel(axis: Int, input: Int, kernel: Int, convention: Convention)
    /// Output padding at or above the convention's limit (`max(stride, dilation)` or `stride`).
    case outputPaddingTooLarge(axis: Int, outputPadding: Int, stride: Int, dilation: Int, convention: Convention)
    /// A requested transposed output size outside the sizes the parameters can produce.
    case outputSizeOutOfRange(axis: Int, requested: Int, minimum: Int, maximum: Int)
    /// A transposed output size that the forward convolution does not map back to the input size.
    case transposedOutputInconsistent(axis: Int, output: Int, input: Int, forwardOutput: Int, convention: Convention)
    /// A stride above 1 together with a dilation above 1, which the convention refuses (Keras).
    case strideWithDilation(stride: [Int], dilation: [Int], convention: Convention)
    /// Channels that do not divide by the number of groups.
    case channelsNotDivisibleByGroups(role: String, channels: Int, groups: Int)
    /// A feature the chosen convention does not have.
    case unsupported(String)

    public var description: String {
        switch self {
        case let .rankMismatch(parameter, expected, actual):
            return "\(parameter) has \(actual) axes but the input has \(expected) spatial axes; give one value per axis or a single number for all"
        case .noSpatialAxes:
            return "the input needs at least one spatial axis (for example input [32] or [224, 224])"
        case let .nonPositive(parameter, axis, value):
            return "\(Self.prefix(axis))\(parameter) must be at least 1, got \(value)"
        case let .negative(parameter, axis, value):
            return "\(Self.prefix(axis))\(parameter) must be 0 or more, got \(value)"
        case let .overflow(what):
            return "the sizes are too large to compute exactly: \(what) does not fit in a 64-bit integer"
        case let .kernelExceedsPaddedInput(axis, kernel, input, before, after):
            let padded = input.addingReportingOverflow(before).partialValue.addingReportingOverflow(after).partialValue
            return "axis \(axis): the dilated kernel (\(kernel)) is larger than the padded input (\(padded) = input \(input) + padding \(before) + \(after)); use a smaller kernel or dilation, or pad by at least \(kernel - input) in total"
        case let .nonPositiveOutput(axis, output, formula):
            return "axis \(axis): the output size would be \(output) (\(formula)); the layer needs a larger input, more padding, or a smaller kernel, stride or dilation"
        case let .sameRequiresUnitStride(axis, stride, convention):
            let others = Convention.names { $0.padding.same == .ceilOfInputOverStride && $0.padding.sameOperations.contains(.convolution) }
            return "axis \(axis): \(convention.displayName)'s padding='same' is not supported for strided convolutions (stride \(stride)); use stride 1, explicit padding, or convention \(others) where SAME gives ⌈i/s⌉"
        case let .asymmetricPadding(axis, before, after, operation, convention):
            let others = Convention.names { $0.padding.asymmetricOperations.contains(operation) }
            return "axis \(axis): \(convention.displayName) takes the same padding on both sides of an axis of a \(operation.noun), got \(before) before and \(after) after; pad the input first (F.pad, mx.pad) or use convention \(others)"
        case let .paddingModeUnsupported(mode, operation, rank, convention):
            let others = Convention.names { $0.accepts(mode, for: operation, rank: rank) }
            let alternative = others.isEmpty ? "explicit padding" : "explicit padding, or convention \(others)"
            return "\(convention.displayName) has no padding '\(mode.rawValue)' for a \(operation.name(rank: rank)); use \(alternative)"
        case let .rankUnsupported(rank, operation, convention):
            let others = Convention.names { ($0.maximumRank ?? Int.max) >= rank }
            return "\(convention.displayName) has no \(operation.name(rank: rank)): its layers take 1 to \(convention.maximumRank ?? rank) spatial axes, got \(rank); give only the spatial sizes (batch and channels separately), or use convention \(others)"
        case let .groupsUnsupported(rank, groups, convention):
            return "\(convention.displayName) supports groups above 1 only up to \(convention.channels.maximumGroupedRank ?? rank) spatial axes, got groups \(groups) at \(rank); use groups 1 or convention \(Convention.names { $0.channels.maximumGroupedRank == nil })"
        case let .cropExceedsInput(axis, input, before, after):
            return "axis \(axis): the negative padding (\(before), \(after)) crops more than the whole input (\(input)); crop at most \(input) units in total"
        case let .poolingPaddingTooLarge(axis, padding, kernel, limit, convention):
            switch convention.pooling.paddingLimit {
            case .belowKernel:
                return "axis \(axis): \(convention.displayName) requires pooling padding smaller than the kernel (\(kernel)), got \(padding); use padding ≤ \(limit)"
            default:
                return "axis \(axis): \(convention.displayName) pooling padding should be at most half of the kernel size (\(kernel)/2 = \(limit)), got \(padding)"
            }
        case let .inputSmallerThanKernel(axis, input, kernel, convention):
            return "axis \(axis): \(convention.displayName)'s 3-D average pooling needs the unpadded input (\(input)) to be at least the kernel (\(kernel))"
        case let .outputPaddingTooLarge(axis, outputPadding, stride, dilation, convention):
            switch convention.transposed.outputPaddingLimit {
            case .belowStride:
                return "axis \(axis): output padding must be smaller than the stride (\(stride)), got \(outputPadding); valid values are 0…\(stride - 1)"
            default:
                let limit = max(stride, dilation)
                return "axis \(axis): output padding must be smaller than either stride (\(stride)) or dilation (\(dilation)), got \(outputPadding); valid values are 0…\(limit - 1)"
            }
        case let .outputSizeOutOfRange(axis, requested, minimum, Int.max):
            return "axis \(axis): requested an output size of \(requested), but without output padding these parameters already give \(minimum); output padding only adds units (use more padding or a smaller stride)"
        case let .outputSizeOutOfRange(axis, requested, minimum, maximum):
            return "axis \(axis): requested an output size of \(requested), but valid sizes range from \(minimum) to \(maximum) for these parameters"
        case let .transposedOutputInconsistent(axis, output, input, forwardOutput, convention):
            return "axis \(axis): \(convention.displayName) refuses a transposed output of \(output): the forward convolution maps \(output) to \(forwardOutput), not to the input size \(input); choose an output size (or output padding) that maps back"
        case let .strideWithDilation(stride, dilation, convention):
            return "\(convention.displayName) does not support strides > 1 together with dilation > 1 (stride \(stride), dilation \(dilation)); use stride 1 or dilation 1, or convention \(Convention.names { $0.convolution.stridesWithDilation })"
        case let .channelsNotDivisibleByGroups(role, channels, groups):
            return "\(role) (\(channels)) must be divisible by groups (\(groups)); use a channel count that is a multiple of \(groups)"
        case let .unsupported(what):
            return what
        }
    }

    private static func prefix(_ axis: Int?) -> String {
        axis.map { "axis \($0): " } ?? ""
    }
}
