import CConvKernels

/// NaN in max pooling for the conventions that propagate it (``PoolingRules/MaxNaN/propagates``).
///
/// The window kernels compare `v > max` and so pass NaN over, as ONNX Runtime does. For PyTorch's rule
/// the driver then scans the input for NaN (one streaming read when there is none) and sets every output
/// whose window holds one to NaN: the same floats as the reference's `v > max || isnan(v)`, at the cost of
/// the scan rather than a second compare on every tap.
enum NaNWindows {
    /// Sets to NaN the outputs of `planes` planes at `y` whose windows hold a NaN of the planes at `x`.
    static func mark(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, planes: Int, geometry g: Geometry3,
                     scan: convarith_first_nan_fn) {
        let count = planes * g.inputCount
        var from = 0
        while from < count {
            let found = Int(scan(x + from, Int64(count - from)))
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

    /// The output along one axis whose window has input `q` at tap `j`: `o` with `o·s + j·d − p = q`, if
    /// there is one.
    @inline(__always)
    static func window(holding q: Int, tap: Int, stride: Int, dilation: Int, padding: Int, outputs: Int) -> Int? {
        let start = q + padding - tap * dilation
        guard start >= 0, start % stride == 0, start / stride < outputs else { return nil }
        return start / stride
    }
}
