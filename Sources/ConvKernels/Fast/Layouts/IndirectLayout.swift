import CConvKernels

/// Where an indirect convolution reads its input: every axis zero-padded and split into its stride's
/// phases (`padded[p] → phase p mod s, position p div s`), so that each window tap is one fixed offset
/// from a "virtual" output index and the convolution becomes `C[M × V] = A · B` with
/// `B[k, v] = prepared[offset(k) + v]` — a stride-1 GEMM whose B is never packed.
///
/// Virtual index `v(o) = o₀·E₁E₂ + o₁·E₂ + o₂` over the phase extents `E`: rows of the virtual grid are
/// `E` long, so the last `E − O` columns of each row (and rows past `O`) are computed and dropped. The
/// layout is refused when that waste, or the copy, would be large (`nil`); the packed im2col path serves
/// those layers. When the stride is 1 and nothing is padded the input itself is read, with no copy.
struct IndirectLayout {
    let geometry: Geometry3
    /// Whether the input is copied (padded and phase-split) before the GEMM.
    let copies: Bool
    /// The phase extents E (the input's extents when nothing is copied).
    let extents: (Int, Int, Int)
    /// Floats per phase plane of the copy: `E₀E₁E₂` rounded up to a whole cache line.
    let phaseVolume: Int
    /// Floats per channel of the read buffer: all phases of one channel, an odd number of cache lines in a
    /// copy, so that the taps of successive channels fall in different cache sets.
    let channelVolume: Int
    /// Virtual columns: `v(last output) + 1`.
    let virtualCount: Int
    /// The largest stride per axis a phase split is made for.
    static let strideLimit = 4_096

    /// Whether virtual indices are the output's own (no gaps): the GEMM then writes the output directly.
    let isCompact: Bool
    /// Whether the GEMM's tiles read B gathered over exactly the outputs (each tile's rows copied from the runs of
    /// its output rows) instead of over the virtual columns, and write the output directly: set by the planner
    /// (``FastKernels/indirectColumns(_:outGroup:inGroup:kernel:bands:threads:inPlace:)``) where that is
    /// estimated faster.
    var compactsColumns = false
    /// The bands of outputs whose windows read fewer taps inside the input (the rest read the padding), each
    /// multiplied over its taps alone with the depth ordered tap-major: set by the planner on compacted layouts,
    /// or on layouts without gaps read in place, where that skips products enough
    /// (``FastKernels/indirectLayout(_:inGroup:outGroup:kernel:threads:)``).
    var tapBands: TapBands?
    /// How many compacted tiles in a row are gathered before the row panels run over them, each panel across
    /// the group's tiles in turn (1: each tile's panels at once): set by the planner
    /// (``FastKernels/tileGroup(_:rows:inGroup:kernel:)``) where a tile's rows of the output would share a few
    /// cache sets.
    var tileGroup = 1

