#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file descriptor in large chunks and hands out the complete lines of each chunk at once, so a
/// stream of requests costs one system call per chunk rather than per line, and a line is answered as
/// soon as the chunk that completes it arrives. Every byte is scanned once (a long line arriving in many
/// chunks costs time linear in its length), and a line longer than `lineLimit` is skipped as it arrives:
/// reported as soon as it is known to pass the limit, so an endless line (`/dev/zero`) is answered at once,
/// and its remaining bytes are dropped up to its newline without another report. What is reported does not
/// depend on the chunk size.
struct LineReader {
    /// A line of a chunk.
    enum Line {
        /// A complete line: its bytes in the chunk, without the newline (and without a carriage return
        /// before it).
        case text(Range<Int>)
        /// A line longer than the limit, skipped (the rest of an unfinished one dropped as it arrives).
        case tooLong
    }

    /// Unconsumed bytes: the unfinished line, then the chunk just read.
    private var buffer: [UInt8] = []
    /// Where `read` puts a chunk (allocated once).
    private var chunk: [UInt8]
    /// The lines of the current chunk (storage reused).
    private var lines: [Line] = []
    /// Bytes of `buffer` already searched for a newline.
    private var scanned = 0
    /// Whether the unfinished line passed the limit, was reported and is being dropped up to its newline.
    private var skipping = false
    private var finished = false
    private let descriptor: Int32
    private let lineLimit: Int

    /// A reader of `descriptor` that reads up to `chunkSize` bytes at a time.
    init(descriptor: Int32 = 0, lineLimit: Int = Int.max, chunkSize: Int = 1 << 16) {
        self.descriptor = descriptor
        self.lineLimit = lineLimit
        chunk = [UInt8](repeating: 0, count: chunkSize)
    }

    /// Reads the next chunk and calls `body` with the bytes and the lines it completes (the final
    /// unterminated line too, at end of input) or reports (an unfinished line that has just passed the limit);
    /// `body` is not called for a chunk with neither.
    /// Returns `false` once input is exhausted.
    mutating func readChunk(_ body: (_ bytes: UnsafeBufferPointer<UInt8>, _ lines: [Line]) -> Void) -> Bool {
        if finished { return false }
        var count = 0
        repeat {
            count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        } while count < 0 && errno == EINTR
        lines.removeAll(keepingCapacity: true)
        if count <= 0 {
            finished = true
            if !skipping && !buffer.isEmpty {
                lines.append(.text(0..<trimmedEnd(buffer.count)))
            }
            if !lines.isEmpty { buffer.withUnsafeBufferPointer { body($0, lines) } }
            buffer.removeAll()
            return false
        }
        buffer.append(contentsOf: chunk[0..<count])
        var lineStart = 0
        buffer.withUnsafeBufferPointer { bytes in
            var index = scanned
            while index < bytes.count,
                  let found = memchr(bytes.baseAddress! + index, 0x0A, bytes.count - index) {
                let newline = UnsafePointer<UInt8>(found.assumingMemoryBound(to: UInt8.self)) - bytes.baseAddress!
                if skipping {
                    skipping = false  // its report went out when it passed the limit
                } else if newline - lineStart > lineLimit {
                    // Whole within one chunk, yet too long: the limit does not depend on the chunk size.
                    lines.append(.tooLong)
                } else {
                    lines.append(.text(lineStart..<trimmedEnd(newline)))
                }
                lineStart = newline + 1
                index = newline + 1
            }
            // The unfinished line: reported once it passes the limit, after the lines it follows.
            if !skipping && bytes.count - lineStart > lineLimit {
                lines.append(.tooLong)
                skipping = true
            }
            if !lines.isEmpty { body(bytes, lines) }
        }
        if skipping {
            buffer.removeAll(keepingCapacity: true)
        } else if lineStart > 0 {
            buffer.removeSubrange(0..<lineStart)
        }
        scanned = buffer.count
        return true
    }

    /// The end of a line ending before `end`, without a carriage return before the newline.
    private func trimmedEnd(_ end: Int) -> Int {
        end > 0 && buffer[end - 1] == 0x0D ? end - 1 : end
    }
}
