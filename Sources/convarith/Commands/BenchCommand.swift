import ArgumentParser
import ConvArithmetic
import ConvEval

/// `convarith bench`: measures the arithmetic and the eval contract in this process.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure shape computation and eval throughput (build with -c release for meaningful numbers).",
        discussion: helpText("""
            Each workload runs --repetitions times; the median is reported.

            Examples:
              swift run -c release convarith bench
              swift run -c release convarith bench --json
            """)
    )

    @Option(help: "Repetitions per workload (the median is reported).")
    var repetitions = 7

    @OptionGroup var format: OutputFormatOptions

    func validate() throws {
        guard (1...1000).contains(repetitions) else { throw ValidationError("--repetitions must be 1…1000, got \(repetitions)") }
    }

    struct Measurement {
        let name: String
        let unit: String
        let value: Double
    }

    func run() throws {
        var measurements: [Measurement] = []
        let conv = try ConvolutionSpec(kernel: [3, 3], stride: [2], padding: .symmetric([1]))
        measurements.append(Measurement(name: "conv2d shape (library)", unit: "ns/op",
                                        value: try median { try nanosecondsPerCall(200_000) { i in try conv.shape(input: [224 + i & 7, 224]).axes.count } }))
        let transposed = try TransposedConvolutionSpec(kernel: [4, 4, 4], stride: [2], padding: .symmetric([1]), outputPadding: [1])
        measurements.append(Measurement(name: "transposed3d shape (library)", unit: "ns/op",
                                        value: try median { try nanosecondsPerCall(200_000) { i in try transposed.shape(input: [16 + i & 7, 16, 16]).axes.count } }))
        let same = try ConvolutionSpec(kernel: [3, 3], stride: [2], padding: .named(.same), convention: .tensorflow)
        measurements.append(Measurement(name: "conv2d SAME shape, TensorFlow (library)", unit: "ns/op",
                                        value: try median { try nanosecondsPerCall(200_000) { i in try same.shape(input: [224 + i & 7, 224]).axes.count } }))
        let lines = Self.sampleLines.map { Array($0.utf8) }
        let evaluator = Evaluator()
        let count = 100_000
        measurements.append(Measurement(name: "eval, parse + answer + serialize (one core)", unit: "requests/s",
                                        value: median {
                                            let ns = nanosecondsPerCall(count) { i in evaluator.answer(bytes: lines[i % lines.count]).utf8.count }
                                            return 1e9 / ns
                                        }))
        if format.json {
            print(JSONWriter.string(.array(measurements.map {
                .object([("name", .string($0.name)), ("unit", .string($0.unit)), ("median", .number($0.value, text: String(format3($0.value))))])
            })))
        } else {
            for measurement in measurements {
                print("\(measurement.name): \(format3(measurement.value)) \(measurement.unit) (median of \(repetitions))")
            }
        }
    }

    /// Lines like the oracle corpus: every op and convention, named paddings, channels.
    static let sampleLines = [
        #"{"id":1,"op":"conv","input":[224,224],"kernel":[7,7],"stride":[2,2],"padding":[3,3],"dilation":[1,1],"batch":1,"channels":3,"out_channels":64,"groups":1,"convention":"pytorch"}"#,
        #"{"id":2,"op":"pool","input":[112,112],"kernel":[3,3],"stride":[2,2],"padding":[1,1],"ceil_mode":true,"pool_mode":"max","batch":1,"channels":64,"convention":"pytorch"}"#,
        #"{"id":3,"op":"transposed","input":[16,16],"kernel":[4,4],"stride":[2,2],"padding":[[1,1],[1,1]],"output_padding":[0,0],"batch":1,"channels":64,"out_channels":32,"groups":1,"convention":"onnx"}"#,
        #"{"id":"tf-1","op":"conv","input":[33,17],"kernel":[3,3],"stride":[2,2],"padding":"same","batch":1,"channels":8,"out_channels":8,"convention":"tensorflow"}"#,
        #"{"id":5,"op":"transposed","input":[5,7,9],"kernel":[3,3,3],"stride":[2,2,2],"padding":"same","convention":"tensorflow","batch":1,"channels":2,"out_channels":2}"#,
        #"{"id":6,"op":"conv","input":[5],"kernel":[3],"stride":[2],"padding":"same","convention":"pytorch"}"#,
    ]

    private func median(_ measure: () throws -> Double) rethrows -> Double {
        var values: [Double] = []
        for _ in 0..<max(repetitions, 1) { values.append(try measure()) }
        values.sort()
        return values[values.count / 2]
    }
}

/// The mean time of `body` over `count` calls, in nanoseconds; the results are summed into a sink so
/// the work cannot be optimized away.
private func nanosecondsPerCall(_ count: Int, _ body: (Int) throws -> Int) rethrows -> Double {
    var sink = 0
    let clock = ContinuousClock()
    let start = clock.now
    for index in 0..<count { sink &+= try body(index) }
    let elapsed = clock.now - start
    if sink == Int.min { print("") }
    let (seconds, attoseconds) = elapsed.components
    return (Double(seconds) * 1e9 + Double(attoseconds) / 1e9) / Double(count)
}

private func format3(_ value: Double) -> String {
    if value >= 1000 { return String(Int(value.rounded())) }
    let scaled = (value * 1000).rounded() / 1000
    return String(scaled)
}
