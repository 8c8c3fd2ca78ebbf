import ConvArithmetic

/// What a cell of the grid the kernel slides over holds.
public enum CellKind: Sendable, Hashable {
    /// A unit of the layer's input (its flat, row-major index).
    case input(Int)
    /// A zero of the padding.
    case padding
    /// A zero inserted between input units of a stretched input (transposed convolutions).
    case insertedZero
}

/// The grid the kernel slides over: the padded input of a convolution or pooling, or the stretched,
/// padded input of a transposed convolution's equivalent direct convolution. Coordinates start at the
/// first padding cell.
public struct Grid: Sendable, Hashable {
    /// Cells per axis, padding included.
    public let sizes: [Int]
    /// Per axis: padding cells before the input.
    public let paddingBefore: [Int]
    /// Per axis: the number of stretched-input cells (input units and inserted zeros).
    public let interior: [Int]
    /// Per axis: the spacing of input units in the interior (the stride of a transposed convolution,
    /// else 1).
    public let spacing: [Int]
    /// Per axis: interior cells cut off at the start (a negative equivalent padding crops).
    public let cropBefore: [Int]
    /// The unpadded input sizes.
    public let inputSizes: [Int]

    /// What the cell at `coordinates` holds.
    public func cell(at coordinates: [Int]) -> CellKind {
        var flat = 0
        var inserted = false
        for axis in sizes.indices {
            let inside = coordinates[axis] - paddingBefore[axis]
            if inside < 0 || inside >= interior[axis] { return .padding }
            let stretched = inside + cropBefore[axis]
            if stretched % spacing[axis] != 0 { inserted = true; continue }
            flat = flat * inputSizes[axis] + stretched / spacing[axis]
        }
        return inserted ? .insertedZero : .input(flat)
    }

    /// The number of cells.
    public var count: Int { sizes.reduce(1, *) }
}
