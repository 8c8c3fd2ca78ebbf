import CConvKernels
import ConvArithmetic

/// The planner's measured choices: when a layer's shape makes each GEMM the one to take. The planner
/// (``FastKernels/plan(shape:input:weight:bias:groups:threads:microKernel:use:)``) asks them in order.
extension FastKernels {
    /// The layout of the positions GEMM for a convolution of `geometry` with `outGroup` output channels per
    /// group, when it is the GEMM for the layer (``prefersPositions(_:outGroup:kernel:)``).
    static func positionsLayout(_ geometry: Geometry3, outGroup: Int, kernel: MicroKernel) -> IndirectLayout? {
        guard let plan = IndirectLayout(geometry), prefersPositions(plan, outGroup: outGroup, kernel: kernel) else { return nil }
        return plan
    }

    /// Whether the positions GEMM is the faster for a layer, by an estimate of both: the indirect GEMM's
    /// share of useful lanes over its virtual columns (a 7 × 7 output: 55 columns, a 48-wide tile and a
    /// 16-wide one holding 7 — 77 %; a 14 × 14 one: 222 columns, 88 %) against the positions GEMM's over the
    /// output channels, which per call also transposes the weights (about `6 / P` of its GEMM for `P` output
    /// positions: 43 µs against 0.3 ms for ResNet's stride-2 256-channel layer), and whose AVX2 kernel runs
    /// about a tenth slower than the indirect one on the same lanes. Output rows of at least four positions
    /// (shorter tiles wait on their loads), channels enough for whole vectors, and yᵀ small enough to stay in
    /// L2 (512 KB). Measured at one thread: 256 channels on 14 × 14 1.03 → 0.94 ms, 128 channels on 28 × 28
    /// (estimate 0.93) unchanged, so the positions GEMM is taken below 0.92.
    static func prefersPositions(_ plan: IndirectLayout, outGroup: Int, kernel: MicroKernel) -> Bool {
        let indirect = kernel.indirect, positions = kernel.positions
        let (_, _, o2) = plan.geometry.output
        let count = plan.geometry.outputCount
        guard o2 >= 4, outGroup >= 2 * positions.columns / 3, count * oddLineStride(outGroup) <= 1 << 17 else { return false }
        // Lanes the indirect GEMM computes: whole vectors of 16 (of 8 on AVX2) over the virtual columns.
        let vector = indirect.columns >= 48 ? 16 : 8
        var computed = 0
        plan.grid.forEachRun(in: 0..<plan.virtualCount) { run in
            computed += run.count / indirect.columns * indirect.columns + (run.count % indirect.columns + vector - 1) / vector * vector
        }
        let rowsComputed = (outGroup + indirect.rows - 1) / indirect.rows * indirect.rows
        let indirectShare = Double(count * outGroup) / Double(computed * rowsComputed)
        let lanesComputed = (outGroup + vector - 1) / vector * vector
        let positionsShare = Double(outGroup) / Double(lanesComputed)
        let kernelFactor = positions.columns >= 48 ? 1.0 : 1.1
        let estimate = indirectShare / positionsShare * (1 + 6 / Double(count)) * kernelFactor
        return estimate < 0.92
    }

    /// The lanes the indirect kernel computes over a run of `run` columns: whole tiles, then whole vectors (of
    /// 16 on the 48-column tile, of 8 on the 16-column AVX2 tile, of 4 on the portable one) of the rest.
    static func lanesComputed(_ run: Int, kernel: IndirectKernel) -> Int {
        let nr = kernel.columns, vector = nr >= 48 ? 16 : nr / 2
        return run / nr * nr + (run % nr + vector - 1) / vector * vector
    }

    /// How an indirect GEMM reads and multiplies a layer's columns: in place over the virtual columns or
    /// compacted over exactly the outputs (``IndirectLayout/compactsColumns``), each with or without bands of
    /// outputs multiplied over their taps inside the input (``TapBands``).
    struct ColumnChoice: Equatable {
        let compacts: Bool
        let bands: Bool
    }

