import ConvArithmetic

/// One `convarith eval` request (DESIGN.md §3): the layer it describes, decoded and checked for types
/// (the arithmetic checks happen when `Layer` resolves it), its `id`, and its tensors.
public struct EvalRequest: Sendable, Hashable {
    /// Echoed back unchanged (`null` when absent).
    public var id: JSONValue
    /// The layer.
    public var layer: LayerParameters
    /// Tensors for a numerical request; then the answer carries `y`.
    public var operands: TensorOperands?

    /// A request from already typed values.
    public init(id: JSONValue = .null, layer: LayerParameters, operands: TensorOperands? = nil) {
        self.id = id
        self.layer = layer
        self.operands = operands
    }

    /// Decodes a request object.
    /// - Throws: ``EvalRequestError`` naming the field and what it should have been.
    public init(json: JSONValue) throws(EvalRequestError) {
        guard case .object = json else { throw .notAnObject(json.typeName) }
        id = json["id"] ?? .null
        layer = try Self.layer(json)
        operands = try Self.operands(json)
    }

    private static func layer(_ json: JSONValue) throws(EvalRequestError) -> LayerParameters {
        guard let opValue = json["op"], opValue != .null else {
            throw .missingField("op", hint: "one of \"conv\", \"pool\", \"transposed\"")
        }
        guard case .string(let opName) = opValue, let operation = Operation(rawValue: opName) else {
            throw .invalidField("op", expected: "one of \"conv\", \"pool\", \"transposed\"", got: JSONWriter.string(opValue))
        }
        guard let inputValue = json["input"], inputValue != .null else {
            throw .missingField("input", hint: "the spatial input sizes, e.g. [224, 224]")
        }
        let input = try integers(inputValue, field: "input")
        guard let kernelValue = json["kernel"], kernelValue != .null else {
            throw .missingField("kernel", hint: "the kernel size, e.g. 3 or [3, 3]")
        }
        let kernel = try integers(kernelValue, field: "kernel")
        let stride = try json["stride"].flatMap(present).map { v throws(EvalRequestError) in try integers(v, field: "stride") }
        let dilation = try json["dilation"].flatMap(present).map { v throws(EvalRequestError) in try integers(v, field: "dilation") }
        let outputPadding = try json["output_padding"].flatMap(present).map { v throws(EvalRequestError) in try integers(v, field: "output_padding") }
        let outputSize = try json["output_size"].flatMap(present).map { v throws(EvalRequestError) in try integers(v, field: "output_size") }
        let paddingValue = try json["padding"].flatMap(present).map { v throws(EvalRequestError) in try Self.padding(v) }
        let ceilMode = try json["ceil_mode"].flatMap(present).map { v throws(EvalRequestError) in try boolean(v, field: "ceil_mode") } ?? false
        let countIncludePad = try json["count_include_pad"].flatMap(present).map { v throws(EvalRequestError) in try boolean(v, field: "count_include_pad") }
        var poolingMode = PoolingMode.max
        if let value = json["pool_mode"].flatMap(present) {
            switch value {
            case .string("max"): poolingMode = .max
            case .string("avg"), .string("average"): poolingMode = .average
            default: throw .invalidField("pool_mode", expected: "\"max\" or \"avg\"", got: JSONWriter.string(value))
            }
        }
        var convention = Convention.default
        if let value = json["convention"].flatMap(present) {
            guard case .string(let name) = value, let named = Convention(name: name) else {
                throw .invalidField("convention", expected: Convention.words(Convention.all.map { "\"\($0.name)\"" }, conjunction: "or"), got: JSONWriter.string(value))
            }
            convention = named
        }
        return LayerParameters(
            operation: operation, input: input, kernel: kernel, stride: stride, padding: paddingValue, dilation: dilation,
            outputPadding: outputPadding, outputSize: outputSize, ceilMode: ceilMode, poolingMode: poolingMode,
            countIncludePad: countIncludePad, convention: convention,
            batch: try json["batch"].flatMap(present).map { v throws(EvalRequestError) in try integer(v, field: "batch") },
            channels: try json["channels"].flatMap(present).map { v throws(EvalRequestError) in try integer(v, field: "channels") },
            outputChannels: try json["out_channels"].flatMap(present).map { v throws(EvalRequestError) in try integer(v, field: "out_channels") },
            groups: try json["groups"].flatMap(present).map { v throws(EvalRequestError) in try integer(v, field: "groups") })
    }

