import ConvArithmetic
import ConvEval
import ConvKernels
import Testing

/// The answer text of `result`.
private func answerBytes(_ result: EvalResult) -> [UInt8] {
    var bytes: [UInt8] = []
    result.write(to: &bytes)
    return bytes
}

@Suite("One spelling of every answer")
struct AnswerEncoderTests {
    @Test("the equivalent convolution that transpose --json and the server write is byte for byte eval's")
    func equivalentMatchesTheEvalWriter() throws {
        var checked = 0
        for convention in Convention.all {
            for (i, k, s, p, a) in [(3, 3, 2, 1, 1), (5, 4, 2, 1, 0), (7, 3, 3, 0, 2), (4, 1, 1, 0, 0), (6, 5, 2, 2, 1)] {
                for rank in 1...3 {
                    let parameters = LayerParameters(operation: .transposedConvolution, input: Array(repeating: i, count: rank), kernel: [k],
                                                     stride: [s], padding: .symmetric([p]), outputPadding: [a], convention: convention)
                    guard let layer = try? Layer(parameters), let equivalent = EquivalentAnswer.json(layer.shape) else { continue }
                    var bytes: [UInt8] = []
                    EvalResult(layer: layer).write(to: &bytes)
                    let answer = String(decoding: bytes, as: UTF8.self)
                    #expect(answer.hasSuffix(#""equivalent":"# + JSONWriter.string(equivalent) + "}"), "\(answer)")
                    checked += 1
                }
            }
        }
        #expect(checked >= 30)
    }

    @Test("an answer's y is written straight from the tensor: shortest round-trip floats, NaN and ±Infinity bare, -0 signed, and it reads back bit for bit")
    func tensorTextReadsBack() throws {
        let values: [Float] = [1, -0.0, 0, .nan, .infinity, -.infinity, 1e-45, -1.1754944e-38, .greatestFiniteMagnitude, 0.1, 3e7]
        let x = try ConvKernels.Tensor(shape: [1, 1, values.count], data: values)
        let parameters = LayerParameters(operation: .pooling, input: [values.count], kernel: [1], stride: [1], convention: .onnx)
        let answer = String(decoding: try answerBytes(EvalResult(layer: Layer(parameters), y: x)), as: UTF8.self)
        let expected = #""y":{"shape":[1,1,11],"data":[1.0,-0.0,0.0,NaN,Infinity,-Infinity,1e-45,-1.1754944e-38,3.4028235e+38,0.1,3e+07]}}"#
        #expect(answer.hasSuffix(expected), "\(answer)")
        // Parsed back as eval reads an x: the same floats, bit for bit.
        let data = try #require(answer.split(separator: "[").last?.dropLast(3))
        let parsed = data.split(separator: ",").map { text -> Float in
            switch text {
            case "NaN": .nan
            case "Infinity": .infinity
            case "-Infinity": -.infinity
            default: Float(String(text)) ?? 42
            }
        }
        #expect(parsed.count == values.count && zip(parsed, values).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) })
    }

    @Test("a tensor whose shape has a negative size or overflows is refused with the whole reason, not a truncated one")
    func tensorShapeErrorsAreWhole() {
        let negative = Evaluator().answer(line: #"{"op":"pool","input":[2,2],"kernel":1,"x":{"shape":[1,1,-4,-4],"data":[1]}}"#)
        #expect(negative.contains(#"\"x\" is not a tensor: a tensor's sizes must be 0 or more, got -4 in the shape [1, 1, -4, -4]"#), "\(negative)")
        let huge = Evaluator().answer(line: #"{"op":"pool","input":[2,2],"kernel":1,"x":{"shape":[1,1,4611686018427387904,4],"data":[1]}}"#)
        #expect(huge.contains("would hold more than 9223372036854775807 values; its data has 1") && !huge.contains("…"), "\(huge)")
    }

    @Test("transpose's answer names the convolution, the transposed convolution and the equivalent; pooling has none")
    func transposeAnswer() throws {
        let shape = try Layer(LayerParameters(operation: .convolution, input: [6, 6], kernel: [3], stride: [2], padding: .symmetric([1]))).shape
        let answer = try #require(try TransposeAnswer.json(shape))
        #expect(answer["transposed"]?["output_padding"] == .array([.integer(1), .integer(1)]))
        #expect(answer["equivalent"]?["stretched_input"] == .array([.integer(5), .integer(5)]))
        let pool = try Layer(LayerParameters(operation: .pooling, input: [6], kernel: [2])).shape
        #expect(try TransposeAnswer.json(pool) == nil)
    }
}
