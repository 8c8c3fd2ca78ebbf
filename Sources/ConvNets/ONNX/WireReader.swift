/// A reader of the protocol buffer wire format over bytes it does not own: fields are visited one at a
/// time and length-delimited ones are handed out as ranges, so an ONNX model's weights can be skipped
/// without being copied or decoded.
struct WireReader {
    /// One field: its number, wire type and, for length-delimited fields, the byte range of its payload.
    struct Field {
        let number: Int
        let wireType: Int
        let varint: UInt64
        let payload: Range<Int>
    }

    private let bytes: UnsafeRawBufferPointer
    private(set) var position: Int
    private let end: Int

    /// A reader of `range` within `bytes`.
    init(_ bytes: UnsafeRawBufferPointer, range: Range<Int>) {
        self.bytes = bytes
        position = range.lowerBound
        end = range.upperBound
    }

    /// The next field, or `nil` at the end.
    /// - Throws: ``NetworkError/malformed(_:at:)`` for a truncated or invalid encoding.
    mutating func next() throws(NetworkError) -> Field? {
        guard position < end else { return nil }
        let key = try varint()
        let number = Int(key >> 3), wireType = Int(key & 7)
        guard number > 0 else { throw .malformed("not an ONNX model: a protocol buffer field number 0 at byte \(position)", at: nil) }
        switch wireType {
        case 0:
            return Field(number: number, wireType: 0, varint: try varint(), payload: position..<position)
        case 1, 5:
            let size = wireType == 1 ? 8 : 4
            guard end - position >= size else { throw truncated() }
            var value: UInt64 = 0
            for index in 0..<size { value |= UInt64(bytes[position + index]) << (8 * UInt64(index)) }
            position += size
            return Field(number: number, wireType: wireType, varint: value, payload: position - size..<position)
        case 2:
            let length = try varint()
            guard length <= UInt64(end - position) else { throw truncated() }
            let start = position
            position += Int(length)
            return Field(number: number, wireType: 2, varint: length, payload: start..<position)
        default:
            throw .malformed("not an ONNX model: protocol buffer wire type \(wireType) at byte \(position)", at: nil)
        }
    }

    /// Reads a base-128 varint.
    mutating func varint() throws(NetworkError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw truncated() }
            let byte = bytes[position]
            position += 1
            guard shift < 64 else { throw .malformed("not an ONNX model: a varint longer than 10 bytes at byte \(position)", at: nil) }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    private func truncated() -> NetworkError {
        .malformed("the model is truncated or not an ONNX file: a field runs past the end of its message (byte \(position) of \(end))", at: nil)
    }

    /// The packed or repeated integers of a field (`dims` of a tensor).
    static func integers(_ field: Field, in bytes: UnsafeRawBufferPointer) throws(NetworkError) -> [Int] {
        if field.wireType == 0 { return [Int(truncatingIfNeeded: field.varint)] }
        guard field.wireType == 2 else { throw .malformed("not an ONNX model: integers with wire type \(field.wireType)", at: nil) }
        var reader = WireReader(bytes, range: field.payload)
        var values: [Int] = []
        while reader.position < reader.end {
            values.append(Int(truncatingIfNeeded: try reader.varint()))
            guard values.count <= 1 << 16 else { throw .tooLarge("a tensor with more than 65,536 dimensions") }
        }
        return values
    }
}
