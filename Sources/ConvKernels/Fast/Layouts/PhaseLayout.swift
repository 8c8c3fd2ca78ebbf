/// A transposed convolution split into its output phases (sub-pixel decomposition): the outputs
/// `q = φ + s·m` of one phase `φ` take only the taps `t` with `φ + p − t·d ≡ 0 (mod s)`, each from input
/// `j = m + c_t`, `c_t = (φ + p − t·d) / s` — a stride-1 correlation over the (zero-padded) input. So each
/// phase is an indirect GEMM like a convolution's, over exactly the taps that meet real inputs: the
/// stretched formulation's inserted zeros are never multiplied, and every output is written once.
struct PhaseLayout {
    /// One axis's phases.
    struct Axis {
        /// Per phase: the taps that reach it and their input shift `c_t`.
        let taps: [[(tap: Int, shift: Int)]]
        /// Per phase: how many outputs it has, `⌈(O − φ) / s⌉`.
        let counts: [Int]
        /// Zeros before the input in the copy (the most negative shift).
        let before: Int
        /// The copy's extent.
        let extent: Int
    }

    /// One phase of the whole layer: its taps (the axes' products) and its virtual columns.
    struct Phase {
        let index: (Int, Int, Int)
        let count: (Int, Int, Int)
        /// Row offsets of B for tap list `(t, shift)` of every axis, per input channel.
        let taps: [(tap: Int, offset: Int)]
        let virtualCount: Int
    }

    let axes: [Axis]
    let strides: (Int, Int, Int)
    /// The transposed layer's output extents.
    let output: (Int, Int, Int)
    let input: (Int, Int, Int)
    let kernel: (Int, Int, Int)
    /// Floats per channel of the padded copy, an odd number of cache lines.
    let channelVolume: Int
    /// The phases with outputs and taps.
    let phases: [Phase]
    /// Whether some outputs belong to no phase with taps (they are zero, before the bias).
    let hasEmptyPhases: Bool
    /// Whether the phases' GEMMs read B gathered into dense rows of exactly their outputs (``CompactPhases``)
    /// instead of in place over their virtual columns: set by the planner
    /// (``FastKernels/gathersPhaseColumns(_:outGroup:inGroup:kernel:)``).
    var gathersColumns = false

