import ConvArithmetic

/// What drawing a layer would cost — frames, pixels, cells — computed from its arithmetic before any
/// scene, drawing or image is built, so a command can refuse a figure that would exhaust the machine.
public struct FigureEstimate: Sendable, Hashable {
    /// Frames of an animation: one per output position, `Π o`.
    public let frames: Int
    /// Cells drawn in one frame (the grid the kernel slides over, and the output grid).
    public let cellsPerFrame: Int
    /// Width and height of one frame in pixels.
    public let width: Int, height: Int

    /// Pixels of one frame.
    public var framePixels: Int { width * height }

    /// The estimate of the figure drawn `factor` times larger (a raster scale).
    /// - Throws: ``FigureError/tooLarge(what:estimate:limit:advice:)`` when a side overflows.
    public func scaled(by factor: Int) throws(FigureError) -> FigureEstimate {
        let (scaledWidth, o1) = width.multipliedReportingOverflow(by: max(1, factor))
        let (scaledHeight, o2) = height.multipliedReportingOverflow(by: max(1, factor))
        let (_, o3) = scaledWidth.multipliedReportingOverflow(by: scaledHeight)
        guard !(o1 || o2 || o3) else {
            throw .tooLarge(what: "a frame", estimate: "more pixels than a 64-bit count holds", limit: "\(FigureBudget.default.framePixels) pixels",
                            advice: "use a smaller --scale or --cell-size")
        }
        return FigureEstimate(frames: frames, cellsPerFrame: cellsPerFrame, width: scaledWidth, height: scaledHeight)
    }

    private init(frames: Int, cellsPerFrame: Int, width: Int, height: Int) {
        self.frames = frames
        self.cellsPerFrame = cellsPerFrame
        self.width = width
        self.height = height
    }

    /// The estimate for `shape` drawn with `cellSize`-pixel cells.
    /// - Throws: ``FigureError/tooLarge(what:estimate:limit:advice:)`` when a count does not even fit in
    ///   `Int`, ``FigureError/unsupportedRank(_:)`` beyond 3 spatial axes.
    public init(shape: LayerShape, cellSize: Int) throws(FigureError) {
        guard (1...3).contains(shape.rank) else { throw .unsupportedRank(shape.rank) }
        guard (FigureBudget.cellSizes).contains(cellSize) else { throw .cellSize(cellSize) }
        let lower: [Int]
        do {
            switch shape.operation {
            case .convolution, .pooling:
                lower = try shape.axes.map { axis throws(ArithmeticError) in
                    guard let total = axis.padding.total else { throw .overflow("the padded input") }
                    return try Self.add(axis.input, total)
                }
            case .transposedConvolution:
                lower = try shape.axes.map { axis throws(ArithmeticError) in
                    let equivalent = try axis.equivalentConvolution()
                    return try Self.add(try Self.add(equivalent.croppedInput, equivalent.zeroPadding.before), equivalent.zeroPadding.after)
                }
            }
        } catch {
            throw .tooLarge(what: "the grid", estimate: "more cells than a 64-bit count holds", limit: "\(FigureBudget.default.cellsPerFrame) cells",
                            advice: "draw a smaller layer")
        }
        let upper = shape.output
        guard let lowerCells = Self.product(lower), let upperCells = Self.product(upper),
              let cells = Self.sum(lowerCells, upperCells), let frames = Self.product(upper) else {
            throw .tooLarge(what: "the figure", estimate: "more cells than a 64-bit count holds", limit: "\(FigureBudget.default.cellsPerFrame) cells",
                            advice: "draw a smaller layer")
        }
        guard let lowerSize = Self.gridSize(lower, cell: cellSize), let upperSize = Self.gridSize(upper, cell: cellSize),
              let width = Self.sum(max(lowerSize.width, upperSize.width, 220), FigureLayout.horizontalChrome),
              let grids = Self.sum(lowerSize.height, upperSize.height),
              let height = Self.sum(grids, FigureLayout.verticalChrome),
              Self.product([width, height]) != nil else {
            throw .tooLarge(what: "a frame", estimate: "more pixels than a 64-bit count holds", limit: "\(FigureBudget.default.framePixels) pixels",
                            advice: "draw a smaller layer or use a smaller --cell-size")
        }
        self.frames = frames
        self.cellsPerFrame = cells
        self.width = width
        self.height = height
    }

    /// The pixel size of a grid of `sizes` (the layout's rule), or `nil` on overflow.
    static func gridSize(_ sizes: [Int], cell: Int) -> (width: Int, height: Int)? {
        let gap = cell / 2
        switch sizes.count {
        case 1:
            return product([sizes[0], cell]).map { ($0, cell) }
        case 2:
            guard let width = product([sizes[1], cell]), let height = product([sizes[0], cell]) else { return nil }
            return (width, height)
        default:
            guard let slices = product(Array(sizes.dropLast(2))), let slice = product([sizes[sizes.count - 1], cell]),
                  let sliceWidth = sum(slice, gap), let width = product([slices, sliceWidth]),
                  let height = product([sizes[sizes.count - 2], cell]) else { return nil }
            return (width - gap, height)
        }
    }

    static func product(_ values: [Int]) -> Int? {
        var result = 1
        for value in values {
            let (next, overflow) = result.multipliedReportingOverflow(by: value)
            if overflow { return nil }
            result = next
        }
        return result
    }

    static func sum(_ a: Int, _ b: Int) -> Int? {
        let (value, overflow) = a.addingReportingOverflow(b)
        return overflow ? nil : value
    }

    private static func add(_ a: Int, _ b: Int) throws(ArithmeticError) -> Int {
        guard let value = sum(a, b) else { throw .overflow("the grid size") }
        return value
    }
}
