/// Operators whose shapes are those of a convolution, a matrix product or their input, under other
/// names: the quantized forms (`ConvInteger`, `QLinearConv`, `MatMulInteger`, `QLinearMatMul`,
/// `DynamicQuantizeLinear`, and ONNX Runtime's `com.microsoft` `QLinear*` operators of a quantized
/// model), `DeformConv`, and `TopK` and `Einsum`, whose shapes follow from attributes and small values.
extension ONNXOperator {
    /// Where a convolution-like operator's data, weight and bias are among its inputs.
    static let convolutionInputs: [String: (weight: Int, bias: Int?)] = [
        "Conv": (1, 2), "ConvTranspose": (1, 2), "ConvInteger": (1, nil), "QLinearConv": (3, 8), "DeformConv": (1, 3),
        "FusedConv": (1, 2),
    ]

    /// Matrix products: the positions of the two operands.
    static let matrixProductInputs: [String: (Int, Int)] = ["MatMul": (0, 1), "MatMulInteger": (0, 1), "QLinearMatMul": (0, 3)]

    /// Broadcasting operators of quantized models (`com.microsoft`), with the positions of their operands.
    static let quantizedBroadcasting: [String: [Int]] = ["QLinearAdd": [0, 3], "QLinearMul": [0, 3]]

    /// Operators of ONNX Runtime's `com.microsoft` domain that keep their first input's shape.
    static let microsoftShapeKeeping: Set<String> = [
        "QLinearSigmoid", "QLinearLeakyRelu", "QLinearSoftmax", "Gelu", "FastGelu", "BiasGelu", "QuickGelu",
        "SkipLayerNormalization", "SimplifiedLayerNormalization", "SkipSimplifiedLayerNormalization",
    ]

    /// The `com.microsoft` operators the analysis evaluates.
    static let microsoftEvaluated: Set<String> = Set(quantizedBroadcasting.keys).union(microsoftShapeKeeping)
        .union(["QLinearConv", "FusedConv", "QLinearGlobalAveragePool", "QLinearConcat", "QLinearAveragePool", "QGemm", "DynamicQuantizeLinear",
                "DynamicQuantizeLSTM"])

    /// `Conv`, `ConvTranspose`, `ConvInteger`, `QLinearConv`, `DeformConv`, `FusedConv` with the weight's shape.
    func convolution(_ inputs: [ONNXValue?]) throws(NetworkError) -> ONNXOutput {
        guard let positions = Self.convolutionInputs[type], positions.weight < inputs.count, let x = inputs[0], let weight = inputs[positions.weight] else {
            throw .layer("\(type) needs its data and weight inputs")
        }
        let hasBias = positions.bias.map { $0 < inputs.count && inputs[$0] != nil } ?? false
        let window = ONNXGraphImport.window(type == "ConvTranspose" ? type : "Conv", attributes, weightShape: weight.shape, hasBias: hasBias)
        if type == "DeformConv", let offset = inputs.count > 2 ? inputs[2] : nil, offset.shape.count != x.shape.count {
            throw .layer("DeformConv: the offset \(ShapeText.brackets(offset.shape)) must have the rank of the input \(ShapeText.brackets(x.shape))")
        }
        let result = try Network.evaluate(window, input: x.shape, field: x.field, convention: .onnx)
        return ONNXOutput(shape: result.shape, field: result.field, parameters: result.parameters, multiplyAdds: result.multiplyAdds,
                          workBeyondRange: result.workBeyondRange, layer: result.layer)
    }

    /// `MatMul`, `MatMulInteger`, `QLinearMatMul`: NumPy's matmul of the two operands.
    func matrixProduct(_ inputs: [ONNXValue?]) throws(NetworkError) -> ONNXOutput {
        guard let (left, right) = Self.matrixProductInputs[type], right < inputs.count, let a = inputs[left], let b = inputs[right] else {
            throw .layer("\(type) needs two operands")
        }
        let shape = try ShapeRules.matrixMultiply(a.shape, b.shape)
        let inner = a.shape.last ?? 1
        let work = ShapeRules.product(shape + [inner])
        return ONNXOutput(shape: shape, field: a.field.flatMap { shape.count == a.shape.count ? $0 : nil }, multiplyAdds: work, workBeyondRange: work == nil)
    }

    /// `DynamicQuantizeLinear`: the quantized tensor, then its scale and zero point (scalars).
    func dynamicQuantization(_ x: ONNXValue) -> ONNXOutput {
        outputIndex == 0 ? ONNXOutput(shape: x.shape, field: x.field) : ONNXOutput(shape: [])
    }

