import ConvArithmetic
import Yams

/// Turns a composed YAML/JSON document into a ``Network``, strictly: unknown operators and fields, wrong
/// types and references to layers that do not exist (or come later, which would make a cycle) are errors
/// naming their line and column.
struct StackDecoder {
    let root: Node

    func network() throws(NetworkError) -> Network {
        guard case .mapping(let top) = root else {
            throw .malformed("the file must be a mapping with 'layers' (and optionally 'name', 'input', 'convention')", at: place(root))
        }
        let allowedTop: Set<String> = ["name", "input", "convention", "layers"]
        for (key, _) in top {
            guard let name = key.string, allowedTop.contains(name) else {
                throw .malformed("unknown top-level field '\(key.string ?? "\(key)")'; expected \(allowedTop.sorted().joined(separator: ", "))", at: place(key))
            }
        }
        let convention = try top["convention"].map { (node) throws(NetworkError) in try Self.convention(node) } ?? .pytorch
        var input: [Int]?
        if let node = top["input"] {
            let shape = try integers(node, field: "input")
            guard shape.count >= 3 else {
                throw .malformed("input must be the full shape [N, C, spatial…] (for example [1, 3, 224, 224]), got \(ShapeText.brackets(shape))", at: place(node))
            }
            guard shape.allSatisfy({ $0 >= 0 }), shape.dropFirst().allSatisfy({ $0 >= 1 }) else {
                throw .malformed("input sizes must be at least 1 (the batch at least 0), got \(ShapeText.brackets(shape))", at: place(node))
            }
            input = shape
        }
        guard let layersNode = top["layers"] else { throw .malformed("the file has no 'layers' list", at: place(root)) }
        guard case .sequence(let layers) = layersNode else {
            throw .malformed("'layers' must be a list of layers", at: place(layersNode))
        }
        guard layers.count <= StackFile.layerLimit else {
            throw .tooLarge("the stack has \(layers.count) layers, above the limit of \(StackFile.layerLimit)")
        }
        var nodes: [NetworkNode] = []
        nodes.reserveCapacity(layers.count)
        var defined: [String: Int] = ["input": 0]
        // Every name first, so a reference to a later layer is reported as a cycle, not as unknown.
        var declaredNames: [String: Mark?] = [:]
        for (index, layer) in layers.enumerated() {
            if case .mapping(let fields) = layer, let nameNode = fields["name"], let name = nameNode.string {
                declaredNames[name] = nameNode.mark
            } else {
                declaredNames[defaultName(layer, index: index)] = layer.mark
            }
        }
        for (index, layer) in layers.enumerated() {
            let node = try decodeLayer(layer, index: index, previous: nodes.last?.name ?? "input", convention: convention)
            if defined[node.name] != nil {
                throw .malformed("the name '\(node.name)' is used twice; every layer needs its own name", at: place(layer))
            }
            for reference in node.inputs where defined[reference] == nil {
                if let later = declaredNames[reference] {
                    let line = later.map { " (line \($0.line))" } ?? ""
                    throw .malformed("'\(node.name)' reads '\(reference)', which is defined further down\(line); a layer reads only the input or layers above it, so a stack has no cycles", at: place(layer))
                }
                let suggestion = NearestName.among(defined.keys.sorted(), to: reference).map { " (is it '\($0)'?)" } ?? ""
                throw .malformed("'\(node.name)' reads '\(reference)'\(suggestion), which is not a layer of the stack (the network's input is 'input')", at: place(layer))
            }
            defined[node.name] = index + 1
            nodes.append(node)
        }
        let name = top["name"]?.string
        return Network(name: name, inputs: [Network.Input(name: "input", shape: input)], nodes: nodes, convention: convention)
    }

    // MARK: Layers

    private func defaultName(_ layer: Node, index: Int) -> String {
        let op: String
        if case .mapping(let fields) = layer { op = fields["op"]?.string ?? "layer" } else { op = layer.string ?? "layer" }
        return "\(op)_\(index + 1)"
    }

