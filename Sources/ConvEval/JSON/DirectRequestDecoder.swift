import ConvArithmetic

/// Decodes the common `convarith eval` request — a shape request whose values are plain — straight from
/// its bytes into ``LayerParameters``, without building a ``JSONValue`` tree, strings or per-value arrays.
///
/// It takes a line only when it is certain to decode it exactly as ``JSONParser`` followed by
/// ``EvalRequest/init(json:)`` would; for anything else — invalid JSON, a missing or mistyped field,
/// escapes in a string, non-ASCII text in a value it reads, a repeated field, fractional numbers, the
/// tensor extension, deep nesting — it returns `nil` and the general path answers, with its exact messages.
/// So the answers are the same byte for byte; only the time differs.
struct DirectRequestDecoder {
    /// The request's `id` as the general path would write it back.
    enum ID {
        case null
        case bool(Bool)
        case integer(Int)
        /// An ASCII string without escapes: the bytes between the quotes.
        case text(Range<Int>)

        /// Appends the JSON text of the id.
        func write(from line: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
            switch self {
            case .null: output.append(literal: "null")
            case .bool(let flag): output.append(literal: flag ? "true" : "false")
            case .integer(let number): JSONWriter.writeInteger(number, to: &output)
            case .text(let range):
                output.append(UInt8(ascii: "\""))
                output.append(contentsOf: UnsafeBufferPointer(rebasing: line[range]))
                output.append(UInt8(ascii: "\""))
            }
        }
    }

    /// A decoded request.
    struct Request {
        var id: ID
        var layer: LayerParameters
    }

    /// Why the direct path gives a line to the general one (the reason is not reported: the general path
    /// finds its own).
    private struct Declined: Error {}

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// The request on `line`, or `nil` when the general path must answer it. Its arrays are `storage`'s,
    /// refilled in place when no earlier request holds them any more.
    static func decode(_ line: UnsafeBufferPointer<UInt8>, storage: inout DecodingStorage) -> Request? {
        var decoder = DirectRequestDecoder(line)
        return try? decoder.request(storage: &storage)
    }

    // MARK: The request object

    /// The fields the direct path reads, one bit each, to refuse repeats (the general path takes the first).
    private enum Field: Int {
        case id, op, input, kernel, stride, padding, dilation, outputPadding, outputSize, ceilMode, countIncludePad
        case poolMode, convention, batch, channels, outChannels, groups
    }

    private mutating func request(storage: inout DecodingStorage) throws(Declined) -> Request {
        skipWhitespace()
        try expect(UInt8(ascii: "{"))
        var seen: UInt32 = 0
        var id = ID.null
        var operation: Operation?
        var input: [Int]?, kernel: [Int]?, stride: [Int]?, dilation: [Int]?, outputPadding: [Int]?, outputSize: [Int]?
        var padding: Padding?
        var ceilMode: Bool?, countIncludePad: Bool?
        var poolingMode = PoolingMode.max
        var convention = Convention.default
        var batch: Int?, channels: Int?, outputChannels: Int?, groups: Int?

        skipWhitespace()
        if peek() == UInt8(ascii: "}") { throw Declined() }  // no "op": the general path says so
        while true {
            skipWhitespace()
            let key = try plainString()
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            skipWhitespace()
            guard let field = try Self.field(named: key) else {
                try skipValue(depth: 2)
                try endOfMember()
                if consumeObjectEnd() { break } else { continue }
            }
            let bit: UInt32 = 1 << UInt32(field.rawValue)
            guard seen & bit == 0 else { throw Declined() }
            seen |= bit
            if consumeNull() {
                // `null` means absent; a required field absent is the general path's error.
                if field == .op || field == .input || field == .kernel { throw Declined() }
            } else {
                switch field {
                case .id: id = try idValue()
                case .op: operation = try operationValue()
                case .input: input = try integers(into: &storage.input)
                case .kernel: kernel = try integers(into: &storage.kernel)
                case .stride: stride = try integers(into: &storage.stride)
                case .dilation: dilation = try integers(into: &storage.dilation)
                case .outputPadding: outputPadding = try integers(into: &storage.outputPadding)
                case .outputSize: outputSize = try integers(into: &storage.outputSize)
                case .padding: padding = try paddingValue(storage: &storage.padding)
                case .ceilMode: ceilMode = try boolean()
                case .countIncludePad: countIncludePad = try boolean()
                case .poolMode: poolingMode = try poolingModeValue()
                case .convention: convention = try conventionValue()
                case .batch: batch = try integer()
                case .channels: channels = try integer()
                case .outChannels: outputChannels = try integer()
                case .groups: groups = try integer()
                }
            }
            try endOfMember()
            if consumeObjectEnd() { break }
        }
        skipWhitespace()
        guard index == bytes.count, let operation, let input, let kernel else { throw Declined() }
        let layer = LayerParameters(
            operation: operation, input: input, kernel: kernel, stride: stride, padding: padding, dilation: dilation,
            outputPadding: outputPadding, outputSize: outputSize, ceilMode: ceilMode ?? false, poolingMode: poolingMode,
            countIncludePad: countIncludePad, convention: convention,
            batch: batch, channels: channels, outputChannels: outputChannels, groups: groups)
        return Request(id: id, layer: layer)
    }

