import ConvArithmetic

/// A convolution or transposed convolution prepared once for many calls of the fast path, as an inference
/// engine prepares a model's layers when it loads them: the layer's GEMM is chosen, and the weights that
/// GEMM reads are packed now instead of on every call — transposed for the positions GEMM of a deep layer
/// with few output positions, split into output phases for a transposed convolution's phase GEMMs. A layer
/// whose GEMM reads its weights in place has nothing to pack, and runs as ``FastKernels`` does.
///
/// A call gives the same floats as ``FastKernels/convolution(_:weight:bias:shape:groups:threads:microKernel:)``
/// or ``FastKernels/transposedConvolution(_:weight:bias:shape:groups:threads:microKernel:)`` with the same
/// weights and kernel, bit for bit — except a transposed layer with very few input positions (fewer than 64
/// outputs a phase: a GAN's first layers), whose GEMM preparation changes: per call the GEMM over the weights
/// and a col2im scatter, prepared its output phases — on the positions GEMM with the 48-wide kernel, on their
/// own indirect GEMM over gathered rows with the narrower ones — which packing every call would make slower.
/// Its sums are taken in another order, and agree with the reference as closely. A layer whose indirect GEMM
/// multiplies bands of outputs over their taps inside the input (``ConvolutionPlan/skipsPaddedTaps``) keeps its
/// weights in the tap-major order those bands read, which a call would make each time.
///
/// ```swift
/// let layer = try PreparedLayer(shape: shape, weight: w, bias: b)
/// for x in batches { let y = try layer(x) }
/// ```
public struct PreparedLayer: Sendable {
    /// The layer's sizes.
    public let shape: LayerShape
    /// The weights, in PyTorch's layout.
    public let weight: Tensor
    /// The bias, one value per output channel.
    public let bias: Tensor?
    /// The groups of the channels.
    public let groups: Int
    /// The micro-kernel the weights are packed for.
    public let microKernel: MicroKernel
    /// The plan the weights are packed for (made for one sample and the default threads; a layer whose GEMM
    /// reads the weights in place, or in tap-major order, is planned again at each call, for its batch and
    /// threads).
    public let plan: ConvolutionPlan
    private let packing: Packing

    /// What was packed.
    private enum Packing: Sendable {
        /// Nothing: the layer's GEMM reads the weights in place.
        case none
        /// `Wᵀ` for the positions GEMM, and its plan.
        case positions(FastKernels.PositionsWeights, FastKernels.PositionsPlan)
        /// Every output phase's weights, per group, in panels for the phases' indirect GEMM, and the phases.
        case phases([FastKernels.PhaseWeights], PhaseLayout)
        /// Every output phase's weights, per group, output channels as rows for the positions GEMM, and the phases.
        case positionPhases([FastKernels.PhaseWeights], PhaseLayout)
        /// Each output channel's weights in tap-major order, for an indirect GEMM over bands of taps (the layer is
        /// planned again at each call; a call whose plan has no bands reads the weights as they are).
        case tapMajor(Tensor)
    }

    /// Checks `weight` and `bias` against the layer and packs the weights for its GEMM.
    ///
    /// - Throws: ``KernelError`` when the tensors do not fit the layer (the input's channels are the
    ///   weights'), when `shape` is a pooling layer's (it has no weights), or when the packed weights would
    ///   pass the memory limit.
    public init(shape: LayerShape, weight: Tensor, bias: Tensor? = nil, groups: Int = 1, microKernel: MicroKernel = .current) throws(KernelError) {
        guard shape.operation != .pooling else {
            throw .unsupported("pooling has no weights to prepare; call FastKernels.pooling for each input")
        }
        guard weight.shape.count == shape.rank + 2, groups >= 1 else {
            throw .shapeMismatch(tensor: "w", expected: "[C_out, C_in/groups, " + shape.axes.map { String($0.kernel) }.joined(separator: ", ") + "]",
                                 actual: weight.shape)
        }
        // One sample with the weights' input channels: the tensors' checks, without an input.
        let (inputChannels, overflow) = weight.shape[shape.operation == .convolution ? 1 : 0]
            .multipliedReportingOverflow(by: shape.operation == .convolution ? groups : 1)
        guard !overflow else { throw .shapeMismatch(tensor: "w", expected: "fewer channels", actual: weight.shape) }
        // One planner for a call and a prepared layer; planned for one sample (the weights do not depend on the batch).
        let plan = try FastKernels.plan(shape: shape, input: [1, inputChannels] + shape.input, weight: weight.shape, bias: bias?.shape,
                                        groups: groups, microKernel: microKernel, use: .prepared)
        self.shape = shape
        self.weight = weight
        self.bias = bias
        self.groups = groups
        self.microKernel = microKernel
        self.plan = plan
        packing = try Self.pack(weight, plan: plan)
    }

