/// Which input positions a window reads: the geometry every consumer of the arithmetic shares (the
/// kernels' window walk, the matrix C, the figures' shaded cells), defined once here.
extension AxisArithmetic {
    /// The input position that output `output` reads through kernel tap `tap` on this axis,
    /// `q = o·s + t·d − p_lo`. Positions below 0 or at and above ``input`` are padding.
    @inlinable
    public func inputPosition(output: Int, tap: Int) -> Int {
        output * stride + tap * dilation - padding.before
    }
}

extension LayerShape {
    /// The input positions (one multi-index per kernel tap, taps in row-major order) that the window of
    /// output position `output` covers, padding included (coordinates below 0 or beyond the input).
    ///
    /// For a transposed convolution this is the window of its associated convolution, whose input is the
    /// transposed layer's output: the positions that input unit `output` of the transposed layer is
    /// scattered to.
    public func footprint(ofOutput output: [Int]) -> [[Int]] {
        let axes = operation == .transposedConvolution ? self.axes.map(\.associatedConvolution) : self.axes
        var result: [[Int]] = []
        var tap = [Int](repeating: 0, count: axes.count)
        let kernel = axes.map(\.kernel)
        let count = kernel.reduce(1, *)
        result.reserveCapacity(count)
        for _ in 0..<count {
            result.append(axes.indices.map { axes[$0].inputPosition(output: output[$0], tap: tap[$0]) })
            // Row-major odometer over the taps.
            var axis = tap.count - 1
            while axis >= 0 {
                tap[axis] += 1
                if tap[axis] < kernel[axis] { break }
                tap[axis] = 0
                axis -= 1
            }
        }
        return result
    }
}
