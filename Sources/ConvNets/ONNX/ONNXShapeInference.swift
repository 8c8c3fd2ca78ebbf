import ConvArithmetic


extension ONNXOperator {
    /// The output of this operator from its inputs (`nil` for an optional input left out).
    /// - Throws: ``NetworkError/layer(_:)`` when the inputs do not fit the operator, or its output
    ///   depends on values that are not known (then the message says which).
    func evaluate(_ inputs: [ONNXValue?]) throws(NetworkError) -> ONNXOutput {
        func input(_ index: Int) throws(NetworkError) -> ONNXValue {
            guard index < inputs.count, let value = inputs[index] else { throw .layer("\(type) needs input \(index + 1)") }
            return value
        }
        func optional(_ index: Int) -> ONNXValue? { index < inputs.count ? inputs[index] : nil }
        /// Integer values from an input (opset ≥ the version where the attribute became an input) or the attribute.
        func integers(input index: Int, attribute: String, sinceOpset: Int) throws(NetworkError) -> [Int]? {
            if opset >= sinceOpset {
                guard let value = optional(index) else { return nil }
                guard let values = value.integers else {
                    throw .unknownValues("\(type)'s input \(index + 1) is computed at run time from tensor values this analysis does not follow")
                }
                return values
            }
            return attributes.integers(attribute)
        }
        let x = try input(0)
        let rank = x.shape.count
        func axis(_ value: Int, rank: Int) throws(NetworkError) -> Int { try position(of: value, rank: rank, in: x.shape) }
        switch type {
        case let type where type.hasPrefix(Self.microsoftPrefix):
            var op = self
            op.type = String(type.dropFirst(Self.microsoftPrefix.count))
            return try op.microsoft(inputs)
        case let type where Self.convolutionInputs[type] != nil:
            return try convolution(inputs)
        case let type where Self.matrixProductInputs[type] != nil:
            return try matrixProduct(inputs)
        case let type where Self.recurrentGates[type] != nil:
            return try recurrent(inputs)
        case "Gemm":
            return try gemm(x, try input(1), bias: optional(2))
        case "DynamicQuantizeLinear":
            return dynamicQuantization(x)
        case "TopK":
            return try topK(x, k: optional(1))
        case "Einsum":
            return try einsum(inputs.compactMap { $0 })
        case let type where Self.regionOperators.contains(type):
            return try region(inputs)
        case "Shape":
            var start = attributes.integer("start") ?? 0
            var end = attributes.integer("end") ?? rank
            if start < 0 { start += rank }
            if end < 0 { end += rank }
            start = min(max(start, 0), rank)
            end = min(max(end, start), rank)
            return ONNXOutput(shape: [end - start], integers: Array(x.shape[start..<end]))
        case "Size":
            return ONNXOutput(shape: [], integers: [try ShapeRules.elementCount(x.shape)])
        case "Gather":
            let indices = try input(1)
            let position = try axis(attributes.integer("axis") ?? 0, rank: rank)
            let shape = Array(x.shape[..<position]) + indices.shape + Array(x.shape[(position + 1)...])
            var moved: (integers: [Int]?, reals: [Double]?) = (nil, nil)
            if let picks = indices.integers, picks.count == ShapeRules.count(indices.shape) {
                let dimension = x.shape[position]
                for pick in picks where pick < -dimension || pick >= dimension {
                    throw .layer("Gather: index \(pick) is outside axis \(position) of \(ShapeText.brackets(x.shape))")
                }
                let indexStrides = FlatIndex.strides(indices.shape)
                moved = Self.moved(x, to: shape) { index in
                    let flat = zip(index[position..<(position + indices.shape.count)], indexStrides).reduce(0) { $0 + $1.0 * $1.1 }
                    let pick = picks[flat] < 0 ? picks[flat] + dimension : picks[flat]
                    return Array(index[..<position]) + [pick] + Array(index[(position + indices.shape.count)...])
                }
            }
            return ONNXOutput(shape: shape, integers: moved.integers, reals: moved.reals)
        case "GatherElements":
            let indices = try input(1)
            _ = try axis(attributes.integer("axis") ?? 0, rank: rank)
            guard indices.shape.count == rank else {
                throw .layer("GatherElements: the indices \(ShapeText.brackets(indices.shape)) and the data \(ShapeText.brackets(x.shape)) must have the same rank")
            }
            return ONNXOutput(shape: indices.shape)
        case "GatherND":
            let indices = try input(1)
            let batch = attributes.integer("batch_dims") ?? 0
            guard let depth = indices.shape.last, batch >= 0, batch < min(rank, indices.shape.count), depth >= 1, depth <= rank - batch else {
                throw .layer("GatherND: indices \(ShapeText.brackets(indices.shape)) do not index data \(ShapeText.brackets(x.shape)) with batch_dims \(batch)")
            }
            return ONNXOutput(shape: Array(indices.shape.dropLast()) + Array(x.shape[(batch + depth)...]))
        case "ScatterND":
            // ONNX: updates.shape == indices.shape[:-1] + data.shape[indices.shape[-1]:], 1 ≤ indices.shape[-1] ≤ rank.
            let indices = try input(1), updates = try input(2)
            guard let depth = indices.shape.last, depth >= 1, depth <= rank else {
                throw .layer("ScatterND: indices \(ShapeText.brackets(indices.shape)) do not index data \(ShapeText.brackets(x.shape)) (their last axis must be 1…\(rank))")
            }
            let expected = Array(indices.shape.dropLast()) + Array(x.shape[depth...])
            guard updates.shape == expected else {
                throw .layer("ScatterND: updates \(ShapeText.brackets(updates.shape)) must have the shape \(ShapeText.brackets(expected)) (indices \(ShapeText.brackets(indices.shape))[:-1] + data \(ShapeText.brackets(x.shape))[\(depth):])")
            }
            return ONNXOutput(shape: x.shape)
        case "ScatterElements", "Scatter":
            // ONNX: indices and updates of one shape, of the data's rank, within the data's sizes off the axis.
            let indices = try input(1), updates = try input(2)
            let position = try axis(attributes.integer("axis") ?? 0, rank: rank)
            guard indices.shape.count == rank, updates.shape == indices.shape else {
                throw .layer("\(type): indices \(ShapeText.brackets(indices.shape)) and updates \(ShapeText.brackets(updates.shape)) must have one shape, of the rank of data \(ShapeText.brackets(x.shape))")
            }
            for dimension in 0..<rank where dimension != position && indices.shape[dimension] > x.shape[dimension] {
                throw .layer("\(type): indices \(ShapeText.brackets(indices.shape)) are larger than data \(ShapeText.brackets(x.shape)) on axis \(dimension)")
            }
            return ONNXOutput(shape: x.shape)
        case "Unsqueeze":
            guard let axes = try integers(input: 1, attribute: "axes", sinceOpset: 13) else { throw .layer("Unsqueeze needs axes") }
            let outputRank = rank + axes.count
            var positions: [Int] = []
            for value in axes { positions.append(try axis(value, rank: outputRank)) }
            guard Set(positions).count == positions.count else { throw .layer("Unsqueeze: repeated axes \(axes)") }
            var shape: [Int] = []
            var source = x.shape.makeIterator()
            for index in 0..<outputRank { shape.append(positions.contains(index) ? 1 : source.next() ?? 1) }
            return ONNXOutput(shape: shape, integers: x.integers, reals: x.reals)
        case "Squeeze":
            let axes = try integers(input: 1, attribute: "axes", sinceOpset: 13)
            var positions: Set<Int> = []
            if let axes {
                for value in axes {
                    let position = try axis(value, rank: rank)
                    guard x.shape[position] == 1 else { throw .layer("Squeeze: axis \(value) of \(ShapeText.brackets(x.shape)) is \(x.shape[position]), not 1") }
                    positions.insert(position)
                }
            } else {
                positions = Set(x.shape.indices.filter { x.shape[$0] == 1 })
            }
            let shape = x.shape.indices.filter { !positions.contains($0) }.map { x.shape[$0] }
            return ONNXOutput(shape: shape, integers: x.integers, reals: x.reals)
        case "Concat":
            let values = inputs.compactMap { $0 }
            let shape = try ShapeRules.concatenate(values.map(\.shape), axis: attributes.integer("axis") ?? 0)
            let position = try axis(attributes.integer("axis") ?? 0, rank: shape.count)
            // Along the first axis the values are the inputs' one after another.
            var integers: [Int]?, reals: [Double]?
            if position == 0, ShapeRules.count(shape) <= Self.valueLimit {
                if values.allSatisfy({ $0.integers != nil }) { integers = values.flatMap { $0.integers! } }
                else if values.allSatisfy({ $0.reals != nil }) { reals = values.flatMap { $0.reals! } }
            }
            return ONNXOutput(shape: shape, integers: integers, reals: reals,
                              field: position < 2 ? FieldRules.joined(values.map(\.field), shapes: values.map(\.shape), output: shape) : nil)
        case "Cast":
            return cast(x, target: attributes.integer("to") ?? ONNXTensors.float)
        case "CastLike":
            // The target type is the second input's, which the analysis does not track: its values follow
            // when they are integers on both sides.
            return cast(x, target: optional(1)?.integers != nil && x.integers != nil ? ONNXTensors.int64 : ONNXTensors.float)
        case "Slice":
            return try slice(x, inputs: inputs, integers: integers)
        case "Reshape":
            guard let target = try integers(input: 1, attribute: "shape", sinceOpset: 5) else { throw .layer("Reshape needs a shape") }
            let shape = try ShapeRules.reshape(x.shape, to: target, allowZero: (attributes.integer("allowzero") ?? 0) == 1)
            let keepsMap = shape.count >= 3 && shape.prefix(1) == x.shape.prefix(1) && shape.dropFirst(2).elementsEqual(x.shape.dropFirst(2))
            return ONNXOutput(shape: shape, integers: x.integers, reals: x.reals, field: keepsMap ? x.field : nil)
        case "Resize", "Upsample":
            var sizes: [Int]?
            var scales: [Double]?
            if type == "Upsample" && opset < 9 {
                scales = attributes.reals("scales")
            } else {
                let scaleIndex = type == "Upsample" || opset < 11 ? 1 : 2
                if let value = optional(scaleIndex), !value.shape.contains(0), ShapeRules.count(value.shape) > 0 {
                    guard let values = value.reals else { throw .unknownValues("\(type)'s scales are computed at run time from values this analysis does not follow") }
                    scales = values
                }
                if type == "Resize", opset >= 11, let value = optional(3), ShapeRules.count(value.shape) > 0 {
                    guard let values = value.integers else { throw .unknownValues("Resize's sizes are computed at run time from values this analysis does not follow") }
                    sizes = values
                }
            }
            if let axes = attributes.integers("axes"), opset >= 18 {
                // Scales or sizes for some axes only: the others keep their size.
                var fullScales = [Double](repeating: 1, count: rank), fullSizes = x.shape
                for (position, value) in axes.enumerated() {
                    let index = try axis(value, rank: rank)
                    if let scales, position < scales.count { fullScales[index] = scales[position] }
                    if let sizes, position < sizes.count { fullSizes[index] = sizes[position] }
                }
                if scales != nil { scales = fullScales }
                if sizes != nil { sizes = fullSizes }
            }
            if let given = sizes, let policy = attributes.string("keep_aspect_ratio_policy"), policy != "stretch" {
                // One scale for the resized axes: the smallest ratio (not_larger) or the largest (not_smaller).
                let resized = try (attributes.integers("axes") ?? Array(0..<rank)).map { (value) throws(NetworkError) in try axis(value, rank: rank) }
                let ratios = resized.map { Double(given[$0]) / Double(max(x.shape[$0], 1)) }
                let scale = (policy == "not_larger" ? ratios.min() : ratios.max()) ?? 1
                var adjusted = x.shape
                for index in resized {
                    let size = (Double(x.shape[index]) * scale).rounded()
                    guard size.isFinite, size >= 0, size < 9.0e15 else { throw .layer("Resize: sizes \(given) give no valid size") }
                    adjusted[index] = Int(size)
                }
                sizes = adjusted
            }
            let shape = try ShapeRules.resize(x.shape, sizes: sizes, scales: scales)
            // Only nearest-neighbour resizing copies units; linear and cubic ones mix neighbours.
            let nearest = (attributes.string("mode") ?? "nearest") == "nearest"
            return ONNXOutput(shape: shape, field: nearest ? FieldRules.resized(x.field, shape: x.shape, output: shape) : nil)
        case "Expand":
            guard let target = try integers(input: 1, attribute: "shape", sinceOpset: 8) else { throw .layer("Expand needs a shape") }
            guard target.allSatisfy({ $0 >= 0 }) else { throw .layer("Expand: negative dimension in \(ShapeText.brackets(target))") }
            let shape = try ShapeRules.broadcast([x.shape, target])
            let moved = Self.moved(x, to: shape) { index in
                x.shape.indices.map { axis in x.shape[axis] == 1 ? 0 : index[axis + shape.count - rank] }
            }
            return ONNXOutput(shape: shape, integers: moved.integers, reals: moved.reals, field: x.field)
        case "ConstantOfShape":
            guard let shape = x.integers else { throw .unknownValues("ConstantOfShape's shape is computed at run time from values this analysis does not follow") }
            guard shape.allSatisfy({ $0 >= 0 }) else { throw .layer("ConstantOfShape: negative dimension in \(ShapeText.brackets(shape))") }
            let count = try ShapeRules.elementCount(shape)
            var output = ONNXOutput(shape: shape)
            if count <= Self.valueLimit {
                if case .tensor(let tensor) = attributes.values["value"] {
                    output.integers = tensor.integers?.first.map { Array(repeating: $0, count: count) }
                    output.reals = tensor.reals?.first.map { Array(repeating: $0, count: count) }
                } else {
                    // No value: float zeros.
                    output.reals = Array(repeating: 0, count: count)
                }
            }
            return output
        case "Transpose":
            let permutation = attributes.integers("perm") ?? Array((0..<rank).reversed())
            guard permutation.count == rank, Set(permutation) == Set(0..<rank) else {
                throw .layer("Transpose: perm \(permutation) is not a permutation of the \(rank) axes of \(ShapeText.brackets(x.shape))")
            }
            let keepsMap = Array(permutation.prefix(1)) == [0] && Array(permutation.dropFirst(2)) == Array(2..<max(rank, 2))
            // The network's own input, transposed (a channels-last model's first NHWC → NCHW): still the
            // input, whichever axes are spatial.
            let isRawInput = x.field.map { $0.allSatisfy { $0 == InputField.input } } ?? false
            let field = keepsMap ? x.field : isRawInput ? Array(repeating: InputField.input, count: max(rank - 2, 0)) : nil
            let shape = permutation.map { x.shape[$0] }
            let moved = Self.moved(x, to: shape) { index in
                var source = [Int](repeating: 0, count: rank)
                for (axis, from) in permutation.enumerated() { source[from] = index[axis] }
                return source
            }
            return ONNXOutput(shape: shape, integers: moved.integers, reals: moved.reals, field: field)
        case "Split":
            return try split(x, inputs: inputs, integers: integers, axisOf: { (value) throws(NetworkError) in try axis(value, rank: rank) })
        case "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2", "ReduceLogSumExp", "ReduceSumSquare",
             "ReduceLogSum":
            let movedToInput = type == "ReduceSum" ? 13 : 18
            // An empty list of axes is no list: every axis (unless noop_with_empty_axes).
            let axes = try integers(input: 1, attribute: "axes", sinceOpset: movedToInput).flatMap { $0.isEmpty ? nil : $0 }
            let keep = (attributes.integer("keepdims") ?? 1) == 1
            if (axes ?? []).isEmpty, (attributes.integer("noop_with_empty_axes") ?? 0) == 1 {
                return ONNXOutput(shape: x.shape, field: x.field)
            }
            var positions: Set<Int> = []
            for value in axes ?? Array(0..<rank) { positions.insert(try axis(value, rank: rank)) }
            let shape = keep ? x.shape.indices.map { positions.contains($0) ? 1 : x.shape[$0] }
                : x.shape.indices.filter { !positions.contains($0) }.map { x.shape[$0] }
            let values = Self.reducedValue(type, x, outputCount: ShapeRules.count(shape))
            return ONNXOutput(shape: shape, integers: values.integers, reals: values.reals,
                              field: FieldRules.reduced(x.field, shape: x.shape, axes: positions))
        case "ArgMax", "ArgMin":
            let position = try axis(attributes.integer("axis") ?? 0, rank: rank)
            let keep = (attributes.integer("keepdims") ?? 1) == 1
            var shape = x.shape
            if keep { shape[position] = 1 } else { shape.remove(at: position) }
            return ONNXOutput(shape: shape)
        case "Tile":
            guard let repeats = try integers(input: 1, attribute: "repeats", sinceOpset: 6), repeats.count == rank else {
                throw .layer("Tile needs one repeat per axis of \(ShapeText.brackets(x.shape))")
            }
            guard repeats.allSatisfy({ $0 >= 0 }) else { throw .layer("Tile: negative repeats \(repeats)") }
            var shape: [Int] = []
            for (dimension, count) in zip(x.shape, repeats) { shape.append(try ShapeRules.multiply(dimension, count, "the tiled size")) }
            let moved = Self.moved(x, to: shape) { index in index.indices.map { index[$0] % max(x.shape[$0], 1) } }
            return ONNXOutput(shape: shape, integers: moved.integers, reals: moved.reals)
        case "DepthToSpace", "SpaceToDepth":
            guard rank == 4, let block = attributes.integer("blocksize"), block >= 1 else { throw .layer("\(type) needs a 4-D input and a blocksize") }
            let area = try ShapeRules.multiply(block, block, "the block area")
            if type == "DepthToSpace" {
                guard x.shape[1] % area == 0 else { throw .layer("DepthToSpace: \(x.shape[1]) channels do not divide by \(block)²") }
                return ONNXOutput(shape: [x.shape[0], x.shape[1] / area, try ShapeRules.multiply(x.shape[2], block, "the output height"),
                                          try ShapeRules.multiply(x.shape[3], block, "the output width")])
            }
            guard x.shape[2] % block == 0, x.shape[3] % block == 0 else { throw .layer("SpaceToDepth: \(ShapeText.brackets(x.shape)) does not divide by the block \(block)") }
            return ONNXOutput(shape: [x.shape[0], try ShapeRules.multiply(x.shape[1], area, "the output channels"), x.shape[2] / block, x.shape[3] / block])
        case "Pad":
            guard let pads = try integers(input: 1, attribute: "pads", sinceOpset: 11) else { throw .layer("Pad needs pads") }
            var axes = Array(0..<rank)
            if opset >= 18, let given = try integers(input: 3, attribute: "axes", sinceOpset: 18) {
                axes = []
                for value in given { axes.append(try axis(value, rank: rank)) }
            }
            guard pads.count == 2 * axes.count else { throw .layer("Pad: \(pads.count) pads for \(axes.count) axes") }
            var before = [Int](repeating: 0, count: rank), after = before
            for (position, index) in axes.enumerated() {
                before[index] = pads[position]
                after[index] = pads[position + axes.count]
            }
            let shape = try ShapeRules.pad(x.shape, before: before, after: after)
            return ONNXOutput(shape: shape, field: FieldRules.padded(x.field, shape: x.shape, before: before))
        case "Flatten":
            return ONNXOutput(shape: try ShapeRules.flatten(x.shape, start: attributes.integer("axis") ?? 1, collapsesLeadingAxes: true))
        case "Range":
            return try range(x, optional(1), optional(2))
        case let type where Self.unaryValues.contains(type):
            return unary(x)
        case "BitwiseAnd", "BitwiseOr", "BitwiseXor":
            let values = inputs.compactMap { $0 }
            return ONNXOutput(shape: try ShapeRules.broadcast(values.map(\.shape)))
        default:
            return try broadcasting(inputs.compactMap { $0 })
        }
    }

