import ConvArithmetic

/// One `convarith eval` request (DESIGN.md §3), decoded and checked for types; the arithmetic checks
/// happen when it is answered.
public struct EvalRequest: Sendable, Hashable {
    /// Echoed back unchanged (`null` when absent).
    public var id: JSONValue
    /// The layer.
    public var operation: Operation
    /// Spatial input sizes; their count is the rank.
    public var input: [Int]
    /// Kernel per axis (or one for all).
    public var kernel: [Int]
    /// Stride per axis; `nil` = default (1, or the kernel for pooling).
    public var stride: [Int]?
    /// Padding; `nil` = no padding.
    public var padding: Padding?
    /// Dilation per axis; `nil` = 1.
    public var dilation: [Int]?
    /// Output padding of a transposed convolution; `nil` = the convention's default.
    public var outputPadding: [Int]?
    /// Requested output size of a transposed convolution.
    public var outputSize: [Int]?
    /// Pooling `ceil_mode`.
    public var ceilMode: Bool
    /// Max or average pooling.
    public var poolingMode: PoolingMode
    /// Average pooling's `count_include_pad`.
    public var countIncludePad: Bool?
    /// Whose rules apply.
    public var convention: Convention
    /// Batch size (default 1 when channels are given).
    public var batch: Int?
    /// Input channels; when present the answer has the full output tensor shape.
    public var channels: Int?
    /// Output channels (convolutions).
    public var outputChannels: Int?
    /// Channel groups.
    public var groups: Int?
    /// Tensors for a numerical request; then the answer carries `y`.
    public var operands: TensorOperands?

    /// A request from already typed values (the command-line options build one).
    public init(id: JSONValue = .null, operation: Operation, input: [Int], kernel: [Int], stride: [Int]? = nil,
                padding: Padding? = nil, dilation: [Int]? = nil, outputPadding: [Int]? = nil, outputSize: [Int]? = nil,
                ceilMode: Bool = false, poolingMode: PoolingMode = .max, countIncludePad: Bool? = nil,
                convention: Convention = .pytorch, batch: Int? = nil, channels: Int? = nil, outputChannels: Int? = nil,
                groups: Int? = nil, operands: TensorOperands? = nil) {
        self.id = id
        self.operation = operation
        self.input = input
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.outputPadding = outputPadding
        self.outputSize = outputSize
        self.ceilMode = ceilMode
        self.poolingMode = poolingMode
        self.countIncludePad = countIncludePad
        self.convention = convention
        self.batch = batch
        self.channels = channels
        self.outputChannels = outputChannels
        self.groups = groups
        self.operands = operands
    }

    /// Decodes a request object.
    /// - Throws: ``EvalRequestError`` naming the field and what it should have been.
    public init(json: JSONValue) throws(EvalRequestError) {
        guard case .object = json else { throw .notAnObject(json.typeName) }
        id = json["id"] ?? .null
        guard let opValue = json["op"], opValue != .null else {
            throw .missingField("op", hint: "one of \"conv\", \"pool\", \"transposed\"")
        }
        guard case .string(let opName) = opValue, let operation = Operation(rawValue: opName) else {
            throw .invalidField("op", expected: "one of \"conv\", \"pool\", \"transposed\"", got: JSONWriter.string(opValue))
        }
        self.operation = operation
        guard let inputValue = json["input"], inputValue != .null else {
            throw .missingField("input", hint: "the spatial input sizes, e.g. [224, 224]")
        }
        input = try Self.integers(inputValue, field: "input")
        guard let kernelValue = json["kernel"], kernelValue != .null else {
            throw .missingField("kernel", hint: "the kernel size, e.g. 3 or [3, 3]")
        }
        kernel = try Self.integers(kernelValue, field: "kernel")
        stride = try json["stride"].flatMap(Self.present).map { v throws(EvalRequestError) in try Self.integers(v, field: "stride") }
        dilation = try json["dilation"].flatMap(Self.present).map { v throws(EvalRequestError) in try Self.integers(v, field: "dilation") }
        outputPadding = try json["output_padding"].flatMap(Self.present).map { v throws(EvalRequestError) in try Self.integers(v, field: "output_padding") }
        outputSize = try json["output_size"].flatMap(Self.present).map { v throws(EvalRequestError) in try Self.integers(v, field: "output_size") }
        padding = try json["padding"].flatMap(Self.present).map { v throws(EvalRequestError) in try Self.padding(v) }
        ceilMode = try json["ceil_mode"].flatMap(Self.present).map { v throws(EvalRequestError) in try Self.boolean(v, field: "ceil_mode") } ?? false
        countIncludePad = try json["count_include_pad"].flatMap(Self.present).map { v throws(EvalRequestError) in try Self.boolean(v, field: "count_include_pad") }
        if let value = json["pool_mode"].flatMap(Self.present) {
            switch value {
            case .string("max"): poolingMode = .max
            case .string("avg"), .string("average"): poolingMode = .average
            default: throw .invalidField("pool_mode", expected: "\"max\" or \"avg\"", got: JSONWriter.string(value))
            }
        } else {
            poolingMode = .max
        }
        if let value = json["convention"].flatMap(Self.present) {
            guard case .string(let name) = value, let convention = Convention(name: name) else {
                throw .invalidField("convention", expected: Convention.words(Convention.all.map { "\"\($0.name)\"" }, conjunction: "or"), got: JSONWriter.string(value))
            }
            self.convention = convention
        } else {
            convention = .pytorch
        }
        batch = try json["batch"].flatMap(Self.present).map { v throws(EvalRequestError) in try Self.integer(v, field: "batch") }
        channels = try json["channels"].flatMap(Self.present).map { v throws(EvalRequestError) in try Self.integer(v, field: "channels") }
        outputChannels = try json["out_channels"].flatMap(Self.present).map { v throws(EvalRequestError) in try Self.integer(v, field: "out_channels") }
        groups = try json["groups"].flatMap(Self.present).map { v throws(EvalRequestError) in try Self.integer(v, field: "groups") }
        operands = try Self.operands(json)
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

    public var description: String {
        switch self {
        case .notAnObject(let type):
            return "a request must be a JSON object with at least \"op\", \"input\" and \"kernel\", got \(type)"
        case let .missingField(field, hint):
            return "the request has no \"\(field)\": give \(hint)"
        case let .invalidField(field, expected, got):
            let shown = got.count > 60 ? String(got.prefix(57)) + "…" : got
            return "\"\(field)\" must be \(expected), got \(shown)"
        }
    }
}
