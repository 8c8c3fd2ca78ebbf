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
        var geometry = windowGeometry(g)
        withUnsafePointer(to: &geometry) { pointer in
            withUnsafeTemporaryAllocation(of: Int64.self, capacity: max(Int(convarith_pool_plane_scratch(pointer)), 1)) { scratch in
                guard let scratchBase = scratch.baseAddress else { return }
                body(pointer, scratchBase)
            }
        }
    }

    /// The geometry as the C window kernels read it (per axis: input, output, kernel, stride, dilation, padding before).
    static func windowGeometry(_ g: Geometry3) -> convarith_window_geometry {
        func axes(_ values: (Int, Int, Int)) -> (Int64, Int64, Int64) { (Int64(values.0), Int64(values.1), Int64(values.2)) }
        return convarith_window_geometry(input: axes(g.input), output: axes(g.output), kernel: axes(g.kernel), stride: axes(g.stride),
                                         dilation: axes(g.dilation), padding: axes(g.padding))
    }

    /// Max or average pooling on the grid (``PoolingPath/grid``), `mode` one of `CONVARITH_GRID_*`: the grid's
    /// buffers allocated once for the planes.
    static func gridPooling(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, planes: Int, geometry g: Geometry3,
                            divisors: PoolingDivisors?, mode: Int32, empty: Float, kernels: RowKernels) {
        withDivisors(divisors) { dz, dy, dx in
            withGrid(g) { geometry, scratch, rowsPerBand in
                for plane in 0..<planes {
                    kernels.gridPlane(x + plane * g.inputCount, y + plane * g.outputCount, geometry, dz, dy, dx, nil, mode, empty, scratch,
                                      rowsPerBand)
                }
            }
        }
    }

    /// Calls `body` with the divisors' base addresses (nil for max pooling, which reads none).
    private static func withDivisors(_ divisors: PoolingDivisors?,
                                     _ body: (UnsafePointer<Float>?, UnsafePointer<Float>?, UnsafePointer<Float>?) -> Void) {
        guard let divisors else { return body(nil, nil, nil) }
        divisors.z.withUnsafeBufferPointer { dz in
            divisors.y.withUnsafeBufferPointer { dy in
                divisors.x.withUnsafeBufferPointer { dx in body(dz.baseAddress, dy.baseAddress, dx.baseAddress) }
            }
        }
    }

    /// A depthwise convolution on the grid (``ConvolutionPlan/Path/depthwiseGrid``): plane `p` of `x` with
    /// the weights of channel `p mod channels`, no bias.
    static func gridDepthwise(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>,
                              planes: Range<Int>, channels: Int, geometry g: Geometry3, kernels: RowKernels) {
        withGrid(g) { geometry, scratch, rowsPerBand in
            for plane in planes {
                kernels.gridPlane(x + plane * g.inputCount, y + plane * g.outputCount, geometry, nil, nil, nil,
                                  weight + plane % channels * g.taps, Int32(CONVARITH_GRID_WEIGHTED), 0, scratch, rowsPerBand)
            }
        }
    }

    /// Blocks of a depthwise convolution's channels (block `b`: sample `b / blocksPerSample`, channels from
    /// `(b mod blocksPerSample)·lanes`), a block of `lanes` channels a call of the channel-blocked kernel; a
    /// sample's last channels, fewer than a block, on the grid a plane at a time.
    static func channelBlockedDepthwise(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>,
                                        blocks: Range<Int>, channels: Int, geometry g: Geometry3, kernels: RowKernels) {
        let lanes = Int(kernels.windowChannels.lanes), blocksPerSample = (channels + lanes - 1) / lanes
        withChannelBlocks(g) { geometry, scratch in
            for block in blocks {
                let sample = block / blocksPerSample, firstChannel = block % blocksPerSample * lanes
                let plane = sample * channels + firstChannel
                if firstChannel + lanes <= channels {
                    kernels.windowChannels.plane(x + plane * g.inputCount, y + plane * g.outputCount, geometry,
                                                    weight + firstChannel * g.taps, scratch)
                } else {
                    gridDepthwise(x: x, weight: weight, y: y, planes: plane..<(sample + 1) * channels, channels: channels, geometry: g,
                                  kernels: kernels)
                }
            }
        }
    }

    /// Max or average pooling of `planes` planes, a multiple of the block, a block a call of the channel-blocked
    /// kernel (``PoolingPath/channels``); the divisors as for the grid (nil for max pooling).
    static func channelBlockedPooling(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, planes: Int,
                                      geometry g: Geometry3, divisors: PoolingDivisors?, average: Bool, empty: Float,
                                      kernels: RowKernels) {
        let lanes = Int(kernels.windowChannels.lanes)
        guard planes >= lanes else { return }
        let mode = Int32(average ? CONVARITH_GRID_AVERAGE : CONVARITH_GRID_MAX)
        withDivisors(divisors) { dz, dy, dx in
            withChannelBlocks(g) { geometry, scratch in
                for first in stride(from: 0, to: planes / lanes * lanes, by: lanes) {
                    kernels.windowChannels.pool(x + first * g.inputCount, y + first * g.outputCount, geometry,
                                                dz, dy, dx, mode, empty, scratch)
                }
            }
        }
    }

    /// Max or average pooling read straight from the input (``PoolingPath/direct``, ``PoolingPath/separableDirect``),
    /// `mode` one of `CONVARITH_GRID_MAX`, `CONVARITH_GRID_AVERAGE` and `CONVARITH_GRID_SEPARABLE_MAX`: the
    /// scratch allocated once for the planes.
    static func directPooling(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, planes: Int,
                              geometry g: Geometry3, divisors: PoolingDivisors?, mode: Int32, empty: Float,
                              kernels: RowKernels) {
        var geometry = windowGeometry(g)
        let separable = mode == Int32(CONVARITH_GRID_SEPARABLE_MAX)
        let rowsPerBand = separable ? convarith_direct_plane_band_rows(&geometry, FastKernels.gridLimit)
            : Int64(g.output.1)
        let floats = Int(convarith_direct_plane_scratch(&geometry, rowsPerBand, separable ? 1 : 0))
        guard floats > 0, rowsPerBand > 0 else { return }
        withDivisors(divisors) { dz, dy, dx in
            withUnsafePointer(to: &geometry) { pointer in
                withWordScratch(floats: floats) { scratch in
                    for plane in 0..<planes {
                        // The masks and taps the first plane finds serve the others.
                        kernels.directPlane(x + plane * g.inputCount, y + plane * g.outputCount, pointer, dz, dy, dx,
                                            mode, empty, scratch, rowsPerBand, plane > 0 ? 1 : 0)
                    }
                }
            }
        }
    }

    /// Calls `body` with the geometry as the C kernels read it, the scratch of its grid and the output rows of
    /// a band (nothing when the grid does not serve it: the planners ask ``FastKernels/gridServes(_:)`` first).
    private static func withGrid(_ g: Geometry3,
                                 _ body: (UnsafePointer<convarith_window_geometry>, UnsafeMutablePointer<Float>, Int64) -> Void) {
        var geometry = windowGeometry(g)
        let floats = Int(convarith_grid_scratch(&geometry, FastKernels.gridLimit))
        let rowsPerBand = convarith_grid_band_rows(&geometry, FastKernels.gridLimit)
        guard floats > 0, rowsPerBand > 0 else { return }
        withUnsafePointer(to: &geometry) { pointer in
            withWordScratch(floats: floats) { body(pointer, $0, rowsPerBand) }
        }
    }

    /// Calls `body` with the geometry as the C kernels read it and the scratch of the channel-blocked window
    /// kernels (nothing when their grid does not serve it: the planners ask first).
    private static func withChannelBlocks(
        _ g: Geometry3, _ body: (UnsafePointer<convarith_window_geometry>, UnsafeMutablePointer<Float>) -> Void
    ) {
        var geometry = windowGeometry(g)
        let floats = Int(convarith_window_channels_scratch(&geometry, FastKernels.gridLimit * 16))
        guard floats > 0 else { return }
        withUnsafePointer(to: &geometry) { pointer in
            withWordScratch(floats: floats) { body(pointer, $0) }
        }
    }

    /// Calls `body` with `floats` floats of scratch in 8-byte words, so that the taps' offsets the kernels keep at
    /// its end are aligned.
    private static func withWordScratch(floats: Int, _ body: (UnsafeMutablePointer<Float>) -> Void) {
        withUnsafeTemporaryAllocation(of: Int64.self, capacity: (floats + 1) / 2) { scratch in
            guard let base = scratch.baseAddress else { return }
            body(UnsafeMutableRawPointer(base).bindMemory(to: Float.self, capacity: floats))
        }
    }

    /// Max or average pooling over a rank-≤3 geometry with the convention's rules (the divisors: see
    /// ``PoolingDivisors``; nil for max pooling, which reads none): an all-padding max window gives `empty`.
    static func pooling(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, planes: Int, geometry g: Geometry3,
                        divisors: PoolingDivisors?, average: Bool, empty: Float, kernels: RowKernels) {
        withWindowGeometry(g) { geometry, scratch in
            withDivisors(divisors) { dz, dy, dx in
                for plane in 0..<planes {
                    kernels.poolPlane(x + plane * g.inputCount, y + plane * g.outputCount, geometry, dz, dy, dx, average ? 1 : 0, empty, scratch)
                }
            }
        }
    }

    /// Max pooling as two passes of the window kernels (``PoolingPath/separableMax``), a plane at a time:
    /// each row's maxima along its windows into a buffer of one plane (`d·h × o_w`, in L1 or L2), then those
    /// rows' maxima down the columns and across the depth.
    static func separableMaxPooling(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, planes: Int, geometry g: Geometry3,
                                    empty: Float, kernels: RowKernels) {
        let rows = g.alongRows, columns = g.acrossRows
        withUnsafeTemporaryAllocation(of: Float.self, capacity: rows.outputCount) { buffer in
            guard let between = buffer.baseAddress else { return }
            withWindowGeometry(rows) { rowGeometry, rowScratch in
                withWindowGeometry(columns) { columnGeometry, columnScratch in
                    for plane in 0..<planes {
                        kernels.poolPlane(x + plane * g.inputCount, between, rowGeometry, nil, nil, nil, 0, empty, rowScratch)
                        kernels.poolPlane(between, y + plane * g.outputCount, columnGeometry, nil, nil, nil, 0, empty, columnScratch)
                    }
                }
            }
        }
    }
}

