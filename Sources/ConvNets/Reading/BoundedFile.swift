import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file read whole only up to a limit: its size is checked before reading, and the reading stops one
/// chunk past the limit whatever the size said — a FIFO, `/dev/zero` or a file that grows is refused
/// within the limit's memory, never read to its end.
public enum BoundedFile {
    /// Why a file was not read.
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// It does not exist, is a directory, or cannot be opened or read.
        case unreadable(reason: String)
        /// It holds more than `limit` bytes (`size` when known before reading).
        case tooLarge(size: Int?, limit: Int)

        /// The reason, to follow "cannot read PATH: ".
        public var description: String {
            switch self {
            case let .unreadable(reason): reason
            case let .tooLarge(size?, limit): "it has \(size) bytes, above the limit of \(limit)"
            case let .tooLarge(nil, limit): "it has more than \(limit) bytes, the limit"
            }
        }
    }

    /// The bytes of the file at `path`, at most `limit` of them.
    /// - Throws: ``Failure``.
    public static func read(path: String, limit: Int) throws(Failure) -> [UInt8] {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw .unreadable(reason: errno == ENOENT ? "no such file" : String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .unreadable(reason: String(cString: strerror(errno))) }
        if status.st_mode & S_IFMT == S_IFDIR { throw .unreadable(reason: "it is a directory") }
        if status.st_mode & S_IFMT == S_IFREG, Int(status.st_size) > limit { throw .tooLarge(size: Int(status.st_size), limit: limit) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = chunk.withUnsafeMutableBytes { readBytes(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .unreadable(reason: String(cString: strerror(errno)))
            }
            if count == 0 { return bytes }
            guard bytes.count + count <= limit else { throw .tooLarge(size: nil, limit: limit) }
            bytes += chunk[0..<count]
        }
    }
}

/// `read(2)`, by a name the enum's own `read` does not hide.
private func readBytes(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}
