import ConvKernels
import Foundation
import Testing

/// Random requests: plausible ones, ones with wrong types, huge or negative numbers, and broken JSON.
private func randomLine(_ rng: inout SplitMix64) -> String {
    func number() -> String {
        switch Int.random(in: 0..<12, using: &rng) {
        case 0: return "-\(Int.random(in: 0...5, using: &rng))"
        case 1: return String(Int.max - Int.random(in: 0...3, using: &rng))
        case 2: return "99999999999999999999999"
        case 3: return "2.5"
        case 4: return "1e300"
        case 5: return "\"3\""
        case 6: return "null"
        default: return String(Int.random(in: 0...12, using: &rng))
        }
    }
    func list(_ rank: Int) -> String {
        Int.random(in: 0..<5, using: &rng) == 0 ? number() : "[" + (0..<rank).map { _ in number() }.joined(separator: ",") + "]"
    }
    let rank = Int.random(in: 1...3, using: &rng)
    let op = ["\"conv\"", "\"pool\"", "\"transposed\"", "\"deconv\"", "7"].randomElement(using: &rng)!
    let padding = ["\"same\"", "\"valid\"", "\"same_lower\"", "\"half\"", "\"full\"", "\"causal\"", "\"bogus\"", list(rank),
                   "[" + (0..<rank).map { _ in "[\(number()),\(number())]" }.joined(separator: ",") + "]", "[[1]]"].randomElement(using: &rng)!
    var fields = ["\"id\":\(Int.random(in: 0...1_000_000, using: &rng))", "\"op\":\(op)", "\"input\":\(list(rank))", "\"kernel\":\(list(rank))"]
    let optional = ["\"stride\":\(list(rank))", "\"dilation\":\(list(rank))", "\"padding\":\(padding)", "\"output_padding\":\(list(rank))",
                    "\"output_size\":\(list(rank))", "\"ceil_mode\":\(["true", "false", "1", "\"yes\""].randomElement(using: &rng)!)",
                    "\"pool_mode\":\(["\"max\"", "\"avg\"", "\"min\""].randomElement(using: &rng)!)",
                    "\"convention\":\(["\"pytorch\"", "\"onnx\"", "\"tensorflow\"", "\"caffe\""].randomElement(using: &rng)!)",
                    "\"channels\":\(number())", "\"out_channels\":\(number())", "\"groups\":\(number())", "\"batch\":\(number())"]
    for field in optional where Bool.random(using: &rng) { fields.append(field) }
    if Int.random(in: 0..<8, using: &rng) == 0 { fields.remove(at: Int.random(in: 1..<fields.count, using: &rng)) }
    var line = "{" + fields.shuffled(using: &rng).joined(separator: ",") + "}"
    switch Int.random(in: 0..<10, using: &rng) {
    case 0: line = String(line.prefix(Int.random(in: 1...max(1, line.count - 1), using: &rng)))  // truncated JSON
    case 1: line = String((0..<Int.random(in: 1...40, using: &rng)).map { _ in Character(UnicodeScalar(UInt8.random(in: 0x20...0x7E, using: &rng))) })
    case 2: line = "[" + line + "]"
    default: break
    }
    return line
}

@Suite("convarith eval under random and malformed input")
struct EvalFuzzTests {
    @Test("100,000 random and malformed lines each get exactly one JSON answer, and the process exits 0")
    func everyRandomLineIsAnswered() throws {
        var rng = SplitMix64(state: 0xC0FF_EE12_3456_789A)
        let lines = (0..<100_000).map { _ in randomLine(&rng) }.filter { !$0.allSatisfy(\.isWhitespace) }
        let result = try CLIRunner.run(["eval"], input: lines.joined(separator: "\n") + "\n")
        #expect(result.status == 0, "stderr: \(result.standardError.prefix(500))")
        let answers = result.standardOutput.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        try #require(answers.count == lines.count)
        var failures: [String] = []
        for (line, answer) in zip(lines, answers) {
            guard let object = try? JSONSerialization.jsonObject(with: Data(answer.utf8)) as? [String: Any],
                  object.keys.contains("id"), object["output"] != nil || object["error"] is String else {
                failures.append("\(line) → \(answer)")
                continue
            }
        }
        #expect(failures.isEmpty, "\(failures.count) bad answers, e.g.\n\(failures.prefix(5).joined(separator: "\n"))")
    }
}
