import ConvArithmetic
import ConvEval
import Testing

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
