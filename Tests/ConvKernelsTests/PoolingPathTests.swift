import ConvArithmetic
import ConvKernels
import Testing

/// The same float bit for bit, or both NaN.
private func sameBits(_ pair: (Float, Float)) -> Bool {
    pair.0.bitPattern == pair.1.bitPattern || (pair.0.isNaN && pair.1.isNaN)
}

/// Every micro-kernel this CPU can run (the portable one always).
private let microKernels = ["avx512", "avx2", "portable"].filter(MicroKernel.isSupported).map { MicroKernel(named: $0) }

@Suite("Pooling paths: the padded grid, the direct plane and the separable passes give the reference's floats")
struct PoolingPathTests {
    /// A pooling layer, the path its max and its average should take on the vector kernels (and, where it
    /// differs, on the portable ones), and how it is spelled.
    struct Case: CustomStringConvertible, Sendable {
        let input: [Int], kernel: [Int], stride: [Int], padding: Padding, dilation: [Int]
        let convention: Convention
        let maxPath: PoolingPath, averagePath: PoolingPath
        var portablePath: PoolingPath? = nil
        /// The paths on AVX-512 where they are not the grid's counterparts: a 3 × 3 max's whole windows (the
        /// direct plane separates larger windows only), an average's row too wide for a grid.
        var avx512MaxPath: PoolingPath? = nil
        var avx512AveragePath: PoolingPath? = nil
        var description: String { "\(input) k \(kernel) s \(stride) \(padding) d \(dilation) \(convention)" }

        /// On AVX-512, the layers written for the grid read their planes directly instead (the direct plane).
        func path(_ mode: PoolingMode, on microKernel: MicroKernel) -> PoolingPath {
            let vector = mode == .max ? maxPath : averagePath
            switch microKernel.name {
            case "portable": return portablePath ?? vector
            case "avx512":
                if mode == .average, let avx512AveragePath { return avx512AveragePath }
                if mode == .max, let avx512MaxPath { return avx512MaxPath }
                return vector == .grid ? .direct : vector == .separableGrid ? .separableDirect : vector
            default: return vector
            }
        }
    }

    static let cases: [Case] = [
        // YOLO's SPP 5 × 5 and Inception's 3 × 3 pools: the grid, the max in two passes.
        Case(input: [20, 20], kernel: [5, 5], stride: [1, 1], padding: .symmetric([2, 2]), dilation: [1], convention: .onnx,
             maxPath: .separableGrid, averagePath: .grid),
        Case(input: [28, 28], kernel: [3, 3], stride: [1, 1], padding: .symmetric([1, 1]), dilation: [1], convention: .pytorch,
             maxPath: .separableGrid, averagePath: .grid, avx512MaxPath: .direct),
        // Windows 7 and 2 wide, and a 1-D line narrower than a vector of AVX-512 or AVX2 (the direct plane's
        // unrolled widths and its masked stores).
        Case(input: [40, 70], kernel: [7, 7], stride: [1, 1], padding: .symmetric([3, 3]), dilation: [1],
             convention: .pytorch,
             maxPath: .separableGrid, averagePath: .grid),
        Case(input: [23, 50], kernel: [2, 2], stride: [1, 1], padding: .symmetric([0, 0]), dilation: [1],
             convention: .pytorch,
             maxPath: .grid, averagePath: .grid),
        Case(input: [7], kernel: [5], stride: [1], padding: .symmetric([2]), dilation: [1], convention: .onnx,
             maxPath: .grid, averagePath: .grid),
        // One line or one column a window: one stream.
        Case(input: [17], kernel: [3], stride: [1], padding: .symmetric([1]), dilation: [1], convention: .pytorch,
             maxPath: .grid, averagePath: .grid),
        Case(input: [31, 33], kernel: [3, 1], stride: [1, 1], padding: .symmetric([1, 0]), dilation: [1], convention: .onnx,
             maxPath: .grid, averagePath: .grid),
        Case(input: [15, 16], kernel: [1, 4], stride: [1, 1], padding: .symmetric([0, 2]), dilation: [1], convention: .pytorch,
             maxPath: .grid, averagePath: .grid),
        // Three axes with a dilation.
        Case(input: [6, 9, 11], kernel: [2, 3, 3], stride: [1, 1, 1], padding: .symmetric([1, 1, 1]), dilation: [1, 2, 1],
             convention: .onnx, maxPath: .separableGrid, averagePath: .grid),
        // Windows that stop before the input's end (a negative end padding crops), and windows wholly in the padding.
        Case(input: [10, 10], kernel: [3, 3], stride: [1, 1], padding: .explicit([AxisPadding(before: 1, after: -2), AxisPadding(before: 1, after: -2)]),
             dilation: [1], convention: .jax, maxPath: .separableGrid, averagePath: .grid, avx512MaxPath: .direct),
        Case(input: [8, 8], kernel: [3, 3], stride: [1, 1], padding: .explicit([AxisPadding(before: 4, after: 0), AxisPadding(before: 0, after: 4)]),
             dilation: [1], convention: .jax, maxPath: .separableGrid, averagePath: .grid, avx512MaxPath: .direct),
        // Planes larger than a grid: bands of output rows (two here).
        Case(input: [200, 200], kernel: [3, 3], stride: [1, 1], padding: .symmetric([1, 1]), dilation: [1], convention: .pytorch,
             maxPath: .separableGrid, averagePath: .grid, avx512MaxPath: .direct),
        // Rows too wide for a grid of one row: two passes of the row kernels for the max; both read directly on
        // AVX-512 (whole windows: no buffer of row maxima).
        Case(input: [10, 12_000], kernel: [3, 3], stride: [1, 1], padding: .symmetric([1, 1]), dilation: [1], convention: .pytorch,
             maxPath: .separableMax, averagePath: .windowRows, avx512MaxPath: .direct, avx512AveragePath: .direct),
        // A 5 × 5 max on rows that wide: its row maxima too large for the direct plane's band, so the row kernels.
        Case(input: [12, 12_000], kernel: [5, 5], stride: [1, 1], padding: .symmetric([2, 2]), dilation: [1],
             convention: .pytorch,
             maxPath: .separableMax, averagePath: .windowRows, avx512AveragePath: .direct),
        // Overlapping strided windows: the max by two passes of the row kernels; on the portable kernels the grid
        // split into the strides' phases, in bands.
        Case(input: [200, 200], kernel: [7, 7], stride: [2, 2], padding: .symmetric([3, 3]), dilation: [1], convention: .onnx,
             maxPath: .separableMax, averagePath: .windowRows, portablePath: .grid),
        // Strided windows that barely overlap stay whole (the grid's phases on the portable kernels), in 1, 2 or 3 axes.
        Case(input: [56, 56], kernel: [3, 3], stride: [2, 2], padding: .symmetric([1, 1]), dilation: [1], convention: .pytorch,
             maxPath: .windowRows, averagePath: .windowRows, portablePath: .grid),
        Case(input: [57], kernel: [3], stride: [3], padding: .symmetric([1]), dilation: [2], convention: .onnx,
             maxPath: .windowRows, averagePath: .windowRows, portablePath: .grid),
        Case(input: [5, 9, 13], kernel: [2, 2, 3], stride: [2, 1, 2], padding: .symmetric([0, 1, 1]), dilation: [1], convention: .onnx,
             maxPath: .windowRows, averagePath: .windowRows, portablePath: .grid),
    ]

