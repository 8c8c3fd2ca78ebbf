extension FastKernels {
    /// Which columns of an indirect GEMM's B start every one of its rows on a boundary the kernel wants
    /// (``IndirectKernel/alignment``): column `first` and every `unit`-th column on. A convolution read in
    /// place from its input has rows a channel plane apart; when the planes are whole lines, every row of a
    /// tile is on a line or every one is off by the same floats, set by where the caller's tensor happens to
    /// start. Tiles that start at an aligned column keep the AVX2 kernel's loads on lines; the columns before
    /// `first` make a narrower tile of their own.
    struct ColumnAlignment: Equatable {
        /// The first aligned column (`0..<unit`).
        let first: Int
        /// Floats between aligned columns: the kernel's alignment, or half of it when the rows agree on only
        /// that (each of the AVX2 kernel's 32-byte loads then stays within a line).
        let unit: Int

        /// Column `first` and every `unit`-th after it.
        init(first: Int, unit: Int) {
            (self.first, self.unit) = (first, unit)
        }

        /// The alignment of B's rows `depths` (row `p` at `b + offsets[p]`) for `kernel`, or `nil` where the
        /// kernel does not care or the rows start at different places within a boundary (a 3 × 3 layer's taps).
        init?(b: UnsafePointer<Float>, offsets: UnsafePointer<Int64>, depths: Range<Int>, kernel: IndirectKernel) {
            // Off its lines a tile's rows take twice the lines; a tile that fits half of L1 even so is left as it is
            // (a 1 × 1 layer of depth 128 ran 11 % slower aligned, the partial tiles costing more than they saved).
            let wanted = kernel.alignment
            assert(wanted <= kernel.columns, "a lead tile narrower than the boundary must fit one tile")
            guard wanted >= 2, depths.count * kernel.columns * 2 * 4 > 16 << 10 else { return nil }
            let base = Int64(Int(bitPattern: b) / MemoryLayout<Float>.stride)
            var unit = Int64(wanted)
            var lead = ((base + offsets[depths.lowerBound]) % unit + unit) % unit
            for p in depths.dropFirst() {
                let misplaced = ((base + offsets[p]) % unit + unit) % unit
                if misplaced == lead { continue }
                // Rows that agree on half the boundary still keep each half-width load within a line.
                guard unit == Int64(wanted), (misplaced - lead) % (unit / 2) == 0 else { return nil }
                unit /= 2
                lead %= unit
            }
            first = Int((unit - lead) % unit)
            self.unit = Int(unit)
        }

        /// The end of a chunk that starts at `start` and would end at `end`: moved back to the last aligned column
        /// after `start` (when there is one), so that the chunks after it start aligned.
        func chunkEnd(from start: Int, to end: Int) -> Int {
            let over = ((end - first) % unit + unit) % unit
            return end - over > start ? end - over : end
        }
    }
}
