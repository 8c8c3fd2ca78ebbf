/// The sizes of one axis of a network's input for which every layer has a shape and every join (Add,
/// Concat, Mul…) matches: from ``threshold`` on, exactly the sizes whose remainder modulo ``period`` is one
/// of ``residues``; below it, ``exceptions``.
///
/// Why a period exists: along any path a size is a composition of the paper's relationships,
/// `⌊(i + c)/s⌋ + 1` (or the ceiling), `s(i − 1) + c` and integer scalings, so whether two branches agree
/// depends, once every layer is past its smallest input, only on the input size modulo the product of the
/// strides involved. The period is therefore sought among the numbers built from the network's strides and
/// scale factors, and established by evaluating the network over at least two whole periods past the
/// threshold — the arithmetic gives the form, the evaluation the residues.
public struct AcceptedSizes: Sendable, Hashable, CustomStringConvertible {
    /// The input's name.
    public let input: String
    /// The axis of its shape (2 = the first spatial axis of `[N, C, H, W]`).
    public let axis: Int
    /// From this size on, acceptance repeats every ``period`` sizes.
    public let threshold: Int
    /// The period.
    public let period: Int
    /// The accepted remainders modulo ``period`` at and beyond ``threshold``, ascending.
    public let residues: [Int]
    /// The accepted sizes below ``threshold``.
    public let exceptions: [Int]
    /// The largest size evaluated.
    public let evaluatedUpTo: Int

    /// Whether `size` is accepted.
    public func accepts(_ size: Int) -> Bool {
        guard size >= 1 else { return false }
        return size >= threshold ? residues.contains(size % period) : exceptions.contains(size)
    }

    /// The accepted sizes nearest to `size`, below (or equal) and above.
    public func nearest(to size: Int) -> (below: Int?, above: Int?) {
        guard size >= 1, size < Int.max / 2 else { return (nil, nil) }
        // Past the threshold the answer is within one period; below it, among the exceptions.
        var below: Int?
        var candidate = size
        while candidate >= max(threshold, size - period) {
            if accepts(candidate) { below = candidate; break }
            candidate -= 1
        }
        if below == nil { below = exceptions.last { $0 <= size } }
        var above = exceptions.first { $0 > size }
        if above == nil, !residues.isEmpty {
            candidate = max(size + 1, threshold)
            while !accepts(candidate) { candidate += 1 }
            above = candidate
        }
        return (below, above)
    }

    /// "H ≥ 32 with H ≡ 0 (mod 32)", with the exceptions below.
    public var description: String {
        guard !residues.isEmpty || !exceptions.isEmpty else { return "no size up to \(evaluatedUpTo) is accepted" }
        var parts: [String] = []
        if !residues.isEmpty {
            let rule = period == 1 ? "every size" : "sizes ≡ \(residues.map(String.init).joined(separator: ", ")) (mod \(period))"
            let first = (threshold..<(threshold + period)).first { residues.contains($0 % period) } ?? threshold
            parts.append("\(rule) from \(first)")
        }
        if !exceptions.isEmpty {
            let listed = exceptions.prefix(8).map(String.init).joined(separator: ", ") + (exceptions.count > 8 ? ", …" : "")
            parts.append((residues.isEmpty ? "only " : "and below it ") + listed)
        }
        return parts.joined(separator: "; ")
    }
}

