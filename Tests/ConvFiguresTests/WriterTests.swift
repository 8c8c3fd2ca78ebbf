import ConvArithmetic
import ConvFigures
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// Runs a Python snippet; `nil` when Python or Pillow is unavailable.
private func python(_ script: String, arguments: [String]) throws -> (status: Int32, output: String)? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return nil }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// Whether Pillow can be imported; records an issue in CI when it cannot (a missing decoder is reported,
/// never silently skipped there).
private func pillowAvailable() throws -> Bool {
    if let result = try python("import PIL", arguments: []), result.status == 0 { return true }
    if ProcessInfo.processInfo.environment["CI"] != nil {
        Issue.record("Pillow is not installed: the GIF and PNG decoding tests cannot run (.ci/run installs it)")
    } else {
        print("note: Pillow is not installed; skipping the independent GIF/PNG decoder checks")
    }
    return false
}

private func layout(_ shape: LayerShape) throws -> FigureLayout {
    FigureLayout(scene: try Scene(shape: shape))
}

@Suite("Figure writers")
struct WriterTests {
    let shapes: [LayerShape]

    init() throws {
        shapes = [
            try ConvolutionSpec(kernel: [3, 3], stride: [2], padding: .symmetric([1])).shape(input: [5, 5]),
            try TransposedConvolutionSpec(kernel: [3, 3], stride: [2], padding: .symmetric([1]), outputPadding: [1]).shape(input: [3, 3]),
            try PoolingSpec(kernel: [2], stride: [2], mode: .max).shape(input: [7]),
            try ConvolutionSpec(kernel: [2, 2, 2], padding: .symmetric([1])).shape(input: [3, 3, 3]),
        ]
    }

    @Test("every SVG (frame, sheet, animation, matrix) parses as XML")
    func svgIsWellFormed() throws {
        for shape in shapes {
            let figure = try layout(shape)
            for svg in [SVGWriter.frame(figure), SVGWriter.contactSheet(figure), SVGWriter.animation(figure)] {
                let parser = XMLParser(data: Data(svg.utf8))
                #expect(parser.parse(), "\(shape.name): \(parser.parserError.map { "\($0)" } ?? "")")
                #expect(svg.contains("<title>"))
            }
        }
        let matrix = MatrixFigure(matrices: [("C", [["w₀,₀", "0"], ["0", "w₀,₀"]])], caption: "a & b < c")
        #expect(XMLParser(data: Data(SVGWriter.drawing(matrix.drawing(), title: "C").utf8)).parse())
    }