    @Test("each pooling takes the path written for it, and every path equals the reference bit for bit (NaN, −0, −∞, padding, crops) for every kernel and thread count",
          arguments: cases)
    func pathsEqualTheReference(_ layer: Case) throws {
        var generator = SeededGenerator(state: UInt64(layer.input.reduce(7, *)))
        // Three planes: fewer than any block of planes at once (``PoolingChannelsTests``).
        var x = try Tensor.random(shape: [1, 3] + layer.input, using: &generator)
        for index in stride(from: 0, to: x.data.count, by: 37) { x.data[index] = .nan }
        for index in stride(from: 5, to: x.data.count, by: 23) { x.data[index] = -0.0 }
        for index in stride(from: 11, to: x.data.count, by: 41) { x.data[index] = -.infinity }
        var compared = 0
        for mode in [PoolingMode.max, .average] {
            for countIncludePad in mode == .average ? [false, true] : [false] {
                let shape = try PoolingSpec(kernel: layer.kernel, stride: layer.stride, padding: layer.padding, dilation: layer.dilation, mode: mode,
                                            countIncludePad: countIncludePad, convention: layer.convention).shape(input: layer.input)
                let reference = try ReferenceKernels.pooling(x, shape: shape, mode: mode, countIncludePad: countIncludePad)
                for microKernel in microKernels {
                    #expect(FastKernels.poolingPath(shape: shape, mode: mode, planes: 3, microKernel: microKernel) == layer.path(mode, on: microKernel),
                            "\(mode) \(microKernel.name)")
                    for threads in [1, 2] {
                        let fast = try FastKernels.pooling(x, shape: shape, mode: mode, countIncludePad: countIncludePad, threads: threads,
                                                           microKernel: microKernel)
                        #expect(fast.shape == reference.shape && fast.data.count == reference.data.count)
                        let differing = zip(fast.data, reference.data).filter { !sameBits($0) }.count
                        #expect(differing == 0, "\(mode) include pad \(countIncludePad) \(microKernel.name) \(threads) threads: \(differing) floats differ")
                        compared += 1
                    }
                }
            }
        }
        #expect(compared == 3 * 2 * microKernels.count)
    }
}

