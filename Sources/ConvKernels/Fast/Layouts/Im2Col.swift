import ConvArithmetic

/// A layer's window geometry with its rank brought to three (leading axes of size 1), so one packing
/// loop serves 1-D, 2-D and 3-D layers.
struct Geometry3 {
    let input: (Int, Int, Int)
    let output: (Int, Int, Int)
    let kernel: (Int, Int, Int)
    let stride: (Int, Int, Int)
    let dilation: (Int, Int, Int)
    let padding: (Int, Int, Int)

    /// The geometry of direct-window axes (`nil` beyond three axes, or when an axis is cropped before its
    /// first window — negative padding, which JAX and MLX accept — since the fast layouts index the input
    /// from the padding's start; the reference loops serve those layers).
    init?(_ axes: [AxisArithmetic]) {
        guard (1...3).contains(axes.count), axes.allSatisfy({ $0.padding.before >= 0 }) else { return nil }
        let all = [AxisArithmetic](repeating: AxisArithmetic(input: 1, kernel: 1, stride: 1, dilation: 1, padding: AxisPadding(0), output: 1),
                                   count: 3 - axes.count) + axes
        input = (all[0].input, all[1].input, all[2].input)
        output = (all[0].output, all[1].output, all[2].output)
        kernel = (all[0].kernel, all[1].kernel, all[2].kernel)
        stride = (all[0].stride, all[1].stride, all[2].stride)
        dilation = (all[0].dilation, all[1].dilation, all[2].dilation)
        padding = (all[0].padding.before, all[1].padding.before, all[2].padding.before)
    }

    var taps: Int { kernel.0 * kernel.1 * kernel.2 }
    var inputCount: Int { input.0 * input.1 * input.2 }
    var outputCount: Int { output.0 * output.1 * output.2 }

    private init(input: (Int, Int, Int), output: (Int, Int, Int), kernel: (Int, Int, Int), stride: (Int, Int, Int),
                 dilation: (Int, Int, Int), padding: (Int, Int, Int)) {
        (self.input, self.output, self.kernel, self.stride, self.dilation, self.padding) = (input, output, kernel, stride, dilation, padding)
    }

    /// The windows along the rows alone: every input line to its outputs along the last axis.
    var alongRows: Geometry3 {
        Geometry3(input: input, output: (input.0, input.1, output.2), kernel: (1, 1, kernel.2), stride: (1, 1, stride.2),
                  dilation: (1, 1, dilation.2), padding: (0, 0, padding.2))
    }

    /// The windows across the rows alone, over the output of ``alongRows``: down the columns and across the depth.
    var acrossRows: Geometry3 {
        Geometry3(input: (input.0, input.1, output.2), output: output, kernel: (kernel.0, kernel.1, 1), stride: (stride.0, stride.1, 1),
                  dilation: (dilation.0, dilation.1, 1), padding: (padding.0, padding.1, 0))
    }
}

/// B of a convolution as GEMM — row `(c, tap)`, column `output position` — read straight from the input
/// (`x[c, o·s + t·d − p]`, zero in the padding): an implicit im2col, packed a block at a time.
struct Im2Col: PanelSource {
    let geometry: Geometry3
    /// The first input channel of the group, in the sample.
    let x: UnsafePointer<Float>

    /// A run of a panel's columns that lie on one output row: panel slots `first..<first + count`, output
    /// position `(z, y, x…)`.
    private struct Run {
        var first = 0, count = 0, z = 0, y = 0, x = 0
    }

