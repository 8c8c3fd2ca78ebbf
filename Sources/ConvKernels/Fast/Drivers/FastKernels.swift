import CConvKernels
import ConvArithmetic

/// The fast path: convolution as an indirect GEMM over the input (zero-padded and phase-split once, or read
/// in place; `IndirectLayout`), transposed convolution by output phases (`PhaseLayout`) or as a GEMM
/// followed by a col2im scatter along the associated convolution's windows — so the `s − 1` inserted zeros
/// of the stretched formulation are never multiplied. Register-blocked C micro-kernels chosen for the CPU
/// (``MicroKernel``), cache-sized chunks, and the output split over `threads` threads (1: the calling
/// thread only). Sizes come from the layer's `LayerShape`; tensors are checked as by every kernel.
public enum FastKernels {
    /// How many times more multiply-adds than the reference loops the fast path may do within the work
    /// limit (it runs 100–300 times faster).
    static let workScale = 100

    /// Checks tensors of these shapes as the fast path would, before any of them exists: the channels and
    /// shapes, the work limit (scaled for the fast path), and the memory of x, w and y together — so a
    /// caller that makes its own tensors (a benchmark's random ones) can refuse a workload before
    /// allocating or filling gigabytes.
    /// - Throws: ``KernelError`` naming the tensor that does not fit, or the limit that is exceeded.
    public static func check(shape: LayerShape, x: [Int], weight: [Int]?, groups: Int = 1) throws(KernelError) {
        let layout = try LayerTensors(shape: shape, x: x, weight: weight, bias: nil, groups: groups, workScale: Self.workScale)
        var total = 0
        for tensor in [x, weight ?? [], layout.outputShape] {
            let count = try MemoryLimit.current.check(tensor)
            let (sum, overflow) = total.addingReportingOverflow(count)
            guard !overflow else { throw .memoryLimit(elements: Int.max, bytes: Int.max, limit: MemoryLimit.current.bytes) }
            total = sum
        }
        _ = try MemoryLimit.current.check([total])
    }

    /// `y = conv(x, w) + b` (PyTorch/ONNX layouts), the same as ``ReferenceKernels/convolution(_:weight:bias:shape:groups:)``:
    /// ``plan(shape:input:weight:bias:groups:threads:microKernel:use:)`` and ``execute(_:x:weight:bias:)`` in one call.
    public static func convolution(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, shape: LayerShape, groups: Int = 1,
                                   threads: Int = FastThreads.default, microKernel: MicroKernel = .current) throws(KernelError) -> Tensor {
        guard shape.operation == .convolution else { throw .unsupported("convolution needs a convolution's shape, got \(shape.name)") }
        let plan = try plan(shape: shape, input: x.shape, weight: weight.shape, bias: bias?.shape, groups: groups, threads: threads,
                            microKernel: microKernel)
        return try execute(plan, x: x, weight: weight, bias: bias)
    }

    /// The packed GEMM over an implicit im2col: per group, `y = W · im2col(x)`, the output positions split
    /// over the threads in whole tiles.
    static func im2colConvolution(_ x: Tensor, weight: Tensor, bias: Tensor?, layout: LayerTensors, geometry: Geometry3,
                                  groups: Int, threads: Int, microKernel kernel: MicroKernel) -> Tensor {
        let gemm = PackedGEMM(kernel: kernel)
        let inGroup = layout.inputChannels / groups, outGroup = layout.outputChannels / groups
        let depth = inGroup * geometry.taps, columns = geometry.outputCount
        var y = uninitialized(layout.outputShape.reduce(1, *))
        let parts = max(1, min(threads, (columns + kernel.columns - 1) / kernel.columns))
        var scratch = uninitialized(parts * (gemm.scratchCount + gemm.tileCount))
        withPointers(x, weight, &y, &scratch) { xBase, wBase, yBase, sBase in
            for group in 0..<groups {
                // The group's weights [outGroup × inGroup·taps] are contiguous rows of A.
                let rows = wBase + group * outGroup * depth
                let a = PackedGEMM.PackedA(rows: outGroup, depth: depth, panelRows: kernel.rows) { rows[$0 * depth + $1] }
                for n in 0..<layout.batch {
                    let source = Im2Col(geometry: geometry, x: xBase + (n * layout.inputChannels + group * inGroup) * geometry.inputCount)
                    let c = yBase + (n * layout.outputChannels + group * outGroup) * columns
                    let share = (columns + parts - 1) / parts
                    let aligned = (share + kernel.columns - 1) / kernel.columns * kernel.columns
                    FastThreads.run(parts: parts, threads: threads) { part in
                        let range = min(part * aligned, columns)..<min((part + 1) * aligned, columns)
                        guard !range.isEmpty else { return }
                        let mine = sBase + part * (gemm.scratchCount + gemm.tileCount)
                        gemm.multiply(a, columns: range, source: source, c: c, ldc: columns, scratch: mine, tile: mine + gemm.scratchCount)
                    }
                }
            }
        }
        if let bias { addBias(bias, to: &y, channels: layout.outputChannels, plane: columns) }
        return Tensor(uncheckedShape: layout.outputShape, data: y)
    }

