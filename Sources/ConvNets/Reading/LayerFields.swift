import ConvArithmetic
import Yams

/// The fields of one layer mapping, read by type; each read marks the field as used, and
/// ``checkUnused()`` refuses the rest (a misspelt `strides`, a field of another operator).
final class LayerFields {
    private let fields: Node.Mapping
    private let layer: Node
    private let op: String
    private var used: Set<String> = ["op", "name", "inputs", "convention"]

    init(fields: Node.Mapping, layer: Node, op: String) {
        self.fields = fields
        self.layer = layer
        self.op = op
    }

    /// Where the layer was written.
    var place: SourceLocation? { StackDecoder.place(layer) }

    /// Whether the field is present.
    func has(_ name: String) -> Bool {
        used.insert(name)
        return fields[name] != nil && fields[name]?.null == nil
    }

    /// The error for a required field.
    func missing(_ name: String) -> NetworkError {
        // A field written close to the one that is missing is most likely a misspelling of it.
        let unknown = fields.compactMap { $0.key.string }.filter { !used.contains($0) }
        let close = NearestName.among(unknown, to: name)
        let hint = close.map { " (is '\($0)' a misspelling of it?)" } ?? ""
        return .malformed("'\(op)' needs '\(name)'\(hint)", at: place)
    }

    private func value(_ name: String) -> Node? {
        used.insert(name)
        guard let node = fields[name], node.null == nil else { return nil }
        return node
    }

    func string(_ name: String) throws(NetworkError) -> String? {
        guard let node = value(name) else { return nil }
        guard case .scalar(let scalar) = node else { throw .malformed("'\(name)' must be a name", at: StackDecoder.place(node)) }
        return scalar.string
    }

    func strings(_ name: String) throws(NetworkError) -> [String]? {
        guard let node = value(name) else { return nil }
        switch node {
        case .scalar(let scalar): return [scalar.string]
        case .sequence(let items):
            guard items.count <= StackFile.layerLimit else { throw .tooLarge("'\(name)' lists \(items.count) names") }
            var names: [String] = []
            for item in items {
                guard case .scalar(let scalar) = item else { throw .malformed("'\(name)' must list layer names", at: StackDecoder.place(item)) }
                names.append(scalar.string)
            }
            guard !names.isEmpty else { throw .malformed("'\(name)' must name at least one layer", at: StackDecoder.place(node)) }
            return names
        default:
            throw .malformed("'\(name)' must be a layer name or a list of them", at: StackDecoder.place(node))
        }
    }

    func integer(_ name: String) throws(NetworkError) -> Int? {
        guard let node = value(name) else { return nil }
        guard let number = Self.integer(node) else {
            throw .malformed("'\(name)' must be a whole number, got \(Self.text(node))", at: StackDecoder.place(node))
        }
        return number
    }

    func integers(_ name: String) throws(NetworkError) -> [Int]? {
        guard let node = value(name) else { return nil }
        return try Self.integers(node, field: name)
    }

    /// `name`, or its other spelling `alias` (PyTorch's `kernel_size`, Keras's `filters` and `strides`).
    func integers(_ name: String, alias: String) throws(NetworkError) -> [Int]? {
        try checkOneSpelling(name, alias)
        if let values = try integers(name) { return values }
        return try integers(alias)
    }

    /// `name`, or its other spelling `alias`.
    func integer(_ name: String, alias: String) throws(NetworkError) -> Int? {
        try checkOneSpelling(name, alias)
        if let value = try integer(name) { return value }
        return try integer(alias)
    }

    /// Refuses a field given under both its spellings (`stride` and `strides`): one would be ignored.
    private func checkOneSpelling(_ name: String, _ alias: String) throws(NetworkError) {
        if has(name) && has(alias) {
            throw .malformed("'\(name)' and '\(alias)' are the same field; give one", at: place)
        }
    }

    func double(_ name: String) throws(NetworkError) -> Double? {
        guard let node = value(name) else { return nil }
        guard let number = node.float, number.isFinite else {
            throw .malformed("'\(name)' must be a number, got \(Self.text(node))", at: StackDecoder.place(node))
        }
        return number
    }

    func bool(_ name: String) throws(NetworkError) -> Bool? {
        guard let node = value(name) else { return nil }
        if let flag = node.bool { return flag }
        if let number = Self.integer(node), number == 0 || number == 1 { return number == 1 }
        throw .malformed("'\(name)' must be true or false, got \(Self.text(node))", at: StackDecoder.place(node))
    }

    /// A padding: a number, one per axis, `[lo, hi]` pairs per axis, or a name (`same`, `valid`, …).
    func padding(_ name: String) throws(NetworkError) -> Padding? {
        guard let node = value(name) else { return nil }
        if case .scalar(let scalar) = node, Self.integer(node) == nil {
            guard let mode = PaddingMode(name: scalar.string) else {
                throw .malformed("'\(name)' must be a number, a list, [[before, after], …] or one of valid, same, same_lower, half, full, causal; got '\(scalar.string)'", at: StackDecoder.place(node))
            }
            return .named(mode)
        }
        if case .sequence(let items) = node, items.contains(where: { if case .sequence = $0 { return true } else { return false } }) {
            var axes: [AxisPadding] = []
            for item in items {
                let pair = try Self.integers(item, field: name)
                guard pair.count == 2 else {
                    throw .malformed("each axis of '\(name)' must be [before, after], got \(ShapeText.brackets(pair))", at: StackDecoder.place(item))
                }
                axes.append(AxisPadding(before: pair[0], after: pair[1]))
            }
            return .explicit(axes)
        }
        return .symmetric(try Self.integers(node, field: name))
    }

    /// Refuses fields no read asked for.
    func checkUnused() throws(NetworkError) {
        for (key, _) in fields {
            let name = key.string ?? "\(key)"
            if !used.contains(name) {
                // The nearest field the operator has, for a misspelling of an optional one (`paddng`).
                let nearest = NearestName.among(used.sorted(), to: name)
                let hint = nearest.map { " (is it '\($0)'?)" } ?? ""
                throw .malformed("'\(op)' has no field '\(name)'\(hint)", at: StackDecoder.place(key))
            }
        }
    }

    // MARK: Scalars

    static func integer(_ node: Node) -> Int? {
        guard case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any else { return nil }
        return Int(scalar.string)
    }

    static func integers(_ node: Node, field: String) throws(NetworkError) -> [Int] {
        if let number = integer(node) { return [number] }
        guard case .sequence(let items) = node else {
            throw .malformed("'\(field)' must be a whole number or a list of them, got \(text(node))", at: StackDecoder.place(node))
        }
        guard !items.isEmpty, items.count <= 64 else {
            throw .malformed("'\(field)' must list 1 to 64 numbers, got \(items.count)", at: StackDecoder.place(node))
        }
        var numbers: [Int] = []
        for item in items {
            guard let number = integer(item) else {
                throw .malformed("'\(field)' must list whole numbers, got \(text(item))", at: StackDecoder.place(item))
            }
            numbers.append(number)
        }
        return numbers
    }

    static func text(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): return "'\(scalar.string.prefix(40))'"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        case .alias: return "an alias"
        }
    }
}
