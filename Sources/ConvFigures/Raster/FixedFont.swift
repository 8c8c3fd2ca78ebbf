/// The text of the figures: the X11 misc-fixed bitmap fonts (6×13 regular and bold for labels and titles,
/// 5×8 for the small numbers in cells) — capitals, descenders and the symbols the captions use (ĩ, ′, →,
/// ⌊⌋, ·, −, combining ^ and ~). The raster writers draw these glyphs; the SVG writer names a monospaced
/// font of the same advance, so one measure, ``width(of:size:)``, lays out both.
enum FixedFont {
    /// One glyph: its left bearing, horizontal advance, rows above the baseline, and rows of ink (`#`).
    struct Glyph {
        let bearing: Int
        let advance: Int
        let ascent: Int
        let rows: [String]
    }

    /// The three faces.
    enum Face {
        case regular, bold, small

        /// Pixels from one character to the next.
        var advance: Int { self == .small ? 5 : 6 }
        /// Pixels above the baseline.
        var ascent: Int { self == .small ? 7 : 11 }
        /// The font size an SVG viewer needs for a monospaced font of this advance (0.6 em).
        var svgSize: Int { self == .small ? 8 : 10 }

        fileprivate var glyphs: [Character: Glyph] {
            switch self {
            case .regular: FixedFont.regularGlyphs
            case .bold: FixedFont.boldGlyphs
            case .small: FixedFont.smallGlyphs
            }
        }
    }

    /// The face for a nominal text size (8 and below: the small face).
    static func face(size: Int, bold: Bool) -> Face {
        size <= 8 ? .small : (bold ? .bold : .regular)
    }

    /// The width in pixels of `string` at `size`: one advance per character (combining marks take none).
    static func width(of string: String, size: Int) -> Int {
        characters(string) * face(size: size, bold: false).advance
    }

    /// The number of advancing characters: combining marks sit on the character before them.
    static func characters(_ string: String) -> Int {
        string.unicodeScalars.count { !isCombining($0) }
    }

    static func isCombining(_ scalar: Unicode.Scalar) -> Bool {
        (0x0300...0x036F).contains(scalar.value)
    }

    /// The glyph of `scalar` in `face`, with look-alikes for the few symbols the fonts lack.
    static func glyph(_ scalar: Unicode.Scalar, in face: Face) -> Glyph? {
        let glyphs = face.glyphs
        if let glyph = glyphs[Character(scalar)] { return glyph }
        switch scalar {
        case "ᵀ":
            // A raised T: "Cᵀ" must not read "CT".
            return face == .small
                ? Glyph(bearing: 1, advance: 5, ascent: 7, rows: ["###", ".#.", ".#.", ".#."])
                : Glyph(bearing: 1, advance: 6, ascent: 11, rows: ["....", "####", ".##.", ".##.", ".##.", ".##."])
        case "’": return glyphs["'"]
        case "ʹ": return glyphs["′"]
        default: return nil
        }
    }
}