@Suite("Depthwise layers on the grid")
struct DepthwiseGridTests {
    @Test("a depthwise layer takes the grid at unit strides, and strided on the portable kernels (the direct loops on the vector ones), and agrees with the reference: strides, dilation, padding, bands of rows, ranks 1–3",
          arguments: [([300, 300], [3, 3], [1, 1], [1, 1], [1, 1]), ([57, 61], [5, 5], [2, 2], [2, 2], [1, 1]), ([4000], [7], [3], [3], [2]),
                      ([6, 10, 12], [3, 3, 3], [1, 2, 2], [1, 1, 1], [1, 1, 1])])
    func depthwiseTakesTheGrid(_ input: [Int], _ kernel: [Int], _ stride: [Int], _ padding: [Int], _ dilation: [Int]) throws {
        let shape = try ConvolutionSpec(kernel: kernel, stride: stride, padding: .symmetric(padding), dilation: dilation).shape(input: input)
        var generator = SeededGenerator(state: UInt64(input.reduce(3, *)))
        let x = try Tensor.random(shape: [2, 3] + input, using: &generator)
        let w = try Tensor.random(shape: [3, 1] + kernel, using: &generator), b = try Tensor.random(shape: [3], using: &generator)
        let reference = try ReferenceKernels.convolution(x, weight: w, bias: b, shape: shape, groups: 3)
        let scale = max(reference.data.lazy.map(abs).max() ?? 0, 1)
        for microKernel in microKernels {
            let plan = try FastKernels.plan(shape: shape, input: x.shape, weight: w.shape, bias: b.shape, groups: 3, microKernel: microKernel)
            let onGrid = microKernel.name == "portable" || stride.allSatisfy { $0 == 1 }
            #expect(plan.path == (onGrid ? .depthwiseGrid : .depthwise), "\(microKernel.name)")
            for threads in [1, 2] {
                let fast = try FastKernels.convolution(x, weight: w, bias: b, shape: shape, groups: 3, threads: threads, microKernel: microKernel)
                #expect(fast.shape == reference.shape && fast.data.count == reference.data.count)
                let worst = fast.maximumDifference(to: reference)  // a NaN against a number is +∞
                #expect(worst.isFinite && worst / scale <= 1e-5, "\(microKernel.name) \(threads) threads: \(worst)")
            }
        }
    }
}

@Suite("Pooling paths under hostile sizes")
struct PoolingPathHostileTests {
    @Test("a dilation near 2⁶³ (JAX pools have no padding bound) is refused by the direct plane, whose window positions would overflow, and every kernel equals the reference bit for bit")
    func hugeDilationsStayOffTheDirectPlane() throws {
        let d = 5 << 60 + 1
        let padding = Padding.explicit([AxisPadding(before: d, after: 0), AxisPadding(before: 0, after: 0)])
        var generator = SeededGenerator(state: 11)
        let x = try Tensor.random(shape: [1, 2, 1, 8], using: &generator)
        for mode in [PoolingMode.max, .average] {
            let shape = try PoolingSpec(kernel: [2, 2], stride: [1, 1], padding: padding, dilation: [d, 1], mode: mode,
                                        convention: .jax).shape(input: [1, 8])
            let reference = try ReferenceKernels.pooling(x, shape: shape, mode: mode)
            for microKernel in microKernels {
                #expect(![PoolingPath.direct, .separableDirect]
                    .contains(FastKernels.poolingPath(shape: shape, mode: mode, planes: 2, microKernel: microKernel)))
                let fast = try FastKernels.pooling(x, shape: shape, mode: mode, threads: 2, microKernel: microKernel)
                #expect(fast.data.count == reference.data.count && fast.data.count == 2 * 7)
                #expect(zip(fast.data, reference.data).allSatisfy { sameBits(($0, $1)) }, "\(mode) \(microKernel.name)")
            }
        }
    }

    @Test("an empty batch bounds nothing: a layer whose one sample would pass the memory limit is refused by every kernel, not trapped on")
    func emptyBatchesAreCheckedAsOneSample() throws {
        let huge = 1 << 32
        let pool = try PoolingSpec(kernel: [huge, huge], stride: [1, 1], padding: .symmetric([huge, huge]), convention: .jax).shape(input: [1, 1])
        // No grid holds a window of 2⁶⁴ taps (its count overflows Int: counted as a double).
        #expect(![PoolingPath.grid, .separableGrid, .channels, .direct, .separableDirect]
            .contains(FastKernels.poolingPath(shape: pool, mode: .max, planes: 64)))
        let empty = try Tensor(shape: [0, 1, 1, 1], data: [])
        for mode in [PoolingMode.max, .average] {
            #expect(throws: KernelError.self) { try FastKernels.pooling(empty, shape: pool, mode: mode, threads: 2) }
            #expect(throws: KernelError.self) { try ReferenceKernels.pooling(empty, shape: pool, mode: mode) }
        }
        let signal = try PoolingSpec(kernel: [2], convention: .onnx).shape(input: [1_000_000_000_000_000])
        #expect(throws: KernelError.self) {
            try FastKernels.pooling(try Tensor(shape: [0, 1, 1_000_000_000_000_000], data: []), shape: signal, mode: .average)
        }
        // A depthwise convolution and a transposed convolution of 2³² + 2 squared per sample (a JAX padding).
        let side = huge + 2
        let conv = try ConvolutionSpec(kernel: [3, 3], convention: .jax).shape(input: [side, side])
        let x = try Tensor(shape: [0, 4, side, side], data: []), w = try Tensor(shape: [4, 1, 3, 3], data: [Float](repeating: 1, count: 36))
        #expect(throws: KernelError.self) { try FastKernels.convolution(x, weight: w, shape: conv, groups: 4) }
        #expect(throws: KernelError.self) { try ReferenceKernels.convolution(x, weight: w, shape: conv, groups: 4) }
        let transposed = try TransposedConvolutionSpec(kernel: [3, 3], convention: .jax).shape(input: [side, side])
        #expect(throws: KernelError.self) { try FastKernels.transposedConvolution(x, weight: w, shape: transposed, groups: 4) }
        // An empty batch of a small layer still runs, to an empty output.
        let small = try PoolingSpec(kernel: [3, 3], stride: [1, 1], padding: .symmetric([1, 1])).shape(input: [8, 8])
        let y = try FastKernels.pooling(try Tensor(shape: [0, 3, 8, 8], data: []), shape: small, mode: .max)
        #expect(y.shape == [0, 3, 8, 8] && y.data.isEmpty)
    }

    @Test("separable max passes are not taken when their buffer of row maxima would dwarf the output")
    func separablePassesKeepTheirBufferSmall() throws {
        // 250,000 input rows, 1,038 output rows of 10,000: the row maxima would be 2.5·10⁹ floats.
        let shape = try PoolingSpec(kernel: [1000, 2], stride: [240, 1],
                                    padding: .explicit([AxisPadding(0), AxisPadding(before: 5000, after: 5000)]), convention: .jax)
            .shape(input: [250_000, 1])
        #expect(shape.output == [1038, 10000])
        #expect(FastKernels.poolingPath(shape: shape, mode: .max, planes: 1) == .windowRows)
    }
}

