import ConvKernels
import Foundation
import Testing

/// Where a refused GIF would go (nothing is written there).
private let refusedGIF = FileManager.default.temporaryDirectory.appendingPathComponent("convarith-test-refused.gif").path

/// Small limits for the checks below, so refusals come quickly in a debug build.
private let limits = ["CONVARITH_WORK_LIMIT": "200000000", "CONVARITH_MEMORY_LIMIT_MB": "1024"]

@Suite("Nothing a user types crashes or exhausts the machine")
struct RobustnessCLITests {
    @Test("draw refuses figures beyond the budget, from the arithmetic, before drawing anything",
          arguments: [
            ["draw", "conv", "-i", "224x224", "-k", "7", "-s", "2", "-p", "3", "--format", "gif", "--out", refusedGIF],
            ["draw", "conv", "-i", "64x64", "-k", "3", "-s", "2", "-p", "1", "--format", "gif", "--out", refusedGIF],
            ["draw", "conv", "-i", "10000000", "-k", "3"],
            ["draw", "conv", "-i", "1000x1000x1000", "-k", "3"],
            ["draw", "transposed", "-i", "4", "-k", "3", "-s", "1000000000000"],
            ["draw", "transposed", "-i", "4", "-k", "3", "-d", "1000000000000"],
            ["draw", "conv", "-i", "5", "-k", "3", "-p", "1000000000000", "--convention", "onnx"],
            ["draw", "conv", "-i", "32x32", "-k", "3", "--format", "sheet"],
          ])
    func drawRefusesBeyondTheBudget(arguments: [String]) throws {
        let result = try WatchedRun.run(arguments)
        #expect(result.status == 1, "\(result.standardError)")
        #expect(result.standardError.contains("budget") || result.standardError.contains("too large"), "\(result.standardError)")
        #expect(result.seconds < 10)
        #expect(result.peakResidentBytes < 200 << 20)
    }

    @Test("draw bounds the figure's memory by the memory limit (a raster frame, a whole SVG sheet) at any --budget, before drawing",
          arguments: [
            ["draw", "conv", "-i", "31x63", "-k", "3", "--format", "png", "--cell-size", "64", "--scale", "4", "--budget", "10", "--out", refusedGIF],
            ["draw", "pool", "-i", "200x200", "-k", "3", "--format", "sheet", "--budget", "10"],
            ["draw", "conv", "-i", "40x40", "-k", "3", "--format", "animated-svg", "--budget", "10"],
          ])
    func drawRefusesBeyondTheMemoryLimit(arguments: [String]) throws {
        let result = try WatchedRun.run(arguments, environment: ["CONVARITH_MEMORY_LIMIT_MB": "64"])
        #expect(result.status == 1, "\(result.standardError)")
        #expect(result.standardError.contains("in memory") && result.standardError.contains("64 MB (the memory limit)"), "\(result.standardError)")
        #expect(result.seconds < 10)
        #expect(result.peakResidentBytes < 200 << 20)
    }

    @Test("a CONVARITH_ variable set to a value it does not take is named on standard error, and the default applies")
    func unusableSettingsAreNamed() throws {
        let plain = try WatchedRun.run(["shape", "conv", "-i", "5", "-k", "3"])
        let noted = try WatchedRun.run(["shape", "conv", "-i", "5", "-k", "3"],
                                       environment: ["CONVARITH_MEMORY_LIMIT_MB": "abc", "CONVARITH_THREADS": "0", "CONVARITH_KERNEL_ISA": "neon"])
        #expect(noted.status == 0 && noted.standardOutput == plain.standardOutput)
        for name in ["CONVARITH_MEMORY_LIMIT_MB=\"abc\"", "CONVARITH_THREADS=\"0\"", "CONVARITH_KERNEL_ISA=\"neon\""] {
            #expect(noted.standardError.contains("note: \(name) is ignored"), "\(noted.standardError)")
        }
        let valid = try WatchedRun.run(["shape", "conv", "-i", "5", "-k", "3"], environment: ["CONVARITH_THREADS": "2", "CONVARITH_MEMORY_LIMIT_MB": "512"])
        #expect(valid.standardError.isEmpty, "\(valid.standardError)")
    }

    @Test("a refusal suggests --budget N below the largest budget only")
    func budgetAdviceStopsAtTheLargest() throws {
        let arguments = ["draw", "conv", "-i", "40x40", "-k", "3", "--format", "gif", "--out", refusedGIF]
        let first = try WatchedRun.run(arguments)
        #expect(first.status == 1 && first.standardError.contains("--budget N to allow N times more"), "\(first.standardError)")
        let largest = try WatchedRun.run(arguments + ["--budget", "10"])
        #expect(largest.status == 1 && !largest.standardError.contains("--budget N"), "\(largest.standardError)")
    }

