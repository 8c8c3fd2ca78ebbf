import ConvArithmetic

/// How the fast path computes one convolution or transposed convolution: the path (which GEMM, or the
/// direct depthwise loops), the micro-kernel, the threads, and the layout the path reads — chosen once from
/// the checked layer and the machine by ``FastKernels/plan(shape:input:weight:bias:groups:threads:microKernel:use:)``.
/// ``FastKernels/execute(_:x:weight:bias:)`` runs it; ``FastKernels/convolution(_:weight:bias:shape:groups:threads:microKernel:)``
/// is the two in one call, and ``PreparedLayer`` packs the weights its plan's GEMM reads.
///
/// ```swift
/// let plan = try FastKernels.plan(shape: shape, input: x.shape, weight: w.shape, threads: 2)
/// print(plan)                      // indirect-gemm (f32-indirect-gemm-8x48-avx512), 2 threads
/// let y = try FastKernels.execute(plan, x: x, weight: w, bias: b)
/// ```
public struct ConvolutionPlan: Sendable, CustomStringConvertible {
    /// The way a layer is computed.
    public enum Path: String, Sendable, CaseIterable, CustomStringConvertible {
        /// Rank above 3: the reference loops.
        case referenceLoops = "reference-loops"
        /// One input and one output channel a group: direct window loops over each plane.
        case depthwise
        /// ``depthwise`` on the plane's padded input split into its strides' phases, each output one stream of
        /// loads: unit strides, and strided layers on the portable kernels.
        case depthwiseGrid = "depthwise-grid"
        /// ``depthwise`` a block of channels at once (16 on AVX-512, 8 on AVX2, 4 portable), channels innermost:
        /// each output a vector of the block's channels — for small planes with many channels (MobileNet's
        /// last stages), where one plane's outputs are too few for the grid's stream to pay.
        case depthwiseChannels = "depthwise-channels"
        /// Few output positions next to many output channels: positions as the GEMM's rows, `Wᵀ` as its
        /// wide side (packed once by a prepared layer).
        case positionsGEMM = "positions-gemm"
        /// The indirect GEMM over the input, zero-padded and phase-split once or read in place.
        case indirectGEMM = "indirect-gemm"
        /// Few output positions whose padded copy would be large: the im2col materialized as the GEMM's
        /// rows, the weights streamed.
        case weightsGEMM = "weights-gemm"
        /// The packed GEMM over an implicit im2col (a padded copy would dwarf the input).
        case im2colGEMM = "im2col-gemm"
        /// A transposed convolution as one indirect GEMM per output phase (weights per phase packed once by a
        /// prepared layer).
        case outputPhases = "output-phases"
        /// A transposed convolution's output phases on the positions GEMM (few input positions).
        case positionPhases = "position-phases"
        /// A transposed depthwise convolution (one input and one output channel a group): each output phase of
        /// each plane one weighted stream of loads over the plane's padded input, stored `s` apart.
        case depthwisePhases = "depthwise-phases"
        /// A transposed convolution with few input positions: `colsᵀ = xᵀ · W`, then a col2im scatter.
        case transposedWeightsGEMM = "transposed-weights-gemm"
        /// The GEMM and col2im scatter with the input positions split over the threads, each scattering into
        /// an output of its own (output channels that do not go round the threads).
        case col2imSplitPositions = "col2im-split-positions"
        /// The GEMM over the weights' rows and x read in place, then the col2im scatter; threads split the
        /// output channels.
        case col2im

        /// The path's name as `bench` and `run --verbose` print it (`indirect-gemm`).
        public var description: String { rawValue }
    }

    /// What the plan is made for: a call that reads the weights as they are, or a ``PreparedLayer`` that packs
    /// them once (which makes the phases' positions GEMM worth it for any number of input positions on the
    /// 48-wide kernel).
    public enum Use: Sendable, Hashable {
        /// One call of ``FastKernels``.
        case perCall
        /// A layer prepared once for many calls.
        case prepared
    }

    /// The layer's sizes.
    public let shape: LayerShape
    /// The groups of the channels.
    public let groups: Int
    /// The path.
    public let path: Path
    /// The micro-kernel the GEMMs use.
    public let microKernel: MicroKernel
    /// The most threads the call uses.
    public let threads: Int
    /// The shapes of x, w, b and y it was made for.
    public let inputShape: [Int], weightShape: [Int], biasShape: [Int]?, outputShape: [Int]

    let layout: LayerTensors
    let route: Route

