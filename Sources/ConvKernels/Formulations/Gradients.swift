import ConvArithmetic

/// The gradients of a convolution `y = conv(x, w)`: with respect to its input (backward-data, which is
/// the transposed convolution — the paper's third face of it) and with respect to its weight.
/// Both walk the forward convolution's windows, accumulating instead of summing.
public enum Gradients {
    /// `∂L/∂x` given `∂L/∂y`: every output gradient flows back to the inputs its window read,
    /// `dx[n, c, q(out, tap)] += w[o_c, c, tap] · dy[n, o_c, out]`.
    /// - Parameters:
    ///   - dy: the gradient of the output, `[N, C_out, o…]`.
    ///   - weight: `[C_out, C_in/groups, k…]`.
    ///   - shape: the forward convolution's shape.
    ///   - groups: channel groups.
    public static func input(outputGradient dy: Tensor, weight: Tensor, shape: LayerShape, groups: Int = 1) throws(KernelError) -> Tensor {
        guard shape.operation == .convolution else { throw .unsupported("input gradients are defined here for convolutions") }
        guard dy.rank >= 2, weight.rank >= 2 else {
            throw .shapeMismatch(tensor: dy.rank >= 2 ? "w" : "dy", expected: "[N, C_out, o…] and [C_out, C_in/groups, k…]", actual: dy.rank >= 2 ? weight.shape : dy.shape)
        }
        let (inputChannels, overflow) = weight.shape[1].multipliedReportingOverflow(by: groups)
        if overflow { throw .arithmetic(.overflow("the input channels C_in/groups · groups")) }
        let shapes = try LayerTensors.shapes(of: shape, ChannelConfiguration(batch: dy.shape[0], channels: inputChannels,
                                                                            outputChannels: weight.shape[0], groups: groups))
        try LayerTensors.expect("w", weight.shape, shapes.weight ?? [])
        try LayerTensors.expect("dy", dy.shape, shapes.y)
        try WorkLimit.current.check(ChannelConfiguration(batch: dy.shape[0], channels: inputChannels, outputChannels: weight.shape[0],
                                                         groups: groups).multiplyAdds(of: shape))
        let walk = shape.windowWalk
        let batch = shapes.batch, outputChannels = shapes.outputChannels
        var dx = try Tensor(zeros: shapes.x)
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
        guard x.rank >= 2 else {
            throw .shapeMismatch(tensor: "x", expected: "[N, C, " + shape.input.map(String.init).joined(separator: ", ") + "]", actual: x.shape)
        }
        let shapes = try LayerTensors.shapes(of: shape, ChannelConfiguration(batch: x.shape[0], channels: x.shape[1],
                                                                            outputChannels: outputChannels, groups: groups))
        try LayerTensors.expect("x", x.shape, shapes.x)
        try LayerTensors.expect("dy", dy.shape, shapes.y)
        try WorkLimit.current.check(ChannelConfiguration(batch: x.shape[0], channels: x.shape[1], outputChannels: outputChannels,
                                                         groups: groups).multiplyAdds(of: shape))
        let batch = shapes.batch, inputChannels = shapes.inputChannels
        var dw = try Tensor(zeros: shapes.weight ?? [])
        ConvolutionProducts(walk: shape.windowWalk, batch: batch, inputChannels: inputChannels, outputChannels: outputChannels,
                            groups: groups).forEach { xi, wi, yi in
            dw.data[wi] += x.data[xi] * dy.data[yi]
        }
        return dw
    }
}