    @Test("cells are marked with their grid and coordinates only when asked, every grid cell once per frame")
    func cellMarksAreOptIn() throws {
        for shape in shapes {
            let scene = try Scene(shape: shape)
            let plain = SVGWriter.frame(FigureLayout(scene: scene))
            #expect(!plain.contains("data-cell"), "\(shape.name)")
            let marked = SVGWriter.frame(FigureLayout(scene: scene, options: FigureOptions(marksCells: true)), index: 1)
            let outputs = marked.components(separatedBy: #"data-grid="output""#).count - 1
            let inputs = marked.components(separatedBy: #"data-grid="input""#).count - 1
            #expect(outputs == shape.output.reduce(1, *), "\(shape.name)")
            #expect(inputs == scene.lower.count, "\(shape.name)")
            let last = scene.lower.sizes.map { String($0 - 1) }.joined(separator: ",")
            #expect(marked.contains(#"data-grid="input" data-cell="\#(last)""#), "\(shape.name)")
        }
    }

    @Test("the animated SVG has one group per frame, each shown for its share of the loop")
    func animatedSVGHasEveryFrame() throws {
        let figure = try layout(shapes[0])
        let svg = SVGWriter.animation(figure, delay: 0.5)
        #expect(svg.components(separatedBy: "<animate ").count - 1 == 9)
        #expect(svg.contains("dur=\"4.5s\"") && svg.contains("repeatCount=\"indefinite\""))
    }

    @Test("GIFs decode with Pillow to the right frame count, size, loop and pixels")
    func gifDecodesIndependently() throws {
        guard try pillowAvailable() else { return }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("convarith-gif-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (index, shape) in shapes.enumerated() {
            let figure = try layout(shape)
            let frames = figure.scene.frames.indices.map { PaletteImage(figure.drawing(frame: $0)) }
            let path = directory.appendingPathComponent("\(index).gif").path
            try Data(GIFWriter.encode(frames, delay: 40)).write(to: URL(fileURLWithPath: path))
            let raw = directory.appendingPathComponent("\(index).raw").path
            try Data(frames.flatMap(\.pixels)).write(to: URL(fileURLWithPath: raw))
            let script = """
                import sys
                from PIL import Image, GifImagePlugin
                GifImagePlugin.LOADING_STRATEGY = GifImagePlugin.LoadingStrategy.RGB_AFTER_DIFFERENT_PALETTE_ONLY
                im = Image.open(sys.argv[1])
                expected = open(sys.argv[2], 'rb').read()
                size = im.size[0] * im.size[1]
                frames = 0
                mismatches = 0
                try:
                    while True:
                        data = im.tobytes() if im.mode == 'P' else None
                        if data is None or data != expected[frames * size:(frames + 1) * size]:
                            mismatches += 1
                        frames += 1
                        im.seek(frames)
                except EOFError:
                    pass
                print(im.size[0], im.size[1], frames, mismatches, im.info.get('loop'), im.info.get('duration'))
                """
            let result = try #require(try python(script, arguments: [path, raw]))
            #expect(result.status == 0, "\(result.output)")
            let fields = result.output.split(whereSeparator: \.isWhitespace).map(String.init)
            #expect(fields == ["\(figure.width)", "\(figure.height)", "\(frames.count)", "0", "0", "400"], "\(shape.name): \(result.output)")
        }
    }

    @Test("LZW survives a table that fills and restarts: a large noisy frame decodes exactly")
    func lzwHandlesTableResets() throws {
        guard try pillowAvailable() else { return }
        var image = PaletteImage(width: 300, height: 200)
        var state: UInt64 = 7
        let noise = Drawing(width: 300, height: 200, items: (0..<3000).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let x = Int(state >> 33) % 300, y = Int(state >> 17) % 200
            let paint = Paint.allCases[Int(state >> 50) % Paint.allCases.count]
            return .rectangle(.init(x: x, y: y, width: 1 + Int(state >> 40) % 4, height: 1, fill: paint, stroke: .none))
        })
        image = PaletteImage(noise)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("convarith-lzw-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("noise.gif").path
        try Data(GIFWriter.encode([image])).write(to: URL(fileURLWithPath: path))
        let raw = directory.appendingPathComponent("noise.raw").path
        try Data(image.pixels).write(to: URL(fileURLWithPath: raw))
        let result = try #require(try python("import sys\nfrom PIL import Image\nim = Image.open(sys.argv[1])\nprint(im.tobytes() == open(sys.argv[2], 'rb').read())", arguments: [path, raw]))
        #expect(result.output.trimmingCharacters(in: .whitespacesAndNewlines) == "True", "\(result.output)")
    }

    @Test("PNGs decode with Pillow to the drawing's size and colours")
    func pngDecodesIndependently() throws {
        guard try pillowAvailable() else { return }
        let figure = try layout(shapes[1])
        let image = PaletteImage(figure.drawing(frame: 7))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("convarith-\(UUID().uuidString).png").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(PNGWriter.encode(image)).write(to: URL(fileURLWithPath: path))
        let (r, g, b) = Paint.outputCurrent.rgb
        let result = try #require(try python("""
            import sys
            from PIL import Image
            im = Image.open(sys.argv[1]); im.load()
            rgb = im.convert('RGB')
            data = rgb.tobytes()
            print(im.size[0], im.size[1], im.mode, sum(1 for i in range(0, len(data), 3) if tuple(data[i:i + 3]) == (\(r), \(g), \(b))))
            """, arguments: [path]))
        let fields = result.output.split(whereSeparator: \.isWhitespace).map(String.init)
        #expect(Array(fields.prefix(3)) == ["\(figure.width)", "\(figure.height)", "P"], "\(result.output)")
        let currentPixels = image.pixels.filter { $0 == Paint.outputCurrent.rawValue }.count
        #expect(fields.last == "\(currentPixels)")
    }

    @Test("compressed PNGs decode with Pillow to exactly the image's indices, at 1× and 2×, far smaller than the pixels")
    func compressedPNGsDecodeExactly() throws {
        guard try pillowAvailable() else { return }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("convarith-png-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (index, shape) in shapes.enumerated() {
            let figure = try layout(shape)
            for scale in [1, 2] {
                let image = PaletteImage(figure.drawing(frame: 0), scale: scale)
                let bytes = PNGWriter.encode(image)
                #expect(bytes.count * 8 < image.pixels.count, "\(bytes.count) bytes for \(image.pixels.count) pixels")
                let png = directory.appendingPathComponent("\(index)-\(scale).png"), raw = directory.appendingPathComponent("\(index)-\(scale).raw")
                try Data(bytes).write(to: png)
                try Data(image.pixels).write(to: raw)
                let result = try #require(try python("""
                    import sys
                    from PIL import Image
                    im = Image.open(sys.argv[1]); im.load()
                    print(im.tobytes() == open(sys.argv[2], 'rb').read())
                    """, arguments: [png.path, raw.path]))
                #expect(result.output.trimmingCharacters(in: .whitespacesAndNewlines) == "True", "shape \(index) at \(scale)×: \(result.output)")
            }
        }
    }
}
