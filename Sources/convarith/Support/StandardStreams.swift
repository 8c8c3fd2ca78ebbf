#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads standard input in large chunks and hands out complete lines, so a stream of requests is read
/// with one system call per chunk rather than per line; a line is answered as soon as its chunk arrives.
struct LineReader {
    private var buffer: [UInt8] = []
    private var start = 0
    private var finished = false
    private let descriptor: Int32

    init(descriptor: Int32 = 0) { self.descriptor = descriptor }

    /// Calls `body` with every complete line of the next chunk (and the final unterminated line at end of
    /// input); returns `false` once input is exhausted.
    mutating func readChunk(_ body: (ArraySlice<UInt8>) -> Void) -> Bool {
        if finished { return false }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var count = 0
        repeat {
            count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        } while count < 0 && errno == EINTR
        if count <= 0 {
            finished = true
            if start < buffer.count { body(buffer[start...].trimmingCarriageReturn()) }
            buffer.removeAll()
            return false
        }
        buffer.append(contentsOf: chunk[0..<count])
        var lineStart = start
        var index = start
        while index < buffer.count {
            if buffer[index] == 0x0A {
                body(buffer[lineStart..<index].trimmingCarriageReturn())
                lineStart = index + 1
            }
            index += 1
        }
        if lineStart > 0 {
            buffer.removeSubrange(0..<lineStart)
        }
        start = 0
        return true
    }
}

extension ArraySlice<UInt8> {
    func trimmingCarriageReturn() -> ArraySlice<UInt8> {
        last == 0x0D ? dropLast() : self
    }
}

/// Buffered standard output, written with one system call per flush.
struct OutputBuffer {
    private var bytes: [UInt8] = []
    private let descriptor: Int32

    init(descriptor: Int32 = 1) {
        self.descriptor = descriptor
        bytes.reserveCapacity(1 << 16)
    }

    mutating func append(_ text: String) { bytes.append(contentsOf: text.utf8) }
    /// Lets a writer append bytes directly.
    mutating func withBytes(_ body: (inout [UInt8]) -> Void) { body(&bytes) }
    mutating func appendNewline() { bytes.append(0x0A) }

    /// Writes everything buffered; returns `false` if the reader went away.
    @discardableResult
    mutating func flush() -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                bytes.removeAll(keepingCapacity: true)
                return false
            }
            offset += written
        }
        bytes.removeAll(keepingCapacity: true)
        return true
    }
}

/// Writes a line to standard error.
func printError(_ message: String) {
    var line = message
    line += "\n"
    _ = line.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
}

/// A one-line progress indicator on standard error, shown only when it is a terminal.
struct ProgressLine {
    let total: Int
    let label: String
    private let enabled = isatty(2) != 0

    init(total: Int, label: String) {
        self.total = total
        self.label = label
    }

    func update(_ done: Int) {
        guard enabled, total > 0 else { return }
        let width = 30
        let filled = min(width, done * width / total)
        var line = "\r\(label) [" + String(repeating: "█", count: filled) + String(repeating: " ", count: width - filled) + "] \(done)/\(total)"
        line += done >= total ? "\n" : ""
        _ = line.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
    }
}
