import CConvKernels
import ConvArithmetic

/// How the fast path computes a pooling layer.
public enum PoolingPath: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Each output's whole window at once, a vector of outputs along a row
    /// (``FastKernels/pooling(_:shape:mode:countIncludePad:threads:microKernel:)``).
    case windowRows = "pooling-rows"
    /// A max pooling whose windows overlap along the rows (stride below the kernel), as two passes of the same
    /// window kernels: the maximum along each row, then down the columns (and across the depth) of those
    /// maxima — `k_w·(lines in ÷ lines out) + k_d·k_h` taps an output instead of `k_d·k_h·k_w` (10 instead of
    /// 25 for 5 × 5, stride 1). The result is the direct one bit for bit: a maximum does not depend on the
    /// grouping of its comparisons, and ties (`−0` and `0`) go to the first tap in the reference's order either way.
    case separableMax = "pooling-separable"
    /// The plane copied, a band of output rows at a time that fits in L2, into a grid that holds its padding
    /// and is split into its strides' phases; then every output one stream of loads over it (no masks,
    /// edges, gathers or per-row work), the taps in the reference's order — the same result bit for bit.
    /// Unit-stride layers on every kernel; strided ones on the portable kernels, whose direct loops take one
    /// output at a time.
    case grid = "pooling-grid"
    /// ``grid`` for a unit-stride max pooling with windows of more than one line and column: two streams,
    /// the rows' maxima and then theirs across the lines.
    case separableGrid = "pooling-grid-separable"
    /// Each output line read straight from the input, no copy of the plane in or of its outputs out: a vector
    /// of outputs at a time, its window's taps on the input lines the window covers (those off the input
    /// skipped), masked where the vector reaches into the padding. Unit-stride layers on the AVX-512 kernels
    /// (AVX2's masked loads make it no faster than the grid there). The same floats as the reference, bit for bit.
    case direct = "pooling-direct"
    /// ``direct`` for a unit-stride max pooling whose windows' lines and columns, taken apart, save two fifths of
    /// the taps (5 × 5, 3 × 3 × 3): the maxima along each input line, then theirs across the lines (as
    /// ``separableGrid``).
    case separableDirect = "pooling-direct-separable"
    /// A block of planes at once (16 on AVX-512, 8 on AVX2, 4 portable), channels innermost: the planes copied
    /// into one grid of their padded input with a vector of the block's planes at each place, then each output
    /// a vector of the block's planes, its taps in the reference's order (the same floats). For planes of few
    /// outputs (a global pooling's one), where a plane's own vectors would be mostly empty and its fixed costs
    /// (the grid, the divisions, a call) outweigh its taps; the planes past the last whole block take the path a
    /// plane would take alone.
    case channels = "pooling-channels"

    /// The path's name as `bench` and `run --verbose` print it (`pooling-rows`).
    public var description: String { rawValue }

    /// The C kernel the path runs on `microKernel`'s instruction set, named by data type, operation and
    /// instruction set as in the C target: `f32-window-avx512`, `f32-grid-portable`.
    public func kernel(on microKernel: MicroKernel) -> String {
        switch self {
        case .windowRows, .separableMax: "f32-window-\(microKernel.name)"
        case .grid, .separableGrid: "f32-grid-\(microKernel.name)"
        case .direct, .separableDirect: "f32-plane-\(microKernel.name)"
        case .channels: "f32-pool-channels-\(microKernel.name)"
        }
    }
}

extension FastKernels {
    /// The path ``pooling(_:shape:mode:countIncludePad:threads:microKernel:)`` takes for a layer of `planes`
    /// planes (batch × channels) on `microKernel`'s instruction set: blocks of planes at once for planes of few
    /// outputs; else, at unit strides on AVX-512, the plane read directly where it serves (its max in two passes
    /// where that saves two fifths of the taps); else the grid where it serves (unit strides; any stride on the
    /// portable kernels), its max as two streams where that saves taps; else separable passes of the row kernels
    /// for a max pooling whose taps that saves by at least a quarter; else whole windows.
    public static func poolingPath(shape: LayerShape, mode: PoolingMode, planes: Int,
                                   microKernel: MicroKernel = .current) -> PoolingPath {
        guard let geometry = Geometry3(shape.axes) else { return .windowRows }
        return poolingPath(geometry, mode: mode, planes: planes, kernels: RowKernels.matching(microKernel))
    }

