import ConvKernels
import ConvNets
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `CONVARITH_…` environment variables: a value that is set but cannot be used is named on standard
/// error once, with the default that applies instead (a limit silently left at its default reads as one
/// that took effect).
enum EnvironmentSettings {
    /// Each variable, the values it takes, and whether a value is one of them.
    private static let settings: [(name: String, takes: String, accepts: @Sendable (String) -> Bool)] = [
        ("CONVARITH_MEMORY_LIMIT_MB", "a whole number of megabytes from 1 (at most half of the memory is used)",
         { Int($0).map { $0 >= 1 } ?? false }),
        ("CONVARITH_WORK_LIMIT", "a whole number of operations from 1", { Int($0).map { $0 >= 1 } ?? false }),
        ("CONVARITH_EVAL_LINE_LIMIT_MB", "a whole number of megabytes, 1…65536",
         { Int($0).map { (1...65_536).contains($0) } ?? false }),
        ("CONVARITH_THREADS", "a whole number of threads, 1…256", { Int($0).map { (1...256).contains($0) } ?? false }),
        ("CONVARITH_KERNEL_ISA", "avx512, avx2 or portable, one this CPU runs", { MicroKernel.isSupported($0) }),
    ]

    /// Notes on standard error each variable set to a value it does not take.
    static func noteUnusableValues() {
        for setting in settings {
            guard let value = getenv(setting.name).map({ String(cString: $0) }), !value.isEmpty, !setting.accepts(value) else {
                continue
            }
            let shown = SafeText.visible(String(value.prefix(40)))
            printError("note: \(setting.name)=\"\(shown)\" is ignored: it takes \(setting.takes); the default applies")
        }
    }
}
