import ConvArithmetic

/// The output shapes of the non-window nodes. Every rule checks its inputs and throws a message that
/// names both shapes and the axis where they disagree.
enum ShapeRules {
    /// `Π shape`, checked.
    static func elementCount(_ shape: [Int]) throws(NetworkError) -> Int {
        guard let count = product(shape) else {
            throw .layer("the tensor \(ShapeText.brackets(shape)) has more elements than a 64-bit integer counts")
        }
        return count
    }

    /// `Π shape`, saturating at `Int.max` (for comparisons against small limits).
    static func count(_ shape: [Int]) -> Int {
        var product = 1
        for dimension in shape {
            let (next, overflow) = product.multipliedReportingOverflow(by: max(dimension, 0))
            product = overflow ? Int.max : next
        }
        return product
    }

    /// NumPy's `matmul`: `[…, n, k] · […, k, m] → […, n, m]` with the leading axes broadcast; a 1-D
    /// operand gains an axis for the product and loses it after.
    static func matrixMultiply(_ a: [Int], _ b: [Int]) throws(NetworkError) -> [Int] {
        guard !a.isEmpty, !b.isEmpty else { throw .layer("MatMul needs operands with at least one axis") }
        let left = a.count == 1 ? [1] + a : a, right = b.count == 1 ? b + [1] : b
        guard left[left.count - 1] == right[right.count - 2] else {
            throw .layer("cannot multiply \(ShapeText.brackets(a)) by \(ShapeText.brackets(b)): the inner sizes \(left[left.count - 1]) and \(right[right.count - 2]) differ")
        }
        var shape = try broadcast([Array(left.dropLast(2)), Array(right.dropLast(2))]) + [left[left.count - 2], right[right.count - 1]]
        if a.count == 1 { shape.remove(at: shape.count - 2) }
        if b.count == 1 { shape.removeLast() }
        return shape
    }

    /// The product of `factors` (a layer's multiply-adds), `nil` when it does not fit in 64 bits.
    static func product(_ factors: [Int]) -> Int? {
        var product = 1
        for factor in factors {
            let (next, overflow) = product.multipliedReportingOverflow(by: factor)
            if overflow { return nil }
            product = next
        }
        return product
    }

    /// `a · b`, checked.
    static func multiply(_ a: Int, _ b: Int, _ what: String) throws(NetworkError) -> Int {
        let (value, overflow) = a.multipliedReportingOverflow(by: b)
        if overflow { throw .layer("\(what) does not fit in a 64-bit integer") }
        return value
    }

    /// `a + b`, checked.
    static func add(_ a: Int, _ b: Int, _ what: String) throws(NetworkError) -> Int {
        let (value, overflow) = a.addingReportingOverflow(b)
        if overflow { throw .layer("\(what) does not fit in a 64-bit integer") }
        return value
    }

    /// The NumPy/ONNX broadcast of several shapes: aligned at the last axis, each pair of dimensions equal
    /// or one of them 1.
    static func broadcast(_ shapes: [[Int]]) throws(NetworkError) -> [Int] {
        guard var result = shapes.first else { return [] }
        for shape in shapes.dropFirst() {
            let rank = max(result.count, shape.count)
            var combined = [Int](repeating: 1, count: rank)
            for offset in 0..<rank {
                let a = offset < result.count ? result[result.count - 1 - offset] : 1
                let b = offset < shape.count ? shape[shape.count - 1 - offset] : 1
                guard a == b || a == 1 || b == 1 else {
                    let axis = rank - 1 - offset
                    throw .layer("cannot broadcast \(ShapeText.brackets(result)) with \(ShapeText.brackets(shape)): axis \(axis) (aligned at the last axis) has \(a) and \(b), which must be equal or 1")
                }
                combined[rank - 1 - offset] = a == 1 ? b : a
            }
            result = combined
        }
        return result
    }

    /// Identical shapes (a skip connection's add without broadcasting).
    static func identical(_ shapes: [[Int]]) throws(NetworkError) -> [Int] {
        guard let first = shapes.first else { return [] }
        for shape in shapes.dropFirst() where shape != first {
            let axis = zip(first, shape).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            let where_ = axis.map { "axis \($0) has \(first[$0]) and \(shape[$0])" } ?? "the ranks differ (\(first.count) and \(shape.count))"
            throw .layer("the inputs must have the same shape, got \(ShapeText.brackets(first)) and \(ShapeText.brackets(shape)): \(where_)")
        }
        return first
    }

