import ConvArithmetic
import Foundation

/// Turns a decoded ONNX graph into a ``Network``: operators with fixed parameters become the package's
/// layers (`Conv` a convolution under the ONNX convention, `MaxPool` a pooling layer, `Gemm` a matrix
/// product…), shape and value operators become ``ONNXOperator``s evaluated during the analysis,
/// `Constant` nodes become constants, and unknown operators are kept as unknown nodes so the table goes on.
struct ONNXGraphImport {
    let name: String?
    let nodes: [Onnx_NodeProto]
    var constants: [String: ConstantTensor]
    let inputs: [Onnx_ValueInfoProto]
    let outputs: [Onnx_ValueInfoProto]
    let valueInfo: [Onnx_ValueInfoProto]
    let opset: Int
    /// Where this graph sits among the model's subgraphs (`""` for the main graph; `/y/then_branch` for
    /// the then-branch of the `If` that produces `y`): a subgraph's identity, since names may repeat
    /// across sibling subgraphs.
    var scope = ""

    /// Operators that keep their first input's shape.
    static let shapeKeeping: Set<String> = [
        "Relu", "LeakyRelu", "Sigmoid", "HardSigmoid", "HardSwish", "Tanh", "Elu", "Selu", "Celu", "Gelu", "Mish", "Softplus",
        "Softsign", "Softmax", "LogSoftmax", "Hardmax", "Clip", "Dropout", "Identity", "Erf", "Exp", "Log",
        "Sin", "Cos", "Tan", "Asin", "Acos", "Atan", "Sinh",
        "Cosh", "IsNaN", "IsInf", "ThresholdedRelu", "LRN", "LayerNormalization", "GroupNormalization", "MeanVarianceNormalization",
        "QuantizeLinear", "DequantizeLinear", "Shrink", "LpNormalization", "CumSum", "Trilu", "Swish", "Acosh", "Asinh", "Atanh",
        "BitwiseNot", "ReverseSequence", "RandomNormalLike", "RandomUniformLike", "Bernoulli",
        "EyeLike", "RMSNormalization", "RotaryEmbedding",
    ]

    func network() throws(NetworkError) -> Network {
        var imported = self
        // Constant nodes are constants, not layers.
        for node in nodes where node.opType == "Constant" && isDefaultDomain(node) {
            guard let output = node.output.first else { continue }
            imported.constants[output] = constant(of: node)
        }
        let ordered = try topologicalOrder()
        var networkNodes: [NetworkNode] = []
        for (index, node) in ordered where !(node.opType == "Constant" && isDefaultDomain(node)) {
            let converted = imported.convert(node, index: index).map { converted in
                var named = converted
                if !node.name.isEmpty, node.name != converted.name { named.sourceName = node.name }
                return named
            }
            networkNodes += converted
        }
        let initialized = Set(imported.constants.keys)
        let graphInputs = inputs.filter { !initialized.contains($0.name) }.map { value -> Network.Input in
            let dims = value.type.tensorType.shape.dim
            let declared = dims.map { dimension -> String in
                switch dimension.value {
                // Some exporters (Paddle) write -1 for a dynamic size, as ONNX Runtime reads it.
                case .dimValue(let size)? where size < 0: "?"
                case .dimValue(let size)?: String(size)
                case .dimParam(let name)?: name
                default: "?"
                }
            }
            let known = dims.compactMap { dimension -> Int? in
                if case .dimValue(let size)? = dimension.value, size >= 0 { return Int(size) }
                return nil
            }
            let hasShape = value.type.tensorType.hasShape
            return Network.Input(name: value.name, shape: hasShape && known.count == dims.count ? known : nil, declared: declared)
        }
        var declared: [String: [Int?]] = [:]
        for value in valueInfo + outputs where value.type.tensorType.hasShape {
            declared[value.name] = value.type.tensorType.shape.dim.map { dimension in
                if case .dimValue(let size)? = dimension.value, size >= 0 { return Int(size) }
                return nil
            }
        }
        return Network(name: name, inputs: graphInputs, constants: imported.constants, nodes: networkNodes, convention: .onnx,
                       outputs: outputs.map(\.name), declaredShapes: declared)
    }

    private func isDefaultDomain(_ node: Onnx_NodeProto) -> Bool { node.domain.isEmpty || node.domain == "ai.onnx" }

