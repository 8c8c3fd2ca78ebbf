import ConvArithmetic
import ConvEval
import ConvFigures
import ConvKernels
import ConvTour

/// The server's answers, as bytes and a content type, from a query: every size from the core, every JSON
/// body from ConvEval's encoders (the same as `convarith … --json` and `convarith eval`), every figure from
/// ConvFigures with ConvTour's values — and every request's cost checked from the arithmetic first.
enum APIAnswers {
    /// A body and its content type.
    struct Body {
        let bytes: [UInt8]
        let contentType: String

        static func json(_ value: JSONValue) -> Body { Body(bytes: Array(JSONWriter.string(value).utf8), contentType: "application/json") }
    }

    /// The largest figure frame the server draws, in cells (the page shows one frame at a time).
    static let cellLimit = 20_000
    /// The largest matrix C the server writes out, in entries.
    static let matrixLimit = 40_000

    /// `/api/shape`: `convarith eval`'s answer (and `convarith shape --json`'s).
    static func shape(_ query: LayerQuery) throws(LayerQuery.Invalid) -> Body {
        var bytes: [UInt8] = []
        EvalResult(layer: try query.layer()).write(to: &bytes)
        return Body(bytes: bytes, contentType: "application/json")
    }

    /// `/api/explain`: the relationships and the derivation.
    static func explain(_ query: LayerQuery) throws(LayerQuery.Invalid) -> Body {
        .json(ExplainAnswer.json(try query.layer().shape))
    }

    /// `/api/transpose`: the convolution, its transposed convolution and the equivalent direct convolution.
    static func transpose(_ query: LayerQuery) throws(LayerQuery.Invalid) -> Body {
        let shape = try query.layer().shape
        let answer: JSONValue?
        do { answer = try TransposeAnswer.json(shape) } catch { throw LayerQuery.Invalid(description: error.description) }
        guard let answer else { throw LayerQuery.Invalid(description: "pooling has no transposed counterpart in the paper's sense; use op=conv or op=transposed") }
        return .json(answer)
    }

    /// `/api/solve/padding?input=&kernel=&target=[&stride=&dilation=]`: the paddings per axis.
    static func solvePadding(_ query: LayerQuery) throws(LayerQuery.Invalid) -> Body {
        guard let input = try query.sizes("input"), let kernel = try query.sizes("kernel"), let target = try query.sizes("target") else {
            throw LayerQuery.Invalid(description: "'input', 'kernel' and 'target' are required, e.g. input=32&kernel=4&stride=2&target=16")
        }
        guard target.count == input.count else { throw LayerQuery.Invalid(description: "'target' has \(target.count) axes but 'input' has \(input.count)") }
        func axes(_ values: [Int], _ name: String) throws(LayerQuery.Invalid) -> [Int] {
            guard let expanded = OptionSpelling.perAxis(values, rank: input.count) else {
                throw LayerQuery.Invalid(description: "'\(name)' has \(values.count) values but 'input' has \(input.count) axes; give one value or one per axis")
            }
            return expanded
        }
        let kernels = try axes(kernel, "kernel"), strides = try axes(try query.sizes("stride") ?? [1], "stride")
        let dilations = try axes(try query.sizes("dilation") ?? [1], "dilation")
        var answers: [JSONValue] = []
        for axis in input.indices {
            let solution: Solver.PaddingSolution?
            do {
                solution = try Solver.padding(forOutput: target[axis], input: input[axis], kernel: kernels[axis], stride: strides[axis], dilation: dilations[axis])
            } catch { throw LayerQuery.Invalid(description: "axis \(axis): \(error.description)") }
            guard let solution else { throw LayerQuery.Invalid(description: "axis \(axis): no padding gives \(target[axis]); even unpadded the layer gives more outputs") }
            answers.append(SolveAnswer.padding(axis: axis, solution))
        }
        return .json(.array(answers))
    }

    /// `/api/solve/output-padding?input=&kernel=&target=[&stride=&padding=&dilation=&convention=]`.
    static func solveOutputPadding(_ query: LayerQuery) throws(LayerQuery.Invalid) -> Body {
        guard let target = try query.sizes("target") else { throw LayerQuery.Invalid(description: "'target' is required: the output size o' to reach") }
        var values = query.values
        values["op"] = "transposed"
        let parameters = try LayerQuery(values: values).parameters()
        do {
            return .json(SolveAnswer.outputPadding(try Solver.outputPadding(forOutput: target, parameters).shape))
        } catch {
            throw LayerQuery.Invalid(description: error.description)
        }
    }