    /// The cheapest way to read a layer's columns (``ColumnChoice``) by an estimate in multiply-add lanes: the
    /// lanes computed — whole vectors (of 16, of 8 on the 16-column AVX2 tile, of 4 on the portable one) over
    /// each run of virtual columns, over the outputs, or over each band's outputs (a band's last tile partly
    /// empty) — times the rows and the depth multiplied (a band's taps alone); in place, the scatter of C into y
    /// (5 lanes a float) unless the layout has no gaps; compacted, the gather of every tile's rows (4 lanes a
    /// float), and a GEMM 1.2 times slower where a depth block's gathered tile leaves half of L1 and the rows read
    /// in place would have stayed (a 3 × 3 layer's taps overlap along the rows), 1.03 where they would not
    /// (dilated); banded, the weights ordered tap-major first (4 lanes a float). Bands in place only where the
    /// layout has no gaps (y is then written in place). Another way than in place, unbanded, only where it saves
    /// a twentieth; with `inPlace: false` (gaps too wide to read in place) the cheapest compacted way. Fitted on
    /// Zen 4 (AVX-512, one thread, always compacted against
    /// never): DeepLab's ASPP 3 × 3 at dilation 6 on 256 × 33 × 33 (1,473 virtual columns for 1,089 outputs)
    /// 1.31 times faster, SRCNN's 9 × 9 1 → 64 on 64 × 64 1.10 and VGG's 3 → 64 on 224 × 224 1.11 (depth 81 and
    /// 27: the scatter is a large share), ResNet's 3 × 3 on 64 × 56 × 56 and a 3-D 3³ on 32 × 32³ 1.08 and 1.18
    /// times slower; bands: Inception's 7 × 1 on 17 × 17 (seven bands, four of one short row) 0.94 → 1.10 ms
    /// before their partial tiles were counted, and a CRNN 3 × 3 on 256 × 8 × 32 compacted and banded 3.10 →
    /// 3.17 (two threads 1.63 → 1.83) before the gathered tile's slower GEMM was.
    static func indirectColumns(_ plan: IndirectLayout, outGroup: Int, inGroup: Int, kernel: IndirectKernel,
                                bands: TapBands?, threads: Int, inPlace allowed: Bool = true) -> ColumnChoice {
        func lanes(_ run: Int) -> Double { Double(lanesComputed(run, kernel: kernel)) }
        var inPlace = 0.0
        plan.grid.forEachRun(in: 0..<plan.virtualCount) { inPlace += lanes($0.count) }
        let compact = lanes(plan.geometry.outputCount)
        // As doubles: a layer's products need not fit an Int.
        let depth = Double(inGroup) * Double(plan.geometry.taps), outputs = Double(plan.geometry.outputCount)
        let rows = Double((outGroup + kernel.rows - 1) / kernel.rows * kernel.rows)
        // A gathered tile past half of L1 slows the GEMM that reads it where the rows read in place would have
        // stayed in L1 — a 3 × 3 layer's taps overlap along the rows — and barely where they would not (dilated).
        let tileBytes = min(depth, Double(indirectDepthBlock)) * Double(kernel.columns) * 4
        let overlapping = plan.geometry.dilation.1 == 1 && plan.geometry.dilation.2 == 1
        let slower = tileBytes <= 16 * 1024 ? 1.0 : overlapping ? 1.2 : 1.03
        let gatherLanes = 4.0, scatterLanes = 5.0
        // Lanes × depth over the bands, each band's taps alone, as the threads' parts and their chunks cut them.
        let split = TileSplit(columns: plan.geometry.outputCount, rows: outGroup, threads: threads, kernel: kernel)
        // A rectangle's piece of several runs has its tiles' C scattered into y (5 lanes a float, as in place).
        var scattered = 0.0
        let banded = bands.map { bands in
            var total = 0.0
            for part in 0..<split.columnParts {
                split.forEachChunk(of: plan.geometry.outputCount, part: part, grid: plan.outputGrid) { start, width in
                    guard !bands.splitsColumns else { return }
                    bands.forEachPiece(of: start..<(start + width), channels: inGroup) { piece in
                        total += lanes(piece.count) * Double(piece.depth)
                    }
                }
                // Rectangles: each one's part of the share in pieces of a chunk, as the driver takes them.
                guard bands.splitsColumns else { continue }
                bands.forEachPiece(of: split.share(of: plan.geometry.outputCount, part: part), channels: inGroup,
                                   chunk: split.chunk) { piece in
                    total += lanes(piece.count) * Double(piece.depth)
                    if piece.runs.count > 1 { scattered += Double(piece.count) }
                }
            }
            return total
        }
        let ordering = 4 * Double(outGroup) * depth
        var choices: [(ColumnChoice, Double)] = [
            (ColumnChoice(compacts: true, bands: false), compact * depth * (rows * slower + gatherLanes)),
        ]
        if let banded {
            let cost = banded * (rows * slower + gatherLanes) + ordering + scatterLanes * Double(outGroup) * scattered
            choices.append((ColumnChoice(compacts: true, bands: true), cost))
        }
        let plain = inPlace * rows * depth + (plan.isCompact ? 0 : scatterLanes * Double(outGroup) * outputs)
        // In place, a band is one run of the virtual columns: rectangles (a padded width) are compacted only.
        if let banded, plan.isCompact, bands?.splitsColumns == false {
            choices.append((ColumnChoice(compacts: false, bands: true), banded * rows + ordering))
        }
        let best = choices.min { $0.1 < $1.1 }!
        guard allowed else { return best.0 }
        return best.1 <= 0.95 * plain ? best.0 : ColumnChoice(compacts: false, bands: false)
    }

