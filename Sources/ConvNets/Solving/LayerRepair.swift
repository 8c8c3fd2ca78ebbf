import ConvArithmetic

/// A change to one convolution, pooling or transposed convolution of a network that makes the whole
/// network analyse without a failure at the input sizes given: a padding one unit larger or smaller on
/// one or every axis, an output padding, or a pooling's ceil mode.
public struct LayerRepair: Sendable, Hashable, CustomStringConvertible {
    /// What changes.
    public enum Change: Sendable, Hashable {
        /// The explicit padding per spatial axis, before and after, that replaces the layer's.
        case padding(from: [AxisPadding], to: [AxisPadding])
        /// The output padding per spatial axis that replaces the layer's.
        case outputPadding(from: [Int], to: [Int])
        /// The pooling's ceil mode, switched.
        case ceilMode(to: Bool)
    }

    /// The node changed (its name in the network's table).
    public let node: String
    /// The operator as written (`transposed`, `ConvTranspose`…).
    public let label: String
    /// The change.
    public let change: Change
    /// Units of padding or output padding moved (1 for a ceil mode switch): the size of the change.
    public let magnitude: Int
    /// Nodes between the change and the node that failed (0: the failing node itself).
    public let distance: Int

    /// `d3: output_padding [1, 1] → [1, 0]`.
    public var description: String {
        switch change {
        case .padding(let from, let to):
            "\(node): padding \(Self.text(from)) → \(Self.text(to))"
        case .outputPadding(let from, let to):
            "\(node): output_padding \(Self.list(from)) → \(Self.list(to))"
        case .ceilMode(let to):
            "\(node): ceil_mode \(!to) → \(to)"
        }
    }

    /// `[1, 1:2]`: per axis, one number when both ends are equal, else before:after.
    static func text(_ axes: [AxisPadding]) -> String {
        "[" + axes.map { $0.before == $0.after ? "\($0.before)" : "\($0.before):\($0.after)" }.joined(separator: ", ") + "]"
    }
    static func list(_ values: [Int]) -> String { "[" + values.map(String.init).joined(separator: ", ") + "]" }
}

extension Network {
    /// The smallest changes of one window layer that repair the network's first failure, smallest first
    /// and then nearest to the failing node: among the `candidates` window layers nearest upstream of it
    /// (the failing node itself included), a padding moved by one unit at one end, both ends or on every
    /// axis, an output padding below its stride, or a pooling's ceil mode switched. A change counts when the
    /// whole network then analyses without a failure. Empty when nothing failed or no such change exists.
    /// - Parameters:
    ///   - candidates: how many window layers upstream of the failure are tried.
    ///   - limit: how many repairs are returned.
    public func repairs(candidates: Int = 8, limit: Int = 3) -> [LayerRepair] {
        let report = analyze()
        guard let failure = report.firstFailure else { return [] }
        var rows: [String: LayerReport] = [:]
        for row in report.layers { rows[row.name] = row }
        var index: [String: Int] = [:]
        for (position, node) in nodes.enumerated() { index[node.name] = position }
        // The window layers upstream of the failure, breadth first.
        var found: [(position: Int, distance: Int)] = []
        var seen: Set<String> = [failure.name]
        var queue: [(String, Int)] = [(failure.name, 0)]
        var head = 0
        while head < queue.count, found.count < candidates {
            let (name, distance) = queue[head]
            head += 1
            guard let position = index[name] else { continue }
            if case .window = nodes[position].operation { found.append((position, distance)) }
            for input in nodes[position].inputs where !seen.contains(input) {
                seen.insert(input)
                queue.append((input, distance + 1))
            }
        }
        var repairs: [LayerRepair] = []
        let variants = found.flatMap { candidate in
            variantsOf(position: candidate.position, row: rows[nodes[candidate.position].name], distance: candidate.distance)
        }.sorted { ($0.magnitude, $0.distance) < ($1.magnitude, $1.distance) }
        for repair in variants where repairs.count < limit {
            if let changed = applying(repair), changed.analyze().status != .failed { repairs.append(repair) }
        }
        return repairs
    }

