import ArgumentParser
import ConvArithmetic

/// `convarith`: the arithmetic of convolution, pooling and transposed convolution, computed, explained
/// and solved, as the frameworks do it.
@main
struct ConvArith: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convarith",
        abstract: "Convolution arithmetic: output sizes, the paper's relationships, transposed equivalences and inverse questions.",
        discussion: helpText("""
            Sizes follow PyTorch by default; --convention selects whose rules apply: \(Convention.all.map { "\($0.name) (\($0.summary))" }.joined(separator: ", ")).

            Formulas from Dumoulin & Visin, "A guide to convolution arithmetic for deep learning" (arXiv:1603.07285).
            """),
        version: "0.3.0",
        subcommands: [ShapeCommand.self, NetCommand.self, MirrorCommand.self, TranslateCommand.self, ExplainCommand.self, TransposeCommand.self, SolveCommand.self, RunCommand.self, MatrixCommand.self, VerifyCommand.self, DrawCommand.self, TourCommand.self, EvalCommand.self, BenchCommand.self, ServeCommand.self]
    )

    /// Runs the command line; a failed write to standard output ends with exit status 74.
    static func main() async {
        exitWithErrorWhenStandardOutputFails()
        EnvironmentSettings.noteUnusableValues()
        await main(nil)
    }
}
