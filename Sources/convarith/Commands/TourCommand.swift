import ArgumentParser
import ConvArithmetic
import ConvEval
import ConvFigures
import ConvKernels
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
        let figures = try exitingOnError { () throws(ArithmeticError) in try Tour.figures() }
        let progress = ProgressLine(total: figures.count + 1, label: "rendering")
        var entries: [TourIndex.Entry] = []
        var written: [JSONValue] = []
        for (index, figure) in figures.enumerated() {
            progress.update(index)
            let scene = try exitingOnError { () throws(ArithmeticError) in try Scene(shape: figure.shape, poolingMode: figure.poolingMode) }
            var options = FigureOptions(cellSize: 32)
            options.values = try? ExampleValues.values(for: figure.shape, mode: figure.poolingMode ?? .max, groups: 1)
            let layout = FigureLayout(scene: scene, options: options)
            written.append(.object([
                ("name", .string(figure.name)), ("title", .string(scene.title)), ("frames", .integer(scene.frameCount)),
                ("width", .integer(layout.width)), ("height", .integer(layout.height)),
                ("files", .array([figure.name + ".gif", figure.name + ".svg", figure.name + "-frames.svg"].map(JSONValue.string))),
            ]))
            let frames = scene.frames.indices.map { PaletteImage(layout.drawing(frame: $0)) }
            try write(GIFWriter.encode(frames, delay: Int((delay * 100).rounded())), to: figure.name + ".gif", in: directory)
            try write(Array(SVGWriter.animation(layout, delay: delay).utf8), to: figure.name + ".svg", in: directory)
            try write(Array(SVGWriter.contactSheet(layout).utf8), to: figure.name + "-frames.svg", in: directory)
            var checks: [(pair: String, absolute: Float, relative: Float)] = []
            if figure.shape.operation != .pooling,
               let comparisons = try? Verification.compare(figure.shape, channels: ChannelConfiguration(batch: 2, channels: 2, outputChannels: 3), seed: UInt64(index + 1)) {
                checks = comparisons.map { ($0.pair, $0.absolute, $0.relative) }
            }
            entries.append(TourIndex.Entry(figure: figure, gif: figure.name + ".gif", animatedSVG: figure.name + ".svg",
                                           sheet: figure.name + "-frames.svg", checks: checks))
        }
        // The matrix C of Figure 2.3 and its transpose.
        let convolution = try exitingOnError { () throws(ArithmeticError) in try Tour.matrixConvolution() }
        let matrix = try exitingOnError { () throws(KernelError) in try ConvolutionMatrix(shape: convolution) }
        let cells = matrix.symbolic()
        let transposed = (0..<matrix.columns).map { column in cells.map { $0[column] } }
        let caption = "The 3×3 convolution over a 4×4 input (seed Figure 2.2) as a 4×16 matrix C acting on the input unrolled row by row: y = C·x. Its transpose Cᵀ (16×4) maps the 2×2 output back to 4×4 — the transposed convolution."
        let figure = MatrixFigure(matrices: [("C", cells), ("Cᵀ", transposed)], caption: caption)
        let drawing = figure.drawing()
        let matrixSVG = SVGWriter.drawing(drawing, title: "The matrix C")
        try write(Array(matrixSVG.utf8), to: "matrix-C.svg", in: directory)
        try write(PNGWriter.encode(PaletteImage(drawing)), to: "matrix-C.png", in: directory)
        let inline = matrixSVG.split(separator: "\n").dropFirst().joined(separator: "\n")
        try write(Array(TourIndex.html(entries: entries, matrixSVG: inline, matrixCaption: caption).utf8), to: "index.html", in: directory)
        progress.update(figures.count + 1)
        let index = directory.appendingPathComponent("index.html").standardizedFileURL.path
        let disagreements = entries.flatMap(\.checks).filter { $0.relative > 1e-4 }.count
        if format.json {
            print(JSONWriter.string(.object([
                ("index", .string(index)), ("directory", .string(directory.standardizedFileURL.path)),
                ("figures", .array(written)), ("files", .array(["matrix-C.svg", "matrix-C.png", "index.html"].map(JSONValue.string))),
                ("checks_disagreeing", .integer(disagreements)),
            ])))
            return
        }
        if !quiet {
            print("\(figures.count) figures and the matrix C written to \(directory.standardizedFileURL.path) (\(disagreements == 0 ? "every numerical check agrees" : "\(disagreements) checks DISAGREE"))")
        }
        print(index)
    }

    private func write(_ bytes: [UInt8], to name: String, in directory: URL) throws {
        do {
            try Data(bytes).write(to: directory.appendingPathComponent(name))
        } catch {
            printError("error: cannot write \(name): \(error.localizedDescription)")
            throw ExitCode(73)
        }
    }
}
