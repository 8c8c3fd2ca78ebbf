import CConvKernels

/// Max pooling's rules that the window kernels do not follow themselves: NaN propagated
/// (``PoolingRules/MaxNaN/propagates``) and +0 above −0 (``PoolingRules/MaxOfZeros/positive``).
///
/// The kernels keep a tap when `v > max`: they pass NaN over, as ONNX Runtime does, and keep the first of
/// equal zeros. For the other rules the driver then scans for the floats that decide (one streaming read
/// when there is none) and corrects the outputs whose windows hold them: the same floats as the reference's
/// compare, at the cost of the scan rather than a second compare on every tap.
enum MaxWindowRules {
    /// Sets to NaN the outputs of `planes` planes at `y` whose windows hold a NaN of the planes at `x`.
    static func markNaN(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, planes: Int, geometry g: Geometry3,
                        scans: convarith_float_scans) {
        let count = planes * g.inputCount
        var from = 0
        while from < count {
            let found = Int(scans.first_nan(x + from, Int64(count - from)))
            guard found >= 0 else { return }
            let index = from + found
            let plane = index / g.inputCount, q = index % g.inputCount
            let q2 = q % g.input.2, q1 = q / g.input.2 % g.input.1, q0 = q / (g.input.2 * g.input.1)
            let outputs = y + plane * g.outputCount
            // Every tap of every window over the NaN: taps × (one index each), no allocation.
            for j0 in 0..<g.kernel.0 {
                guard let o0 = window(holding: q0, tap: j0, stride: g.stride.0, dilation: g.dilation.0,
                                      padding: g.padding.0, outputs: g.output.0) else { continue }
                for j1 in 0..<g.kernel.1 {
                    guard let o1 = window(holding: q1, tap: j1, stride: g.stride.1, dilation: g.dilation.1,
                                          padding: g.padding.1, outputs: g.output.1) else { continue }
                    for j2 in 0..<g.kernel.2 {
                        guard let o2 = window(holding: q2, tap: j2, stride: g.stride.2, dilation: g.dilation.2,
                                              padding: g.padding.2, outputs: g.output.2) else { continue }
                        outputs[(o0 * g.output.1 + o1) * g.output.2 + o2] = .nan
                    }
                }
            }
            from = index + 1
        }
    }

    /// Sets to +0 the −0 outputs of `planes` planes at `y` whose windows hold a +0 of the planes at `x`.
    static func raiseNegativeZeros(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, planes: Int,
                                   geometry g: Geometry3, scans: convarith_float_scans) {
        let count = planes * g.outputCount
        var from = 0
        while from < count {
            let found = Int(scans.first_bits(y + from, Int64(count - from), (-0.0 as Float).bitPattern))
            guard found >= 0 else { return }
            let index = from + found
            let plane = index / g.outputCount, o = index % g.outputCount
            let o2 = o % g.output.2, o1 = o / g.output.2 % g.output.1, o0 = o / (g.output.2 * g.output.1)
            let inputs = x + plane * g.inputCount
            search: for j0 in 0..<g.kernel.0 {
                let z = o0 * g.stride.0 - g.padding.0 + j0 * g.dilation.0
                guard (0..<g.input.0).contains(z) else { continue }
                for j1 in 0..<g.kernel.1 {
                    let row = o1 * g.stride.1 - g.padding.1 + j1 * g.dilation.1
                    guard (0..<g.input.1).contains(row) else { continue }
                    for j2 in 0..<g.kernel.2 {
                        let column = o2 * g.stride.2 - g.padding.2 + j2 * g.dilation.2
                        guard (0..<g.input.2).contains(column) else { continue }
                        if inputs[(z * g.input.1 + row) * g.input.2 + column].bitPattern == 0 {
                            y[index] = 0
                            break search
                        }
                    }
                }
            }
            from = index + 1
        }
    }

    /// The output along one axis whose window has input `q` at tap `j`: `o` with `o·s + j·d − p = q`, if
    /// there is one.
    @inline(__always)
    static func window(holding q: Int, tap: Int, stride: Int, dilation: Int, padding: Int, outputs: Int) -> Int? {
        let start = q + padding - tap * dilation
        guard start >= 0, start % stride == 0, start / stride < outputs else { return nil }
        return start / stride
    }
}
