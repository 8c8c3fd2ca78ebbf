import ConvNets
import Foundation
import Testing

@Suite("Real PyTorch exports")
struct PyTorchExportTests {
    /// `exports/expected.json`: ONNX Runtime's shape of every tensor at each tested input size
    /// (scripts/export-pytorch-test-models.py, torch 2.13: TorchScript opset 13 and dynamo opset 18 exports).
    struct Expected: Decodable {
        struct Model: Decodable { let runs: [String: [String: [Int]]] }
        let models: [String: Model]
    }

    static let expected: Expected = {
        let data = try! Data(contentsOf: Fixtures.url("exports/expected.json"))
        return try! JSONDecoder().decode(Expected.self, from: data)
    }()

    static let cases: [String] = expected.models.flatMap { model, entry in entry.runs.keys.map { "\(model) \($0)" } }.sorted()

    @Test("every tensor of the ResNet, MobileNet, detector and U-Net exports has ONNX Runtime's shape, at every input size tried",
          arguments: cases)
    func exportsMatchONNXRuntime(testCase: String) throws {
        let parts = testCase.split(separator: " ")
        let model = String(parts[0]), run = String(parts[1])
        let input = run.split(separator: "x").compactMap { Int($0) }
        let shapes = try #require(Self.expected.models[model]?.runs[run])
        let network = try ONNXModelFile.load(path: Fixtures.url("exports/\(model)").path)
        #expect(network.inputs.first?.shape == nil, "the exports have symbolic batch and spatial sizes")
        let report = network.withInputShape(input).analyze()
        #expect(report.firstFailure == nil, "\(report.firstFailure?.name ?? ""): \(report.firstFailure?.error ?? "")")
        var compared = 0
        for (tensor, shape) in shapes {
            let row = try #require(Fixtures.row(tensor, in: report), "no row for \(tensor)")
            #expect(row.outputShape == shape, "\(tensor) (\(row.label)): \(row.outputShape.map { "\($0)" } ?? row.note ?? "?") vs ONNX Runtime \(shape)")
            compared += 1
        }
        #expect(compared >= 30)
    }
}
