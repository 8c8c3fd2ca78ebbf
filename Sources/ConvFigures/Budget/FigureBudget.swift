/// The largest figure a command draws. Each format is checked against the ``FigureEstimate`` of a layer
/// before anything is drawn; beyond the budget the command refuses with the estimate, the limit and what
/// to do instead (one frame with `--frame`, a smaller `--cell-size`, smaller sizes, or a larger budget).
///
/// The defaults keep a figure to a few seconds and a few hundred megabytes (release build): an animated GIF
/// of a 3×3, stride-2 convolution over 32×32 (256 frames) is refused at the default 24-pixel cells
/// (3.2 × 10⁸ pixel-frames) and drawn at 12-pixel cells (9.7 × 10⁷, about 2 s and 21 MB, the frames
/// streamed one at a time).
public struct FigureBudget: Sendable, Hashable {
    /// Frames of an animation or sheet.
    public var frames: Int
    /// Pixels of one raster frame (GIF and PNG; a GIF side is at most 65,535 pixels in any case).
    public var framePixels: Int
    /// Pixels of all frames of a GIF together: the time it takes to rasterize and compress.
    public var animationPixels: Int
    /// Cells drawn in one frame (an SVG element each).
    public var cellsPerFrame: Int
    /// Cells drawn in all frames of an animated SVG or sheet together.
    public var animationCells: Int
    /// Whether a refusal may suggest `--budget N` (not when the command's largest budget is in effect).
    public var suggestsLargerBudget = true
    /// Bytes the figure may hold in memory at once (a raster frame, or an SVG document, which is written
    /// whole); `Int.max` leaves it to the other limits.
    public var memory: Int = .max

    /// Bytes of memory one pixel of a raster frame takes while it is drawn and compressed (measured: about 2).
    public static let rasterBytesPerPixel = 4
    /// Bytes of memory one cell of an SVG document takes while it is written (measured: a sheet of 1.7 × 10⁶
    /// cells, 167 MB of SVG, peaked at 352 MB: about 200).
    public static let vectorBytesPerCell = 256

    /// Cell sizes the layout accepts, in pixels.
    public static let cellSizes = 4...256

    /// The default budget.
    public static let `default` = FigureBudget(frames: 10_000, framePixels: 40_000_000, animationPixels: 150_000_000,
                                               cellsPerFrame: 500_000, animationCells: 1_000_000)

    /// A budget.
    public init(frames: Int, framePixels: Int, animationPixels: Int, cellsPerFrame: Int, animationCells: Int) {
        self.frames = frames
        self.framePixels = framePixels
        self.animationPixels = animationPixels
        self.cellsPerFrame = cellsPerFrame
        self.animationCells = animationCells
    }

    /// This budget with every limit multiplied by `factor` (a `--budget` option).
    public func scaled(by factor: Int) -> FigureBudget {
        func scale(_ value: Int) -> Int { value.multipliedReportingOverflow(by: max(factor, 1)).overflow ? Int.max : value * max(factor, 1) }
        var scaled = FigureBudget(frames: scale(frames), framePixels: scale(framePixels), animationPixels: scale(animationPixels),
                                  cellsPerFrame: scale(cellsPerFrame), animationCells: scale(animationCells))
        scaled.memory = memory
        scaled.suggestsLargerBudget = suggestsLargerBudget
        return scaled
    }

    /// This budget with at most `bytes` of memory for the figure (the command's memory limit).
    public func limitingMemory(to bytes: Int) -> FigureBudget {
        var limited = self
        limited.memory = max(0, bytes)
        return limited
    }

    /// What is drawn: one frame, or every frame.
    public enum Extent: Sendable, Hashable {
        /// One raster frame (PNG).
        case rasterFrame
        /// One vector frame (SVG).
        case vectorFrame
        /// Every frame as raster images (GIF).
        case rasterAnimation
        /// Every frame as vector drawings (animated SVG, sheet).
        case vectorAnimation
    }

