/// An image of palette indices (``Paint`` raw values), filled from a ``Drawing``; what the GIF and PNG
/// writers encode.
public struct PaletteImage: Sendable, Hashable {
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// Row-major palette indices.
    public private(set) var pixels: [UInt8]

    /// The palette, in ``Paint`` order.
    public static let palette: [(UInt8, UInt8, UInt8)] = Paint.allCases.map(\.rgb)

    /// A blank image.
    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: Paint.background.rawValue, count: width * height)
    }

    /// Rasterizes a drawing: rectangles with solid, dashed or dotted outlines, and text in the bitmap font.
    public init(_ drawing: Drawing) {
        self.init(width: drawing.width, height: drawing.height)
        for item in drawing.items {
            switch item {
            case .rectangle(let rectangle): draw(rectangle)
            case .text(let text): draw(text)
            }
        }
    }

    /// Rasterizes a drawing `scale` times larger, every pixel of the drawing a `scale` × `scale` block: the
    /// bitmap font and the hairlines stay crisp (the default raster figures are 2×, for screens and slides).
    public init(_ drawing: Drawing, scale: Int) {
        let base = PaletteImage(drawing)
        let factor = max(1, scale)
        guard factor > 1 else {
            self = base
            return
        }
        self.init(width: base.width * factor, height: base.height * factor)
        let (sourceWidth, sourceHeight, targetWidth) = (base.width, base.height, width)
        // Plain loops over raw buffers: this runs per frame of every tour GIF, in debug builds too.
        base.pixels.withUnsafeBufferPointer { source in
            pixels.withUnsafeMutableBufferPointer { target in
                guard let from = source.baseAddress, let to = target.baseAddress else { return }
                var y = 0
                while y < sourceHeight {
                    let row = to + y * factor * targetWidth
                    var x = 0
                    while x < sourceWidth {
                        let pixel = from[y * sourceWidth + x]
                        var k = 0
                        while k < factor {
                            row[x * factor + k] = pixel
                            k += 1
                        }
                        x += 1
                    }
                    var copy = 1
                    while copy < factor {
                        (row + copy * targetWidth).update(from: row, count: targetWidth)
                        copy += 1
                    }
                    y += 1
                }
            }
        }
    }

    private mutating func set(_ x: Int, _ y: Int, _ paint: Paint) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        pixels[y * width + x] = paint.rawValue
    }

    private mutating func draw(_ rectangle: Drawing.Rectangle) {
        if let fill = rectangle.fill {
            for y in rectangle.y..<(rectangle.y + rectangle.height) {
                for x in rectangle.x..<(rectangle.x + rectangle.width) { set(x, y, fill) }
            }
        }
        let paint: Paint, on: Int, off: Int
        switch rectangle.stroke {
        case .none: return
        case .solid(let p): (paint, on, off) = (p, 1, 0)
        case .dashed(let p): (paint, on, off) = (p, 3, 2)
        case .dotted(let p): (paint, on, off) = (p, 1, 2)
        }
        let right = rectangle.x + rectangle.width - 1, bottom = rectangle.y + rectangle.height - 1
        var step = 0
        func ink() -> Bool { defer { step += 1 }; return off == 0 || step % (on + off) < on }
        for x in rectangle.x...right { if ink() { set(x, rectangle.y, paint) } }
        for y in rectangle.y...bottom { if ink() { set(right, y, paint) } }
        for x in stride(from: right, through: rectangle.x, by: -1) { if ink() { set(x, bottom, paint) } }
        for y in stride(from: bottom, through: rectangle.y, by: -1) { if ink() { set(rectangle.x, y, paint) } }
    }

    private mutating func draw(_ text: Drawing.Text) {
        let face = FixedFont.face(size: text.size, bold: text.bold)
        let width = FixedFont.width(of: text.string, size: text.size)
        var x: Int
        switch text.alignment {
        case .start: x = text.x
        case .middle: x = text.x - width / 2
        case .end: x = text.x - width
        }
        var previous = x
        for scalar in text.string.unicodeScalars {
            let combining = FixedFont.isCombining(scalar)
            let origin = combining ? previous : x
            if let glyph = FixedFont.glyph(scalar, in: face) {
                let top = text.y - glyph.ascent
                for (row, line) in glyph.rows.enumerated() {
                    for (column, mark) in line.enumerated() where mark == "#" {
                        set(origin + glyph.bearing + column, top + row, text.paint)
                    }
                }
            } else {
                draw(Drawing.Rectangle(x: origin, y: text.y - face.ascent + 2, width: face.advance - 1, height: face.ascent - 2,
                                       fill: nil, stroke: .solid(text.paint)))
            }
            if !combining {
                previous = x
                x += face.advance
            }
        }
    }
}