@Suite("Depthwise layers a block of channels at once")
struct DepthwiseChannelsTests {
    @Test("a depthwise layer with small planes and channels enough runs blocks of channels (the last channels of each sample a plane at a time) and agrees with the reference: strides, dilation, padding, ranks 1–3, batches; windows far larger than the plane, whose taps on the padding are skipped (RepLKNet's 31 × 31 over 14 × 14), strided and dilated",
          arguments: [([7, 7], [3, 3], [1, 1], [1, 1], [1, 1]), ([14, 14], [5, 5], [2, 2], [2, 2], [1, 1]), ([9, 8], [3, 3], [1, 1], [2, 2], [2, 1]),
                      ([40], [7], [1], [3], [1]), ([3, 4, 5], [2, 3, 3], [1, 1, 1], [1, 1, 1], [1, 1, 1]),
                      ([7, 9], [15, 13], [1, 1], [7, 6], [1, 1]), ([10, 10], [5, 5], [2, 1], [6, 3], [2, 3]),
                      ([9], [31], [1], [15], [1]), ([4, 4, 5], [5, 5, 5], [1, 1, 1], [2, 2, 2], [1, 1, 1]),
                      // Padding past the window's span: outputs whose windows lie wholly in the padding.
                      ([8], [5], [1], [7], [1]), ([4, 5], [3, 5], [1, 1], [3, 5], [1, 1])])
    func blocksOfChannelsAgree(_ input: [Int], _ kernel: [Int], _ stride: [Int], _ padding: [Int], _ dilation: [Int]) throws {
        let shape = try ConvolutionSpec(kernel: kernel, stride: stride, padding: .symmetric(padding), dilation: dilation).shape(input: input)
        #expect(shape.output.reduce(1, *) <= 100)
        let channels = 37  // two blocks of 16 and 5 channels on AVX-512, four of 8 and 5 on AVX2, nine of 4 and 1 portable
        var generator = SeededGenerator(state: UInt64(input.reduce(5, *)))
        let x = try Tensor.random(shape: [2, channels] + input, using: &generator)
        let w = try Tensor.random(shape: [channels, 1] + kernel, using: &generator)
        let b = try Tensor.random(shape: [channels], using: &generator)
        let reference = try ReferenceKernels.convolution(x, weight: w, bias: b, shape: shape, groups: channels)
        let scale = max(reference.data.lazy.map(abs).max() ?? 0, 1)
        for microKernel in microKernels {
            let plan = try FastKernels.plan(shape: shape, input: x.shape, weight: w.shape, bias: b.shape, groups: channels, microKernel: microKernel)
            #expect(plan.path == .depthwiseChannels && plan.kernel == "f32-depthwise-channels-\(microKernel.name)")
            for threads in [1, 2] {
                let fast = try FastKernels.convolution(x, weight: w, bias: b, shape: shape, groups: channels, threads: threads, microKernel: microKernel)
                #expect(fast.shape == reference.shape && fast.data.count == reference.data.count)
                let worst = fast.maximumDifference(to: reference)  // a NaN against a number is +∞
                #expect(worst.isFinite && worst / scale <= 1e-5, "\(microKernel.name) \(threads) threads: \(worst)")
            }
        }
    }

    @Test("a depthwise layer with fewer channels than a block, planes of more than 256 outputs, or up to 256 whose taps are under three times the input, runs a plane at a time; 14 × 14 outputs of a 3 × 3 window run blocks")
    func fewChannelsOrLargePlanesRunAPlaneAtATime() throws {
        let small = try ConvolutionSpec(kernel: [3, 3], padding: .symmetric([1, 1])).shape(input: [7, 7])
        let large = try ConvolutionSpec(kernel: [3, 3], padding: .symmetric([1, 1])).shape(input: [28, 28])
        let middle = try ConvolutionSpec(kernel: [3, 3], padding: .symmetric([1, 1])).shape(input: [14, 14])
        // 196 outputs of 2 × 2 taps over 784 inputs: the transposes would cost more than the taps save.
        let strided = try ConvolutionSpec(kernel: [2, 2], stride: [2, 2]).shape(input: [28, 28])
        for microKernel in microKernels {
            let few = try FastKernels.plan(shape: small, input: [1, 3, 7, 7], weight: [3, 1, 3, 3], groups: 3, microKernel: microKernel)
            let big = try FastKernels.plan(shape: large, input: [1, 64, 28, 28], weight: [64, 1, 3, 3], groups: 64, microKernel: microKernel)
            let blocked = try FastKernels.plan(shape: middle, input: [1, 64, 14, 14], weight: [64, 1, 3, 3], groups: 64,
                                               microKernel: microKernel)
            let sparse = try FastKernels.plan(shape: strided, input: [1, 64, 28, 28], weight: [64, 1, 2, 2], groups: 64,
                                              microKernel: microKernel)
            #expect(few.path == .depthwiseGrid && big.path == .depthwiseGrid, "\(microKernel.name)")
            #expect(blocked.path == .depthwiseChannels && sparse.path != .depthwiseChannels, "\(microKernel.name)")
        }
    }
}

