import ConvArithmetic

/// The fast path: convolution as a packed GEMM over an implicit im2col, and transposed convolution as a
/// GEMM followed by a col2im scatter along the associated convolution's windows — so the `s − 1` inserted
/// zeros of the stretched formulation are never multiplied. Register-blocked micro-kernels
/// (``MicroKernel``), cache-sized blocks, and the output split over `threads` threads (1: the calling
/// thread only). Sizes come from the layer's `LayerShape`; tensors are checked as by every kernel.
public enum FastKernels {
    /// How many times more multiply-adds than the reference loops the fast path may do within the work
    /// limit (it runs 100–300 times faster).
    static let workScale = 100

    /// `y = conv(x, w) + b` (PyTorch/ONNX layouts), the same as ``ReferenceKernels/convolution(_:weight:bias:shape:groups:)``.
    public static func convolution(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, shape: LayerShape, groups: Int = 1,
                                   threads: Int = FastThreads.default, microKernel: MicroKernel = .current) throws(KernelError) -> Tensor {
        guard shape.operation == .convolution else { throw .unsupported("convolution needs a convolution's shape, got \(shape.name)") }
        let layout = try LayerTensors(shape: shape, x: x, weight: weight, bias: bias, groups: groups, workScale: Self.workScale)
        guard let geometry = Geometry3(shape.axes) else {
            return try ReferenceKernels.convolution(x, weight: weight, bias: bias, shape: shape, groups: groups)
        }
        let kernel = microKernel
        let gemm = PackedGEMM(kernel: kernel)
        let inGroup = layout.inputChannels / groups, outGroup = layout.outputChannels / groups
        let depth = inGroup * geometry.taps, columns = geometry.outputCount
        var y = [Float](repeating: 0, count: layout.outputShape.reduce(1, *))
        let parts = max(1, min(threads, (columns + kernel.columns - 1) / kernel.columns))
        var scratch = [Float](repeating: 0, count: parts * (gemm.scratchCount + gemm.tileCount))
        weight.data.withUnsafeBufferPointer { w in
            x.data.withUnsafeBufferPointer { xs in
                y.withUnsafeMutableBufferPointer { ys in
                    scratch.withUnsafeMutableBufferPointer { scratchBuffer in
                        guard let wBase = w.baseAddress, let xBase = xs.baseAddress, let yBase = ys.baseAddress,
                              let sBase = scratchBuffer.baseAddress else { return }
                        for group in 0..<groups {
                            // The group's weights [outGroup × inGroup·taps] are contiguous rows of A.
                            let rows = wBase + group * outGroup * depth
                            let a = PackedGEMM.PackedA(rows: outGroup, depth: depth, panelRows: kernel.rows) { rows[$0 * depth + $1] }
                            for n in 0..<layout.batch {
                                let source = Im2Col(geometry: geometry, x: xBase + (n * layout.inputChannels + group * inGroup) * geometry.inputCount)
                                let c = yBase + (n * layout.outputChannels + group * outGroup) * columns
                                let share = (columns + parts - 1) / parts
                                let aligned = (share + kernel.columns - 1) / kernel.columns * kernel.columns
                                FastThreads.run(parts: parts, threads: threads) { part in
                                    let range = min(part * aligned, columns)..<min((part + 1) * aligned, columns)
                                    guard !range.isEmpty else { return }
                                    let mine = sBase + part * (gemm.scratchCount + gemm.tileCount)
                                    gemm.multiply(a, columns: range, source: source, c: c, ldc: columns, scratch: mine, tile: mine + gemm.scratchCount)
                                }
                            }
                        }
                    }
                }
            }
        }
        if let bias { addBias(bias, to: &y, channels: layout.outputChannels, plane: columns) }
        return Tensor(uncheckedShape: layout.outputShape, data: y)
    }

