/// Bits packed least-significant first into bytes, as GIF's LZW codes and DEFLATE's fields are.
struct BitWriter {
    /// The bytes written so far (a partial last byte only after ``flush()``).
    var bytes: [UInt8] = []
    private var buffer = 0, filled = 0

    /// Appends the low `bits` bits of `value`.
    mutating func write(_ value: Int, bits: Int) {
        buffer |= value << filled
        filled += bits
        while filled >= 8 {
            bytes.append(UInt8(buffer & 0xFF))
            buffer >>= 8
            filled -= 8
        }
    }

    /// Writes out a partial last byte, its high bits zero.
    mutating func flush() {
        if filled > 0 { bytes.append(UInt8(buffer & 0xFF)) }
        buffer = 0
        filled = 0
    }
}
