import ConvArithmetic
import ConvKernels

/// Which formulation computes a numerical request (`"impl"`).
public typealias Implementation = Formulations.Kind

/// The tensors of a numerical request (DESIGN.md §3, tensor extension).
public struct TensorOperands: Sendable, Hashable {
    /// Input `[N, C, spatial…]`.
    public var x: Tensor
    /// Weight, PyTorch/ONNX layout.
    public var weight: Tensor?
    /// Bias `[C_out]`.
    public var bias: Tensor?
    /// The formulation to run.
    public var implementation: Implementation

    /// Operands for a numerical request.
    public init(x: Tensor, weight: Tensor? = nil, bias: Tensor? = nil, implementation: Implementation = .fast) {
        self.x = x
        self.weight = weight
        self.bias = bias
        self.implementation = implementation
    }
}

extension EvalRequest {
    /// Decodes `{"shape": [...], "data": [...]}`.
    static func tensor(_ value: JSONValue, field: String) throws(EvalRequestError) -> Tensor {
        guard case .array(let shapeValues)? = value["shape"] else {
            throw .invalidField(field, expected: "{\"shape\": [...], \"data\": [...]}", got: JSONWriter.string(value))
        }
        var shape: [Int] = []
        for element in shapeValues { shape.append(try integer(element, field: "\(field).shape")) }
        guard case .array(let dataValues)? = value["data"] else {
            throw .invalidField("\(field).data", expected: "an array of numbers", got: JSONWriter.string(value["data"] ?? .null))
        }
        var data: [Float] = []
        data.reserveCapacity(dataValues.count)
        for element in dataValues {
            switch element {
            case .integer(let number): data.append(Float(number))
            case .number(let number, _): data.append(Float(number))
            case .string("NaN"): data.append(.nan)
            case .string("Infinity"): data.append(.infinity)
            case .string("-Infinity"): data.append(-.infinity)
            default: throw .invalidField("\(field).data", expected: "numbers", got: JSONWriter.string(element))
            }
        }
        do {
            return try Tensor(shape: shape, data: data)
        } catch {
            throw .invalidTensor(field, reason: error.description)
        }
    }

    static func operands(_ json: JSONValue) throws(EvalRequestError) -> TensorOperands? {
        guard let xValue = json["x"], xValue != .null else { return nil }
        let x = try tensor(xValue, field: "x")
        let weight = try json["w"].flatMap { $0 == .null ? nil : $0 }.map { v throws(EvalRequestError) in try tensor(v, field: "w") }
        let bias = try json["b"].flatMap { $0 == .null ? nil : $0 }.map { v throws(EvalRequestError) in try tensor(v, field: "b") }
        var implementation = Implementation.fast
        if let value = json["impl"], value != .null {
            guard case .string(let name) = value, let chosen = Implementation(rawValue: name) else {
                throw .invalidField("impl", expected: "\"fast\", \"reference\", \"matrix\" or \"stretched\"", got: JSONWriter.string(value))
            }
            implementation = chosen
        }
        return TensorOperands(x: x, weight: weight, bias: bias, implementation: implementation)
    }
}

extension JSONWriter {
    /// The most bytes one float takes in ``writeTensor(_:to:)``: its shortest round-trip text
    /// (`-1.1754944e-38`) and a comma.
    static let tensorBytesPerValue = 16

    /// Appends `{"shape":[…],"data":[…]}` for `tensor`, floats in their shortest round-trip form (non-finite
    /// values as `NaN`, `Infinity`, `-Infinity`, as Python's json module writes them). The values are written
    /// straight into `output`, whose room for them is reserved first: no tree of JSON values, and no doubling
    /// of a large answer's storage as it grows.
    static func writeTensor(_ tensor: Tensor, to output: inout [UInt8]) {
        output.append(literal: #"{"shape":["#)
        for (index, size) in tensor.shape.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            writeInteger(size, to: &output)
        }
        output.append(literal: #"],"data":["#)
        // Room for the values at once, growing geometrically: the buffer may hold other answers (eval appends a
        // chunk's answers to one buffer), and an exact reserve would copy it for every tensor answer.
        let needed = output.count + tensor.data.count * tensorBytesPerValue + 2
        if needed > output.capacity { output.reserveCapacity(max(needed, 2 * output.capacity)) }
        for (index, value) in tensor.data.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            if value.isNaN {
                output.append(literal: "NaN")
            } else if value.isInfinite {
                output.append(literal: value > 0 ? "Infinity" : "-Infinity")
            } else {
                output.append(contentsOf: value.description.utf8)
            }
        }
        output.append(literal: "]}")
    }
}