    /// The indirect GEMM's layout for a convolution (`nil`: the layout would copy, or compute in place, far more
    /// than the layer needs), its columns read as ``indirectColumns(_:outGroup:inGroup:kernel:bands:threads:inPlace:)``
    /// estimates cheapest — bands only where the padding holds a twentieth of the products or more. Gaps between
    /// output rows too wide for the GEMM in place are taken compacted: DeepLab's ASPP at dilations 12 and 18 on
    /// 33 × 33 (rows 57 and 69 apart), which the im2col GEMM served at 14.2 ms with all its products, against
    /// OpenVINO's 7.1 and 5.2 ms.
    static func indirectLayout(_ g: Geometry3, inGroup: Int, outGroup: Int, kernel: IndirectKernel,
                               threads: Int) -> IndirectLayout? {
        let dense = IndirectLayout(g)
        guard var plan = dense ?? IndirectLayout(g, allowingGaps: true) else { return nil }
        // Rectangles (a 2-D layer's columns banded too) where they skip more than a seventh of the row bands'
        // products: their tiles gather and scatter runs of a rectangle's width (ASPP on 33 × 33, shares of rows
        // alone → rectangles: dilation 18 0.64 → 0.40, 8.64 → 6.17 ms; 12 0.76 → 0.57, 10.13 → 8.15; at dilation
        // 6, 0.88 → 0.77, rectangles measured 11.6 → 12.9 ms).
        let rows = TapBands(g), rectangles = TapBands(g, rectangles: true)
        let chosen = rectangles.flatMap { r in rows.map { r.share <= 0.85 * $0.share } ?? true ? r : nil } ?? rows
        let bands = chosen.flatMap { $0.share <= 0.95 ? $0 : nil }
        let choice = indirectColumns(plan, outGroup: outGroup, inGroup: inGroup, kernel: kernel, bands: bands,
                                     threads: threads, inPlace: dense != nil)
        plan.compactsColumns = choice.compacts
        plan.tapBands = choice.bands ? bands : nil
        return plan
    }

    /// The output phases of a transposed convolution (`geometry`: its associated convolution's) when they are
    /// its GEMM: every phase has whole tiles of rows and columns (see
    /// ``transposedConvolution(_:weight:bias:shape:groups:threads:microKernel:)``), their B gathered into dense
    /// rows where that fills the tiles better (``gathersPhaseColumns(_:outGroup:inGroup:kernel:)``).
    /// Prepared, fewer input positions will do when the gathered phases fill whole tiles and some phase has fewer
    /// than 64 outputs (where a call would not take the positions phases: ``PreparedLayer``'s one exception to
    /// the per-call floats): the weights are then packed once, where per call packing every phase's weights
    /// would cost as much as their GEMM (DCGAN's 512 → 256 layer on 4 × 4, 8 MB of weights for 16 outputs a phase).
    static func phaseLayout(_ geometry: Geometry3, outGroup: Int, inGroup: Int, kernel: MicroKernel,
                            use: ConvolutionPlan.Use) -> PhaseLayout? {
        guard outGroup >= 2 * kernel.indirect.rows, var plan = PhaseLayout(associated: geometry) else { return nil }
        plan.gathersColumns = gathersPhaseColumns(plan, outGroup: outGroup, inGroup: inGroup, kernel: kernel.indirect)
        if geometry.outputCount >= 2 * kernel.indirect.columns { return plan }
        let outputs = plan.phases.map { $0.count.0 * $0.count.1 * $0.count.2 }
        let fillsTiles = outputs.allSatisfy { $0 >= kernel.indirect.columns }
        let fewer = outputs.contains { $0 < 64 }
        return use == .prepared && plan.gathersColumns && fillsTiles && fewer ? plan : nil
    }

