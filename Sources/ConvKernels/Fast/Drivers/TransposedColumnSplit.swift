import ConvArithmetic

extension FastKernels {
    /// The col2im transposed convolution with the input positions split between threads: each thread
    /// multiplies every output channel's rows of A with its share of the columns and scatters into an
    /// output of its own (the first thread into `y` itself); the others are then added into `y`. Windows
    /// of different positions overlap in the output, so the shares cannot write to one buffer.
    static func transposedByColumns(_ x: Tensor, weight: Tensor, into y: inout [Float], layout: LayerTensors, geometry: Geometry3,
                                    groups: Int, threads: Int, kernel indirect: IndirectKernel) {
        let inGroup = layout.inputChannels / groups, outGroup = layout.outputChannels / groups
        let taps = geometry.taps, columns = geometry.outputCount, outputPlane = geometry.inputCount
        let rows = outGroup * taps, slice = outGroup * outputPlane
        let share = ((columns + threads - 1) / threads + indirect.columns - 1) / indirect.columns * indirect.columns
        let parts = (columns + share - 1) / share
        let chunk = max(indirect.columns, min(share, (1 << 21) / max(rows, 1) / indirect.columns * indirect.columns))
        let perPart = rows * chunk + denseScratchCount(indirect, depth: inGroup)
        var scratch = uninitialized(parts * perPart + (parts - 1) * slice)
        withPointers(x, weight, &y, &scratch) { x, w, y, sBase in
            let privates = sBase + parts * perPart
            for group in 0..<groups {
                // A[(c_out, tap) × c] = w[group·inGroup + c, c_out, tap], for every output channel of the group:
                // the weights' rows are A's columns.
                let a = IndirectA.columns(w + group * inGroup * rows, ld: rows)
                for n in 0..<layout.batch {
                    let xGroup = x + (n * layout.inputChannels + group * inGroup) * columns
                    let yGroup = y + (n * layout.outputChannels + group * outGroup) * outputPlane
                    FastThreads.run(parts: parts, threads: threads) { part in
                        let target = part == 0 ? yGroup : privates + (part - 1) * slice
                        if part > 0 { target.update(repeating: 0, count: slice) }
                        let mine = min(part * share, columns)..<min((part + 1) * share, columns)
                        col2im(indirect, a: a, rows: rows, depth: inGroup, x: xGroup, columns: mine, chunk: chunk, geometry: geometry,
                               scratch: sBase + part * perPart, into: target)
                    }
                    // The other threads' outputs added in, the outputs split between the threads.
                    forEachShare(of: slice, threads: threads) { range in
                        for part in 1..<parts {
                            let source = privates + (part - 1) * slice
                            for i in range { yGroup[i] += source[i] }
                        }
                    }
                }
            }
        }
    }
}