    /// The layout for `geometry`, or `nil` when it would compute more than a quarter again as much as the layer
    /// needs, or copy more than half again its input (plus small constants, so small layers qualify) — or,
    /// `allowingGaps`, copy that much (the virtual columns then left to a GEMM over exactly the outputs,
    /// ``compactsColumns``). An im2col copies the input once per tap: I3D's 3 × 7 × 7 / (1, 2, 2) stem over
    /// 8 × 64 × 64, whose padded phases are 1.45 times its input, ran 7.1 ms on it and 4.6 on this layout (Zen 4).
    init?(_ geometry: Geometry3, allowingGaps: Bool = false) {
        let g = geometry
        // Strides past 4,096 would split the input into more phases than it has floats (and their products
        // overflow): the other paths serve such layers.
        guard [g.stride.0, g.stride.1, g.stride.2].allSatisfy({ $0 <= Self.strideLimit }) else { return nil }
        func axis(_ input: Int, _ output: Int, _ kernel: Int, _ stride: Int, _ dilation: Int,
                  _ before: Int) -> (padded: Int, extent: Int)? {
            // The padded extent covers every tap read: the input after its leading padding, and the last window.
            // (A padding or dilation near 2⁶³ overflows it: the other paths serve such layers.)
            let (after, afterOverflows) = input.addingReportingOverflow(before)
            let (steps, stepsOverflow) = (output - 1).multipliedReportingOverflow(by: stride)
            let (span, spanOverflows) = (kernel - 1).multipliedReportingOverflow(by: dilation)
            let (reach, reachOverflows) = steps.addingReportingOverflow(span)
            guard !afterOverflows, !stepsOverflow, !spanOverflows, !reachOverflows, reach < Int.max - stride else {
                return nil
            }
            let padded = max(after, reach + 1)
            return (padded, (padded + stride - 1) / stride)
        }
        guard let a0 = axis(g.input.0, g.output.0, g.kernel.0, g.stride.0, g.dilation.0, g.padding.0),
              let a1 = axis(g.input.1, g.output.1, g.kernel.1, g.stride.1, g.dilation.1, g.padding.1),
              let a2 = axis(g.input.2, g.output.2, g.kernel.2, g.stride.2, g.dilation.2, g.padding.2) else {
            return nil
        }
        let direct = g.stride == (1, 1, 1) && g.padding == (0, 0, 0) && (a0.padded, a1.padded, a2.padded) == g.input
        self.geometry = g
        copies = !direct
        extents = direct ? g.input : (a0.extent, a1.extent, a2.extent)
        let (e0, e1, e2) = extents
        let phases = g.stride.0 * g.stride.1 * g.stride.2
        // A copy larger than the limit below is refused before its products are formed (they could overflow).
        guard Double(e0) * Double(e1) * Double(e2) * Double(phases) <= 2 * Double(g.inputCount) + 65_536 else {
            return nil
        }
        let line = 16
        phaseVolume = direct ? g.inputCount : (e0 * e1 * e2 + line - 1) / line * line
        channelVolume = direct ? g.inputCount : phases * phaseVolume + (phases * phaseVolume / line % 2 == 0 ? line : 0)
        let (o0, o1, o2) = g.output
        virtualCount = (o0 - 1) * e1 * e2 + (o1 - 1) * e2 + o2
        isCompact = (o0 == 1 || e1 * e2 == o1 * o2) && (o1 == 1 || e2 == o2)
        let outputs = g.outputCount
        guard outputs > 0, allowingGaps || virtualCount <= outputs + outputs / 4 + 256,
              channelVolume <= g.inputCount + g.inputCount / 2 + 4096 else { return nil }
    }

    /// The offset of each row of B, `k = channel · taps + tap`, for `channels` channels.
    func offsets(channels: Int) -> [Int64] {
        let g = geometry
        let (_, e1, e2) = extents
        let (k0, k1, k2) = g.kernel
        let (s0, s1, s2) = g.stride
        var offsets: [Int64] = []
        offsets.reserveCapacity(channels * g.taps)
        for channel in 0..<channels {
            for t0 in 0..<k0 {
                for t1 in 0..<k1 {
                    for t2 in 0..<k2 {
                        // Tap position t·d in padded coordinates: phase (t·d) mod s, position (t·d) div s.
                        let p0 = t0 * g.dilation.0, p1 = t1 * g.dilation.1, p2 = t2 * g.dilation.2
                        let phase = ((p0 % s0) * s1 + p1 % s1) * s2 + p2 % s2
                        let within = (p0 / s0 * e1 + p1 / s1) * e2 + p2 / s2
                        offsets.append(Int64(channel * channelVolume + phase * phaseVolume + within))
                    }
                }
            }
        }
        return offsets
    }

    /// ``offsets(channels:)`` in tap-major order: row `k = tap · channels + channel` of B (``tapBands``).
    func tapMajorOffsets(channels: Int) -> [Int64] {
        let taps = geometry.taps, offsets = offsets(channels: channels)
        var reordered = [Int64](repeating: 0, count: offsets.count)
        for channel in 0..<channels {
            for tap in 0..<taps { reordered[tap * channels + channel] = offsets[channel * taps + tap] }
        }
        return reordered
    }

