import ConvArithmetic
import ConvKernels
import PropertyBased
import Testing

/// The same float bit for bit, or both NaN.
private func sameFloat(_ pair: (Float, Float)) -> Bool {
    pair.0.bitPattern == pair.1.bitPattern || (pair.0.isNaN && pair.1.isNaN)
}

private func relativeDifference(_ a: Tensor, _ b: Tensor) -> Float {
    guard a.shape == b.shape else { return .infinity }
    let scale = max(a.data.lazy.map(abs).max() ?? 0, 1)
    return a.maximumDifference(to: b) / scale
}

/// Every micro-kernel this CPU can run (the portable one always).
private let kernels = ["avx512", "avx2", "portable"].filter(MicroKernel.isSupported).map { MicroKernel(named: $0) }

/// The path the planner chooses for tensors of these shapes.
private func path(_ shape: LayerShape, x: [Int], w: [Int], groups: Int = 1, threads: Int = 1, _ microKernel: MicroKernel,
                  use: ConvolutionPlan.Use = .perCall) throws -> ConvolutionPlan.Path {
    try FastKernels.plan(shape: shape, input: x, weight: w, groups: groups, threads: threads, microKernel: microKernel, use: use).path
}

/// Expects `fast(kernel, threads)` to equal `reference` for every micro-kernel and for 1 and 2 threads.
private func expectEveryKernelAgrees(with reference: Tensor, _ context: String,
                                     _ fast: (MicroKernel, Int) throws -> Tensor) throws {
    for microKernel in kernels {
        for threads in [1, 2] {
            #expect(relativeDifference(reference, try fast(microKernel, threads)) <= 1e-5, "\(microKernel.name), \(threads) threads: \(context)")
        }
    }
}

@Suite("The fast path agrees with the reference loops")
struct FastKernelTests {
    @Test("fast convolution = reference, for every micro-kernel and 1 or 2 threads, ranks 1–3, groups, dilation, padding")
    func fastConvolutionAgrees() async {
        var checked = 0
        await propertyCheck(count: 120, input: LayerCase.generator, Gen.int(in: 1...3)) { layer, rank in
            let input = (layer.input + [5, 4, 3]).prefix(rank).map { $0 + 2 }
            let kernel = Array((layer.kernel + [2, 3, 1]).prefix(rank))
            guard let shape = try? ConvolutionSpec(kernel: kernel, stride: [layer.stride[0]], padding: .symmetric([layer.padding[0]]),
                                                  dilation: [layer.dilation[0]]).shape(input: Array(input)) else { return }
            checked += 1
            var rng = SeededGenerator(state: layer.seed)
            let inputChannels = layer.groups * layer.inGroup * 3, outputChannels = layer.groups * layer.outGroup * 5
            let x = try Tensor.random(shape: [layer.batch, inputChannels] + shape.input, using: &rng)
            let w = try Tensor.random(shape: [outputChannels, layer.inGroup * 3] + kernel, using: &rng)
            let b = try Tensor.random(shape: [outputChannels], using: &rng)
            let reference = try ReferenceKernels.convolution(x, weight: w, bias: b, shape: shape, groups: layer.groups)
            try expectEveryKernelAgrees(with: reference, "\(layer) rank \(rank)") { microKernel, threads in
                try FastKernels.convolution(x, weight: w, bias: b, shape: shape, groups: layer.groups, threads: threads, microKernel: microKernel)
            }
        }
        #expect(checked >= 60)
    }

    @Test("fast transposed convolution = reference, for every micro-kernel and 1 or 2 threads")
    func fastTransposedConvolutionAgrees() async {
        var checked = 0
        await propertyCheck(count: 120, input: LayerCase.generator) { layer in
            guard let shape = try? TransposedConvolutionSpec(kernel: layer.kernel, stride: layer.stride, padding: .symmetric(layer.padding),
                                                            dilation: layer.dilation, outputPadding: layer.outputPadding).shape(input: layer.input)
            else { return }
            checked += 1
            var rng = SeededGenerator(state: layer.seed)
            let inputChannels = layer.groups * layer.inGroup * 3, outputChannels = layer.groups * layer.outGroup * 5
            let x = try Tensor.random(shape: [layer.batch, inputChannels] + layer.input, using: &rng)
            let w = try Tensor.random(shape: [inputChannels, layer.outGroup * 5] + layer.kernel, using: &rng)
            let b = try Tensor.random(shape: [outputChannels], using: &rng)
            let reference = try ReferenceKernels.transposedConvolution(x, weight: w, bias: b, shape: shape, groups: layer.groups)
            try expectEveryKernelAgrees(with: reference, "\(layer)") { microKernel, threads in
                try FastKernels.transposedConvolution(x, weight: w, bias: b, shape: shape, groups: layer.groups, threads: threads, microKernel: microKernel)
            }
        }
        #expect(checked >= 40)
    }

    @Test("a layer larger than one cache block (K > 256, N > 512) agrees, with edge tiles on every side")
    func blockedLayerAgrees() throws {
        var rng = SeededGenerator(state: 99)
        let shape = try ConvolutionSpec(kernel: [3, 3], padding: .symmetric([1])).shape(input: [23, 29])
        let x = try Tensor.random(shape: [1, 37, 23, 29], using: &rng)
        let w = try Tensor.random(shape: [19, 37, 3, 3], using: &rng)
        let reference = try ReferenceKernels.convolution(x, weight: w, shape: shape)
        for microKernel in kernels {
            #expect(relativeDifference(reference, try FastKernels.convolution(x, weight: w, shape: shape, threads: 2, microKernel: microKernel)) <= 1e-5)
        }
    }

    @Test("transposed layers with many input positions (the GEMM over positions) and few (the GEMM over weights) agree",
          arguments: [[12, 11], [3, 4], [70], [2, 3, 12]])
    func transposedOrientationsAgree(input: [Int]) throws {
        var rng = SeededGenerator(state: UInt64(input.reduce(7, *)))
        let rank = input.count
        let shape = try TransposedConvolutionSpec(kernel: [3], stride: [2], padding: .symmetric([1]), dilation: [rank == 1 ? 2 : 1],
                                                  outputPadding: [1]).shape(input: input)
        let x = try Tensor.random(shape: [2, 6] + input, using: &rng)
        let w = try Tensor.random(shape: [6, 5] + [Int](repeating: 3, count: rank), using: &rng)
        let b = try Tensor.random(shape: [10], using: &rng)
        let reference = try ReferenceKernels.transposedConvolution(x, weight: w, bias: b, shape: shape, groups: 2)
        try expectEveryKernelAgrees(with: reference, "\(input)") { microKernel, threads in
            try FastKernels.transposedConvolution(x, weight: w, bias: b, shape: shape, groups: 2, threads: threads, microKernel: microKernel)
        }
        // The paths the cases are for, with the vector kernels (the portable one's tiles take the phases).
        let few = [[3, 4], [2, 3, 12]].contains(input)
        for microKernel in kernels where microKernel.name != "portable" {
            #expect(try path(shape, x: x.shape, w: w.shape, groups: 2, microKernel) == (few ? .transposedWeightsGEMM : .col2im), "\(microKernel.name)")
        }
    }

    @Test("transposed layers whose output channels do not go round the threads evenly (3 for 2) split the input positions, each thread scattering into an output of its own, and agree",
          arguments: [[16, 16], [400], [3, 9, 12]])
    func transposedColumnSplitAgrees(input: [Int]) throws {
        var rng = SeededGenerator(state: UInt64(input.reduce(5, *)))
        let rank = input.count
        let shape = try TransposedConvolutionSpec(kernel: [rank == 1 ? 3 : 2], stride: [2], padding: .symmetric([rank == 3 ? 0 : 1]),
                                                  outputPadding: [rank == 1 ? 1 : 0]).shape(input: input)
        for groups in [1, 2] {
            let x = try Tensor.random(shape: [2, 4] + input, using: &rng)
            let w = try Tensor.random(shape: [4, 3] + shape.axes.map(\.kernel), using: &rng)
            let b = try Tensor.random(shape: [3 * groups], using: &rng)
            let reference = try ReferenceKernels.transposedConvolution(x, weight: w, bias: b, shape: shape, groups: groups)
            try expectEveryKernelAgrees(with: reference, "\(input) groups \(groups)") { microKernel, threads in
                try FastKernels.transposedConvolution(x, weight: w, bias: b, shape: shape, groups: groups, threads: threads, microKernel: microKernel)
            }
            for microKernel in kernels {
                #expect(try path(shape, x: x.shape, w: w.shape, groups: groups, threads: 2, microKernel) == .col2imSplitPositions)
                #expect(try path(shape, x: x.shape, w: w.shape, groups: groups, threads: 1, microKernel) == .col2im)
            }
        }
    }