    /// The field a key names, or `nil` for a key the direct path skips. The tensor extension's keys decline.
    private static func field(named key: UnsafeBufferPointer<UInt8>) throws(Declined) -> Field? {
        func equals(_ name: StaticString) -> Bool {
            name.utf8CodeUnitCount == key.count && memoryEquals(name.utf8Start, key.baseAddress, key.count)
        }
        switch key.count {
        case 1 where equals("x") || equals("w") || equals("b"): throw Declined()
        case 2: return equals("id") ? .id : equals("op") ? .op : nil
        case 4 where equals("impl"): throw Declined()
        case 5: return equals("input") ? .input : equals("batch") ? .batch : nil
        case 6: return equals("kernel") ? .kernel : equals("stride") ? .stride : equals("groups") ? .groups : nil
        case 7: return equals("padding") ? .padding : nil
        case 8: return equals("dilation") ? .dilation : equals("channels") ? .channels : nil
        case 9: return equals("ceil_mode") ? .ceilMode : equals("pool_mode") ? .poolMode : nil
        case 10: return equals("convention") ? .convention : nil
        case 11: return equals("output_size") ? .outputSize : nil
        case 12: return equals("out_channels") ? .outChannels : nil
        case 14: return equals("output_padding") ? .outputPadding : nil
        case 17: return equals("count_include_pad") ? .countIncludePad : nil
        default: return nil
        }
    }

    @inline(__always)
    private mutating func endOfMember() throws(Declined) {
        skipWhitespace()
        guard index < bytes.count else { throw Declined() }
        if bytes[index] == UInt8(ascii: ",") || bytes[index] == UInt8(ascii: "}") { return }
        throw Declined()
    }

    /// Consumes `}` (the object ends) or `,` (another member follows).
    @inline(__always)
    private mutating func consumeObjectEnd() -> Bool {
        let byte = bytes[index]
        index += 1
        return byte == UInt8(ascii: "}")
    }

    // MARK: Field values

    private mutating func idValue() throws(Declined) -> ID {
        switch peek() {
        case UInt8(ascii: "\""): return .text(try asciiString())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        default: return .integer(try integer())
        }
    }

    private mutating func operationValue() throws(Declined) -> Operation {
        let name = UnsafeBufferPointer(rebasing: bytes[try asciiString()])
        func equals(_ word: StaticString) -> Bool {
            word.utf8CodeUnitCount == name.count && memoryEquals(word.utf8Start, name.baseAddress, name.count)
        }
        if equals("conv") { return .convolution }
        if equals("pool") { return .pooling }
        if equals("transposed") { return .transposedConvolution }
        throw Declined()
    }

    private mutating func poolingModeValue() throws(Declined) -> PoolingMode {
        let name = UnsafeBufferPointer(rebasing: bytes[try asciiString()])
        func equals(_ word: StaticString) -> Bool {
            word.utf8CodeUnitCount == name.count && memoryEquals(word.utf8Start, name.baseAddress, name.count)
        }
        if equals("max") { return .max }
        if equals("avg") || equals("average") { return .average }
        throw Declined()
    }

    private mutating func conventionValue() throws(Declined) -> Convention {
        guard let convention = Convention(utf8Name: UnsafeBufferPointer(rebasing: bytes[try asciiString()])) else { throw Declined() }
        return convention
    }