    /// Writes the padded, phase-split copy of input channels `channels` (`x`: the group's first channel)
    /// into `buffer` (`channelVolume` floats per channel, from the group's first channel); `isa` is the
    /// instruction set of the kernels (``IndirectKernel/isa``).
    func prepare(_ x: UnsafePointer<Float>, channels: Range<Int>, into buffer: UnsafeMutablePointer<Float>, isa: Int32) {
        let g = geometry
        let (i0, i1, i2) = g.input
        let (_, e1, e2) = extents
        let (s0, s1, s2) = g.stride
        // Only the phases some tap reads are made (a 1 × 1 stride-2 layer reads one of four); the rest stay unwritten.
        let (read0, read1, read2) = (phasesRead(axis: 0), phasesRead(axis: 1), phasesRead(axis: 2))
        if read0.allSatisfy({ $0 }) && read1.allSatisfy({ $0 }) && read2.allSatisfy({ $0 }) {
            (buffer + channels.lowerBound * channelVolume).update(repeating: 0, count: channels.count * channelVolume)
        } else {
            for channel in channels {
                for phase in 0..<(s0 * s1 * s2)
                    where read0[phase / (s1 * s2)] && read1[phase / s2 % s1] && read2[phase % s2] {
                    (buffer + channel * channelVolume + phase * phaseVolume).update(repeating: 0, count: phaseVolume)
                }
            }
        }
        for channel in channels {
            let source = x + channel * g.inputCount
            let target = buffer + channel * channelVolume
            for z in 0..<i0 {
                let pz = z + g.padding.0
                guard read0[pz % s0] else { continue }
                for y in 0..<i1 {
                    let py = y + g.padding.1
                    guard read1[py % s1] else { continue }
                    let row = source + (z * i1 + y) * i2
                    // The row's place in its (z, y) phase, before the x phase.
                    let phaseZY = (pz % s0) * s1 + py % s1
                    let line = target + (pz / s0 * e1 + py / s1) * e2
                    if s2 == 1 {
                        (line + phaseZY * phaseVolume + g.padding.2).update(from: row, count: i2)
                    } else {
                        // Each x phase's inputs are s₂ apart in the row and adjacent in the copy.
                        convarith_split_row(row, Int64(i2), Int64(s2), Int64(g.padding.2), line + phaseZY * s2 * phaseVolume,
                                            Int64(phaseVolume), isa)
                    }
                }
            }
        }
    }

    /// Which of the phases along `axis` (0–2) some tap reads: the phases `(t·d) mod s` of taps `t`.
    func phasesRead(axis: Int) -> [Bool] {
        let g = geometry
        let (k, s, d) = [(g.kernel.0, g.stride.0, g.dilation.0), (g.kernel.1, g.stride.1, g.dilation.1),
                         (g.kernel.2, g.stride.2, g.dilation.2)][axis]
        var read = [Bool](repeating: false, count: s)
        // The phases repeat with a period of at most s taps.
        for t in 0..<min(k, s) { read[Int((Int64(t) * Int64(d % s)) % Int64(s))] = true }
        return read
    }

    /// What a GEMM over this layout reads for one sample and group (`x`: its first input channel): the
    /// padded, phase-split copy of its `channels` channels, made now in `buffer` (the channels split over
    /// `threads`), or `x` itself when nothing is copied.
    func input(_ x: UnsafePointer<Float>, channels: Int, buffer: UnsafeMutablePointer<Float>, threads: Int, isa: Int32) -> UnsafePointer<Float> {
        guard copies else { return x }
        FastKernels.forEachShare(of: channels, threads: threads) { prepare(x, channels: $0, into: buffer, isa: isa) }
        return UnsafePointer(buffer)
    }

    /// A grid of exactly the outputs (one run of columns): the columns of compacted tiles.
    var outputGrid: VirtualGrid {
        let (_, o1, o2) = geometry.output
        return VirtualGrid(extents: (o1, o2), counts: (o1, o2), output: (o1, o2), origin: (0, 0, 0), step: (1, 1, 1))
    }

    /// The outputs of the virtual columns.
    var grid: VirtualGrid {
        VirtualGrid(extents: (extents.1, extents.2), counts: (geometry.output.1, geometry.output.2),
                    output: (geometry.output.1, geometry.output.2), origin: (0, 0, 0), step: (1, 1, 1))
    }
}
