import Foundation
import Testing

@Suite("convarith subcommands")
struct SubcommandTests {
    @Test("shape prints the output size and the full tensor shape")
    func shapePrintsSizes() throws {
        let result = try CLIRunner.run(["shape", "conv", "-i", "224x224", "-k", "7", "-s", "2", "-p", "3", "-c", "3", "-o", "64"])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("input 224×224 → output 112×112"))
        #expect(result.standardOutput.contains("[1, 64, 112, 112]"))
    }

    @Test("shape --json prints the eval answer")
    func shapeJSONIsTheEvalAnswer() throws {
        let result = try CLIRunner.run(["shape", "transposed", "-i", "3", "-k", "3", "-s", "2", "-p", "1", "-a", "1", "--json"])
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        #expect(object["output"] as? [Int] == [6])
        let equivalent = try #require(object["equivalent"] as? [String: Any])
        #expect(equivalent["stretched_input"] as? [Int] == [5])
        #expect(equivalent["padding"] as? [[Int]] == [[1, 2]])
    }

    @Test("impossible parameters exit 1 with an actionable message on stderr and nothing on stdout")
    func impossibleParametersFail() throws {
        let result = try CLIRunner.run(["shape", "conv", "-i", "5", "-k", "3", "-s", "2", "-p", "same"])
        #expect(result.status == 1)
        #expect(result.standardOutput.isEmpty)
        #expect(result.standardError.contains("padding='same'") && result.standardError.contains("stride 1"))
    }

    @Test("malformed options exit 64 with the usage")
    func malformedOptionsShowUsage() throws {
        let result = try CLIRunner.run(["shape", "conv", "-i", "5x", "-k", "3"])
        #expect(result.status == 64)
        #expect(result.standardError.contains("Usage"))
    }

    @Test("explain names the relationship with seed and paper numbers and substitutes the numbers")
    func explainShowsTheDerivation() throws {
        let result = try CLIRunner.run(["explain", "transposed", "-i", "3", "-k", "3", "-s", "2", "-p", "1", "-a", "1"])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("Relationship 13 (paper 14)"))
        #expect(result.standardOutput.contains("= 2·(3 − 1) + 1 + 3 − 2·1 = 6"))
        #expect(result.standardOutput.contains("stretched input ĩ'"))
    }

    @Test("transpose gives the associated transposed convolution and its equivalent direct convolution")
    func transposeShowsTheEquivalence() throws {
        let result = try CLIRunner.run(["transpose", "conv", "-i", "6", "-k", "3", "-s", "2", "-p", "1", "--json"])
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        let transposed = try #require(object["transposed"] as? [String: Any])
        #expect(transposed["output_padding"] as? [Int] == [1])
        #expect(transposed["output"] as? [Int] == [6])
    }

    @Test("solve answers the three inverse questions")
    func solveAnswersInverseQuestions() throws {
        let padding = try CLIRunner.run(["solve", "padding", "-i", "224", "-k", "7", "-s", "2", "--target", "112"])
        #expect(padding.standardOutput.contains("padding 3 on both sides gives 112"))
        let outputPadding = try CLIRunner.run(["solve", "output-padding", "-i", "7", "-k", "3", "-s", "2", "-p", "1", "--target", "14"])
        #expect(outputPadding.standardOutput.contains("output_padding = 1 gives 14"))
        let outOfRange = try CLIRunner.run(["solve", "output-padding", "-i", "7", "-k", "3", "-s", "2", "-p", "1", "--target", "16"])
        #expect(outOfRange.status == 1 && outOfRange.standardError.contains("valid values are 0…1"), "\(outOfRange.standardError)")
        // The output padding itself, under the convention's limit: ONNX reaches 18 with a = 1 (not by moving
        // the pads), and a dilation of 3 allows a = 2 in PyTorch (a < max(s, d)).
        let onnx = try CLIRunner.run(["solve", "output-padding", "-i", "8", "-k", "3", "-s", "2", "--target", "18", "--convention", "onnx"])
        #expect(onnx.standardOutput.contains("output_padding = 1 gives 18 (padding 0)"), "\(onnx.standardOutput)\(onnx.standardError)")
        let dilated = try CLIRunner.run(["solve", "output-padding", "-i", "5", "-k", "3", "-s", "1", "-d", "3", "--target", "13"])
        #expect(dilated.standardOutput.contains("output_padding = 2 gives 13"), "\(dilated.standardOutput)\(dilated.standardError)")
        let below = try CLIRunner.run(["solve", "output-padding", "-i", "7", "-k", "3", "-s", "2", "-p", "1", "--target", "12"])
        #expect(below.status == 1 && below.standardError.contains("already give 13"), "\(below.standardError)")
        let inputs = try CLIRunner.run(["solve", "inputs", "--output", "3", "-k", "3", "-s", "2", "-p", "1", "--json"])
        #expect(inputs.standardOutput.contains(#""inputs":[5,6]"#))
    }

    @Test("an option the layer does not read is named on standard error as ignored, and the answer is unchanged")
    func ignoredOptionsAreNamed() throws {
        let plain = try CLIRunner.run(["shape", "conv", "-i", "5", "-k", "3"])
        let noted = try CLIRunner.run(["shape", "conv", "-i", "5", "-k", "3", "--count-include-pad", "false", "-a", "1"])
        #expect(noted.status == 0 && noted.standardOutput == plain.standardOutput)
        #expect(noted.standardError.contains("--count-include-pad (average pooling only) is ignored"), "\(noted.standardError)")
        #expect(noted.standardError.contains("--output-padding (transposed convolution only) is ignored"))
        let used = try CLIRunner.run(["shape", "pool", "-i", "5", "-k", "3", "-p", "1", "--mode", "avg", "--count-include-pad", "false"])
        #expect(used.status == 0 && !used.standardError.contains("ignored"), "\(used.standardError)")
        // Batch and groups need the channels to show tensor shapes.
        let unshaped = try CLIRunner.run(["shape", "conv", "-i", "5", "-k", "3", "-b", "2", "-g", "2"])
        #expect(unshaped.status == 0 && unshaped.standardOutput == plain.standardOutput)
        #expect(unshaped.standardError.contains("-b/--batch without -c/--channels") && unshaped.standardError.contains("-g/--groups without -c/--channels"),
                "\(unshaped.standardError)")
        let shaped = try CLIRunner.run(["shape", "conv", "-i", "5", "-k", "3", "-b", "2", "-g", "2", "-c", "4", "-o", "4"])
        #expect(shaped.status == 0 && !shaped.standardError.contains("ignored"), "\(shaped.standardError)")
        // Pooling has no weight: a weight given to run pool is refused, not passed over.
        let pooled = try CLIRunner.run(["run", "pool", "--x", "x.npy", "--w", "w.npy", "-k", "2", "--out", "y.npy"])
        #expect(pooled.status == 64 && pooled.standardError.contains("pooling takes no weight or bias"), "\(pooled.standardError)")
    }

    @Test("every subcommand's --help has examples, each one whole line within 80 columns (pasted, it runs)",
          arguments: ["tour", "draw", "explain", "shape", "transpose", "solve padding", "solve output-padding", "solve inputs", "matrix",
                      "net", "mirror", "translate", "run", "verify", "eval", "serve", "bench"])
    func helpHasExamples(subcommand: String) throws {
        let result = try CLIRunner.run(subcommand.split(separator: " ").map(String.init) + ["--help"])
        #expect(result.status == 0)
        let lines = result.standardOutput.components(separatedBy: "\n")
        let start = try #require(lines.firstIndex(of: "Examples:"), "no examples in \(subcommand) --help")
        let examples = lines[(start + 1)...].prefix { !$0.hasPrefix("USAGE") }.filter { !$0.isEmpty }
        #expect(!examples.isEmpty)
        for example in examples {
            // A wrapped example would continue on a line that does not start a command.
            #expect(["  convarith ", "  swift run ", "  echo "].contains { example.hasPrefix($0) }, "\(subcommand): '\(example)'")
            #expect(example.count <= 80, "\(subcommand): \(example.count) columns: '\(example)'")
        }
        // Only the --help of a command that decides sizes offers --convention; translate says --from/--to.
        #expect(result.standardOutput.contains("--convention") == !["translate", "tour", "eval", "serve", "bench", "net", "mirror"].contains(subcommand),
                "\(subcommand)")
    }
}
