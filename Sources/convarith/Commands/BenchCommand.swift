import ArgumentParser
import ConvArithmetic
import ConvEval
import ConvKernels
import ConvNets
import Foundation

/// `convarith bench`: measures the arithmetic and the eval contract in this process.
struct BenchCommand: ParsableCommand {
    /// The most values of one random tensor a workload may ask for (2²⁶: about 13 s to fill, 256 MB).
    static let tensorLimit = 1 << 26

    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure shape computation and eval throughput (build with -c release for meaningful numbers).",
        discussion: helpText("""
            Each workload runs --repetitions times; the median is reported. Kernel workloads (--workloads)
            are measured as the peer scripts of the shared bench folder measure them: three warm-up calls,
            then at least --repetitions calls and, within --budget seconds, up to ten times as many.

            Examples:
              swift run -c release convarith bench
              swift run -c release convarith bench --json
              swift run -c release convarith bench --workloads w.json --threads 1
              swift run -c release convarith bench --peak --threads 2
            """)
    )

    @Option(help: "Repetitions per workload (the median is reported).")
    var repetitions = 7

    @Option(help: "Kernel workloads to time (the format of the shared workloads.json) instead of the arithmetic.")
    var workloads: String?

    @Option(help: "Threads for the kernel workloads (default: every core; 1 = the calling thread only).")
    var threads: Int?

    @Option(help: "Seconds a kernel workload may keep repeating past --repetitions (up to ten times as many; default 3, as the peer scripts).")
    var budget: Double = 3

    @Flag(help: "Prepare each workload's layer once (its weights packed for its GEMM, as an inference engine does when it loads a model) and time only the calls; pooling has nothing to prepare.")
    var prepared = false

    @Flag(help: "Measure the FMA peak of the kernels' instruction set on --threads threads (a register-only loop) instead.")
    var peak = false

    @OptionGroup var format: OutputFormatOptions

    func validate() throws {
        guard (1...1000).contains(repetitions) else { throw ValidationError("--repetitions must be 1…1000, got \(repetitions)") }
        if let threads, !(1...256).contains(threads) { throw ValidationError("--threads must be 1…256, got \(threads)") }
        guard budget.isFinite, (0...600).contains(budget) else { throw ValidationError("--budget must be 0…600 seconds, got \(budget)") }
    }

    struct Measurement {
        let name: String
        let unit: String
        let value: Double
    }

    func run() throws {
        if peak {
            let threadCount = threads ?? 1
            guard let gflops = FMAPeak.measure(threads: threadCount) else {
                printError("error: the \(MicroKernel.current.name) kernel has no FMA loop to measure")
                throw ExitCode(1)
            }
            if format.json {
                print(JSONWriter.string(.object([("name", .string("fma_peak")), ("threads", .integer(threadCount)),
                                                 ("gflops", .number(gflops, text: format3(gflops))), ("kernel", .string(MicroKernel.current.name))])))
            } else {
                print("FMA peak (\(MicroKernel.current.name), \(threadCount) thread\(threadCount == 1 ? "" : "s")): \(format3(gflops)) GFLOP/s")
            }
            return
        }
        if let workloads {
            try runWorkloads(path: workloads)
            return
        }
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
        let count = 100_000
        measurements.append(Measurement(name: "eval, parse + answer + serialize (one core, one session)", unit: "requests/s",
                                        value: median {
                                            var session = EvalSession()
                                            var output: [UInt8] = []
                                            output.reserveCapacity(1 << 16)
                                            let ns = nanosecondsPerCall(count) { i in
                                                output.removeAll(keepingCapacity: true)
                                                lines[i % lines.count].withUnsafeBufferPointer { session.answer(line: $0, appendingTo: &output) }
                                                return output.count
                                            }
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

extension BenchCommand {
    /// The largest workloads file read.
    static let workloadFileLimit = 16 << 20

    /// Times each workload of a file through the fast path as the peer scripts do — three warm-up calls,
    /// then at least `repetitions` calls and, within `budget` seconds, up to ten times as many — and reports
    /// the median and GFLOP/s counted as the peer scripts count them (2 × multiply-adds; pooling one
    /// operation per window element).
    func runWorkloads(path: String) throws {
        // (The shared workloads file is 6 KB; 16 MiB holds thousands of workloads.)
        let data: [UInt8]
        do {
            data = try BoundedFile.read(path: path, limit: Self.workloadFileLimit)
        } catch {
            printError("error: cannot read \(path) as a workloads file: \(error)")
            if case .tooLarge = error { throw ExitCode(1) }
            throw ExitCode(66)
        }
        let json: JSONValue
        do {
            json = try JSONParser.parseFile(data)
        } catch {
            printError("error: \(path) is not valid JSON: \(error.reason) at line \(error.line ?? 1), column \(error.column)")
            throw ExitCode(1)
        }
        guard case .array(let items) = json, !items.isEmpty else {
            printError("error: \(path) must hold a JSON array of at least one workload")
            throw ExitCode(1)
        }
        let threadCount = threads ?? FastThreads.default
        var rng = SplitMix64(state: 7)
        for (offset, item) in items.enumerated() {
            let givenName = item["name"].flatMap { if case .string(let text) = $0 { text } else { nil } }
            let name = givenName ?? "?"
            // Every error below names the workload it is about: by its name, else by its place in the file.
            let workload = givenName.map { "workload '\($0)'" } ?? "workload \(offset + 1) (unnamed)"
            let request = try exitingOnError(context: workload) { () throws(EvalRequestError) in try EvalRequest(json: item) }
            var parameters = request.layer
            parameters.channels = parameters.channels ?? 1
            let layer = try exitingOnError(context: workload) { () throws(ArithmeticError) in try Layer(parameters) }
            guard let tensors = layer.tensors, let channels = layer.channels else { continue }
            guard let operations = channels.multiplyAdds(of: layer.shape) else {
                printError("error: \(workload): its multiply-adds are beyond Int (\(Int.max)); make the batch, channels or sizes smaller")
                throw ExitCode(1)
            }
            // The work and memory limits from the shapes, before gigabytes of random values are made.
            try exitingOnError(context: workload) { () throws(KernelError) in
                try FastKernels.check(shape: layer.shape, x: tensors.x, weight: tensors.weight, groups: layer.groups)
            }
            // Random tensors are made at about 5 million values a second: bench refuses larger ones than a
            // few seconds' worth (the memory limit alone would allow minutes).
            for (tensor, shape) in [("x", tensors.x), ("w", tensors.weight ?? [])] where MemoryLimit.elementCount(shape).map({ $0 > Self.tensorLimit }) ?? true {
                printError("error: \(workload): \(tensor) \(shape) has more than \(Self.tensorLimit) values, past bench's limit for "
                           + "the tensors it fills with random numbers; make its batch, channels or sizes smaller")
                throw ExitCode(1)
            }
            let x = try exitingOnError(context: workload) { () throws(KernelError) in try benchTensor(shape: tensors.x, using: &rng) }
            let weight = try exitingOnError(context: workload) { () throws(KernelError) in try tensors.weight.map { w throws(KernelError) in try benchTensor(shape: w, using: &rng) } }
            let preparedLayer = try exitingOnError(context: workload) { () throws(KernelError) -> PreparedLayer? in
                guard prepared, layer.shape.operation != .pooling, let weight else { return nil }
                return try PreparedLayer(shape: layer.shape, weight: weight, groups: layer.groups)
            }
            // The path the calls take (the planner the kernels use, for these shapes and threads).
            let (plan, cKernel, gathersTiles, groupsTiles, skipsTaps) = try exitingOnError(context: workload) {
                () throws(KernelError) -> (String, String, Bool, Bool, Bool) in
                guard layer.shape.operation != .pooling, let weight else {
                    let path = FastKernels.poolingPath(shape: layer.shape, mode: layer.poolingMode,
                                                      planes: x.shape.prefix(2).reduce(1, *))
                    return (path.rawValue, path.kernel(on: .current), false, false, false)
                }
                let plan = try FastKernels.plan(shape: layer.shape, input: x.shape, weight: weight.shape, groups: layer.groups, threads: threadCount,
                                                use: preparedLayer != nil ? .prepared : .perCall)
                return (plan.path.rawValue, plan.kernel, plan.gathersTiles, plan.groupsTiles, plan.skipsPaddedTaps)
            }
            func once() throws(KernelError) -> Double {
                let clock = ContinuousClock()
                let start = clock.now
                let y: Tensor
                switch layer.shape.operation {
                case _ where preparedLayer != nil:
                    y = try preparedLayer!(x, threads: threadCount)
                case .convolution:
                    y = try FastKernels.convolution(x, weight: weight!, shape: layer.shape, groups: layer.groups, threads: threadCount)
                case .transposedConvolution:
                    y = try FastKernels.transposedConvolution(x, weight: weight!, shape: layer.shape, groups: layer.groups, threads: threadCount)
                case .pooling:
                    y = try FastKernels.pooling(x, shape: layer.shape, mode: layer.poolingMode, countIncludePad: layer.countIncludePad, threads: threadCount)
                }
                let (seconds, attoseconds) = (clock.now - start).components
                if y.count == -1 { print("") }
                return Double(seconds) * 1e3 + Double(attoseconds) / 1e15
            }
            for _ in 0..<3 { _ = try exitingOnError(context: workload) { () throws(KernelError) in try once() } }
            var times: [Double] = []
            let clock = ContinuousClock()
            let deadline = clock.now + .milliseconds(Int64(budget * 1000))
            while times.count < repetitions || (clock.now < deadline && times.count < 10 * repetitions) {
                times.append(try exitingOnError(context: workload) { () throws(KernelError) in try once() })
            }
            times.sort()
            let medianMilliseconds = times[times.count / 2]
            let flops = Double(operations) * (layer.shape.operation == .pooling ? 1 : 2)
            let gflops = flops / (medianMilliseconds / 1e3) / 1e9
            if format.json {
                print(JSONWriter.string(.object([
                    ("name", .string(name)), ("threads", .integer(threadCount)), ("median_ms", .number(medianMilliseconds, text: format3(medianMilliseconds))),
                    ("min_ms", .number(times[0], text: format3(times[0]))), ("gflops", .number(gflops, text: format3(gflops))),
                    ("output_shape", .array(tensors.y.map(JSONValue.integer))), ("kernel", .string(MicroKernel.current.name)),
                    ("prepared", .bool(preparedLayer != nil)), ("plan", .string(plan)), ("c_kernel", .string(cKernel)),
                    ("tiles_gathered", .bool(gathersTiles)), ("tiles_grouped", .bool(groupsTiles)),
                    ("padded_taps_skipped", .bool(skipsTaps)),
                ])))
            } else {
                print("\(name.padding(toLength: 28, withPad: " ", startingAt: 0)) threads=\(threadCount)  \(format3(medianMilliseconds)) ms  \(format3(gflops)) GFLOP/s"
                      + "  \(plan) \(cKernel)"
                      + (gathersTiles ? " (tiles gathered\(groupsTiles ? " in groups" : ""))" : "")
                      + (skipsTaps ? " (padded taps skipped)" : "") + (preparedLayer != nil ? " (prepared)" : ""))
            }
            // Each workload's line as soon as it is measured, also into a pipe.
            fflush(nil)
        }
    }
}

/// A tensor of values in [−1, 1), two from each 64 random bits. Bench fills up to 2²⁶ values a tensor, which
/// `Tensor.random` (one `Float.random(in:)` each, about 5 · 10⁶ a second) took 13 s for.
private func benchTensor(shape: [Int], using generator: inout SplitMix64) throws(KernelError) -> Tensor {
    var tensor = try Tensor(zeros: shape)
    tensor.data.withUnsafeMutableBufferPointer { values in
        var index = 0
        while index < values.count {
            let bits = generator.next()
            values[index] = Float(Int32(truncatingIfNeeded: bits >> 32)) * 0x1p-31
            if index + 1 < values.count { values[index + 1] = Float(Int32(truncatingIfNeeded: bits)) * 0x1p-31 }
            index += 2
        }
    }
    return tensor
}

/// The value of `body`, or, when it throws, the error on standard error after the workload it is about
/// (`error: workload 'c1': …`) and exit status 1.
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

/// Three decimals from 1 up (whole numbers from 1000), three significant digits below 1: a tiny workload's
/// GFLOP/s or time (a 3×3 pooling output: 0.0005 GFLOP/s in a debug build) must not print as 0.
private func format3(_ value: Double) -> String {
    guard value.isFinite, value > 0 else { return String(value) }
    if value >= 1000 { return String(Int(value.rounded())) }
    let decimals = value >= 1 ? 3 : 2 - Int(log10(value).rounded(.down))
    let scale = pow(10, Double(decimals))
    return String((value * scale).rounded() / scale)
}