    @Test("convolutions with few output positions and many agree, strided and grouped",
          arguments: [[7, 7], [14, 14], [9], [3, 4, 5]])
    func convolutionOrientationsAgree(input: [Int]) throws {
        var rng = SeededGenerator(state: UInt64(input.reduce(11, *)))
        let rank = input.count
        let shape = try ConvolutionSpec(kernel: [3], stride: [2], padding: .symmetric([1])).shape(input: input)
        let x = try Tensor.random(shape: [2, 12] + input, using: &rng)
        let w = try Tensor.random(shape: [80, 6] + [Int](repeating: 3, count: rank), using: &rng)
        let b = try Tensor.random(shape: [80], using: &rng)
        let reference = try ReferenceKernels.convolution(x, weight: w, bias: b, shape: shape, groups: 2)
        try expectEveryKernelAgrees(with: reference, "\(input)") { microKernel, threads in
            try FastKernels.convolution(x, weight: w, bias: b, shape: shape, groups: 2, threads: threads, microKernel: microKernel)
        }
    }

    @Test("layers whose indirect tiles would be mostly empty take the positions GEMM and agree: every tile height (output rows of 4–50), lanes past the channels masked, depth past a block, channels split over threads, groups, strided and 1-D to 3-D",
          arguments: [
            // (input, kernel, stride, padding, in channels, out channels); the kernels that take the
            // positions GEMM on each: AVX-512 for all, AVX2 and portable for [8, 5] with 64 channels, [10, 4]
            // and the 3-D one (asserted below).
            ([13, 13], [3, 3], [2, 2], [1, 1], 24, 48),
            ([7, 7], [3, 3], [1, 1], [1, 1], 20, 96),
            ([8, 5], [3, 3], [1, 1], [1, 1], 6, 64),
            ([8, 5], [3, 3], [1, 1], [1, 1], 6, 50),
            ([10, 4], [3, 3], [1, 1], [1, 1], 40, 60),
            ([50], [3], [1], [1], 10, 64),
            ([4, 5, 5], [3, 3, 3], [1, 1, 1], [1, 1, 1], 4, 48),
            ([6, 12], [3, 3], [1, 1], [0, 1], 300, 48),
          ] as [([Int], [Int], [Int], [Int], Int, Int)])
    func positionsGEMMAgrees(input: [Int], kernel: [Int], stride: [Int], padding: [Int], inputChannels: Int, outputChannels: Int) throws {
        var rng = SeededGenerator(state: UInt64(input.reduce(5, *) + outputChannels))
        let shape = try ConvolutionSpec(kernel: kernel, stride: stride, padding: .symmetric(padding)).shape(input: input)
        for groups in [1, 2] {
            let x = try Tensor.random(shape: [2, inputChannels] + input, using: &rng)
            let w = try Tensor.random(shape: [outputChannels * groups, inputChannels / groups] + kernel, using: &rng)
            let b = try Tensor.random(shape: [outputChannels * groups], using: &rng)
            let reference = try ReferenceKernels.convolution(x, weight: w, bias: b, shape: shape, groups: groups)
            try expectEveryKernelAgrees(with: reference, "\(input) groups \(groups)") { microKernel, threads in
                try FastKernels.convolution(x, weight: w, bias: b, shape: shape, groups: groups, threads: threads, microKernel: microKernel)
            }
            let everyKernel = (input == [8, 5] && outputChannels == 64) || input == [10, 4] || input.count == 3
            for microKernel in kernels where everyKernel || microKernel.name == "avx512" {
                #expect(try path(shape, x: x.shape, w: w.shape, groups: groups, microKernel) == .positionsGEMM, "\(microKernel.name)")
            }
        }
    }

