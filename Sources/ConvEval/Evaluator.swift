import ConvArithmetic
import ConvKernels

/// Answers `convarith eval` requests (DESIGN.md §3): one JSON object in, one JSON object out, never
/// throwing — a malformed or impossible request gets an `error` answer.
public struct Evaluator: Sendable {
    /// An evaluator.
    public init() {}

    /// The most bytes one value of `y` takes in an answer (`-1.2345678e-38,` with room to spare).
    static let answerBytesPerValue = 40

    /// The answer line (without newline) for one request line.
    public func answer(line: String) -> String {
        answer(bytes: Array(line.utf8))
    }

    /// The answer line (without newline) for one request line given as UTF-8 bytes.
    public func answer(bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        answer(bytes: bytes, appendingTo: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Appends the answer line (without newline) for one request line to `output`; the streaming
    /// `convarith eval` loop uses this to avoid building intermediate strings.
    public func answer(bytes: [UInt8], appendingTo output: inout [UInt8]) {
        let json: JSONValue
        do {
            json = try JSONParser.parse(bytes)
        } catch {
            JSONWriter.write(.object([("id", .null), ("error", .string(error.description))]), to: &output)
            return
        }
        JSONWriter.write(answer(json), to: &output)
    }

    /// The answer object for one parsed request.
    public func answer(_ json: JSONValue) -> JSONValue {
        let id = json["id"] ?? .null
        do {
            let request = try EvalRequest(json: json)
            return try evaluate(request).json(id: id)
        } catch {
            // EvalRequestError, ArithmeticError and KernelError all describe themselves for users.
            return .object([("id", id), ("error", .string("\(error)"))])
        }
    }

    /// The result of a decoded request: sizes, and `y` when it carries tensors.
    /// - Throws: ``ArithmeticError`` when the convention refuses the parameters, ``KernelError`` when the
    ///   tensors do not fit them.
    public func evaluate(_ request: EvalRequest) throws -> EvalResult {
        guard let operands = request.operands else { return try evaluateShape(request) }
        var parameters = request.layer
        // The tensors fix batch, channels and output channels.
        if let implied = try ChannelConfiguration(input: operands.x.shape, weight: operands.weight?.shape,
                                                  operation: parameters.operation, groups: parameters.groups ?? 1) {
            parameters.batch = implied.batch
            parameters.channels = implied.channels
            parameters.outputChannels = implied.outputChannels
        }
        let layer = try Layer(parameters)
        // The answer writes every value of y as text (up to about 40 bytes each): bound it before computing.
        if let y = layer.outputShape { _ = try MemoryLimit.current.check(y, bytesPerElement: Self.answerBytesPerValue) }
        let y = try Formulations.run(layer, x: operands.x, weight: operands.weight, bias: operands.bias,
                                     kind: operands.implementation)
        return EvalResult(layer: layer, y: y)
    }

    /// The arithmetic result of a decoded request (tensors ignored).
    /// - Throws: ``ArithmeticError`` when the request's convention refuses the parameters.
    public func evaluateShape(_ request: EvalRequest) throws(ArithmeticError) -> EvalResult {
        EvalResult(layer: try Layer(request.layer))
    }
}

/// What a request computes: the resolved layer and, for a numerical request, `y`.
public struct EvalResult: Sendable, Hashable {
    /// The resolved layer.
    public let layer: Layer
    /// Every axis, resolved.
    public let shape: LayerShape
    /// `[N, C_out, o…]` when the request gave channels.
    public let outputShape: [Int]?
    /// The output tensor of a numerical request.
    public let y: Tensor?

    /// A result; `y` only for numerical requests.
    public init(layer: Layer, y: Tensor? = nil) {
        self.layer = layer
        shape = layer.shape
        outputShape = layer.outputShape
        self.y = y
    }

    /// The answer object of DESIGN.md §3.
    public func json(id: JSONValue) -> JSONValue {
        var members: [(key: String, value: JSONValue)] = [("id", id), ("output", .integers(shape.output))]
        if let outputShape { members.append(("output_shape", .integers(outputShape))) }
        members.append(("relationships", .array(shape.relationships.map { relationship in
            .object([("seed", relationship.seed.map(JSONValue.integer) ?? .null), ("paper", .integer(relationship.paper))])
        })))
        if shape.operation == .transposedConvolution,
           let equivalents = try? shape.axes.map({ axis throws(ArithmeticError) in try axis.equivalentConvolution() }) {
            members.append(("equivalent", .object([
                ("stretched_input", .integers(equivalents.map(\.stretchedInput))),
                ("inserted_zeros", .integers(equivalents.map(\.insertedZeros))),
                ("kernel", .integers(equivalents.map(\.kernel))),
                ("dilation", .integers(equivalents.map(\.dilation))),
                ("stride", .integers(equivalents.map(\.stride))),
                ("padding", .array(equivalents.map { .integers([$0.padding.before, $0.padding.after]) })),
                ("output_padding", .integers(equivalents.map(\.outputPadding))),
                ("transposed_padding", .array(shape.axes.map { .integers([$0.padding.before, $0.padding.after]) })),
            ])))
        }
        if let y { members.append(("y", .tensor(y))) }
        return .object(members)
    }
}

extension JSONValue {
    /// An array of integers.
    static func integers(_ values: [Int]) -> JSONValue { .array(values.map(JSONValue.integer)) }
}