    /// The weights for the layer's GEMM, packed: the plan's path decides what (one planner decides for a call
    /// and for a prepared layer).
    private static func pack(_ weight: Tensor, plan: ConvolutionPlan) throws(KernelError) -> Packing {
        let layout = plan.layout, groups = plan.groups, kernel = plan.microKernel
        let outGroup = layout.outputChannels / groups, inGroup = layout.inputChannels / groups
        switch plan.route {
        case .positions(let positions):
            guard let geometry = Geometry3(plan.shape.axes) else { return .none }
            let depth = inGroup * geometry.taps
            _ = try MemoryLimit.current.check([groups, depth, outGroup + 32])
            return weight.data.withUnsafeBufferPointer { w in
                .positions(FastKernels.PositionsWeights(w.baseAddress!, groups: groups, outGroup: outGroup, depth: depth, isa: kernel.positions.isa),
                           positions)
            }
        case .phases(let phases), .positionPhases(let phases):
            guard let geometry = Geometry3(plan.shape.axes.map(\.associatedConvolution)) else { return .none }
            let taps = geometry.taps
            let positional: Bool = if case .positionPhases = plan.route { true } else { false }
            let panelRows = positional ? FastKernels.positionPhaseStride(outGroup: outGroup) : kernel.indirect.rows
            _ = try MemoryLimit.current.check([groups, inGroup * taps, positional ? panelRows : outGroup + kernel.indirect.rows])
            let packed = weight.data.withUnsafeBufferPointer { w in
                (0..<groups).map { group in
                    FastKernels.PhaseWeights(w.baseAddress! + group * inGroup * outGroup * taps, phases: phases.phases, inGroup: inGroup,
                                             outGroup: outGroup, taps: taps, panelRows: panelRows, isa: kernel.indirect.isa, threads: 1)
                }
            }
            return positional ? .positionPhases(packed, phases) : .phases(packed, phases)
        case .indirect(let indirect, _) where indirect.tapBands != nil:
            let taps = indirect.geometry.taps
            _ = try MemoryLimit.current.check([groups, inGroup * taps, outGroup])
            return .tapMajor(FastKernels.tapMajorWeights(weight, groups: groups, inGroup: inGroup, outGroup: outGroup,
                                                         taps: taps, isa: kernel.indirect.isa))
        default:
            return .none
        }
    }

    /// Floats of packed weights the layer keeps beside its weights (0 when its GEMM reads them in place).
    public var packedCount: Int {
        switch packing {
        case .none: 0
        case .positions(let packed, _): packed.data.count
        case .phases(let packed, _), .positionPhases(let packed, _): packed.reduce(0) { $0 + $1.data.count }
        case .tapMajor(let ordered): ordered.count
        }
    }

    /// The layer applied to `x` (`[N, C_in, spatial…]`) on up to `threads` threads.
    ///
    /// - Throws: ``KernelError`` when `x` does not fit the layer, or its output would pass the memory limit.
    public func callAsFunction(_ x: Tensor, threads: Int = FastThreads.default) throws(KernelError) -> Tensor {
        // The tensors' checks, for the paths that do not make them.
        func checked() throws(KernelError) -> LayerTensors {
            try LayerTensors(shape: shape, x: x, weight: weight, bias: bias, groups: groups, workScale: FastKernels.workScale)
        }
        switch packing {
        case .none:
            return shape.operation == .convolution
                ? try FastKernels.convolution(x, weight: weight, bias: bias, shape: shape, groups: groups, threads: threads, microKernel: microKernel)
                : try FastKernels.transposedConvolution(x, weight: weight, bias: bias, shape: shape, groups: groups, threads: threads,
                                                        microKernel: microKernel)
        case .tapMajor(let ordered):
            let plan = try FastKernels.plan(shape: shape, input: x.shape, weight: weight.shape, bias: bias?.shape,
                                            groups: groups, threads: threads, microKernel: microKernel)
            return try FastKernels.execute(plan, x: x, weight: weight, bias: bias, tapMajorWeight: ordered)
        case .positions(let packed, let plan):
            return FastKernels.positionsConvolution(x, weight: weight, packed: packed, bias: bias, layout: try checked(), plan: plan, groups: groups,
                                                    threads: threads, kernel: microKernel.positions)
        case .phases(let packed, let plan):
            return FastKernels.transposedPhases(x, weight: weight, packedWeights: packed, bias: bias, layout: try checked(), plan: plan,
                                                groups: groups, threads: threads, kernel: microKernel.indirect)
        case .positionPhases(let packed, let plan):
            return FastKernels.transposedPositions(x, weight: weight, packedWeights: packed, bias: bias, layout: try checked(), plan: plan,
                                                   groups: groups, threads: threads, kernel: microKernel.positions)
        }
    }
}
