import ConvArithmetic

/// Options for drawing a scene.
public struct FigureOptions: Sendable, Hashable {
    /// Side of a cell in pixels.
    public var cellSize: Int
    /// Values to print in the cells (small sizes only), or `nil`.
    public var values: CellValues?
    /// Whether to print the title line.
    public var showsTitle: Bool
    /// Whether each grid cell's rectangle names its cell (``CellReference``; SVG `data-grid`/`data-cell`),
    /// for pages that highlight cells.
    public var marksCells: Bool

    /// Defaults: 24-pixel cells, no values, a title, cells unmarked.
    public init(cellSize: Int = 24, values: CellValues? = nil, showsTitle: Bool = true, marksCells: Bool = false) {
        self.cellSize = cellSize
        self.values = values
        self.showsTitle = showsTitle
        self.marksCells = marksCells
    }
}

/// Numbers to print in the cells, as the paper's first figures do.
public struct CellValues: Sendable, Hashable {
    /// One value per input unit (row-major), printed in the input cells.
    public var input: [Float]
    /// One weight per kernel tap (row-major), printed small in the cells under the kernel.
    public var kernel: [Float]
    /// One value per output unit (row-major), printed in the output cells.
    public var output: [Float]

    /// Values for the input, the kernel and the output.
    public init(input: [Float], kernel: [Float], output: [Float]) {
        self.input = input
        self.kernel = kernel
        self.output = output
    }

    static func format(_ value: Float) -> String {
        if value == value.rounded() && abs(value) < 1e6 { return String(Int(value)) }
        return String(format1(value))
    }

    private static func format1(_ value: Float) -> String {
        let scaled = (value * 10).rounded() / 10
        return String(scaled)
    }
}

/// Places a scene's grids, labels and caption, frame by frame.
public struct FigureLayout: Sendable {
    /// The scene laid out.
    public let scene: Scene
    /// The options.
    public let options: FigureOptions
    private let margin = 16
    private let labelHeight = 18
    private let gridGap = 26
    private let sliceGap: Int
    private let captionLines: [String]
    private let titleLines: [String]
    private let lowerOrigin: (x: Int, y: Int)
    private let upperOrigin: (x: Int, y: Int)
    /// The drawing size.
    public let width: Int, height: Int

    /// Pixels around the grids horizontally (the margins).
    static let horizontalChrome = 32
    /// Pixels around the grids vertically, at most: margins, up to four title and six caption lines,
    /// grid labels and gaps.
    static let verticalChrome = 300

    /// Lays out a scene. Titles and captions are wrapped to the grids' width, measured with the figures'
    /// fixed-width fonts, and the canvas grows to the longest word, so no text leaves the picture.
    public init(scene: Scene, options: FigureOptions = FigureOptions()) {
        self.scene = scene
        self.options = options
        let cell = options.cellSize
        sliceGap = cell / 2
        let lowerSize = Self.gridSize(scene.lower.sizes, cell: cell, sliceGap: cell / 2)
        let upperSize = Self.gridSize(scene.upperSizes, cell: cell, sliceGap: cell / 2)
        let grids = max(lowerSize.width, upperSize.width, 220)
        let characters = max(grids / FixedFont.Face.regular.advance, 24)
        captionLines = Self.wrap(scene.caption, width: characters)
        titleLines = options.showsTitle ? Self.wrap(scene.title, width: characters) : []
        let labels = [scene.upperLabel, scene.lowerLabel].map { FixedFont.width(of: $0, size: 10) }
        let texts = (captionLines + titleLines).map { FixedFont.width(of: $0, size: 10) }
        let content = max(grids, (labels + texts).max() ?? 0)
        width = content + 2 * margin
        let slices = scene.lower.sizes.count == 3 ? Self.sliceLabelHeight : 0
        var y = margin + titleLines.count * 16 + (titleLines.isEmpty ? 0 : 6)
        y += labelHeight
        upperOrigin = (margin + (content - upperSize.width) / 2, y)
        y += upperSize.height + slices + gridGap + labelHeight
        lowerOrigin = (margin + (content - lowerSize.width) / 2, y)
        y += lowerSize.height + slices + 12
        height = y + captionLines.count * 14 + margin
    }

    /// Room under a 3-D grid for its slice labels.
    static let sliceLabelHeight = 10

