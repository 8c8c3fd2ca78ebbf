import ArgumentParser
import ConvArithmetic
import ConvEval
import ConvFigures
import ConvKernels
import ConvTour
import Foundation

/// `convarith tour`: reproduces the seed's figures, with an index that explains each.
struct TourCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tour",
        abstract: "Render every figure the seed refers to (and the paper's convolution, pooling and dilation figures) with an index.html.",
        discussion: helpText("""
            Writes, for each figure, an animated GIF, an animated SVG and a sheet of all frames, plus the matrix
            C of Figure 2.3, and index.html stating for each the relationship (seed and paper numbers), its
            formula, the parameters, the computed sizes and the numerical check that the formulations agree.

            Examples:
              convarith tour
              convarith tour --out figures
            """)
    )

    @Option(name: .long, help: "Output directory.") var out = "convarith-tour"
    @Option(name: .long, help: "Seconds per animation frame (0.02…600).") var delay = 0.8
    @Flag(name: .long, help: "Print the index path only.") var quiet = false
    @OptionGroup var format: OutputFormatOptions

    func validate() throws {
        // An empty path would resolve to the current directory and fill it with the tour's files.
        guard !out.isEmpty else { throw ValidationError("--out needs a directory to write the tour to, got an empty path") }
        guard delay.isFinite, (0.02...600).contains(delay) else { throw ValidationError("--delay must be 0.02…600 seconds, got \(delay)") }
    }

    func run() throws {
        let directory = URL(fileURLWithPath: out)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            printError("error: cannot create \(out): \(error.localizedDescription)")
            throw ExitCode(73)
        }
        let progress = ProgressLine(total: ((try? Tour.figures().count) ?? 0) + 1, label: "rendering")
        let summary: TourRenderer.Summary
        // Every file is staged and renamed into place only when all are written: a complete tour or the
        // previous one, never a mix or a truncated file.
        let stage = StagedFiles()
        do {
            summary = try TourRenderer.render(delay: delay, progress: { done, _ in progress.update(done) }) { name, bytes in
                try stage.write(bytes, to: directory.appendingPathComponent(name).path)
            }
            try stage.commit()
        } catch let exit as ExitCode {
            throw exit
        } catch {
            printError("error: \(error)")
            throw ExitCode(1)
        }
        let index = directory.appendingPathComponent("index.html").standardizedFileURL.path
        let disagreements = summary.disagreements
        let written: [JSONValue] = summary.figures.map { figure in
            .object([
                ("name", .string(figure.name)), ("title", .string(figure.title)), ("frames", .integer(figure.frames)),
                ("width", .integer(figure.width)), ("height", .integer(figure.height)), ("files", .array(figure.files.map(JSONValue.string))),
            ])
        }
        if format.json {
            print(JSONWriter.string(.object([
                ("index", .string(index)), ("directory", .string(directory.standardizedFileURL.path)),
                ("figures", .array(written)), ("files", .array(summary.files.map(JSONValue.string))),
                ("checks_disagreeing", .integer(disagreements)),
            ])))
            return
        }
        if !quiet {
            print("\(summary.figures.count) figures and the matrix C written to \(directory.standardizedFileURL.path) (\(disagreements == 0 ? "every numerical check agrees" : "\(disagreements) checks DISAGREE"))")
        }
        print(index)
    }
}
