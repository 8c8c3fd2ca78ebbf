/// The paper's matrix figure (the seed's Figure 2.3): a matrix of symbolic entries (`w₀,₀`, `0`), drawn
/// as a table with the non-zeros shaded; C and Cᵀ side by side when both are given.
public struct MatrixFigure: Sendable {
    /// Entries of each matrix, row-major, with its name.
    public let matrices: [(name: String, cells: [[String]])]
    /// A caption.
    public let caption: String

    /// A figure of one or more matrices.
    public init(matrices: [(name: String, cells: [[String]])], caption: String) {
        self.matrices = matrices
        self.caption = caption
    }

    /// The drawing: each matrix as a grid of cells, non-zeros in the input colour.
    public func drawing(cellWidth: Int = 34, cellHeight: Int = 20) -> Drawing {
        let margin = 16, gap = 40, labelHeight = 20
        let widths = matrices.map { ($0.cells.first?.count ?? 0) * cellWidth }
        let heights = matrices.map { $0.cells.count * cellHeight }
        let width = max(widths.reduce(0, +) + gap * max(matrices.count - 1, 0) + 2 * margin, 300)
        let captionLines = FigureLayout.wrap(caption, width: max(34, width / 7))
        let height = margin + labelHeight + (heights.max() ?? 0) + 16 + captionLines.count * 14 + margin
        var drawing = Drawing(width: width, height: height)
        drawing.items.append(.rectangle(.init(x: 0, y: 0, width: width, height: height, fill: .background, stroke: .none)))
        var x = margin
        for (index, matrix) in matrices.enumerated() {
            let top = margin + labelHeight
            drawing.items.append(.text(.init(x: x, y: top - 6, string: matrix.name, size: 10, alignment: .start, bold: true)))
            for (row, cells) in matrix.cells.enumerated() {
                for (column, entry) in cells.enumerated() {
                    let cellX = x + column * cellWidth, cellY = top + row * cellHeight
                    let zero = entry == "0"
                    drawing.items.append(.rectangle(.init(x: cellX, y: cellY, width: cellWidth, height: cellHeight,
                                                          fill: zero ? .padding : .input, stroke: zero ? .dashed(.paddingOutline) : .solid(.outline))))
                    drawing.items.append(.text(.init(x: cellX + cellWidth / 2, y: cellY + cellHeight / 2 + 4,
                                                     string: zero ? "0" : entry, size: 8, alignment: .middle, bold: false)))
                }
            }
            x += widths[index] + gap
        }
        var y = margin + labelHeight + (heights.max() ?? 0) + 16
        for line in captionLines {
            y += 12
            drawing.items.append(.text(.init(x: width / 2, y: y, string: line, size: 9, alignment: .middle, bold: false)))
            y += 2
        }
        return drawing
    }
}

extension SVGWriter {
    /// A static drawing as SVG.
    public static func drawing(_ drawing: Drawing, title: String) -> String {
        var svg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(drawing.width)\" height=\"\(drawing.height)\" viewBox=\"0 0 \(drawing.width) \(drawing.height)\">\n"
        svg += "<title>\(escape(title))</title>\n"
        append(drawing.items, to: &svg)
        return svg + "</svg>\n"
    }
}
