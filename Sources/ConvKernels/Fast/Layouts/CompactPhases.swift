import CConvKernels

/// A ``PhaseLayout``'s B gathered into dense rows that hold exactly each phase's outputs: phase φ's row
/// `k = channel · taps + tap` is that tap's inputs for the phase's outputs in their order
/// (`(m₀·M₁ + m₁)·M₂ + m₂`), `strides[φ]` floats after row `k − 1`, from `starts[φ]` of one buffer. Read in
/// place, a phase's B has virtual columns between its output rows (the padded copy's extra columns), which
/// fill the GEMM's tiles badly where an output row is short: DCGAN's 8 × 8 input has 78 virtual columns for
/// 64 outputs a phase (five 16-wide tiles for four), its 4 × 4 one 22 for 16 (two tiles for one).
struct CompactPhases {
    /// Each phase's first float in the buffer.
    let starts: [Int]
    /// Each phase's floats between rows: its outputs rounded up to an odd number of cache lines, so that a
    /// tile's rows spread over the cache sets.
    let strides: [Int]
    /// The buffer's floats.
    let count: Int

    /// The rows of every phase of `layout` for `channels` input channels.
    init(_ layout: PhaseLayout, channels: Int) {
        var starts: [Int] = [], strides: [Int] = [], total = 0
        for phase in layout.phases {
            let stride = FastKernels.oddLineStride(phase.count.0 * phase.count.1 * phase.count.2)
            starts.append(total)
            strides.append(stride)
            total += channels * phase.taps.count * stride
        }
        self.starts = starts
        self.strides = strides
        count = total
    }

    /// Phase `index`'s row offsets in the buffer, `rows` of them.
    func offsets(_ index: Int, rows: Int) -> [Int64] {
        (0..<rows).map { Int64(starts[index] + $0 * strides[index]) }
    }

    /// The outputs `φ + s·m` of phase `phase`'s columns: a grid without virtual columns.
    func grid(_ layout: PhaseLayout, phase: PhaseLayout.Phase) -> VirtualGrid {
        VirtualGrid(extents: (phase.count.1, phase.count.2), counts: (phase.count.1, phase.count.2),
                    output: (layout.output.1, layout.output.2), origin: phase.index, step: layout.strides)
    }

    /// Gathers every phase's rows of input channels `channels` from `prepared` (the layout's padded copy,
    /// whose rows of phase φ start at `inPlace[φ]`) into `buffer`.
    func gather(_ layout: PhaseLayout, from prepared: UnsafePointer<Float>, inPlace: [[Int64]], channels: Range<Int>,
                into buffer: UnsafeMutablePointer<Float>) {
        let (e1, e2) = (layout.axes[1].extent, layout.axes[2].extent)
        for (index, phase) in layout.phases.enumerated() {
            let taps = phase.taps.count, first = channels.lowerBound * taps
            inPlace[index].withUnsafeBufferPointer { offsets in
                guard let base = offsets.baseAddress else { return }
                convarith_gather_grid(prepared, base + first, Int64(channels.count * taps), Int64(phase.count.0),
                                      Int64(e1 * e2), Int64(phase.count.1), Int64(e2), Int64(phase.count.2),
                                      buffer + starts[index] + first * strides[index], Int64(strides[index]))
            }
        }
    }
}
