/// A convolution's outputs in bands whose windows have the same taps inside the input, so that an indirect GEMM
/// over a band multiplies only those taps: the rest read the zero padding and add nothing. Bands run along the
/// outermost axis of more than one output and, on a 2-D layer, along its columns too (rectangles of outputs).
/// DeepLab's ASPP 3 × 3 at dilation 18 with padding 18 on 33 × 33: rows 0–14 read taps 1–2 of the kernel's rows,
/// rows 15–17 tap 1 alone, rows 18–32 taps 0–1, and the columns the same — 63 of 99 row taps, and 63² of 99²
/// taps in all (40 % of the products). The depth is then ordered tap-major (`k = tap · C + channel`), so that a
/// band's taps are one range of it, or (a rectangle's) one range for each of its rows of taps.
struct TapBands {
    /// A band: outputs `outer` along the banded axis — with every output of the axes after it, or (a rectangle)
    /// only the columns `columns` — and the taps (tap-major indices) their windows read, in ranges.
    struct Band: Equatable {
        let outer: Range<Int>
        let columns: Range<Int>?
        let taps: [Range<Int>]
    }

    /// A band's part of a range of outputs: its runs of consecutive outputs (plane indices, in order), and the
    /// rows of a tap-major depth it multiplies.
    struct Piece {
        let runs: [Range<Int>]
        let depths: [Range<Int>]
        /// The outputs of the runs.
        var count: Int { runs.reduce(0) { $0 + $1.count } }
        /// The rows of the depth multiplied.
        var depth: Int { depths.reduce(0) { $0 + $1.count } }
    }

    let bands: [Band]
    /// The share of the layer's products the bands multiply.
    let share: Double
    /// Outputs per position of the banded axis (those of the axes after it).
    let inner: Int
    /// Outputs per row of a rectangle's plane: the width of a 2-D layer whose columns are banded.
    let width: Int
    /// Whether the bands are rectangles (a 2-D layer's columns banded too): their pieces may have many runs.
    var splitsColumns: Bool { bands.contains { $0.columns != nil } }

