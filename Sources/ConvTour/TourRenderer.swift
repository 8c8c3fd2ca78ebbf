import ConvArithmetic
import ConvFigures
import ConvKernels

/// `convarith tour`'s work as a library: every figure of `Tour` rendered as an animated GIF, an animated
/// SVG and a frame sheet with the paper-style values, the numerical check that the transposed
/// convolution's formulations agree, the matrix C of Figure 2.3 (SVG and PNG) and `index.html` — each file
/// handed to `write` as soon as it is made, so memory stays at one figure.
public enum TourRenderer {
    /// One rendered figure.
    public struct Figure: Sendable, Hashable {
        /// The file stem (`figure-2.11`).
        public let name: String
        /// The figure's title.
        public let title: String
        /// Frames of the animation.
        public let frames: Int
        /// Frame size in pixels.
        public let width: Int, height: Int
        /// The files written for it.
        public let files: [String]
    }

    /// What was rendered.
    public struct Summary: Sendable, Hashable {
        /// The figures, in the tour's order.
        public let figures: [Figure]
        /// The files beyond the figures' (the matrix C and the index).
        public let files: [String]
        /// Numerical checks whose formulations disagree beyond a relative 10⁻⁴ (0 when all agree).
        public let disagreements: Int
    }

    /// Image pixels per drawn pixel in the GIFs and PNGs: 2, so the numbers in cells are 10 px on a
    /// screen or a slide.
    public static let rasterScale = 2

    /// The matrix C's caption on the index page.
    public static let matrixCaption = "The 3×3 convolution over a 4×4 input (seed Figure 2.2) as a 4×16 matrix C acting on the input unrolled row by row: y = C·x. Its transpose Cᵀ (16×4) maps the 2×2 output back to 4×4 — the transposed convolution."

    /// Renders the tour: `progress(done, total)` after each figure, `write(name, bytes)` for each file.
    /// - Throws: `ArithmeticError` or `KernelError` if a figure cannot be
    ///   built (a bug in the catalogue), and whatever `write` throws.
    public static func render(delay: Double, progress: (Int, Int) -> Void = { _, _ in },
                              write: (String, [UInt8]) throws -> Void) throws -> Summary {
        let figures = try Tour.figures()
        var entries: [TourIndex.Entry] = []
        var rendered: [Figure] = []
        for (index, figure) in figures.enumerated() {
            progress(index, figures.count + 1)
            let scene = try Scene(shape: figure.shape, poolingMode: figure.poolingMode)
            var options = FigureOptions(cellSize: 32)
            options.values = try? ExampleValues.values(for: figure.shape, mode: figure.poolingMode ?? .max)
            let layout = FigureLayout(scene: scene, options: options)
            let files = [figure.name + ".gif", figure.name + ".svg", figure.name + "-frames.svg"]
            rendered.append(Figure(name: figure.name, title: scene.title, frames: scene.frameCount, width: layout.width,
                                   height: layout.height, files: files))
            let frames = scene.frames.indices.map { PaletteImage(layout.drawing(frame: $0), scale: rasterScale) }
            try write(files[0], GIFWriter.encode(frames, delay: Int((delay * 100).rounded())))
            try write(files[1], Array(SVGWriter.animation(layout, delay: delay).utf8))
            try write(files[2], Array(SVGWriter.contactSheet(layout).utf8))
            var checks: [(pair: String, absolute: Float, relative: Float)] = []
            if figure.shape.operation != .pooling,
               let comparisons = try? Verification.compare(figure.shape, channels: ChannelConfiguration(batch: 2, channels: 2, outputChannels: 3),
                                                           seed: UInt64(index + 1)) {
                checks = comparisons.map { ($0.pair, $0.absolute, $0.relative) }
            }
            entries.append(TourIndex.Entry(figure: figure, gif: files[0], animatedSVG: files[1], sheet: files[2], checks: checks))
        }
        // The matrix C of Figure 2.3 and its transpose.
        let convolution = try Tour.matrixConvolution()
        let matrix = try ConvolutionMatrix(shape: convolution)
        let cells = matrix.symbolic()
        let transposed = (0..<matrix.columns).map { column in cells.map { $0[column] } }
        let figure = MatrixFigure(matrices: [("C", cells), ("Cᵀ", transposed)], caption: matrixCaption)
        let drawing = figure.drawing()
        let matrixSVG = SVGWriter.drawing(drawing, title: "The matrix C")
        try write("matrix-C.svg", Array(matrixSVG.utf8))
        try write("matrix-C.png", PNGWriter.encode(PaletteImage(drawing, scale: rasterScale)))
        let inline = matrixSVG.split(separator: "\n").dropFirst().joined(separator: "\n")
        try write("index.html", Array(TourIndex.html(entries: entries, matrixSVG: inline, matrixCaption: matrixCaption).utf8))
        progress(figures.count + 1, figures.count + 1)
        return Summary(figures: rendered, files: ["matrix-C.svg", "matrix-C.png", "index.html"],
                       disagreements: entries.flatMap(\.checks).filter { $0.relative > 1e-4 }.count)
    }
}