    /// The transposed convolution, the same as ``ReferenceKernels/transposedConvolution(_:weight:bias:shape:groups:)``,
    /// planned and executed in one call (see ``ConvolutionPlan/Path`` for the paths).
    public static func transposedConvolution(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, shape: LayerShape, groups: Int = 1,
                                             threads: Int = FastThreads.default, microKernel: MicroKernel = .current) throws(KernelError) -> Tensor {
        guard shape.operation == .transposedConvolution else {
            throw .unsupported("transposed convolution needs a transposed convolution's shape, got \(shape.name)")
        }
        let plan = try plan(shape: shape, input: x.shape, weight: weight.shape, bias: bias?.shape, groups: groups, threads: threads,
                            microKernel: microKernel)
        return try execute(plan, x: x, weight: weight, bias: bias)
    }

    /// The transposed convolution as a GEMM and a col2im scatter: per group, `cols[(c_out, tap) × j] =
    /// Σ_c w[c, c_out, tap] · x[c, j]`, then each column added to the output positions its window covers,
    /// `q = j·s + t·d − p_lo`. Threads split the output channels (their scatters never meet); columns go in
    /// chunks that bound the cols buffer. B is x itself, its rows read in place by the indirect kernel.
    static func col2imTransposed(_ x: Tensor, weight: Tensor, bias: Tensor?, layout: LayerTensors, geometry: Geometry3,
                                 groups: Int, threads: Int, kernel indirect: IndirectKernel) -> Tensor {
        let inGroup = layout.inputChannels / groups, outGroup = layout.outputChannels / groups
        let taps = geometry.taps, columns = geometry.outputCount, outputPlane = geometry.inputCount
        var y = [Float](repeating: 0, count: layout.outputShape.reduce(1, *))
        let parts = max(1, min(threads, outGroup))
        let channelsPerPart = (outGroup + parts - 1) / parts
        let chunk = max(indirect.columns, min(columns, (1 << 21) / max(channelsPerPart * taps, 1) / indirect.columns * indirect.columns))
        let perPart = channelsPerPart * taps * chunk + denseScratchCount(indirect, depth: inGroup)
        var scratch = uninitialized(parts * perPart)
        withPointers(x, weight, &y, &scratch) { xBase, wBase, yBase, sBase in
            for group in 0..<groups {
                FastThreads.run(parts: parts, threads: threads) { part in
                    let first = part * channelsPerPart, last = min(first + channelsPerPart, outGroup)
                    guard first < last else { return }
                    let rows = (last - first) * taps
                    // A[(c_out, tap) × c] = w[group·inGroup + c, first + c_out, tap]: the weights' rows are A's columns.
                    let a = IndirectA.columns(wBase + (group * inGroup * outGroup + first) * taps, ld: outGroup * taps)
                    for n in 0..<layout.batch {
                        col2im(indirect, a: a, rows: rows, depth: inGroup, x: xBase + (n * layout.inputChannels + group * inGroup) * columns,
                               columns: 0..<columns, chunk: chunk, geometry: geometry, scratch: sBase + part * perPart,
                               into: yBase + (n * layout.outputChannels + group * outGroup + first) * outputPlane)
                    }
                }
            }
        }
        if let bias { addBias(bias, to: &y, channels: layout.outputChannels, plane: outputPlane) }
        return Tensor(uncheckedShape: layout.outputShape, data: y)
    }

    /// The col2im GEMM and scatter for input positions `columns` of `x` (a group's `[depth × Πi']` rows),
    /// a chunk of columns at a time: `cols[rows × chunk] = A · x[:, chunk]` in `scratch` (`rows · chunk` floats,
    /// then the dense copy's ``denseScratchCount(_:depth:)``), then scattered into `y` (the rows' first channel).
    static func col2im(_ kernel: IndirectKernel, a: IndirectA, rows: Int, depth: Int, x: UnsafePointer<Float>, columns: Range<Int>,
                       chunk: Int, geometry: Geometry3, scratch: UnsafeMutablePointer<Float>, into y: UnsafeMutablePointer<Float>) {
        let rowStride = geometry.outputCount
        var start = columns.lowerBound
        while start < columns.upperBound {
            let width = min(chunk, columns.upperBound - start)
            multiplyDenseRows(kernel, a: a, rows: rows, depth: depth, b: x + start, rowStride: rowStride, columns: width, c: scratch,
                              ldc: width, buffer: scratch + rows * chunk)
            scatter(scratch, rows: rows, columns: start..<(start + width), geometry: geometry, into: y, isa: kernel.isa)
            start += width
        }
    }

