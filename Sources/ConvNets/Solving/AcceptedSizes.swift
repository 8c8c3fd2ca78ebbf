/// The sizes of one axis of a network's input for which every layer has a shape and every join (Add,
/// Concat, Mul…) matches: from ``threshold`` on, exactly the sizes whose remainder modulo ``period`` is one
/// of ``residues``; below it, ``exceptions``.
///
/// Why a period exists: along any path a size is a composition of the paper's relationships,
/// `⌊(i + c)/s⌋ + 1` (or the ceiling), `s(i − 1) + c` and integer scalings, so for `i = Pq + r` with `P` a
/// multiple of every stride product along the path, each tensor's size is affine in `q` once every layer is
/// past its smallest input: `a·q + b_r`. Two branches then agree at a join for two consecutive `q` exactly
/// when they agree for all, so acceptance depends only on `i mod P`. `P` is derived from the network (the
/// least common multiple of the stride products along every path, and the denominators of fractional
/// scales); the residues come from evaluating the network past the threshold over at least two whole
/// periods, and the rule is checked at a sample of larger sizes up to the limit (a constant size in the
/// network — a fixed crop or reshape — can end the regularity; then every size is evaluated). Without a
/// derived period the smallest period consistent with every size up to the limit is taken among the
/// numbers built from the strides' and scales' primes.
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
    /// The largest size the rule was established up to.
    public let evaluatedUpTo: Int
    /// Whether the model declares this axis as a fixed number (an ONNX export without a dynamic axis): the
    /// sizes are then those its layers accept, for the model with the axis made dynamic — `--input` and ONNX
    /// Runtime refuse every other size of the file as it is.
    public var fixedByModel = false
    /// How many sizes were analysed to establish it (all sizes up to ``evaluatedUpTo``, or — when the
    /// network's derived period settles the rule early — the sizes up to that point and a sample beyond).
    public internal(set) var evaluations = 0

    /// Whether `size` is accepted.
    public func accepts(_ size: Int) -> Bool {
        guard size >= 1 else { return false }
        return size >= threshold ? residues.contains(size % period) : exceptions.contains(size)
    }

    /// Whether `size` is accepted, as far as this rule knows: `nil` beyond ``evaluatedUpTo`` (the rule's
    /// regularity is established up to there; a constant in the network, or a size's own overflow, can end
    /// it beyond).
    public func knownToAccept(_ size: Int) -> Bool? {
        size > evaluatedUpTo ? nil : accepts(size)
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
    /// with the other spatial axes at the size given when the network accepts the given shape, else at the
    /// nearest accepted size of a square input (all spatial axes equal), found first.
    /// - Parameters:
    ///   - limit: the largest size the rule is established up to (each evaluation is one analysis of the
    ///     network).
    ///   - progress: called with the analyses done and the most there can be, after each one.
    /// - Throws: ``NetworkError/malformed(_:at:)`` when the input has no full shape `[N, C, spatial…]`, or no
    ///   period shows within `limit`.
    public func acceptedSizesOfSpatialAxes(limit: Int = 1_024, progress: (Int, Int) -> Void = { _, _ in }) throws(NetworkError) -> [AcceptedSizes] {
        guard let input = inputs.first, let shape = input.shape, shape.count >= 3, shape.allSatisfy({ $0 >= 0 }) else {
            throw .malformed("the network's first input needs a full shape [N, C, spatial…] (give --input)", at: nil)
        }
        let spatial = Array(2..<shape.count)
        let report = analyze()
        // The periods a rule can have, built from the primes of every layer's stride and scale factor — the
        // same for every axis, found once — and the period the paths' strides give, when they give one.
        // The strides as written count too: at a given size that fails early, few layers are resolved.
        var factors: Set<Int> = []
        for layer in report.layers {
            guard let resolved = layer.layer else { continue }
            for window in resolved.shape.axes { factors.formUnion(Self.primeFactors(window.stride, upTo: limit)) }
        }
        for node in nodes {
            switch node.operation {
            case .upsample(let scales): for scale in scales { factors.formUnion(Self.primeFactors(scale, upTo: limit)) }
            case .window(let layer): for stride in Self.writtenStrides(layer) { factors.formUnion(Self.primeFactors(stride, upTo: limit)) }
            default: break
            }
        }
        let periods = Self.smooth(upTo: max(1, limit / 3), primes: factors.sorted())
        let derived = derivedPeriod(report)
        let total = limit * (spatial.count + 1)
        var done = 0
        func step() {
            done += 1
            progress(min(done, total), total)
        }
        // The other axes stay at the given size when it is accepted; else at the nearest accepted square size.
        var settled = shape
        if report.status == .failed {
            let square = try acceptedSizes(axis: spatial[0], limit: limit, periods: periods, derived: derived, evaluated: step) { size in
                var sized = shape
                for axis in spatial { sized[axis] = size }
                return sized
            }
            // A size beyond the limit is settled too: the rule is known only up to the limit.
            for axis in spatial where shape[axis] > limit || !square.accepts(shape[axis]) {
                let nearest = square.nearest(to: min(shape[axis], limit))
                guard let size = nearest.below ?? nearest.above else {
                    throw .malformed("no square input up to \(limit) is accepted: it fails at every size tried, so change a layer "
                                     + "(or the network needs inputs larger than \(limit))", at: nil)
                }
                settled[axis] = size
            }
        }
        let answers: [AcceptedSizes] = try spatial.map { (axis) throws(NetworkError) in
            try acceptedSizes(axis: axis, limit: limit, periods: periods, derived: derived, evaluated: step) { size in
                var sized = settled
                sized[axis] = size
                return sized
            }
        }
        progress(total, total)
        return answers.map { answer in
            var marked = answer
            marked.fixedByModel = input.declared.count == shape.count && Int(input.declared[answer.axis]) != nil
            return marked
        }
    }

    /// The least common multiple of the stride products along every path (and of the denominators of
    /// fractional resize scales), or `nil` when it exceeds 4,096 or a path holds an operator whose
    /// regularity this does not know (the sizes are then all evaluated).
    func derivedPeriod(_ report: NetworkReport) -> Int? {
        var rows: [String: LayerReport] = [:]
        for row in report.layers { rows[row.name] = row }
        var period: [String: Int] = [:]
        for input in inputs { period[input.name] = 1 }
        var whole = 1
        for node in nodes {
            var value = 1
            for input in node.inputs { value = Self.lcm(value, period[input] ?? 1) }
            switch node.operation {
            case .window(let written):
                // A transposed convolution is affine in its input (s(i − 1) + c): no period of its own.
                guard written.operation != .transposedConvolution else { break }
                let strides = rows[node.name]?.layer?.shape.axes.map(\.stride) ?? Self.writtenStrides(written)
                guard strides.allSatisfy({ $0 >= 1 && $0 <= 4_096 }) else { return nil }
                let (next, overflow) = value.multipliedReportingOverflow(by: strides.reduce(1, Self.lcm))
                guard !overflow else { return nil }
                value = next
            case .resize(_, let scales?):
                for scale in scales {
                    guard scale.isFinite, let denominator = (1...64).first(where: { abs(scale * Double($0) - (scale * Double($0)).rounded()) < 1e-9 }) else { return nil }
                    value *= denominator
                    guard value <= 4_096 else { return nil }
                }
            default:
                break
            }
            guard value <= 4_096 else { return nil }
            period[node.name] = value
            whole = Self.lcm(whole, value)
            guard whole <= 4_096 else { return nil }
        }
        return whole
    }

    /// The accepted sizes of `axis`, the input's shape for each size given by `shapeFor`. With a derived
    /// period `P`, the sizes up to at least 4·P are evaluated (more while no rule shows), the smallest
    /// period dividing `P` that they establish is taken, and it is checked at the last `P` sizes before
    /// `limit` and 16 sizes between; if any disagrees — or there is no derived period — every size up to
    /// `limit` is evaluated and the smallest of `periods` (ascending) that holds over the last quarter of
    /// them at least is taken.
    private func acceptedSizes(axis: Int, limit: Int, periods: [Int], derived: Int?, evaluated: () -> Void,
                               shapeFor: (Int) -> [Int]) throws(NetworkError) -> AcceptedSizes {
        let name = inputs.first?.name ?? "input"
        var known = [Bool?](repeating: nil, count: limit + 1)
        var evaluations = 0
        func accepted(_ size: Int) -> Bool {
            if let value = known[size] { return value }
            let value = withInputShape(shapeFor(size)).analyze().status != .failed
            known[size] = value
            evaluations += 1
            evaluated()
            return value
        }
        // The first of `periods` whose pattern holds over at least `span` sizes (and two of its periods) up to
        // `end`. A short span proves nothing: "sizes ≡ 1 (mod 4)" looks like "no size" over 3 sizes.
        func rule(upTo end: Int, periods: [Int], span: Int) -> AcceptedSizes? {
            for period in periods {
                // The smallest threshold from which every size agrees with the size one period on.
                var threshold = end - period + 1
                while threshold > 1 && accepted(threshold - 1) == accepted(threshold - 1 + period) { threshold -= 1 }
                guard end - threshold + 1 >= max(2 * period, span) else { continue }
                let residues = (threshold..<(threshold + period)).filter { accepted($0) }.map { $0 % period }.sorted()
                let exceptions = (1..<threshold).filter { accepted($0) }
                return AcceptedSizes(input: name, axis: axis, threshold: threshold, period: period, residues: residues,
                                     exceptions: exceptions, evaluatedUpTo: limit)
            }
            return nil
        }
        if let derived, 4 * derived < limit {
            let divisors = (1...derived).filter { derived % $0 == 0 }
            var end = min(limit, max(64, 4 * derived))
            while true {
                for size in 1...end { _ = accepted(size) }
                // Every period of the pattern divides the derived one; holding over two derived periods, it holds on.
                if let found = rule(upTo: end, periods: divisors, span: 2 * derived) {
                    let step = max(1, (limit - end) / 16)
                    let samples = end == limit ? [] : Array(stride(from: end + step, through: limit, by: step)) + Array(max(end + 1, limit - derived + 1)...limit)
                    if samples.allSatisfy({ accepted($0) == found.accepts($0) }) {
                        var settled = found
                        settled.evaluations = evaluations
                        return settled
                    }
                    break
                }
                if end == limit { break }
                end = min(limit, end * 2)
            }
        }
        for size in 1...limit { _ = accepted(size) }
        if var found = rule(upTo: limit, periods: periods, span: max(2, limit / 4)) {
            found.evaluations = evaluations
            return found
        }
        throw .malformed("no period of acceptance shows for sizes up to \(limit) (periods tried: \(periods.prefix(12).map(String.init).joined(separator: ", ")))", at: nil)
    }

    /// The least common multiple of two values at most 4,096 each (the caller caps them), or of anything
    /// below 2^31: no overflow.
    private static func lcm(_ a: Int, _ b: Int) -> Int {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        let (product, overflow) = (a / max(x, 1)).multipliedReportingOverflow(by: b)
        return overflow ? Int.max : product
    }

    /// The prime factors of `value` up to `bound` (a larger prime cannot divide a period the solver
    /// tries), by trial division up to `bound`: at most `bound` steps, whatever the value.
    private static func primeFactors(_ value: Int, upTo bound: Int) -> Set<Int> {
        var result: Set<Int> = [], rest = value, divisor = 2
        while rest > 1 && divisor <= bound && divisor <= rest / divisor {
            while rest % divisor == 0 { result.insert(divisor); rest /= divisor }
            divisor += 1
        }
        if rest > 1 && rest <= bound { result.insert(rest) }
        return result
    }

    /// A window layer's strides as written (pooling's default is its kernel, the others' 1).
    private static func writtenStrides(_ layer: WindowLayer) -> [Int] {
        layer.stride ?? (layer.operation == .pooling ? layer.kernel : [1])
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
