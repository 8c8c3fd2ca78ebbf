import ConvArithmetic

/// Encoder → decoder mirroring: the transposed convolutions that restore every intermediate size of an
/// encoder exactly, and the check that a given decoder does.
///
/// A convolution or pooling layer maps `i` units to `o = ⌊(i + p_lo + p_hi − k̂)/s⌋ + 1`, so `s` input
/// sizes share each output; its transposed convolution (same `k`, `s`, `p`, `d`) can only give back one
/// of them, chosen by the output padding `a = (i + p_lo + p_hi − k̂) mod s` — Relationship 13 of the seed
/// (14 of the paper). The mirror picks that `a` for every layer.
public enum Mirror {
    /// One encoder layer and the decoder layer that undoes its size change.
    public struct Step: Sendable, Hashable {
        /// The encoder layer's name.
        public let encoderLayer: String
        /// Its input shape, which the decoder layer restores.
        public let restores: [Int]
        /// The decoder's transposed convolution.
        public let decoderNode: NetworkNode
        /// The output padding chosen per axis.
        public let outputPadding: [Int]
    }

    /// The decoder of `encoder`: for each convolution and pooling layer, last first, a transposed
    /// convolution with the same kernel, stride, padding and dilation, the output padding that restores
    /// the encoder layer's input size, and the encoder layer's input channels as its output channels.
    /// - Throws: ``NetworkError`` when the encoder is not a chain of layers with known shapes, a layer
    ///   fails, a layer other than convolution, pooling or a shape-keeping one changes the shape, or the
    ///   convention cannot express the transposed layer (PyTorch's symmetric padding, say).
    public static func steps(for encoder: Network) throws(NetworkError) -> [Step] {
        let report = encoder.analyze()
        if let failure = report.firstFailure {
            throw .layer("the encoder fails at '\(failure.name)': \(failure.error ?? "")")
        }
        var previous = encoder.inputs.first?.name ?? "input"
        var steps: [Step] = []
        for (node, row) in zip(encoder.nodes, report.layers) {
            guard node.inputs == [previous] else {
                throw .layer("'\(node.name)' reads \(node.inputs.map { "'\($0)'" }.joined(separator: ", ")) instead of the layer above it ('\(previous)'); only a chain of layers is mirrored")
            }
            previous = node.name
            guard let input = row.inputShapes.first ?? nil, let output = row.outputShape else {
                throw .layer("the shape of '\(node.name)' is unknown (\(row.note ?? "")); give the input shape")
            }
            switch node.operation {
            case .window(let window) where window.operation != .transposedConvolution:
                guard let layer = row.layer else { continue }
                steps.append(try step(undoing: layer, window: window, name: node.name, input: input, output: output, convention: encoder.convention))
            case .shapePreserving, .normalization:
                continue
            default:
                guard input == output else {
                    throw .layer("'\(node.name)' (\(node.label)) changes the shape from \(ShapeText.brackets(input)) to \(ShapeText.brackets(output)); only convolutions and pooling are mirrored — end the encoder before it")
                }
            }
        }
        return steps.reversed()
    }

    /// The decoder as a network whose input is the encoder's output.
    public static func decoder(for encoder: Network) throws(NetworkError) -> Network {
        let steps = try steps(for: encoder)
        let report = encoder.analyze()
        let output = report.layers.last?.outputShape ?? encoder.inputs.first?.shape
        var nodes: [NetworkNode] = []
        var previous = "input"
        for step in steps {
            var node = step.decoderNode
            node.inputs = [previous]
            previous = node.name
            nodes.append(node)
        }
        return Network(name: (encoder.name ?? "encoder") + "_mirror", inputs: [Network.Input(name: "input", shape: output)],
                       nodes: nodes, convention: encoder.convention)
    }

    private static func step(undoing layer: Layer, window: WindowLayer, name: String, input: [Int], output: [Int],
                             convention: Convention) throws(NetworkError) -> Step {
        let shape = layer.shape
        let axes = shape.axes.map(\.associatedTransposed)
        var transposed = WindowLayer(operation: .transposedConvolution, kernel: axes.map(\.kernel), stride: axes.map(\.stride),
                                     padding: .explicit(axes.map(\.padding)), dilation: axes.map(\.dilation),
                                     outputPadding: axes.map(\.outputPadding), outputChannels: input[1],
                                     groups: window.operation == .pooling ? nil : window.groups, convention: window.convention)
        transposed.hasBias = window.operation == .pooling ? false : window.hasBias
        let node = NetworkNode(name: "\(name)_mirror", operation: .window(transposed), inputs: [], label: "transposed")
        // The core decides: the convention may refuse the padding or the output padding.
        let parameters = try transposed.parameters(input: output, convention: convention)
        let resolved: Layer
        do { resolved = try Layer(parameters) } catch {
            throw .layer("'\(name)' cannot be mirrored under \(convention.displayName)'s rules: \(error.description)")
        }
        guard resolved.shape.output == Array(input.dropFirst(2)) else {
            throw .layer("'\(name)' cannot be mirrored exactly: its transposed convolution gives \(ShapeText.brackets(resolved.shape.output)) instead of \(ShapeText.brackets(Array(input.dropFirst(2))))\(shape.axes.contains(where: \.ceilMode) ? " (ceil_mode adds a window the transposed layer cannot undo)" : "")")
        }
        return Step(encoderLayer: name, restores: input, decoderNode: node, outputPadding: axes.map(\.outputPadding))
    }
}
