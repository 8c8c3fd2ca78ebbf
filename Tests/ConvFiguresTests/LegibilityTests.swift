import ConvArithmetic
import ConvFigures
import Foundation
import Testing

/// WCAG relative luminance of a paint.
private func luminance(_ paint: Paint) -> Double {
    let (r, g, b) = paint.rgb
    func channel(_ value: UInt8) -> Double {
        let c = Double(value) / 255
        return c <= 0.03928 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4)
    }
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
}

private func contrast(_ a: Paint, _ b: Paint) -> Double {
    let (la, lb) = (luminance(a), luminance(b))
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

/// Figures of every kind the tour and `draw` make, with values where they fit.
private func figures() throws -> [FigureLayout] {
    var layouts: [FigureLayout] = []
    for figure in try Tour.figures() {
        var options = FigureOptions(cellSize: 32)
        options.values = CellValues(input: Array(repeating: 2, count: figure.shape.input.reduce(1, *)),
                                    kernel: Array(repeating: 1, count: figure.shape.axes.map(\.kernel).reduce(1, *)),
                                    output: Array(repeating: 12, count: figure.shape.output.reduce(1, *)))
        layouts.append(FigureLayout(scene: try Scene(shape: figure.shape, poolingMode: figure.poolingMode), options: options))
    }
    let extra = [
        try ConvolutionSpec(kernel: [3], stride: [2], padding: .symmetric([1])).shape(input: [3, 4, 5]),
        try TransposedConvolutionSpec(kernel: [3], stride: [2], padding: .symmetric([1]), dilation: [2], outputPadding: [1]).shape(input: [3]),
        try ConvolutionSpec(kernel: [1], stride: [1]).shape(input: [1]),
        try ConvolutionSpec(kernel: [2], padding: .explicit([AxisPadding(before: 30, after: 0)]), convention: .onnx).shape(input: [1]),
    ]
    for shape in extra {
        for cell in [8, 24] { layouts.append(FigureLayout(scene: try Scene(shape: shape), options: FigureOptions(cellSize: cell))) }
    }
    return layouts
}

@Suite("Figures read well")
struct LegibilityTests {
    @Test("no text extends beyond its canvas, measured with the fonts the layout uses")
    func textStaysOnTheCanvas() throws {
        var checked = 0
        for layout in try figures() {
            for frame in [0, max(layout.scene.frameCount - 1, 0)] {
                let drawing = layout.drawing(frame: frame)
                for case .text(let text) in drawing.items {
                    checked += 1
                    #expect(text.extent.lowerBound >= 0 && text.extent.upperBound <= drawing.width,
                            "“\(text.string)” spans \(text.extent) on a \(drawing.width)-pixel canvas (\(layout.scene.title))")
                }
            }
        }
        #expect(checked > 500)
    }

    @Test("titles and captions break between formulas: no line starts or ends with an operator")
    func captionsBreakBetweenFormulas() throws {
        let operators: Set<Substring> = ["→", "=", "+", "−", "·", "×", "≤", "≥", "/", "mod"]
        var lines = 0
        for layout in try figures() {
            for case .text(let text) in layout.drawing(frame: 0).items {
                let words = text.string.split(separator: " ")
                guard words.count > 1 else { continue }
                lines += 1
                #expect(!operators.contains(words.first!) && !operators.contains(words.last!), "“\(text.string)” (\(layout.scene.title))")
            }
        }
        #expect(lines > 50)
    }

    @Test("Cᵀ is drawn with a raised T, not as CT")
    func transposeMarkIsRaised() {
        func pixels(_ string: String) -> [Int] {
            var drawing = Drawing(width: 40, height: 20)
            drawing.items.append(.text(Drawing.Text(x: 2, y: 15, string: string, size: 10)))
            let image = PaletteImage(drawing)
            return image.pixels.map(Int.init)
        }
        #expect(pixels("Cᵀ") != pixels("CT"))
    }

    @Test("every number printed in a cell has at least 4.5:1 contrast with the cell beneath it")
    func numbersInCellsAreLegible() throws {
        var checked = 0
        for layout in try figures() where layout.options.values != nil {
            let drawing = layout.drawing(frame: layout.scene.frameCount / 2)
            var cells: [Drawing.Rectangle] = []
            for item in drawing.items {
                switch item {
                case .rectangle(let rectangle): cells.append(rectangle)
                case .text(let text):
                    let probe = (x: (text.extent.lowerBound + text.extent.upperBound) / 2, y: text.y - 3)
                    guard let cell = cells.last(where: { $0.fill != nil && $0.x <= probe.x && probe.x < $0.x + $0.width && $0.y <= probe.y && probe.y < $0.y + $0.height }),
                          let fill = cell.fill, fill != .background else { continue }
                    checked += 1
                    #expect(contrast(text.paint, fill) >= 4.5, "“\(text.string)” in \(text.paint) over \(fill): \(contrast(text.paint, fill))")
                }
            }
        }
        #expect(checked > 100)
    }

    @Test("every tour figure has its own title, and max and average pooling are named")
    func titlesAreDistinct() throws {
        let titles = try Tour.figures().map { try Scene(shape: $0.shape, poolingMode: $0.poolingMode).title + " / " + $0.summary }
        #expect(Set(titles).count == titles.count)
        let scenes = try Tour.figures().filter { $0.poolingMode != nil }.map { try Scene(shape: $0.shape, poolingMode: $0.poolingMode).title }
        #expect(scenes.contains { $0.hasPrefix("Max pooling") } && scenes.contains { $0.hasPrefix("Average pooling") })
    }

    @Test("a frame sheet states its title once; a 3-D drawing labels its slices; a dilated transposed caption gives d")
    func sheetsSlicesAndCaptions() throws {
        let shape = try ConvolutionSpec(kernel: [3], stride: [2], padding: .symmetric([1])).shape(input: [5, 5])
        let scene = try Scene(shape: shape)
        let sheet = SVGWriter.contactSheet(FigureLayout(scene: scene))
        #expect(sheet.components(separatedBy: "Relationship 6").count - 1 == 2)  // the <title> and one heading
        let cube = FigureLayout(scene: try Scene(shape: try ConvolutionSpec(kernel: [2]).shape(input: [3, 3, 3])))
        let labels = cube.drawing(frame: 0).items.compactMap { item -> String? in
            if case .text(let text) = item, text.string.hasPrefix("slice ") { return text.string }
            return nil
        }
        #expect(labels.contains("slice 0") && labels.contains("slice 2"))
        let dilated = try Scene(shape: try TransposedConvolutionSpec(kernel: [3], stride: [2], dilation: [2]).shape(input: [3]))
        #expect(dilated.caption.contains("d' = d = 2"))
    }
}
