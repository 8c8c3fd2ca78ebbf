import CConvKernels

/// The FMA peak the fast path's GFLOP/s are compared with: a register-only loop of independent fused
/// multiply-adds in the instruction set of the micro-kernel (no memory traffic), timed on one or more threads.
public enum FMAPeak {
    /// GFLOP/s of `threads` threads each running the loop for about `seconds`, or `nil` for the portable
    /// kernel (its C is not an FMA loop). Two threads on two cores report about twice one's peak.
    public static func measure(threads: Int = 1, seconds: Double = 0.5, microKernel: MicroKernel = .current) -> Double? {
        let name = microKernel.name
        let clock = ContinuousClock()
        func run(_ iterations: Int64) -> Double { name.withCString { convarith_fma_peak_run(iterations, $0) } }
        // Calibrate: a million steps, then enough for `seconds`.
        let start = clock.now
        guard run(1_000_000) > 0 else { return nil }
        let calibration = max(elapsedSeconds(clock.now - start), 1e-6)
        let iterations = Int64(max(1, min(Double(1 << 40), 1_000_000 * max(seconds, 0.01) / calibration)))
        let parts = max(1, threads)
        var flops = [Double](repeating: 0, count: parts)
        let begin = clock.now
        flops.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            FastThreads.run(parts: parts, threads: parts) { part in base[part] = run(iterations) }
        }
        let elapsed = max(elapsedSeconds(clock.now - begin), 1e-9)
        return flops.reduce(0, +) / elapsed / 1e9
    }

    private static func elapsedSeconds(_ duration: Duration) -> Double {
        let (whole, attoseconds) = duration.components
        return Double(whole) + Double(attoseconds) / 1e18
    }
}
