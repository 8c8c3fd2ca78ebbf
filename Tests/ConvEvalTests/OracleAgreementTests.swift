import ConvEval
import OracleSupport
import Testing

@Suite("Golden cases from PyTorch, ONNX Runtime and TensorFlow")
struct OracleAgreementTests {
    @Test("the oracle corpus is present")
    func corpusIsPresent() {
        #expect(OracleCorpus.shapeFiles.count >= 4, "no shapes_*.jsonl in \(OracleCorpus.directory.path)")
    }

    @Test("every shape case agrees with the framework: same sizes, errors exactly where it refused",
          arguments: OracleCorpus.shapeFiles)
    func everyCaseAgrees(file: String) throws {
        let cases = try OracleCorpus.cases(in: file)
        #expect(!cases.isEmpty)
        let evaluator = Evaluator()
        let disagreements = cases.compactMap { oracle in
            OracleCorpus.disagreement(of: evaluator.answer(line: oracle.line), with: oracle)
        }
        #expect(disagreements.isEmpty, "\(disagreements.count) of \(cases.count) disagree:\n\(disagreements.prefix(20).joined(separator: "\n"))")
    }
}
