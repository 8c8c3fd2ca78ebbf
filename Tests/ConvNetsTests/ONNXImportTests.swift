import ConvArithmetic
import ConvNets
import Foundation
import Testing

@Suite("ONNX models")
struct ONNXImportTests {
    /// `expected.json`: the shape ONNX Runtime gave every tensor of each model (scripts/make-onnx-test-models.py).
    struct Expected: Decodable {
        struct Model: Decodable {
            let input: [Int]
            let inputs: [String: [Int]]?
            let opset: Int
            let shapes: [String: [Int]]?
            let ort_error: String?
        }
        let models: [String: Model]
    }

    static let expected: Expected = {
        let data = try! Data(contentsOf: Fixtures.url("onnx/expected.json"))
        return try! JSONDecoder().decode(Expected.self, from: data)
    }()

    static let runnable = expected.models.filter { $0.value.shapes != nil }.keys.sorted()

    @Test("every tensor's shape equals ONNX Runtime's", arguments: runnable)
    func shapesEqualONNXRuntime(model: String) throws {
        let entry = try #require(Self.expected.models[model])
        let loaded = try ONNXModelFile.load(path: Fixtures.url("onnx/\(model).onnx").path)
        let network = try entry.inputs.map { inputs in try loaded.assigning(inputs.map { InputAssignment(name: $0.key, shape: $0.value) }) }
            ?? loaded.withInputShape(entry.input)
        let report = network.analyze()
        #expect(report.firstFailure == nil, "\(report.firstFailure?.name ?? ""): \(report.firstFailure?.error ?? "")")
        let shapes = try #require(entry.shapes)
        for (tensor, shape) in shapes {
            let row = try #require(Fixtures.row(tensor, in: report), "no row for \(tensor)")
            #expect(row.outputShape == shape, "\(tensor) (\(row.label)): \(row.outputShape.map { "\($0)" } ?? row.note ?? "?") vs ONNX Runtime \(shape)")
            #expect(row.note?.contains("value_info") != true, "\(tensor): \(row.note ?? "")")
        }
    }

    @Test("the U-Net whose skip connection is off by one fails at that Concat, as ONNX Runtime does, and the rest is computed")
    func offByOneUNetFailsAtTheConcat() throws {
        let entry = try #require(Self.expected.models["unet_off_by_one"])
        #expect(entry.ort_error?.contains("Concat") == true)
        let report = try ONNXModelFile.load(path: Fixtures.url("onnx/unet_off_by_one.onnx").path).analyze()
        let failure = try #require(report.firstFailure)
        #expect(failure.name == "skip2")
        #expect(failure.error?.contains("[1, 8, 50, 50] and [1, 8, 51, 51]") == true, "\(failure.error ?? "")")
        #expect(Fixtures.row("bottleneck", in: report)?.outputShape == [1, 16, 25, 25])
        #expect(report.layers.filter { $0.error != nil }.count == 1)
    }

    @Test("ScatterND checks its updates against indices and data as ONNX Runtime does: the region model's constant updates fit only 12 × 16")
    func scatterNDChecksItsUpdates() throws {
        let network = try ONNXModelFile.load(path: Fixtures.url("onnx/region_ops.onnx").path)
        #expect(network.analyze().firstFailure == nil)
        // ONNX Runtime at 13 × 16: "updates tensor should have shape equal to indices.shape[:-1] + data.shape[indices.shape[-1]:]".
        let failure = try #require(network.withInputShape([1, 3, 13, 16]).analyze().firstFailure)
        #expect(failure.name == "scatter_nd" && failure.error?.contains("ScatterND: updates [1, 12, 16] must have the shape [1, 13, 16]") == true,
                "\(failure.error ?? "")")
    }

    @Test("a Shape → Gather → Unsqueeze → Concat → Reshape flatten is followed from the given input size")
    func shapeSubgraphIsFollowed() throws {
        let network = try ONNXModelFile.load(path: Fixtures.url("onnx/pytorch_flatten_export.onnx").path)
        #expect(network.inputs.first?.shape == nil)
        #expect(network.inputs.first?.declared == ["batch", "3", "32", "32"])
        let report = network.withInputShape([7, 3, 32, 32]).analyze()
        #expect(Fixtures.row("flat", in: report)?.outputShape == [7, 1024])
        #expect(Fixtures.row("out", in: report)?.outputShape == [7, 6])
    }

    @Test("receptive fields follow the convolutions of an ONNX model, a channels-last input included")
    func receptiveFieldsOfModels() throws {
        let report = try ONNXModelFile.load(path: Fixtures.url("onnx/tf_same.onnx").path).analyze()
        #expect(Fixtures.row("pool1", in: report)?.receptiveField?.map { $0.window?.size } == [Rational(7), Rational(7)])
        let resnet = try ONNXModelFile.load(path: Fixtures.url("onnx/resnet_style.onnx").path).analyze()
        let field = try #require(resnet.layers.first { $0.label == "GlobalAveragePool" }?.receptiveField)
        #expect(field == [.wholeInput(jump: Rational(64)), .wholeInput(jump: Rational(64))])
    }

    @Test("truncated, corrupted and non-ONNX files are refused with a message, never a crash")
    func malformedModelsAreRefused() throws {
        let bytes = try Data(contentsOf: Fixtures.url("onnx/resnet_style.onnx"))
        var generator = SplitMix(seed: 1603)
        var refused = 0
        for round in 0..<300 {
            var data = bytes
            switch round % 3 {
            case 0: data = data.prefix(Int(generator.next() % UInt64(data.count)))
            case 1:
                for _ in 0..<8 { data[Int(generator.next() % UInt64(data.count))] = UInt8(truncatingIfNeeded: generator.next()) }
            default: data = Data((0..<Int(generator.next() % 2000)).map { _ in UInt8(truncatingIfNeeded: generator.next()) })
            }
            do {
                _ = try ONNXModelFile.read(data).withInputShape([1, 3, 64, 64]).analyze()
            } catch {
                refused += 1
                #expect(!error.description.isEmpty)
            }
        }
        #expect(refused > 50)
        #expect(throws: NetworkError.self) { try ONNXModelFile.read(Data("name: not a model\n".utf8)) }
        #expect(throws: NetworkError.self) { try ONNXModelFile.load(path: "/nonexistent.onnx") }
    }
}

