import ConvEval
import OracleSupport
import Testing

@Suite("Numeric golden cases: tensors in, tensors out")
struct NumericOracleTests {
    @Test("the numeric corpus is present")
    func corpusIsPresent() {
        #expect(OracleCorpus.numericFiles.count >= 3, "no numeric_*.jsonl in \(OracleCorpus.directory.path)")
    }

    @Test("every numeric case agrees with the framework within its tolerance (reference kernels)",
          arguments: OracleCorpus.numericFiles)
    func referenceAgrees(file: String) throws {
        let cases = try OracleCorpus.numericCases(in: file)
        let evaluator = Evaluator()
        let disagreements = cases.compactMap { OracleCorpus.numericDisagreement(of: evaluator.answer(line: $0.line(implementation: "reference")), with: $0) }
        #expect(disagreements.isEmpty, "\(disagreements.count) of \(cases.count):\n\(disagreements.prefix(10).joined(separator: "\n"))")
    }

    @Test("every numeric case agrees with the framework within its tolerance (fast kernels, eval's default)",
          arguments: OracleCorpus.numericFiles)
    func fastAgrees(file: String) throws {
        let cases = try OracleCorpus.numericCases(in: file)
        let evaluator = Evaluator()
        let disagreements = cases.compactMap { OracleCorpus.numericDisagreement(of: evaluator.answer(line: $0.line(implementation: "fast")), with: $0) }
        #expect(disagreements.isEmpty, "\(disagreements.count) of \(cases.count):\n\(disagreements.prefix(10).joined(separator: "\n"))")
    }

    @Test("convolutions and transposed convolutions agree through the matrix C", arguments: OracleCorpus.numericFiles)
    func matrixAgrees(file: String) throws {
        let cases = try OracleCorpus.numericCases(in: file).filter { $0.operation != "pool" }
        let evaluator = Evaluator()
        let disagreements = cases.compactMap { OracleCorpus.numericDisagreement(of: evaluator.answer(line: $0.line(implementation: "matrix")), with: $0) }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(10).joined(separator: "\n"))")
    }

    @Test("transposed convolutions agree through the stretched input", arguments: OracleCorpus.numericFiles)
    func stretchedAgrees(file: String) throws {
        let cases = try OracleCorpus.numericCases(in: file).filter { $0.operation == "transposed" }
        let evaluator = Evaluator()
        let disagreements = cases.compactMap { OracleCorpus.numericDisagreement(of: evaluator.answer(line: $0.line(implementation: "stretched")), with: $0) }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(10).joined(separator: "\n"))")
    }
}