    private func decodeLayer(_ layer: Node, index: Int, previous: String, convention: Convention) throws(NetworkError) -> NetworkNode {
        var fields: Node.Mapping
        switch layer {
        case .scalar(let scalar):
            fields = Node.Mapping([(Node("op"), Node(scalar.string))])
        case .mapping(let mapping):
            fields = mapping
        case .sequence:
            throw .malformed("layer \(index + 1) is a list; a layer is a mapping such as {op: conv, out_channels: 64, kernel: 3} or a bare name such as relu", at: place(layer))
        case .alias:
            throw .malformed("layer \(index + 1) is an unresolved alias", at: place(layer))
        }
        guard let opNode = fields["op"] else {
            throw .malformed("layer \(index + 1) has no 'op' (conv, transposed, maxpool, relu, …)", at: place(layer))
        }
        guard let op = opNode.string?.lowercased() else { throw .malformed("'op' must be a name", at: place(opNode)) }
        let reader = LayerFields(fields: fields, layer: layer, op: op)
        let name = try reader.string("name") ?? defaultName(layer, index: index)
        guard !name.isEmpty else {
            throw .malformed("layer \(index + 1)'s name is empty; give it a name, or leave 'name' out for the default '\(defaultName(layer, index: index))'",
                             at: place(fields["name"] ?? layer))
        }
        let inputs = try reader.strings("inputs") ?? [previous]
        let layerConvention = try fields["convention"].map { (node) throws(NetworkError) in try Self.convention(node) }
        let operation = try operation(op, reader, convention: layerConvention)
        try reader.checkUnused()
        let location = layer.mark.map { SourceLocation(line: $0.line, column: $0.column) }
        return NetworkNode(name: name, operation: operation, inputs: inputs, label: op, location: location)
    }

    private func operation(_ op: String, _ fields: LayerFields, convention: Convention?) throws(NetworkError) -> NetworkOperation {
        switch op {
        case "conv", "conv1d", "conv2d", "conv3d", "convolution":
            return .window(try window(.convolution, fields, convention: convention))
        case "transposed", "conv_transpose", "convtranspose", "deconv", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d":
            return .window(try window(.transposedConvolution, fields, convention: convention))
        case "maxpool", "maxpool1d", "maxpool2d", "maxpool3d", "max_pool":
            return .window(try window(.pooling, fields, convention: convention, mode: .max))
        case "avgpool", "avgpool1d", "avgpool2d", "avgpool3d", "avg_pool", "average_pool":
            return .window(try window(.pooling, fields, convention: convention, mode: .average))
        case let adaptive where (adaptive == "adaptive_avgpool" || adaptive == "adaptive_maxpool") && fields.has("output_size"):
            // PyTorch's AdaptiveAvgPool2d((7, 7)): the spatial axes become the given sizes.
            guard let sizes = try fields.integers("output_size"), sizes.allSatisfy({ $0 >= 1 }) else {
                throw .malformed("'output_size' must be sizes of at least 1", at: fields.place)
            }
            return .adaptivePooling(op == "adaptive_maxpool" ? .max : .average, outputSize: sizes)
        case "global_avgpool", "global_average_pool", "globalaveragepool", "adaptive_avgpool":
            return .globalPooling(.average, keepDimensions: try fields.bool("keep_dims") ?? true)
        case "adaptive_maxpool":
            return .globalPooling(.max, keepDimensions: try fields.bool("keep_dims") ?? true)
        case "global_maxpool", "global_max_pool", "globalmaxpool":
            return .globalPooling(.max, keepDimensions: try fields.bool("keep_dims") ?? true)
        case "batchnorm", "batch_norm", "batchnorm1d", "batchnorm2d", "batchnorm3d", "groupnorm", "group_norm":
            if op.hasPrefix("group") { _ = try fields.integer("groups") }
            return .normalization(kind: op, affine: try fields.bool("affine") ?? true)
        case "instancenorm", "instance_norm", "instancenorm1d", "instancenorm2d", "instancenorm3d":
            return .normalization(kind: op, affine: try fields.bool("affine") ?? false)
        case "relu", "leaky_relu", "leakyrelu", "prelu", "elu", "selu", "gelu", "silu", "swish", "sigmoid", "tanh",
             "hardswish", "hard_swish", "hardsigmoid", "hard_sigmoid", "relu6", "mish", "softmax", "dropout", "identity":
            _ = try fields.double("negative_slope")
            _ = try fields.double("p")
            return .shapePreserving(kind: op)
        case "flatten":
            return .flatten(startAxis: try fields.integer("start_axis") ?? 1, collapsesLeadingAxes: false)
        case "linear", "dense", "fc", "fully_connected":
            guard let out = try fields.integer("out_features") else { throw fields.missing("out_features") }
            return .linear(inputFeatures: try fields.integer("in_features"), outputFeatures: out, hasBias: try fields.bool("bias") ?? true)
        case "upsample", "upsampling":
            guard let scale = try fields.integers("scale") else { throw fields.missing("scale") }
            return .upsample(factors: scale)
        case "concat", "concatenate", "cat":
            guard fields.has("inputs") else { throw fields.missing("inputs") }
            return .concatenate(axis: try fields.integer("axis") ?? 1)
        case "add", "sum", "mul", "multiply":
            guard fields.has("inputs") else { throw fields.missing("inputs") }
            return .elementwise(kind: op, broadcasting: try fields.bool("broadcast") ?? false)
        default:
            let suggestion = NearestName.among(Self.operatorNames, to: op).map { " (is it '\($0)'?)" } ?? ""
            throw .malformed("unknown op '\(op)'\(suggestion); known: conv, transposed, maxpool, avgpool, global_avgpool, global_maxpool, batchnorm, instancenorm, relu and other activations, dropout, identity, flatten, linear, upsample, concat, add", at: fields.place)
        }
    }