    /// The nodes in an order where each comes after the producers of its inputs (ONNX requires it; some
    /// exporters do not keep it). A cycle is an error naming a node on it.
    private func topologicalOrder() throws(NetworkError) -> [(Int, Onnx_NodeProto)] {
        var producer: [String: Int] = [:]
        for (index, node) in nodes.enumerated() {
            for output in node.output where !output.isEmpty { producer[output] = index }
        }
        var pending = [Int](repeating: 0, count: nodes.count)
        var consumers = [[Int]](repeating: [], count: nodes.count)
        for (index, node) in nodes.enumerated() {
            // A subgraph's reads of this graph's tensors are dependencies too.
            let implicit = node.attribute.contains { $0.hasG || !$0.graphs.isEmpty } ? Self.implicitInputs(of: node) : []
            for input in Set(node.input + implicit) where !input.isEmpty {
                if let source = producer[input], source != index {
                    pending[index] += 1
                    consumers[source].append(index)
                }
            }
        }
        var ready = (0..<nodes.count).filter { pending[$0] == 0 }.reversed().map { $0 }
        var order: [(Int, Onnx_NodeProto)] = []
        order.reserveCapacity(nodes.count)
        while let next = ready.popLast() {
            order.append((next, nodes[next]))
            for consumer in consumers[next].reversed() {
                pending[consumer] -= 1
                if pending[consumer] == 0 { ready.append(consumer) }
            }
            ready.sort(by: >)
        }
        if order.count < nodes.count, let stuck = (0..<nodes.count).first(where: { pending[$0] > 0 }) {
            let node = nodes[stuck]
            throw .malformed("the graph has a cycle through node \(stuck) (\(node.opType) '\(node.output.first ?? node.name)'): its inputs depend on its own outputs", at: SourceLocation(nodeIndex: stuck))
        }
        return order
    }

    private func attributes(of node: Onnx_NodeProto) -> ONNXAttributes {
        var values: [String: ONNXAttribute] = [:]
        for attribute in node.attribute {
            switch attribute.type {
            case .int: values[attribute.name] = .integer(Int(attribute.i))
            case .ints: values[attribute.name] = .integers(attribute.ints.map { Int($0) })
            case .float: values[attribute.name] = .real(Double(attribute.f))
            case .floats: values[attribute.name] = .reals(attribute.floats.map(Double.init))
            case .string: values[attribute.name] = .string(String(decoding: attribute.s, as: UTF8.self))
            case .tensor: values[attribute.name] = .tensor(ONNXTensors.constant(attribute.t))
            default:
                // Old exporters leave the type out; fall back on what is set.
                if !attribute.ints.isEmpty { values[attribute.name] = .integers(attribute.ints.map { Int($0) }) }
                else if !attribute.floats.isEmpty { values[attribute.name] = .reals(attribute.floats.map(Double.init)) }
                else if attribute.hasI { values[attribute.name] = .integer(Int(attribute.i)) }
                else if attribute.hasF { values[attribute.name] = .real(Double(attribute.f)) }
                else if attribute.hasS { values[attribute.name] = .string(String(decoding: attribute.s, as: UTF8.self)) }
                else if attribute.hasT { values[attribute.name] = .tensor(ONNXTensors.constant(attribute.t)) }
                else { values[attribute.name] = .other }
            }
        }
        return ONNXAttributes(values)
    }

    private func constant(of node: Onnx_NodeProto) -> ConstantTensor {
        let attributes = attributes(of: node)
        if case .tensor(let tensor) = attributes.values["value"] { return tensor }
        if let value = attributes.integer("value_int") { return ConstantTensor(shape: [], integers: [value]) }
        if let values = attributes.integers("value_ints") { return ConstantTensor(shape: [values.count], integers: values) }
        if case .real(let value) = attributes.values["value_float"] { return ConstantTensor(shape: [], reals: [value]) }
        if let values = attributes.reals("value_floats") { return ConstantTensor(shape: [values.count], reals: values) }
        return ConstantTensor(shape: [])
    }

    // MARK: Operators