    private func slice(_ x: ONNXValue, inputs: [ONNXValue?],
                       integers: (Int, String, Int) throws(NetworkError) -> [Int]?) throws(NetworkError) -> ONNXOutput {
        guard let starts = try integers(1, "starts", 10), let ends = try integers(2, "ends", 10) else { throw .layer("Slice needs starts and ends") }
        let rank = x.shape.count
        let axes = try integers(3, "axes", 10) ?? Array(0..<starts.count)
        let steps = try integers(4, "steps", 10) ?? Array(repeating: 1, count: starts.count)
        guard axes.count == starts.count, ends.count == starts.count, steps.count == starts.count else {
            throw .layer("Slice: starts, ends, axes and steps differ in length")
        }
        var shape = x.shape
        var origin = [Int](repeating: 0, count: rank), strides = [Int](repeating: 1, count: rank)
        for (index, value) in axes.enumerated() {
            let position = value < 0 ? value + rank : value
            guard position >= 0, position < rank else { throw .layer("Slice: axis \(value) is outside the \(rank) axes") }
            let dimension = x.shape[position]
            let step = steps[index]
            guard step != 0 else { throw .layer("Slice: a step of 0") }
            func clamp(_ value: Int, _ low: Int, _ high: Int) -> Int { min(max(value, low), high) }
            var start = starts[index] < 0 ? starts[index] &+ dimension : starts[index]
            var end = ends[index] < 0 ? ends[index] &+ dimension : ends[index]
            // Clamped to the axis, so the differences are small whatever the step.
            if step > 0 {
                start = clamp(start, 0, dimension)
                end = clamp(end, 0, dimension)
                shape[position] = end > start ? (end - start - 1) / step + 1 : 0
            } else {
                start = clamp(start, 0, dimension - 1)
                end = clamp(end, -1, dimension - 1)
                shape[position] = start > end ? (start - end - 1) / step.magnitude.clampedToInt + 1 : 0
            }
            origin[position] = start
            strides[position] = step
        }
        let values = Self.moved(x, to: shape) { index in index.indices.map { origin[$0] + index[$0] * strides[$0] } }
        let keepsMap = shape.count >= 3 && shape.prefix(1) == x.shape.prefix(1) && shape.dropFirst(2).elementsEqual(x.shape.dropFirst(2))
        return ONNXOutput(shape: shape, integers: values.integers, reals: values.reals, field: keepsMap ? x.field : nil)
    }