    /// The floats a band's grid may hold (its three buffers stay in a 1 MB L2).
    static let gridLimit: Int64 = 1 << 15

    /// Whether the grid serves a geometry: a band of one output row fits in ``gridLimit``.
    static func gridServes(_ g: Geometry3) -> Bool {
        var geometry = DirectKernels.windowGeometry(g)
        return convarith_grid_scratch(&geometry, gridLimit) > 0
    }

    /// Whether the direct plane serves a geometry: stride 1 along the width, and (`separable`) a band of one
    /// output row's row maxima within ``gridLimit``.
    static func directServes(_ g: Geometry3, separable: Bool) -> Bool {
        var geometry = DirectKernels.windowGeometry(g)
        let rows = separable ? convarith_direct_plane_band_rows(&geometry, gridLimit) : Int64(g.output.1)
        return rows > 0 && convarith_direct_plane_scratch(&geometry, rows, separable ? 1 : 0) > 0
    }

    static func poolingPath(_ g: Geometry3, mode: PoolingMode, planes: Int, kernels: RowKernels) -> PoolingPath {
        blocksWindowChannels(g, planes: planes, kernels: kernels)
            ? .channels : planePath(g, mode: mode, kernels: kernels)
    }

    /// The path of one plane alone: a layer's, unless it runs blocks of planes; else its planes past the last block.
    static func planePath(_ g: Geometry3, mode: PoolingMode, kernels: RowKernels) -> PoolingPath {
        // A pooling's kernel is bounded by no tensor (an empty batch passes every size check): products as doubles.
        let (kD, kH, kW) = (Double(g.kernel.0), Double(g.kernel.1), Double(g.kernel.2))
        let taps = kD * kH * kW, unitStrides = g.stride == (1, 1, 1)
        let separates = unitStrides && mode == .max && kW > 1 && kD * kH > 1 && kW + kD * kH < taps
        // The direct plane's whole windows cost less a tap than its two passes (their buffer, a band's setup):
        // it separates only where that saves two fifths of the taps (5 × 5, 3 × 3 × 3; not 3 × 3).
        let directSeparates = separates && kW + kD * kH <= 0.6 * taps
        if taps > 1 && unitStrides && kernels.name == "avx512" && directServes(g, separable: directSeparates) {
            return directSeparates ? .separableDirect : .direct
        }
        if taps > 1 && (unitStrides || kernels.name == "portable") && gridServes(g) {
            return separates ? .separableGrid : .grid
        }
        return mode == .max && separatesRows(g) ? .separableMax : .windowRows
    }

    /// Whether the separable passes take fewer taps an output, by at least a quarter, than whole windows, and
    /// their buffer of a plane's row maxima (`d·h × o_w` floats) is at most four planes of the output (or a
    /// million floats).
    static func separatesRows(_ g: Geometry3) -> Bool {
        let (kD, kH, kW) = (Double(g.kernel.0), Double(g.kernel.1), Double(g.kernel.2))
        guard kW > 1, kD * kH > 1 else { return false }
        let linesIn = Double(g.input.0) * Double(g.input.1), linesOut = Double(g.output.0) * Double(g.output.1)
        let buffer = linesIn * Double(g.output.2), outputs = linesOut * Double(g.output.2)
        return kW * linesIn / linesOut + kD * kH <= 0.75 * kD * kH * kW && buffer <= max(4 * outputs, Double(1 << 20))
    }

