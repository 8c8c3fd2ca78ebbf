import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How many threads the fast path uses: `CONVARITH_THREADS`, else every active core.
public enum FastThreads {
    /// The default thread count.
    public static let `default`: Int = {
        if let text = getenv("CONVARITH_THREADS").map({ String(cString: $0) }), let value = Int(text), (1...256).contains(value) {
            return value
        }
        return max(Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), 1)
    }()

    /// Runs `body(part)` for `parts` parts on up to `threads` threads (1: the calling thread only).
    static func run(parts: Int, threads: Int, _ body: (Int) -> Void) {
        if threads <= 1 || parts <= 1 {
            for part in 0..<parts { body(part) }
            return
        }
        // The parts write disjoint memory; the closure only lives for this call.
        withoutActuallyEscaping(body) { escapable in
            let shared = UncheckedSendable(value: escapable)
            DispatchQueue.concurrentPerform(iterations: parts) { shared.value($0) }
        }
    }
}

/// Hands a value to the worker threads of one parallel loop, which use disjoint parts of it.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
}