    private func split(_ x: ONNXValue, inputs: [ONNXValue?], integers: (Int, String, Int) throws(NetworkError) -> [Int]?,
                       axisOf: (Int) throws(NetworkError) -> Int) throws(NetworkError) -> ONNXOutput {
        let position = try axisOf(attributes.integer("axis") ?? 0)
        let dimension = x.shape[position]
        var parts = try integers(1, "split", 13)
        if parts == nil {
            let count = attributes.integer("num_outputs") ?? attributes.integer("__outputs") ?? 1
            guard (1...65_536).contains(count) else { throw .layer("Split into \(count) parts") }
            // Before opset 18 the parts are equal; from 18 the last may be smaller, but not empty.
            if opset < 18, dimension % count != 0 {
                throw .layer("Split: axis \(position)'s \(dimension) does not divide into \(count) equal parts")
            }
            let chunk = dimension / count + (dimension % count == 0 ? 0 : 1)
            if opset >= 18, count > 1, (count - 1).multipliedReportingOverflow(by: chunk).partialValue >= dimension {
                throw .layer("Split: axis \(position)'s \(dimension) into \(count) parts of ⌈\(dimension)/\(count)⌉ leaves the last one empty")
            }
            // ⌈dimension / count⌉ per part, the last ones smaller (without overflow near Int.max).
            let size = dimension / count + (dimension % count == 0 ? 0 : 1)
            parts = (0..<count).map { index in
                let (used, overflow) = index.multipliedReportingOverflow(by: size)
                return overflow || used >= dimension ? 0 : min(size, dimension - used)
            }
        }
        guard let parts, outputIndex < parts.count else { throw .layer("Split has no output \(outputIndex + 1)") }
        var total = 0
        for part in parts {
            guard part >= 0 else { throw .layer("Split: a negative part in \(parts)") }
            total = try ShapeRules.add(total, part, "the split sizes")
        }
        guard total == dimension else {
            throw .layer("Split: the parts \(parts) do not add up to axis \(position)'s \(dimension)")
        }
        var shape = x.shape
        shape[position] = parts[outputIndex]
        return ONNXOutput(shape: shape, field: position < 2 ? x.field : nil)
    }

}

extension ONNXOperator {
    /// The position of `axis` (negative counts from the end) among `rank` axes of a tensor of `shape`.
    /// - Throws: ``NetworkError/layer(_:)`` naming the operator when it is outside them.
    func position(of axis: Int, rank: Int, in shape: [Int]) throws(NetworkError) -> Int {
        let position = axis < 0 ? axis + rank : axis
        guard position >= 0, position < rank else { throw .layer("\(type): axis \(axis) is outside the \(rank) axes of \(ShapeText.brackets(shape))") }
        return position
    }
}

extension UInt {
    /// The value as an `Int`, `Int.max` when it does not fit.
    var clampedToInt: Int { self > UInt(Int.max) ? Int.max : Int(self) }
}