    /// `/api/solve/inputs?output=&kernel=[&stride=&padding=&dilation=]`: the input sizes sharing one output.
    static func solveInputs(_ query: LayerQuery) throws(LayerQuery.Invalid) -> Body {
        guard let output = try query.integer("output"), let kernel = try query.integer("kernel") else {
            throw LayerQuery.Invalid(description: "'output' and 'kernel' are required, e.g. output=3&kernel=3&stride=2&padding=1")
        }
        let stride = try query.integer("stride") ?? 1, dilation = try query.integer("dilation") ?? 1
        var padding = AxisPadding(0)
        if let text = try query.value("padding") {
            guard case .explicit(let axes)? = OptionSpelling.padding(text), axes.count == 1 else {
                throw LayerQuery.Invalid(description: "'padding' must be one number or before:after for this question")
            }
            padding = axes[0]
        }
        let range: ClosedRange<Int>?
        do { range = try Solver.inputSizes(forOutput: output, kernel: kernel, stride: stride, dilation: dilation, padding: padding) } catch {
            throw LayerQuery.Invalid(description: error.description)
        }
        guard let range else { throw LayerQuery.Invalid(description: "no input size gives \(output) outputs with these parameters") }
        return .json(SolveAnswer.inputs(range, exact: range.upperBound - (stride - 1), listLimit: 64))
    }

    /// `/api/scene`: what a figure of the layer would be (frames, size, cells), checked against the budget.
    static func scene(_ query: LayerQuery) throws(LayerQuery.Invalid) -> Body {
        let (layer, estimate) = try figure(query)
        return .json(.object([
            ("title", .string((try? Scene(shape: layer.shape, poolingMode: poolingMode(layer)).title) ?? layer.shape.name)),
            ("frames", .integer(estimate.frames)), ("width", .integer(estimate.width)), ("height", .integer(estimate.height)),
            ("cells", .integer(estimate.cellsPerFrame)),
        ]))
    }

    /// `/api/scene.svg?…&frame=N[&values=true]`: one frame of the figure as SVG.
    static func sceneSVG(_ query: LayerQuery) throws(LayerQuery.Invalid) -> Body {
        let (layer, estimate) = try figure(query)
        let frame = try query.integer("frame") ?? 0
        guard frame >= 0, frame < estimate.frames else {
            throw LayerQuery.Invalid(description: "'frame' must be 0 to \(estimate.frames - 1) (the figure has \(estimate.frames) frames), got \(frame)")
        }
        let scene: Scene
        do { scene = try Scene(shape: layer.shape, poolingMode: poolingMode(layer)) } catch { throw LayerQuery.Invalid(description: error.description) }
        var options = FigureOptions(cellSize: 32, marksCells: true)
        if try query.flag("values") ?? false {
            options.values = try? ExampleValues.values(for: layer.shape, mode: layer.poolingMode)
        }
        return Body(bytes: Array(SVGWriter.frame(FigureLayout(scene: scene, options: options), index: frame).utf8), contentType: "image/svg+xml")
    }

    /// `/api/matrix`: the sparse matrix C of a convolution (or Cᵀ of a transposed one) as symbolic entries.
    static func matrix(_ query: LayerQuery) throws(LayerQuery.Invalid) -> Body {
        let layer = try query.layer()
        var shape = layer.shape
        guard shape.operation != .pooling else { throw LayerQuery.Invalid(description: "the matrix C is a convolution's; use op=conv or op=transposed") }
        let transposed = shape.operation == .transposedConvolution
        if transposed, let associated = shape.associated { shape = associated }
        let rows = MemoryLimit.elementCount(shape.output), columns = MemoryLimit.elementCount(shape.input)
        guard let rows, let columns, rows.multipliedReportingOverflow(by: columns).overflow == false, rows * columns <= matrixLimit else {
            throw LayerQuery.Invalid(description: "the matrix C would have \(rows.map(String.init) ?? "too many") × \(columns.map(String.init) ?? "too many") entries; the server writes at most \(matrixLimit) (use convarith matrix for larger ones)")
        }
        let matrix: ConvolutionMatrix
        do { matrix = try ConvolutionMatrix(shape: shape) } catch { throw LayerQuery.Invalid(description: error.description) }
        let cells = matrix.symbolic()
        let shown = transposed ? (0..<matrix.columns).map { column in cells.map { $0[column] } } : cells
        return .json(.object([
            ("matrix", .string(transposed ? "C_transposed" : "C")),
            ("rows", .integer(shown.count)), ("columns", .integer(shown.first?.count ?? 0)),
            ("non_zeros", .integer(matrix.nonZeroCount)),
            ("entries", .array(shown.map { .array($0.map(JSONValue.string)) })),
        ]))
    }

    static func figure(_ query: LayerQuery) throws(LayerQuery.Invalid) -> (Layer, FigureEstimate) {
        let layer = try query.layer()
        do {
            let estimate = try FigureEstimate(shape: layer.shape, cellSize: 32)
            guard estimate.cellsPerFrame <= cellLimit else {
                throw LayerQuery.Invalid(description: "a frame of this figure has \(estimate.cellsPerFrame) cells; the server draws at most \(cellLimit) (use convarith draw for larger ones)")
            }
            try FigureBudget.default.check(estimate, drawing: .vectorFrame)
            return (layer, estimate)
        } catch let error as LayerQuery.Invalid {
            throw error
        } catch {
            throw LayerQuery.Invalid(description: "\(error)")
        }
    }

    static func poolingMode(_ layer: Layer) -> PoolingMode? {
        layer.shape.operation == .pooling ? layer.poolingMode : nil
    }
}
