import Benchmark
import ConvArithmetic
import ConvEval

// package-benchmark suites for the arithmetic and the eval contract (opt-in: CONVARITH_BENCHMARKS=1
// swift package benchmark). `convarith bench` measures the same workloads without the dependency.
let benchmarks: @Sendable () -> Void = {
    let convolution = try! ConvolutionSpec(kernel: [3, 3], stride: [2], padding: .symmetric([1]))
    Benchmark("conv2d shape") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try? convolution.shape(input: [224, 224]))
        }
    }
    let transposed = try! TransposedConvolutionSpec(kernel: [4, 4, 4], stride: [2], padding: .symmetric([1]), outputPadding: [1])
    Benchmark("transposed3d shape") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try? transposed.shape(input: [16, 16, 16]))
        }
    }
    let evaluator = Evaluator()
    let line = Array(#"{"id":1,"op":"conv","input":[224,224],"kernel":[7,7],"stride":[2,2],"padding":[3,3],"channels":3,"out_channels":64}"#.utf8)
    Benchmark("eval one request") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(evaluator.answer(bytes: line))
        }
    }
}
