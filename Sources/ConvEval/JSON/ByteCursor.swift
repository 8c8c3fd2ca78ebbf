/// Writes bytes through a pointer into scratch memory sized in advance, then appends them to an output
/// array at once: an answer of a few hundred bytes costs one capacity check and one copy instead of one
/// per piece. The caller bounds what it writes (``ByteCursor/appending(to:atMost:_:)``).
struct ByteCursor {
    private var position: UnsafeMutablePointer<UInt8>
    private let end: UnsafeMutablePointer<UInt8>

    private init(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        position = buffer.baseAddress!
        end = buffer.baseAddress! + buffer.count
    }

    /// Runs `body` with a cursor over `capacity` bytes and appends what it wrote to `output`.
    /// `body` must write at most `capacity` bytes (checked: writing past it stops the process, which would
    /// be a bug in the bound, never in the input).
    static func appending(to output: inout [UInt8], atMost capacity: Int, _ body: (inout ByteCursor) -> Void) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { scratch in
            var cursor = ByteCursor(scratch)
            body(&cursor)
            precondition(cursor.position <= cursor.end, "an answer outgrew the bound computed for it")
            output.append(contentsOf: UnsafeBufferPointer(start: scratch.baseAddress, count: cursor.position - scratch.baseAddress!))
        }
    }

    /// Writes one byte.
    @inline(__always)
    mutating func write(_ byte: UInt8) {
        position.pointee = byte
        position += 1
    }

    /// Writes the bytes of a literal.
    @inline(__always)
    mutating func write(_ literal: StaticString) {
        let count = literal.utf8CodeUnitCount
        position.update(from: literal.utf8Start, count: count)
        position += count
    }

    /// Writes the decimal digits of `number` (at most 20 bytes).
    @inline(__always)
    mutating func write(_ number: Int) {
        if number < 0 { write(UInt8(ascii: "-")) }
        // Work with the magnitude as UInt so Int.min is exact; digits are written from the last one back.
        var magnitude = number.magnitude
        var digits = 1
        var rest = magnitude
        while rest >= 10 {
            rest /= 10
            digits += 1
        }
        position += digits
        var digit = position
        repeat {
            digit -= 1
            digit.pointee = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude % 10)
            magnitude /= 10
        } while magnitude > 0
    }
}
