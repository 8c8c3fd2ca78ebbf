import CConvKernels

/// The virtual columns of an indirect GEMM and the outputs they stand for: column
/// `v = v₀·E₁E₂ + v₁·E₂ + v₂` over the extents `(E₁, E₂)` is an output when `v₁ < count₁` and
/// `v₂ < count₂`, at position `origin + step · (v₀, v₁, v₂)` of an output of extents `(·, O₁, O₂)`. A
/// convolution's grid has origin 0 and step 1; a transposed convolution's phase `φ` has origin `φ` and step `s`.
struct VirtualGrid {
    let extents: (Int, Int)
    let counts: (Int, Int)
    let output: (Int, Int)
    let origin: (Int, Int, Int)
    let step: (Int, Int, Int)

    /// Calls `body` with each part of `columns` that lies in a run of columns holding outputs: the run
    /// of `v₀` is `[v₀·E₁E₂, v₀·E₁E₂ + (count₁ − 1)·E₂ + count₂)`. The columns between two runs (the
    /// rest of the last row, and the rows past `count₁`) hold none, so a GEMM need not compute them: a
    /// 3-D convolution of 32³ padded by one skips 70 of every 1,156 columns.
    func forEachRun(in columns: Range<Int>, _ body: (Range<Int>) -> Void) {
        let pitch = extents.0 * extents.1, length = (counts.0 - 1) * extents.1 + counts.1
        guard pitch > 0, length > 0 else { return }
        // No gaps (a grid of exactly its outputs, as gathered phases have): one run across the slabs.
        if length == pitch {
            if !columns.isEmpty { body(columns) }
            return
        }
        var v0 = columns.lowerBound / pitch
        while v0 * pitch < columns.upperBound {
            let first = max(v0 * pitch, columns.lowerBound), end = min(v0 * pitch + length, columns.upperBound)
            if first < end { body(first..<end) }
            v0 += 1
        }
    }

    /// Calls `body` for each run of `columns` that holds outputs within one output row: the run's first column
    /// counted from `columns.lowerBound`, its length, and the index of its first output in a plane of the output
    /// (the columns past each row of outputs, and the rows past `count₁`, are skipped).
    func forEachOutputRun(in columns: Range<Int>, _ body: (_ column: Int, _ count: Int, _ output: Int) -> Void) {
        let (e1, e2) = extents
        let (m1, m2) = counts
        let (o1, o2) = output
        var v = columns.lowerBound
        while v < columns.upperBound {
            let v0 = v / (e1 * e2), rest = v % (e1 * e2)
            let v1 = rest / e2, v2 = rest % e2
            if v1 >= m1 {
                v = (v0 + 1) * e1 * e2
                continue
            }
            if v2 >= m2 {
                v += e2 - v2
                continue
            }
            let count = min(m2 - v2, columns.upperBound - v)
            body(v - columns.lowerBound, count,
                 ((origin.0 + step.0 * v0) * o1 + origin.1 + step.1 * v1) * o2 + origin.2 + step.2 * v2)
            v += count
        }
    }

    /// Copies virtual columns `columns` of `rows` rows (`source`, row stride `ldc`) to their outputs in `y`
    /// (row stride `plane`), dropping the columns past each row of outputs; `isa` as the kernels' (outputs
    /// `s` apart are stored by C, stride 2 eight at a time on AVX-512).
    func scatter(_ source: UnsafePointer<Float>, ldc: Int, rows: Int, columns: Range<Int>,
                 into y: UnsafeMutablePointer<Float>, plane: Int, isa: Int32) {
        forEachOutputRun(in: columns) { column, count, output in
            for row in 0..<rows {
                let f = source + column + row * ldc, t = y + output + row * plane
                if step.2 == 1 {
                    t.update(from: f, count: count)
                } else {
                    convarith_store_strided(f, Int64(count), t, Int64(step.2), isa)
                }
            }
        }
    }

    /// Whether `other` is this grid's next column phase of a stride-2 output (origins 0 and 1 along the last axis,
    /// the same columns): their columns then go to the outputs of the same rows, side by side
    /// (``scatterPairs(_:_:ldc:rows:columns:into:plane:isa:)``).
    func pairs(with other: VirtualGrid) -> Bool {
        step.2 == 2 && origin.2 == 0 && other.origin.2 == 1 && other.step == step && other.origin.0 == origin.0
            && other.origin.1 == origin.1 && other.extents == extents && other.counts == counts
            && other.output == output
    }

    /// ``scatter(_:ldc:rows:columns:into:plane:isa:)`` of this grid's columns (`even`) and of the next column phase's
    /// (`odd`, ``pairs(with:)``) at once: each output row's two runs interleaved a vector at a time (`isa` 2
    /// AVX-512, 1 AVX2; 0 and a run's last pairs a float at a time).
    func scatterPairs(_ even: UnsafePointer<Float>, _ odd: UnsafePointer<Float>, ldc: Int, rows: Int,
                      columns: Range<Int>, into y: UnsafeMutablePointer<Float>, plane: Int, isa: Int32) {
        // The even phase's origin is 0 along the last axis: its outputs 2·v₂, the odd phase's 2·v₂ + 1.
        forEachOutputRun(in: columns) { column, count, output in
            for row in 0..<rows {
                convarith_store_pairs(even + row * ldc + column, odd + row * ldc + column, Int64(count),
                                      y + output + row * plane, isa)
            }
        }
    }
}
