import ConvArithmetic

/// How the non-window nodes change the receptive fields of a feature map `[N, C, spatial…]` (one
/// ``InputField`` per spatial axis of the network's input, aligned with the tensor's last axes); `nil`
/// where the node leaves the fields unknown. Shared by the stack and ONNX operators. Every rule is total:
/// a field never costs a shape.
enum FieldRules {
    /// Every output reads the whole of each spatial axis (global pooling, flattening into a linear layer).
    static func whole(_ field: [InputField]?, spatial: [Int]) -> [InputField]? {
        guard let field, field.count == spatial.count else { return nil }
        return field.enumerated().map { $0.element.throughWholeAxis(extent: spatial[$0.offset]) }
    }

    /// A reduction (or any node whose units read the whole of some axes) over the tensor axes `axes` of
    /// `shape`: those spatial axes read the whole input, the others keep their fields.
    static func reduced(_ field: [InputField]?, shape: [Int], axes: Set<Int>) -> [InputField]? {
        guard let field, field.count <= shape.count else { return nil }
        // Axes before the spatial ones (batch, channels) leave every field as it is.
        let offset = shape.count - field.count
        return field.enumerated().map { index, axis in
            axes.contains(offset + index) ? axis.throughWholeAxis(extent: shape[offset + index]) : axis
        }
    }

    /// The field of an elementwise node or concatenation over inputs of `shapes` (the same count as
    /// `fields`; `nil` for an input without a field, such as a constant) giving `output`: per axis the
    /// union of the inputs' fields. An input broadcast along an axis (its size 1, the output's larger)
    /// is read by every unit: a whole-input branch (a squeeze-and-excitation gate) makes the axis whole
    /// without touching the jump; a partial one leaves the fields unknown.
    static func joined(_ fields: [[InputField]?], shapes: [[Int]], output: [Int]) -> [InputField]? {
        var result: [InputField?]?
        for (field, shape) in zip(fields, shapes) {
            guard let field else { continue }
            guard field.count <= shape.count, field.count <= output.count else { return nil }
            if let current = result, current.count != field.count { continue }
            var contribution: [InputField] = []
            for (index, axis) in field.enumerated() {
                let own = shape[shape.count - field.count + index], produced = output[output.count - field.count + index]
                if own == 1 && produced > 1 {
                    guard axis.isWholeInput else { return nil }
                    contribution.append(.wholeInput(jump: nil))
                } else {
                    contribution.append(axis)
                }
            }
            result = zip(result ?? Array(repeating: nil, count: contribution.count), contribution).map { current, next in
                current.map { $0.union(with: next) } ?? next
            }
        }
        return result.map { $0.compactMap { $0 } }
    }

    /// After padding the spatial axes by `before` units (per axis of the whole tensor; none on N and C).
    static func padded(_ field: [InputField]?, shape: [Int], before: [Int]) -> [InputField]? {
        guard let field, field.count == shape.count - 2, before.count == shape.count, before.prefix(2).allSatisfy({ $0 == 0 }) else { return nil }
        return field.enumerated().map { $0.element.padded(before: before[$0.offset + 2]) }
    }

    /// After resizing `shape` to `output` (N and C kept): integer factors are nearest-neighbour upsampling;
    /// other resizes leave the fields unknown.
    static func resized(_ field: [InputField]?, shape: [Int], output: [Int]) -> [InputField]? {
        guard let field, field.count == shape.count - 2, output.count == shape.count, output.prefix(2) == shape.prefix(2) else { return nil }
        var factors: [Int] = []
        for (from, to) in zip(shape.dropFirst(2), output.dropFirst(2)) {
            guard from > 0, to % from == 0 else { return nil }
            factors.append(to / from)
        }
        return field.enumerated().map { $0.element.upsampled(by: factors[$0.offset]) }
    }
}