    /// The transposed convolution, the same as ``ReferenceKernels/transposedConvolution(_:weight:bias:shape:groups:)``:
    /// per group, `cols[(c_out, tap) × j] = Σ_c w[c, c_out, tap] · x[c, j]` (one GEMM), then each column
    /// added to the output positions its window covers, `q = j·s + t·d − p_lo`.
    public static func transposedConvolution(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, shape: LayerShape, groups: Int = 1,
                                             threads: Int = FastThreads.default, microKernel: MicroKernel = .current) throws(KernelError) -> Tensor {
        guard shape.operation == .transposedConvolution else {
            throw .unsupported("transposed convolution needs a transposed convolution's shape, got \(shape.name)")
        }
        let layout = try LayerTensors(shape: shape, x: x, weight: weight, bias: bias, groups: groups, workScale: Self.workScale)
        // The associated convolution's windows: its input is o', its output i'.
        guard let geometry = Geometry3(shape.axes.map(\.associatedConvolution)) else {
            return try ReferenceKernels.transposedConvolution(x, weight: weight, bias: bias, shape: shape, groups: groups)
        }
        let kernel = microKernel
        let gemm = PackedGEMM(kernel: kernel)
        let inGroup = layout.inputChannels / groups, outGroup = layout.outputChannels / groups
        let taps = geometry.taps, columns = geometry.outputCount, outputPlane = geometry.inputCount
        var y = [Float](repeating: 0, count: layout.outputShape.reduce(1, *))
        // Threads split the output channels (their scatters never meet); columns go in chunks that bound
        // the cols buffer.
        let parts = max(1, min(threads, outGroup))
        let channelsPerPart = (outGroup + parts - 1) / parts
        let chunk = max(kernel.columns, min(columns, (1 << 21) / max(channelsPerPart * taps, 1) / kernel.columns * kernel.columns))
        let perPart = gemm.scratchCount + gemm.tileCount + channelsPerPart * taps * chunk
        var scratch = [Float](repeating: 0, count: parts * perPart)
        weight.data.withUnsafeBufferPointer { w in
            x.data.withUnsafeBufferPointer { xs in
                y.withUnsafeMutableBufferPointer { ys in
                    scratch.withUnsafeMutableBufferPointer { scratchBuffer in
                        guard let wBase = w.baseAddress, let xBase = xs.baseAddress, let yBase = ys.baseAddress,
                              let sBase = scratchBuffer.baseAddress else { return }
                        for group in 0..<groups {
                            FastThreads.run(parts: parts, threads: threads) { part in
                                let first = part * channelsPerPart, last = min(first + channelsPerPart, outGroup)
                                guard first < last else { return }
                                let rows = (last - first) * taps
                                // A[(c_out, tap) × c] = w[group·inGroup + c, first + c_out, tap].
                                let a = PackedGEMM.PackedA(rows: rows, depth: inGroup, panelRows: kernel.rows) { row, c in
                                    wBase[((group * inGroup + c) * outGroup + first + row / taps) * taps + row % taps]
                                }
                                let mine = sBase + part * perPart
                                let cols = mine + gemm.scratchCount + gemm.tileCount
                                for n in 0..<layout.batch {
                                    let source = DenseRows(base: xBase + (n * layout.inputChannels + group * inGroup) * columns, rowStride: columns)
                                    var start = 0
                                    while start < columns {
                                        let width = min(chunk, columns - start)
                                        gemm.multiply(a, columns: start..<(start + width), source: source, c: cols - start, ldc: width,
                                                      scratch: mine, tile: mine + gemm.scratchCount)
                                        let yChannels = yBase + (n * layout.outputChannels + group * outGroup + first) * outputPlane
                                        scatter(cols, rows: rows, columns: start..<(start + width), geometry: geometry, into: yChannels)
                                        start += width
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if let bias { addBias(bias, to: &y, channels: layout.outputChannels, plane: outputPlane) }
        return Tensor(uncheckedShape: layout.outputShape, data: y)
    }

    /// col2im: adds `cols[(c, tap), j]` to `y[c, q(j, tap)]` for the positions inside the output.
    private static func scatter(_ cols: UnsafeMutablePointer<Float>, rows: Int, columns: Range<Int>, geometry g: Geometry3,
                                into y: UnsafeMutablePointer<Float>) {
        let (outD, outH, outW) = g.input  // the transposed layer's output is the associated convolution's input
        let (_, inH, inW) = g.output
        let (kH, kW) = (g.kernel.1, g.kernel.2)
        let taps = g.taps, plane = g.inputCount, width = columns.count
        for row in 0..<rows {
            let channel = row / taps, tap = row % taps
            let tz = tap / (kH * kW), tapRest = tap % (kH * kW)
            let dz = tz * g.dilation.0 - g.padding.0, dy = tapRest / kW * g.dilation.1 - g.padding.1, dx = tapRest % kW * g.dilation.2 - g.padding.2
            let source = cols + row * width
            let target = y + channel * plane
            for (offset, j) in columns.enumerated() {
                let jz = j / (inH * inW), rest = j % (inH * inW)
                let z = jz * g.stride.0 + dz, yy = rest / inW * g.stride.1 + dy, xx = rest % inW * g.stride.2 + dx
                if z >= 0 && z < outD && yy >= 0 && yy < outH && xx >= 0 && xx < outW {
                    target[(z * outH + yy) * outW + xx] += source[offset]
                }
            }
        }
    }

    private static func addBias(_ bias: Tensor, to y: inout [Float], channels: Int, plane: Int) {
        guard plane > 0 else { return }
        for index in y.indices { y[index] += bias.data[index / plane % channels] }
    }
}
