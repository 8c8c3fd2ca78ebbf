import ConvArithmetic
import ConvKernels

/// Answers `convarith eval` requests (DESIGN.md §3): one JSON object in, one JSON object out, never
/// throwing — a malformed or impossible request gets an `error` answer.
public struct Evaluator: Sendable {
    /// An evaluator.
    public init() {}

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
        var request = request
        // The tensors fix batch, channels and output channels.
        request.batch = operands.x.shape.first
        request.channels = operands.x.shape.count > 1 ? operands.x.shape[1] : nil
        if let weight = operands.weight, weight.rank >= 2 {
            if request.operation == .transposedConvolution {
                let (product, overflow) = weight.shape[1].multipliedReportingOverflow(by: request.groups ?? 1)
                request.outputChannels = overflow ? nil : product
            } else {
                request.outputChannels = weight.shape[0]
            }
        }
        let result = try evaluateShape(request)
        let y = try Formulations.run(result.shape, x: operands.x, weight: operands.weight, bias: operands.bias,
                                     groups: request.groups ?? 1, poolingMode: request.poolingMode,
                                     countIncludePad: request.countIncludePad, kind: operands.implementation)
        return EvalResult(shape: result.shape, outputShape: result.outputShape, y: y)
    }

    /// The arithmetic result of a decoded request (tensors ignored).
    /// - Throws: ``ArithmeticError`` when the request's convention refuses the parameters.
    public func evaluateShape(_ request: EvalRequest) throws(ArithmeticError) -> EvalResult {
        let padding = request.padding ?? .zero
        let dilation = request.dilation ?? [1]
        let shape: LayerShape
        switch request.operation {
        case .convolution:
            let spec = try ConvolutionSpec(kernel: request.kernel, stride: request.stride ?? [1], padding: padding,
                                           dilation: dilation, convention: request.convention)
            shape = try spec.shape(input: request.input)
        case .pooling:
            let spec = try PoolingSpec(kernel: request.kernel, stride: request.stride, padding: padding, dilation: dilation,
                                       mode: request.poolingMode, ceilMode: request.ceilMode,
                                       countIncludePad: request.countIncludePad, convention: request.convention)
            shape = try spec.shape(input: request.input)
        case .transposedConvolution:
            let spec = try TransposedConvolutionSpec(kernel: request.kernel, stride: request.stride ?? [1], padding: padding,
                                                     dilation: dilation, outputPadding: request.outputPadding,
                                                     outputSize: request.outputSize, convention: request.convention)
            shape = try spec.shape(input: request.input)
        }
        var outputShape: [Int]?
        if let channels = request.channels {
            let configuration = ChannelConfiguration(batch: request.batch ?? 1, channels: channels,
                                                     outputChannels: request.outputChannels, groups: request.groups ?? 1)
            outputShape = try configuration.outputShape(of: shape)
        }
        return EvalResult(shape: shape, outputShape: outputShape)
    }
}

/// What a request computes: the resolved layer and, when channels were given, the full output shape.
public struct EvalResult: Sendable, Hashable {
    /// Every axis, resolved.
    public let shape: LayerShape
    /// `[N, C_out, o…]` when the request gave channels.
    public let outputShape: [Int]?
    /// The output tensor of a numerical request.
    public let y: Tensor?

    /// A result; `y` only for numerical requests.
    public init(shape: LayerShape, outputShape: [Int]?, y: Tensor? = nil) {
        self.shape = shape
        self.outputShape = outputShape
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
