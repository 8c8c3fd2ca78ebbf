import ConvArithmetic
import ConvKernels
import Foundation
import Testing

@Suite("convarith run, matrix and verify")
struct KernelCommandTests {
    @Test("run reads .npy tensors, writes y.npy, and every formulation writes the same y")
    func runWritesTheOutputTensor() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var rng = SplitMix64(state: 3)
        let x = try Tensor.random(shape: [1, 2, 3, 3], using: &rng)
        let w = try Tensor.random(shape: [2, 3, 3, 3], using: &rng)
        try Data(NPY.encode(x)).write(to: directory.appendingPathComponent("x.npy"))
        try Data(NPY.encode(w)).write(to: directory.appendingPathComponent("w.npy"))
        var outputs: [Tensor] = []
        for impl in ["reference", "matrix", "stretched"] {
            let out = directory.appendingPathComponent("y-\(impl).npy").path
            let result = try CLIRunner.run(["run", "transposed", "--x", directory.appendingPathComponent("x.npy").path,
                                            "--w", directory.appendingPathComponent("w.npy").path,
                                            "-s", "2", "-p", "1", "-a", "1", "--out", out, "--impl", impl])
            #expect(result.status == 0, "\(result.standardError)")
            outputs.append(try NPY.decode(Array(try Data(contentsOf: URL(fileURLWithPath: out)))))
        }
        #expect(outputs[0].shape == [1, 3, 6, 6])
        #expect(outputs[0].maximumDifference(to: outputs[1]) < 1e-5)
        #expect(outputs[0].maximumDifference(to: outputs[2]) < 1e-5)
        // A directory as --out is named for what it is, as every other file output says it.
        let refused = try CLIRunner.run(["run", "transposed", "--x", directory.appendingPathComponent("x.npy").path,
                                         "--w", directory.appendingPathComponent("w.npy").path, "-s", "2", "--out", directory.path])
        #expect(refused.status == 73)
        #expect(refused.standardError.contains("Is a directory"), "\(refused.standardError)")
    }

    @Test("bench --workloads times each workload of a file in the peer scripts' JSON lines (name, threads, median, GFLOP/s, output shape) and refuses a bad budget")
    func benchTimesWorkloadFiles() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("workloads.json")
        try Data("""
            [{"name": "c", "op": "conv", "channels": 16, "out_channels": 32, "input": [32, 32], "kernel": [3, 3], "padding": [1, 1]},
             {"name": "t", "op": "transposed", "channels": 8, "out_channels": 4, "input": [5], "kernel": [4], "stride": [2], "padding": [1]},
             {"name": "p", "op": "pool", "pool_mode": "avg", "channels": 3, "input": [6, 6], "kernel": [2, 2], "stride": [2, 2]}]
            """.utf8).write(to: file)
        let result = try CLIRunner.run(["bench", "--workloads", file.path, "--threads", "2", "--repetitions", "3", "--budget", "0", "--json"])
        #expect(result.status == 0, "\(result.standardError)")
        let lines = result.standardOutput.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(lines.map { $0["name"] as? String } == ["c", "t", "p"])
        #expect(lines.map { $0["output_shape"] as? [Int] } == [[1, 32, 32, 32], [1, 4, 10], [1, 3, 3, 3]])
        // Each line names the plan the calls take (the convolution's is a GEMM; pooling runs rows).
        #expect(lines.allSatisfy { ConvolutionPlan.Path(rawValue: $0["plan"] as? String ?? "") != nil || $0["plan"] as? String == "pooling-rows" })
        #expect(lines.last?["plan"] as? String == "pooling-rows" && (lines.first?["plan"] as? String ?? "").hasSuffix("gemm"))
        // …and the C kernel, by data type, operation, tile and instruction set.
        let isa = MicroKernel.current.name
        let tile = ["avx512": "8x48", "avx2": "6x16", "portable": "4x8"][isa] ?? "?"
        #expect(lines.first?["c_kernel"] as? String == "f32-indirect-gemm-\(tile)-\(isa)")
        #expect(lines.last?["c_kernel"] as? String == "f32-window-\(isa)")
        // Whether the indirect GEMM gathers its tiles: not for a 3 × 3 layer of 32 output channels (rows spread
        // over the cache sets, and too few panels on any kernel); never for pooling.
        #expect(lines.map { $0["tiles_gathered"] as? Bool } == [false, false, false])
        #expect(lines.map { $0["padded_taps_skipped"] as? Bool } == [false, false, false])
        // 2 × multiply-adds, C_out·C_in·k²·positions = 32·16·9·1024, for the convolution (the median and
        // GFLOP/s are printed to three decimals).
        for line in lines {
            #expect(line["threads"] as? Int == 2)
            let median = line["median_ms"] as? Double ?? -1, gflops = line["gflops"] as? Double ?? -1
            #expect(median > 0 && gflops > 0)
        }
        if let convolution = lines.first, let median = convolution["median_ms"] as? Double, let gflops = convolution["gflops"] as? Double {
            let flops = 2.0 * 32 * 16 * 9 * 1024
            #expect(abs(gflops * median * 1e6 - flops) <= 0.05 * flops, "\(gflops) GFLOP/s in \(median) ms")
        }
        let refused = try CLIRunner.run(["bench", "--workloads", file.path, "--budget", "nan"])
        #expect(refused.status != 0 && refused.standardError.contains("--budget"))
    }

    @Test("matrix fits its width: a 36×64 C in bands of columns within 80 columns, whole rows with --width 0")
    func matrixFitsTheWidth() throws {
        let banded = try CLIRunner.run(["matrix", "conv", "-i", "8x8", "-k", "3", "--width", "80"])
        #expect(banded.status == 0, "\(banded.standardError)")
        let lines = banded.standardOutput.components(separatedBy: "\n")
        #expect(lines.dropFirst().allSatisfy { $0.count <= 80 }, "\(lines.map(\.count).max() ?? 0)")
        let bands = lines.filter { $0.hasPrefix("columns ") }
        #expect(bands.first == "columns 0–14 of 64:" && bands.last?.hasSuffix("–63 of 64:") == true, "\(bands)")
        // Every entry is printed once: 36 rows × 64 columns, 324 of them weights.
        let entries = lines.filter { $0.hasPrefix("│") }.flatMap { $0.split(separator: " ").filter { $0 != "│" } }
        #expect(entries.count == 36 * 64 && entries.filter { $0.hasPrefix("w") }.count == 324)
        let whole = try CLIRunner.run(["matrix", "conv", "-i", "8x8", "-k", "3", "--width", "0"])
        #expect(!whole.standardOutput.contains("columns 0") && whole.standardOutput.components(separatedBy: "\n").contains { $0.count > 300 })
    }

    @Test("run --out - writes the .npy alone to standard output, and its summary to standard error")
    func runWritesToStandardOutput() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let x = directory.appendingPathComponent("x.npy")
        try Data(NPY.encode(try Tensor(zeros: [1, 1, 4, 4]))).write(to: x)
        let result = try CLIRunner.run(["run", "pool", "--x", x.path, "-k", "2", "--out", "-"], directory: directory)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("NUMPY") && result.standardOutput.contains("'shape': (1, 1, 2, 2)"))
        #expect(!result.standardOutput.contains("written to"))
        #expect(result.standardError.contains("→ y [1, 1, 2, 2], written to standard output"), "\(result.standardError)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("-").path))
    }

    @Test("run pool takes count-include-pad: a padded corner of ones averages 4/9 with the padding, 1 without")
    func runPoolTakesCountIncludePad() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let x = directory.appendingPathComponent("x.npy"), y = directory.appendingPathComponent("y.npy")
        try Data(NPY.encode(try Tensor(shape: [1, 1, 3, 3], data: Array(repeating: 1, count: 9)))).write(to: x)
        var corners: [Float] = []
        for include in ["true", "false"] {
            let result = try CLIRunner.run(["run", "pool", "--x", x.path, "-k", "3", "-s", "1", "-p", "1", "--mode", "avg",
                                            "--count-include-pad", include, "--out", y.path])
            #expect(result.status == 0, "\(result.standardError)")
            corners.append(try NPY.decode(Array(try Data(contentsOf: y))).data[0])
        }
        #expect(abs(corners[0] - 4.0 / 9) < 1e-6 && corners[1] == 1, "\(corners)")
    }

    @Test("solve padding --convention checks the padding under that framework and writes its code")
    func solvePaddingWritesTheConventionsCode() throws {
        let text = try CLIRunner.run(["solve", "padding", "-i", "224", "-k", "7", "-s", "2", "--target", "112", "--convention", "onnx"])
        #expect(text.status == 0, "\(text.standardError)")
        #expect(text.standardOutput.contains("ONNX: pads=[3, 3]"), "\(text.standardOutput)")
        let json = try CLIRunner.run(["solve", "padding", "-i", "224", "-k", "3", "-s", "2", "--target", "112", "--convention", "tensorflow", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        #expect(object["convention"] as? String == "tensorflow" && (object["code"] as? String)?.contains("tf.pad") == true, "\(object)")
    }

    @Test("bench refuses, with a message and status 1, a workload whose multiply-adds overflow Int, one whose tensor it would take minutes to fill, and a file of no workloads")
    func benchRefusesOverflowingAndHugeWorkloads() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let cases = [
            ("overflow", #"[{"name": "y", "op": "pool", "pool_mode": "max", "channels": 2, "batch": 9223372036854775807, "input": [7, 7], "kernel": [3, 3], "stride": [1, 1], "padding": [1, 1]}]"#, "beyond Int"),
            ("huge", #"[{"name": "m", "op": "pool", "pool_mode": "max", "channels": 1, "input": [500000000], "kernel": [1], "stride": [1000], "padding": [0]}]"#, "more than 67108864 values, past bench's limit"),
            ("empty", "[]", "at least one workload"),
        ]
        for (name, text, message) in cases {
            let file = directory.appendingPathComponent("\(name).json")
            try Data(text.utf8).write(to: file)
            let start = Date()
            let result = try CLIRunner.run(["bench", "--workloads", file.path, "--threads", "1", "--repetitions", "1", "--budget", "0"])
            #expect(result.status == 1 && result.standardError.contains(message), "\(name): \(result.status) \(result.standardError)")
            #expect(Date().timeIntervalSince(start) < 10, "\(name)")
        }
    }

    @Test("bench --prepared times the calls of layers prepared once (marked prepared in each JSON line); pooling has nothing to prepare and is timed as before")
    func benchTimesPreparedLayers() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("workloads.json")
        try Data("""
            [{"name": "deep", "op": "conv", "channels": 32, "out_channels": 64, "input": [13, 13], "kernel": [3, 3], "stride": [2, 2], "padding": [1, 1]},
             {"name": "t", "op": "transposed", "channels": 8, "out_channels": 4, "input": [5], "kernel": [4], "stride": [2], "padding": [1]},
             {"name": "p", "op": "pool", "pool_mode": "max", "channels": 3, "input": [6, 6], "kernel": [2, 2], "stride": [2, 2]}]
            """.utf8).write(to: file)
        let result = try CLIRunner.run(["bench", "--workloads", file.path, "--threads", "1", "--repetitions", "2", "--budget", "0", "--json", "--prepared"])
        #expect(result.status == 0, "\(result.standardError)")
        let lines = result.standardOutput.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(lines.map { $0["name"] as? String } == ["deep", "t", "p"])
        #expect(lines.map { $0["prepared"] as? Bool } == [true, true, false])
        #expect(lines.allSatisfy { ($0["median_ms"] as? Double ?? -1) > 0 })
        let plain = try CLIRunner.run(["bench", "--workloads", file.path, "--threads", "1", "--repetitions", "1", "--budget", "0", "--json"])
        let plainLines = plain.standardOutput.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(plainLines.map { $0["prepared"] as? Bool } == [false, false, false])
    }

    @Test("bench --peak measures the FMA peak of the kernels' instruction set, one JSON line per run")
    func benchMeasuresThePeak() throws {
        let result = try CLIRunner.run(["bench", "--peak", "--threads", "1", "--json"])
        guard MicroKernel.current.name != "portable" else {
            #expect(result.status == 1 && result.standardError.contains("no FMA loop"))
            return
        }
        #expect(result.status == 0, "\(result.standardError)")
        let line = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
        #expect(line?["name"] as? String == "fma_peak" && line?["kernel"] as? String == MicroKernel.current.name)
        // A measurement, not a speed: a debug build under a loaded test run can be below 1 GFLOP/s.
        let gflops = line?["gflops"] as? Double ?? 0
        #expect(gflops > 0 && gflops.isFinite)
    }

    @Test("run --verbose names the fast path's plan on standard error: path, micro-kernel, threads")
    func runNamesItsPlan() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data(NPY.encode(try Tensor(zeros: [1, 8, 12, 12]))).write(to: directory.appendingPathComponent("x.npy"))
        try Data(NPY.encode(try Tensor(zeros: [16, 8, 3, 3]))).write(to: directory.appendingPathComponent("w.npy"))
        let result = try CLIRunner.run(["run", "conv", "--x", directory.appendingPathComponent("x.npy").path, "-p", "1", "--verbose",
                                        "--w", directory.appendingPathComponent("w.npy").path, "--out", directory.appendingPathComponent("y.npy").path])
        #expect(result.status == 0, "\(result.standardError)")
        let plan = try FastKernels.plan(shape: ConvolutionSpec(kernel: [3, 3], padding: .symmetric([1, 1])).shape(input: [12, 12]),
                                        input: [1, 8, 12, 12], weight: [16, 8, 3, 3])
        #expect(result.standardError.contains("plan: \(plan)"), "\(result.standardError)")
    }

    @Test("run refuses a weight that does not fit the layer, naming the shapes")
    func runRefusesMismatchedWeights() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data(NPY.encode(try Tensor(zeros: [1, 2, 5, 5]))).write(to: directory.appendingPathComponent("x.npy"))
        try Data(NPY.encode(try Tensor(zeros: [4, 3, 3, 3]))).write(to: directory.appendingPathComponent("w.npy"))
        let result = try CLIRunner.run(["run", "conv", "--x", directory.appendingPathComponent("x.npy").path,
                                        "--w", directory.appendingPathComponent("w.npy").path, "--out", directory.appendingPathComponent("y.npy").path])
        #expect(result.status == 1)
        #expect(result.standardError.contains("[4, 3, 3, 3]"))
    }

    @Test("matrix prints the seed's Figure 2.3 and its transpose")
    func matrixPrintsTheFigure() throws {
        let result = try CLIRunner.run(["matrix", "conv", "-i", "4x4", "-k", "3", "--transposed"])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("│ w₀,₀ w₀,₁ w₀,₂    0 w₁,₀ w₁,₁ w₁,₂    0 w₂,₀ w₂,₁ w₂,₂    0    0    0    0    0 │"))
        #expect(result.standardOutput.contains("Cᵀ (16×4)"))
    }

    @Test("verify reports agreement of every formulation and exits 0")
    func verifyAgrees() throws {
        let layer = try CLIRunner.run(["verify", "transposed", "-i", "3x3", "-k", "3", "-s", "2", "-p", "1", "-a", "1", "-c", "2", "-o", "4", "-g", "2", "--json"])
        #expect(layer.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(layer.standardOutput.utf8)) as? [String: Any])
        #expect((object["comparisons"] as? [Any])?.count == 3)
        let sweep = try CLIRunner.run(["verify", "--sweep", "40", "--seed", "11"])
        #expect(sweep.status == 0)
        #expect(sweep.standardOutput.contains("reference vs stretched input"))
    }
}