@Suite("Pooling a block of planes at once")
struct PoolingChannelsTests {
    /// Pooling layers of small planes: a global pooling, padded and strided windows, ceil mode, crops, 1-D and 3-D.
    static let cases: [(input: [Int], kernel: [Int], stride: [Int], padding: Padding, ceil: Bool, convention: Convention)] = [
        ([7, 7], [7, 7], [1, 1], .symmetric([0, 0]), false, .pytorch),
        ([7, 7], [3, 3], [1, 1], .symmetric([1, 1]), false, .onnx),
        ([14, 14], [2, 2], [2, 2], .symmetric([0, 0]), false, .jax),
        ([14, 14], [3, 3], [1, 1], .symmetric([1, 1]), false, .pytorch),
        ([9, 9], [3, 3], [2, 2], .symmetric([1, 1]), true, .pytorch),
        ([10, 10], [3, 3], [1, 1], .explicit([AxisPadding(before: 1, after: -2), AxisPadding(before: 2, after: 0)]), false, .jax),
        ([100], [100], [1], .symmetric([0]), false, .onnx),
        ([3, 4, 5], [2, 3, 3], [1, 1, 1], .symmetric([1, 1, 1]), false, .pytorch),
    ]

    @Test("a pooling of small planes, planes enough for a block, runs blocks of planes (the last planes alone) and equals the reference bit for bit — max with each convention's NaN and zero rules, average with and without the padding counted — on every kernel and thread count",
          arguments: 0..<cases.count)
    func blocksOfPlanesEqualTheReference(_ index: Int) throws {
        let layer = Self.cases[index]
        var generator = SeededGenerator(state: UInt64(index + 17))
        // 3 × 13 planes: two blocks of 16 and 7 alone on AVX-512, four of 8 and 7 on AVX2, nine of 4 and 3 portable.
        var x = try Tensor.random(shape: [3, 13] + layer.input, using: &generator)
        for index in stride(from: 0, to: x.data.count, by: 61) { x.data[index] = .nan }
        for index in stride(from: 5, to: x.data.count, by: 23) { x.data[index] = -0.0 }
        for index in stride(from: 7, to: x.data.count, by: 29) { x.data[index] = 0 }
        for index in stride(from: 11, to: x.data.count, by: 41) { x.data[index] = -.infinity }
        var compared = 0
        for mode in [PoolingMode.max, .average] {
            for countIncludePad in mode == .average ? [false, true] : [false] {
                let shape = try PoolingSpec(kernel: layer.kernel, stride: layer.stride, padding: layer.padding, mode: mode,
                                            ceilMode: layer.ceil, countIncludePad: countIncludePad, convention: layer.convention)
                    .shape(input: layer.input)
                let reference = try ReferenceKernels.pooling(x, shape: shape, mode: mode, countIncludePad: countIncludePad)
                for microKernel in microKernels {
                    #expect(FastKernels.poolingPath(shape: shape, mode: mode, planes: 39, microKernel: microKernel) == .channels)
                    #expect(PoolingPath.channels.kernel(on: microKernel) == "f32-pool-channels-\(microKernel.name)")
                    for threads in [1, 2] {
                        let fast = try FastKernels.pooling(x, shape: shape, mode: mode, countIncludePad: countIncludePad,
                                                           threads: threads, microKernel: microKernel)
                        #expect(fast.shape == reference.shape && fast.data.count == reference.data.count)
                        let differing = zip(fast.data, reference.data).filter { !sameBits($0) }.count
                        #expect(differing == 0, "\(mode) include pad \(countIncludePad) \(microKernel.name) \(threads) threads: \(differing) differ")
                        compared += 1
                    }
                }
            }
        }
        #expect(compared == 3 * 2 * microKernels.count)
    }

    @Test("a pooling runs a plane at a time with fewer planes than a block, one tap a window, planes of more than 256 outputs, or 2 × 2 stride-2 windows onto 14 × 14")
    func otherPoolingsRunAPlaneAtATime() throws {
        let global = try PoolingSpec(kernel: [7, 7], stride: [1, 1], convention: .pytorch).shape(input: [7, 7])
        let single = try PoolingSpec(kernel: [1, 1], stride: [2, 2], convention: .pytorch).shape(input: [14, 14])
        let large = try PoolingSpec(kernel: [3, 3], stride: [1, 1], padding: .symmetric([1, 1]), convention: .pytorch).shape(input: [28, 28])
        let strided = try PoolingSpec(kernel: [2, 2], stride: [2, 2], convention: .pytorch).shape(input: [28, 28])
        for microKernel in microKernels {
            #expect(FastKernels.poolingPath(shape: global, mode: .average, planes: 3, microKernel: microKernel) != .channels)
            #expect(FastKernels.poolingPath(shape: global, mode: .average, planes: 16, microKernel: microKernel) == .channels)
            for shape in [single, large, strided] {
                #expect(FastKernels.poolingPath(shape: shape, mode: .max, planes: 512, microKernel: microKernel) != .channels,
                        "\(shape.output) \(microKernel.name)")
            }
        }
    }
}