    /// The most floats the gathered rows of a transposed layer's phases may take, per input channel as a multiple
    /// of its padded copy (DCGAN's layers: 5 and 11) and in all: the gathered rows are an im2col of the phases,
    /// which a large kernel over a large input would make far larger than the tensors.
    static let gatheredPhaseRatio = 16, gatheredPhaseFloats = 1 << 22

    /// Whether a transposed layer's output phases read B gathered into dense rows of their outputs
    /// (``CompactPhases``) rather than in place over their virtual columns: when the lanes the GEMM computes
    /// — whole vectors (of 16, of 8 on the 16-column AVX2 tile, of 4 on the portable one) over each run of
    /// columns — drop by a tenth or more, the gather's copy (a `1 / C_out` share of the GEMM's products,
    /// counted four times over) included. DCGAN's 256 → 128 layer on 8 × 8: 80 lanes a phase for 64 outputs.
    /// Never past ``gatheredPhaseRatio`` times a channel's padded copy, or ``gatheredPhaseFloats`` in all.
    static func gathersPhaseColumns(_ plan: PhaseLayout, outGroup: Int, inGroup: Int, kernel: IndirectKernel) -> Bool {
        // The gathered rows' floats, bounded (as doubles: a hostile layer's counts need not fit a product of Ints).
        let perChannel = plan.phases.reduce(0.0) { total, phase in
            let outputs = phase.count.0 * phase.count.1 * phase.count.2
            return total + Double(phase.taps.count) * Double(FastKernels.oddLineStride(outputs))
        }
        guard perChannel <= Double(gatheredPhaseRatio * plan.channelVolume + 4096),
              perChannel * Double(inGroup) <= Double(gatheredPhaseFloats) else { return false }
        func lanes(_ run: Int) -> Int { lanesComputed(run, kernel: kernel) }
        var inPlace = 0, gathered = 0
        for phase in plan.phases {
            plan.grid(phase).forEachRun(in: 0..<phase.virtualCount) { inPlace += lanes($0.count) }
            gathered += lanes(phase.count.0 * phase.count.1 * phase.count.2)
        }
        return Double(gathered) * (1 + 4 / Double(outGroup)) <= 0.9 * Double(inPlace)
    }

    /// The output phases of a transposed convolution (`geometry`: its associated convolution's) for the
    /// positions GEMM, when the phases' own indirect GEMM does not take the layer: output rows of at least four
    /// positions in every phase, and output channels enough for whole vectors.
    static func positionPhasesLayout(_ geometry: Geometry3, outGroup: Int, kernel: MicroKernel) -> PhaseLayout? {
        guard outGroup >= 2 * kernel.positions.columns / 3, let plan = PhaseLayout(associated: geometry),
              plan.phases.allSatisfy({ $0.count.2 >= 4 }) else { return nil }
        return plan
    }

    /// Whether a transposed convolution's col2im GEMM should split its input positions between threads
    /// instead of its output channels: when the channels do not go round evenly (DCGAN's last layer has 3
    /// for 2 threads: one thread would do two thirds of the work), the positions are many, and a private
    /// output per extra thread is small.
    static func splitsTransposedColumns(outGroup: Int, columns: Int, outputPlane: Int, threads: Int, kernel: IndirectKernel) -> Bool {
        guard threads > 1 else { return false }
        let parts = min(threads, outGroup)
        let busiestByChannels = (outGroup + parts - 1) / parts * columns
        let busiestByColumns = outGroup * ((columns + threads - 1) / threads)
        return 10 * busiestByColumns < 8 * busiestByChannels && columns >= 2 * threads * kernel.columns
            && (threads - 1) * outGroup * outputPlane <= 1 << 20
    }

    /// Whether a depthwise convolution runs on the grid, where a band of one output row fits: at unit strides
    /// on every kernel (Zen 4, one thread: 3 × 3 on 128 × 56 × 56 0.29 → 0.25 ms with AVX-512, 0.32 → 0.22
    /// with AVX2; 960 channels of 7 × 7 0.18 → 0.12), strided on the portable kernels only (whose direct loops
    /// take one output at a time; the vector kernels' direct loops read strided rows faster than the grid's
    /// phases are copied: MobileNet's stride-2 3 × 3 0.11 against 0.25 ms).
    static func gridServesDepthwise(_ g: Geometry3, kernel: MicroKernel) -> Bool {
        (kernel.name == "portable" || g.stride == (1, 1, 1)) && g.kernel != (1, 1, 1) && gridServes(g)
    }