    /// The bands of geometry `g` along its outermost axis of more than one output (whose kernel axes before it
    /// are 1, so that its taps are a range of the tap-major order) and, `rectangles` and that axis a 2-D layer's
    /// rows, along its columns; `nil` when there is no such axis.
    init?(_ g: Geometry3, rectangles: Bool = false) {
        let outputs = [g.output.0, g.output.1, g.output.2], kernel = [g.kernel.0, g.kernel.1, g.kernel.2]
        let inputs = [g.input.0, g.input.1, g.input.2], strides = [g.stride.0, g.stride.1, g.stride.2]
        let dilations = [g.dilation.0, g.dilation.1, g.dilation.2], paddings = [g.padding.0, g.padding.1, g.padding.2]
        let axis = (0..<3).first { outputs[$0] > 1 } ?? 2
        guard (0..<axis).allSatisfy({ kernel[$0] == 1 }), g.outputCount > 0 else { return nil }
        // Taps t of output o along `axis` inside the input: 0 ≤ o·s + t·d − p < i, an interval of t.
        func valid(_ o: Int, along axis: Int) -> Range<Int> {
            let (i, k, s, d, p) = (inputs[axis], kernel[axis], strides[axis], dilations[axis], paddings[axis])
            let low = p - o * s, high = i - 1 + p - o * s
            let first = max(0, low >= 0 ? (low + d - 1) / d : -((-low) / d))
            let last = min(k - 1, high >= 0 ? high / d : -((-high + d - 1) / d))
            return first <= last ? first..<(last + 1) : 0..<0
        }
        // Runs of outputs along an axis with the same valid taps. The outputs whose windows lie inside the input,
        // `⌈p / s⌉ … ⌊(i − 1 + p − (k − 1)·d) / s⌋`, are one run, taken whole (a walk over them, output by output,
        // was a fifth of a 1-D layer's call over 11,024 outputs); only the edges are walked.
        func runs(along axis: Int) -> [(outputs: Range<Int>, taps: Range<Int>)] {
            let (i, k, s, d, p) = (inputs[axis], kernel[axis], strides[axis], dilations[axis], paddings[axis])
            // (Overflowing geometry — dilations or paddings near 2⁶³ — keeps the walk.)
            var inside = 0..<0
            let (span, spanOverflows) = (k - 1).multipliedReportingOverflow(by: d)
            let (end, endOverflows) = (i - 1).addingReportingOverflow(p)
            let (reach, reachOverflows) = end.subtractingReportingOverflow(span)
            if !spanOverflows && !endOverflows && !reachOverflows && reach >= 0 && p > Int.min && p <= Int.max - s {
                let first = max(0, p >= 0 ? (p + s - 1) / s : -((-p) / s))
                let last = reach / s < outputs[axis] ? reach / s + 1 : outputs[axis]
                if first < last { inside = first..<last }
            }
            var runs: [(Range<Int>, Range<Int>)] = []
            var o = 0
            while o < outputs[axis] {
                if inside.contains(o) {
                    runs.append((inside, 0..<k))
                    o = inside.upperBound
                    continue
                }
                let taps = valid(o, along: axis)
                var end = o + 1
                while end < outputs[axis] && !inside.contains(end) && valid(end, along: axis) == taps { end += 1 }
                runs.append((o..<end, taps))
                o = end
            }
            return runs
        }
        let outer = runs(along: axis)
        inner = outputs[(axis + 1)...].reduce(1, *)
        width = outputs[2]
        // A 2-D layer's columns: banded too when some column's windows leave the input.
        let columns = rectangles && axis == 1 && kernel[2] > 1 ? runs(along: 2) : []
        var bands: [Band] = []
        var products = 0.0
        if columns.count > 1 || (columns.count == 1 && columns[0].taps.count < kernel[2]) {
            let k2 = kernel[2]
            for row in outer {
                for column in columns {
                    // Row tap t₁'s taps (t₁·k₂ + t₂ for the column's t₂): one range a row tap, merged where whole.
                    var taps: [Range<Int>] = []
                    if !column.taps.isEmpty {
                        for t1 in row.taps {
                            let range = (t1 * k2 + column.taps.lowerBound)..<(t1 * k2 + column.taps.upperBound)
                            if let last = taps.last, last.upperBound == range.lowerBound {
                                taps[taps.count - 1] = last.lowerBound..<range.upperBound
                            } else {
                                taps.append(range)
                            }
                        }
                    }
                    bands.append(Band(outer: row.outputs, columns: column.outputs, taps: taps))
                    products += Double(row.outputs.count * column.outputs.count)
                        * Double(row.taps.count * column.taps.count)
                }
            }
        } else {
            let tapsInner = kernel[(axis + 1)...].reduce(1, *)
            for row in outer {
                let taps = (row.taps.lowerBound * tapsInner)..<(row.taps.upperBound * tapsInner)
                bands.append(Band(outer: row.outputs, columns: nil, taps: taps.isEmpty ? [] : [taps]))
                products += Double(row.outputs.count * inner) * Double(taps.count)
            }
        }
        self.bands = bands
        share = products / (Double(g.outputCount) * Double(g.taps))
    }

    /// `body(piece)` for each band's part of `outputs` (in the bands' order), with the band's rows of a tap-major
    /// depth of `channels` channels a tap; a rectangle's part in pieces of at most `chunk` outputs (whose C, of
    /// several runs, is kept whole across the depth blocks).
    func forEachPiece(of outputs: Range<Int>, channels: Int, chunk: Int = .max, _ body: (Piece) -> Void) {
        for band in bands {
            var runs: [Range<Int>] = []
            if let columns = band.columns {
                for row in band.outer {
                    let first = max(outputs.lowerBound, row * width + columns.lowerBound)
                    let end = min(outputs.upperBound, row * width + columns.upperBound)
                    guard first < end else { continue }
                    // Whole rows join into one run.
                    if let last = runs.last, last.upperBound == first {
                        runs[runs.count - 1] = last.lowerBound..<end
                    } else {
                        runs.append(first..<end)
                    }
                }
            } else {
                let first = max(outputs.lowerBound, band.outer.lowerBound * inner)
                let end = min(outputs.upperBound, band.outer.upperBound * inner)
                if first < end { runs.append(first..<end) }
            }
            guard !runs.isEmpty else { continue }
            let depths = band.taps.map { ($0.lowerBound * channels)..<($0.upperBound * channels) }
            guard band.columns != nil else {
                body(Piece(runs: runs, depths: depths))
                continue
            }
            // A rectangle's runs, cut into pieces of at most `chunk` outputs.
            var piece: [Range<Int>] = [], count = 0
            for run in runs {
                var first = run.lowerBound
                while first < run.upperBound {
                    let end = first + min(run.upperBound - first, chunk - count)
                    piece.append(first..<end)
                    count += end - first
                    first = end
                    if count == chunk {
                        body(Piece(runs: piece, depths: depths))
                        piece.removeAll(keepingCapacity: true)
                        count = 0
                    }
                }
            }
            if !piece.isEmpty { body(Piece(runs: piece, depths: depths)) }
        }
    }
}