@Suite("Max pooling's ties and NaN, as the frameworks compare")
struct MaxPoolingTieTests {
    @Test("ONNX max pooling keeps the first of equal maxima (−0 before 0), passes NaN over and gives −FLT_MAX for an all-NaN window, as ONNX Runtime 1.32 does, on every kernel")
    func onnxTiesAndNaNMatchONNXRuntime() throws {
        // ONNX Runtime 1.32, MaxPool k 2 s 1 on this row: [1, 2, 3, 3, −3.4028235e38, −0, −0, 0, 0].
        let x = try Tensor(shape: [1, 1, 10], data: [1, .nan, 2, 3, .nan, .nan, -0.0, 0, 0, -0.0])
        let expected: [Float] = [1, 2, 3, 3, -.greatestFiniteMagnitude, -0.0, -0.0, 0, 0]
        let shape = try PoolingSpec(kernel: [2], stride: [1], convention: .onnx).shape(input: [10])
        var results = [try ReferenceKernels.pooling(x, shape: shape, mode: .max)]
        for microKernel in microKernels { results.append(try FastKernels.pooling(x, shape: shape, mode: .max, threads: 1, microKernel: microKernel)) }
        for y in results {
            #expect(y.data.count == expected.count && zip(y.data, expected).allSatisfy { $0.bitPattern == $1.bitPattern }, "\(y.data)")
        }
    }

    @Test("PyTorch max pooling gives NaN for every window holding a NaN, as torch.nn.functional.max_pool1d/2d does, on every kernel and thread count")
    func pytorchPropagatesNaNAsPyTorch() throws {
        // torch 2.13, max_pool1d k 2 s 1 of this row: [nan, nan, 3, nan, nan, nan, −0, 0, 0].
        let x = try Tensor(shape: [1, 1, 10], data: [1, .nan, 2, 3, .nan, .nan, -0.0, 0, 0, -0.0])
        let expected: [Float] = [.nan, .nan, 3, .nan, .nan, .nan, -0.0, 0, 0]
        let shape = try PoolingSpec(kernel: [2], stride: [1], convention: .pytorch).shape(input: [10])
        var results = [("reference", try ReferenceKernels.pooling(x, shape: shape, mode: .max))]
        for microKernel in microKernels {
            results.append((microKernel.name, try FastKernels.pooling(x, shape: shape, mode: .max, threads: 1, microKernel: microKernel)))
        }
        for (name, y) in results {
            #expect(y.data.count == expected.count && zip(y.data, expected).allSatisfy(sameBits), "\(name): \(y.data)")
        }
        // torch 2.13, max_pool2d k 3 s 1 p 1 of 1…16 in a 4 × 4 plane with a NaN for the 6: NaN in the nine
        // windows over it, the others their maxima.
        var plane = (1...16).map(Float.init)
        plane[5] = .nan
        let x2 = try Tensor(shape: [1, 1, 4, 4], data: plane)
        let expected2: [Float] = [.nan, .nan, .nan, 8, .nan, .nan, .nan, 12, .nan, .nan, .nan, 16, 14, 15, 16, 16]
        let pool = try PoolingSpec(kernel: [3, 3], stride: [1, 1], padding: .symmetric([1, 1])).shape(input: [4, 4])
        var compared = 0
        for microKernel in microKernels {
            for threads in [1, 2] {
                let y = try FastKernels.pooling(x2, shape: pool, mode: .max, threads: threads, microKernel: microKernel)
                #expect(y.data.count == expected2.count && zip(y.data, expected2).allSatisfy(sameBits), "\(microKernel.name): \(y.data)")
                compared += 1
            }
        }
        #expect(compared == 2 * microKernels.count)
    }

    @Test("max pooling k 2 s 1 gives each framework's measured floats for NaN, ±∞, −∞-only windows and zeros of both signs, on every kernel",
          arguments: [Convention.tensorflow, .jax, .mlx])
    func nanInfinitiesAndZerosMatchTheFrameworks(_ convention: Convention) throws {
        // Measured with TensorFlow 2.21 (tf.nn.max_pool1d), JAX 0.10.2 (lax.reduce_window max from −∞) and MLX 0.32.4
        // (nn.MaxPool1d) on these rows: TensorFlow passes NaN over from −FLT_MAX; JAX and MLX propagate it; JAX
        // keeps +0 above −0, the others the first of equal zeros.
        let lowest = -Float.greatestFiniteMagnitude
        let rows: [(row: [Float], tensorflow: [Float], jax: [Float], mlx: [Float])] = [
            ([1, .nan, 2, 3, 4], [1, 2, 3, 4], [.nan, .nan, 3, 4], [.nan, .nan, 3, 4]),
            ([.nan, .nan, 1, 2], [lowest, 1, 2], [.nan, .nan, 2], [.nan, .nan, 2]),
            ([1, .infinity, .nan, -.infinity], [.infinity, .infinity, lowest], [.infinity, .nan, .nan], [.infinity, .nan, .nan]),
            ([-.infinity, -.infinity, 1], [lowest, 1], [-.infinity, 1], [-.infinity, 1]),
            ([-0.0, 0, 0, -0.0], [-0.0, 0, 0], [0, 0, 0], [-0.0, 0, 0]),
            ([0, -0.0, -0.0, 0], [0, -0.0, -0.0], [0, -0.0, 0], [0, -0.0, -0.0]),
        ]
        var compared = 0
        for (row, tensorflow, jax, mlx) in rows {
            let expected = convention == .tensorflow ? tensorflow : convention == .jax ? jax : mlx
            let x = try Tensor(shape: [1, 1, row.count], data: row)
            let shape = try PoolingSpec(kernel: [2], stride: [1], convention: convention).shape(input: [row.count])
            var results = [("reference", try ReferenceKernels.pooling(x, shape: shape, mode: .max))]
            for microKernel in microKernels {
                results.append((microKernel.name, try FastKernels.pooling(x, shape: shape, mode: .max, threads: 1, microKernel: microKernel)))
            }
            for (name, y) in results {
                #expect(y.data.count == expected.count && zip(y.data, expected).allSatisfy(sameBits), "\(name) \(row): \(y.data)")
                compared += 1
            }
        }
        #expect(compared == rows.count * (1 + microKernels.count))
    }