@Suite("ONNX models that cannot be fully inferred")
struct ONNXUnknownTests {
    @Test("an operator of another domain and a value-dependent NonZero are reported as unknown, and the branch beside them is computed")
    func unknownOperatorsAreReportedAndTheTableGoesOn() throws {
        let report = try ONNXModelFile.load(path: Fixtures.url("onnx/unknown_operators.onnx").path).analyze()
        #expect(report.firstFailure == nil)
        let custom = try #require(Fixtures.row("custom", in: report))
        #expect(custom.outputShape == nil)
        #expect(custom.note?.contains("com.example.FancyNorm") == true, "\(custom.note ?? "")")
        let nonZero = try #require(Fixtures.row("positive", in: report))
        #expect(nonZero.outputShape == nil)
        #expect(nonZero.note?.contains("depends on the tensor's values") == true, "\(nonZero.note ?? "")")
        // A TopK whose k is a constant has a shape.
        #expect(report.layers.first { $0.label == "TopK" }?.outputShape == [1, 5])
        #expect(report.status == .unknownOutputs)
        #expect(report.firstUnknownOutput?.name == "flat_custom")
        #expect(report.origin(of: try #require(report.firstUnknownOutput)).name == "custom")
        #expect(Fixtures.row("flat_custom", in: report)?.note?.contains("custom") == true)
        #expect(Fixtures.row("pooled", in: report)?.outputShape == [1, 4, 8, 8])
    }

    @Test("a graph whose nodes read each other's outputs is refused, naming a node on the cycle")
    func cyclesAreRefused() {
        do {
            _ = try ONNXModelFile.load(path: Fixtures.url("onnx/cycle.onnx").path)
            Issue.record("a cyclic graph was accepted")
        } catch {
            #expect(error.description.contains("cycle"), "\(error)")
            #expect(error.description.contains("node"), "\(error)")
        }
    }
}

@Suite("Network inputs as the model declares them")
struct InputAssignmentTests {
    static func speech() throws -> Network {
        try ONNXModelFile.load(path: Fixtures.url("onnx/speech_recurrent.onnx").path)
    }

    @Test("a 2-D audio input is given by name, and the symbol 'batch' it fixes fills the state input's shape")
    func namedInputFillsSymbolsOfTheOthers() throws {
        let network = try Self.speech().assigning([InputAssignment(name: "audio", shape: [3, 576])])
        #expect(network.inputs.map(\.shape) == [[3, 576], [2, 3, 16]])
        #expect(network.openInputs.isEmpty)
        let report = network.analyze()
        #expect(report.status == .complete)
        // 576 samples, k = 10, s = 5: 114 frames; the bidirectional LSTM's last states are [2, batch, 16].
        #expect(Fixtures.row("frames", in: report)?.outputShape == [3, 8, 114])
        #expect(report.layers.first { $0.label == "LSTM" }?.outputShape == [114, 2, 3, 16])
    }