    /// The path's layout: what it reads and how.
    enum Route: Sendable {
        case reference
        case depthwise(Geometry3)
        case depthwiseGrid(Geometry3)
        case depthwiseChannels(Geometry3)
        case positions(FastKernels.PositionsPlan)
        case indirect(IndirectLayout, gathers: Bool)
        case weights(Geometry3)
        case im2col(Geometry3)
        case phases(PhaseLayout)
        case positionPhases(PhaseLayout)
        case depthwisePhases(PhaseLayout)
        case transposedWeights(Geometry3)
        case col2imSplitPositions(Geometry3)
        case col2im(Geometry3)
    }

    /// The C kernel the path runs, named by data type, operation, tile (rows × columns of its register block)
    /// and instruction set, as in the C target: `f32-indirect-gemm-8x48-avx512`, `f32-grid-avx2`.
    public var kernel: String {
        let isa = microKernel.name
        func tile(_ rows: Int, _ columns: Int) -> String { "\(rows)x\(columns)" }
        switch path {
        case .referenceLoops: return "f32-reference-loops"
        case .depthwise: return "f32-window-\(isa)"
        case .depthwiseGrid, .depthwisePhases: return "f32-grid-\(isa)"
        case .depthwiseChannels: return "f32-depthwise-channels-\(isa)"
        case .positionsGEMM, .positionPhases:
            return "f32-positions-gemm-\(tile(microKernel.positions.rows, microKernel.positions.columns))-\(isa)"
        case .indirectGEMM, .outputPhases, .col2im, .col2imSplitPositions, .transposedWeightsGEMM:
            return "f32-indirect-gemm-\(tile(microKernel.indirect.rows, microKernel.indirect.columns))-\(isa)"
        case .im2colGEMM, .weightsGEMM: return "f32-gemm-\(tile(microKernel.rows, microKernel.columns))-\(isa)"
        }
    }

    /// Whether the indirect GEMM multiplies bands of outputs over only the taps their windows read inside the input
    /// (bands along the outermost axis of more than one output, and on a 2-D layer perhaps its columns too: the rest
    /// read the zero padding), the weights ordered tap-major (per call; once by a ``PreparedLayer``): a padded layer
    /// whose padding holds a twentieth of its products or more (DeepLab's dilated ASPP, a temporal 3 × 1 × 1 over 8
    /// frames).
    public var skipsPaddedTaps: Bool {
        if case .indirect(let layout, _) = route { layout.tapBands != nil } else { false }
    }

    /// Whether the bands of ``skipsPaddedTaps`` are rectangles: a 2-D layer's columns banded too, each rectangle of
    /// outputs multiplied over its rows' and columns' taps inside the input, where that skips more than a seventh
    /// of the products rows alone multiply (DeepLab's ASPP at dilations 12 and 18).
    public var skipsPaddedColumnTaps: Bool {
        if case .indirect(let layout, _) = route { layout.tapBands?.splitsColumns == true } else { false }
    }

    /// Whether the indirect GEMM reads B gathered into consecutive rows rather than in place: each tile's rows
    /// of the input (the weights then packed in panels) on the 16- and 8-column kernels, for inputs whose rows
    /// would share a few cache sets and evict each other (rows a plane apart, as a 1 × 1 layer's are), with
    /// panels enough to pay the copy; or a convolution's tiles, or a transposed layer's output phases, gathered
    /// into rows of exactly their outputs, where the virtual columns between output rows would fill the tiles
    /// badly.
    public var gathersTiles: Bool {
        switch route {
        case .indirect(let layout, let gathers): gathers || layout.compactsColumns
        case .phases(let layout): layout.gathersColumns
        default: false
        }
    }

    /// Whether the indirect GEMM gathers its compacted tiles in groups and runs each row panel across a group:
    /// shallow layers whose output planes' rows start in a few cache sets, one tile's stores to every row
    /// otherwise crowding them (VGG's first layer on 224 × 224).
    public var groupsTiles: Bool {
        if case .indirect(let layout, _) = route { layout.tileGroup > 1 } else { false }
    }

    /// The plan as `bench` and `run --verbose` print it:
    /// `indirect-gemm (f32-indirect-gemm-8x48-avx512), 2 threads`; `…, tiles gathered, …` when it
    /// ``gathersTiles`` (`…, tiles gathered in groups, …` when it also ``groupsTiles``), `…, padded taps
    /// skipped, …` when it ``skipsPaddedTaps``.
    public var description: String {
        let notes = (gathersTiles ? ", tiles gathered" + (groupsTiles ? " in groups" : "") : "")
            + (skipsPaddedTaps ? ", padded taps skipped" : "")
        return "\(path) (\(kernel)\(notes)), \(threads) thread\(threads == 1 ? "" : "s")"
    }
}