    @Test("a prepared layer gives the per-call fast path's floats bit for bit, call after call and for any batch: positions GEMM layers (weights packed transposed), transposed layers by output phases (phase weights packed), layers whose bands of taps read the weights tap-major (ordered once), and layers whose GEMM reads the weights in place",
          arguments: [
            // (operation, input, kernel, stride, padding, in channels, out channels, groups)
            ("conv", [13, 13], [3, 3], [2, 2], [1, 1], 24, 48, 1),
            ("conv", [9], [3], [1], [1], 10, 50, 2),
            ("conv", [20, 20], [3, 3], [1, 1], [1, 1], 8, 16, 1),
            // Rows 0–1 and 18–19 read only the padding: bands of taps, the weights ordered tap-major once.
            ("conv", [14, 20], [3, 3], [1, 1], [4, 4], 9, 64, 1),
            ("conv", [20, 6, 6], [3, 1, 1], [1, 1, 1], [6, 0, 0], 12, 64, 2),
            ("transposed", [12, 12], [4, 4], [2, 2], [1, 1], 8, 40, 1),
            ("transposed", [10, 11], [3, 3], [2, 2], [1, 1], 6, 36, 2),
            ("transposed", [3, 3], [4, 4], [2, 2], [1, 1], 16, 8, 1),
          ] as [(String, [Int], [Int], [Int], [Int], Int, Int, Int)])
    func preparedLayerMatchesPerCallPath(operation: String, input: [Int], kernel: [Int], stride: [Int], padding: [Int],
                                         inputChannels: Int, outputChannels: Int, groups: Int) throws {
        var rng = SeededGenerator(state: UInt64(input.reduce(9, *) + outputChannels))
        let shape = operation == "conv"
            ? try ConvolutionSpec(kernel: kernel, stride: stride, padding: .symmetric(padding)).shape(input: input)
            : try TransposedConvolutionSpec(kernel: kernel, stride: stride, padding: .symmetric(padding)).shape(input: input)
        let weightShape = operation == "conv" ? [outputChannels, inputChannels / groups] + kernel : [inputChannels, outputChannels / groups] + kernel
        let w = try Tensor.random(shape: weightShape, using: &rng)
        let b = try Tensor.random(shape: [outputChannels], using: &rng)
        for microKernel in kernels {
            let layer = try PreparedLayer(shape: shape, weight: w, bias: b, groups: groups, microKernel: microKernel)
            // The plan decides what is packed: the weights of the positions GEMM and of the phases, those of banded
            // taps in their order, nothing else.
            let packs: [ConvolutionPlan.Path] = [.positionsGEMM, .outputPhases, .positionPhases]
            #expect((layer.packedCount > 0) == (packs.contains(layer.plan.path) || layer.plan.skipsPaddedTaps),
                    "\(microKernel.name): \(layer.plan)")
            // The two layers written for banded taps are banded.
            if [[14, 20], [20, 6, 6]].contains(input) {
                #expect(layer.plan.skipsPaddedTaps, "\(microKernel.name): \(layer.plan)")
            }
            for (batch, threads) in [(1, 1), (3, 2), (2, 1)] {
                let x = try Tensor.random(shape: [batch, inputChannels] + input, using: &rng)
                let perCall = operation == "conv"
                    ? try FastKernels.convolution(x, weight: w, bias: b, shape: shape, groups: groups, threads: threads, microKernel: microKernel)
                    : try FastKernels.transposedConvolution(x, weight: w, bias: b, shape: shape, groups: groups, threads: threads, microKernel: microKernel)
                let prepared = try layer(x, threads: threads)
                #expect(prepared.shape == perCall.shape && zip(prepared.data, perCall.data).allSatisfy(sameFloat),
                        "\(microKernel.name), batch \(batch), \(threads) threads")
            }
        }
    }

    @Test("a prepared positions GEMM layer agrees with the reference loops for every kernel, and packs its weights")
    func preparedPositionsLayerAgreesWithReference() throws {
        var rng = SeededGenerator(state: 41)
        let shape = try ConvolutionSpec(kernel: [3, 3], stride: [2, 2], padding: .symmetric([1, 1])).shape(input: [13, 13])
        let x = try Tensor.random(shape: [2, 24, 13, 13], using: &rng)
        let w = try Tensor.random(shape: [48, 24, 3, 3], using: &rng)
        let reference = try ReferenceKernels.convolution(x, weight: w, shape: shape)
        try expectEveryKernelAgrees(with: reference, "prepared") { microKernel, threads in
            try PreparedLayer(shape: shape, weight: w, microKernel: microKernel)(x, threads: threads)
        }
        if MicroKernel.isSupported("avx512") {
            #expect(try PreparedLayer(shape: shape, weight: w, microKernel: MicroKernel(named: "avx512")).packedCount >= 48 * 24 * 9)
        }
    }

    @Test("a transposed layer with few input positions runs its output phases on the positions GEMM (prepared on the 48-wide kernel; per call, and on the narrower kernels, from 64 a phase) and agrees with the reference: 1-D and 2-D inputs of 12 to 80 positions, rows of 4–12 outputs per phase, channels past whole vectors, groups, 1 or 2 threads",
          arguments: [([4, 4], 40, 48, 1), ([6, 6], 24, 96, 2), ([8, 5], 16, 50, 1), ([12], 6, 36, 1), ([8, 10], 16, 40, 1)] as [([Int], Int, Int, Int)])
    func preparedTransposedFewPositionsAgree(input: [Int], inputChannels: Int, outputChannels: Int, groups: Int) throws {
        var rng = SeededGenerator(state: UInt64(input.reduce(13, *) + outputChannels))
        let rank = input.count
        let kernel = [Int](repeating: 4, count: rank)
        let shape = try TransposedConvolutionSpec(kernel: kernel, stride: [Int](repeating: 2, count: rank),
                                                  padding: .symmetric([Int](repeating: 1, count: rank))).shape(input: input)
        let w = try Tensor.random(shape: [inputChannels, outputChannels / groups] + kernel, using: &rng)
        let b = try Tensor.random(shape: [outputChannels], using: &rng)
        let x = try Tensor.random(shape: [2, inputChannels] + input, using: &rng)
        let reference = try ReferenceKernels.transposedConvolution(x, weight: w, bias: b, shape: shape, groups: groups)
        try expectEveryKernelAgrees(with: reference, "\(input)") { microKernel, threads in
            try PreparedLayer(shape: shape, weight: w, bias: b, groups: groups, microKernel: microKernel)(x, threads: threads)
        }
        try expectEveryKernelAgrees(with: reference, "\(input) per call") { microKernel, threads in
            try FastKernels.transposedConvolution(x, weight: w, bias: b, shape: shape, groups: groups, threads: threads, microKernel: microKernel)
        }
        if MicroKernel.isSupported("avx512") {
            let avx512 = MicroKernel(named: "avx512")
            #expect(try PreparedLayer(shape: shape, weight: w, bias: b, groups: groups, microKernel: avx512).plan.path == .positionPhases)
            // Per call only where every phase has 64 positions (the 8 × 10 input's 4 × 5 outputs a phase … 16 × 20).
            #expect(try path(shape, x: x.shape, w: w.shape, groups: groups, avx512) == (input == [8, 10] ? .positionPhases : .transposedWeightsGEMM))
        }
        // The narrower kernels take the positions phases only where a call would (from 64 positions a phase); prepared,
        // they take the output phases gathered where a call would not (fewer input positions than two tiles), if each
        // phase's outputs fill a tile: DCGAN's 4 × 4 input on AVX2 (16 a phase; the 8-column portable kernel takes its
        // phases per call too).
        for microKernel in kernels where microKernel.name != "avx512" {
            let perCall = try path(shape, x: x.shape, w: w.shape, groups: groups, microKernel)
            let prepared = try PreparedLayer(shape: shape, weight: w, bias: b, groups: groups,
                                             microKernel: microKernel).plan
            if input == [4, 4] && microKernel.name == "avx2" {
                #expect(perCall != .outputPhases && prepared.path == .outputPhases && prepared.gathersTiles,
                        "\(microKernel.name): \(prepared)")
            } else {
                #expect(prepared.path == perCall, "\(microKernel.name): \(prepared)")
            }
            #expect(perCall != .positionPhases || input == [8, 10], "\(microKernel.name): \(perCall)")
        }
    }

    @Test("transposed layers whose phases have short output rows gather each phase's B into rows of exactly its outputs (no virtual columns) on the 16- and 8-column kernels, and agree: 2-D and 3-D, groups, a batch, 1 or 2 threads, per call and prepared",
          arguments: [
            // (input, kernel, stride, padding, in channels, out channels, groups)
            ([8, 8], [4, 4], [2, 2], [1, 1], 24, 40, 1),
            ([8, 8], [4, 4], [2, 2], [1, 1], 16, 80, 2),
            ([2, 6, 6], [1, 4, 4], [1, 2, 2], [0, 1, 1], 8, 40, 1),
            // Rows of 7 outputs a phase (9 virtual columns): the tiles fill no worse in place.
            ([5, 7], [4, 4], [2, 2], [1, 1], 12, 30, 1),
          ] as [([Int], [Int], [Int], [Int], Int, Int, Int)])
    func transposedPhasesGatherShortRows(input: [Int], kernel: [Int], stride: [Int], padding: [Int], inputChannels: Int,
                                         outputChannels: Int, groups: Int) throws {
        var rng = SeededGenerator(state: UInt64(input.reduce(7, *) + inputChannels))
        let shape = try TransposedConvolutionSpec(kernel: kernel, stride: stride, padding: .symmetric(padding))
            .shape(input: input)
        let w = try Tensor.random(shape: [inputChannels, outputChannels / groups] + kernel, using: &rng)
        let b = try Tensor.random(shape: [outputChannels], using: &rng)
        let x = try Tensor.random(shape: [2, inputChannels] + input, using: &rng)
        let reference = try ReferenceKernels.transposedConvolution(x, weight: w, bias: b, shape: shape, groups: groups)
        try expectEveryKernelAgrees(with: reference, "\(input) per call") { microKernel, threads in
            try FastKernels.transposedConvolution(x, weight: w, bias: b, shape: shape, groups: groups, threads: threads,
                                                  microKernel: microKernel)
        }
        try expectEveryKernelAgrees(with: reference, "\(input) prepared") { microKernel, threads in
            let layer = try PreparedLayer(shape: shape, weight: w, bias: b, groups: groups, microKernel: microKernel)
            return try layer(x, threads: threads)
        }
        for microKernel in kernels where microKernel.name != "avx512" {
            let plan = try FastKernels.plan(shape: shape, input: x.shape, weight: w.shape, groups: groups, threads: 2,
                                            microKernel: microKernel)
            let gathers = input != [5, 7]
            #expect(plan.path == .outputPhases && plan.gathersTiles == gathers, "\(microKernel.name): \(plan)")
            #expect(plan.description.contains("tiles gathered") == gathers)
        }
    }

    @Test("a transposed layer's phases are not gathered where the gathered rows would be far larger than the tensors (a 67 × 15 kernel over 64 × 64: 4 GB), and a prepared layer whose phases all have 64 outputs or more takes the per-call path")
    func gatheredPhasesStayBounded() throws {
        let large = try TransposedConvolutionSpec(kernel: [67, 15], padding: .symmetric([33, 7])).shape(input: [64, 64])
        for microKernel in kernels {
            // Planning allocates nothing: the plan alone says whether the phases would be gathered.
            let plan = try FastKernels.plan(shape: large, input: [1, 256, 64, 64], weight: [256, 64, 67, 15],
                                            microKernel: microKernel)
            #expect(!plan.gathersTiles, "\(microKernel.name): \(plan)")
        }
        // 5 × 5 inputs, k 8, s 2: 64 outputs a phase, too few input positions for the phases' tiles per call.
        let shape = try TransposedConvolutionSpec(kernel: [8, 8], stride: [2, 2]).shape(input: [5, 5])
        var rng = SeededGenerator(state: 8)
        let w = try Tensor.random(shape: [16, 64, 8, 8], using: &rng)
        for microKernel in kernels {
            let perCall = try path(shape, x: [1, 16, 5, 5], w: w.shape, microKernel)
            let prepared = try PreparedLayer(shape: shape, weight: w, microKernel: microKernel)
            #expect(prepared.plan.path == perCall, "\(microKernel.name)")
        }
    }

    @Test("a prepared layer refuses pooling, weights of the wrong rank or kernel, a bias of the wrong length, and inputs that do not fit, naming the tensor")
    func preparedLayerRefusesWhatDoesNotFit() throws {
        let shape = try ConvolutionSpec(kernel: [3, 3], padding: .symmetric([1, 1])).shape(input: [8, 8])
        let w = try Tensor(shape: [4, 2, 3, 3], data: [Float](repeating: 0.5, count: 72))
        #expect(throws: KernelError.self) { try PreparedLayer(shape: PoolingSpec(kernel: [2, 2]).shape(input: [8, 8]), weight: w) }
        #expect(throws: KernelError.self) { try PreparedLayer(shape: shape, weight: Tensor(shape: [4, 2, 3], data: [Float](repeating: 0, count: 24))) }
        #expect(throws: KernelError.self) { try PreparedLayer(shape: shape, weight: Tensor(shape: [4, 2, 3, 2], data: [Float](repeating: 0, count: 48))) }
        #expect(throws: KernelError.self) { try PreparedLayer(shape: shape, weight: w, bias: Tensor(shape: [3], data: [0, 0, 0])) }
        let layer = try PreparedLayer(shape: shape, weight: w)
        do {
            _ = try layer(Tensor(shape: [1, 3, 8, 8], data: [Float](repeating: 0, count: 192)))
            Issue.record("an input with 3 channels for weights of 2 was accepted")
        } catch {
            #expect("\(error)".contains("x") || "\(error)".contains("w"), "\(error)")
        }
        #expect(try layer(Tensor(shape: [1, 2, 8, 8], data: [Float](repeating: 1, count: 128))).shape == [1, 4, 8, 8])
    }

    @Test("the indirect GEMM agrees for per-axis strides, dilations and one-sided padding (copied, phase-split input), unpadded stride-1 input read in place, every tile width and row edge, and 3-D planes whose gaps it skips",
          arguments: [
            // (input, kernel, stride, dilation, padding before/after, in channels, out channels)
            ([9, 13], [3, 2], [2, 1], [1, 2], [(1, 0), (0, 2)], 5, 11),
            ([17, 6], [3, 3], [3, 2], [2, 1], [(2, 1), (1, 1)], 3, 8),
            ([30], [5], [1], [3], [(0, 0)], 7, 9),
            ([61], [2], [2], [1], [(1, 2)], 4, 17),
            ([6, 7, 8], [2, 3, 2], [1, 2, 1], [2, 1, 1], [(0, 1), (1, 1), (0, 0)], 3, 6),
            ([12, 49], [1, 1], [1], [1], [(0, 0), (0, 0)], 40, 10),
            ([5, 100], [3, 1], [1], [1], [(0, 0), (0, 0)], 100, 3),
            // Planes of 32 × 32 virtual columns whose last 70 hold no output (skipped): six of them cross
            // a chunk of columns and the threads' shares inside a plane and inside a gap.
            ([6, 30, 30], [3, 3, 3], [1], [1], [(1, 1), (1, 1), (1, 1)], 2, 8),
            ([7, 9, 21], [3, 2, 3], [2, 1, 2], [1, 2, 1], [(1, 0), (0, 1), (1, 1)], 3, 10),
            // Phases no tap reads (left unwritten): a 1 × 1 stride-2 layer's three of four; strides equal to the
            // dilations (one phase a row and column); a 3-D layer reading every phase along one axis only.
            ([14, 15], [1, 1], [2, 2], [1, 1], [(0, 0), (0, 0)], 6, 9),
            ([16, 11], [3, 2], [2, 3], [2, 3], [(2, 1), (1, 2)], 4, 8),
            ([6, 10, 12], [1, 2, 3], [2, 2, 2], [1, 2, 1], [(0, 0), (1, 1), (1, 1)], 3, 6),
          ] as [([Int], [Int], [Int], [Int], [(Int, Int)], Int, Int)])
    func indirectLayoutsAgree(input: [Int], kernel: [Int], stride: [Int], dilation: [Int], padding: [(Int, Int)],
                              inputChannels: Int, outputChannels: Int) throws {
        var rng = SeededGenerator(state: UInt64(input.reduce(3, *) + inputChannels))
        let shape = try ConvolutionSpec(kernel: kernel, stride: stride, padding: .explicit(padding.map { AxisPadding(before: $0.0, after: $0.1) }),
                                        dilation: dilation, convention: .onnx).shape(input: input)
        for groups in [1, inputChannels % 2 == 0 && outputChannels % 2 == 0 ? 2 : 1] {
            let x = try Tensor.random(shape: [2, inputChannels] + input, using: &rng)
            let w = try Tensor.random(shape: [outputChannels, inputChannels / groups] + kernel, using: &rng)
            let b = try Tensor.random(shape: [outputChannels], using: &rng)
            let reference = try ReferenceKernels.convolution(x, weight: w, bias: b, shape: shape, groups: groups)
            try expectEveryKernelAgrees(with: reference, "\(input) groups \(groups)") { microKernel, threads in
                try FastKernels.convolution(x, weight: w, bias: b, shape: shape, groups: groups, threads: threads, microKernel: microKernel)
            }
        }
    }

    @Test("layers cropped by negative padding (JAX, MLX) agree on every fast path: strided and dilated, one-sided, depthwise, pooling, transposed",
          arguments: [
            // (input, kernel, stride, dilation, padding before/after)
            ([9, 11], [3, 3], [1, 1], [1, 1], [(-1, -1), (-2, 0)]),
            ([12, 13], [3, 2], [2, 2], [1, 2], [(-1, 1), (2, -1)]),
            ([20], [3], [3], [1], [(-2, -1)]),
          ] as [([Int], [Int], [Int], [Int], [(Int, Int)])])
    func croppedLayersAgree(input: [Int], kernel: [Int], stride: [Int], dilation: [Int], padding: [(Int, Int)]) throws {
        var rng = SeededGenerator(state: UInt64(input.reduce(7, *)))
        let pads = Padding.explicit(padding.map { AxisPadding(before: $0.0, after: $0.1) })
        let shape = try ConvolutionSpec(kernel: kernel, stride: stride, padding: pads, dilation: dilation, convention: .jax).shape(input: input)
        let x = try Tensor.random(shape: [2, 16] + input, using: &rng)
        for groups in [1, 16] {
            let w = try Tensor.random(shape: [24 - 8 * (groups / 16), 16 / groups] + kernel, using: &rng)
            let reference = try ReferenceKernels.convolution(x, weight: w, shape: shape, groups: groups)
            try expectEveryKernelAgrees(with: reference, "conv \(input) groups \(groups)") { microKernel, threads in
                try FastKernels.convolution(x, weight: w, shape: shape, groups: groups, threads: threads, microKernel: microKernel)
            }
        }
        for mode in [PoolingMode.max, .average] {
            let pool = try PoolingSpec(kernel: kernel, stride: stride, padding: pads, dilation: dilation, mode: mode, convention: .jax).shape(input: input)
            let reference = try ReferenceKernels.pooling(x, shape: pool, mode: mode)
            for microKernel in kernels {
                let fast = try FastKernels.pooling(x, shape: pool, mode: mode, threads: 2, microKernel: microKernel)
                #expect(reference.shape == fast.shape && zip(reference.data, fast.data).allSatisfy(sameFloat), "\(mode) \(input) \(microKernel.name)")
            }
        }
        let transposed = try TransposedConvolutionSpec(kernel: kernel, stride: stride, padding: pads, dilation: dilation, convention: .jax)
            .shape(input: input)
        let w = try Tensor.random(shape: [16, 20] + kernel, using: &rng)
        let reference = try ReferenceKernels.transposedConvolution(x, weight: w, shape: transposed)
        try expectEveryKernelAgrees(with: reference, "transposed \(input)") { microKernel, threads in
            try FastKernels.transposedConvolution(x, weight: w, shape: transposed, threads: threads, microKernel: microKernel)
        }
    }

    @Test("a layer whose input outgrows an L2 cache, with 16 or more panels of output channels (the next tiles' rows prefetched), agrees")
    func largeInputWithManyPanelsAgrees() throws {
        var rng = SeededGenerator(state: 17)
        // A 1×1 convolution reads its input in place: 2 × 131,200 floats, just over a megabyte.
        let shape = try ConvolutionSpec(kernel: [1]).shape(input: [131_200])
        let x = try Tensor.random(shape: [1, 2, 131_200], using: &rng)
        let w = try Tensor.random(shape: [130, 2, 1], using: &rng)
        let reference = try ReferenceKernels.convolution(x, weight: w, shape: shape)
        // The CPU's best kernel only: the prefetch does not depend on it, and the others take seconds in a debug build.
        #expect(relativeDifference(reference, try FastKernels.convolution(x, weight: w, shape: shape, threads: 2)) <= 1e-5)
    }

    @Test("a 1×1 layer whose input rows share a few cache sets gathers each tile's rows on the 16- and 8-column kernels (weights packed in panels) and agrees: depth past a block, an uneven last panel, 1 or 2 threads")
    func gatheredTilesAgree() throws {
        var rng = SeededGenerator(state: 29)
        // Planes of 256 floats (16 cache lines): the rows of a tile fall in 4 of L1's 64 sets. 61 output channels
        // (11 panels of 6, the last of 1 row; 16 of 4), a depth of 300 (two blocks).
        let shape = try ConvolutionSpec(kernel: [1, 1]).shape(input: [16, 16])
        let x = try Tensor.random(shape: [1, 300, 16, 16], using: &rng)
        let w = try Tensor.random(shape: [61, 300, 1, 1], using: &rng)
        let reference = try ReferenceKernels.convolution(x, weight: w, shape: shape)
        for microKernel in kernels {
            let plan = try FastKernels.plan(shape: shape, input: x.shape, weight: w.shape, microKernel: microKernel)
            #expect(plan.path == .indirectGEMM)
            // The 48-column AVX-512 tile would fill L1 gathered: it reads the rows in place.
            #expect(plan.gathersTiles == (microKernel.name != "avx512"), "\(microKernel.name)")
        }
        try expectEveryKernelAgrees(with: reference, "gathered") { microKernel, threads in
            try FastKernels.convolution(x, weight: w, shape: shape, threads: threads, microKernel: microKernel)
        }
        // Two groups (the weights packed per group) and a batch of two.
        let xg = try Tensor.random(shape: [2, 128, 16, 16], using: &rng)
        let wg = try Tensor.random(shape: [122, 64, 1, 1], using: &rng)
        let grouped = try ReferenceKernels.convolution(xg, weight: wg, shape: shape, groups: 2)
        for microKernel in kernels {
            let plan = try FastKernels.plan(shape: shape, input: xg.shape, weight: wg.shape, groups: 2, microKernel: microKernel)
            #expect(plan.gathersTiles == (microKernel.name != "avx512"), "\(microKernel.name), groups")
        }
        try expectEveryKernelAgrees(with: grouped, "gathered, groups") { microKernel, threads in
            try FastKernels.convolution(xg, weight: wg, shape: shape, groups: 2, threads: threads, microKernel: microKernel)
        }
        // Planes of 17 × 17 (289 floats, rows spread over the sets) and a 3 × 3 layer (rows overlapping; on 40 × 40
        // its gaps between output rows too few to gather over exactly the outputs) read in place.
        for (input, kernel) in [([17, 17], [1, 1]), ([40, 40], [3, 3])] {
            let other = try ConvolutionSpec(kernel: kernel).shape(input: input)
            let plan = try FastKernels.plan(shape: other, input: [1, 300] + input, weight: [61, 300] + kernel,
                                            microKernel: MicroKernel(named: "portable"))
            #expect(!plan.gathersTiles, "\(input) \(kernel)")
        }
    }

    /// A padded, dilated convolution of `inputChannels` → 64 channels with a bias, on two samples of random
    /// tensors (drawn from `seed` and the input's sizes), checked against the reference on every kernel and thread
    /// count; its shape and tensors, for the plan a test expects.
    private func expectPaddedLayerAgrees(input: [Int], kernel: [Int], dilation: [Int], padding: [Int],
                                         inputChannels: Int, seed: Int,
                                         _ label: String) throws -> (LayerShape, Tensor, Tensor) {
        var rng = SeededGenerator(state: UInt64(input.reduce(seed, *)))
        let shape = try ConvolutionSpec(kernel: kernel, padding: .symmetric(padding), dilation: dilation)
            .shape(input: input)
        let x = try Tensor.random(shape: [2, inputChannels] + input, using: &rng)
        let w = try Tensor.random(shape: [64, inputChannels] + kernel, using: &rng)
        let b = try Tensor.random(shape: [64], using: &rng)
        let reference = try ReferenceKernels.convolution(x, weight: w, bias: b, shape: shape)
        try expectEveryKernelAgrees(with: reference, label) { microKernel, threads in
            try FastKernels.convolution(x, weight: w, bias: b, shape: shape, threads: threads, microKernel: microKernel)
        }
        return (shape, x, w)
    }

    @Test("dilated layers whose padded rows leave many virtual columns between output rows gather each tile's B over exactly its outputs and write y directly, on every kernel, and agree: 2-D and 3-D, a batch, 1 or 2 threads",
          arguments: [
            // (input, kernel, dilation, padding, input channels): rows 72 and 50 apart for 60 and 42 outputs.
            ([60, 60], [3, 3], [6, 6], [6, 6], 4),
            ([2, 42, 42], [1, 3, 3], [1, 4, 4], [0, 4, 4], 3),
          ] as [([Int], [Int], [Int], [Int], Int)])
    func compactTilesAgree(input: [Int], kernel: [Int], dilation: [Int], padding: [Int], inputChannels: Int) throws {
        let (shape, x, w) = try expectPaddedLayerAgrees(input: input, kernel: kernel, dilation: dilation,
                                                        padding: padding, inputChannels: inputChannels, seed: 31,
                                                        "\(input) d \(dilation)")
        #expect(shape.output == input)
        for microKernel in kernels {
            for threads in [1, 2] {
                let plan = try FastKernels.plan(shape: shape, input: x.shape, weight: w.shape, threads: threads, microKernel: microKernel)
                #expect(plan.path == .indirectGEMM && plan.gathersTiles, "\(microKernel.name) \(threads) threads: \(plan)")
            }
        }
    }

    @Test("shallow layers whose output planes are a multiple of 4 KB gather their compacted tiles in groups and run each row panel across a group, and agree on every kernel: a partial last group and tile, two depth blocks on the narrower kernels, a batch, 1 or 2 threads; a plane of another size is not grouped",
          arguments: [
            // (input, kernel, dilation, padding, input channels, the kernels that group): VGG's first layer on
            // 64 × 64 (every row's tile in the same sets; 86 tiles of 48, in groups of 10 at one thread — a chunk's
            // 480 columns — the last tile of 16) and on 112 × 112 (rows in four sets); a depth of 306 (a tile of 48
            // columns past the group's 64 KB; on the narrower kernels two depth blocks); 60 × 60, whose rows do not
            // crowd a set.
            ([64, 64], [3, 3], [1, 1], [1, 1], 3, ["avx512", "avx2", "portable"]),
            ([112, 112], [3, 3], [1, 1], [1, 1], 3, ["avx512", "avx2", "portable"]),
            ([64, 64], [3, 3], [4, 4], [4, 4], 34, ["avx2", "portable"]),
            ([60, 60], [3, 3], [1, 1], [1, 1], 3, []),
          ] as [([Int], [Int], [Int], [Int], Int, [String])])
    func groupedTilesAgree(input: [Int], kernel: [Int], dilation: [Int], padding: [Int], inputChannels: Int,
                           grouping: [String]) throws {
        let (shape, x, w) = try expectPaddedLayerAgrees(input: input, kernel: kernel, dilation: dilation,
                                                        padding: padding, inputChannels: inputChannels, seed: 41,
                                                        "\(input) d \(dilation), \(inputChannels) channels")
        for microKernel in kernels {
            for threads in [1, 2] {
                let plan = try FastKernels.plan(shape: shape, input: x.shape, weight: w.shape, threads: threads,
                                                microKernel: microKernel)
                #expect(plan.path == .indirectGEMM && plan.groupsTiles == grouping.contains(microKernel.name),
                        "\(microKernel.name) \(threads) threads: \(plan)")
            }
        }
    }

    @Test("layers whose windows read the padding for whole bands of outputs multiply each band over its taps inside the input (depth tap-major; rectangles of rows and columns on 2-D layers), on every kernel, and agree: ASPP-like dilations past the input, a band of no taps, 1-D and 3-D layouts without gaps, a batch, 1 or 2 threads",
          arguments: [
            // (input, kernel, dilation, padding, input channels)
            ([33, 33], [3, 3], [18, 18], [18, 18], 5),
            // A depth of 360: a rectangle's ranges of taps span depth blocks.
            ([33, 33], [3, 3], [18, 18], [18, 18], 40),
            ([40, 40], [3, 3], [12, 12], [12, 12], 3),
            // Rows 0–1 and 18–19 read only the padding (their outputs the bias alone).
            ([14, 20], [3, 3], [1, 1], [4, 4], 9),
            ([150], [3], [40], [40], 4),
            ([20, 12, 12], [3, 1, 1], [6, 1, 1], [6, 0, 0], 12),
          ] as [([Int], [Int], [Int], [Int], Int)])
    func tapBandsAgree(input: [Int], kernel: [Int], dilation: [Int], padding: [Int], inputChannels: Int) throws {
        let (shape, x, w) = try expectPaddedLayerAgrees(input: input, kernel: kernel, dilation: dilation,
                                                        padding: padding, inputChannels: inputChannels, seed: 37,
                                                        "\(input) d \(dilation) p \(padding)")
        for microKernel in kernels {
            let plan = try FastKernels.plan(shape: shape, input: x.shape, weight: w.shape, threads: 2, microKernel: microKernel)
            #expect(plan.path == .indirectGEMM && plan.skipsPaddedTaps, "\(microKernel.name): \(plan)")
            // The 2-D layers' columns are banded too (rectangles, some of no taps): a seventh of the products fewer.
            #expect(plan.skipsPaddedColumnTaps == (input.count == 2), "\(microKernel.name): \(plan)")
        }
    }

    @Test("output widths 1…97 (every tile width of every kernel, chunk edges) with a depth past one block agree")
    func everyTileWidthAgrees() throws {
        var rng = SeededGenerator(state: 5)
        for width in 1...97 {
            let shape = try ConvolutionSpec(kernel: [3], padding: .symmetric([1])).shape(input: [width])
            let x = try Tensor.random(shape: [1, 90, width], using: &rng)
            let w = try Tensor.random(shape: [13, 90, 3], using: &rng)
            let reference = try ReferenceKernels.convolution(x, weight: w, shape: shape)
            for microKernel in kernels {
                #expect(relativeDifference(reference, try FastKernels.convolution(x, weight: w, shape: shape, threads: 2, microKernel: microKernel)) <= 1e-5,
                        "\(microKernel.name) width \(width)")
            }
        }
    }

    @Test("transposed layers with many input positions, by output phases, agree: per-axis strides 1–3, dilation, padding, output padding, phases of one tap and without taps",
          arguments: [
            // (input, kernel, stride, dilation, padding, output padding)
            ([20, 19], [3, 3], [2, 2], [1, 1], [1, 1], [1, 0]),
            // DCGAN's 4×4 stride 2: 16 taps, whose weights are packed in whole 8 × 8 tiles and an edge.
            ([10, 12], [4, 4], [2, 2], [1, 1], [1, 1], [0, 0]),
            ([16, 15], [3, 2], [2, 3], [2, 1], [0, 1], [1, 2]),
            ([150], [5], [3], [1], [2], [2]),
            ([130], [3], [2], [2], [1], [0]),
            ([6, 7, 8], [3, 1, 2], [2, 1, 2], [1, 1, 1], [1, 0, 1], [0, 0, 1]),
            // 3-D, rows of 16: column phases of one and two taps interleaved, on top of the depth phases.
            ([6, 7, 8], [3, 1, 3], [2, 1, 2], [1, 1, 1], [1, 0, 1], [1, 0, 1]),
            // k = s: every phase has one tap (U-Net's 2×2 stride 2); k < s: some phases have none.
            ([24, 22], [2, 2], [2, 2], [1, 1], [0, 0], [0, 0]),
            ([40, 9], [2, 1], [3, 2], [1, 1], [0, 0], [1, 1]),
            // Phases of two tiles and a bit (about 100 columns): two threads split the output channels instead.
            ([100], [3], [2], [1], [1], [1]),
          ] as [([Int], [Int], [Int], [Int], [Int], [Int])])
    func transposedPhasesAgree(input: [Int], kernel: [Int], stride: [Int], dilation: [Int], padding: [Int], outputPadding: [Int]) throws {
        var rng = SeededGenerator(state: UInt64(input.reduce(13, *)))
        let shape = try TransposedConvolutionSpec(kernel: kernel, stride: stride, padding: .symmetric(padding), dilation: dilation,
                                                  outputPadding: outputPadding).shape(input: input)
        for groups in [1, 2] {
            let x = try Tensor.random(shape: [2, 6] + input, using: &rng)
            let w = try Tensor.random(shape: [6, 17] + kernel, using: &rng)
            let b = try Tensor.random(shape: [17 * groups], using: &rng)
            let reference = try ReferenceKernels.transposedConvolution(x, weight: w, bias: b, shape: shape, groups: groups)
            try expectEveryKernelAgrees(with: reference, "\(input) groups \(groups)") { microKernel, threads in
                try FastKernels.transposedConvolution(x, weight: w, bias: b, shape: shape, groups: groups, threads: threads, microKernel: microKernel)
            }
            for microKernel in kernels {
                #expect(try path(shape, x: x.shape, w: w.shape, groups: groups, threads: 2, microKernel) == .outputPhases, "\(microKernel.name)")
            }
        }
    }

    @Test("a transposed layer by output phases whose weights span several blocks of channels (packed by both threads, each its own blocks) agrees, per call and prepared")
    func phaseWeightsPackedByThreadsAgree() throws {
        var rng = SeededGenerator(state: 77)
        let shape = try TransposedConvolutionSpec(kernel: [4, 4], stride: [2, 2], padding: .symmetric([1, 1])).shape(input: [12, 12])
        // 16 taps × 64 output channels: blocks of 16 channels, so 40 channels are three blocks.
        let x = try Tensor.random(shape: [1, 40, 12, 12], using: &rng)
        let w = try Tensor.random(shape: [40, 64, 4, 4], using: &rng)
        let reference = try ReferenceKernels.transposedConvolution(x, weight: w, shape: shape)
        try expectEveryKernelAgrees(with: reference, "per call") { microKernel, threads in
            try FastKernels.transposedConvolution(x, weight: w, shape: shape, threads: threads, microKernel: microKernel)
        }
        try expectEveryKernelAgrees(with: reference, "prepared") { microKernel, threads in
            try PreparedLayer(shape: shape, weight: w, microKernel: microKernel)(x, threads: threads)
        }
    }

    @Test("layers whose padded copy would dwarf the input take the packed GEMM — over an implicit im2col, or over the weights when the positions are few — and agree",
          arguments: [([30, 30], 3, 100, 6), ([5, 5], 81, 40, 40)])
    func refusedIndirectLayoutsAgree(input: [Int], kernel: Int, padding: Int, outputChannels: Int) throws {
        var rng = SeededGenerator(state: UInt64(kernel))
        let shape = try ConvolutionSpec(kernel: [kernel], padding: .symmetric([padding])).shape(input: input)
        let x = try Tensor.random(shape: [1, 3] + input, using: &rng)
        let w = try Tensor.random(shape: [outputChannels, 3, kernel, kernel], using: &rng)
        let reference = try ReferenceKernels.convolution(x, weight: w, shape: shape)
        try expectEveryKernelAgrees(with: reference, "\(input)") { microKernel, threads in
            try FastKernels.convolution(x, weight: w, shape: shape, threads: threads, microKernel: microKernel)
        }
        for microKernel in kernels where input == [30, 30] || microKernel.name != "portable" {
            #expect(try path(shape, x: x.shape, w: w.shape, microKernel) == (input == [30, 30] ? .im2colGEMM : .weightsGEMM), "\(microKernel.name)")
        }
    }

    @Test("a strided 3-D stem whose padded, phase-split copy is up to half again its input (I3D's 3 × 7 × 7 / (1, 2, 2), padded (1, 3, 3)) takes the indirect GEMM on every kernel, and agrees")
    func stemWithALargerCopyTakesTheIndirectGEMM() throws {
        var rng = SeededGenerator(state: 147)
        let spec = try ConvolutionSpec(kernel: [3, 7, 7], stride: [1, 2, 2], padding: .symmetric([1, 3, 3]))
        let shape = try spec.shape(input: [4, 48, 48])
        let x = try Tensor.random(shape: [1, 3, 4, 48, 48], using: &rng)
        let w = try Tensor.random(shape: [8, 3, 3, 7, 7], using: &rng)
        let b = try Tensor.random(shape: [8], using: &rng)
        let reference = try ReferenceKernels.convolution(x, weight: w, bias: b, shape: shape)
        try expectEveryKernelAgrees(with: reference, "I3D-like stem") { microKernel, threads in
            try FastKernels.convolution(x, weight: w, bias: b, shape: shape, threads: threads, microKernel: microKernel)
        }
        for microKernel in kernels {
            #expect(try path(shape, x: x.shape, w: w.shape, microKernel) == .indirectGEMM, "\(microKernel.name)")
        }
    }

    @Test("a leading padding near 2^62 balanced by a negative trailing one (JAX) is planned and run without overflow, and agrees",
          arguments: [Int.max / 2, Int.max / 2 - 7, 1 << 62])
    func hugeLeadingPaddingIsPlanned(before: Int) throws {
        let padding = AxisPadding(before: before, after: 1 - before)
        let shape = try ConvolutionSpec(kernel: [3], padding: .explicit([padding]), convention: .jax).shape(input: [5])
        var rng = SeededGenerator(state: 11)
        let x = try Tensor.random(shape: [1, 2, 5], using: &rng), w = try Tensor.random(shape: [3, 2, 3], using: &rng)
        let reference = try ReferenceKernels.convolution(x, weight: w, shape: shape)
        try expectEveryKernelAgrees(with: reference, "padding \(before)") { microKernel, threads in
            try FastKernels.convolution(x, weight: w, shape: shape, threads: threads, microKernel: microKernel)
        }
    }

    @Test("strides of 2^32 and more are planned without overflow, on a path other than the phase splits", arguments: [4_294_967_296, 3_037_000_500, Int.max])
    func hugeStridesArePlanned(stride: Int) throws {
        let shape = try ConvolutionSpec(kernel: [3, 3], stride: [stride, stride]).shape(input: [14, 14])
        let plan = try FastKernels.plan(shape: shape, input: [1, 16, 14, 14], weight: [32, 16, 3, 3])
        #expect(plan.path != .indirectGEMM && plan.path != .positionsGEMM && plan.outputShape == [1, 32, 1, 1])
        let transposed = try TransposedConvolutionSpec(kernel: [1], stride: [min(stride, 1 << 40)]).shape(input: [2])
        let transposedPlan = try? FastKernels.plan(shape: transposed, input: [1, 2, 2], weight: [2, 2, 1])
        #expect(transposedPlan.map { $0.path != .outputPhases && $0.path != .positionPhases } ?? true)
    }

    @Test("a transposed layer with more stride steps than outputs (4,096 on three axes over one input: 2³⁶ phases) is planned and run without walking its phases, depthwise or not")
    func phasesFarBeyondTheOutputsAreNotWalked() throws {
        let shape = try TransposedConvolutionSpec(kernel: [1, 1, 1], stride: [4096, 4096, 4096]).shape(input: [1, 1, 1])
        let x = try Tensor(shape: [1, 2, 1, 1, 1], data: [3, 5])
        let depthwise = try Tensor(shape: [2, 1, 1, 1, 1], data: [2, 7])
        let dense = try Tensor(shape: [2, 16, 1, 1, 1], data: [Float](repeating: 1, count: 32))
        for (w, groups) in [(depthwise, 2), (dense, 1)] {
            let plan = try FastKernels.plan(shape: shape, input: x.shape, weight: w.shape, groups: groups)
            #expect(![.depthwisePhases, .outputPhases, .positionPhases].contains(plan.path), "\(plan)")
            let y = try FastKernels.transposedConvolution(x, weight: w, shape: shape, groups: groups)
            let reference = try ReferenceKernels.transposedConvolution(x, weight: w, shape: shape, groups: groups)
            #expect(y.shape == reference.shape && y.data == reference.data)
        }
    }

    @Test("a plan names its path and C kernel, runs only tensors of the shapes it was made for, and gives the per-call floats")
    func planRunsItsOwnShapes() throws {
        var rng = SeededGenerator(state: 3)
        let shape = try ConvolutionSpec(kernel: [3, 3], padding: .symmetric([1, 1])).shape(input: [9, 9])
        let x = try Tensor.random(shape: [1, 4, 9, 9], using: &rng)
        let w = try Tensor.random(shape: [8, 4, 3, 3], using: &rng)
        let plan = try FastKernels.plan(shape: shape, input: x.shape, weight: w.shape, threads: 2, microKernel: MicroKernel(named: "portable"))
        #expect(plan.path == .indirectGEMM && plan.kernel == "f32-indirect-gemm-4x8-portable")
        #expect(plan.description == "indirect-gemm (f32-indirect-gemm-4x8-portable), 2 threads" && plan.outputShape == [1, 8, 9, 9])
        let y = try FastKernels.execute(plan, x: x, weight: w)
        let perCall = try FastKernels.convolution(x, weight: w, shape: shape, threads: 2, microKernel: MicroKernel(named: "portable"))
        #expect(zip(y.data, perCall.data).allSatisfy(sameFloat) && y.data.count == perCall.data.count)
        #expect(throws: KernelError.self) { try FastKernels.execute(plan, x: Tensor.random(shape: [2, 4, 9, 9], using: &rng), weight: w) }
        #expect(throws: KernelError.self) { try FastKernels.execute(plan, x: x, weight: w, bias: Tensor(shape: [8], data: [Float](repeating: 0, count: 8))) }
        #expect(throws: KernelError.self) { try FastKernels.plan(shape: PoolingSpec(kernel: [2, 2]).shape(input: [8, 8]), input: [1, 1, 8, 8], weight: [1, 1, 2, 2]) }
    }

    @Test("the portable kernel is always available, and the CPU's best is chosen by default")
    func kernelSelection() {
        #expect(MicroKernel.isSupported("portable"))
        #expect(MicroKernel(named: "portable").name == "portable")
        #expect(MicroKernel(named: "no-such-isa").name == "portable")
        if MicroKernel.isSupported("avx512") { #expect(MicroKernel().name == "avx512") }
    }
}