    /// The `com.microsoft` operators of quantized models.
    func microsoft(_ inputs: [ONNXValue?]) throws(NetworkError) -> ONNXOutput {
        guard let x = inputs.first ?? nil else { throw .layer("\(type) needs an input") }
        if (attributes.integer("channels_last") ?? 0) == 1, type != "QLinearGlobalAveragePool" {
            throw .unknownValues("\(type) with channels_last = 1 (an NHWC layout) is not followed")
        }
        if Self.microsoftShapeKeeping.contains(type) {
            switch outputIndex {
            case 0: return ONNXOutput(shape: x.shape, field: x.field)
            // Skip(Simplified)LayerNormalization: the mean and inverse deviation over the last axis, then the sum.
            case 1 where type.hasPrefix("Skip") && !x.shape.isEmpty, 2 where type.hasPrefix("Skip") && !x.shape.isEmpty: return ONNXOutput(shape: Array(x.shape.dropLast()) + [1])
            case 3 where type.hasPrefix("Skip"): return ONNXOutput(shape: x.shape)
            default: throw .unknownValues("\(type)'s output \(outputIndex + 1) is not inferred")
            }
        }
        if let operands = Self.quantizedBroadcasting[type] {
            return try broadcasting(operands.compactMap { $0 < inputs.count ? inputs[$0] : nil })
        }
        switch type {
        case "QLinearConv", "FusedConv":
            return try convolution(inputs)
        case "DynamicQuantizeLinear":
            return dynamicQuantization(x)
        case "DynamicQuantizeLSTM":
            return try recurrent(inputs)
        case "QLinearGlobalAveragePool":
            let channelsLast = (attributes.integer("channels_last") ?? 0) == 1
            guard x.shape.count >= 3 else { throw .layer("QLinearGlobalAveragePool needs [N, C, spatial…], got \(ShapeText.brackets(x.shape))") }
            let shape = channelsLast ? [x.shape[0]] + Array(repeating: 1, count: x.shape.count - 2) + [x.shape[x.shape.count - 1]]
                : Array(x.shape.prefix(2)) + Array(repeating: 1, count: x.shape.count - 2)
            return ONNXOutput(shape: shape, field: channelsLast ? nil : FieldRules.whole(x.field, spatial: Array(x.shape.dropFirst(2))))
        case "QLinearConcat":
            // y_scale, y_zero_point, then (tensor, scale, zero point) for each input.
            let tensors = stride(from: 2, to: inputs.count, by: 3).compactMap { inputs[$0] }
            let shape = try ShapeRules.concatenate(tensors.map(\.shape), axis: attributes.integer("axis") ?? 1)
            return ONNXOutput(shape: shape, field: FieldRules.joined(tensors.map(\.field), shapes: tensors.map(\.shape), output: shape))
        case "QLinearAveragePool":
            let layer = ONNXGraphImport.pooling(attributes, average: true)
            let result = try Network.evaluate(layer, input: x.shape, field: x.field, convention: .onnx)
            return ONNXOutput(shape: result.shape, field: result.field, layer: result.layer)
        case "QGemm":
            guard inputs.count > 3, let b = inputs[3] else { throw .layer("QGemm needs B") }
            return try gemm(x, b, bias: inputs.count > 6 ? inputs[6] : nil)
        default:
            throw .layer("\(type) has no rule")
        }
    }

    /// `Gemm`: `[M, K] · [K, N]` with `transA`/`transB`, and a bias broadcast to `[M, N]`.
    func gemm(_ x: ONNXValue, _ b: ONNXValue, bias: ONNXValue?) throws(NetworkError) -> ONNXOutput {
        guard x.shape.count == 2, b.shape.count == 2 else {
            throw .layer("\(type) multiplies 2-D matrices, got \(ShapeText.brackets(x.shape)) and \(ShapeText.brackets(b.shape))")
        }
        let (m, k) = (attributes.integer("transA") ?? 0) == 1 ? (x.shape[1], x.shape[0]) : (x.shape[0], x.shape[1])
        let (inner, n) = (attributes.integer("transB") ?? 0) == 1 ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
        guard k == inner else {
            throw .layer("\(type): A \(ShapeText.brackets(x.shape)) and B \(ShapeText.brackets(b.shape)) have inner sizes \(k) and \(inner)")
        }
        if let bias { _ = try ShapeRules.broadcast([bias.shape, [m, n]]) }
        let work = ShapeRules.product([m, n, k])
        return ONNXOutput(shape: [m, n], multiplyAdds: work, workBeyondRange: work == nil)
    }