    /// Concatenation along `axis` (negative counts from the end).
    static func concatenate(_ shapes: [[Int]], axis: Int) throws(NetworkError) -> [Int] {
        guard var result = shapes.first else { throw .layer("a concatenation needs at least one input") }
        let rank = result.count
        let position = axis < 0 ? axis + rank : axis
        guard position >= 0, position < rank else {
            throw .layer("concatenation axis \(axis) is outside the \(rank) axes of \(ShapeText.brackets(result))")
        }
        for shape in shapes.dropFirst() {
            guard shape.count == rank else {
                throw .layer("cannot concatenate \(ShapeText.brackets(result)) and \(ShapeText.brackets(shape)): the ranks differ")
            }
            for index in 0..<rank where index != position && shape[index] != result[index] {
                throw .layer("cannot concatenate \(ShapeText.brackets(result)) and \(ShapeText.brackets(shape)) along axis \(position): axis \(index) has \(result[index]) and \(shape[index]), which must be equal")
            }
            let (sum, overflow) = result[position].addingReportingOverflow(shape[position])
            if overflow { throw .layer("the concatenated axis does not fit in a 64-bit integer") }
            result[position] = sum
        }
        return result
    }

    /// Flattening from `start`: PyTorch keeps the leading axes (`[N, C, H, W] → [N, C·H·W]` for start 1);
    /// ONNX collapses them too, into a 2-D `[Π leading, Π rest]`.
    static func flatten(_ shape: [Int], start: Int, collapsesLeadingAxes: Bool) throws(NetworkError) -> [Int] {
        let position = start < 0 ? start + shape.count : start
        guard position >= 0, position <= shape.count else {
            throw .layer("flatten axis \(start) is outside the \(shape.count) axes of \(ShapeText.brackets(shape))")
        }
        let rest = try elementCount(Array(shape[position...]))
        if collapsesLeadingAxes { return [try elementCount(Array(shape[..<position])), rest] }
        return Array(shape[..<position]) + [rest]
    }

    /// A reshape with ONNX's rules: `0` copies the input's dimension (unless `allowZero`), one `-1` is
    /// inferred from the element count.
    static func reshape(_ shape: [Int], to target: [Int], allowZero: Bool) throws(NetworkError) -> [Int] {
        var result = target
        var inferred: Int?
        for (index, dimension) in target.enumerated() {
            if dimension == 0 && !allowZero {
                guard index < shape.count else {
                    throw .layer("reshape target \(ShapeText.brackets(target)) copies axis \(index) (0), but the input \(ShapeText.brackets(shape)) has \(shape.count) axes")
                }
                result[index] = shape[index]
            } else if dimension == -1 {
                guard inferred == nil else { throw .layer("reshape target \(ShapeText.brackets(target)) has more than one -1") }
                inferred = index
            } else if dimension < 0 {
                throw .layer("reshape target \(ShapeText.brackets(target)) has a negative dimension \(dimension)")
            }
        }
        let total = try elementCount(shape)
        if let inferred {
            var known = 1
            for (index, dimension) in result.enumerated() where index != inferred {
                known = try multiply(known, dimension, "the reshape's element count")
            }
            guard known > 0, total % known == 0 else {
                throw .layer("cannot reshape \(ShapeText.brackets(shape)) (\(total) elements) to \(ShapeText.brackets(target)): \(total) is not a multiple of \(known)")
            }
            result[inferred] = total / known
        }
        let count = try elementCount(result)
        guard count == total else {
            throw .layer("cannot reshape \(ShapeText.brackets(shape)) (\(total) elements) to \(ShapeText.brackets(result)) (\(count) elements)")
        }
        return result
    }

    /// A fully connected layer on the last axis.
    static func linear(_ shape: [Int], inputFeatures: Int?, outputFeatures: Int) throws(NetworkError) -> [Int] {
        guard let last = shape.last, shape.count >= 2 else {
            throw .layer("a fully connected layer needs an input [N, features], got \(ShapeText.brackets(shape)); flatten first")
        }
        if let inputFeatures, inputFeatures != last {
            throw .layer("the fully connected layer expects \(inputFeatures) input features but its input \(ShapeText.brackets(shape)) has \(last) on its last axis")
        }
        guard outputFeatures >= 1 else { throw .layer("output features must be at least 1, got \(outputFeatures)") }
        return Array(shape.dropLast()) + [outputFeatures]
    }