    @Test("a raster frame wider than 65,535 pixels is refused for its side, not for a pixel budget it is within")
    func rasterSideIsNamed() throws {
        let result = try WatchedRun.run(["draw", "conv", "-i", "20000", "-k", "1", "--format", "gif", "--budget", "10", "--cell-size", "4",
                                         "--scale", "1", "--out", refusedGIF])
        #expect(result.status == 1)
        #expect(result.standardError.contains("80032×308 pixels, beyond the drawing budget of 65,535 pixels a side"), "\(result.standardError)")
    }

    @Test("draw names the frames that exist, and refuses options out of range with the usage",
          arguments: [(["--frame", "99"], 1), (["--frame=-1"], 64), (["--cell-size", "100000000000"], 64), (["--delay", "nan"], 64),
                      (["--delay", "inf"], 64), (["--budget", "0"], 64), (["--budget", "11"], 64),
                      (["--frame", "-1"], 64), (["--cell-size", "-1"], 64), (["--delay", "-inf"], 64)] as [([String], Int32)])
    func drawValidatesItsOptions(extra: [String], status: Int32) throws {
        let result = try WatchedRun.run(["draw", "conv", "-i", "5x5", "-k", "3"] + extra)
        #expect(result.status == status, "\(result.standardError)")
        if status == 1 { #expect(result.standardError.contains("0…8")) }
        if status == 64 { #expect(result.standardError.contains("Usage: convarith draw")) }
    }

    @Test("tour, verify and bench refuse non-finite or huge counts and delays",
          arguments: [["tour", "--delay", "nan"], ["tour", "--delay", "1e300"], ["verify", "--sweep", "9223372036854775807"],
                      ["verify", "--sweep=-3"], ["bench", "--repetitions", "9223372036854775807"], ["bench", "--repetitions", "0"],
                      ["verify", "conv", "-i", "5", "-k", "3", "--tolerance", "nan"]])
    func countsAndDelaysAreValidated(arguments: [String]) throws {
        let result = try WatchedRun.run(arguments)
        #expect(result.status == 64, "\(result.standardError)")
    }

    @Test("solve inputs with a huge stride or padding answers at once, listing a summary")
    func solveInputsIsBounded() throws {
        let text = try WatchedRun.run(["solve", "inputs", "--output", "3", "-k", "3", "-s", "1000000000000"])
        #expect(text.status == 0)
        #expect(text.standardOutput.contains("more, up to i = "))
        #expect(text.seconds < 10)
        let json = try WatchedRun.run(["solve", "inputs", "--output", "3", "-k", "3", "-s", "1000000000000", "-p", "900000000", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        #expect(object["count"] as? Int == 1_000_000_000_000)
        #expect(object["inputs"] == nil)
    }

    @Test("matrix, verify and run refuse work beyond the memory and work limits instead of aborting")
    func kernelsAreBounded() throws {
        let matrix = try WatchedRun.run(["matrix", "conv", "-i", "300x300", "-k", "3", "--force"], environment: limits)
        #expect(matrix.status == 1)
        #expect(matrix.peakResidentBytes < 300 << 20)
        let verify = try WatchedRun.run(["verify", "conv", "-i", "2000x2000", "-k", "3", "-c", "4", "-o", "4"], environment: limits)
        #expect(verify.status == 1, "\(verify.standardError)")
        #expect(verify.standardError.contains("limit"))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("convarith-robust-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let x = directory.appendingPathComponent("x.npy"), w = directory.appendingPathComponent("w.npy")
        try Data(NPY.encode(try Tensor(zeros: [1, 1, 3, 3]))).write(to: x)
        try Data(NPY.encode(try Tensor(zeros: [1, 1, 1000, 1000]))).write(to: w)
        let run = try WatchedRun.run(["run", "conv", "--x", x.path, "--w", w.path, "-p", "998", "--out", directory.appendingPathComponent("y.npy").path],
                                     environment: limits)
        #expect(run.status == 1, "\(run.standardError)")
        #expect(run.standardError.contains("multiply-adds"))
        #expect(run.seconds < 10)
    }

    @Test("limits raised to Int.max still bound memory: the override stops at half of physical memory, and matrix checks its printable cells before building C")
    func raisedLimitsStillBound() throws {
        let unlimited = ["CONVARITH_WORK_LIMIT": "9223372036854775807", "CONVARITH_MEMORY_LIMIT_MB": "9223372036854775807"]
        let matrix = try WatchedRun.run(["matrix", "conv", "-i", "1000x1000", "-k", "1", "-c", "1000", "--force"], environment: unlimited)
        #expect(matrix.status == 1 && matrix.standardError.contains("above what can be printed"), "\(matrix.standardError)")
        #expect(matrix.seconds < 10 && matrix.peakResidentBytes < 200 << 20)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("convarith-unlimited-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let x = directory.appendingPathComponent("x.npy")
        try Data(NPY.encode(try Tensor(zeros: [1, 1, 1, 1]))).write(to: x)
        // A 400,001² output: 640 GB, beyond half of any machine this runs on.
        let run = try WatchedRun.run(["run", "pool", "--x", x.path, "-k", "1", "-s", "1", "-p", "200000", "--convention", "jax",
                                      "--out", directory.appendingPathComponent("y.npy").path], environment: unlimited)
        #expect(run.status == 1 && run.standardError.contains("CONVARITH_MEMORY_LIMIT_MB"), "\(run.standardError)")
        #expect(run.seconds < 10 && run.peakResidentBytes < 200 << 20)
    }

    @Test("run reads a .npy header before its data: a huge sparse file with a small header costs little")
    func runReadsTheHeaderFirst() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("convarith-sparse-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let x = directory.appendingPathComponent("x.npy")
        try Data(NPY.encode(try Tensor(zeros: [1, 1, 5]))).write(to: x)
        let handle = try FileHandle(forWritingTo: x)
        try handle.truncate(atOffset: 4 << 30)
        try handle.close()
        let result = try WatchedRun.run(["run", "pool", "--x", x.path, "-k", "2", "--out", directory.appendingPathComponent("y.npy").path])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.peakResidentBytes < 200 << 20)
    }

    @Test("run checks every header against the layer before reading data: a channel mismatch is named, not a short file")
    func channelMismatchIsFoundFromTheHeaders() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("convarith-headers-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // x's header announces [1, 3, 64, 64] but the file holds no data: reading it first would fail on that.
        let encoded = NPY.encode(try Tensor(zeros: [1, 3, 64, 64]))
        let x = directory.appendingPathComponent("x.npy"), w = directory.appendingPathComponent("w.npy")
        try Data(encoded[0..<(try NPY.header(encoded[...]).dataOffset)]).write(to: x)
        try Data(NPY.encode(try Tensor(zeros: [8, 4, 3, 3]))).write(to: w)
        let result = try WatchedRun.run(["run", "conv", "--x", x.path, "--w", w.path, "--out", directory.appendingPathComponent("y.npy").path])
        #expect(result.status == 1)
        #expect(result.standardError.contains("[8, 4, 3, 3]") || result.standardError.contains("channel"), "\(result.standardError)")
        #expect(!result.standardError.contains("data bytes"), "\(result.standardError)")
    }

    @Test("bench refuses a workload beyond the work or memory limit before making its tensors, and a workloads file past 16 MiB")
    func benchWorkloadsAreBounded() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("convarith-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("workloads.json")
        // About 10^12 multiply-adds on 1 GB of input: refused from the shapes, not after filling them.
        try Data(#"[{"name": "huge", "op": "conv", "channels": 1024, "out_channels": 1024, "input": [512, 512], "kernel": [3, 3], "padding": [1, 1]}]"#.utf8)
            .write(to: file)
        let huge = try WatchedRun.run(["bench", "--workloads", file.path, "--repetitions", "1", "--budget", "0"])
        #expect(huge.status == 1, "\(huge.standardError)")
        #expect(huge.standardError.contains("limit"), "\(huge.standardError)")
        #expect(huge.seconds < 10 && huge.peakResidentBytes < 200 << 20)
        let endless = try WatchedRun.run(["bench", "--workloads", "/dev/zero"])
        #expect(endless.status == 1 && endless.standardError.contains("16777216"), "\(endless.standardError)")
        #expect(endless.peakResidentBytes < 200 << 20)
        let stack = try WatchedRun.run(["net", "/dev/zero"])
        #expect(stack.status != 0 && stack.standardError.contains("67108864"), "\(stack.standardError)")
    }

    @Test("a float64 input is converted with a note on standard error")
    func conversionIsNoted() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("convarith-f8-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // The same array as float64: the header's dtype rewritten ("<f4" → "<f8"), the data as doubles.
        let encoded = NPY.encode(try Tensor(shape: [1, 1, 2], data: [1, 2]))
        let headerEnd = try #require(encoded.firstIndex(of: 0x0A)) + 1
        var bytes = Array(encoded[0..<headerEnd])
        let dtype = try #require((0..<(headerEnd - 2)).first { Array(bytes[$0..<($0 + 3)]) == Array("<f4".utf8) })
        bytes[dtype + 2] = UInt8(ascii: "8")
        for value in [1.0, 2.0] { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 } }
        let x = directory.appendingPathComponent("x.npy")
        try Data(bytes).write(to: x)
        let result = try WatchedRun.run(["run", "pool", "--x", x.path, "-k", "2", "--out", directory.appendingPathComponent("y.npy").path])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardError.contains("converted to 32-bit floats"))
    }

    @Test("a failed write to standard output is an error, not a silent success",
          arguments: [["shape", "conv", "-i", "5", "-k", "3"], ["explain", "conv", "-i", "5", "-k", "3"],
                      ["solve", "padding", "-i", "32", "-k", "4", "-s", "2", "--target", "16"], ["matrix", "conv", "-i", "4x4", "-k", "3"],
                      ["verify", "conv", "-i", "5", "-k", "3"], ["draw", "conv", "-i", "5x5", "-k", "3"], ["transpose", "conv", "-i", "5", "-k", "3"]])
    func fullDiskIsAnError(arguments: [String]) throws {
        let result = try WatchedRun.run(arguments, outputPath: "/dev/full")
        #expect(result.status == 74, "\(result.standardError)")
        #expect(result.standardError.contains("cannot write to standard output"))
    }

    @Test("ranks a framework lacks, and PyTorch's missing 'same' for pooling and transposed layers, are refused")
    func frameworkLimitsAreRefused() throws {
        let fourD = try WatchedRun.run(["shape", "conv", "-i", "1x3x224x224", "-k", "3"])
        #expect(fourD.status == 1)
        #expect(fourD.standardError.contains("PyTorch has no conv4d") && fourD.standardError.contains("batch and channels separately"))
        for operation in ["pool", "transposed"] {
            let same = try WatchedRun.run(["shape", operation, "-i", "8", "-k", "3", "-s", "1", "-p", "same"])
            #expect(same.status == 1)
            #expect(same.standardError.contains("has no padding 'same'"))
        }
    }

    @Test("eval answers overflowing tensor shapes and over-long lines with errors, and goes on")
    func evalSurvivesHostileLines() throws {
        let lines = [
            #"{"id":1,"op":"conv","input":[1],"kernel":1,"x":{"shape":[4294967296,4294967296,4294967296],"data":[1]}}"#,
            #"{"id":2,"op":"transposed","input":[3],"kernel":3,"groups":4,"x":{"shape":[1,4,3],"data":[1,1,1,1,1,1,1,1,1,1,1,1]},"w":{"shape":[4,4611686018427387904,3],"data":[1]}}"#,
            #"{"id":3,"op":"conv","input":[1],"kernel":1,"padding":700000000,"x":{"shape":[1,1,1],"data":[1]},"w":{"shape":[1,1,1],"data":[1]}}"#,
            #"{"id":4,"op":"conv","input":[5],"kernel":3,"x":{"shape":[1,1,5],"data":["# + String(repeating: "1,", count: 800_000) + #"1]}}"#,
            #"{"id":5,"op":"conv","input":[5],"kernel":3}"#,
        ]
        let directory = FileManager.default.temporaryDirectory
        let input = directory.appendingPathComponent("convarith-hostile-\(UUID().uuidString).jsonl")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: input)
        defer { try? FileManager.default.removeItem(at: input) }
        let result = try WatchedRun.run(["eval"], environment: limits.merging(["CONVARITH_EVAL_LINE_LIMIT_MB": "1"]) { $1 },
                                        outputPath: nil, stdinPath: input.path)
        let answers = result.standardOutput.split(separator: "\n")
        #expect(result.status == 0)
        #expect(answers.count == 5)
        for answer in answers.prefix(4) { #expect(answer.contains("\"error\"")) }
        #expect(answers.last?.contains("\"output\":[3]") == true)
        #expect(result.peakResidentBytes < 300 << 20)
    }

    @Test("a missing option shows the subcommand's usage, not the top-level one",
          arguments: [(["shape", "conv", "-k", "3"], "shape"), (["shape", "conv", "-i", "3"], "shape"), (["verify"], "verify"),
                      (["draw", "conv", "-i", "3"], "draw"), (["matrix", "pool", "-i", "4", "-k", "2"], "matrix")] as [([String], String)])
    func usageIsTheSubcommands(arguments: [String], subcommand: String) throws {
        let result = try WatchedRun.run(arguments)
        #expect(result.status == 64)
        #expect(result.standardError.contains("Usage: convarith \(subcommand)"), "\(result.standardError)")
    }
}