    /// col2im: adds `cols[(c, tap), j]` to `y[c, q(j, tap)]` for the positions inside the output, a run of
    /// columns on one input row at a time (its outputs are `s` apart on one output row).
    static func scatter(_ cols: UnsafeMutablePointer<Float>, rows: Int, columns: Range<Int>, geometry g: Geometry3,
                        into y: UnsafeMutablePointer<Float>, rowStride: Int? = nil, columnStride: Int = 1, isa: Int32) {
        let (outD, outH, outW) = g.input  // the transposed layer's output is the associated convolution's input
        let (_, inH, inW) = g.output
        // Runs of columns on one input row: offset in the chunk, count, z·s_z, y·s_y, x·s_x of the first.
        var runs: [convarith_col2im_run] = []
        runs.reserveCapacity(columns.count / max(inW, 1) + 2)
        var j = columns.lowerBound
        while j < columns.upperBound {
            let jz = j / (inH * inW), rest = j % (inH * inW)
            let jy = rest / inW, jx = rest % inW
            let count = min(columns.upperBound - j, inW - jx)
            runs.append(convarith_col2im_run(offset: Int64(j - columns.lowerBound), count: Int64(count), z: Int64(jz * g.stride.0),
                                             y: Int64(jy * g.stride.1), x: Int64(jx * g.stride.2)))
            j += count
        }
        var geometry = convarith_col2im_geometry(
            output: (Int64(outD), Int64(outH), Int64(outW)), kernel_height: Int64(g.kernel.1), kernel_width: Int64(g.kernel.2),
            taps: Int64(g.taps), stride_width: Int64(g.stride.2), dilation: (Int64(g.dilation.0), Int64(g.dilation.1), Int64(g.dilation.2)),
            padding: (Int64(g.padding.0), Int64(g.padding.1), Int64(g.padding.2)), output_plane: Int64(g.inputCount))
        convarith_col2im(cols, Int64(rows), Int64(rowStride ?? columns.count), Int64(columnStride), runs, Int64(runs.count), &geometry, y, isa)
    }

    /// A convolution with few output positions: `yᵀ[Πo × C_out/g] = im2colᵀ · Wᵀ`, the im2col materialized
    /// once (it is small) as the GEMM's packed rows and the weights streamed as its wide side; threads split
    /// the output channels.
    static func convolutionFewColumns(_ x: Tensor, weight: Tensor, bias: Tensor?, layout: LayerTensors, geometry: Geometry3,
                                      groups: Int, threads: Int, microKernel kernel: MicroKernel) -> Tensor {
        let gemm = PackedGEMM(kernel: kernel)
        let inGroup = layout.inputChannels / groups, outGroup = layout.outputChannels / groups
        let depth = inGroup * geometry.taps, positions = geometry.outputCount
        var y = uninitialized(layout.outputShape.reduce(1, *))
        let parts = max(1, min(threads, (outGroup + kernel.columns - 1) / kernel.columns))
        let share = ((outGroup + parts - 1) / parts + kernel.columns - 1) / kernel.columns * kernel.columns
        var scratch = uninitialized(parts * (gemm.scratchCount + gemm.tileCount) + depth * positions + positions * outGroup)
        withPointers(x, weight, &y, &scratch) { xBase, wBase, yBase, sBase in
            let columnsBuffer = sBase + parts * (gemm.scratchCount + gemm.tileCount)
            let transposed = columnsBuffer + depth * positions
            for n in 0..<layout.batch {
                for group in 0..<groups {
                    // im2col [depth × positions], then A = its transpose (row: position, depth: k).
                    let source = Im2Col(geometry: geometry, x: xBase + (n * layout.inputChannels + group * inGroup) * geometry.inputCount)
                    source.pack(columns: 0..<positions, depth: 0..<depth, panelWidth: positions, into: columnsBuffer)
                    let a = PackedGEMM.PackedA(rows: positions, depth: depth, panelRows: kernel.rows) { j, k in columnsBuffer[k * positions + j] }
                    let weights = TransposedRows(base: wBase + group * outGroup * depth, rowLength: depth)
                    FastThreads.run(parts: parts, threads: threads) { part in
                        let range = min(part * share, outGroup)..<min((part + 1) * share, outGroup)
                        guard !range.isEmpty else { return }
                        let mine = sBase + part * (gemm.scratchCount + gemm.tileCount)
                        gemm.multiply(a, columns: range, source: weights, c: transposed, ldc: outGroup, scratch: mine, tile: mine + gemm.scratchCount)
                        // yᵀ → y for this part's channels.
                        let c = yBase + (n * layout.outputChannels + group * outGroup) * positions
                        for channel in range {
                            for j in 0..<positions { c[channel * positions + j] = transposed[j * outGroup + channel] }
                        }
                    }
                }
            }
        }
        if let bias { addBias(bias, to: &y, channels: layout.outputChannels, plane: positions) }
        return Tensor(uncheckedShape: layout.outputShape, data: y)
    }

