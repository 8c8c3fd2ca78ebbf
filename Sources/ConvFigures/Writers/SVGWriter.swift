/// Writes drawings as SVG: one frame, every frame side by side, or an animation that plays in a browser
/// (SMIL, looping).
public enum SVGWriter {
    /// One frame of a scene.
    public static func frame(_ layout: FigureLayout, index: Int = 0) -> String {
        let drawing = layout.drawing(frame: index)
        var svg = header(width: drawing.width, height: drawing.height, title: layout.scene.title)
        append(drawing.items, to: &svg)
        return svg + "</svg>\n"
    }

    /// Every frame of a scene side by side, `columns` per row, under one title.
    public static func contactSheet(_ layout: FigureLayout, columns: Int = 4) -> String {
        var untitled = layout.options
        untitled.showsTitle = false
        let frames = FigureLayout(scene: layout.scene, options: untitled)
        let count = max(layout.scene.frameCount, 1)
        let perRow = max(1, min(columns, count))
        let rows = (count + perRow - 1) / perRow
        let width = perRow * frames.width
        let titleLines = FigureLayout.wrap(layout.scene.title, width: max(width / FixedFont.Face.regular.advance - 4, 24))
        let titleHeight = 12 + titleLines.count * 16
        var svg = header(width: width, height: titleHeight + rows * frames.height, title: layout.scene.title)
        var title = Drawing(width: width, height: titleHeight)
        for (index, line) in titleLines.enumerated() {
            title.items.append(.text(.init(x: width / 2, y: 22 + index * 16, string: line, size: 10, alignment: .middle, bold: true)))
        }
        append(title.items, to: &svg)
        for index in 0..<count {
            svg += "<g transform=\"translate(\(index % perRow * frames.width),\(titleHeight + index / perRow * frames.height))\">\n"
            append(frames.drawing(frame: index).items, to: &svg)
            svg += "</g>\n"
        }
        return svg + "</svg>\n"
    }

    /// An animated SVG: frame after frame, `delay` seconds each, looping forever.
    public static func animation(_ layout: FigureLayout, delay: Double = 0.8) -> String {
        let count = max(layout.scene.frameCount, 1)
        var svg = header(width: layout.width, height: layout.height, title: layout.scene.title)
        let duration = Double(count) * delay
        for index in 0..<count {
            let start = Double(index) / Double(count), end = Double(index + 1) / Double(count)
            var values: [String] = [], times: [String] = []
            if index > 0 { values.append("hidden"); times.append("0") }
            values.append("visible"); times.append(index > 0 ? number(start) : "0")
            if index < count - 1 { values.append("hidden"); times.append(number(end)) }
            svg += "<g visibility=\"\(index == 0 ? "visible" : "hidden")\">\n"
            if count > 1 {
                svg += "<animate attributeName=\"visibility\" calcMode=\"discrete\" values=\"\(values.joined(separator: ";"))\" keyTimes=\"\(times.joined(separator: ";"))\" dur=\"\(number(duration))s\" repeatCount=\"indefinite\"/>\n"
            }
            append(layout.drawing(frame: index).items, to: &svg)
            svg += "</g>\n"
        }
        return svg + "</svg>\n"
    }

    private static func header(width: Int, height: Int, title: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)">
        <title>\(escape(title))</title>

        """
    }

    static func append(_ items: [Drawing.Item], to svg: inout String) {
        for item in items {
            switch item {
            case .rectangle(let rectangle):
                svg += "<rect x=\"\(rectangle.x)\" y=\"\(rectangle.y)\" width=\"\(rectangle.width)\" height=\"\(rectangle.height)\""
                svg += " fill=\"\(rectangle.fill?.hex ?? "none")\""
                switch rectangle.stroke {
                case .none: break
                case .solid(let paint): svg += " stroke=\"\(paint.hex)\" stroke-width=\"1\""
                case .dashed(let paint): svg += " stroke=\"\(paint.hex)\" stroke-width=\"1\" stroke-dasharray=\"3 2\""
                case .dotted(let paint): svg += " stroke=\"\(paint.hex)\" stroke-width=\"1\" stroke-dasharray=\"1 2\""
                }
                if let cell = rectangle.cell {
                    svg += " data-grid=\"\(cell.grid.rawValue)\" data-cell=\"\(cell.coordinates.map(String.init).joined(separator: ","))\""
                }
                svg += "/>\n"
            case .text(let text):
                // A monospaced font of the raster glyphs' advance (0.6 em), so the layout's measure holds here too.
                let face = FixedFont.face(size: text.size, bold: text.bold)
                svg += "<text x=\"\(text.x)\" y=\"\(text.y)\" font-family=\"DejaVu Sans Mono, Menlo, Consolas, monospace\""
                svg += " font-size=\"\(face.svgSize)\" fill=\"\(text.paint.hex)\""
                switch text.alignment {
                case .start: break
                case .middle: svg += " text-anchor=\"middle\""
                case .end: svg += " text-anchor=\"end\""
                }
                if text.bold { svg += " font-weight=\"bold\"" }
                svg += ">\(escape(text.string))</text>\n"
            }
        }
    }

    static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    private static func number(_ value: Double) -> String {
        let rounded = (value * 10000).rounded() / 10000
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