extension Network {
    /// The accepted sizes of every spatial axis of the first input (`[N, C, spatial…]`). Each axis is solved
    /// with the other spatial axes at an accepted size: the one given when it is accepted, else the nearest
    /// accepted size of a square input (all spatial axes equal), found first.
    /// - Parameters:
    ///   - limit: the largest size evaluated (each evaluation is one analysis of the network).
    ///   - progress: called with the analyses done and the total, after each one (a progress line).
    /// - Throws: ``NetworkError/malformed(_:at:)`` when the input has no full shape `[N, C, spatial…]`, or no
    ///   period shows within `limit`.
    public func acceptedSizesOfSpatialAxes(limit: Int = 1_024, progress: (Int, Int) -> Void = { _, _ in }) throws(NetworkError) -> [AcceptedSizes] {
        guard let input = inputs.first, let shape = input.shape, shape.count >= 3, shape.allSatisfy({ $0 >= 0 }) else {
            throw .malformed("the network's first input needs a full shape [N, C, spatial…] (give --input)", at: nil)
        }
        let spatial = Array(2..<shape.count)
        // The periods a rule can have, built from the primes of every layer's stride and scale factor — the
        // same for every axis, found once.
        var factors: Set<Int> = []
        for layer in analyze().layers {
            guard let resolved = layer.layer else { continue }
            for window in resolved.shape.axes { factors.formUnion(Self.primeFactors(window.stride)) }
        }
        for node in nodes {
            if case .upsample(let scales) = node.operation { for scale in scales { factors.formUnion(Self.primeFactors(scale)) } }
        }
        let periods = Self.smooth(upTo: max(1, limit / 3), primes: factors.sorted())
        let total = limit * (spatial.count + 1)
        var done = 0
        func step() {
            done += 1
            progress(done, total)
        }
        let square = try acceptedSizes(axis: spatial[0], limit: limit, periods: periods, evaluated: step) { size in
            var sized = shape
            for axis in spatial { sized[axis] = size }
            return sized
        }
        var settled = shape
        for axis in spatial where !square.accepts(shape[axis]) {
            let nearest = square.nearest(to: shape[axis])
            guard let size = nearest.below ?? nearest.above else {
                throw .malformed("no square input up to \(limit) is accepted: \(square.description)", at: nil)
            }
            settled[axis] = size
        }
        return try spatial.map { (axis) throws(NetworkError) in
            try acceptedSizes(axis: axis, limit: limit, periods: periods, evaluated: step) { size in
                var sized = settled
                sized[axis] = size
                return sized
            }
        }
    }

    /// The accepted sizes of `axis`, the input's shape for each size given by `shapeFor`, the smallest of
    /// `periods` (ascending) that the evaluations establish.
    private func acceptedSizes(axis: Int, limit: Int, periods: [Int], evaluated: () -> Void,
                               shapeFor: (Int) -> [Int]) throws(NetworkError) -> AcceptedSizes {
        let name = inputs.first?.name ?? "input"
        var accepted = [Bool](repeating: false, count: limit + 1)
        for size in 1...limit {
            accepted[size] = withInputShape(shapeFor(size)).analyze().status != .failed
            evaluated()
        }
        for period in periods {
            // The smallest threshold from which every size agrees with the size one period on.
            var threshold = limit - period + 1
            while threshold > 1 && accepted[threshold - 1] == accepted[threshold - 1 + period] { threshold -= 1 }
            guard limit - threshold + 1 >= 2 * period else { continue }
            let residues = (threshold..<(threshold + period)).filter { accepted[$0] }.map { $0 % period }.sorted()
            let exceptions = (1..<threshold).filter { accepted[$0] }
            return AcceptedSizes(input: name, axis: axis, threshold: threshold, period: period, residues: residues,
                                 exceptions: exceptions, evaluatedUpTo: limit)
        }
        throw .malformed("no period of acceptance shows for sizes up to \(limit) (periods tried: \(periods.prefix(12).map(String.init).joined(separator: ", ")))", at: nil)
    }

    private static func primeFactors(_ value: Int) -> Set<Int> {
        var result: Set<Int> = [], rest = value, divisor = 2
        while rest > 1 && divisor * divisor <= rest {
            while rest % divisor == 0 { result.insert(divisor); rest /= divisor }
            divisor += 1
        }
        if rest > 1 { result.insert(rest) }
        return result
    }

    /// 1 and the numbers up to `limit` whose prime factors are all in `primes`, ascending.
    private static func smooth(upTo limit: Int, primes: [Int]) -> [Int] {
        var numbers: Set<Int> = [1]
        var frontier = [1]
        while let next = frontier.popLast() {
            for prime in primes where next * prime <= limit && !numbers.contains(next * prime) {
                numbers.insert(next * prime)
                frontier.append(next * prime)
            }
        }
        return numbers.sorted()
    }
}