    /// A transposed convolution with few input positions (a small `Πi'`, as in a GAN's first layers): the
    /// GEMM the other way round, `colsᵀ[Πi' × (C_out/g)·Πk] = xᵀ · W`, so the weights — the large operand —
    /// are read as dense rows and the tiles are full; threads split whole output channels.
    static func transposedFewColumns(_ x: Tensor, weight: Tensor, bias: Tensor?, layout: LayerTensors, geometry: Geometry3,
                                     groups: Int, threads: Int, microKernel kernel: MicroKernel) -> Tensor {
        let indirect = kernel.indirect
        let inGroup = layout.inputChannels / groups, outGroup = layout.outputChannels / groups
        let taps = geometry.taps, positions = geometry.outputCount, outputPlane = geometry.inputCount
        let width = outGroup * taps
        // colsT's rows an odd number of cache lines apart: the scatter reads it down its columns, and rows a
        // power of two apart would all fall in the same few cache sets.
        let ldc = oddLineStride(width)
        var y = [Float](repeating: 0, count: layout.outputShape.reduce(1, *))
        let parts = max(1, min(threads, outGroup))
        let channelsPerPart = (outGroup + parts - 1) / parts
        // colsT, then each part's copy of a block of B = the group's weights [c × (c_out, tap)].
        let perPart = denseScratchCount(indirect, depth: inGroup)
        var scratch = uninitialized(positions * ldc + parts * perPart)
        withPointers(x, weight, &y, &scratch) { xBase, wBase, yBase, colsT in
            for n in 0..<layout.batch {
                for group in 0..<groups {
                    let xs = xBase + (n * layout.inputChannels + group * inGroup) * positions
                    // A = xᵀ (row j, depth c): x's rows are A's columns.
                    let a = IndirectA.columns(xs, ld: positions)
                    let weights = wBase + group * inGroup * width
                    FastThreads.run(parts: parts, threads: threads) { part in
                        let first = part * channelsPerPart, last = min(first + channelsPerPart, outGroup)
                        guard first < last else { return }
                        multiplyDenseRows(indirect, a: a, rows: positions, depth: inGroup, b: weights + first * taps, rowStride: width,
                                          columns: (last - first) * taps, c: colsT + first * taps, ldc: ldc,
                                          buffer: colsT + positions * ldc + part * perPart)
                        let yChannels = yBase + (n * layout.outputChannels + group * outGroup + first) * outputPlane
                        scatter(colsT + first * taps, rows: (last - first) * taps, columns: 0..<positions, geometry: geometry,
                                into: yChannels, rowStride: 1, columnStride: ldc, isa: indirect.isa)
                    }
                }
            }
        }
        if let bias { addBias(bias, to: &y, channels: layout.outputChannels, plane: outputPlane) }
        return Tensor(uncheckedShape: layout.outputShape, data: y)
    }

    /// A depthwise convolution, directly, the channels split over the threads.
    static func depthwise(_ x: Tensor, weight: Tensor, bias: Tensor?, layout: LayerTensors, geometry: Geometry3,
                          threads: Int, kernels: RowKernels, grid: Bool = false) -> Tensor {
        var y = uninitialized(layout.outputShape.reduce(1, *))
        var none: [Float] = [0]  // no scratch (withPointers needs a base address)
        withPointers(x, weight, &y, &none) { xBase, wBase, yBase, _ in
            forEachPlaneRange(of: layout.batch * layout.outputChannels, threads: threads) { planes in
                if grid {
                    DirectKernels.gridDepthwise(x: xBase, weight: wBase, y: yBase, planes: planes, channels: layout.outputChannels,
                                                geometry: geometry, kernels: kernels)
                } else {
                    DirectKernels.depthwise(x: xBase, weight: wBase, y: yBase, planes: planes, channels: layout.outputChannels,
                                            geometry: geometry, kernels: kernels)
                }
            }
        }
        if let bias { addBias(bias, to: &y, channels: layout.outputChannels, plane: geometry.outputCount) }
        return Tensor(uncheckedShape: layout.outputShape, data: y)
    }