    /// Whether a depthwise convolution runs a block of channels at once
    /// (``ConvolutionPlan/Path/depthwiseChannels``): ``blocksWindowChannels(_:planes:kernels:)`` over its channels.
    static func blocksDepthwiseChannels(_ g: Geometry3, channels: Int, kernel: MicroKernel) -> Bool {
        blocksWindowChannels(g, planes: channels, kernels: RowKernels.matching(kernel))
    }

    /// Whether a window layer (a depthwise convolution, a pooling) runs blocks of planes at once, channels
    /// innermost (``ConvolutionPlan/Path/depthwiseChannels``, ``PoolingPath/channels``): planes enough for a
    /// block, windows of more than one tap, a channel-blocked grid within the limit, and planes of few outputs
    /// — at most ``windowChannelsOutputs``, or up to ``windowChannelsTapOutputs`` where the taps' work is at
    /// least three times the input (the block's transposes in and out cost about one tap of an output per input
    /// float). A plane's own vectors fill badly along short output rows, and its grid, divisions and call are
    /// fixed costs. Zen 4, one thread, AVX-512, min of alternating runs (the transposes as 8 × 8 register blocks):
    /// 512 planes of a 7 × 7 global average pooling 0.061 → 0.0066 ms, 960 channels of a 3 × 3 average pooling
    /// on 7 × 7 0.133 → 0.038, a 2 × 2 stride-2 one onto 7 × 7 0.060 → 0.022, depthwise 3 × 3 on 960 × 7 × 7
    /// 0.063 → 0.042; with 14 × 14 outputs a 3 × 3 average pooling 0.087 → 0.029 and a depthwise 3 × 3 on 576
    /// channels 0.128 → 0.073, but 2 × 2 and 3 × 3 stride-2 poolings onto 14 × 14 (taps 1 and 2.25 times the
    /// input) 0.036 → 0.047 and 0.065 → 0.074, and with 28 × 28 outputs equal or slower.
    static func blocksWindowChannels(_ g: Geometry3, planes: Int, kernels: RowKernels) -> Bool {
        var geometry = DirectKernels.windowGeometry(g)
        // Products as doubles: a pooling's kernel is bounded by no tensor.
        let taps = Double(g.kernel.0) * Double(g.kernel.1) * Double(g.kernel.2)
        let outputs = Double(g.output.0) * Double(g.output.1) * Double(g.output.2)
        let inputs = Double(g.input.0) * Double(g.input.1) * Double(g.input.2)
        let few = outputs <= Double(windowChannelsOutputs)
            || (outputs <= Double(windowChannelsTapOutputs) && taps * outputs >= 3 * inputs)
        return planes >= Int(kernels.windowChannels.lanes) && taps > 1 && few
            && convarith_window_channels_scratch(&geometry, gridLimit * 16) > 0
    }

    /// The outputs of a plane below which a window layer runs blocks of planes
    /// (``blocksWindowChannels(_:planes:kernels:)``), and the most it may have where its taps are many.
    static let windowChannelsOutputs = 100, windowChannelsTapOutputs = 256