    private mutating func paddingValue(storage list: inout [AxisPadding]) throws(Declined) -> Padding {
        switch peek() {
        case UInt8(ascii: "\""):
            let name = String(decoding: UnsafeBufferPointer(rebasing: bytes[try asciiString()]), as: UTF8.self)
            guard let mode = PaddingMode(name: name) else { throw Declined() }
            return .named(mode)
        case UInt8(ascii: "["):
            index += 1
            list.empty(keepingAtMost: DecodingStorage.largestKept)
            var axes = list
            list = []
            defer { list = axes }
            try elements { (decoder: inout DirectRequestDecoder) throws(Declined) in
                if decoder.peek() == UInt8(ascii: "[") {
                    decoder.index += 1
                    decoder.skipWhitespace()
                    let before = try decoder.integer()
                    decoder.skipWhitespace()
                    try decoder.expect(UInt8(ascii: ","))
                    decoder.skipWhitespace()
                    let after = try decoder.integer()
                    decoder.skipWhitespace()
                    try decoder.expect(UInt8(ascii: "]"))
                    axes.append(AxisPadding(before: before, after: after))
                } else {
                    axes.append(AxisPadding(try decoder.integer()))
                }
            }
            return .explicit(axes)
        default:
            return .explicit([AxisPadding(try integer())])
        }
    }

    /// A whole number, or a non-empty array of them.
    /// Refills `list` in place (its storage is reused when no earlier request still holds it).
    private mutating func integers(into list: inout [Int]) throws(Declined) -> [Int] {
        list.empty(keepingAtMost: DecodingStorage.largestKept)
        guard peek() == UInt8(ascii: "[") else {
            list.append(try integer())
            return list
        }
        index += 1
        var values = list
        list = []
        defer { list = values }
        try elements { (decoder: inout DirectRequestDecoder) throws(Declined) in values.append(try decoder.integer()) }
        return values
    }

    /// Reads the elements of a non-empty array whose `[` was consumed, up to and including its `]`.
    private mutating func elements(_ element: (inout DirectRequestDecoder) throws(Declined) -> Void) throws(Declined) {
        skipWhitespace()
        if peek() == UInt8(ascii: "]") { throw Declined() }  // empty: the general path's error
        while true {
            skipWhitespace()
            try element(&self)
            skipWhitespace()
            guard index < bytes.count else { throw Declined() }
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: "]") { return }
            if byte != UInt8(ascii: ",") { throw Declined() }
        }
    }

    /// `true`/`false`, or the integers 0 and 1.
    private mutating func boolean() throws(Declined) -> Bool {
        switch peek() {
        case UInt8(ascii: "t"): try literal("true"); return true
        case UInt8(ascii: "f"): try literal("false"); return false
        default:
            switch try integer() {
            case 0: return false
            case 1: return true
            default: throw Declined()
            }
        }
    }

    /// An integer literal that fits in `Int` (no fraction or exponent: those go the general way).
    @inline(__always)
    private mutating func integer() throws(Declined) -> Int {
        var negative = false
        if peek() == UInt8(ascii: "-") { negative = true; index += 1 }
        guard index < bytes.count, Self.isDigit(bytes[index]) else { throw Declined() }
        var value = 0
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while index < bytes.count, Self.isDigit(bytes[index]) {
                let digit = Int(bytes[index] &- UInt8(ascii: "0"))
                let (times, o1) = value.multipliedReportingOverflow(by: 10)
                let (next, o2) = negative ? times.subtractingReportingOverflow(digit) : times.addingReportingOverflow(digit)
                guard !o1, !o2 else { throw Declined() }
                value = next
                index += 1
            }
        }
        if index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "0")...UInt8(ascii: "9"): throw Declined()
            default: break
            }
        }
        return value
    }

    // MARK: Strings and skipping

    /// A string without escapes or control characters: its bytes, between the quotes.
    @inline(__always)
    private mutating func plainString() throws(Declined) -> UnsafeBufferPointer<UInt8> {
        try expect(UInt8(ascii: "\""))
        let start = index
        // Eight bytes at a time: flag quotes, backslashes and control characters (SWAR; the lowest flagged
        // byte is always a true match, so the first stop is exact).
        while index + 8 <= bytes.count {
            let word = UnsafeRawPointer(bytes.baseAddress! + index).loadUnaligned(as: UInt64.self)
            let flagged = Self.zeroBytes(word ^ 0x2222_2222_2222_2222) | Self.zeroBytes(word ^ 0x5C5C_5C5C_5C5C_5C5C)
                | ((word &- 0x2020_2020_2020_2020) & ~word & 0x8080_8080_8080_8080)
            if flagged != 0 {
                index += flagged.trailingZeroBitCount / 8
                break
            }
            index += 8
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return UnsafeBufferPointer(rebasing: bytes[start..<(index - 1)])
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { throw Declined() }
            index += 1
        }
        throw Declined()
    }

    /// The high bit of every byte of `word` that is zero (and possibly of bytes above the lowest one).
    @inline(__always)
    private static func zeroBytes(_ word: UInt64) -> UInt64 {
        (word &- 0x0101_0101_0101_0101) & ~word & 0x8080_8080_8080_8080
    }

    /// A plain string that is all ASCII (so it reads and echoes the same as the general path's `String`).
    private mutating func asciiString() throws(Declined) -> Range<Int> {
        let text = try plainString()
        for byte in text where byte >= 0x80 { throw Declined() }
        let end = index - 1  // the closing quote
        return (end - text.count)..<end
    }

    /// Skips one value of a field the request does not use, checking its syntax as strictly as
    /// ``JSONParser`` (anything unusual declines).
    private mutating func skipValue(depth: Int) throws(Declined) {
        guard depth <= 32, index < bytes.count else { throw Declined() }
        switch bytes[index] {
        case UInt8(ascii: "\""): _ = try plainString()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "["):
            index += 1
            skipWhitespace()
            if peek() == UInt8(ascii: "]") { index += 1; return }
            while true {
                skipWhitespace()
                try skipValue(depth: depth + 1)
                skipWhitespace()
                guard index < bytes.count else { throw Declined() }
                let byte = bytes[index]
                index += 1
                if byte == UInt8(ascii: "]") { return }
                if byte != UInt8(ascii: ",") { throw Declined() }
            }
        case UInt8(ascii: "{"):
            index += 1
            skipWhitespace()
            if peek() == UInt8(ascii: "}") { index += 1; return }
            while true {
                skipWhitespace()
                _ = try plainString()
                skipWhitespace()
                try expect(UInt8(ascii: ":"))
                skipWhitespace()
                try skipValue(depth: depth + 1)
                skipWhitespace()
                guard index < bytes.count else { throw Declined() }
                let byte = bytes[index]
                index += 1
                if byte == UInt8(ascii: "}") { return }
                if byte != UInt8(ascii: ",") { throw Declined() }
            }
        default: try skipNumber()
        }
    }

    /// Skips a number, checking the JSON grammar (sign, no leading zeros, fraction, exponent).
    private mutating func skipNumber() throws(Declined) {
        if peek() == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, Self.isDigit(bytes[index]) else { throw Declined() }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, Self.isDigit(bytes[index]) { throw Declined() }
        } else {
            while index < bytes.count, Self.isDigit(bytes[index]) { index += 1 }
        }
        if peek() == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, Self.isDigit(bytes[index]) else { throw Declined() }
            while index < bytes.count, Self.isDigit(bytes[index]) { index += 1 }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            index += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, Self.isDigit(bytes[index]) else { throw Declined() }
            while index < bytes.count, Self.isDigit(bytes[index]) { index += 1 }
        }
    }

    // MARK: Bytes

    @inline(__always)
    private func peek() -> UInt8 { index < bytes.count ? bytes[index] : 0 }

    @inline(__always)
    private mutating func expect(_ byte: UInt8) throws(Declined) {
        guard index < bytes.count, bytes[index] == byte else { throw Declined() }
        index += 1
    }

    private mutating func consumeNull() -> Bool {
        guard peek() == UInt8(ascii: "n") else { return false }
        return (try? literal("null")) != nil
    }

    private mutating func literal(_ word: StaticString) throws(Declined) {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count, memoryEquals(word.utf8Start, bytes.baseAddress! + index, count) else {
            throw Declined()
        }
        index += count
    }

    @inline(__always)
    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    @inline(__always)
    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}