extension FastKernels {
    /// The plan for a convolution or transposed convolution with tensors of these shapes: the checks every
    /// kernel makes (channels, shapes, the work limit, a layer no formulation reproduces), then the path.
    ///
    /// - Throws: ``KernelError`` when the shapes do not fit the layer or a limit is passed, or `shape` is a
    ///   pooling layer's.
    public static func plan(shape: LayerShape, input: [Int], weight: [Int], bias: [Int]? = nil, groups: Int = 1,
                            threads: Int = FastThreads.default, microKernel: MicroKernel = .current,
                            use: ConvolutionPlan.Use = .perCall) throws(KernelError) -> ConvolutionPlan {
        guard shape.operation != .pooling else { throw .unsupported("pooling has no GEMM to plan; call FastKernels.pooling") }
        let layout = try LayerTensors(shape: shape, x: input, weight: weight, bias: bias, groups: groups, workScale: Self.workScale)
        let route = shape.operation == .convolution
            ? convolutionRoute(shape: shape, layout: layout, groups: groups, threads: max(1, threads),
                               kernel: microKernel)
            : transposedRoute(shape: shape, layout: layout, groups: groups, threads: threads, kernel: microKernel, use: use)
        return ConvolutionPlan(shape: shape, groups: groups, path: route.path, microKernel: microKernel, threads: max(1, threads),
                               inputShape: input, weightShape: weight, biasShape: bias, outputShape: layout.outputShape,
                               layout: layout, route: route)
    }

    /// A convolution's route: depthwise loops for one channel a group; the positions GEMM where the indirect
    /// GEMM's tiles would be mostly empty; the indirect GEMM wherever its layout is compact enough; the GEMM
    /// over the weights for few positions and many channels while the im2col stays small; else the packed
    /// GEMM over an implicit im2col.
    private static func convolutionRoute(shape: LayerShape, layout: LayerTensors, groups: Int, threads: Int,
                                         kernel: MicroKernel) -> ConvolutionPlan.Route {
        guard let geometry = Geometry3(shape.axes) else { return .reference }
        let inGroup = layout.inputChannels / groups, outGroup = layout.outputChannels / groups
        let depth = inGroup * geometry.taps, columns = geometry.outputCount
        if inGroup == 1 && outGroup == 1 {
            if blocksDepthwiseChannels(geometry, channels: layout.outputChannels, kernel: kernel) { return .depthwiseChannels(geometry) }
            return gridServesDepthwise(geometry, kernel: kernel) ? .depthwiseGrid(geometry) : .depthwise(geometry)
        }
        if let plan = positionsLayout(geometry, outGroup: outGroup, kernel: kernel) {
            return .positions(PositionsPlan(plan, inGroup: inGroup, kernel: kernel.positions))
        }
        if var plan = indirectLayout(geometry, inGroup: inGroup, outGroup: outGroup, kernel: kernel.indirect,
                                     threads: threads) {
            // Each part's rows decide: parts that split the rows may have too few panels to gather.
            let split = TileSplit(columns: plan.compactsColumns ? columns : plan.virtualCount, rows: outGroup,
                                  threads: threads, kernel: kernel.indirect)
            let rows = min(split.rowShare, outGroup)
            // No more tiles in a group than a chunk of a part's columns holds (the driver's unit of work).
            plan.tileGroup = min(tileGroup(plan, rows: rows, inGroup: inGroup, kernel: kernel.indirect),
                                 max(1, split.chunk / kernel.indirect.columns))
            return .indirect(plan, gathers: gathersTiles(plan, inGroup: inGroup, rows: rows, kernel: kernel.indirect))
        }
        if columns < 2 * kernel.columns && outGroup >= columns && depth * columns <= 1 << 22 { return .weights(geometry) }
        return .im2col(geometry)
    }