/// The divisor of each average-pooling window, per axis and output index (a window's is the product of its
/// axes'): the taps that lie on the input, or in the padded input when the convention counts the padding.
/// Tap counts as floats are exact, and so are their products below 2²⁴ taps a window (beyond, rounded to a
/// float, a relative 6·10⁻⁸).
struct PoolingDivisors {
    let z: [Float], y: [Float], x: [Float]

    /// The divisors of `g`'s windows; `paddingAfter` is each axis's end padding (the padded input is
    /// `[−p_lo, i + p_hi)`).
    init(_ g: Geometry3, paddingAfter: (Int, Int, Int), countsPadding: Bool) {
        func axis(_ input: Int, _ output: Int, _ kernel: Int, _ stride: Int, _ dilation: Int, _ before: Int, _ after: Int) -> [Float] {
            (0..<output).map { o in
                var taps = 0
                for t in 0..<kernel {
                    let q = o * stride - before + t * dilation
                    if countsPadding ? (q >= -before && q < input + after) : (q >= 0 && q < input) { taps += 1 }
                }
                return Float(taps)
            }
        }
        z = axis(g.input.0, g.output.0, g.kernel.0, g.stride.0, g.dilation.0, g.padding.0, paddingAfter.0)
        y = axis(g.input.1, g.output.1, g.kernel.1, g.stride.1, g.dilation.1, g.padding.1, paddingAfter.1)
        x = axis(g.input.2, g.output.2, g.kernel.2, g.stride.2, g.dilation.2, g.padding.2, paddingAfter.2)
    }
}
