/// NumPy's `.npy` format (versions 1.0, 2.0 and 3.0): read into a ``Tensor`` (little-endian floats and
/// integers converted to `Float`), written as version 1.0 `<f4` in C order.
///
/// Fortran-ordered arrays, big-endian data and dtypes that are not numbers (objects, strings, structured
/// records, complex) are refused with a message that says how to convert them in NumPy.
public enum NPY {
    private static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    /// What a `.npy` header says: enough to check a file against the memory limit before its data is read.
    public struct FileHeader: Sendable, Hashable {
        /// The array's shape.
        public let shape: [Int]
        /// The NumPy dtype descriptor (`<f4`, `<f8`, `|b1`…).
        public let descriptor: String
        /// Where the data starts in the file.
        public let dataOffset: Int
        /// How many data bytes the shape and dtype need.
        public let dataByteCount: Int
        /// Whether the values are converted to 32-bit floats (any dtype but `<f4`).
        public var isConverted: Bool { descriptor != "<f4" && descriptor != "=f4" }
    }

    /// The number of leading bytes that hold the length of the header (version 1: 10, versions 2 and 3: 12).
    public static let preambleLength = 12

    /// Reads a header from the first bytes of a file (the preamble and the whole header; more is ignored),
    /// checking the shape against the memory limit.
    /// - Throws: ``KernelError`` for a file that is not `.npy`, a dtype or layout it cannot read, or a
    ///   shape above the limit.
    public static func header(_ bytes: ArraySlice<UInt8>) throws(KernelError) -> FileHeader {
        let bytes = Array(bytes)
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else {
            throw .npy("not a .npy file (it does not start with \\x93NUMPY)")
        }
        let major = bytes[6]
        let headerLength: Int, headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw .npy("truncated header") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        default:
            throw .npy("format version \(major).\(bytes[7]) is not supported (1.0, 2.0 and 3.0 are)")
        }
        guard headerLength <= 1 << 20 else { throw .npy("a header of \(headerLength) bytes is not a tensor's header") }
        guard headerStart + headerLength <= bytes.count else { throw .npy("truncated header") }
        let header = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        let fields = try NPYHeaderDictionary(parsing: header)
        if fields.fortranOrder {
            throw .npy("Fortran-ordered arrays are not supported; save np.ascontiguousarray(a) instead")
        }
        let type = try ElementType(descriptor: fields.descriptor)
        guard let count = MemoryLimit.elementCount(fields.shape) else { throw .npy("shape \(fields.shape) is too large") }
        _ = try MemoryLimit.current.check(fields.shape)
        let (needed, overflow) = count.multipliedReportingOverflow(by: type.size)
        guard !overflow else { throw .npy("shape \(fields.shape) is too large") }
        return FileHeader(shape: fields.shape, descriptor: fields.descriptor, dataOffset: headerStart + headerLength,
                          dataByteCount: needed)
    }

    /// The header length a file's first ``preambleLength`` bytes announce, with the preamble (`nil` when
    /// they are not a `.npy` preamble).
    public static func headerEnd(_ preamble: ArraySlice<UInt8>) -> Int? {
        let bytes = Array(preamble)
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else { return nil }
        switch bytes[6] {
        case 1: return 10 + (Int(bytes[8]) | Int(bytes[9]) << 8)
        case 2, 3:
            guard bytes.count >= 12 else { return nil }
            return 12 + (Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24)
        default: return nil
        }
    }

    /// Decodes the data bytes that follow `header`.
    /// - Throws: ``KernelError/npy(_:)`` when there are fewer bytes than the shape needs.
    public static func decode(_ header: FileHeader, data: ArraySlice<UInt8>) throws(KernelError) -> Tensor {
        guard data.count >= header.dataByteCount else {
            throw .npy("the file holds \(data.count) data bytes but shape \(header.shape) of \(header.descriptor) needs \(header.dataByteCount)")
        }
        let type = try ElementType(descriptor: header.descriptor)
        let count = header.dataByteCount / type.size
        var values = [Float](repeating: 0, count: count)
        data.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            for index in 0..<count {
                values[index] = type.load(base + index * type.size)
            }
        }
        return Tensor(uncheckedShape: header.shape, data: values)
    }

    /// Decodes the data that follows `header`, pulled from `read` (which fills the buffer it is given with
    /// up to its size of the file's next bytes and returns how many, 0 at the end). Memory stays at the
    /// tensor and one 1 MiB chunk: `<f4` data is read straight into the tensor's storage.
    /// - Throws: ``KernelError/npy(_:)`` when the file ends before the shape's data, or what `read` throws.
    public static func decode(_ header: FileHeader,
                              reading read: (UnsafeMutableRawBufferPointer) throws(KernelError) -> Int) throws(KernelError) -> Tensor {
        let type = try ElementType(descriptor: header.descriptor)
        let count = header.dataByteCount / type.size
        var values = [Float](repeating: 0, count: count)
        func fill(_ buffer: UnsafeMutableRawBufferPointer, from offset: Int) throws(KernelError) {
            var filled = 0
            while filled < buffer.count {
                let got = try read(UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
                guard got > 0 else {
                    throw .npy("the file holds \(offset + filled) data bytes but shape \(header.shape) of \(header.descriptor) needs \(header.dataByteCount)")
                }
                filled += got
            }
        }
        if type.isHostFloat32 {
            // Array's closures rethrow untyped errors: the failure is carried out by hand.
            var failure: KernelError?
            values.withUnsafeMutableBytes { raw in
                do throws(KernelError) { try fill(raw, from: 0) } catch { failure = error }
            }
            if let failure { throw failure }
            return Tensor(uncheckedShape: header.shape, data: values)
        }
        let chunkElements = max(1, (1 << 20) / type.size)
        var chunk = [UInt8](repeating: 0, count: chunkElements * type.size)
        var done = 0
        while done < count {
            let elements = min(chunkElements, count - done)
            var failure: KernelError?
            chunk.withUnsafeMutableBytes { raw in
                do throws(KernelError) {
                    try fill(UnsafeMutableRawBufferPointer(rebasing: raw[..<(elements * type.size)]), from: done * type.size)
                } catch {
                    failure = error
                    return
                }
                guard let base = raw.baseAddress else { return }
                for index in 0..<elements {
                    values[done + index] = type.load(base + index * type.size)
                }
            }
            if let failure { throw failure }
            done += elements
        }
        return Tensor(uncheckedShape: header.shape, data: values)
    }

    /// Decodes the bytes of a `.npy` file.
    public static func decode(_ bytes: [UInt8]) throws(KernelError) -> Tensor {
        let header = try header(bytes[...])
        return try decode(header, data: bytes[min(header.dataOffset, bytes.count)...])
    }

    /// Encodes a tensor as a version 1.0 `.npy` file of little-endian `float32` in C order.
    public static func encode(_ tensor: Tensor) -> [UInt8] {
        var bytes = header(shape: tensor.shape)
        bytes.reserveCapacity(bytes.count + tensor.count * 4)
        withDataChunks(of: tensor) { bytes += $0 }
        return bytes
    }

    /// The header of a version 1.0 `.npy` file of little-endian `float32` in C order with this shape; the
    /// data (``withDataChunks(of:floats:_:)``) follow it.
    public static func header(shape: [Int]) -> [UInt8] {
        let written = shape.isEmpty ? "()" : shape.count == 1 ? "(\(shape[0]),)"
            : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(written), }"
        // Pad with spaces so that magic + version + length + header (ending in \n) is a multiple of 64.
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var bytes = magic + [1, 0]
        let length = header.utf8.count
        bytes += [UInt8(length & 0xFF), UInt8(length >> 8)]
        bytes += Array(header.utf8)
        return bytes
    }

    /// Passes the data of `tensor`'s `.npy` file (little-endian `float32`) to `body`, `floats` values at a
    /// time: the tensor's own memory on a little-endian machine (a file is written without a copy of the
    /// tensor), else each chunk converted into one buffer of that size.
    public static func withDataChunks(of tensor: Tensor, floats: Int = 1 << 20,
                                      _ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        let chunk = max(1, floats)
        try tensor.data.withUnsafeBufferPointer { values in
            let starts = stride(from: 0, to: values.count, by: chunk)
            guard 1.littleEndian != 1 else {
                for start in starts {
                    let part = UnsafeBufferPointer(rebasing: values[start..<min(start + chunk, values.count)])
                    try body(UnsafeRawBufferPointer(part))
                }
                return
            }
            var converted = [UInt32](repeating: 0, count: min(chunk, values.count))
            for start in starts {
                let part = values[start..<min(start + chunk, values.count)]
                for (index, value) in part.enumerated() { converted[index] = value.bitPattern.littleEndian }
                try converted.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[..<(part.count * 4)])) }
            }
        }
    }

    /// A NumPy element type this reader converts to `Float`.
    struct ElementType {
        let size: Int
        let load: (UnsafeRawPointer) -> Float
        /// Little-endian `float32` on a little-endian machine: the bytes are the values.
        var isHostFloat32 = false

        init(descriptor: String) throws(KernelError) {
            let order = descriptor.first
            if order == ">" {
                throw .npy("big-endian data ('\(descriptor)') is not supported; save a.astype(a.dtype.newbyteorder('<')) instead")
            }
            let code = order == "<" || order == "|" || order == "=" ? String(descriptor.dropFirst()) : descriptor
            switch code {
            case "f4":
                size = 4; load = { Float(bitPattern: UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self))) }
                isHostFloat32 = 1.littleEndian == 1
            case "f8": size = 8; load = { Float(Double(bitPattern: UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)))) }
            case "f2": size = 2; load = { Self.half(UInt16(littleEndian: $0.loadUnaligned(as: UInt16.self))) }
            case "i1": size = 1; load = { Float($0.load(as: Int8.self)) }
            case "u1", "b1": size = 1; load = { Float($0.load(as: UInt8.self)) }
            case "i2": size = 2; load = { Float(Int16(littleEndian: $0.loadUnaligned(as: Int16.self))) }
            case "u2": size = 2; load = { Float(UInt16(littleEndian: $0.loadUnaligned(as: UInt16.self))) }
            case "i4": size = 4; load = { Float(Int32(littleEndian: $0.loadUnaligned(as: Int32.self))) }
            case "u4": size = 4; load = { Float(UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self))) }
            case "i8": size = 8; load = { Float(Int64(littleEndian: $0.loadUnaligned(as: Int64.self))) }
            case "u8": size = 8; load = { Float(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
            default:
                throw .npy("dtype '\(descriptor)' is not supported (floats, integers and booleans are); save a.astype(np.float32) instead")
            }
        }

        /// IEEE 754 half precision to Float, without relying on `Float16` being available.
        static func half(_ bits: UInt16) -> Float {
            let sign: Float = bits & 0x8000 != 0 ? -1 : 1
            let exponent = Int(bits >> 10 & 0x1F), fraction = Float(bits & 0x3FF)
            switch exponent {
            case 0: return sign * fraction * 0x1p-24
            case 31: return fraction == 0 ? sign * .infinity : .nan
            default: return sign * (1 + fraction / 1024) * Float(sign: .plus, exponent: exponent - 15, significand: 1)
            }
        }
    }
}
