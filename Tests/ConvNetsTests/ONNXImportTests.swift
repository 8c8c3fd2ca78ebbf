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
        let network = try ONNXModelFile.load(path: Fixtures.url("onnx/\(model).onnx").path).withInputShape(entry.input)
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
    @Test("an operator of another domain and a value-dependent TopK are reported as unknown, and the branch beside them is computed")
    func unknownOperatorsAreReportedAndTheTableGoesOn() throws {
        let report = try ONNXModelFile.load(path: Fixtures.url("onnx/unknown_operators.onnx").path).analyze()
        #expect(report.firstFailure == nil)
        let custom = try #require(Fixtures.row("custom", in: report))
        #expect(custom.outputShape == nil)
        #expect(custom.note?.contains("com.example.FancyNorm") == true, "\(custom.note ?? "")")
        let topK = try #require(report.layers.first { $0.label == "TopK" })
        #expect(topK.note?.contains("depends on tensor values") == true, "\(topK.note ?? "")")
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
