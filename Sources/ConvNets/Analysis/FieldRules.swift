import ConvArithmetic

/// How the non-window nodes change the receptive fields of a feature map `[N, C, spatial…]` (one field per
/// spatial axis); `nil` where the node leaves the fields unknown. Shared by the stack and ONNX operators.
enum FieldRules {
    /// Every output reads the whole of each spatial axis (global pooling, flattening into a linear layer).
    static func whole(_ field: [AxisReceptiveField]?, spatial: [Int]) throws(NetworkError) -> [AxisReceptiveField]? {
        guard let field, field.count == spatial.count else { return nil }
        return try map(field) { (index, axis) throws(ArithmeticError) in try axis.throughWholeAxis(extent: spatial[index]) }
    }

    /// The union of several inputs' fields (those of the same rank as the first): a skip connection.
    static func union(_ fields: [[AxisReceptiveField]]) throws(NetworkError) -> [AxisReceptiveField]? {
        guard var result = fields.first else { return nil }
        for other in fields.dropFirst() where other.count == result.count {
            result = try map(result) { (index, axis) throws(ArithmeticError) in try axis.union(with: other[index]) }
        }
        return result
    }

    /// After padding the spatial axes by `before` units (per axis of the whole tensor; none on N and C).
    static func padded(_ field: [AxisReceptiveField]?, shape: [Int], before: [Int]) throws(NetworkError) -> [AxisReceptiveField]? {
        guard let field, field.count == shape.count - 2, before.count == shape.count, before.prefix(2).allSatisfy({ $0 == 0 }) else { return nil }
        return try map(field) { (index, axis) throws(ArithmeticError) in
            AxisReceptiveField(size: axis.size, jump: axis.jump, start: try axis.start.subtracting(try axis.jump.multiplied(by: before[index + 2])))
        }
    }

    /// After resizing `shape` to `output` (N and C kept): integer factors are nearest-neighbour upsampling;
    /// other resizes leave the fields unknown.
    static func resized(_ field: [AxisReceptiveField]?, shape: [Int], output: [Int]) throws(NetworkError) -> [AxisReceptiveField]? {
        guard let field, field.count == shape.count - 2, output.count == shape.count, output.prefix(2) == shape.prefix(2) else { return nil }
        var factors: [Int] = []
        for (from, to) in zip(shape.dropFirst(2), output.dropFirst(2)) {
            guard from > 0, to % from == 0 else { return nil }
            factors.append(to / from)
        }
        return try map(field) { (index, axis) throws(ArithmeticError) in try axis.upsampled(by: factors[index]) }
    }

    private static func map(_ field: [AxisReceptiveField],
                            _ transform: (Int, AxisReceptiveField) throws(ArithmeticError) -> AxisReceptiveField) throws(NetworkError) -> [AxisReceptiveField] {
        var result: [AxisReceptiveField] = []
        result.reserveCapacity(field.count)
        do throws(ArithmeticError) {
            for (index, axis) in field.enumerated() { result.append(try transform(index, axis)) }
        } catch { throw .layer(error.description) }
        return result
    }
}
