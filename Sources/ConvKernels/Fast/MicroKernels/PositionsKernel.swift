import CConvKernels

/// The fast path's positions micro-kernel: `C[m × n] (+)= A·B` with output positions as the tile's rows and
/// output channels as its lanes — row `i` of A is the `i`-th of `m` consecutive positions of the input's copy,
/// read in place at each window tap's offset, and B is the weights packed transposed. Tiles have exactly `m`
/// rows (no row computed and dropped); lanes past `n` are masked. The instruction set follows the
/// ``MicroKernel`` it belongs to.
struct PositionsKernel: @unchecked Sendable {
    /// The most rows (positions) a tile has.
    let rows: Int
    /// The most columns (output channels) a tile has.
    let columns: Int
    let function: convarith_positions_fn
    /// The instruction set's number for the C helpers: 2 (AVX-512), 1 (AVX2 + FMA), 0 (portable).
    let isa: Int32

    /// The kernel for a named instruction set (`nil`: the best this CPU supports).
    init(named name: String?) {
        let selected = name.map { convarith_select_positions_kernel($0) } ?? convarith_select_positions_kernel(nil)
        rows = Int(selected.mr)
        columns = Int(selected.nr)
        function = selected.kernel
        isa = convarith_select_isa(selected.name)
    }
}