    /// Spatial axes multiplied by integer factors.
    static func upsample(_ shape: [Int], factors: [Int]) throws(NetworkError) -> [Int] {
        let rank = shape.count - 2
        guard rank >= 1 else { throw .layer("upsampling needs an input [N, C, spatial…], got \(ShapeText.brackets(shape))") }
        guard factors.count == 1 || factors.count == rank else {
            throw .layer("upsampling has \(factors.count) factors but the input \(ShapeText.brackets(shape)) has \(rank) spatial axes")
        }
        var result = shape
        for axis in 0..<rank {
            let factor = factors.count == 1 ? factors[0] : factors[axis]
            guard factor >= 1 else { throw .layer("upsampling factors must be at least 1, got \(factor)") }
            result[axis + 2] = try multiply(shape[axis + 2], factor, "the upsampled size")
        }
        return result
    }

    /// Explicit per-axis padding of the whole tensor (negative pads crop, as ONNX `Pad` allows).
    static func pad(_ shape: [Int], before: [Int], after: [Int]) throws(NetworkError) -> [Int] {
        guard before.count == shape.count, after.count == shape.count else {
            throw .layer("the pads name \(before.count) axes but the input \(ShapeText.brackets(shape)) has \(shape.count)")
        }
        var result = shape
        for index in shape.indices {
            let (partial, overflowA) = shape[index].addingReportingOverflow(before[index])
            let (sum, overflowB) = partial.addingReportingOverflow(after[index])
            guard !overflowA, !overflowB, sum >= 0 else {
                throw .layer("padding axis \(index) of \(ShapeText.brackets(shape)) by \(before[index]) and \(after[index]) gives no valid size")
            }
            result[index] = sum
        }
        return result
    }

    /// ONNX `Resize`/`Upsample`: the given sizes, or `⌊dimension · scale⌋` per axis.
    static func resize(_ shape: [Int], sizes: [Int]?, scales: [Double]?) throws(NetworkError) -> [Int] {
        if let sizes {
            guard sizes.count == shape.count else {
                throw .layer("resize gives \(sizes.count) sizes for the \(shape.count) axes of \(ShapeText.brackets(shape))")
            }
            guard sizes.allSatisfy({ $0 >= 0 }) else { throw .layer("resize sizes must be 0 or more, got \(ShapeText.brackets(sizes))") }
            return sizes
        }
        guard let scales, scales.count == shape.count else {
            throw .layer("resize gives \(scales?.count ?? 0) scales for the \(shape.count) axes of \(ShapeText.brackets(shape))")
        }
        var result = shape
        for index in shape.indices {
            // ONNX Runtime multiplies in 32-bit floats: 10 × 0.7f is 7, where doubles give 6.99….
            let scaled = Double(Float(shape[index]) * Float(scales[index])).rounded(.down)
            guard scaled.isFinite, scaled >= 0, scaled < 9.0e15 else {
                throw .layer("resize scale \(scales[index]) on axis \(index) of \(ShapeText.brackets(shape)) gives no valid size")
            }
            result[index] = Int(scaled)
        }
        return result
    }

    /// A matrix product with a constant right operand `[K, M]` (or `[M, K]` transposed): `[…, K] → […, M]`.
    static func matrixProduct(_ shape: [Int], weight: [Int], transposeWeight: Bool) throws(NetworkError) -> [Int] {
        guard weight.count == 2 else {
            throw .layer("a matrix product with a weight of \(weight.count) axes \(ShapeText.brackets(weight)) is not supported (only 2-D weights)")
        }
        let (inner, outer) = transposeWeight ? (weight[1], weight[0]) : (weight[0], weight[1])
        guard let last = shape.last, shape.count >= 1 else { throw .layer("a matrix product needs an input with at least one axis") }
        guard last == inner else {
            throw .layer("cannot multiply \(ShapeText.brackets(shape)) by a weight \(ShapeText.brackets(weight))\(transposeWeight ? " (transposed)" : ""): the input's last axis has \(last) but the weight expects \(inner)")
        }
        return Array(shape.dropLast()) + [outer]
    }
}
