/// The colours of the paper's figures, as a small fixed palette (so the raster writers can index it).
public enum Paint: UInt8, Sendable, Hashable, CaseIterable {
    /// The page.
    case background
    /// An input cell (blue).
    case input
    /// An input cell under the kernel (the kernel's darker shadow over blue).
    case inputShadowed
    /// A padding cell (white, dashed outline).
    case padding
    /// A padding cell under the kernel.
    case paddingShadowed
    /// A zero inserted between input units (pale, dotted outline).
    case inserted
    /// An inserted zero under the kernel.
    case insertedShadowed
    /// An output cell (cyan).
    case output
    /// The output cell being computed (darker cyan).
    case outputCurrent
    /// Cell outlines.
    case outline
    /// Dashed outline of padding.
    case paddingOutline
    /// Text.
    case text
    /// Text on a dark cell (the kernel's shadow, the current output).
    case textOnDark

    /// The colour as `#rrggbb`.
    public var hex: String {
        let (r, g, b) = rgb
        return "#" + [r, g, b].map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }.joined()
    }

    /// The colour's red, green and blue bytes.
    public var rgb: (UInt8, UInt8, UInt8) {
        switch self {
        case .background: (255, 255, 255)
        case .input: (120, 170, 220)
        case .inputShadowed: (38, 78, 140)
        case .padding: (255, 255, 255)
        case .paddingShadowed: (84, 104, 136)
        case .inserted: (236, 240, 246)
        case .insertedShadowed: (80, 100, 132)
        case .output: (132, 216, 226)
        case .outputCurrent: (16, 112, 128)
        case .outline: (70, 80, 95)
        case .paddingOutline: (150, 160, 175)
        case .text: (20, 24, 30)
        case .textOnDark: (255, 255, 255)
        }
    }
}

/// A resolution-independent picture: rectangles and text in pixel coordinates, drawn in order. The SVG
/// writers print it; the raster writers (GIF, PNG) fill it into a palette image — so every format shows
/// the same cells.
public struct Drawing: Sendable, Hashable {
    /// How a rectangle's outline is drawn.
    public enum Stroke: Sendable, Hashable {
        /// No outline.
        case none
        /// A solid outline.
        case solid(Paint)
        /// A dashed outline (padding).
        case dashed(Paint)
        /// A dotted outline (inserted zeros).
        case dotted(Paint)
    }

    /// A filled, outlined rectangle.
    public struct Rectangle: Sendable, Hashable {
        /// Left edge, top edge and size in pixels.
        public let x: Int, y: Int, width: Int, height: Int
        /// The fill, or `nil` for none.
        public let fill: Paint?
        /// The outline.
        public let stroke: Stroke
        /// The grid cell it draws, if it draws one.
        public let cell: CellReference?

        /// A rectangle at `x`, `y` of `width` × `height` pixels, drawing `cell` if given.
        public init(x: Int, y: Int, width: Int, height: Int, fill: Paint?, stroke: Stroke, cell: CellReference? = nil) {
            self.x = x
            self.y = y
            self.width = width
            self.height = height
            self.fill = fill
            self.stroke = stroke
            self.cell = cell
        }
    }

    /// Where a text's anchor point lies on its baseline.
    public enum Alignment: Sendable, Hashable {
        /// The text starts at the anchor.
        case start
        /// The text is centred on the anchor.
        case middle
        /// The text ends at the anchor.
        case end
    }

    /// A line of text anchored at `x` on the baseline `y`.
    public struct Text: Sendable, Hashable {
        /// The anchor point on the baseline.
        public let x: Int, y: Int
        /// The text.
        public let string: String
        /// Nominal size in pixels: 8 and below the small 5×8 face, else the 6×13 face.
        public let size: Int
        /// How the text sits relative to `x`.
        public let alignment: Alignment
        /// Whether it is bold.
        public let bold: Bool
        /// The colour (``Paint/textOnDark`` over dark cells).
        public let paint: Paint

        /// A text item.
        public init(x: Int, y: Int, string: String, size: Int, alignment: Alignment = .start, bold: Bool = false, paint: Paint = .text) {
            self.x = x
            self.y = y
            self.string = string
            self.size = size
            self.alignment = alignment
            self.bold = bold
            self.paint = paint
        }

        /// The horizontal extent in pixels, measured with the figures' fixed-width fonts.
        public var extent: ClosedRange<Int> {
            let width = FixedFont.width(of: string, size: size)
            switch alignment {
            case .start: return x...(x + width)
            case .middle: return (x - width / 2)...(x - width / 2 + width)
            case .end: return (x - width)...x
            }
        }
    }

    /// One drawing operation.
    public enum Item: Sendable, Hashable {
        /// A rectangle.
        case rectangle(Rectangle)
        /// A line of text.
        case text(Text)
    }

    /// Picture width in pixels.
    public var width: Int
    /// Picture height in pixels.
    public var height: Int
    /// Operations, back to front.
    public var items: [Item] = []

    /// A drawing of `width` × `height` pixels.
    public init(width: Int, height: Int, items: [Item] = []) {
        self.width = width
        self.height = height
        self.items = items
    }
}
