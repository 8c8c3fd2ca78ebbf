import CConvKernels

extension FastKernels {
    /// Runs `body` with `count` floats of scratch, 64-byte aligned and uninitialized (NaN in debug builds, so that
    /// the tests see a float read before it is written): the block kept between calls when it is free and large
    /// enough (its pages already touched: a 16 MB padded copy costs 4,096 page faults a call when fresh), else a
    /// new one, given back afterwards (the largest, up to 64 MB, is kept).
    static func withScratch<Result>(floats count: Int, _ body: (UnsafeMutablePointer<Float>) -> Result) -> Result {
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        func run(_ raw: UnsafeMutableRawPointer) -> Result {
            let floats = raw.bindMemory(to: Float.self, capacity: max(count, 1))
            #if DEBUG
            // Debug builds (the tests) hand out NaN, as `uninitialized` does: a float read before it is written shows.
            floats.update(repeating: .nan, count: max(count, 1))
            #endif
            return body(floats)
        }
        var capacity = 0
        guard let block = convarith_scratch_take(bytes, &capacity) else {
            // The allocator refused: the usual allocation, which stops the process as any other would.
            let fresh = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
            defer { fresh.deallocate() }
            return run(fresh)
        }
        defer { convarith_scratch_give(block, capacity) }
        return run(block)
    }
}
