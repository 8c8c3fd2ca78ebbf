import ConvNets
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser

/// Buffered standard output, written with one system call per flush.
struct OutputBuffer {
    private var bytes: [UInt8] = []
    private let descriptor: Int32

    init(descriptor: Int32 = 1) {
        self.descriptor = descriptor
        bytes.reserveCapacity(1 << 16)
    }

    mutating func append(_ text: String) { bytes.append(contentsOf: text.utf8) }
    /// Appends bytes.
    mutating func append(_ more: [UInt8]) { bytes.append(contentsOf: more) }
    /// Lets a writer append bytes directly.
    mutating func withBytes(_ body: (inout [UInt8]) -> Void) { body(&bytes) }

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
    // Names from files reach messages: their control characters are shown, not sent to the terminal.
    var line = message.split(separator: "\n", omittingEmptySubsequences: false).map { SafeText.visible(String($0)) }.joined(separator: "\n")
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
func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}

/// `close(2)`, callable where a method of the same name is in scope.
func systemClose(_ descriptor: Int32) -> Int32 {
    close(descriptor)
}