    /// The network with `repair` made to its layer; `nil` when no window layer has the repair's node name.
    public func applying(_ repair: LayerRepair) -> Network? {
        guard let position = nodes.firstIndex(where: { $0.name == repair.node }), case .window(var layer) = nodes[position].operation else { return nil }
        switch repair.change {
        case .padding(_, let to): layer.padding = .explicit(to)
        case .outputPadding(_, let to): layer.outputPadding = to
        case .ceilMode(let to): layer.ceilMode = to
        }
        var copy = self
        copy.nodes[position].operation = .window(layer)
        return copy
    }

    /// The layer at `position` changed in each of the ways ``repairs(candidates:limit:)`` tries.
    private func variantsOf(position: Int, row: LayerReport?, distance: Int) -> [LayerRepair] {
        guard case .window(let layer) = nodes[position].operation else { return [] }
        let node = nodes[position]
        // The rank of the tensor it reads (a failing layer has no resolved shape), else of its kernel.
        let rank = row?.layer?.shape.rank ?? row?.inputShapes.first?.flatMap { $0.count > 2 ? $0.count - 2 : nil } ?? layer.kernel.count
        func expanded(_ values: [Int]?, default value: Int) -> [Int]? {
            guard let values else { return Array(repeating: value, count: rank) }
            return values.count == 1 ? Array(repeating: values[0], count: rank) : values.count == rank ? values : nil
        }
        var variants: [LayerRepair] = []
        func add(_ change: LayerRepair.Change, magnitude: Int) {
            variants.append(LayerRepair(node: node.name, label: node.label, change: change, magnitude: magnitude, distance: distance))
        }
        // The padding as resolved (a named mode becomes its explicit values), or as written.
        var padding: [AxisPadding]?
        if let resolved = row?.layer { padding = resolved.shape.axes.map(\.padding) }
        else if case .explicit(let axes)? = layer.padding { padding = axes.count == 1 ? Array(repeating: axes[0], count: rank) : axes }
        else if layer.padding == nil { padding = Array(repeating: AxisPadding(0), count: rank) }
        if let padding, padding.count == rank {
            let moves = [(0, 1), (1, 0), (1, 1), (0, -1), (-1, 0), (-1, -1)]
            for (before, after) in moves {
                for axes in [Array(0..<rank)] + (rank > 1 ? (0..<rank).map { [$0] } : []) {
                    var changed = padding
                    for axis in axes { changed[axis] = AxisPadding(before: changed[axis].before + before, after: changed[axis].after + after) }
                    guard changed.allSatisfy({ $0.before >= 0 && $0.after >= 0 }) else { continue }
                    add(.padding(from: padding, to: changed), magnitude: (abs(before) + abs(after)) * axes.count)
                }
            }
        }
        if layer.operation == .transposedConvolution, layer.outputSize == nil {
            if let strides = expanded(layer.stride, default: 1), let dilations = expanded(layer.dilation, default: 1),
               let current = expanded(layer.outputPadding, default: 0) {
                // Every output padding below max(stride, dilation) per axis, when that is at most 64 combinations
                // (counted before any is made: a stride of 2^62 makes none).
                let counts = (0..<rank).map { max(strides[$0], dilations[$0], 1) }
                var total = 1
                for count in counts where total <= 64 {
                    let (product, overflow) = total.multipliedReportingOverflow(by: count)
                    total = overflow ? Int.max : product
                }
                var combinations: [[Int]] = total <= 64 ? [[]] : []
                for count in counts where total <= 64 {
                    combinations = combinations.flatMap { prefix in (0..<count).map { prefix + [$0] } }
                }
                for values in combinations where values != current {
                    add(.outputPadding(from: current, to: values), magnitude: zip(values, current).map { abs($0 - $1) }.reduce(0, +))
                }
            }
        }
        if layer.operation == .pooling {
            add(.ceilMode(to: !layer.ceilMode), magnitude: 1)
        }
        return variants
    }
}
