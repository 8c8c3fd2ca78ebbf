import Foundation
import SwiftProtobuf

/// ONNX tensor contents that shapes need: the dimensions, and the values of small integer and
/// floating-point tensors (at most ``ONNXTensors/valueLimit`` elements; weights are never decoded).
enum ONNXTensors {
    /// The most elements whose values are read from a constant.
    static let valueLimit = 64

    /// `TensorProto.DataType` codes.
    static let float = 1, int32 = 6, int64 = 7, double = 11, float16 = 10, int8 = 3, uint8 = 2, int16 = 5, bool = 9, uint16 = 4,
               uint32 = 12, uint64 = 13

    /// A decoded tensor as a constant: its dimensions and, when small, its values.
    static func constant(_ tensor: Onnx_TensorProto) -> ConstantTensor {
        let shape = tensor.dims.map { Int(truncatingIfNeeded: $0) }
        var constant = ConstantTensor(shape: shape)
        guard ShapeRules.count(shape) <= valueLimit else { return constant }
        let raw = tensor.rawData
        switch Int(tensor.dataType) {
        case int64:
            constant.integers = tensor.int64Data.isEmpty ? littleEndian(raw, width: 8).map { Int(truncatingIfNeeded: $0) } : tensor.int64Data.map { Int($0) }
        case int32, int16, int8, uint8, bool:
            let width = Int(tensor.dataType) == int32 ? 4 : Int(tensor.dataType) == int16 ? 2 : 1
            if tensor.int32Data.isEmpty {
                constant.integers = littleEndian(raw, width: width).map { value in
                    let bits = UInt64(width * 8)
                    let signed = Int(tensor.dataType) != uint8 && Int(tensor.dataType) != bool && value >> (bits - 1) == 1
                    return signed ? Int(truncatingIfNeeded: value) - (1 << Int(bits)) : Int(truncatingIfNeeded: value)
                }
            } else {
                constant.integers = tensor.int32Data.map { Int($0) }
            }
        case float:
            constant.reals = tensor.floatData.isEmpty
                ? littleEndian(raw, width: 4).map { Double(Float(bitPattern: UInt32(truncatingIfNeeded: $0))) } : tensor.floatData.map(Double.init)
        case double:
            constant.reals = tensor.doubleData.isEmpty ? littleEndian(raw, width: 8).map { Double(bitPattern: $0) } : tensor.doubleData
        default:
            break
        }
        if let values = constant.integers, values.count != ShapeRules.count(shape) { constant.integers = nil }
        if let values = constant.reals, values.count != ShapeRules.count(shape) { constant.reals = nil }
        return constant
    }

    private static func littleEndian(_ data: Data, width: Int) -> [UInt64] {
        guard width > 0, data.count % width == 0 else { return [] }
        return stride(from: 0, to: data.count, by: width).map { offset in
            var value: UInt64 = 0
            for index in 0..<width { value |= UInt64(data[data.startIndex + offset + index]) << (8 * UInt64(index)) }
            return value
        }
    }
}
