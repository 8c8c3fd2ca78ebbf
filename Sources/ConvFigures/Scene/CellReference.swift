/// Which cell of a figure's grids a rectangle draws, so a page can find the rectangle of a cell (the SVG
/// writer prints it as `data-grid` and `data-cell` attributes when ``FigureOptions/marksCells`` is set).
public struct CellReference: Sendable, Hashable {
    /// The two grids of a figure.
    public enum Grid: String, Sendable, Hashable {
        /// The grid the kernel slides over: the (padded) input, or a transposed convolution's stretched,
        /// padded input.
        case input
        /// The output grid.
        case output
    }

    /// The grid.
    public let grid: Grid
    /// The cell's coordinates in that grid (padding cells included, from the first padding cell).
    public let coordinates: [Int]

    /// The cell at `coordinates` of `grid`.
    public init(grid: Grid, coordinates: [Int]) {
        self.grid = grid
        self.coordinates = coordinates
    }
}