    private func convert(_ node: Onnx_NodeProto, index: Int) -> [NetworkNode] {
        let name = node.output.first.flatMap { $0.isEmpty ? nil : $0 } ?? (node.name.isEmpty ? "\(node.opType)_\(index)" : node.name)
        let location = SourceLocation(nodeIndex: index)
        let attributes = attributes(of: node)
        let data = node.input.first.map { [$0] } ?? []
        func make(_ operation: NetworkOperation, inputs: [String]) -> NetworkNode {
            NetworkNode(name: name, operation: operation, inputs: inputs, label: node.opType, location: location)
        }
        /// The extra outputs: a copy of the first (MaxPool's indices, Dropout's mask), or unknown.
        func extras(sameShape: Bool) -> [NetworkNode] {
            node.output.dropFirst().filter { !$0.isEmpty }.map { output in
                NetworkNode(name: output, operation: sameShape ? .shapePreserving(kind: node.opType) : .unknown(kind: node.opType, reason: "its extra outputs are not inferred"),
                            inputs: sameShape ? [name] : [], label: node.opType, location: location)
            }
        }
        if node.domain == "com.microsoft", ONNXOperator.microsoftEvaluated.contains(node.opType) {
            let type = ONNXOperator.microsoftPrefix + node.opType
            return node.output.enumerated().filter { !$0.element.isEmpty }.map { position, output in
                NetworkNode(name: output, operation: .onnx(ONNXOperator(type: type, attributes: attributes, outputIndex: position, opset: opset)),
                            inputs: Array(node.input), label: node.opType, location: location)
            }
        }
        guard isDefaultDomain(node) else {
            return [make(.unknown(kind: "\(node.domain).\(node.opType)", reason: "operators outside the default ONNX domain are not inferred"), inputs: Array(node.input))]
                + node.output.dropFirst().filter { !$0.isEmpty }.map { NetworkNode(name: $0, operation: .unknown(kind: node.opType, reason: "an operator outside the default domain"), inputs: [], label: node.opType, location: location) }
        }
        switch node.opType {
        case "If":
            guard let thenGraph = node.attribute.first(where: { $0.name == "then_branch" })?.g,
                  let elseGraph = node.attribute.first(where: { $0.name == "else_branch" })?.g,
                  let thenBranch = try? branch(thenGraph, of: name, attribute: "then_branch"),
                  let elseBranch = try? branch(elseGraph, of: name, attribute: "else_branch") else {
                return node.output.filter { !$0.isEmpty }.map { output in
                    NetworkNode(name: output, operation: .unknown(kind: "If", reason: "its branches cannot be read"), inputs: Array(node.input),
                                label: node.opType, location: location)
                }
            }
            return subgraphOutputs(node, reads: thenBranch.outerReads + elseBranch.outerReads, location: location, inputs: { _ in Array(node.input) }) { position in
                .conditional(thenBranch: thenBranch.network, elseBranch: elseBranch.network, outputIndex: position)
            }
        case "Loop":
            guard let graph = node.attribute.first(where: { $0.name == "body" })?.g, let body = try? branch(graph, of: name, attribute: "body"),
                  body.network.inputs.count >= 2, body.network.inputs.count == max(node.input.count, 2) else {
                let reason = "its body cannot be read, or its inputs (the trip count, the condition and one initial value per carried value) do not match the body's"
                return node.output.filter { !$0.isEmpty }.map { output in
                    NetworkNode(name: output, operation: .unknown(kind: "Loop", reason: reason), inputs: Array(node.input), label: node.opType, location: location)
                }
            }
            // Every output but the first reads the trip count, the condition and its own initial value.
            let carried = node.input.count - 2
            let inputs = { (position: Int) in Array(node.input.prefix(2)) + (position < carried ? [node.input[position + 2]] : []) }
            return subgraphOutputs(node, reads: body.outerReads, location: location, inputs: inputs) { position in .loop(body: body.network, outputIndex: position) }
        case "Conv", "ConvTranspose":
            guard node.input.count >= 2, let weight = constants[node.input[1]] else {
                // A weight computed in the graph (dequantized, transposed…): its shape is known at analysis time.
                return [make(.onnx(ONNXOperator(type: node.opType, attributes: attributes, opset: opset)), inputs: Array(node.input))]
            }
            let bias = node.input.count > 2 && !node.input[2].isEmpty
            return [make(.window(Self.window(node.opType, attributes, weightShape: weight.shape, hasBias: bias)), inputs: data)]
        case "MaxPool", "AveragePool", "LpPool":
            return [make(.window(Self.pooling(attributes, average: node.opType != "MaxPool")), inputs: data)] + extras(sameShape: true)
        case "GlobalAveragePool", "GlobalLpPool":
            return [make(.globalPooling(.average, keepDimensions: true), inputs: data)]
        case "GlobalMaxPool":
            return [make(.globalPooling(.max, keepDimensions: true), inputs: data)]
        case "BatchNormalization":
            return [make(.normalization(kind: node.opType, affine: true), inputs: data)] + extras(sameShape: false)
        case "InstanceNormalization":
            return [make(.normalization(kind: node.opType, affine: true), inputs: data)]
        case "Gemm":
            let transposeA = (attributes.integer("transA") ?? 0) == 1
            guard node.input.count >= 2, let weight = constants[node.input[1]], weight.shape.count == 2, !transposeA else {
                return [make(.onnx(ONNXOperator(type: "Gemm", attributes: attributes, opset: opset)), inputs: Array(node.input))]
            }
            let bias = node.input.count > 2 && !node.input[2].isEmpty
            return [make(.matrixProduct(weight: weight.shape, transposeWeight: (attributes.integer("transB") ?? 0) == 1, hasBias: bias), inputs: data)]
        case "MatMul" where node.input.count >= 2 && constants[node.input[1]]?.shape.count == 2:
            return [make(.matrixProduct(weight: constants[node.input[1]]!.shape, transposeWeight: false, hasBias: false), inputs: data)]
        case "Reshape" where opset >= 5 && node.input.count >= 2 && constants[node.input[1]]?.integers != nil:
            return [make(.reshape(target: constants[node.input[1]]!.integers!, allowZero: (attributes.integer("allowzero") ?? 0) == 1), inputs: data)]
        case let type where Self.shapeKeeping.contains(type):
            return [make(.shapePreserving(kind: type), inputs: data)] + extras(sameShape: type == "Dropout")
        case let type where ONNXOperator.evaluated.contains(type):
            var attributes = attributes
            if type == "Split" { attributes.values["__outputs"] = .integer(node.output.count) }
            return node.output.enumerated().filter { !$0.element.isEmpty }.map { position, output in
                NetworkNode(name: output, operation: .onnx(ONNXOperator(type: type, attributes: attributes, outputIndex: position, opset: opset)),
                            inputs: Array(node.input), label: type, location: location)
            }
        default:
            let reason = ONNXOperatorStatus.dependsOnValues.contains(node.opType) || node.opType == "Scan"
                ? ONNXOperator.valueDependentReason(node.opType) : "this operator is not inferred"
            return node.output.filter { !$0.isEmpty }.map { output in
                NetworkNode(name: output, operation: .unknown(kind: node.opType, reason: reason), inputs: Array(node.input), label: node.opType, location: location)
            }
        }
    }

