import ArgumentParser
import ConvArithmetic
import ConvEval
import ConvFigures
import ConvKernels
import ConvTour
import Foundation

/// The formats `convarith draw` writes.
enum FigureFormat: String, ExpressibleByArgument, CaseIterable {
    case svg, sheet, animatedSVG = "animated-svg", gif, png
}

/// `convarith draw`: a paper-style figure for any parameters.
struct DrawCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "draw",
        abstract: "Draw a paper-style figure or animation of a convolution, pooling or transposed convolution.",
        discussion: helpText("""
            Input in blue, output in cyan, padding as dashed empty cells, inserted zeros dotted, the kernel as a
            darker shadow, the current output cell highlighted. Transposed convolutions are drawn as the paper
            draws them: the equivalent stride-1 convolution over the stretched, padded input, output above.

            Formats: svg (one frame, --frame), sheet (every frame side by side), animated-svg, gif (animated,
            looping), png (one frame). SVG goes to standard output when --out is omitted.

            Examples:
              convarith draw conv -i 5x5 -k 3 -s 2 -p 1 --format gif --out conv.gif
              convarith draw transposed -i 2x2 -k 3 --format animated-svg --out t.svg
              convarith draw conv -i 7x7 -k 3 -d 2 --format sheet --out dilated.svg
              convarith draw pool -i 5x5 -k 3 -s 1 --values --format png --out pool.png
            """)
    )

    @OptionGroup var layer: WindowOptions
    @OptionGroup var rules: ConventionOption
    @OptionGroup var size: InputOption
    @Option(name: .long, help: "svg, sheet, animated-svg, gif or png.") var format: FigureFormat = .svg
    @Option(name: .long, help: "Output file (SVG formats default to standard output).") var out: String?
    @Option(name: .long, parsing: .unconditional, help: "The frame (output position, 0 = first) for svg and png.") var frame = 0
    @Option(name: .long, parsing: .unconditional, help: "Seconds per animation frame (0.02…600).") var delay = 0.8
    @Option(name: .long, parsing: .unconditional, help: "Cell size in pixels (4…256).") var cellSize = 24
    @Option(name: .long, parsing: .unconditional, help: "png and gif: image pixels per drawn pixel (1…4; 2 for screens and slides, the numbers in cells 10 px).")
    var scale = 2
    @Option(name: .long, parsing: .unconditional, help: "Allow figures N times larger than the drawing budget (1…10; never beyond the memory limit).") var budget = 1
    @Flag(name: .long, help: "Print input values, kernel weights and results in the cells (small sizes).") var values = false
    @OptionGroup var output: OutputFormatOptions

    /// The largest `--budget`: ten times the default figure is tens of seconds of drawing.
    static let largestBudget = 10

    func validate() throws {
        guard delay.isFinite, (0.02...600).contains(delay) else { throw ValidationError("--delay must be 0.02…600 seconds, got \(delay)") }
        guard FigureBudget.cellSizes.contains(cellSize) else {
            throw ValidationError("--cell-size must be \(FigureBudget.cellSizes.lowerBound)…\(FigureBudget.cellSizes.upperBound) pixels, got \(cellSize)")
        }
        guard (1...4).contains(scale) else { throw ValidationError("--scale must be 1…4, got \(scale)") }
        guard (1...Self.largestBudget).contains(budget) else {
            throw ValidationError("--budget must be 1…\(Self.largestBudget), got \(budget); draw one frame (--format svg or png, --frame N) for larger layers")
        }
        guard frame >= 0 else { throw ValidationError("--frame must be 0 or more, got \(frame)") }
        if out == nil && (format == .gif || format == .png) { throw ValidationError("--out is required for \(format.rawValue)") }
        if layer.kernel == nil { throw ValidationError("Missing expected argument '--kernel <kernel>'") }
    }

    func run() throws {
        let resolved = try layer.resolve(input: size.values(), convention: rules.convention)
        let shape = resolved.shape
        // The cost from the arithmetic, before anything is drawn.
        let extent: FigureBudget.Extent
        switch format {
        case .svg: extent = .vectorFrame
        case .png: extent = .rasterFrame
        case .gif: extent = .rasterAnimation
        case .sheet, .animatedSVG: extent = .vectorAnimation
        }
        let estimate = try exitingOnError { () throws(FigureError) in
            let estimate = try FigureEstimate(shape: shape, cellSize: cellSize)
            let raster = extent == .rasterFrame || extent == .rasterAnimation
            var limits = FigureBudget.default.scaled(by: budget).limitingMemory(to: MemoryLimit.current.bytes)
            limits.suggestsLargerBudget = budget < Self.largestBudget
            try limits.check(raster ? estimate.scaled(by: scale) : estimate, drawing: extent)
            if (extent == .vectorFrame || extent == .rasterFrame) && frame >= estimate.frames {
                throw FigureError.frameOutOfRange(frame: frame, count: estimate.frames)
            }
            return estimate
        }
        let scene = try exitingOnError { () throws(ArithmeticError) in try Scene(shape: shape, poolingMode: shape.operation == .pooling ? layer.mode : nil) }
        var options = FigureOptions(cellSize: cellSize)
        if values {
            guard estimate.cellsPerFrame <= 10_000 else {
                printError("error: --values prints numbers in every cell, for figures of at most 10,000 cells; this one has \(estimate.cellsPerFrame)")
                throw ExitCode(1)
            }
            options.values = try exitingOnError { () throws(KernelError) in try ExampleValues.values(for: shape, mode: layer.mode, groups: 1) }
        }
        let layout = FigureLayout(scene: scene, options: options)
        var file = try OutputFile(path: out)
        switch format {
        case .svg: try file.write(Array(SVGWriter.frame(layout, index: frame).utf8))
        case .sheet: try file.write(Array(SVGWriter.contactSheet(layout).utf8))
        case .animatedSVG: try file.write(Array(SVGWriter.animation(layout, delay: delay).utf8))
        case .png: try file.write(PNGWriter.encode(PaletteImage(layout.drawing(frame: frame), scale: scale)))
        case .gif:
            // Streamed: one frame is held at a time.
            let progress = ProgressLine(total: scene.frameCount, label: "frames")
            try file.write(GIFWriter.header(width: layout.width * scale, height: layout.height * scale))
            for index in 0..<scene.frameCount {
                progress.update(index)
                try file.write(GIFWriter.frame(PaletteImage(layout.drawing(frame: index), scale: scale), delay: Int((delay * 100).rounded())))
            }
            progress.update(scene.frameCount)
            try file.write(GIFWriter.trailer)
        }
        try file.close()
        guard let out else { return }
        let frames = format == .svg || format == .png ? 1 : scene.frameCount
        let pixelScale = format == .png || format == .gif ? scale : 1
        if output.json {
            print(JSONWriter.string(.object([
                ("file", .string(out)), ("format", .string(format.rawValue)), ("title", .string(scene.title)),
                ("frames", .integer(frames)), ("width", .integer(layout.width * pixelScale)), ("height", .integer(layout.height * pixelScale)),
                ("bytes", .integer(file.bytesWritten)),
            ])))
        } else {
            print("\(scene.title): \(frames) frame\(frames == 1 ? "" : "s"), \(layout.width * pixelScale)×\(layout.height * pixelScale) px → \(out)")
        }
    }
}