    /// The drawing of frame `index` (the kernel over one window; the output cell it computes).
    public func drawing(frame index: Int) -> Drawing {
        var drawing = Drawing(width: width, height: height)
        drawing.items.append(.rectangle(.init(x: 0, y: 0, width: width, height: height, fill: .background, stroke: .none)))
        var y = margin
        for line in titleLines {
            y += 12
            drawing.items.append(.text(.init(x: width / 2, y: y, string: line, size: 10, alignment: .middle, bold: true)))
            y += 4
        }
        let frame = scene.frameCount == 0 ? nil : scene.frame(at: index)
        let footprint = Set(frame?.footprint ?? [])
        let tapOfCell = Dictionary(frame?.footprint.enumerated().map { ($1, $0) } ?? [], uniquingKeysWith: { first, _ in first })
        // Output grid.
        drawing.items.append(.text(.init(x: labelX(scene.upperLabel, grid: upperOrigin.x), y: upperOrigin.y - 6, string: scene.upperLabel, size: 10, alignment: .start, bold: false)))
        forEachCell(scene.upperSizes, origin: upperOrigin) { coordinates, flat, x, y in
            let current = frame?.output == coordinates
            drawing.items.append(.rectangle(.init(x: x, y: y, width: options.cellSize, height: options.cellSize,
                                                  fill: current ? .outputCurrent : .output, stroke: .solid(.outline),
                                                  cell: options.marksCells ? CellReference(grid: .output, coordinates: coordinates) : nil)))
            if let values = options.values, flat < values.output.count {
                drawing.items.append(.text(.init(x: x + options.cellSize / 2, y: y + options.cellSize / 2 + 4,
                                                 string: CellValues.format(values.output[flat]), size: 8, alignment: .middle,
                                                 paint: current ? .textOnDark : .text)))
            }
        }
        sliceLabels(scene.upperSizes, origin: upperOrigin, into: &drawing)
        // The grid the kernel slides over.
        drawing.items.append(.text(.init(x: labelX(scene.lowerLabel, grid: lowerOrigin.x), y: lowerOrigin.y - 6, string: scene.lowerLabel, size: 10, alignment: .start, bold: false)))
        forEachCell(scene.lower.sizes, origin: lowerOrigin) { coordinates, _, x, y in
            let covered = footprint.contains(coordinates)
            let kind = scene.lower.cell(at: coordinates)
            let fill: Paint, stroke: Drawing.Stroke
            switch kind {
            case .input: fill = covered ? .inputShadowed : .input; stroke = .solid(.outline)
            case .padding: fill = covered ? .paddingShadowed : .padding; stroke = .dashed(.paddingOutline)
            case .insertedZero: fill = covered ? .insertedShadowed : .inserted; stroke = .dotted(.paddingOutline)
            }
            drawing.items.append(.rectangle(.init(x: x, y: y, width: options.cellSize, height: options.cellSize, fill: fill, stroke: stroke,
                                                  cell: options.marksCells ? CellReference(grid: .input, coordinates: coordinates) : nil)))
            if let values = options.values {
                // Light text over the kernel's dark shadow; with room, the weight sits in the corner.
                let paint: Paint = covered ? .textOnDark : .text
                let roomForWeight = options.cellSize >= 20
                if case .input(let flat) = kind, flat < values.input.count {
                    let string = CellValues.format(values.input[flat])
                    let text = roomForWeight && covered
                        ? Drawing.Text(x: x + 2, y: y + 9, string: string, size: 8, alignment: .start, paint: paint)
                        : Drawing.Text(x: x + options.cellSize / 2, y: y + options.cellSize / 2 + 4, string: string, size: 8, alignment: .middle, paint: paint)
                    drawing.items.append(.text(text))
                }
                if covered, roomForWeight, let tap = tapOfCell[coordinates], tap < values.kernel.count {
                    drawing.items.append(.text(.init(x: x + options.cellSize - 1, y: y + options.cellSize - 2,
                                                     string: "×" + CellValues.format(values.kernel[tap]), size: 8, alignment: .end, paint: paint)))
                }
            }
        }
        sliceLabels(scene.lower.sizes, origin: lowerOrigin, into: &drawing)
        // Caption.
        var captionY = lowerOrigin.y + Self.gridSize(scene.lower.sizes, cell: options.cellSize, sliceGap: sliceGap).height + 12
            + (scene.lower.sizes.count == 3 ? Self.sliceLabelHeight : 0)
        for line in captionLines {
            captionY += 12
            drawing.items.append(.text(.init(x: width / 2, y: captionY, string: line, size: 9, alignment: .middle, bold: false)))
            captionY += 2
        }
        return drawing
    }

