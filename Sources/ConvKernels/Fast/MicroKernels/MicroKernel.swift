import CConvKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The register-blocked micro-kernel of the fast path: `C[mr × nr] (+)= A·B` over packed panels. Chosen
/// once per process for the CPU (AVX-512, AVX2 + FMA, or portable C); `CONVARITH_KERNEL_ISA=avx512|avx2|portable`
/// forces one (an unsupported choice falls back to the portable kernel).
public struct MicroKernel: @unchecked Sendable {
    /// Rows of the tile (of A).
    public let rows: Int
    /// Columns of the tile (of B).
    public let columns: Int
    /// "avx512", "avx2" or "portable".
    public let name: String
    let function: convarith_microkernel_fn
    /// The indirect kernel of the same instruction set.
    let indirect: IndirectKernel
    /// The positions kernel of the same instruction set.
    let positions: PositionsKernel

    /// The kernel for a named instruction set (`nil`: the best this CPU supports).
    public init(named name: String? = nil) {
        let selected = name.map { convarith_select_microkernel($0) } ?? convarith_select_microkernel(nil)
        rows = Int(selected.mr)
        columns = Int(selected.nr)
        self.name = String(cString: selected.name)
        function = selected.kernel
        indirect = IndirectKernel(named: self.name)
        positions = PositionsKernel(named: self.name)
    }

    /// The kernel in effect: `CONVARITH_KERNEL_ISA`, else the best for this CPU.
    public static let current: MicroKernel = {
        if let forced = getenv("CONVARITH_KERNEL_ISA").map({ String(cString: $0) }), !forced.isEmpty {
            return MicroKernel(named: forced)
        }
        return MicroKernel()
    }()

    /// Whether this CPU runs the named kernel natively.
    public static func isSupported(_ name: String) -> Bool { convarith_supports(name) != 0 }
}