    /// `TopK`: the input with its `axis` cut to `k` (a constant or a followed value).
    func topK(_ x: ONNXValue, k kInput: ONNXValue?) throws(NetworkError) -> ONNXOutput {
        let rank = x.shape.count
        let axis = try position(of: attributes.integer("axis") ?? -1, rank: rank, in: x.shape)
        let k: Int
        if opset < 10 {
            guard let given = attributes.integer("k") else { throw .layer("TopK needs k") }
            k = given
        } else {
            guard let given = kInput?.integers?.first else {
                throw .unknownValues("TopK's k is computed at run time from tensor values this analysis does not follow (a k derived from the input's size is followed; one from data is not)")
            }
            k = given
        }
        guard k >= 0 else { throw .layer("TopK: k = \(k) is negative") }
        guard k <= x.shape[axis] else {
            throw .layer("TopK: k = \(k) is more than the \(x.shape[axis]) elements on axis \(axis) of \(ShapeText.brackets(x.shape))")
        }
        var shape = x.shape
        shape[axis] = k
        return ONNXOutput(shape: shape)
    }

    /// `Einsum`: the output's letters, each the size its inputs give it (`...` broadcast).
    func einsum(_ inputs: [ONNXValue]) throws(NetworkError) -> ONNXOutput {
        guard let equation = attributes.string("equation")?.filter({ !$0.isWhitespace }) else { throw .layer("Einsum needs an equation") }
        let sides = equation.components(separatedBy: "->")
        guard sides.count <= 2 else { throw .layer("Einsum: the equation '\(equation)' has more than one '->'") }
        guard equation.allSatisfy({ ($0.isASCII && $0.isLetter) || ",.->".contains($0) }) else {
            throw .layer("Einsum: the equation '\(equation)' may hold only the letters a–z and A–Z, ',', '...' and '->'")
        }
        for term in sides[0].split(separator: ",", omittingEmptySubsequences: false) + (sides.count == 2 ? [Substring(sides[1])] : [])
            where term.components(separatedBy: "...").count > 2 || term.replacingOccurrences(of: "...", with: "").contains(".") {
            throw .layer("Einsum: the term '\(term)' has more than one '...' or a stray '.'")
        }
        if sides.count == 2, Set(sides[1].replacingOccurrences(of: "...", with: "")).count != sides[1].replacingOccurrences(of: "...", with: "").count {
            throw .layer("Einsum: the output '\(sides[1])' repeats a letter")
        }
        let terms = sides[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard terms.count == inputs.count else {
            throw .layer("Einsum: the equation '\(equation)' has \(terms.count) operands but the node has \(inputs.count) inputs")
        }
        var sizes: [Character: Int] = [:]
        var ellipses: [[Int]] = []
        var counts: [Character: Int] = [:]
        for (term, input) in zip(terms, inputs) {
            let letters = term.replacingOccurrences(of: "...", with: "")
            let hasEllipsis = term.contains("...")
            let covered = input.shape.count - letters.count
            guard covered == 0 || (hasEllipsis && covered > 0) else {
                throw .layer("Einsum: the term '\(term)' does not fit the input \(ShapeText.brackets(input.shape))")
            }
            let before = hasEllipsis ? term.components(separatedBy: "...")[0].count : letters.count
            ellipses.append(hasEllipsis ? Array(input.shape[before..<(before + covered)]) : [])
            for (offset, letter) in letters.enumerated() {
                let dimension = input.shape[offset < before ? offset : offset + covered]
                counts[letter, default: 0] += 1
                if let known = sizes[letter], known != dimension, known != 1, dimension != 1 {
                    throw .layer("Einsum: '\(letter)' is \(known) in one operand and \(dimension) in another")
                }
                sizes[letter] = max(sizes[letter] ?? dimension, dimension)
            }
        }
        let broadcast = try ShapeRules.broadcast(ellipses)
        let output = sides.count == 2 ? sides[1]
            : (broadcast.isEmpty ? "" : "...") + String(counts.filter { $0.value == 1 }.keys.sorted())
        var shape: [Int] = []
        var rest = Substring(output)
        while let letter = rest.first {
            if rest.hasPrefix("...") {
                shape += broadcast
                rest = rest.dropFirst(3)
                continue
            }
            guard let size = sizes[letter] else { throw .layer("Einsum: the output letter '\(letter)' is in no operand") }
            shape.append(size)
            rest = rest.dropFirst()
        }
        return ONNXOutput(shape: shape)
    }

    /// Why a value-dependent operator's shape is unknown, and what would fix it.
    static func valueDependentReason(_ type: String) -> String {
        switch type {
        case "NonZero": "NonZero gives one column per non-zero element: the count depends on the tensor's values, not on the input sizes (a model that needs a fixed size replaces it with a mask)"
        case "NonMaxSuppression": "NonMaxSuppression keeps a number of boxes that depends on the scores: its size is known only at run time (an export with a fixed max_output_boxes_per_class and padding fixes it)"
        case "Unique": "Unique's size depends on the tensor's values"
        case "Compress": "Compress keeps the elements its condition selects: the count depends on the condition's values"
        case "Loop", "Scan": "\(type) runs a subgraph a number of times this analysis does not follow"
        default: "its output shape depends on tensor values or control flow"
        }
    }
}