/// Whether `count` bytes at `a` and `b` are equal.
private func memoryEquals(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>?, _ count: Int) -> Bool {
    guard let b else { return count == 0 }
    for offset in 0..<count where a[offset] != b[offset] { return false }
    return true
}

/// Arrays kept from one request to the next, one per field, so that decoding a line on a warm path
/// allocates nothing: a decoded request shares them, and once it is gone they are unique again and are
/// refilled in place for the next line.
struct DecodingStorage {
    var input = [Int](minimumCapacity: 4)
    var kernel = [Int](minimumCapacity: 4)
    var stride = [Int](minimumCapacity: 4)
    var dilation = [Int](minimumCapacity: 4)
    var outputPadding = [Int](minimumCapacity: 4)
    var outputSize = [Int](minimumCapacity: 4)
    var padding = [AxisPadding](minimumCapacity: 4)
    /// Lists above this many values are let go after use rather than kept (a hostile line must not pin
    /// memory).
    static let largestKept = 64
}

extension Array {
    /// An empty array with room for `capacity` elements.
    init(minimumCapacity capacity: Int) {
        self.init()
        reserveCapacity(capacity)
    }

    /// Empties the array, keeping its storage unless it has grown beyond `limit` elements.
    mutating func empty(keepingAtMost limit: Int) {
        removeAll(keepingCapacity: capacity <= limit)
    }
}
