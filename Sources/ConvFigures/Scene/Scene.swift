import ConvArithmetic

/// A paper-style figure, computed from the core's arithmetic: the grid the kernel slides over, the
/// output grid, and one frame per output position with the cells the kernel covers.
///
/// Transposed convolutions are drawn as the paper draws them: the equivalent stride-1 direct convolution
/// over the stretched, padded input, with the output above it.
public struct Scene: Sendable {
    /// One step of the animation.
    public struct Frame: Sendable, Hashable {
        /// The output position being computed.
        public let output: [Int]
        /// The lower-grid cells under the kernel, one per tap (row-major taps).
        public let footprint: [[Int]]
    }

    /// The layer drawn.
    public let shape: LayerShape
    /// The grid the kernel slides over.
    public let lower: Grid
    /// Output sizes.
    public let upperSizes: [Int]
    /// The number of frames: one per output position.
    public let frameCount: Int
    /// The lower grid's label ("input", or "input (i'), stretched and padded").
    public let lowerLabel: String
    /// The upper grid's label ("output", or "output (o')").
    public let upperLabel: String
    /// A one-line title.
    public let title: String
    /// The parameters and sizes, in words.
    public let caption: String

    /// The scene of a layer; `poolingMode` names a pooling layer's kind in the title.
    /// - Throws: `ArithmeticError` if the equivalent convolution of a transposed layer overflows.
    public init(shape: LayerShape, poolingMode: PoolingMode? = nil) throws(ArithmeticError) {
        self.shape = shape
        let rank = shape.rank
        switch shape.operation {
        case .convolution, .pooling:
            lower = Grid(sizes: shape.axes.map { $0.input + $0.padding.before + $0.padding.after },
                         paddingBefore: shape.axes.map(\.padding.before), interior: shape.input,
                         spacing: [Int](repeating: 1, count: rank), cropBefore: [Int](repeating: 0, count: rank),
                         inputSizes: shape.input)
            lowerLabel = "input"
            upperLabel = "output"
        case .transposedConvolution:
            let equivalents = try shape.axes.map { axis throws(ArithmeticError) in try axis.equivalentConvolution() }
            let interior = equivalents.map(\.croppedInput)
            lower = Grid(sizes: equivalents.map { $0.zeroPadding.before + $0.croppedInput + $0.zeroPadding.after },
                         paddingBefore: equivalents.map(\.zeroPadding.before), interior: interior,
                         spacing: shape.axes.map(\.stride), cropBefore: equivalents.map(\.crop.before), inputSizes: shape.input)
            lowerLabel = "input (i'), stretched and padded"
            upperLabel = "output (o')"
        }
        upperSizes = shape.output
        // Checked: a scene of any size costs nothing until a frame is drawn (FigureEstimate bounds drawing).
        frameCount = FigureEstimate.product(shape.output) ?? Int.max
        title = Self.title(shape, poolingMode: poolingMode)
        caption = Self.caption(shape)
    }

    /// Frame `index` (row-major over the outputs; clamped to the last): for a direct window, output o covers
    /// cells `o·s + t·d` of the padded grid; for the equivalent convolution of a transposed one, cells
    /// `o + t·d` (stride 1) of the stretched grid. Frames are computed on demand, so a scene of any size
    /// costs nothing until a frame is drawn.
    public func frame(at index: Int) -> Frame {
        let outputs = shape.output
        var output = [Int](repeating: 0, count: outputs.count)
        var rest = min(max(index, 0), max(frameCount - 1, 0))
        for axis in outputs.indices.reversed() {
            output[axis] = rest % outputs[axis]
            rest /= outputs[axis]
        }
        let footprint: [[Int]]
        switch shape.operation {
        case .convolution, .pooling:
            footprint = shape.footprint(ofOutput: output).map { position in
                position.indices.map { position[$0] + shape.axes[$0].padding.before }
            }
        case .transposedConvolution:
            let direct = LayerShape(operation: .convolution, convention: shape.convention, axes: shape.axes.indices.map { axis in
                AxisArithmetic(input: lower.sizes[axis], kernel: shape.axes[axis].kernel, stride: 1, dilation: shape.axes[axis].dilation,
                               padding: AxisPadding(0), output: outputs[axis])
            })
            footprint = direct.footprint(ofOutput: output)
        }
        return Frame(output: output, footprint: footprint)
    }

    /// Every frame, row-major (for small scenes; ``frame(at:)`` draws one at a time).
    public var frames: [Frame] { (0..<frameCount).map(frame(at:)) }

    private static func title(_ shape: LayerShape, poolingMode: PoolingMode?) -> String {
        let kind: String
        switch shape.operation {
        case .convolution: kind = shape.axes.contains { $0.dilation > 1 } ? "Dilated convolution" : "Convolution"
        case .pooling: kind = poolingMode == .average ? "Average pooling" : (poolingMode == .max ? "Max pooling" : "Pooling")
        case .transposedConvolution: kind = "Transposed convolution"
        }
        if let relationship = shape.relationships.first {
            return "\(kind) — \(relationship.label): \(relationship.title)"
        }
        return kind
    }

    private static func caption(_ shape: LayerShape) -> String {
        func list(_ values: [Int]) -> String { Set(values).count == 1 ? String(values[0]) : "(" + values.map(String.init).joined(separator: ", ") + ")" }
        let axes = shape.axes
        let paddings = axes.map(\.padding)
        let padding = Set(paddings).count == 1 ? paddings[0].description : "(" + paddings.map(\.description).joined(separator: ", ") + ")"
        var parts: [String] = []
        let inputName = shape.operation == .transposedConvolution ? "i'" : "i"
        parts.append("\(inputName) = \(list(shape.input))")
        parts.append("k = \(list(axes.map(\.kernel)))")
        parts.append("s = \(list(axes.map(\.stride)))")
        parts.append("p = \(padding)")
        if axes.contains(where: { $0.dilation > 1 }) { parts.append("d = \(list(axes.map(\.dilation)))") }
        if shape.operation == .transposedConvolution { parts.append("a = \(list(axes.map(\.outputPadding)))") }
        if axes.contains(where: \.ceilMode) { parts.append("ceil_mode") }
        let outputName = shape.operation == .transposedConvolution ? "o'" : "o"
        var caption = parts.joined(separator: ", ") + " → \(outputName) = \(list(shape.output))"
        if shape.operation == .transposedConvolution, let equivalents = try? axes.map({ axis throws(ArithmeticError) in try axis.equivalentConvolution() }) {
            caption += "; drawn as its equivalent convolution: ĩ' = \(list(equivalents.map(\.stretchedInput))), k' = \(list(axes.map(\.kernel))), s' = 1, p' = "
            let primes = equivalents.map(\.padding)
            caption += Set(primes).count == 1 ? primes[0].description : "(" + primes.map(\.description).joined(separator: ", ") + ")"
            if axes.contains(where: { $0.dilation > 1 }) { caption += ", d' = d = \(list(axes.map(\.dilation)))" }
        }
        return caption
    }
}