@Suite("The fast direct loops agree with the reference loops")
struct FastDirectKernelTests {
    @Test("fast depthwise convolution = reference for every window kernel and 1 or 2 threads: groups = channels, strides, dilation, padding, ranks 1–3")
    func depthwiseAgrees() async {
        var checked = 0
        await propertyCheck(count: 100, input: LayerCase.generator, Gen.int(in: 1...3)) { layer, rank in
            let input = Array((layer.input + [5, 4, 3]).prefix(rank).map { $0 + 3 })
            let kernel = Array((layer.kernel + [2, 3, 1]).prefix(rank))
            guard let shape = try? ConvolutionSpec(kernel: kernel, stride: [layer.stride[0]], padding: .symmetric([layer.padding[0]]),
                                                  dilation: [layer.dilation[0]]).shape(input: input) else { return }
            checked += 1
            var rng = SeededGenerator(state: layer.seed)
            let channels = layer.inGroup + 2
            let x = try Tensor.random(shape: [layer.batch, channels] + input, using: &rng)
            let w = try Tensor.random(shape: [channels, 1] + kernel, using: &rng)
            let b = try Tensor.random(shape: [channels], using: &rng)
            let reference = try ReferenceKernels.convolution(x, weight: w, bias: b, shape: shape, groups: channels)
            try expectEveryKernelAgrees(with: reference, "\(layer) rank \(rank)") { microKernel, threads in
                try FastKernels.convolution(x, weight: w, bias: b, shape: shape, groups: channels, threads: threads, microKernel: microKernel)
            }
        }
        #expect(checked >= 50)
    }