    /// A subgraph (an `If` branch, a `Loop` body) of the node producing `output`, as a network named by
    /// its place in the model, with the enclosing graph's tensors it reads.
    private func branch(_ graph: Onnx_GraphProto, of output: String, attribute: String) throws(NetworkError) -> (network: Network, outerReads: [String]) {
        var branchConstants: [String: ConstantTensor] = [:]
        for tensor in graph.initializer { branchConstants[tensor.name] = ONNXTensors.constant(tensor) }
        var imported = ONNXGraphImport(name: graph.name, nodes: graph.node, constants: branchConstants, inputs: graph.input, outputs: graph.output,
                                       valueInfo: [], opset: opset)
        imported.scope = scope + "/" + output + "/" + attribute
        var network = try imported.network()
        network.name = imported.scope
        return (network, Self.outerReads(of: [graph]))
    }

    /// The nodes of a subgraph operator's outputs: the first reads the node's inputs and every enclosing
    /// tensor the subgraphs read (so the order and the unknowns follow them); the others, which come
    /// right after it and share its analysis of the subgraphs, read only the inputs `inputs` gives for
    /// their position — a few, so a node of many outputs stays linear.
    private func subgraphOutputs(_ node: Onnx_NodeProto, reads: [String], location: SourceLocation, inputs: (Int) -> [String],
                                 operation: (Int) -> NetworkOperation) -> [NetworkNode] {
        var all = Array(node.input)
        var seen = Set(all)
        for read in reads where seen.insert(read).inserted { all.append(read) }
        return node.output.enumerated().filter { !$0.element.isEmpty }.enumerated().map { order, output in
            NetworkNode(name: output.element, operation: operation(output.offset), inputs: order == 0 ? all : inputs(output.offset),
                        label: node.opType, location: location)
        }
    }