    /// The layout of a transposed layer whose associated convolution has geometry `g` (its input is the
    /// layer's output), or `nil` when the padded copy or the virtual columns would be much larger than the
    /// input and output, or the phases far more than the outputs.
    init?(associated g: Geometry3) {
        // A phase per stride step: strides past 4,096 are left to the col2im paths, and so are more steps than
        // outputs (every phase is walked: strides of 4,096 on three axes over one input are 2³⁶ phases).
        guard [g.stride.0, g.stride.1, g.stride.2].allSatisfy({ $0 <= IndirectLayout.strideLimit }),
              g.stride.0 * g.stride.1 * g.stride.2 <= g.inputCount + 64 else { return nil }
        func axis(output: Int, input: Int, kernel: Int, stride: Int, dilation: Int, padding: Int) -> Axis {
            var taps: [[(tap: Int, shift: Int)]] = []
            var counts: [Int] = []
            var lowest = 0, highest = input
            for phase in 0..<stride {
                let count = phase < output ? (output - phase + stride - 1) / stride : 0
                var list: [(tap: Int, shift: Int)] = []
                for t in 0..<kernel {
                    let r = phase + padding - t * dilation
                    guard ((r % stride) + stride) % stride == 0 else { continue }
                    // r is a multiple of s: exact division, negative or not.
                    let shift = r >= 0 ? r / stride : -((-r) / stride)
                    list.append((t, shift))
                    if count > 0 {
                        lowest = min(lowest, shift)
                        highest = max(highest, count - 1 + shift + 1)
                    }
                }
                taps.append(list)
                counts.append(count)
            }
            return Axis(taps: taps, counts: counts, before: -lowest, extent: -lowest + highest)
        }
        let a = [
            axis(output: g.input.0, input: g.output.0, kernel: g.kernel.0, stride: g.stride.0, dilation: g.dilation.0, padding: g.padding.0),
            axis(output: g.input.1, input: g.output.1, kernel: g.kernel.1, stride: g.stride.1, dilation: g.dilation.1, padding: g.padding.1),
            axis(output: g.input.2, input: g.output.2, kernel: g.kernel.2, stride: g.stride.2, dilation: g.dilation.2, padding: g.padding.2),
        ]
        axes = a
        strides = g.stride
        output = g.input
        input = g.output
        kernel = g.kernel
        let (e0, e1, e2) = (a[0].extent, a[1].extent, a[2].extent)
        channelVolume = FastKernels.oddLineStride(e0 * e1 * e2)
        var phases: [Phase] = []
        var covered = 0, virtual = 0
        for p0 in 0..<g.stride.0 {
            for p1 in 0..<g.stride.1 {
                for p2 in 0..<g.stride.2 {
                    let count = (a[0].counts[p0], a[1].counts[p1], a[2].counts[p2])
                    let lists = (a[0].taps[p0], a[1].taps[p1], a[2].taps[p2])
                    guard count.0 > 0 && count.1 > 0 && count.2 > 0 && !lists.0.isEmpty && !lists.1.isEmpty && !lists.2.isEmpty else { continue }
                    var taps: [(tap: Int, offset: Int)] = []
                    for t0 in lists.0 {
                        for t1 in lists.1 {
                            for t2 in lists.2 {
                                let tap = (t0.tap * g.kernel.1 + t1.tap) * g.kernel.2 + t2.tap
                                let offset = ((t0.shift + a[0].before) * e1 + t1.shift + a[1].before) * e2 + t2.shift + a[2].before
                                taps.append((tap, offset))
                            }
                        }
                    }
                    let virtualCount = (count.0 - 1) * e1 * e2 + (count.1 - 1) * e2 + count.2
                    phases.append(Phase(index: (p0, p1, p2), count: count, taps: taps, virtualCount: virtualCount))
                    covered += count.0 * count.1 * count.2
                    virtual += virtualCount
                }
            }
        }
        self.phases = phases
        hasEmptyPhases = covered < g.inputCount
        let inputs = g.outputCount
        guard virtual <= covered + covered / 4 + 256, channelVolume <= inputs + inputs / 2 + 4096 else { return nil }
    }

    /// The offsets of B's rows for `phase`, `k = channel · taps + tap`.
    func offsets(_ phase: Phase, channels: Int) -> [Int64] {
        var offsets: [Int64] = []
        offsets.reserveCapacity(channels * phase.taps.count)
        for channel in 0..<channels {
            for tap in phase.taps { offsets.append(Int64(channel * channelVolume + tap.offset)) }
        }
        return offsets
    }

    /// Writes the zero-padded copy of input channels `channels` (`x`: the group's first channel) into `buffer`.
    func prepare(_ x: UnsafePointer<Float>, channels: Range<Int>, into buffer: UnsafeMutablePointer<Float>) {
        let (i0, i1, i2) = input
        let (e1, e2) = (axes[1].extent, axes[2].extent)
        let (b0, b1, b2) = (axes[0].before, axes[1].before, axes[2].before)
        (buffer + channels.lowerBound * channelVolume).update(repeating: 0, count: channels.count * channelVolume)
        for channel in channels {
            let source = x + channel * i0 * i1 * i2, target = buffer + channel * channelVolume
            for z in 0..<i0 {
                for y in 0..<i1 {
                    (target + ((z + b0) * e1 + y + b1) * e2 + b2).update(from: source + (z * i1 + y) * i2, count: i2)
                }
            }
        }
    }

    /// The columns of `phase`'s GEMM: its outputs when B is gathered (``gathersColumns``), else its virtual columns.
    func columns(_ phase: Phase) -> Int {
        gathersColumns ? phase.count.0 * phase.count.1 * phase.count.2 : phase.virtualCount
    }

    /// The outputs `φ + s·m` of `phase`'s virtual columns.
    func grid(_ phase: Phase) -> VirtualGrid {
        VirtualGrid(extents: (axes[1].extent, axes[2].extent), counts: (phase.count.1, phase.count.2), output: (output.1, output.2),
                    origin: phase.index, step: strides)
    }
}