    // MARK: Field decoding

    private static func present(_ value: JSONValue) -> JSONValue? { value == .null ? nil : value }

    static func integer(_ value: JSONValue, field: String) throws(EvalRequestError) -> Int {
        switch value {
        case .integer(let number): return number
        case .number(let number, let text):
            // 3.0 is accepted as 3; 1e30 or 2.5 are not sizes.
            if number.rounded() == number, abs(number) < 9.0e18 { return Int(number) }
            throw .invalidField(field, expected: "a whole number within the 64-bit range", got: text)
        default:
            throw .invalidField(field, expected: "a whole number", got: JSONWriter.string(value))
        }
    }

    static func integers(_ value: JSONValue, field: String) throws(EvalRequestError) -> [Int] {
        switch value {
        case .array(let elements):
            guard !elements.isEmpty else { throw .invalidField(field, expected: "at least one value", got: "[]") }
            var result: [Int] = []
            result.reserveCapacity(elements.count)
            for element in elements { result.append(try integer(element, field: field)) }
            return result
        case .integer, .number:
            return [try integer(value, field: field)]
        default:
            throw .invalidField(field, expected: "a whole number or an array of whole numbers", got: JSONWriter.string(value))
        }
    }

    static func boolean(_ value: JSONValue, field: String) throws(EvalRequestError) -> Bool {
        switch value {
        case .bool(let flag): return flag
        case .integer(0): return false
        case .integer(1): return true
        default: throw .invalidField(field, expected: "true or false", got: JSONWriter.string(value))
        }
    }

    static func padding(_ value: JSONValue) throws(EvalRequestError) -> Padding {
        let expected = "a number, an array of numbers or of [before, after] pairs, or one of \"valid\", \"same\", \"same_upper\", \"same_lower\", \"half\", \"full\", \"causal\""
        switch value {
        case .string(let name):
            guard let mode = PaddingMode(name: name) else { throw .invalidField("padding", expected: expected, got: JSONWriter.string(value)) }
            return .named(mode)
        case .integer, .number:
            return .explicit([AxisPadding(try integer(value, field: "padding"))])
        case .array(let elements):
            guard !elements.isEmpty else { throw .invalidField("padding", expected: expected, got: "[]") }
            var axes: [AxisPadding] = []
            for element in elements {
                if case .array(let pair) = element {
                    guard pair.count == 2 else { throw .invalidField("padding", expected: "[before, after] pairs of two numbers", got: JSONWriter.string(element)) }
                    axes.append(AxisPadding(before: try integer(pair[0], field: "padding"), after: try integer(pair[1], field: "padding")))
                } else {
                    axes.append(AxisPadding(try integer(element, field: "padding")))
                }
            }
            return .explicit(axes)
        default:
            throw .invalidField("padding", expected: expected, got: JSONWriter.string(value))
        }
    }
}

/// A request that cannot be decoded: a missing field or a value of the wrong kind.
public enum EvalRequestError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The line is valid JSON but not an object.
    case notAnObject(String)
    /// A required field is absent.
    case missingField(String, hint: String)
    /// A field has a value of the wrong kind.
    case invalidField(String, expected: String, got: String)
    /// A tensor's shape and data do not make a tensor (the reason, whole).
    case invalidTensor(String, reason: String)

    public var description: String {
        switch self {
        case .notAnObject(let type):
            return "a request must be a JSON object with at least \"op\", \"input\" and \"kernel\", got \(type)"
        case let .missingField(field, hint):
            return "the request has no \"\(field)\": give \(hint)"
        case let .invalidField(field, expected, got):
            let shown = got.count > 60 ? String(got.prefix(57)) + "…" : got
            return "\"\(field)\" must be \(expected), got \(shown)"
        case let .invalidTensor(field, reason):
            return "\"\(field)\" is not a tensor: \(reason)"
        }
    }
}
