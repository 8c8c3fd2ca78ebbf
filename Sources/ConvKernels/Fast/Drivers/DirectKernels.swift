import CConvKernels
import ConvArithmetic

/// Layers a GEMM serves badly, computed directly by the C window kernels (``RowKernels``): depthwise
/// convolutions (one input and one output channel per group, so a GEMM would have a single row) and pooling.
enum DirectKernels {
    /// A depthwise convolution (`groups` = input channels = output channels) over a rank-≤3 geometry: plane
    /// `p` of `x` with the weights of channel `p mod channels`, one C call a plane (``RowKernels``), no bias.
    static func depthwise(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>,
                          planes: Range<Int>, channels: Int, geometry g: Geometry3, kernels: RowKernels) {
        withWindowGeometry(g) { geometry, scratch in
            for plane in planes {
                kernels.depthwisePlane(x + plane * g.inputCount, y + plane * g.outputCount, geometry, weight + plane % channels * g.taps, scratch)
            }
        }
    }

    /// Calls `body` with the geometry as the C window kernels read it (per axis: input, output, kernel,
    /// stride, dilation, padding before) and the scratch one plane of them needs, reused across the planes.
    private static func withWindowGeometry(_ g: Geometry3,
                                           _ body: (UnsafePointer<convarith_window_geometry>, UnsafeMutablePointer<Int64>) -> Void) {
        func axes(_ values: (Int, Int, Int)) -> (Int64, Int64, Int64) { (Int64(values.0), Int64(values.1), Int64(values.2)) }
        var geometry = convarith_window_geometry(input: axes(g.input), output: axes(g.output), kernel: axes(g.kernel), stride: axes(g.stride),
                                                 dilation: axes(g.dilation), padding: axes(g.padding))
        withUnsafePointer(to: &geometry) { pointer in
            withUnsafeTemporaryAllocation(of: Int64.self, capacity: max(Int(convarith_pool_plane_scratch(pointer)), 1)) { scratch in
                guard let scratchBase = scratch.baseAddress else { return }
                body(pointer, scratchBase)
            }
        }
    }

    /// Max or average pooling over a rank-≤3 geometry with the convention's rules: an all-padding max
    /// window gives `empty`; average divides by the taps inside the padded input (`countsPadding`) or on
    /// the input. `paddingAfter` is each axis's end padding (the padded input is `[−p_lo, i + p_hi)`).
    static func pooling(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, planes: Int, geometry g: Geometry3,
                        paddingAfter: (Int, Int, Int), average: Bool, countsPadding: Bool, empty: Float, kernels: RowKernels) {
        // Per axis and output index: how many taps read the input, and how many lie in the padded input.
        struct Axis {
            var count: [Int] = [], padded: [Int] = []
            init(_ input: Int, _ output: Int, _ kernel: Int, _ stride: Int, _ dilation: Int, _ before: Int, _ after: Int) {
                for o in 0..<output {
                    var inside = 0, inPadded = 0
                    for t in 0..<kernel {
                        let q = o * stride - before + t * dilation
                        if q >= 0 && q < input { inside += 1 }
                        if q >= -before && q < input + after { inPadded += 1 }
                    }
                    count.append(inside)
                    padded.append(inPadded)
                }
            }
        }
        let az = Axis(g.input.0, g.output.0, g.kernel.0, g.stride.0, g.dilation.0, g.padding.0, paddingAfter.0)
        let ay = Axis(g.input.1, g.output.1, g.kernel.1, g.stride.1, g.dilation.1, g.padding.1, paddingAfter.1)
        let ax = Axis(g.input.2, g.output.2, g.kernel.2, g.stride.2, g.dilation.2, g.padding.2, paddingAfter.2)
        // Tap counts as floats: exact, and so are their products, below 2²⁴ taps a window (beyond, rounded to
        // a float, a relative 6·10⁻⁸).
        let divisors = [az, ay, ax].map { axis in (countsPadding ? axis.padded : axis.count).map { Float($0) } }
        // One C call a plane (the divisors' pointers taken once, not at each call).
        let (dz, dy, dx) = (divisors[0], divisors[1], divisors[2])
        withWindowGeometry(g) { geometry, scratch in
            dz.withUnsafeBufferPointer { dzBuffer in
                dy.withUnsafeBufferPointer { dyBuffer in
                    dx.withUnsafeBufferPointer { dxBuffer in
                        guard let zBase = dzBuffer.baseAddress, let yBase = dyBuffer.baseAddress, let xBase = dxBuffer.baseAddress else { return }
                        for plane in 0..<planes {
                            kernels.poolPlane(x + plane * g.inputCount, y + plane * g.outputCount, geometry, zBase, yBase, xBase,
                                              average ? 1 : 0, empty, scratch)
                        }
                    }
                }
            }
        }
    }
}
