import ConvArithmetic

/// The gradients of a convolution `y = conv(x, w)`: with respect to its input (backward-data, which is
/// the transposed convolution — the paper's third face of it) and with respect to its weight.
/// Both walk the forward convolution's windows, accumulating instead of summing.
public enum Gradients {
    /// `∂L/∂x` given `∂L/∂y`: every output gradient flows back to the inputs its window read,
    /// `dx[n, c, q(out, tap)] += w[o_c, c, tap] · dy[n, o_c, out]`.
    /// - Parameters:
    ///   - outputGradient: `[N, C_out, o…]`.
    ///   - weight: `[C_out, C_in/groups, k…]`.
    ///   - shape: the forward convolution's shape.
    public static func input(outputGradient dy: Tensor, weight: Tensor, shape: LayerShape, groups: Int = 1) throws(KernelError) -> Tensor {
        guard shape.operation == .convolution else { throw .unsupported("input gradients are defined here for convolutions") }
        let walk = shape.windowWalk
        let inGroup = weight.shape.count > 1 ? weight.shape[1] : 0
        let outputChannels = weight.shape.first ?? 0
        guard dy.rank == shape.rank + 2, Array(dy.shape[2...]) == shape.output, dy.shape[1] == outputChannels,
              groups >= 1, outputChannels % groups == 0 else {
            throw .shapeMismatch(tensor: "dy", expected: "[N, \(outputChannels), " + shape.output.map(String.init).joined(separator: ", ") + "]", actual: dy.shape)
        }
        let batch = dy.shape[0], inputChannels = inGroup * groups
        var dx = try Tensor(zeros: [batch, inputChannels] + shape.input)
        ConvolutionProducts(walk: walk, batch: batch, inputChannels: inputChannels, outputChannels: outputChannels,
                            groups: groups).forEach { xi, wi, yi in
            dx.data[xi] += weight.data[wi] * dy.data[yi]
        }
        return dx
    }

    /// `∂L/∂w` given `∂L/∂y` and the forward input `x`:
    /// `dw[o_c, c, tap] = Σ_n Σ_out dy[n, o_c, out] · x[n, c, q(out, tap)]`.
    public static func weight(outputGradient dy: Tensor, x: Tensor, shape: LayerShape, outputChannels: Int,
                              groups: Int = 1) throws(KernelError) -> Tensor {
        guard shape.operation == .convolution else { throw .unsupported("weight gradients are defined here for convolutions") }
        guard x.rank == shape.rank + 2, Array(x.shape[2...]) == shape.input, groups >= 1,
              x.shape[1] % groups == 0, outputChannels % groups == 0 else {
            throw .shapeMismatch(tensor: "x", expected: "[N, C (a multiple of \(groups)), " + shape.input.map(String.init).joined(separator: ", ") + "]", actual: x.shape)
        }
        let batch = x.shape[0], inputChannels = x.shape[1]
        guard dy.shape == [batch, outputChannels] + shape.output else {
            throw .shapeMismatch(tensor: "dy", expected: "\([batch, outputChannels] + shape.output)", actual: dy.shape)
        }
        var dw = try Tensor(zeros: [outputChannels, inputChannels / groups] + shape.axes.map(\.kernel))
        ConvolutionProducts(walk: shape.windowWalk, batch: batch, inputChannels: inputChannels, outputChannels: outputChannels,
                            groups: groups).forEach { xi, wi, yi in
            dw.data[wi] += x.data[xi] * dy.data[yi]
        }
        return dw
    }
}