    /// The enclosing-graph tensors a node's subgraphs read (an `If`'s branches, a `Loop`'s body), at any
    /// depth: dependencies the node's own inputs do not list.
    static func implicitInputs(of node: Onnx_NodeProto) -> [String] {
        outerReads(of: node.attribute.flatMap { [$0.g] + $0.graphs })
    }

    /// The tensors `graphs` read that none of them produces (at any depth), each once, in order.
    private static func outerReads(of graphs: [Onnx_GraphProto]) -> [String] {
        var reads: [String] = []
        var seen: Set<String> = []
        func visit(_ graph: Onnx_GraphProto) -> [String] {
            var produced = Set(graph.initializer.map(\.name)).union(graph.input.map(\.name))
            var found: [String] = []
            for inner in graph.node {
                for input in inner.input + inner.attribute.flatMap({ [$0.g] + $0.graphs }).flatMap(visit)
                    where !input.isEmpty && !produced.contains(input) {
                    found.append(input)
                }
                produced.formUnion(inner.output)
            }
            return found
        }
        for graph in graphs where !graph.node.isEmpty {
            for read in visit(graph) where seen.insert(read).inserted { reads.append(read) }
        }
        return reads
    }

    private static func padding(_ attributes: ONNXAttributes, rank: Int) -> Padding? {
        switch attributes.string("auto_pad") {
        case "SAME_UPPER": return .named(.same)
        case "SAME_LOWER": return .named(.sameLower)
        case "VALID": return .named(.valid)
        default:
            guard let pads = attributes.integers("pads"), pads.count == 2 * rank else { return nil }
            return .explicit((0..<rank).map { AxisPadding(before: pads[$0], after: pads[$0 + rank]) })
        }
    }

    /// `Conv` or `ConvTranspose` as a window layer, from its attributes and its weight's shape
    /// (`[C_out, C_in/group, k…]`, transposed `[C_in, C_out/group, k…]`).
    static func window(_ type: String, _ attributes: ONNXAttributes, weightShape: [Int], hasBias: Bool) -> WindowLayer {
        let transposed = type == "ConvTranspose"
        let kernel = attributes.integers("kernel_shape") ?? Array(weightShape.dropFirst(2))
        let groups = attributes.integer("group") ?? 1
        let outputs = transposed ? (weightShape.count > 1 ? weightShape[1] &* groups : 0) : (weightShape.first ?? 0)
        var layer = WindowLayer(operation: transposed ? .transposedConvolution : .convolution, kernel: kernel.isEmpty ? [1] : kernel,
                                stride: attributes.integers("strides"), padding: padding(attributes, rank: kernel.count),
                                dilation: attributes.integers("dilations"), outputChannels: outputs, groups: groups,
                                hasBias: hasBias, convention: .onnx)
        if transposed {
            layer.outputPadding = attributes.integers("output_padding")
            if let shape = attributes.integers("output_shape") {
                layer.outputSize = shape.count == kernel.count + 2 ? Array(shape.dropFirst(2)) : shape
            }
        }
        return layer
    }

    /// `MaxPool`, `AveragePool`, `LpPool` (average: the same sizes) as a window layer.
    static func pooling(_ attributes: ONNXAttributes, average: Bool) -> WindowLayer {
        let kernel = attributes.integers("kernel_shape") ?? [1]
        var layer = WindowLayer(operation: .pooling, kernel: kernel, stride: attributes.integers("strides") ?? Array(repeating: 1, count: kernel.count),
                                padding: Self.padding(attributes, rank: kernel.count), dilation: attributes.integers("dilations"),
                                ceilMode: (attributes.integer("ceil_mode") ?? 0) == 1, poolingMode: average ? .average : .max,
                                hasBias: false, convention: .onnx)
        if average { layer.countIncludePad = (attributes.integer("count_include_pad") ?? 0) == 1 }
        return layer
    }
}

extension NetworkOperation {
    /// An ONNX operator left unknown, with the reason.
    static func onnxUnknown(_ type: String, _ reason: String) -> NetworkOperation { .unknown(kind: type, reason: reason) }
}
