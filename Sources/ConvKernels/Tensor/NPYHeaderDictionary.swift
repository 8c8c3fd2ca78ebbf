/// The dictionary of a `.npy` header, read as NumPy reads it (`ast.literal_eval` of a Python literal): one
/// `{…}` with string keys and nothing but whitespace after it; a key given twice keeps its last value, as
/// in Python; exactly the keys `descr`, `fortran_order` and `shape`; `descr` a string, `fortran_order`
/// `True` or `False`, `shape` a tuple of integers (`(3)` is an integer, not a tuple). Anything NumPy would
/// refuse is refused, so that the tool and NumPy never disagree on what a file holds.
struct NPYHeaderDictionary {
    let descriptor: String
    let fortranOrder: Bool
    let shape: [Int]

    /// A Python literal as far as a header uses them.
    private enum Literal {
        case string(String), integer(Int), boolean(Bool), tuple([Literal]), other(String)

        var kind: String {
            switch self {
            case .string: "a string"
            case .integer: "an integer"
            case .boolean: "a boolean"
            case .tuple: "a tuple"
            case let .other(kind): kind
            }
        }
    }

    init(parsing text: String) throws(KernelError) {
        var parser = Parser(bytes: Array(text.utf8))
        let entries = try parser.dictionary()
        var fields: [String: Literal] = [:]
        for (key, value) in entries { fields[key] = value }
        let expected: Set = ["descr", "fortran_order", "shape"]
        guard Set(fields.keys) == expected else {
            let keys = fields.keys.sorted().map { "'\($0)'" }.joined(separator: ", ")
            throw .npy("the header's keys are [\(keys)]; NumPy needs exactly 'descr', 'fortran_order' and 'shape'")
        }
        guard case let .string(descriptor) = fields["descr"]! else {
            throw .npy("'descr' is \(fields["descr"]!.kind); structured dtypes are not supported, save a plain numeric array")
        }
        guard case let .boolean(fortranOrder) = fields["fortran_order"]! else {
            throw .npy("'fortran_order' is \(fields["fortran_order"]!.kind), not True or False")
        }
        guard case let .tuple(items) = fields["shape"]! else {
            throw .npy("'shape' is \(fields["shape"]!.kind), not a tuple of integers (write (3,) for one axis)")
        }
        var shape: [Int] = []
        for item in items {
            guard case let .integer(size) = item else { throw .npy("'shape' holds \(item.kind), not only integers") }
            guard size >= 0 else { throw .npy("'shape' holds the negative size \(size)") }
            shape.append(size)
        }
        self.descriptor = descriptor
        self.fortranOrder = fortranOrder
        self.shape = shape
    }

    /// A reader of the literal's bytes.
    private struct Parser {
        let bytes: [UInt8]
        var position = 0

        mutating func dictionary() throws(KernelError) -> [(String, Literal)] {
            skipSpace()
            try expect(UInt8(ascii: "{"))
            var entries: [(String, Literal)] = []
            skipSpace()
            while peek != UInt8(ascii: "}") {
                guard case let .string(key) = try literal() else { throw .npy("a header key is not a string (at byte \(position))") }
                skipSpace()
                try expect(UInt8(ascii: ":"))
                let value = try literal()
                entries.append((key, value))
                skipSpace()
                guard peek == UInt8(ascii: ",") else { break }
                position += 1
                skipSpace()
            }
            try expect(UInt8(ascii: "}"))
            skipSpace()
            guard position == bytes.count else { throw .npy("the header has text after its closing '}' (at byte \(position))") }
            return entries
        }

        /// One literal; tuples and lists nest at most 8 deep (a header's deepest is 3), so a header of a
        /// million parentheses is refused instead of exhausting the stack.
        private mutating func literal(depth: Int = 0) throws(KernelError) -> Literal {
            guard depth < 8 else { throw .npy("the header's literals nest deeper than 8 levels") }
            skipSpace()
            guard let byte = peek else { throw .npy("the header ends inside its dictionary (no closing '}')") }
            switch byte {
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                position += 1
                let start = position
                while let next = peek, next != byte {
                    guard next != UInt8(ascii: "\\"), next != 10 else { throw .npy("a header string holds an escape or a line break (at byte \(position))") }
                    position += 1
                }
                guard peek == byte else { throw .npy("a header string is not closed") }
                position += 1
                return .string(String(decoding: bytes[start..<(position - 1)], as: UTF8.self))
            case UInt8(ascii: "("), UInt8(ascii: "["):
                let close = byte == UInt8(ascii: "(") ? UInt8(ascii: ")") : UInt8(ascii: "]")
                position += 1
                var items: [Literal] = []
                var sawComma = false
                skipSpace()
                while peek != close {
                    items.append(try literal(depth: depth + 1))
                    skipSpace()
                    guard peek == UInt8(ascii: ",") else { break }
                    sawComma = true
                    position += 1
                    skipSpace()
                }
                try expect(close)
                if byte == UInt8(ascii: "[") { return .other("a list") }
                // `(3)` is the integer 3 in parentheses; `()` and `(3,)` are tuples.
                if items.count == 1 && !sawComma { return items[0] }
                return .tuple(items)
            case UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return try integer()
            default:
                let start = position
                while let next = peek, next == UInt8(ascii: "_") || (next | 0x20) >= UInt8(ascii: "a") && (next | 0x20) <= UInt8(ascii: "z") {
                    position += 1
                }
                switch String(decoding: bytes[start..<position], as: UTF8.self) {
                case "True": return .boolean(true)
                case "False": return .boolean(false)
                case "None": return .other("None")
                default: throw .npy("the header holds something that is not a Python literal (at byte \(start))")
                }
            }
        }

        /// Decimal digits with optional sign, `_` between digits and a Python 2 `L` suffix.
        private mutating func integer() throws(KernelError) -> Literal {
            var negative = false
            if peek == UInt8(ascii: "-") || peek == UInt8(ascii: "+") {
                negative = peek == UInt8(ascii: "-")
                position += 1
                skipSpace()
            }
            var value = 0, digits = 0, overflow = false
            while let next = peek, next >= UInt8(ascii: "0") && next <= UInt8(ascii: "9") || next == UInt8(ascii: "_") && digits > 0 {
                position += 1
                guard next != UInt8(ascii: "_") else { continue }
                let (times, o1) = value.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times.addingReportingOverflow(Int(next - UInt8(ascii: "0")))
                overflow = overflow || o1 || o2
                value = sum
                digits += 1
            }
            guard digits > 0 else { throw .npy("a sign without digits in the header (at byte \(position))") }
            if peek == UInt8(ascii: "L") { position += 1 }
            if peek == UInt8(ascii: ".") || peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
                return .other("a float")
            }
            guard !overflow else { throw .npy("a header integer is larger than 2^63 − 1") }
            return .integer(negative ? -value : value)
        }

        private var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

        private mutating func skipSpace() {
            while let byte = peek, byte == 32 || byte == 9 || byte == 10 || byte == 13 { position += 1 }
        }

        private mutating func expect(_ byte: UInt8) throws(KernelError) {
            guard peek == byte else {
                let found = peek.map { "'\(Character(Unicode.Scalar($0)))'" } ?? "the end"
                throw .npy("the header's dictionary expects '\(Character(Unicode.Scalar(byte)))' at byte \(position), found \(found)")
            }
            position += 1
        }
    }
}