    func pack(columns: Range<Int>, depth: Range<Int>, panelWidth: Int, into buffer: UnsafeMutablePointer<Float>) {
        let g = geometry
        let (inD, inH, inW) = g.input
        let (_, outH, outW) = g.output
        let (kH, kW) = (g.kernel.1, g.kernel.2)
        let (sz, sy, sx) = g.stride
        let taps = g.taps, plane = g.inputCount
        let kLength = depth.count
        withUnsafeTemporaryAllocation(of: Run.self, capacity: panelWidth + 1) { runs in
            forEachPanel(columns: columns, depth: kLength, panelWidth: panelWidth, buffer: buffer) { start, width, target in
                // The panel's columns as runs along output rows (a run reads consecutive input positions).
                var runCount = 0
                var j = 0
                while j < width {
                    let column = start + j
                    let oz = column / (outH * outW), rest = column % (outH * outW)
                    let oy = rest / outW, ox = rest % outW
                    let count = min(width - j, outW - ox)
                    runs[runCount] = Run(first: j, count: count, z: oz * sz - g.padding.0, y: oy * sy - g.padding.1, x: ox * sx - g.padding.2)
                    runCount += 1
                    j += count
                }
                var row = 0
                for k in depth {
                    let channel = k / taps, tap = k % taps
                    let tz = tap / (kH * kW), tapRest = tap % (kH * kW)
                    let dz = tz * g.dilation.0, dy = tapRest / kW * g.dilation.1, dx = tapRest % kW * g.dilation.2
                    let source = x + channel * plane
                    let out = target + row * panelWidth
                    for r in 0..<runCount {
                        let run = runs[r]
                        let z = run.z + dz, y = run.y + dy
                        let slots = out + run.first
                        guard z >= 0 && z < inD && y >= 0 && y < inH else {
                            slots.update(repeating: 0, count: run.count)
                            continue
                        }
                        let line = source + (z * inH + y) * inW
                        let x0 = run.x + dx
                        if sx == 1 && x0 >= 0 && x0 + run.count <= inW {
                            slots.update(from: line + x0, count: run.count)
                        } else {
                            // The slots whose position x0 + i·s lies in the row; zeros around them.
                            let first = x0 >= 0 ? 0 : min((-x0 + sx - 1) / sx, run.count)
                            let last = max(min(run.count, x0 < inW ? (inW - 1 - x0) / sx + 1 : 0), first)
                            slots.update(repeating: 0, count: first)
                            var input = line + (x0 &+ first &* sx)
                            for i in first..<last {
                                slots[i] = input.pointee
                                input += sx
                            }
                            (slots + last).update(repeating: 0, count: run.count - last)
                        }
                    }
                    if width < panelWidth { (out + width).update(repeating: 0, count: panelWidth - width) }
                    row += 1
                }
            }
        }
    }
}

/// Walks the panels of a packed block: each `panelWidth` columns of `columns`, with how many exist and
/// where its `[k][panelWidth]` rows start in `buffer`.
func forEachPanel(columns: Range<Int>, depth: Int, panelWidth: Int, buffer: UnsafeMutablePointer<Float>,
                  _ body: (_ start: Int, _ width: Int, _ target: UnsafeMutablePointer<Float>) -> Void) {
    var panel = 0
    var start = columns.lowerBound
    while start < columns.upperBound {
        body(start, min(panelWidth, columns.upperBound - start), buffer + panel * depth * panelWidth)
        panel += 1
        start += panelWidth
    }
}

/// B as the transpose of a row-major matrix (`element(k, column) = base[column · rowLength + k]`): a
/// convolution's weights when the GEMM runs over them.
struct TransposedRows: PanelSource {
    let base: UnsafePointer<Float>
    let rowLength: Int

    func pack(columns: Range<Int>, depth: Range<Int>, panelWidth: Int, into buffer: UnsafeMutablePointer<Float>) {
        let kLength = depth.count
        forEachPanel(columns: columns, depth: kLength, panelWidth: panelWidth, buffer: buffer) { start, width, target in
            for j in 0..<width {
                var source = base + ((start + j) &* rowLength &+ depth.lowerBound)
                var out = target + j
                for _ in 0..<kLength {
                    out.pointee = source.pointee
                    source += 1
                    out += panelWidth
                }
            }
            if width < panelWidth {
                for row in 0..<kLength { (target + row * panelWidth + width).update(repeating: 0, count: panelWidth - width) }
            }
        }
    }
}
