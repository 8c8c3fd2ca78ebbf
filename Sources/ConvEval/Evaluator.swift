import ConvArithmetic
import ConvKernels

/// Answers `convarith eval` requests (DESIGN.md §3): one JSON object in, one JSON object out, never
/// throwing — a malformed or impossible request gets an `error` answer.
public struct Evaluator: Sendable {
    /// An evaluator.
    public init() {}

    /// The bytes one value of `y` is counted for against the memory limit: the float (4), its text in the
    /// answer (at most ``JSONWriter/tensorBytesPerValue``, reserved at once) and room to spare.
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
        bytes.withUnsafeBufferPointer { answer(line: $0, appendingTo: &output) }
    }

    /// Appends the answer line (without newline) for one request line, given as UTF-8 bytes in place.
    /// To answer many lines, an ``EvalSession`` is faster: it reuses its storage from line to line.
    public func answer(line: UnsafeBufferPointer<UInt8>, appendingTo output: inout [UInt8]) {
        var session = EvalSession(evaluator: self)
        session.answer(line: line, appendingTo: &output)
    }

    /// The answer through the JSON tree: every line can take this path (the direct one is a shortcut).
    func generalAnswer(bytes: [UInt8], appendingTo output: inout [UInt8]) {
        let json: JSONValue
        do {
            json = try JSONParser.parse(bytes)
        } catch {
            Self.writeError(error.description, to: &output)
            return
        }
        let id = json["id"] ?? .null
        do {
            let request = try EvalRequest(json: json)
            try evaluate(request).write(to: &output) { JSONWriter.write(id, to: &$0) }
        } catch {
            // EvalRequestError, ArithmeticError and KernelError all describe themselves for users.
            Self.writeError("\(error)", to: &output) { JSONWriter.write(id, to: &$0) }
        }
    }

    /// Appends `{"id":…,"error":"…"}`; `writeID` appends the id's JSON text.
    public static func writeError(_ message: String, to output: inout [UInt8], id writeID: (inout [UInt8]) -> Void) {
        output.append(literal: #"{"id":"#)
        writeID(&output)
        output.append(literal: #","error":"#)
        JSONWriter.writeString(message, to: &output)
        output.append(UInt8(ascii: "}"))
    }

    /// Appends `{"id":null,"error":"…"}`: the answer to a line without a usable id.
    public static func writeError(_ message: String, to output: inout [UInt8]) {
        writeError(message, to: &output) { $0.append(literal: "null") }
    }

    /// The result of a decoded request: sizes, and `y` when it carries tensors.
    /// - Throws: `ArithmeticError` when the convention refuses the parameters, `KernelError` when the
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
    /// - Throws: `ArithmeticError` when the request's convention refuses the parameters.
    public func evaluateShape(_ request: EvalRequest) throws(ArithmeticError) -> EvalResult {
        EvalResult(layer: try Layer(request.layer))
    }
}

/// What a request computes: the resolved layer and, for a numerical request, `y`.
public struct EvalResult: Sendable, Hashable {
    /// The resolved layer.
    public let layer: Layer
    /// The output tensor of a numerical request.
    public let y: Tensor?

    /// A result; `y` only for numerical requests.
    public init(layer: Layer, y: Tensor? = nil) {
        self.layer = layer
        self.y = y
    }

    /// Every axis, resolved.
    public var shape: LayerShape { layer.shape }
    /// `[N, C_out, o…]` when the request gave channels.
    public var outputShape: [Int]? { layer.outputShape }

    /// Appends the answer object of DESIGN.md §3, compact, to `output`, with `"id"` first: `writeID`
    /// appends the JSON text of the request's `id`. The one encoder of an answer: `eval`'s direct and
    /// general paths and `convarith shape --json` (through ``write(to:)``) use it.
    public func write(to output: inout [UInt8], id writeID: (inout [UInt8]) -> Void) {
        output.append(literal: #"{"id":"#)
        writeID(&output)
        output.append(UInt8(ascii: ","))
        writeMembers(to: &output)
    }

    /// Appends the answer object without an `id` member (the command line's `--json` answers).
    public func write(to output: inout [UInt8]) {
        output.append(UInt8(ascii: "{"))
        writeMembers(to: &output)
    }

    /// Everything after `{"id":…,` up to the closing brace.
    private func writeMembers(to output: inout [UInt8]) {
        let shape = layer.shape
        // A bound on the sizes, relationships and equivalent (every number takes at most 20 bytes, a
        // separator 1), small enough for the stack in the usual case.
        let rank = shape.axes.count
        var bound = 64 + 21 * rank + 40 * shape.relationshipSet.count
        if layer.channels != nil { bound += 64 + 21 * rank }
        if shape.operation == .transposedConvolution { bound += 160 + 8 * 44 * rank }
        ByteCursor.appending(to: &output, atMost: bound) { cursor in
            writeSizes(of: shape, to: &cursor)
            if shape.operation == .transposedConvolution { writeEquivalent(of: shape, to: &cursor) }
        }
        if let y {
            output.append(literal: #","y":"#)
            JSONWriter.writeTensor(y, to: &output)
        }
        output.append(UInt8(ascii: "}"))
    }

    /// `"output":[…]`, `"output_shape":[…]` when known, and `"relationships":[…]`.
    private func writeSizes(of shape: LayerShape, to cursor: inout ByteCursor) {
        cursor.write(#""output":["#)
        for (index, axis) in shape.axes.enumerated() {
            if index > 0 { cursor.write(UInt8(ascii: ",")) }
            cursor.write(axis.output)
        }
        cursor.write(UInt8(ascii: "]"))
        if let channels = layer.channels {
            cursor.write(#","output_shape":["#)
            cursor.write(channels.batch)
            cursor.write(UInt8(ascii: ","))
            cursor.write(channels.outputChannels(of: shape))
            for axis in shape.axes {
                cursor.write(UInt8(ascii: ","))
                cursor.write(axis.output)
            }
            cursor.write(UInt8(ascii: "]"))
        }
        cursor.write(#","relationships":["#)
        var first = true
        for paper in shape.relationshipSet {
            cursor.write(first ? #"{"seed":"# : #",{"seed":"#)
            first = false
            if let seed = Relationship.seedNumber(ofPaper: paper) {
                cursor.write(seed)
            } else {
                cursor.write("null")
            }
            cursor.write(#","paper":"#)
            cursor.write(paper)
            cursor.write(UInt8(ascii: "}"))
        }
        cursor.write(UInt8(ascii: "]"))
    }

    /// `"equivalent":{…}` of a transposed convolution, per axis (nothing when an axis has none).
    private func writeEquivalent(of shape: LayerShape, to cursor: inout ByteCursor) {
        var axes: [EquivalentConvolution] = []
        axes.reserveCapacity(shape.axes.count)
        for axis in shape.axes {
            guard let equivalent = try? axis.equivalentConvolution() else { return }
            axes.append(equivalent)
        }
        func field(_ name: StaticString, _ value: (EquivalentConvolution) -> Int) {
            cursor.write(name)
            cursor.write(UInt8(ascii: "["))
            for index in axes.indices {
                if index > 0 { cursor.write(UInt8(ascii: ",")) }
                cursor.write(value(axes[index]))
            }
            cursor.write(UInt8(ascii: "]"))
        }
        func pairs(_ name: StaticString, _ count: Int, _ pair: (Int) -> AxisPadding) {
            cursor.write(name)
            cursor.write(UInt8(ascii: "["))
            for index in 0..<count {
                cursor.write(index > 0 ? ",[" : "[")
                cursor.write(pair(index).before)
                cursor.write(UInt8(ascii: ","))
                cursor.write(pair(index).after)
                cursor.write(UInt8(ascii: "]"))
            }
            cursor.write(UInt8(ascii: "]"))
        }
        field(#","equivalent":{"stretched_input":"#) { $0.stretchedInput }
        field(#","inserted_zeros":"#) { $0.insertedZeros }
        field(#","kernel":"#) { $0.kernel }
        field(#","dilation":"#) { $0.dilation }
        field(#","stride":"#) { $0.stride }
        pairs(#","padding":"#, axes.count) { axes[$0].padding }
        field(#","output_padding":"#) { $0.outputPadding }
        pairs(#","transposed_padding":"#, shape.axes.count) { shape.axes[$0].padding }
        cursor.write(UInt8(ascii: "}"))
    }
}