    @Test("an unnamed --input is the first input; a wrong rank, a changed fixed size and an unknown name are refused with the declaration")
    func assignmentsAreChecked() throws {
        let network = try Self.speech()
        #expect(try network.assigning([InputAssignment(shape: [1, 100])]).inputs[1].shape == [2, 1, 16])
        #expect(throws: NetworkError.layer("the input 'audio' has 2 dimensions [batch, samples]; --input gives 3 (1×1×576)")) {
            try network.assigning([InputAssignment(name: "audio", shape: [1, 1, 576])])
        }
        #expect(throws: NetworkError.layer("the input 'state' [2, batch, 16] has 2 on axis 0, fixed by the model; --input gives 3")) {
            try network.assigning([InputAssignment(name: "state", shape: [3, 1, 16])])
        }
        do {
            _ = try network.assigning([InputAssignment(name: "wave", shape: [1, 576])])
            Issue.record("an unknown input name was accepted")
        } catch {
            #expect(error.description.contains("no input 'wave'") && error.description.contains("audio [batch, samples]"), "\(error)")
        }
    }

    @Test("a recurrent state whose batch axis has no name is taken as 1 once the audio is given, and said so; an image's open axes are not")
    func anonymousBatchAxesAreFilled() throws {
        let network = Network(inputs: [Network.Input(name: "input", shape: nil, declared: ["?", "?"]),
                                       Network.Input(name: "state", shape: nil, declared: ["2", "?", "128"]),
                                       Network.Input(name: "image", shape: nil, declared: ["?", "3", "?", "?"]),
                                       Network.Input(name: "tokens", shape: nil, declared: ["?", "?", "768"])], nodes: [])
        let advice = try #require(network.openInputsAdvice)
        #expect(advice.contains("--input input=1x16000 --input state=2x1x128 --input image=1x3x224x224 --input tokens=1x1x768"), "\(advice)")
        let given = try network.assigning([InputAssignment(name: "input", shape: [1, 512])])
        let filled = given.fillingBatchDimensions()
        // A batch and a sequence length both open are not guessed.
        #expect(filled.network.inputs.map(\.shape) == [[1, 512], [2, 1, 128], nil, nil])
        #expect(filled.assumed == ["'state' [2, ?, 128] taken as [2, 1, 128]; pass --input state=… to choose"])
    }

    @Test("without --input, the symbolic sizes are named and an --input to paste is suggested for each open input")
    func openInputsAreExplained() throws {
        let advice = try #require(try Self.speech().openInputsAdvice)
        #expect(advice.contains("'batch' and 'samples' are symbolic"), "\(advice)")
        #expect(advice.contains("--input audio=1x16000 --input state=2x1x16"), "\(advice)")
    }
}

@Suite("Operators of shipped models")
struct ShippedOperatorTests {
    @Test("fourteen squeeze-and-excitation blocks at their native size: every shape known, the gated maps read the whole input")
    func squeezeExcitationModel() throws {
        let report = try ONNXModelFile.load(path: Fixtures.url("onnx/se_stack.onnx").path).analyze()
        #expect(report.status == .complete)
        #expect(report.layers.allSatisfy { $0.outputShape != nil && $0.error == nil })
        #expect(Fixtures.row("excited13", in: report)?.receptiveField?.allSatisfy { $0.isWholeInput } == true)
        #expect(Fixtures.row("features0", in: report)?.receptiveField?.map { $0.window?.size } == [Rational(3), Rational(3)])
    }

    @Test("LSTM, GRU and RNN count their weights and multiply-adds on the sequence output")
    func recurrentParametersAndWork() throws {
        let report = try Self.speechReport()
        let lstm = try #require(report.layers.first { $0.label == "LSTM" })
        // W 2·64·8 + R 2·64·16 + B 2·128; 114 steps × 1 batch × 2 directions × 64 gate units × (8 + 16).
        #expect(lstm.parameters == 2 * 64 * 8 + 2 * 64 * 16 + 2 * 128)
        #expect(lstm.multiplyAdds == 114 * 2 * 64 * 24)
        #expect(report.layers.filter { $0.label == "LSTM" }.compactMap(\.parameters).count == 1)
    }

    static func speechReport() throws -> NetworkReport {
        try ONNXModelFile.load(path: Fixtures.url("onnx/speech_recurrent.onnx").path).assigning([InputAssignment(name: "audio", shape: [1, 576])]).analyze()
    }

    @Test("sizes computed through Cast to float, Ceil, Range, Where and a reversed, transposed pads tensor have ONNX Runtime's values")
    func followedValues() throws {
        let report = try ONNXModelFile.load(path: Fixtures.url("onnx/shape_values.onnx").path)
            .assigning([InputAssignment(name: "image", shape: [1, 3, 37, 45])]).analyze()
        // F.pad(x, (1, 2, 0, 3)) as TorchScript exports it.
        #expect(Fixtures.row("torch_pad", in: report)?.outputShape == [1, 3, 40, 48])
        // ⌈37 / 4⌉ = 10, where ⌊37 / 4⌋ would give 9.
        #expect(Fixtures.row("ceil_resized", in: report)?.outputShape == [1, 3, 10, 5])
        #expect(Fixtures.row("expanded", in: report)?.outputShape == [5, 3, 37, 45])
        #expect(Fixtures.row("grid", in: report)?.outputShape == [5, 6])
        #expect(report.status == .complete)
    }
}

