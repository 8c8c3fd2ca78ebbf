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
            RowMajor.advance(&tap, sizes: kernel)
        }
        return result
    }
}

/// Row-major multi-indices: the one odometer every loop over N-D positions uses.
public enum RowMajor {
    /// Advances `index` to the next position of an array of `sizes` (last axis fastest), wrapping to all
    /// zeros after the last position.
    @inlinable
    public static func advance(_ index: inout [Int], sizes: [Int]) {
        var axis = index.count - 1
        while axis >= 0 {
            index[axis] += 1
            if index[axis] < sizes[axis] { return }
            index[axis] = 0
            axis -= 1
        }
    }
}