    private func window(_ operation: Operation, _ fields: LayerFields, convention: Convention?, mode: PoolingMode = .max) throws(NetworkError) -> WindowLayer {
        guard let kernel = try fields.integers("kernel", alias: "kernel_size") else { throw fields.missing("kernel") }
        var outputs: Int?
        if operation != .pooling {
            guard let count = try fields.integer("out_channels", alias: "filters") else { throw fields.missing("out_channels") }
            outputs = count
        }
        var layer = WindowLayer(operation: operation, kernel: kernel, outputChannels: outputs, convention: convention)
        layer.stride = try fields.integers("stride", alias: "strides")
        layer.padding = try fields.padding("padding")
        layer.dilation = try fields.integers("dilation")
        layer.groups = operation == .pooling ? nil : try fields.integer("groups")
        layer.hasBias = operation == .pooling ? false : try fields.bool("bias") ?? true
        if operation == .transposedConvolution {
            layer.outputPadding = try fields.integers("output_padding")
            layer.outputSize = try fields.integers("output_size")
        }
        if operation == .pooling {
            layer.poolingMode = mode
            layer.ceilMode = try fields.bool("ceil_mode") ?? false
            layer.countIncludePad = mode == .average ? try fields.bool("count_include_pad") : nil
        }
        return layer
    }

    // MARK: Values

    static func convention(_ node: Node) throws(NetworkError) -> Convention {
        guard let name = node.string, let convention = Convention(name: name) else {
            throw .malformed("unknown convention '\(node.string ?? "\(node)")'; use \(Convention.namesInWords)", at: place(node))
        }
        return convention
    }

    private func integers(_ node: Node, field: String) throws(NetworkError) -> [Int] {
        try LayerFields.integers(node, field: field)
    }

    private func place(_ node: Node) -> SourceLocation? { Self.place(node) }

    /// The operators' usual names, for a suggestion when one is misspelt.
    static let operatorNames = ["conv", "transposed", "maxpool", "avgpool", "global_avgpool", "global_maxpool", "adaptive_avgpool",
                                "adaptive_maxpool", "batchnorm", "instancenorm", "groupnorm", "relu", "leaky_relu", "gelu", "silu",
                                "sigmoid", "tanh", "softmax", "dropout", "identity", "flatten", "linear", "upsample", "concat", "add", "mul"]



    static func place(_ node: Node) -> SourceLocation? {
        node.mark.map { SourceLocation(line: $0.line, column: $0.column) }
    }
}
