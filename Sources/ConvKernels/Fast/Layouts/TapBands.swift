/// A convolution's outputs in bands along one axis whose windows have the same taps of that axis inside the
/// input, so that an indirect GEMM over a band multiplies only those taps: the rest read the zero padding
/// and add nothing. DeepLab's ASPP 3 × 3 at dilation 18 with padding 18 on 33 × 33: rows 0–14 read taps 1–2
/// of the kernel's rows, rows 15–17 tap 1 alone, rows 18–32 taps 0–1 — 63 of 99 row taps, so 64 % of the
/// products. The depth is then ordered tap-major (`k = tap · C + channel`), so that a band's taps are one
/// range of it.
struct TapBands {
    /// Outputs (a contiguous range of the plane's) and the taps (tap-major indices) their windows read.
    struct Band: Equatable {
        let outputs: Range<Int>
        let taps: Range<Int>
    }

    let bands: [Band]
    /// The share of the layer's products the bands multiply.
    let share: Double

    /// The bands of geometry `g` along its outermost axis of more than one output (whose kernel axes before it
    /// are 1, so that its taps are a range of the tap-major order), or `nil` when there is no such axis.
    init?(_ g: Geometry3) {
        let outputs = [g.output.0, g.output.1, g.output.2], kernel = [g.kernel.0, g.kernel.1, g.kernel.2]
        let inputs = [g.input.0, g.input.1, g.input.2], strides = [g.stride.0, g.stride.1, g.stride.2]
        let dilations = [g.dilation.0, g.dilation.1, g.dilation.2], paddings = [g.padding.0, g.padding.1, g.padding.2]
        let axis = (0..<3).first { outputs[$0] > 1 } ?? 2
        guard (0..<axis).allSatisfy({ kernel[$0] == 1 }), g.outputCount > 0 else { return nil }
        let inner = outputs[(axis + 1)...].reduce(1, *), tapsInner = kernel[(axis + 1)...].reduce(1, *)
        let (i, k, s, d, p) = (inputs[axis], kernel[axis], strides[axis], dilations[axis], paddings[axis])
        // Taps t of output o inside the input: 0 ≤ o·s + t·d − p < i, an interval of t.
        func valid(_ o: Int) -> Range<Int> {
            let low = p - o * s, high = i - 1 + p - o * s
            let first = max(0, low >= 0 ? (low + d - 1) / d : -((-low) / d))
            let last = min(k - 1, high >= 0 ? high / d : -((-high + d - 1) / d))
            return first <= last ? first..<(last + 1) : 0..<0
        }
        var bands: [Band] = []
        var products = 0.0
        var o = 0
        while o < outputs[axis] {
            let taps = valid(o)
            var end = o + 1
            while end < outputs[axis] && valid(end) == taps { end += 1 }
            bands.append(Band(outputs: (o * inner)..<(end * inner),
                              taps: (taps.lowerBound * tapsInner)..<(taps.upperBound * tapsInner)))
            products += Double((end - o) * inner) * Double(taps.count * tapsInner)
            o = end
        }
        self.bands = bands
        share = products / (Double(g.outputCount) * Double(g.taps))
    }

    /// `body(outputs, depths)` for each band's part of `outputs` (in order), with the band's rows of a tap-major
    /// depth of `channels` channels a tap.
    func forEachPiece(of outputs: Range<Int>, channels: Int, _ body: (Range<Int>, Range<Int>) -> Void) {
        for band in bands {
            let first = max(outputs.lowerBound, band.outputs.lowerBound)
            let end = min(outputs.upperBound, band.outputs.upperBound)
            guard first < end else { continue }
            body(first..<end, (band.taps.lowerBound * channels)..<(band.taps.upperBound * channels))
        }
    }
}
