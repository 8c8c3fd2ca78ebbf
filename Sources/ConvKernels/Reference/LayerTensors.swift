import ConvArithmetic

/// The channel bookkeeping of a layer applied to concrete tensors: checks that `x`, the weight and the
/// bias fit the layer's resolved shape and groups, and derives N, C_in, C_out.
struct LayerTensors {
    let batch: Int
    let inputChannels: Int
    let outputChannels: Int
    let groups: Int
    let outputShape: [Int]

    init(shape: LayerShape, x: Tensor, weight: Tensor?, bias: Tensor?, groups: Int) throws(KernelError) {
        let rank = shape.rank
        let spatial = "[N, C, " + shape.input.map(String.init).joined(separator: ", ") + "]"
        guard x.rank == rank + 2, Array(x.shape[2...]) == shape.input else {
            throw .shapeMismatch(tensor: "x", expected: spatial, actual: x.shape)
        }
        guard groups >= 1 else { throw .arithmetic(.nonPositive(parameter: "groups", axis: nil, value: groups)) }
        batch = x.shape[0]
        inputChannels = x.shape[1]
        self.groups = groups
        let kernel = shape.axes.map(\.kernel)
        switch shape.operation {
        case .pooling:
            outputChannels = inputChannels
        case .convolution, .transposedConvolution:
            guard let weight else { throw .shapeMismatch(tensor: "w", expected: "a weight tensor", actual: []) }
            guard inputChannels % groups == 0 else {
                throw .arithmetic(.channelsNotDivisibleByGroups(role: "input channels", channels: inputChannels, groups: groups))
            }
            if shape.operation == .convolution {
                // [C_out, C_in/groups, k…]
                guard weight.rank == rank + 2, weight.shape[1] == inputChannels / groups, Array(weight.shape[2...]) == kernel,
                      weight.shape[0] % groups == 0 else {
                    throw .shapeMismatch(tensor: "w", expected: "[C_out (a multiple of \(groups)), \(inputChannels / groups), " + kernel.map(String.init).joined(separator: ", ") + "]", actual: weight.shape)
                }
                outputChannels = weight.shape[0]
            } else {
                // [C_in, C_out/groups, k…]
                guard weight.rank == rank + 2, weight.shape[0] == inputChannels, Array(weight.shape[2...]) == kernel else {
                    throw .shapeMismatch(tensor: "w", expected: "[\(inputChannels), C_out/\(groups), " + kernel.map(String.init).joined(separator: ", ") + "]", actual: weight.shape)
                }
                outputChannels = weight.shape[1] * groups
            }
            if let bias, bias.shape != [outputChannels] {
                throw .shapeMismatch(tensor: "b", expected: "[\(outputChannels)]", actual: bias.shape)
            }
        }
        outputShape = [batch, outputChannels] + shape.output
        _ = try MemoryLimit.current.check(outputShape)
    }
}
