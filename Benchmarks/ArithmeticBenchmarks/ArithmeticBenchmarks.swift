import Benchmark
import ConvArithmetic
import ConvEval
import ConvNets

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
    // The `convarith eval` stream: one session answering a batch of varied lines, as the command does.
    let stream = (0..<1_000).map { index in
        Array(#"{"id":\#(index),"op":"\#(["conv", "pool", "transposed"][index % 3])","input":[\#(32 + index % 200),\#(64 + index % 7)],"kernel":\#(1 + index % 5),"stride":\#(1 + index % 2),"padding":\#(index % 3),"convention":"\#(["pytorch", "onnx", "tensorflow"][index % 3])"}"#.utf8)
    }
    Benchmark("eval stream, 1000 lines per iteration", configuration: .init(scalingFactor: .one)) { benchmark in
        var output: [UInt8] = []
        output.reserveCapacity(1 << 18)
        for _ in benchmark.scaledIterations {
            var session = EvalSession(evaluator: evaluator)
            output.removeAll(keepingCapacity: true)
            for line in stream { line.withUnsafeBufferPointer { session.answer(line: $0, appendingTo: &output) } }
            blackHole(output.count)
        }
    }
    // `convarith net` on a 100-layer stack: reading the YAML and the whole shape table with receptive fields.
    var stack = "input: [1, 16, 512, 512]\nlayers:\n"
    for index in 0..<100 { stack += "  - {op: conv, out_channels: 16, kernel: 3, padding: \(1 + index % 4), dilation: \(1 + index % 4)}\n" }
    let network = try! StackFile.read(stack)
    Benchmark("net: read a 100-layer stack") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try? StackFile.read(stack))
        }
    }
    Benchmark("net: analyse a 100-layer stack") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(network.analyze())
        }
    }
}
