import CConvKernels

/// The fast convolution path's indirect micro-kernel: `C[m × n] (+)= A·B` where A is a packed panel or rows
/// read in place, and
/// row `p` of B is read in place at `b + offsets[p]` (the input, or its zero-padded, phase-split copy), so
/// B is never packed. Lanes past `n` are masked, never read. The instruction set follows the
/// ``MicroKernel`` it belongs to.
struct IndirectKernel: @unchecked Sendable {
    /// Rows of the tile (of A).
    let rows: Int
    /// Columns of the tile (of B).
    let columns: Int
    /// "avx512", "avx2" or "portable".
    let name: String
    let function: convarith_indirect_fn
    /// The instruction set's number for the C helpers: 2 (AVX-512), 1 (AVX2 + FMA), 0 (portable).
    let isa: Int32
    /// Floats on whose boundaries the kernel wants its rows of B to start (a 64-byte cache line), or 0 where it does
    /// not care (``FastKernels/ColumnAlignment``). The AVX2 tile's two loads a row span two lines when a row is off a
    /// line: a 1 × 1 GEMM read in place from an input 16 bytes off a line ran 24 % slower on Zen 4 (DenseNet's
    /// 512 → 128 on 28 × 28, a C harness: 0.98 ms on lines, 1.21 off). The AVX-512 tile ran at the same speed
    /// either way, so partial tiles to align it would only cost.
    var alignment: Int { isa == 1 ? 16 : 0 }

    /// The kernel for a named instruction set (`nil`: the best this CPU supports).
    init(named name: String?) {
        let selected = name.map { convarith_select_indirect_kernel($0) } ?? convarith_select_indirect_kernel(nil)
        rows = Int(selected.mr)
        columns = Int(selected.nr)
        self.name = String(cString: selected.name)
        function = selected.kernel
        isa = convarith_select_isa(selected.name)
    }
}