    @Test("JAX max pooling keeps +0 above −0 wherever it is in a window, on every path, kernel and thread count, as its reference does")
    func jaxZerosOnEveryPath() throws {
        var generator = SeededGenerator(state: 5)
        var plane = try Tensor.random(shape: [2, 3, 12, 13], using: &generator).data.map { $0 < 0.7 ? Float(-0.0) : 0 }
        plane[7] = .nan
        let x = try Tensor(shape: [2, 3, 12, 13], data: plane)
        var compared = 0
        for (kernel, stride, padding) in [(3, 1, 1), (3, 2, 1), (2, 2, 0), (5, 1, 2)] {
            let shape = try PoolingSpec(kernel: [kernel, kernel], stride: [stride, stride], padding: .symmetric([padding, padding]),
                                        convention: .jax).shape(input: [12, 13])
            let reference = try ReferenceKernels.pooling(x, shape: shape, mode: .max)
            #expect(reference.data.contains { $0 == 0 && $0.sign == .minus } && reference.data.contains { $0 == 0 && $0.sign == .plus })
            for microKernel in microKernels {
                for threads in [1, 2] {
                    let y = try FastKernels.pooling(x, shape: shape, mode: .max, threads: threads, microKernel: microKernel)
                    #expect(y.data.count == reference.data.count && zip(y.data, reference.data).allSatisfy(sameBits),
                            "k \(kernel) s \(stride) \(microKernel.name) \(threads) threads")
                    compared += 1
                }
            }
        }
        #expect(compared == 4 * 2 * microKernels.count)
    }

    @Test("a NaN window keeps the bits of its last NaN in the reference's tap order (sign and payload), on every path, kernel and thread count")
    func nanBitsAreTheLastNaNOfTheWindow() throws {
        // Three NaNs of different bits in a 6 × 6 plane: windows over two of them keep the later one (row-major).
        let first = Float(bitPattern: 0x7FC0_0001), second = Float(bitPattern: 0xFFC0_0002), third = Float(bitPattern: 0x7FC0_0003)
        var plane = (0..<36).map { Float($0) }
        plane[7] = first    // (1, 1)
        plane[8] = second   // (1, 2)
        plane[14] = third   // (2, 2)
        let x = try Tensor(shape: [3, 1, 6, 6], data: plane + plane.reversed() + plane)
        var compared = 0
        var seen: Set<UInt32> = []
        for (kernel, stride, padding, ceil) in [(3, 1, 1, false), (2, 2, 0, false), (3, 2, 0, true), (5, 1, 2, false)] {
            let shape = try PoolingSpec(kernel: [kernel, kernel], stride: [stride, stride], padding: .symmetric([padding, padding]),
                                        ceilMode: ceil).shape(input: [6, 6])
            let reference = try ReferenceKernels.pooling(x, shape: shape, mode: .max)
            #expect(reference.data.contains { $0.bitPattern == third.bitPattern })
            seen.formUnion(reference.data.filter(\.isNaN).map(\.bitPattern))
            for microKernel in microKernels {
                for threads in [1, 2] {
                    let y = try FastKernels.pooling(x, shape: shape, mode: .max, threads: threads, microKernel: microKernel)
                    #expect(y.data.count == reference.data.count && zip(y.data, reference.data).allSatisfy { $0.bitPattern == $1.bitPattern },
                            "k \(kernel) s \(stride) \(microKernel.name) \(threads) threads")
                    compared += 1
                }
            }
        }
        #expect(compared == 4 * 2 * microKernels.count)
        #expect(seen == [first.bitPattern, second.bitPattern, third.bitPattern])
    }

    @Test("max pooling's NaN and zero rules hold on every path (rows, separable, grid, separable grid, direct, separable direct), with ceil mode and three planes on two threads")
    func maxRulesOnEveryPath() throws {
        var generator = SeededGenerator(state: 41)
        var x = try Tensor.random(shape: [3, 1, 40, 44], using: &generator)
        for index in stride(from: 3, to: x.data.count, by: 53) { x.data[index] = .nan }
        for index in stride(from: 0, to: x.data.count, by: 2) where x.data[index] > 0.3 { x.data[index] = index % 4 == 0 ? 0 : -0.0 }
        let layers: [(kernel: Int, stride: Int, padding: Int, ceil: Bool)] = [
            (3, 2, 1, true), (7, 2, 3, false), (3, 1, 1, false), (5, 1, 2, true), (2, 1, 0, false),
        ]
        var paths: Set<PoolingPath> = []
        for convention in [Convention.pytorch, .jax] {
            for layer in layers where !(layer.ceil && convention == .jax) {
                let shape = try PoolingSpec(kernel: [layer.kernel, layer.kernel], stride: [layer.stride, layer.stride],
                                            padding: .symmetric([layer.padding, layer.padding]), ceilMode: layer.ceil,
                                            convention: convention).shape(input: [40, 44])
                let reference = try ReferenceKernels.pooling(x, shape: shape, mode: .max)
                for microKernel in microKernels {
                    paths.insert(FastKernels.poolingPath(shape: shape, mode: .max, planes: 3, microKernel: microKernel))
                    for threads in [1, 2] {
                        let y = try FastKernels.pooling(x, shape: shape, mode: .max, threads: threads, microKernel: microKernel)
                        #expect(y.data.count == reference.data.count && zip(y.data, reference.data).allSatisfy { $0.bitPattern == $1.bitPattern },
                                "\(convention) \(layer) \(microKernel.name) \(threads) threads")
                    }
                }
            }
        }
        // Every path a plane takes alone (blocks of planes: ``PoolingChannelsTests``); the direct plane on AVX-512
        // only.
        let direct: Set<PoolingPath> = MicroKernel.isSupported("avx512") ? [] : [.direct, .separableDirect]
        #expect(paths == Set(PoolingPath.allCases).subtracting([.channels]).subtracting(direct), "\(paths)")
    }

    @Test("a plane of NaN costs one more pooling, not a walk over every window of every NaN")
    func manyNaNsCostOnePooling() throws {
        let x = try Tensor(shape: [1, 1, 300, 300], data: [Float](repeating: .nan, count: 90_000))
        let shape = try PoolingSpec(kernel: [61, 61], stride: [1, 1], padding: .symmetric([30, 30])).shape(input: [300, 300])
        let started = ContinuousClock.now
        let y = try FastKernels.pooling(x, shape: shape, mode: .max, threads: 1)
        // The walk over every window of every NaN was 90,000 × 3,721 writes; the indicator pooling is a pooling.
        #expect(ContinuousClock.now - started < .seconds(20))
        #expect(y.data.count == 90_000 && y.data.allSatisfy(\.isNaN))
    }

    @Test("NaN windows are marked across every axis of a 3-D pool with strides, dilation and padding, as the reference's NaN-keeping compare")
    func nanWindowsMatchTheReferenceIn3D() throws {
        var generator = SeededGenerator(state: 99)
        var x = try Tensor.random(shape: [2, 2, 7, 9, 11], using: &generator)
        for index in [0, 17, 300, 301, 693, x.data.count - 1] { x.data[index] = .nan }
        let shape = try PoolingSpec(kernel: [2, 3, 3], stride: [1, 2, 3], padding: .symmetric([1, 1, 1]), dilation: [2, 1, 2])
            .shape(input: [7, 9, 11])
        let reference = try ReferenceKernels.pooling(x, shape: shape, mode: .max)
        #expect(reference.data.contains(where: \.isNaN) && !reference.data.allSatisfy(\.isNaN))
        for microKernel in microKernels {
            let y = try FastKernels.pooling(x, shape: shape, mode: .max, threads: 2, microKernel: microKernel)
            #expect(y.data.count == reference.data.count && zip(y.data, reference.data).allSatisfy(sameBits), "\(microKernel.name)")
        }
    }

    @Test("PyTorch max pooling keeps the first of equal maxima (−0 before 0), as torch.nn.functional.max_pool1d/2d does, on the grid and the row kernels")
    func pytorchTiesMatchPyTorch() throws {
        // torch 2.13, max_pool1d k 2 s 1 of [−0, 0, 0, −0]: [−0, 0, 0].
        let x = try Tensor(shape: [1, 1, 4], data: [-0.0, 0, 0, -0.0])
        let shape = try PoolingSpec(kernel: [2], stride: [1]).shape(input: [4])
        for microKernel in microKernels {
            let y = try FastKernels.pooling(x, shape: shape, mode: .max, threads: 1, microKernel: microKernel)
            #expect(y.data.map(\.sign) == [.minus, .plus, .plus], "\(microKernel.name)")
        }
        // 2-D, the separable grid and the strided row kernels: a window of −0 and 0 in every order.
        var plane = [Float](repeating: -0.0, count: 8 * 8)
        for index in stride(from: 1, to: plane.count, by: 3) { plane[index] = 0 }
        let x2 = try Tensor(shape: [1, 1, 8, 8], data: plane)
        for (stride, padding) in [(1, 1), (2, 0)] {
            let pool = try PoolingSpec(kernel: [3, 3], stride: [stride, stride], padding: .symmetric([padding, padding])).shape(input: [8, 8])
            let reference = try ReferenceKernels.pooling(x2, shape: pool, mode: .max)
            for microKernel in microKernels {
                let y = try FastKernels.pooling(x2, shape: pool, mode: .max, threads: 1, microKernel: microKernel)
                #expect(zip(y.data, reference.data).allSatisfy { $0.bitPattern == $1.bitPattern } && y.data.count == reference.data.count,
                        "stride \(stride) \(microKernel.name)")
            }
        }
    }
}
