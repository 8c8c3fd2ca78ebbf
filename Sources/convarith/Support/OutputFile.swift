import ArgumentParser
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A file being written, or standard output: every write is checked, and a failure (a full disk, a closed
/// pipe) ends the command with a message and exit status 73 (a file) or 74 (standard output). A file is
/// written under a temporary name and renamed into place by ``close()`` (``StagedFiles``): until then
/// the previous file is untouched, and a failure leaves it so.
struct OutputFile {
    private let descriptor: Int32
    private let path: String?
    private let stage: StagedFiles?
    private let ownsStage: Bool
    private(set) var bytesWritten = 0

    /// Starts a file that replaces `path` when closed, or writes to standard output when `path` is `nil`.
    init(path: String?) throws {
        try self.init(path: path, stage: path == nil ? nil : StagedFiles(), ownsStage: true)
    }

    /// Starts a file of `stage`, which renames it into place with the others.
    init(path: String, stage: StagedFiles) throws {
        try self.init(path: path, stage: stage, ownsStage: false)
    }

    private init(path: String?, stage: StagedFiles?, ownsStage: Bool) throws {
        self.path = path
        self.stage = stage
        self.ownsStage = ownsStage
        if let path, let stage {
            descriptor = try stage.create(path)
        } else {
            descriptor = 1
        }
    }

    /// Writes all of `bytes`.
    mutating func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { raw in try write(raw) }
    }

    /// Writes all of the bytes at `raw`.
    mutating func write(_ raw: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < raw.count {
            let written = systemWrite(descriptor, raw.baseAddress.map { $0 + offset }, raw.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                try fail()
            }
            offset += written
        }
        bytesWritten += raw.count
    }

    /// Completes the file: its bytes reach the disk and, for a file of its own, it replaces the previous
    /// one (standard output stays open).
    func close() throws {
        try finish()
        if ownsStage { try stage?.commit() }
    }

    /// Completes the file without renaming it: its stage does that.
    func finish() throws {
        guard path != nil else { return }
        if fsync(descriptor) != 0 && errno != EINVAL && errno != EROFS {
            try fail()
        }
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
