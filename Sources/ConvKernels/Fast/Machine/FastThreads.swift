import CConvKernels
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

    /// Runs `body(part)` for `parts` parts on up to `threads` threads (1: the calling thread only): the
    /// calling thread and the persistent workers of `threadpool.c` (which spin briefly between jobs, so a
    /// loop of a few hundred microseconds does not wait for threads to wake), or Dispatch's when another
    /// caller is using the pool.
    static func run(parts: Int, threads: Int, _ body: (Int) -> Void) {
        if threads <= 1 || parts <= 1 {
            for part in 0..<parts { body(part) }
            return
        }
        // The parts write disjoint memory; the closure only lives for this call.
        let ran = withoutActuallyEscaping(body) { escapable -> Bool in
            var task = PoolTask(body: escapable)
            return withUnsafeMutablePointer(to: &task) { pointer in
                convarith_parallel_run(Int64(parts), Int64(min(threads, parts)), { context, part in
                    context!.assumingMemoryBound(to: PoolTask.self).pointee.body(Int(part))
                }, pointer) != 0
            }
        }
        if ran { return }
        withoutActuallyEscaping(body) { escapable in
            let shared = UncheckedSendable(value: escapable)
            DispatchQueue.concurrentPerform(iterations: parts) { shared.value($0) }
        }
    }
}

/// The loop body a pool job calls through its context pointer.
private struct PoolTask {
    let body: (Int) -> Void
}

/// Hands a value to the worker threads of one parallel loop, which use disjoint parts of it.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
}
