import CConvKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The fast pooling path's kernel: a plane of a pooling layer, a vector of outputs at a time with its
/// window's taps accumulated in registers (max or sum, in the reference's order), in C for AVX-512, AVX2 or
/// portable code, chosen once per process like ``MicroKernel`` and forced by the same `CONVARITH_KERNEL_ISA`.
struct RowKernels: @unchecked Sendable {
    /// "avx512", "avx2" or "portable".
    let name: String
    let poolPlane: convarith_pool_plane_fn

    /// The kernels for a named instruction set (`nil`: the best this CPU supports).
    init(named name: String? = nil) {
        let selected = name.map { convarith_select_row_kernels($0) } ?? convarith_select_row_kernels(nil)
        self.name = String(cString: selected.name)
        poolPlane = selected.pool_plane
    }

    /// The kernels in effect: `CONVARITH_KERNEL_ISA`, else the best for this CPU.
    static let current: RowKernels = {
        if let forced = getenv("CONVARITH_KERNEL_ISA").map({ String(cString: $0) }), !forced.isEmpty {
            return RowKernels(named: forced)
        }
        return RowKernels()
    }()
}