    /// How many compacted tiles the indirect GEMM gathers before its row panels run over them
    /// (``IndirectLayout/tileGroup``), each panel across the group's tiles in turn: more than one where one tile's
    /// stores to `rows` rows of the output, a plane apart, would crowd a few cache sets — planes whose rows start in a
    /// few of L1's 64 sets (224 × 224 and 64 × 64 in one, 112 × 112 in four) — so that the lines a misaligned tile
    /// leaves part-written are evicted before the next tile completes them; with the panel across the group, each row's
    /// tiles are stored one after the other. As many tiles as keep the group's gathered rows within 64 KB (in L2 across
    /// the panels), at most 16. A 32 KB 8-way L1 of 64-byte lines is assumed, as in
    /// ``gathersTiles(_:inGroup:rows:kernel:)``. Zen 4, alternating runs: VGG's 3 → 64 on 224 × 224 (64 rows in 4 sets
    /// a tile) 3.08 → 2.15 ms at one thread (ONNX Runtime 2.14–2.19), 2.42 → 1.62 at two, 3.04 → 2.21 on AVX2; a
    /// dilated 3 × 3 of depth 306 on 64 × 64 on AVX2 (groups of 4, two depth blocks) 4.91 → 4.07; SRCNN on 64 × 64
    /// unchanged; rows that do not alias (wav2vec's 1 → 512 over 3,199 outputs) 2–4 % slower grouped.
    static func tileGroup(_ plan: IndirectLayout, rows: Int, inGroup: Int, kernel: IndirectKernel) -> Int {
        guard plan.compactsColumns, plan.tapBands == nil, rows > 0 else { return 1 }
        let tileBytes = min(inGroup * plan.geometry.taps, indirectDepthBlock) * kernel.columns * 4
        let group = min(16, (64 << 10) / max(1, tileBytes))
        guard group > 1 else { return 1 }
        // The lines one tile stores, a misaligned one's four (of 48 floats) per row, a plane apart.
        let spanned = Int64((kernel.columns * 4 + 60) / 64 + 1), plane = Int64(plan.geometry.outputCount)
        var lines: [Int64] = []
        for row in 0..<Int64(min(rows, 256)) {
            for line in 0..<spanned { lines.append(row * plane / 16 + line) }
        }
        let (crowded, distinct) = crowdedSet(lines)
        return crowded > l1Ways && crowded > 2 * ((distinct + l1Sets - 1) / l1Sets) ? group : 1
    }

    /// The sets and ways of the L1 data cache the planner assumes (32 KB, 8-way, lines of 64 bytes).
    static let l1Sets = 64, l1Ways = 8

    /// The most distinct lines of `lines` (cache-line indices, in any order, repeats allowed) that fall in one
    /// of L1's sets, and how many distinct lines there are. Sorted rather than hashed: a set's hashing cost more
    /// than the planner's other work on a small layer.
    static func crowdedSet(_ lines: [Int64]) -> (most: Int, distinct: Int) {
        let sorted = lines.sorted(), sets = Int64(l1Sets)
        var perSet = [Int](repeating: 0, count: l1Sets), distinct = 0
        for (index, line) in sorted.enumerated() where index == 0 || sorted[index - 1] != line {
            perSet[Int((line % sets + sets) % sets)] += 1
            distinct += 1
        }
        return (perSet.max() ?? 0, distinct)
    }

    /// Whether the indirect GEMM gathers each tile's rows of B into consecutive rows (and packs its weights in
    /// panels) before the tile's row panels run: when the gathered tile fits half of L1 (the 16-column AVX2
    /// and 8-column portable tiles; the 48-column AVX-512 one does not), the rows read in place would not stay in L1
    /// (more lines in one cache set than its ways hold: rows a plane apart, as a 1 × 1 layer's are, whose
    /// planes are a multiple of a few lines), and there are panels enough to pay for the copy. A 32 KB
    /// 8-way L1 of 64-byte lines (64 sets) is assumed; Intel's 48 KB 12-way one has as many sets. Zen 4, AVX2,
    /// one thread, a 256 × 256 GEMM over 3,136 columns (rows 196 lines apart, 16 sets): 84 → 106 GFLOP/s
    /// gathered with the weights packed (gathered alone 77: packed weights are one stream, in-place rows six);
    /// 3 × 3 layers, whose rows overlap and spread over the sets, 1.5–4 % slower gathered; 4 panels 7 % slower.
    static func gathersTiles(_ plan: IndirectLayout, inGroup: Int, rows: Int, kernel: IndirectKernel) -> Bool {
        let taps = plan.geometry.taps, length = min(inGroup * taps, indirectDepthBlock)
        let lineFloats: Int64 = 16
        guard length * kernel.columns * 4 <= 16 << 10, (rows + kernel.rows - 1) / kernel.rows >= gatherPanels else {
            return false
        }
        // The rows of the first depth block: the first channels' taps.
        let offsets = plan.offsets(channels: min(inGroup, (length + taps - 1) / taps))
        var lines: [Int64] = []
        lines.reserveCapacity(length * 2)
        for p in 0..<length {
            let first = offsets[p] / lineFloats, last = (offsets[p] + Int64(kernel.columns) - 1) / lineFloats
            for line in first...last { lines.append(line) }
        }
        return crowdedSet(lines).most > l1Ways
    }
}