    /// A transposed convolution's route (its geometry is the associated convolution's):
    /// - one input and one output channel a group: each plane's output phases as weighted streams;
    /// - on the 48-wide positions kernel, phases of 64–256 outputs each on the positions GEMM;
    /// - one indirect GEMM per output phase when the phases have whole tiles of rows and columns, unless the
    ///   padded copy or the gaps between virtual rows are large: it multiplies exactly the layer's products
    ///   with full tiles and writes each output once — also when every phase has one tap (k = s), where the
    ///   col2im GEMM would zero the output and add each column into it (2.2× slower on U-Net's 2×2 stride-2
    ///   layer); B gathered into rows of each phase's outputs where its output rows are short, and then, prepared,
    ///   for fewer input positions too (DCGAN's 4 × 4 input on the narrower kernels);
    /// - too few input positions for those tiles: the phases on the positions GEMM — prepared on the 48-wide
    ///   kernel always, per call from 64 positions a phase, where packing every phase's weights is a small part
    ///   of the call (DCGAN's 256 → 128 layer: 0.42 → 0.39 ms; its 512 → 256 one, 16 a phase, took 0.88 against
    ///   0.57 ms per call this way, and 0.39 ms with the weights packed once). The 16-wide AVX2 kernel runs
    ///   16 positions a phase in three panels of six, its weights streamed for each: prepared that way the
    ///   512 → 256 layer took 1.64–2.75 ms at one thread on Zen 4, against 1.39–1.45 per call by the GEMM below;
    /// - few input positions next to many (output channel, tap) rows: the GEMM the other way round, while its
    ///   whole colsᵀ stays small (it is not chunked);
    /// - output channels that do not go round the threads: the col2im GEMM with the input positions split;
    /// - else the col2im GEMM with the output channels split.
    private static func transposedRoute(shape: LayerShape, layout: LayerTensors, groups: Int, threads: Int, kernel: MicroKernel,
                                        use: ConvolutionPlan.Use) -> ConvolutionPlan.Route {
        guard let geometry = Geometry3(shape.axes.map(\.associatedConvolution)) else { return .reference }
        let outGroup = layout.outputChannels / groups, inGroup = layout.inputChannels / groups
        let taps = geometry.taps, columns = geometry.outputCount, outputPlane = geometry.inputCount
        if inGroup == 1 && outGroup == 1, let plan = PhaseLayout(associated: geometry) { return .depthwisePhases(plan) }
        // On the 48-wide positions kernel (AVX-512), phases of 64–256 outputs run faster on the positions GEMM than
        // on their own indirect GEMM (Zen 4, one thread: HiFi-GAN's 512 → 256, k 16, s 8 on 100 positions 5.9–6.0
        // → 5.1–5.5 ms per call, 4.48 → 4.33 prepared; DCGAN's 128 × 16 × 16 0.75 → 0.70); with more outputs a phase
        // (U-Net's 4,096) the indirect GEMM stays faster.
        if kernel.positions.columns >= 48, let plan = positionPhasesLayout(geometry, outGroup: outGroup, kernel: kernel),
           plan.phases.allSatisfy({ (64...256).contains($0.count.0 * $0.count.1 * $0.count.2) }) {
            return .positionPhases(plan)
        }
        if let plan = phaseLayout(geometry, outGroup: outGroup, inGroup: inGroup, kernel: kernel, use: use) {
            return .phases(plan)
        }
        if let plan = positionPhasesLayout(geometry, outGroup: outGroup, kernel: kernel),
           (use == .prepared && kernel.positions.columns >= 48)
            || plan.phases.allSatisfy({ $0.count.0 * $0.count.1 * $0.count.2 >= 64 }) {
            return .positionPhases(plan)
        }
        if columns <= outGroup * taps && columns * outGroup * taps <= 1 << 22 { return .transposedWeights(geometry) }
        if splitsTransposedColumns(outGroup: outGroup, columns: columns, outputPlane: outputPlane, threads: threads, kernel: kernel.indirect) {
            return .col2imSplitPositions(geometry)
        }
        return .col2im(geometry)
    }

    /// Runs `plan` on tensors of the shapes it was made for.
    ///
    /// - Throws: ``KernelError/shapeMismatch(tensor:expected:actual:)`` when a tensor's shape is not the plan's.
    public static func execute(_ plan: ConvolutionPlan, x: Tensor, weight: Tensor, bias: Tensor? = nil) throws(KernelError) -> Tensor {
        try execute(plan, x: x, weight: weight, bias: bias, tapMajorWeight: nil)
    }

