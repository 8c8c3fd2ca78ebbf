import ConvArithmetic
import ConvKernels
import PropertyBased
import Testing

@Suite("The fast path's threads")
struct ThreadPoolTests {
    @Test("many callers at once on two threads each (one owns the worker pool, the others fall back to Dispatch) all get the reference's answer")
    func concurrentCallersAgree() async throws {
        let shape = try ConvolutionSpec(kernel: [3, 3], stride: [1], padding: .symmetric([1]), dilation: [1]).shape(input: [20, 24])
        var rng = SeededGenerator(state: 11)
        let x = try Tensor.random(shape: [1, 16, 20, 24], using: &rng)
        let w = try Tensor.random(shape: [24, 16, 3, 3], using: &rng)
        let pooling = try PoolingSpec(kernel: [3, 3], stride: [2], padding: .symmetric([1]), dilation: [1], mode: .max, convention: .pytorch)
            .shape(input: [20, 24])
        let reference = try ReferenceKernels.convolution(x, weight: w, shape: shape)
        let pooled = try ReferenceKernels.pooling(x, shape: pooling, mode: .max)
        let mismatches = await withTaskGroup(of: Int.self) { group in
            for caller in 0..<8 {
                group.addTask {
                    var wrong = 0
                    for round in 0..<40 {
                        if (caller + round) % 2 == 0 {
                            guard let y = try? FastKernels.convolution(x, weight: w, shape: shape, threads: 2) else { wrong += 1; continue }
                            if y.maximumDifference(to: reference) > 1e-4 { wrong += 1 }
                        } else {
                            guard let y = try? FastKernels.pooling(x, shape: pooling, mode: .max, threads: 2) else { wrong += 1; continue }
                            if y.data != pooled.data { wrong += 1 }
                        }
                    }
                    return wrong
                }
            }
            return await group.reduce(0, +)
        }
        #expect(mismatches == 0)
    }

    @Test("a loop with more parts than threads, and one with more threads than parts, covers every part once")
    func partsAreCoveredOnce() throws {
        // Depthwise planes are split over the threads: 2 or 7 threads over 3 or 64 planes.
        var rng = SeededGenerator(state: 5)
        for (channels, threads) in [(64, 2), (3, 7), (64, 7)] {
            let shape = try ConvolutionSpec(kernel: [3], stride: [1], padding: .symmetric([1]), dilation: [1]).shape(input: [50])
            let x = try Tensor.random(shape: [1, channels, 50], using: &rng)
            let w = try Tensor.random(shape: [channels, 1, 3], using: &rng)
            let reference = try ReferenceKernels.convolution(x, weight: w, shape: shape, groups: channels)
            let fast = try FastKernels.convolution(x, weight: w, shape: shape, groups: channels, threads: threads)
            #expect(fast.maximumDifference(to: reference) <= 1e-5, "\(channels) channels, \(threads) threads")
        }
    }
}