    /// A depthwise convolution a block of channels at a time (``ConvolutionPlan/Path/depthwiseChannels``): the
    /// blocks (and each sample's last channels, fewer than a block, on the grid a plane at a time) split over
    /// the threads.
    static func channelBlockedDepthwise(_ x: Tensor, weight: Tensor, bias: Tensor?, layout: LayerTensors, geometry: Geometry3,
                                        threads: Int, kernels: RowKernels) -> Tensor {
        var y = uninitialized(layout.outputShape.reduce(1, *))
        let channels = layout.outputChannels, lanes = Int(kernels.windowChannels.lanes)
        let blocksPerSample = (channels + lanes - 1) / lanes, units = layout.batch * blocksPerSample
        var none: [Float] = [0]  // no scratch (withPointers needs a base address)
        withPointers(x, weight, &y, &none) { xBase, wBase, yBase, _ in
            forEachPlaneRange(of: units, threads: threads) { blocks in
                DirectKernels.channelBlockedDepthwise(x: xBase, weight: wBase, y: yBase, blocks: blocks, channels: channels,
                                                      geometry: geometry, kernels: kernels)
            }
        }
        if let bias { addBias(bias, to: &y, channels: layout.outputChannels, plane: geometry.outputCount) }
        return Tensor(uncheckedShape: layout.outputShape, data: y)
    }

    /// Parts of `planes` planes for `threads` threads: several per thread when there are more threads than
    /// one, so that a thread that starts late or runs slower takes fewer (parts are claimed as threads free up).
    static func planeParts(_ planes: Int, threads: Int) -> Int {
        threads <= 1 ? 1 : max(1, min(planes, threads * 8))
    }

    /// `body(range)` for the ``planeParts(_:threads:)`` contiguous ranges of `count` planes (or blocks of
    /// them), run on up to `threads` threads; no range is empty.
    static func forEachPlaneRange(of count: Int, threads: Int, _ body: (Range<Int>) -> Void) {
        let parts = planeParts(count, threads: threads)
        let share = (count + parts - 1) / parts
        FastThreads.run(parts: parts, threads: threads) { part in
            let first = part * share, last = min(first + share, count)
            guard first < last else { return }
            body(first..<last)
        }
    }

    /// `floats` rounded up to an odd number of 64-byte cache lines: the row stride of a buffer read down its
    /// columns or a block of rows at a time, whose rows a power of two apart would all fall in a few cache sets.
    static func oddLineStride(_ floats: Int) -> Int {
        let lines = (floats + 15) / 16
        return (lines % 2 == 0 ? lines + 1 : lines) * 16
    }

    /// A buffer every element of which the caller writes before reading it (the GEMM's output, packed
    /// blocks): no zero-fill pass. Debug builds (the tests) fill it with NaN, so that an element a path
    /// forgets to write cannot pass for the right value left in reused memory by an earlier call.
    static func uninitialized(_ count: Int) -> [Float] {
        #if DEBUG
        [Float](repeating: .nan, count: count)
        #else
        [Float](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
        #endif
    }

    /// The base addresses of the input, the weight, the output and the scratch buffers, for one call.
    static func withPointers(_ x: Tensor, _ weight: Tensor, _ y: inout [Float], _ scratch: inout [Float],
                                     _ body: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> Void) {
        weight.data.withUnsafeBufferPointer { w in
            x.data.withUnsafeBufferPointer { xs in
                y.withUnsafeMutableBufferPointer { ys in
                    scratch.withUnsafeMutableBufferPointer { scratchBuffer in
                        guard let wBase = w.baseAddress, let xBase = xs.baseAddress, let yBase = ys.baseAddress,
                              let sBase = scratchBuffer.baseAddress else { return }
                        body(xBase, wBase, yBase, sBase)
                    }
                }
            }
        }
    }

    /// Adds `bias[channel]` to every output of each channel's plane.
    static func addBias(_ bias: Tensor, to y: inout [Float], channels: Int, plane: Int) {
        guard plane > 0, channels > 0 else { return }
        y.withUnsafeMutableBufferPointer { ys in
            guard let base = ys.baseAddress else { return }
            for planeIndex in 0..<(ys.count / plane) {
                let value = bias.data[planeIndex % channels]
                let start = base + planeIndex * plane
                for i in 0..<plane { start[i] += value }
            }
        }
    }
}
