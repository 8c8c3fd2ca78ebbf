import ConvArithmetic

/// The largest integer tensor whose values are followed (shape tensors have a handful).
private let valueLimit = 64

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
        func axis(_ value: Int, rank: Int) throws(NetworkError) -> Int {
            let position = value < 0 ? value + rank : value
            guard position >= 0, position < rank else { throw .layer("\(type): axis \(value) is outside the \(rank) axes of \(ShapeText.brackets(x.shape))") }
            return position
        }
        switch type {
        case "Conv", "ConvTranspose":
            let weight = try input(1)
            let window = ONNXGraphImport.window(type, attributes, weightShape: weight.shape, hasBias: optional(2) != nil)
            let result = try Network.evaluate(window, input: x.shape, field: x.field, convention: .onnx)
            return ONNXOutput(shape: result.shape, field: result.field, parameters: result.parameters, multiplyAdds: result.multiplyAdds)
        case "Gemm":
            let b = try input(1)
            guard rank == 2, b.shape.count == 2 else {
                throw .layer("Gemm multiplies 2-D matrices, got \(ShapeText.brackets(x.shape)) and \(ShapeText.brackets(b.shape))")
            }
            let (m, k) = (attributes.integer("transA") ?? 0) == 1 ? (x.shape[1], x.shape[0]) : (x.shape[0], x.shape[1])
            let (inner, n) = (attributes.integer("transB") ?? 0) == 1 ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
            guard k == inner else {
                throw .layer("Gemm: A \(ShapeText.brackets(x.shape)) and B \(ShapeText.brackets(b.shape)) have inner sizes \(k) and \(inner)")
            }
            if let c = optional(2) { _ = try ShapeRules.broadcast([c.shape, [m, n]]) }
            return ONNXOutput(shape: [m, n], multiplyAdds: try? ShapeRules.multiply(try ShapeRules.multiply(m, n, "the multiply-adds"), k, "the multiply-adds"))
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
            var values: [Int]?
            if rank == 1, let data = x.integers, let picks = indices.integers {
                values = []
                for pick in picks {
                    let index = pick < 0 ? pick + data.count : pick
                    guard index >= 0, index < data.count else { throw .layer("Gather: index \(pick) is outside the \(data.count) values") }
                    values!.append(data[index])
                }
            }
            return ONNXOutput(shape: shape, integers: values)
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
            var integers: [Int]? = nil
            if shape.count == 1, values.allSatisfy({ $0.integers != nil }) { integers = values.flatMap { $0.integers! } }
            return ONNXOutput(shape: shape, integers: integers, field: try union(values))
        case "Cast", "CastLike":
            let target = attributes.integer("to") ?? 1
            let toInteger = [2, 3, 4, 5, 6, 7, 9, 12, 13].contains(target)
            let integers = toInteger ? (x.integers ?? x.reals?.compactMap { $0.isFinite && abs($0) < 9e18 ? Int($0) : nil }) : nil
            let reals = toInteger ? nil : (x.reals ?? x.integers?.map(Double.init))
            return ONNXOutput(shape: x.shape, integers: integers, reals: reals, field: x.field)
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
            return ONNXOutput(shape: shape, field: try FieldRules.resized(x.field, shape: x.shape, output: shape))
        case "Expand":
            guard let target = try integers(input: 1, attribute: "shape", sinceOpset: 8) else { throw .layer("Expand needs a shape") }
            guard target.allSatisfy({ $0 >= 0 }) else { throw .layer("Expand: negative dimension in \(ShapeText.brackets(target))") }
            return ONNXOutput(shape: try ShapeRules.broadcast([x.shape, target]), field: x.field)
        case "ConstantOfShape":
            guard let shape = x.integers else { throw .unknownValues("ConstantOfShape's shape is computed at run time from values this analysis does not follow") }
            guard shape.allSatisfy({ $0 >= 0 }) else { throw .layer("ConstantOfShape: negative dimension in \(ShapeText.brackets(shape))") }
            let count = try ShapeRules.elementCount(shape)
            var integers: [Int]?
            if count <= valueLimit {
                if case .tensor(let tensor) = attributes.values["value"], let first = tensor.integers?.first {
                    integers = Array(repeating: first, count: count)
                } else if attributes.values["value"] == nil {
                    integers = nil
                }
            }
            return ONNXOutput(shape: shape, integers: integers)
        case "Transpose":
            let permutation = attributes.integers("perm") ?? Array((0..<rank).reversed())
            guard permutation.count == rank, Set(permutation) == Set(0..<rank) else {
                throw .layer("Transpose: perm \(permutation) is not a permutation of the \(rank) axes of \(ShapeText.brackets(x.shape))")
            }
            let keepsMap = Array(permutation.prefix(1)) == [0] && Array(permutation.dropFirst(2)) == Array(2..<max(rank, 2))
            // The network's own input, transposed (a channels-last model's first NHWC → NCHW): still the
            // input, whichever axes are spatial.
            let isRawInput = x.field.map { $0.allSatisfy { $0 == .input } } ?? false
            let field = keepsMap ? x.field : isRawInput ? Array(repeating: AxisReceptiveField.input, count: max(rank - 2, 0)) : nil
            return ONNXOutput(shape: permutation.map { x.shape[$0] }, field: field)
        case "Split":
            return try split(x, inputs: inputs, integers: integers, axisOf: { (value) throws(NetworkError) in try axis(value, rank: rank) })
        case "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2", "ReduceLogSumExp", "ReduceSumSquare":
            let movedToInput = type == "ReduceSum" ? 13 : 18
            let axes = try integers(input: 1, attribute: "axes", sinceOpset: movedToInput)
            let keep = (attributes.integer("keepdims") ?? 1) == 1
            if (axes ?? []).isEmpty, (attributes.integer("noop_with_empty_axes") ?? 0) == 1 {
                return ONNXOutput(shape: x.shape, field: x.field)
            }
            var positions: Set<Int> = []
            for value in axes ?? Array(0..<rank) { positions.insert(try axis(value, rank: rank)) }
            let shape = keep ? x.shape.indices.map { positions.contains($0) ? 1 : x.shape[$0] }
                : x.shape.indices.filter { !positions.contains($0) }.map { x.shape[$0] }
            return ONNXOutput(shape: shape)
        case "ArgMax", "ArgMin":
            let position = try axis(attributes.integer("axis") ?? 0, rank: rank)
            let keep = (attributes.integer("keepdims") ?? 1) == 1
            var shape = x.shape
            if keep { shape[position] = 1 } else { shape.remove(at: position) }
            return ONNXOutput(shape: shape)
        case "MatMul":
            let b = try input(1)
            let shape = try ShapeRules.matrixMultiply(x.shape, b.shape)
            let inner = x.shape.count >= 1 ? x.shape[x.shape.count - 1] : 1
            let work = try? ShapeRules.multiply(try ShapeRules.elementCount(shape), inner, "the multiply-adds")
            return ONNXOutput(shape: shape, field: x.field.flatMap { shape.count == x.shape.count ? $0 : nil }, multiplyAdds: work)
        case "Tile":
            guard let repeats = try integers(input: 1, attribute: "repeats", sinceOpset: 6), repeats.count == rank else {
                throw .layer("Tile needs one repeat per axis of \(ShapeText.brackets(x.shape))")
            }
            guard repeats.allSatisfy({ $0 >= 0 }) else { throw .layer("Tile: negative repeats \(repeats)") }
            var shape: [Int] = []
            for (dimension, count) in zip(x.shape, repeats) { shape.append(try ShapeRules.multiply(dimension, count, "the tiled size")) }
            return ONNXOutput(shape: shape)
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
            return ONNXOutput(shape: shape, field: try FieldRules.padded(x.field, shape: x.shape, before: before))
        case "Flatten":
            return ONNXOutput(shape: try ShapeRules.flatten(x.shape, start: attributes.integer("axis") ?? 1, collapsesLeadingAxes: true))
        case "Range":
            guard let start = x.integers?.first, let limit = optional(1)?.integers?.first, let delta = optional(2)?.integers?.first, delta != 0 else {
                throw .unknownValues("Range's bounds are computed at run time from values this analysis does not follow")
            }
            let span = (Double(limit) - Double(start)) / Double(delta)
            guard span.isFinite, span < 9.0e15 else { throw .layer("Range from \(start) to \(limit) by \(delta) has too many elements") }
            let count = max(Int(span.rounded(.up)), 0)
            return ONNXOutput(shape: [count], integers: count <= valueLimit ? (0..<count).map { start &+ $0 &* delta } : nil)
        default:
            return try elementwise(inputs.compactMap { $0 })
        }
    }

    /// Broadcasting operators, with integer arithmetic on small shape tensors.
    private func elementwise(_ values: [ONNXValue]) throws(NetworkError) -> ONNXOutput {
        let shape = try ShapeRules.broadcast(values.map(\.shape))
        var integers: [Int]?
        let count = ShapeRules.count(shape)
        if ["Add", "Sub", "Mul", "Div", "Max", "Min"].contains(type), values.count == 2, count <= valueLimit,
           let a = values[0].integers, let b = values[1].integers, !a.isEmpty, !b.isEmpty {
            integers = []
            for index in 0..<count {
                let left = a[a.count == 1 ? 0 : index % a.count], right = b[b.count == 1 ? 0 : index % b.count]
                switch type {
                case "Add": integers!.append(left &+ right)
                case "Sub": integers!.append(left &- right)
                case "Mul": integers!.append(left &* right)
                case "Div":
                    let (quotient, overflow) = left.dividedReportingOverflow(by: right)
                    integers!.append(right == 0 || overflow ? 0 : quotient)
                case "Max": integers!.append(max(left, right))
                default: integers!.append(min(left, right))
                }
            }
        }
        var reals: [Double]?
        if ["Mul", "Div", "Add", "Sub"].contains(type), values.count == 2, count <= valueLimit,
           let a = values[0].reals ?? values[0].integers?.map(Double.init), let b = values[1].reals ?? values[1].integers?.map(Double.init),
           !a.isEmpty, !b.isEmpty, values[0].reals != nil || values[1].reals != nil {
            reals = (0..<count).map { index in
                let left = a[a.count == 1 ? 0 : index % a.count], right = b[b.count == 1 ? 0 : index % b.count]
                switch type {
                case "Add": return left + right
                case "Sub": return left - right
                case "Mul": return left * right
                default: return left / right
                }
            }
        }
        return ONNXOutput(shape: shape, integers: integers, reals: reals, field: try union(values.filter { $0.shape == shape || $0.field != nil }))
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
        var ranges: [(Int, Int, Int)] = []
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
            ranges.append((start, end, step))
        }
        var values: [Int]?
        if rank == 1, let data = x.integers, let (start, end, step) = ranges.first {
            values = Array(stride(from: start, to: end, by: step)).filter { $0 >= 0 && $0 < data.count }.map { data[$0] }
        }
        let keepsMap = shape.count >= 3 && shape.prefix(1) == x.shape.prefix(1) && shape.dropFirst(2).elementsEqual(x.shape.dropFirst(2))
        return ONNXOutput(shape: shape, integers: values, field: keepsMap ? x.field : nil)
    }

    private func split(_ x: ONNXValue, inputs: [ONNXValue?], integers: (Int, String, Int) throws(NetworkError) -> [Int]?,
                       axisOf: (Int) throws(NetworkError) -> Int) throws(NetworkError) -> ONNXOutput {
        let position = try axisOf(attributes.integer("axis") ?? 0)
        let dimension = x.shape[position]
        var parts = try integers(1, "split", 13)
        if parts == nil {
            let count = attributes.integer("num_outputs") ?? attributes.integer("__outputs") ?? 1
            guard (1...65_536).contains(count) else { throw .layer("Split into \(count) parts") }
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

    private func union(_ values: [ONNXValue]) throws(NetworkError) -> [AxisReceptiveField]? {
        try FieldRules.union(values.compactMap(\.field))
    }
}

extension UInt {
    /// The value as an `Int`, `Int.max` when it does not fit.
    var clampedToInt: Int { self > UInt(Int.max) ? Int.max : Int(self) }
}
