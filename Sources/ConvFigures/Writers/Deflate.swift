/// A zlib stream (RFC 1950) of one DEFLATE block with the fixed Huffman codes (RFC 1951 §3.2.6) and LZ77
/// matches found through a hash of the next three bytes (one candidate, a 32 KiB window): small and exact,
/// and enough for figures, whose rows are runs of a few colours and repeat (a 2× figure's rows come in
/// identical pairs).
enum Deflate {
    /// `data` compressed as a zlib stream.
    static func zlib(_ data: [UInt8]) -> [UInt8] {
        var writer = BitWriter()
        writer.bytes = [0x78, 0x01]
        writer.write(1, bits: 1)   // the last block
        writer.write(1, bits: 2)   // fixed Huffman codes
        let count = data.count
        var head = [Int32](repeating: -1, count: 1 << 15)
        data.withUnsafeBufferPointer { input in
            var position = 0
            func hash(_ at: Int) -> Int { (Int(input[at]) << 10 ^ Int(input[at + 1]) << 5 ^ Int(input[at + 2])) & 0x7FFF }
            while position < count {
                var length = 0, distance = 0
                if position + 3 <= count {
                    let key = hash(position)
                    let candidate = Int(head[key])
                    head[key] = Int32(position)
                    if candidate >= 0 && position - candidate <= 32_768 {
                        let limit = min(258, count - position)
                        var matched = 0
                        while matched < limit && input[candidate + matched] == input[position + matched] { matched += 1 }
                        if matched >= 3 { length = matched; distance = position - candidate }
                    }
                }
                if length >= 3 {
                    writer.writeLength(length)
                    writer.writeDistance(distance)
                    // The positions the match covers enter the hash too, so the next rows find this one.
                    var covered = position + 1
                    while covered < position + length && covered + 3 <= count {
                        head[hash(covered)] = Int32(covered)
                        covered += 1
                    }
                    position += length
                } else {
                    writer.writeLiteral(Int(input[position]))
                    position += 1
                }
            }
        }
        writer.writeLiteral(256)   // end of block
        writer.flush()
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in data {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        let adler = b << 16 | a
        writer.bytes += [UInt8(adler >> 24), UInt8(adler >> 16 & 0xFF), UInt8(adler >> 8 & 0xFF), UInt8(adler & 0xFF)]
        return writer.bytes
    }
}

/// DEFLATE's symbols on the bit stream; Huffman codes go most-significant bit first.
extension BitWriter {
    /// A Huffman code of `length` bits, reversed into the stream's bit order.
    mutating func writeCode(_ code: Int, length: Int) {
        var reversed = 0
        for bit in 0..<length where code & (1 << bit) != 0 { reversed |= 1 << (length - 1 - bit) }
        write(reversed, bits: length)
    }

    /// A literal byte or the end of block (256), in the fixed code.
    mutating func writeLiteral(_ symbol: Int) {
        switch symbol {
        case 0...143: writeCode(0x30 + symbol, length: 8)
        case 144...255: writeCode(0x190 + symbol - 144, length: 9)
        case 256...279: writeCode(symbol - 256, length: 7)
        default: writeCode(0xC0 + symbol - 280, length: 8)
        }
    }

    static let lengthBases = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBases = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073,
                                4097, 6145, 8193, 12289, 16385, 24577]
    static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

    /// A match length (3…258): its symbol 257…285 and extra bits.
    mutating func writeLength(_ length: Int) {
        var index = Self.lengthBases.count - 1
        while Self.lengthBases[index] > length { index -= 1 }
        writeLiteral(257 + index)
        if Self.lengthExtra[index] > 0 { write(length - Self.lengthBases[index], bits: Self.lengthExtra[index]) }
    }

    /// A match distance (1…32768): a 5-bit code and extra bits.
    mutating func writeDistance(_ distance: Int) {
        var index = Self.distanceBases.count - 1
        while Self.distanceBases[index] > distance { index -= 1 }
        writeCode(index, length: 5)
        if Self.distanceExtra[index] > 0 { write(distance - Self.distanceBases[index], bits: Self.distanceExtra[index]) }
    }
}
