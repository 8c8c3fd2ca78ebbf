import ArgumentParser
import ConvArithmetic
import ConvEval
import ConvFigures
import ConvKernels
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
        discussion: """
            Input in blue, output in cyan, padding as dashed empty cells, inserted zeros dotted, the kernel as a
            darker shadow, the current output cell highlighted. Transposed convolutions are drawn as the paper
            draws them: the equivalent stride-1 convolution over the stretched, padded input, output above.

            Formats: svg (one frame, --frame), sheet (every frame side by side), animated-svg, gif (animated,
            looping), png (one frame). SVG goes to standard output when --out is omitted.

            Examples:
              convarith draw conv -i 5x5 -k 3 -s 2 -p 1 --format gif --out conv.gif
              convarith draw transposed -i 2x2 -k 3 --format animated-svg --out transposed.svg
              convarith draw conv -i 7x7 -k 3 -d 2 --format sheet --out dilated.svg
              convarith draw pool -i 5x5 -k 3 -s 1 --values --format png --frame 4 --out pool.png
            """
    )

    @OptionGroup var layer: LayerOptions
    @Option(name: .long, help: "svg, sheet, animated-svg, gif or png.") var format: FigureFormat = .svg
    @Option(name: .long, help: "Output file (SVG formats default to standard output).") var out: String?
    @Option(name: .long, help: "The frame (output position) for svg and png.") var frame = 0
    @Option(name: .long, help: "Seconds per animation frame.") var delay = 0.8
    @Option(name: .long, help: "Cell size in pixels.") var cellSize = 24
    @Flag(name: .long, help: "Print input values, kernel weights and results in the cells (small sizes).") var values = false

    func run() throws {
        let result = EvalResult(layer: try layer.resolve())
        let scene = try exitingOnError { () throws(ArithmeticError) in try Scene(shape: result.shape) }
        guard (1...3).contains(scene.shape.rank) else {
            printError("error: figures are drawn for 1-D, 2-D and 3-D layers")
            throw ExitCode(1)
        }
        var options = FigureOptions(cellSize: max(8, cellSize))
        if values { options.values = try exitingOnError { () throws(KernelError) in try ExampleValues.values(for: result.shape, mode: layer.mode, groups: 1) } }
        let layout = FigureLayout(scene: scene, options: options)
        let bytes: [UInt8]
        switch format {
        case .svg: bytes = Array(SVGWriter.frame(layout, index: frame).utf8)
        case .sheet: bytes = Array(SVGWriter.contactSheet(layout).utf8)
        case .animatedSVG: bytes = Array(SVGWriter.animation(layout, delay: delay).utf8)
        case .png: bytes = PNGWriter.encode(PaletteImage(layout.drawing(frame: frame)))
        case .gif:
            let progress = ProgressLine(total: scene.frames.count, label: "frames")
            var images: [PaletteImage] = []
            for index in scene.frames.indices {
                progress.update(index)
                images.append(PaletteImage(layout.drawing(frame: index)))
            }
            progress.update(scene.frames.count)
            bytes = GIFWriter.encode(images, delay: Int((delay * 100).rounded()))
        }
        guard let out else {
            guard format != .gif && format != .png else { throw ValidationError("--out is required for \(format.rawValue)") }
            print(String(decoding: bytes, as: UTF8.self), terminator: "")
            return
        }
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: out))
        } catch {
            printError("error: cannot write \(out): \(error.localizedDescription)")
            throw ExitCode(73)
        }
        print("\(scene.title): \(scene.frames.count) frame\(scene.frames.count == 1 ? "" : "s"), \(layout.width)×\(layout.height) px → \(out)")
    }
}

/// Small integer values like the paper's first figures (inputs 0–3, a 0/1/2 kernel) and the results the
/// reference kernels compute from them.
enum ExampleValues {
    static func values(for shape: LayerShape, mode: PoolingMode, groups: Int) throws(KernelError) -> CellValues {
        let inputCount = shape.input.reduce(1, *)
        let kernelPattern: [Float] = [0, 1, 2, 2, 2, 0, 0, 1, 2]
        let taps = shape.axes.map(\.kernel).reduce(1, *)
        // The input of the paper's Figure 1.1, repeated for larger inputs.
        let paperInput: [Float] = [3, 3, 2, 1, 0, 0, 0, 1, 3, 1, 3, 1, 2, 2, 3, 2, 0, 0, 2, 2, 2, 0, 0, 0, 1]
        let input = (0..<inputCount).map { paperInput[$0 % paperInput.count] }
        let kernel = (0..<taps).map { kernelPattern[$0 % kernelPattern.count] }
        let x = try Tensor(shape: [1, 1] + shape.input, data: input)
        let y: Tensor
        switch shape.operation {
        case .pooling:
            y = try ReferenceKernels.pooling(x, shape: shape, mode: mode)
            return CellValues(input: input, kernel: [], output: y.data)
        case .convolution:
            y = try ReferenceKernels.convolution(x, weight: try Tensor(shape: [1, 1] + shape.axes.map(\.kernel), data: kernel), shape: shape)
        case .transposedConvolution:
            y = try ReferenceKernels.transposedConvolution(x, weight: try Tensor(shape: [1, 1] + shape.axes.map(\.kernel), data: kernel), shape: shape)
            // The figure shows the equivalent convolution, whose kernel is the flipped one.
            return CellValues(input: input, kernel: kernel.reversed(), output: y.data)
        }
        return CellValues(input: input, kernel: kernel, output: y.data)
    }
}