    /// Runs `plan`, with the weights also in tap-major order (``tapMajorWeights(_:groups:inGroup:outGroup:taps:isa:)``,
    /// made once by a ``PreparedLayer``) for an indirect GEMM whose bands of taps read them so.
    static func execute(_ plan: ConvolutionPlan, x: Tensor, weight: Tensor, bias: Tensor?,
                        tapMajorWeight: Tensor?) throws(KernelError) -> Tensor {
        func expect(_ name: String, _ actual: [Int]?, _ planned: [Int]?) throws(KernelError) {
            guard actual == planned else {
                throw .shapeMismatch(tensor: name, expected: planned.map { "[" + $0.map(String.init).joined(separator: ", ") + "]" } ?? "none",
                                     actual: actual ?? [])
            }
        }
        try expect("x", x.shape, plan.inputShape)
        try expect("w", weight.shape, plan.weightShape)
        try expect("b", bias?.shape, plan.biasShape)
        let layout = plan.layout, groups = plan.groups, threads = plan.threads, kernel = plan.microKernel
        switch plan.route {
        case .reference:
            return plan.shape.operation == .convolution
                ? try ReferenceKernels.convolution(x, weight: weight, bias: bias, shape: plan.shape, groups: groups)
                : try ReferenceKernels.transposedConvolution(x, weight: weight, bias: bias, shape: plan.shape, groups: groups)
        case .depthwise(let geometry):
            return depthwise(x, weight: weight, bias: bias, layout: layout, geometry: geometry, threads: threads, kernels: RowKernels.matching(kernel))
        case .depthwiseGrid(let geometry):
            return depthwise(x, weight: weight, bias: bias, layout: layout, geometry: geometry, threads: threads, kernels: RowKernels.matching(kernel),
                             grid: true)
        case .depthwiseChannels(let geometry):
            return channelBlockedDepthwise(x, weight: weight, bias: bias, layout: layout, geometry: geometry, threads: threads,
                                           kernels: RowKernels.matching(kernel))
        case .positions(let positions):
            return positionsConvolution(x, weight: weight, bias: bias, layout: layout, plan: positions, groups: groups, threads: threads,
                                        kernel: kernel.positions)
        case .indirect(let indirect, let gathers):
            let ordered = indirect.tapBands == nil ? nil : tapMajorWeight
            return indirectConvolution(x, weight: ordered ?? weight, bias: bias, layout: layout, plan: indirect,
                                       groups: groups, threads: threads, kernel: kernel.indirect, gathers: gathers,
                                       weightsTapMajor: ordered != nil)
        case .weights(let geometry):
            return convolutionFewColumns(x, weight: weight, bias: bias, layout: layout, geometry: geometry, groups: groups, threads: threads,
                                         microKernel: kernel)
        case .im2col(let geometry):
            return im2colConvolution(x, weight: weight, bias: bias, layout: layout, geometry: geometry, groups: groups, threads: threads,
                                     microKernel: kernel)
        case .phases(let phases):
            return transposedPhases(x, weight: weight, bias: bias, layout: layout, plan: phases, groups: groups, threads: threads,
                                    kernel: kernel.indirect)
        case .positionPhases(let phases):
            return transposedPositions(x, weight: weight, packedWeights: nil, bias: bias, layout: layout, plan: phases, groups: groups,
                                       threads: threads, kernel: kernel.positions)
        case .depthwisePhases(let phases):
            return depthwisePhases(x, weight: weight, bias: bias, layout: layout, plan: phases, threads: threads,
                                   kernels: RowKernels.matching(kernel), isa: kernel.indirect.isa)
        case .transposedWeights(let geometry):
            return transposedFewColumns(x, weight: weight, bias: bias, layout: layout, geometry: geometry, groups: groups, threads: threads,
                                        microKernel: kernel)
        case .col2imSplitPositions(let geometry):
            var y = [Float](repeating: 0, count: layout.outputShape.reduce(1, *))
            transposedByColumns(x, weight: weight, into: &y, layout: layout, geometry: geometry, groups: groups, threads: threads,
                                kernel: kernel.indirect)
            if let bias { addBias(bias, to: &y, channels: layout.outputChannels, plane: geometry.inputCount) }
            return Tensor(uncheckedShape: layout.outputShape, data: y)
        case .col2im(let geometry):
            return col2imTransposed(x, weight: weight, bias: bias, layout: layout, geometry: geometry, groups: groups, threads: threads,
                                    kernel: kernel.indirect)
        }
    }
}

extension ConvolutionPlan.Route {
    /// The path this route takes.
    var path: ConvolutionPlan.Path {
        switch self {
        case .reference: .referenceLoops
        case .depthwise: .depthwise
        case .depthwiseGrid: .depthwiseGrid
        case .depthwiseChannels: .depthwiseChannels
        case .positions: .positionsGEMM
        case .indirect: .indirectGEMM
        case .weights: .weightsGEMM
        case .im2col: .im2colGEMM
        case .phases: .outputPhases
        case .positionPhases: .positionPhases
        case .depthwisePhases: .depthwisePhases
        case .transposedWeights: .transposedWeightsGEMM
        case .col2imSplitPositions: .col2imSplitPositions
        case .col2im: .col2im
        }
    }
}