    @Test("a transposed depthwise layer (one input and one output channel a group) runs each plane's output phases as weighted streams and agrees with the reference: bilinear 2× and 4× upsampling, strides 1–4 per axis, dilation, padding, output padding, phases without taps, ranks 1–3, a batch",
          arguments: [
            // (input, kernel, stride, dilation, padding, output padding)
            ([16, 16], [4, 4], [2, 2], [1, 1], [1, 1], [0, 0]),
            ([9, 11], [8, 8], [4, 4], [1, 1], [2, 2], [0, 0]),
            ([13, 10], [3, 3], [2, 2], [1, 1], [1, 1], [1, 1]),
            ([21], [4], [2], [1], [1], [0]),
            ([17, 7], [3, 2], [1, 3], [2, 1], [2, 0], [0, 2]),
            // k < s: the phases no tap reaches are zero before the bias.
            ([12, 12], [1, 1], [2, 3], [1, 1], [0, 0], [1, 2]),
            ([4, 6, 5], [2, 3, 3], [2, 1, 2], [1, 1, 1], [0, 1, 1], [1, 0, 0]),
          ] as [([Int], [Int], [Int], [Int], [Int], [Int])])
    func transposedDepthwiseAgrees(input: [Int], kernel: [Int], stride: [Int], dilation: [Int], padding: [Int],
                                   outputPadding: [Int]) throws {
        var rng = SeededGenerator(state: UInt64(input.reduce(29, *)))
        let shape = try TransposedConvolutionSpec(kernel: kernel, stride: stride, padding: .symmetric(padding), dilation: dilation,
                                                  outputPadding: outputPadding).shape(input: input)
        let channels = 5
        let x = try Tensor.random(shape: [2, channels] + input, using: &rng)
        let w = try Tensor.random(shape: [channels, 1] + kernel, using: &rng)
        let b = try Tensor.random(shape: [channels], using: &rng)
        let reference = try ReferenceKernels.transposedConvolution(x, weight: w, bias: b, shape: shape, groups: channels)
        try expectEveryKernelAgrees(with: reference, "\(input) k \(kernel) s \(stride)") { microKernel, threads in
            try FastKernels.transposedConvolution(x, weight: w, bias: b, shape: shape, groups: channels, threads: threads,
                                                  microKernel: microKernel)
        }
        for microKernel in kernels {
            let plan = try FastKernels.plan(shape: shape, input: x.shape, weight: w.shape, bias: b.shape, groups: channels,
                                            threads: 2, microKernel: microKernel)
            #expect(plan.path == .depthwisePhases && plan.kernel == "f32-grid-\(microKernel.name)", "\(microKernel.name)")
            let prepared = try PreparedLayer(shape: shape, weight: w, bias: b, groups: channels, microKernel: microKernel)
            let perCall = try FastKernels.transposedConvolution(x, weight: w, bias: b, shape: shape, groups: channels, threads: 2,
                                                                microKernel: microKernel)
            #expect(try prepared(x, threads: 2).data.elementsEqual(perCall.data) { $0.bitPattern == $1.bitPattern },
                    "prepared \(microKernel.name)")
        }
    }

    @Test("fast pooling = reference under every convention and row kernel: max and average, ceil mode, count_include_pad, padding", arguments: Convention.all)
    func poolingAgrees(convention: Convention) async {
        var checked = 0
        // 300 random layers: TensorFlow refuses explicit padding for average and 3-D max pooling, so about a fifth of
        // them are its layers (150 gave 28–40, below the bound now and then).
        await propertyCheck(count: 300, input: LayerCase.generator, Gen.int(in: 0...3)) { layer, flags in
            let mode: PoolingMode = flags & 1 == 0 ? .max : .average
            let ceil = flags & 2 != 0
            let padding = layer.padding.map { min($0, layer.kernel[0] / 2) }
            guard let shape = try? PoolingSpec(kernel: layer.kernel, stride: layer.stride, padding: .symmetric(padding), dilation: [1],
                                               mode: mode, ceilMode: ceil, countIncludePad: layer.groups == 2 ? nil : layer.seed % 2 == 0,
                                               convention: convention).shape(input: layer.input.map { $0 + 2 }) else { return }
            checked += 1
            var rng = SeededGenerator(state: layer.seed)
            let x = try Tensor.random(shape: [layer.batch, 3] + shape.input, using: &rng)
            let include: Bool? = layer.groups == 2 ? nil : layer.seed % 2 == 0
            let reference = try ReferenceKernels.pooling(x, shape: shape, mode: mode, countIncludePad: include)
            for kernel in kernels {
                let fast = try FastKernels.pooling(x, shape: shape, mode: mode, countIncludePad: include, threads: 2, microKernel: kernel)
                let same = reference.shape == fast.shape && zip(reference.data, fast.data).allSatisfy(sameFloat)
                #expect(same, "\(convention) \(mode) ceil=\(ceil) \(kernel.name): \(layer)")
            }
        }
        #expect(checked >= 30)
    }

    @Test("pooling and depthwise windows that end in a row's right padding read nothing past the row (each row starts with a value larger than the rest), for outputs of whole vectors")
    func windowsEndingInPaddingStayOnTheirRow() throws {
        var rng = SeededGenerator(state: 31)
        for outputs in [8, 16, 32, 48] {
            for (kernel, step) in [(3, 2), (2, 2), (3, 1)] {
                // The last window reaches one float into the right padding.
                let width = (outputs - 1) * step + kernel - 1
                var x = try Tensor.random(shape: [1, 3, 4, width], using: &rng)
                for index in stride(from: 0, to: x.data.count, by: width) { x.data[index] = 1000 }
                for mode in [PoolingMode.max, .average] {
                    let shape = try PoolingSpec(kernel: [2, kernel], stride: [1, step], padding: .explicit([AxisPadding(0), AxisPadding(before: 0, after: 1)]),
                                                mode: mode, convention: .onnx).shape(input: [4, width])
                    #expect(shape.output.last == outputs)
                    let reference = try ReferenceKernels.pooling(x, shape: shape, mode: mode)
                    for micro in kernels {
                        let fast = try FastKernels.pooling(x, shape: shape, mode: mode, threads: 1, microKernel: micro)
                        #expect(reference.shape == fast.shape && zip(reference.data, fast.data).allSatisfy(sameFloat),
                                "\(micro.name) \(mode) k \(kernel) s \(step) outputs \(outputs)")
                    }
                }
                let conv = try ConvolutionSpec(kernel: [2, kernel], stride: [1, step], padding: .explicit([AxisPadding(0), AxisPadding(before: 0, after: 1)]),
                                               convention: .onnx).shape(input: [4, width])
                let w = try Tensor.random(shape: [3, 1, 2, kernel], using: &rng)
                let reference = try ReferenceKernels.convolution(x, weight: w, shape: conv, groups: 3)
                try expectEveryKernelAgrees(with: reference, "depthwise k \(kernel) s \(step) outputs \(outputs)") { micro, threads in
                    try FastKernels.convolution(x, weight: w, shape: conv, groups: 3, threads: threads, microKernel: micro)
                }
            }
        }
    }

    @Test("fast pooling over wide rows (every vector width and tail, strides 1–3, dilation, padding past the first vector) and rows run down the plane at vertical strides 1 and 2, with NaN and −0, equals the reference bit for bit for every row kernel")
    func widePoolingRowsAgreeBitForBit() throws {
        var rng = SeededGenerator(state: 2016)
        var x = try Tensor.random(shape: [1, 2, 12, 77], using: &rng)
        for index in stride(from: 0, to: x.data.count, by: 37) { x.data[index] = .nan }
        for index in stride(from: 5, to: x.data.count, by: 23) { x.data[index] = -0.0 }
        var checked = 0
        // (kernel, stride, dilation, horizontal padding): padding 17 reaches past a first vector of 16 outputs.
        for (kernel, stride, dilation, pad, mode) in [(3, 1, 1, 1, PoolingMode.max), (3, 2, 1, 1, .max), (2, 2, 1, 1, .average), (3, 3, 1, 1, .average),
                                                      (3, 1, 2, 1, .max), (5, 2, 1, 1, .max), (4, 2, 1, 1, .average), (2, 2, 1, 0, .average),
                                                      (35, 1, 1, 17, .max), (35, 1, 1, 17, .average), (3, 2, 1, 0, .max),
                                                      (2, 2, 1, 1, .max), (2, 2, 1, 0, .max)] {
            // Rows in the padding and rows every tap of which lies on the input (run down the plane in one call,
            // their lines moved a row or a pair at a time): heights 5 and 12 at vertical stride 1 (12: pairs of
            // narrow rows repeated), 9 at stride 2, 12 at vertical dilation 2.
            for (height, verticalStride, verticalDilation) in [(5, 1, 1), (9, 2, 1), (12, 1, 1), (12, 1, 2)] {
                for width in [16, 17, 31, 33, 64, 77] {
                    let input = try Tensor(shape: [1, 2, height, width],
                                           data: (0..<(2 * height * width)).map { x.data[($0 / width) * 77 + $0 % width] })
                    guard let shape = try? PoolingSpec(kernel: [3, kernel], stride: [verticalStride, stride], padding: .symmetric([1, pad]),
                                                       dilation: [verticalDilation, dilation], mode: mode, convention: .onnx)
                        .shape(input: [height, width])
                    else { continue }
                    let reference = try ReferenceKernels.pooling(input, shape: shape, mode: mode)
                    for micro in kernels {
                        let fast = try FastKernels.pooling(input, shape: shape, mode: mode, threads: 1, microKernel: micro)
                        // Taps meet each output in the reference's order: sums, NaN and −0 alike.
                        let same = reference.shape == fast.shape && zip(reference.data, fast.data).allSatisfy(sameFloat)
                        #expect(same, "\(micro.name) k \(kernel) s \(verticalStride)×\(stride) d \(verticalDilation)×\(dilation) p \(pad) \(mode) h \(height) w \(width)")
                        checked += 1
                    }
                }
            }
        }
        #expect(checked >= 300)
    }
}