@Suite("Control flow and dynamic sizes")
struct ControlFlowTests {
    static func report(samples: Int) throws -> NetworkReport {
        try ONNXModelFile.load(path: Fixtures.url("onnx/control_flow.onnx").path)
            .assigning([InputAssignment(name: "audio", shape: [1, samples])]).analyze()
    }

    @Test("an If on a run-time condition has the shape its branches agree on; an If on a size known from --input takes its branch")
    func ifBranches() throws {
        let short = try Self.report(samples: 576)
        #expect(Fixtures.row("by_rate", in: short)?.outputShape == [1, 4, 114])
        #expect(Fixtures.row("by_length", in: short)?.outputShape == [1, 4, 16])
        #expect(Fixtures.row("by_length", in: short)?.note?.contains("else branch") == true)
        // Both branches' weights (4·4·3 + 4 and 4·4·5 + 4); the larger branch's work, as either may run.
        #expect(Fixtures.row("by_rate", in: short)?.parameters == 52 + 84)
        #expect(Fixtures.row("by_rate", in: short)?.multiplyAdds == 4 * 4 * 5 * 114)
        let long = try Self.report(samples: 1576)
        #expect(Fixtures.row("by_length", in: long)?.outputShape == [1, 4, 64])
    }

    @Test("an If whose condition is computed at run time and one of whose branches fails on these sizes has the other branch's shape")
    func onlyOneBranchCanRun() throws {
        let row = try #require(Fixtures.row("one_branch_runs", in: try Self.report(samples: 576)))
        #expect(row.outputShape == [1, 8, 57])
        #expect(row.note?.contains("the then branch fails here") == true, "\(row.note ?? "")")
    }

    @Test("a Loop of a known trip count: carried values that keep their shape and a scan output of one slice per iteration")
    func loopOutputs() throws {
        let report = try Self.report(samples: 576)
        let loop = report.layers.filter { $0.label == "Loop" }.map(\.outputShape)
        #expect(loop == [[4], [1, 4], [3, 1, 4]])
        #expect(report.status == .complete)
    }

    @Test("a declared size of -1 is dynamic, as ONNX Runtime reads it: --input gives it")
    func minusOneIsDynamic() throws {
        let network = try ONNXModelFile.load(path: Fixtures.url("onnx/paddle_dynamic.onnx").path)
        #expect(network.inputs.first?.shape == nil)
        #expect(network.inputs.first?.declared == ["?", "3", "?", "?"])
        let report = try network.assigning([InputAssignment(shape: [2, 3, 48, 40])]).analyze()
        #expect(Fixtures.row("features", in: report)?.outputShape == [2, 4, 24, 20])
    }
}

@Suite("ONNX operator coverage")
struct OperatorCoverageTests {
    /// The block DESIGN.md holds between its `onnx-operators` markers: each status with its operators.
    static func expectedBlock(_ names: [String]) -> String {
        ONNXOperatorStatus.allCases.map { status in
            let members = names.filter { ONNXOperatorStatus.of($0) == status }
            return "- **\(status.rawValue)** (\(members.count)): " + members.joined(separator: ", ")
        }.joined(separator: "\n")
    }

    @Test("DESIGN.md lists every default-domain operator of ONNX (opset ≤ 23) with the status the analysis gives it")
    func designListsEveryOperator() throws {
        let names = try Fixtures.text("onnx/operators.txt").split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init)
        #expect(names.count > 150)
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let design = try String(contentsOf: root.appendingPathComponent("DESIGN.md"), encoding: .utf8)
        let start = try #require(design.range(of: "<!-- onnx-operators -->\n"))
        let end = try #require(design.range(of: "<!-- /onnx-operators -->", range: start.upperBound..<design.endIndex))
        let block = String(design[start.upperBound..<end.lowerBound]).trimmingCharacters(in: .newlines)
        let expected = Self.expectedBlock(names)
        #expect(block == expected, "DESIGN.md's operator list should read:\n\(expected)")
        // The models real exporters write most are all covered.
        for type in ["Conv", "LSTM", "QLinearConv", "Resize", "If", "Loop", "Einsum", "TopK", "GatherND", "DynamicQuantizeLinear"] {
            #expect(ONNXOperatorStatus.of(type) == .rule, "\(type)")
        }
    }
}
