import ConvArithmetic
import ConvEval
import ConvFigures

extension APIAnswers {
    /// The most footprint entries (frames × taps) one `/api/footprints` answer lists.
    static let footprintLimit = 60_000

    /// `/api/footprints`: for every frame (output position, row-major), the cells of the figure's lower grid
    /// under each kernel tap, as flat row-major indices of that grid (the cells `data-cell` names in a frame's
    /// SVG), `-1` for a tap outside it (a ceil-mode window past the padding). The page highlights an output's
    /// cells, or the outputs a cell feeds, from this one answer.
    static func footprints(_ query: LayerQuery) throws(LayerQuery.Invalid) -> Body {
        let (layer, estimate) = try figure(query)
        let scene: Scene
        do { scene = try Scene(shape: layer.shape, poolingMode: poolingMode(layer)) } catch { throw LayerQuery.Invalid(description: error.description) }
        let taps = layer.shape.axes.reduce(1) { $0 * $1.kernel }
        let entries = estimate.frames.multipliedReportingOverflow(by: taps)
        guard !entries.overflow, entries.partialValue <= footprintLimit else {
            throw LayerQuery.Invalid(description: "\(estimate.frames) outputs × \(taps) taps is more than the \(footprintLimit) footprint entries the server lists; highlighting is for smaller layers")
        }
        let sizes = scene.lower.sizes
        let frames = (0..<scene.frameCount).map { index -> JSONValue in
            .array(scene.frame(at: index).footprint.map { cell -> JSONValue in
                var flat = 0
                for axis in sizes.indices {
                    guard cell[axis] >= 0, cell[axis] < sizes[axis] else { return .integer(-1) }
                    flat = flat * sizes[axis] + cell[axis]
                }
                return .integer(flat)
            })
        }
        return .json(.object([
            ("output_sizes", .array(scene.upperSizes.map(JSONValue.integer))),
            ("grid_sizes", .array(sizes.map(JSONValue.integer))),
            ("kernel", .array(layer.shape.axes.map { .integer($0.kernel) })),
            ("footprints", .array(frames)),
        ]))
    }
}