    /// Max or average pooling with the convention's rules, the same as
    /// ``ReferenceKernels/pooling(_:shape:mode:countIncludePad:)``, the planes split over the threads
    /// (the path: ``poolingPath(shape:mode:planes:microKernel:)``).
    public static func pooling(_ x: Tensor, shape: LayerShape, mode: PoolingMode, countIncludePad: Bool? = nil,
                               threads: Int = FastThreads.default, microKernel: MicroKernel = .current) throws(KernelError) -> Tensor {
        guard shape.operation == .pooling else { throw .unsupported("pooling needs a pooling shape, got \(shape.name)") }
        let layout = try LayerTensors(shape: shape, x: x, weight: nil, bias: nil, groups: 1, workScale: Self.workScale)
        guard let geometry = Geometry3(shape.axes) else {
            return try ReferenceKernels.pooling(x, shape: shape, mode: mode, countIncludePad: countIncludePad)
        }
        let after = [Int](repeating: 0, count: 3 - shape.rank) + shape.axes.map(\.padding.after)
        let planes = layout.batch * layout.inputChannels
        // No planes (an empty batch or no channels): nothing to compute, and no size was bounded by a tensor.
        guard planes > 0 else { return Tensor(uncheckedShape: layout.outputShape, data: []) }
        // Every output is written by the pooling kernel: no zero-fill pass.
        var y = uninitialized(layout.outputShape.reduce(1, *))
        let rows = RowKernels.matching(microKernel)
        // The divisors are computed once for the call, not once a part; max pooling reads none.
        let divisors = mode == .average
            ? PoolingDivisors(geometry, paddingAfter: (after[0], after[1], after[2]),
                              countsPadding: shape.convention.pooling.countsPadding(countIncludePad))
            : nil
        let empty = shape.convention.pooling.emptyMaxWindow
        // The max rules the kernels leave to a fix-up (NaN propagated, +0 above −0), when the convention has them.
        let propagatesNaN = mode == .max && shape.convention.pooling.maxNaN == .propagates
        let positiveZero = mode == .max && shape.convention.pooling.maxOfZeros == .positive
        let rules = propagatesNaN || positiveZero
            ? MaxWindowRules(geometry: geometry, scans: rows.scans, propagatesNaN: propagatesNaN, positiveZero: positiveZero)
            : nil
        let path = poolingPath(geometry, mode: mode, planes: planes, kernels: rows)
        // A block's planes go to one thread together (a unit of the split); a plane alone takes its own path.
        let lanes = path == .channels ? Int(rows.windowChannels.lanes) : 1
        let alone = path == .channels ? planePath(geometry, mode: mode, kernels: rows) : path
        x.data.withUnsafeBufferPointer { xs in
            y.withUnsafeMutableBufferPointer { ys in
                guard let xBase = xs.baseAddress, let yBase = ys.baseAddress else { return }
                forEachPlaneRange(of: (planes + lanes - 1) / lanes, threads: threads) { units in
                    let part = units.lowerBound * lanes..<min(units.upperBound * lanes, planes)
                    let x = xBase + part.lowerBound * geometry.inputCount
                    let y = yBase + part.lowerBound * geometry.outputCount
                    // `path`'s kernel over `count` planes, windows starting from `empty`.
                    func pool(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, planes count: Int,
                              path: PoolingPath, empty: Float) {
                        switch path {
                        case .channels:
                            let blocked = count / lanes * lanes
                            DirectKernels.channelBlockedPooling(x: x, y: y, planes: blocked, geometry: geometry,
                                                                divisors: divisors, average: mode == .average,
                                                                empty: empty, kernels: rows)
                            if blocked < count {
                                pool(x + blocked * geometry.inputCount, y + blocked * geometry.outputCount,
                                     planes: count - blocked, path: alone, empty: empty)
                            }
                        case .separableMax:
                            DirectKernels.separableMaxPooling(x: x, y: y, planes: count, geometry: geometry, empty: empty,
                                                              kernels: rows)
                        case .direct, .separableDirect:
                            let directMode = path == .separableDirect ? CONVARITH_GRID_SEPARABLE_MAX
                                : mode == .average ? CONVARITH_GRID_AVERAGE : CONVARITH_GRID_MAX
                            DirectKernels.directPooling(x: x, y: y, planes: count, geometry: geometry,
                                                        divisors: divisors, mode: Int32(directMode), empty: empty,
                                                        kernels: rows)
                        case .grid, .separableGrid:
                            let gridMode = path == .separableGrid ? CONVARITH_GRID_SEPARABLE_MAX
                                : mode == .average ? CONVARITH_GRID_AVERAGE : CONVARITH_GRID_MAX
                            DirectKernels.gridPooling(x: x, y: y, planes: count, geometry: geometry, divisors: divisors,
                                                      mode: Int32(gridMode), empty: empty, kernels: rows)
                        case .windowRows:
                            DirectKernels.pooling(x: x, y: y, planes: count, geometry: geometry, divisors: divisors,
                                                  average: mode == .average, empty: empty, kernels: rows)
                        }
                    }
                    pool(x, y, planes: part.count, path: path, empty: empty)
                    if let rules {
                        // An indicator plane alone (every path gives the same floats).
                        rules.apply(x: x, y: y, planes: part.count) { indicator, pooled in
                            pool(indicator, pooled, planes: 1, path: alone, empty: 0)
                        }
                    }
                }
            }
        }
        return Tensor(uncheckedShape: layout.outputShape, data: y)
    }
}
