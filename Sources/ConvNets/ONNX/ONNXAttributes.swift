/// One attribute of an ONNX node, as far as shapes need it.
public enum ONNXAttribute: Sendable, Hashable {
    /// An `INT`.
    case integer(Int)
    /// `INTS`.
    case integers([Int])
    /// A `FLOAT`.
    case real(Double)
    /// `FLOATS`.
    case reals([Double])
    /// A `STRING`.
    case string(String)
    /// A `TENSOR` (a `Constant`'s value).
    case tensor(ConstantTensor)
    /// Any other kind (graphs, sparse tensors, type protos), not read.
    case other
}

/// The attributes of an ONNX node by name, with typed reads and defaults.
public struct ONNXAttributes: Sendable, Hashable {
    /// The attributes.
    public var values: [String: ONNXAttribute]

    /// Attributes.
    public init(_ values: [String: ONNXAttribute] = [:]) {
        self.values = values
    }

    /// An `INT` attribute.
    public func integer(_ name: String) -> Int? {
        if case .integer(let value) = values[name] { return value }
        return nil
    }

    /// An `INTS` attribute.
    public func integers(_ name: String) -> [Int]? {
        switch values[name] {
        case .integers(let value): value
        case .integer(let value): [value]
        default: nil
        }
    }

    /// A `FLOATS` attribute.
    public func reals(_ name: String) -> [Double]? {
        switch values[name] {
        case .reals(let value): value
        case .real(let value): [value]
        default: nil
        }
    }

    /// A `STRING` attribute.
    public func string(_ name: String) -> String? {
        if case .string(let value) = values[name] { return value }
        return nil
    }
}