    /// Checks an estimate for what is drawn.
    /// - Throws: ``FigureError/tooLarge(what:estimate:limit:advice:)`` naming the estimate and the limit.
    public func check(_ estimate: FigureEstimate, drawing extent: Extent) throws(FigureError) {
        let larger = suggestsLargerBudget ? ", or --budget N to allow N times more" : ""
        let smaller = "use a smaller --cell-size (pixels per cell) or smaller sizes" + larger
        switch extent {
        case .rasterFrame, .rasterAnimation:
            if estimate.width > 65_535 || estimate.height > 65_535 {
                // PNG and GIF store a side in 16 bits (a GIF's at most 65,535): no budget allows more.
                throw .tooLarge(what: "one frame", estimate: "\(estimate.width)×\(estimate.height) pixels",
                                limit: "65,535 pixels a side, which PNG and GIF allow",
                                advice: "draw it as SVG (--format svg), or use a smaller --cell-size or --scale, or smaller sizes")
            }
            if estimate.framePixels > framePixels {
                throw .tooLarge(what: "one frame", estimate: "\(estimate.width)×\(estimate.height) pixels", limit: "\(framePixels) pixels",
                                advice: "draw it as SVG (--format svg), or " + smaller)
            }
        case .vectorFrame, .vectorAnimation:
            if estimate.cellsPerFrame > cellsPerFrame {
                throw .tooLarge(what: "one frame", estimate: "\(estimate.cellsPerFrame) cells", limit: "\(cellsPerFrame) cells",
                                advice: "draw smaller sizes" + larger)
            }
        }
        try checkMemory(estimate, drawing: extent)
        switch extent {
        case .rasterFrame, .vectorFrame:
            return
        case .rasterAnimation, .vectorAnimation:
            let oneFrame = "draw one frame with --format svg or png and --frame N (0…\(max(estimate.frames - 1, 0)))"
            if estimate.frames > frames {
                throw .tooLarge(what: "the animation", estimate: "\(estimate.frames) frames", limit: "\(frames) frames", advice: oneFrame + ", or " + smaller)
            }
            if extent == .rasterAnimation {
                let total = FigureEstimate.product([estimate.frames, estimate.framePixels])
                if total.map({ $0 > animationPixels }) ?? true {
                    throw .tooLarge(what: "the animation", estimate: "\(estimate.frames) frames of \(estimate.width)×\(estimate.height) pixels",
                                    limit: "\(animationPixels) pixels in all frames", advice: oneFrame + ", or " + smaller)
                }
            } else {
                let total = FigureEstimate.product([estimate.frames, estimate.cellsPerFrame])
                if total.map({ $0 > animationCells }) ?? true {
                    throw .tooLarge(what: "the animation", estimate: "\(estimate.frames) frames of \(estimate.cellsPerFrame) cells",
                                    limit: "\(animationCells) cells in all frames", advice: oneFrame + ", or " + smaller)
                }
            }
        }
    }
}

extension FigureBudget {
    /// The memory a figure holds at once: one raster frame (a GIF's frames are streamed), or the whole SVG
    /// document (a sheet or an animated SVG holds every frame).
    private func checkMemory(_ estimate: FigureEstimate, drawing extent: Extent) throws(FigureError) {
        let bytes: Int? = switch extent {
        case .rasterFrame, .rasterAnimation: FigureEstimate.product([estimate.framePixels, Self.rasterBytesPerPixel])
        case .vectorFrame: FigureEstimate.product([estimate.cellsPerFrame, Self.vectorBytesPerCell])
        case .vectorAnimation: FigureEstimate.product([estimate.frames, estimate.cellsPerFrame, Self.vectorBytesPerCell])
        }
        guard let bytes, bytes <= memory else {
            let megabytes = bytes.map { "about \(($0 + (1 << 20) - 1) >> 20) MB" } ?? "more than a 64-bit count holds"
            let advice = switch extent {
            case .rasterFrame, .rasterAnimation: "use a smaller --cell-size or --scale, smaller sizes, or --format svg"
            case .vectorFrame: "draw smaller sizes"
            case .vectorAnimation: "draw one frame with --format svg and --frame N, or smaller sizes"
            }
            throw .tooLarge(what: "the figure", estimate: "\(megabytes) in memory", limit: "\(memory >> 20) MB (the memory limit)",
                            advice: advice)
        }
    }
}

/// Why a figure is not drawn.
public enum FigureError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The figure exceeds the budget.
    case tooLarge(what: String, estimate: String, limit: String, advice: String)
    /// Figures are drawn for 1-D, 2-D and 3-D layers.
    case unsupportedRank(Int)
    /// A cell size outside ``FigureBudget/cellSizes``.
    case cellSize(Int)
    /// A frame index beyond the animation.
    case frameOutOfRange(frame: Int, count: Int)

    public var description: String {
        switch self {
        case let .tooLarge(what, estimate, limit, advice):
            return "\(what) would be \(estimate), beyond the drawing budget of \(limit); \(advice)"
        case .unsupportedRank(let rank):
            return "figures are drawn for 1-D, 2-D and 3-D layers, got \(rank) spatial axes"
        case .cellSize(let size):
            return "--cell-size must be \(FigureBudget.cellSizes.lowerBound)…\(FigureBudget.cellSizes.upperBound) pixels, got \(size)"
        case let .frameOutOfRange(frame, count):
            return "frame \(frame) does not exist: the figure has \(count) frame\(count == 1 ? "" : "s"), 0…\(count - 1)"
        }
    }
}