    /// Where a grid's label starts: at the grid's left edge, moved left when it would leave the canvas.
    private func labelX(_ label: String, grid: Int) -> Int {
        min(grid, width - margin - FixedFont.width(of: label, size: 10))
    }

    /// Under each slice of a 3-D grid, which slice it is (the first axis's index).
    private func sliceLabels(_ sizes: [Int], origin: (x: Int, y: Int), into drawing: inout Drawing) {
        guard sizes.count == 3 else { return }
        let cell = options.cellSize
        let sliceWidth = sizes[2] * cell + sliceGap
        let bottom = origin.y + sizes[1] * cell + Self.sliceLabelHeight
        for slice in 0..<sizes[0] {
            drawing.items.append(.text(.init(x: origin.x + slice * sliceWidth + sizes[2] * cell / 2, y: bottom,
                                             string: "slice \(slice)", size: 8, alignment: .middle)))
        }
    }

    /// Pixel position of each cell of a grid with `sizes` (1-D: a row; 2-D: rows × columns; 3-D: a row
    /// of 2-D slices), calling `body(coordinates, flat index, x, y)`.
    private func forEachCell(_ sizes: [Int], origin: (x: Int, y: Int), _ body: ([Int], Int, Int, Int) -> Void) {
        let cell = options.cellSize
        let count = sizes.reduce(1, *)
        var coordinates = [Int](repeating: 0, count: sizes.count)
        for flat in 0..<count {
            let x: Int, y: Int
            switch sizes.count {
            case 1: (x, y) = (coordinates[0] * cell, 0)
            case 2: (x, y) = (coordinates[1] * cell, coordinates[0] * cell)
            default:
                let sliceWidth = sizes[sizes.count - 1] * cell + sliceGap
                var slice = 0
                for axis in 0..<(sizes.count - 2) { slice = slice * sizes[axis] + coordinates[axis] }
                (x, y) = (slice * sliceWidth + coordinates[sizes.count - 1] * cell, coordinates[sizes.count - 2] * cell)
            }
            body(coordinates, flat, origin.x + x, origin.y + y)
            RowMajor.advance(&coordinates, sizes: sizes)
        }
    }

    static func gridSize(_ sizes: [Int], cell: Int, sliceGap: Int) -> (width: Int, height: Int) {
        switch sizes.count {
        case 0: return (0, 0)
        case 1: return (sizes[0] * cell, cell)
        case 2: return (sizes[1] * cell, sizes[0] * cell)
        default:
            let slices = sizes.dropLast(2).reduce(1, *)
            return (slices * (sizes[sizes.count - 1] * cell + sliceGap) - sliceGap, sizes[sizes.count - 2] * cell)
        }
    }

    /// Operators a caption's formulas are written with: a line never ends or starts with one, so
    /// "i = 5 → o = 3" breaks between formulas, not inside one.
    static let operators: Set<Substring> = ["→", "=", "+", "−", "-", "·", "×", "≤", "≥", "<", ">", "/", "≠", "≡", "mod"]

    /// `text` in lines of at most `width` characters, broken at spaces, never beside an operator (a formula
    /// too long for a line is broken at its spaces as a last resort).
    static func wrap(_ text: String, width: Int) -> [String] {
        // Units: words joined through the operators between them.
        var units: [[Substring]] = []
        for word in text.split(separator: " ") {
            if let last = units.last?.last, operators.contains(word) || operators.contains(last) {
                units[units.count - 1].append(word)
            } else {
                units.append([word])
            }
        }
        var lines: [String] = [], current = ""
        func place(_ piece: String) {
            if !current.isEmpty && current.count + 1 + piece.count > width {
                lines.append(current)
                current = piece
            } else {
                current += (current.isEmpty ? "" : " ") + piece
            }
        }
        for unit in units {
            let joined = unit.joined(separator: " ")
            if joined.count <= width { place(joined) } else { unit.forEach { place(String($0)) } }
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }
}
