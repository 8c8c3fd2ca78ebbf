import CConvKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The fast path's window kernels: a plane of a pooling layer or of a depthwise convolution, a vector of
/// outputs at a time with its window's taps accumulated in registers (max, sum or weighted sum, in the
/// reference's order), in C for AVX-512, AVX2 or portable code, chosen once per process like
/// ``MicroKernel`` and forced by the same `CONVARITH_KERNEL_ISA`.
struct RowKernels: @unchecked Sendable {
    /// "avx512", "avx2" or "portable".
    let name: String
    let poolPlane: convarith_pool_plane_fn
    let depthwisePlane: convarith_depthwise_plane_fn
    /// A pooling or depthwise plane on its padded input split into its strides' phases (pooling: the same
    /// floats as ``poolPlane``).
    let gridPlane: convarith_grid_window_plane_fn
    /// A pooling plane read straight from its input, its windows moving a column at a time (the same floats as
    /// ``poolPlane``).
    let directPlane: convarith_direct_plane_fn
    /// A weighted sum of taps at fixed offsets, a vector of outputs at a time (a transposed depthwise layer's phases).
    let weightedStream: convarith_weighted_stream_fn
    /// A block of depthwise or pooling planes at once, channels innermost (its `lanes` planes a call).
    let windowChannels: convarith_window_channels
    /// A tensor's first NaN or −0 (max pooling's rules, ``MaxWindowRules``).
    let scans: convarith_float_scans

    /// The kernels for a named instruction set (`nil`: the best this CPU supports).
    init(named name: String? = nil) {
        let selected = name.map { convarith_select_row_kernels($0) } ?? convarith_select_row_kernels(nil)
        self.name = String(cString: selected.name)
        poolPlane = selected.pool_plane
        depthwisePlane = selected.depthwise_plane
        gridPlane = name.map { convarith_select_grid_window_plane($0) } ?? convarith_select_grid_window_plane(nil)
        directPlane = name.map { convarith_select_direct_plane($0) } ?? convarith_select_direct_plane(nil)
        weightedStream = name.map { convarith_select_weighted_stream($0) } ?? convarith_select_weighted_stream(nil)
        windowChannels = name.map { convarith_select_window_channels($0) } ?? convarith_select_window_channels(nil)
        scans = name.map { convarith_select_float_scans($0) } ?? convarith_select_float_scans(nil)
    }

    /// The kernels of `microKernel`'s instruction set.
    static func matching(_ microKernel: MicroKernel) -> RowKernels {
        microKernel.name == current.name ? current : RowKernels(named: microKernel.name)
    }

    /// The kernels in effect: `CONVARITH_KERNEL_ISA`, else the best for this CPU.
    static let current: RowKernels = {
        if let forced = getenv("CONVARITH_KERNEL_ISA").map({ String(cString: $0) }), !forced.isEmpty {
            return RowKernels(named: forced)
        }
        return RowKernels()
    }()
}