@Suite("Every kernel entry point is one gate")
struct KernelGateTests {
    @Test("a layer no formulation reproduces (MLX's crop of whole input units) is refused by every kernel entry point")
    func mlxWholeUnitCropIsRefusedEverywhere() throws {
        // p = 2 > k̂ − 1 = 1 with s = 2: MLX slices whole input units before dilating the input.
        let shape = try TransposedConvolutionSpec(kernel: [2], stride: [2], padding: .symmetric([2]), convention: .mlx).shape(input: [6])
        #expect(shape.slicesWholeInputUnits)
        var generator = SystemRandomNumberGenerator()
        let x = try Tensor.random(shape: [1, 1, 6], using: &generator), w = try Tensor.random(shape: [1, 1, 2], using: &generator)
        let calls: [(String, () throws -> Tensor)] = [
            ("FastKernels", { try FastKernels.transposedConvolution(x, weight: w, shape: shape) }),
            ("ReferenceKernels", { try ReferenceKernels.transposedConvolution(x, weight: w, shape: shape) }),
            ("PreparedLayer", { try PreparedLayer(shape: shape, weight: w)(x, threads: 1) }),
            ("ConvolutionMatrix", { try ConvolutionMatrix.transposedConvolution(x, weight: w, bias: nil, shape: shape, groups: 1) }),
            ("StretchedTransposedConvolution", { try StretchedTransposedConvolution.run(x, weight: w, bias: nil, shape: shape, groups: 1) }),
        ]
        for (name, call) in calls {
            #expect(throws: KernelError.self, "\(name)") { _ = try call() }
        }
    }
}
