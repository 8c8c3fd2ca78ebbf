#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser

/// Reads standard input in large chunks and hands out complete lines, so a stream of requests is read
/// with one system call per chunk rather than per line; a line is answered as soon as its chunk arrives.
/// Every byte is scanned once (a long line arriving in many chunks costs time linear in its length), and a
/// line longer than `lineLimit` is skipped as it arrives, its length reported instead of its bytes.
struct LineReader {
    /// What the reader hands out.
    enum Line {
        /// A complete line, without its newline.
        case text(ArraySlice<UInt8>)
        /// A line longer than the limit, skipped; its length in bytes.
        case tooLong(Int)
    }

    private var buffer: [UInt8] = []
    /// Bytes of `buffer` already searched for a newline.
    private var scanned = 0
    /// The length so far of a line being skipped, or `nil`.
    private var skipping: Int?
    private var finished = false
    private let descriptor: Int32
    private let lineLimit: Int

    init(descriptor: Int32 = 0, lineLimit: Int = Int.max) {
        self.descriptor = descriptor
        self.lineLimit = lineLimit
    }

    /// Calls `body` with every complete line of the next chunk (and the final unterminated line at end of
    /// input); returns `false` once input is exhausted.
    mutating func readChunk(_ body: (Line) -> Void) -> Bool {
        if finished { return false }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var count = 0
        repeat {
            count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        } while count < 0 && errno == EINTR
        if count <= 0 {
            finished = true
            if let skipped = skipping {
                body(.tooLong(skipped + buffer.count))
            } else if !buffer.isEmpty {
                body(.text(buffer[...].trimmingCarriageReturn()))
            }
            buffer.removeAll()
            return false
        }
        buffer.append(contentsOf: chunk[0..<count])
        var lineStart = 0
        var index = scanned
        while index < buffer.count {
            if buffer[index] == 0x0A {
                if let skipped = skipping {
                    body(.tooLong(skipped + index - lineStart))
                    skipping = nil
                } else {
                    body(.text(buffer[lineStart..<index].trimmingCarriageReturn()))
                }
                lineStart = index + 1
            }
            index += 1
        }
        if lineStart > 0 { buffer.removeSubrange(0..<lineStart) }
        scanned = buffer.count
        // The unfinished line: once beyond the limit, drop what has arrived and count the rest.
        if skipping != nil || buffer.count > lineLimit {
            skipping = (skipping ?? 0) + buffer.count
            buffer.removeAll(keepingCapacity: true)
            scanned = 0
        }
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

/// A file being written, or standard output: every write is checked, and a failure (a full disk, a closed
/// pipe) ends the command with a message and exit status 73 (a file) or 74 (standard output).
struct OutputFile {
    private let descriptor: Int32
    private let path: String?
    private(set) var bytesWritten = 0

    /// Creates (truncates) `path`, or writes to standard output when `path` is `nil`.
    init(path: String?) throws {
        self.path = path
        guard let path else {
            descriptor = 1
            return
        }
        let opened = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard opened >= 0 else {
            printError("error: cannot write \(path): \(String(cString: strerror(errno)))")
            throw ExitCode(73)
        }
        descriptor = opened
    }

    /// Writes all of `bytes`.
    mutating func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { systemWrite(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                try fail()
            }
            offset += written
        }
        bytesWritten += bytes.count
    }

    /// Closes a file (standard output stays open).
    func close() throws {
        guard path != nil else { return }
        if systemClose(descriptor) != 0 { try fail() }
    }

    private func fail() throws -> Never {
        let reason = String(cString: strerror(errno))
        if let path {
            printError("error: cannot write \(path): \(reason)")
            throw ExitCode(73)
        }
        printError("error: cannot write to standard output: \(reason)")
        throw ExitCode(74)
    }
}

/// Makes a failed write to standard output (a full disk, `> /dev/full`) an error: at exit, buffered output
/// is flushed and, if that fails, the process exits 74 with a message instead of 0.
func exitWithErrorWhenStandardOutputFails() {
    atexit {
        if fflush(nil) != 0 {
            printError("error: cannot write to standard output: \(String(cString: strerror(errno)))")
            _exit(74)
        }
    }
}

/// `write(2)`, callable where a method of the same name is in scope.
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}

/// `close(2)`, callable where a method of the same name is in scope.
private func systemClose(_ descriptor: Int32) -> Int32 {
    close(descriptor)
}
