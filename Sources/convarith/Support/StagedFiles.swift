import ArgumentParser
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Files written under temporary names beside their destinations and renamed into place together once
/// all are complete: a failed or interrupted write leaves every previous file as it was and no partial
/// file behind (the temporaries are removed when the stage is released uncommitted).
///
/// The symlink policy: a destination that is a symbolic link to an existing file is written through — the
/// file it points to is replaced and the link kept; a link that points nowhere, or to a directory, is
/// refused (exit 73), as is a destination that is a directory. A device, FIFO or socket (`/dev/null`, a
/// named pipe) is written directly, never replaced. A replaced file keeps its permissions; a
/// new one gets the usual `0666` less the umask.
final class StagedFiles {
    private var staged: [(temporary: String, destination: String)] = []
    private var committed = false

    /// Creates the temporary file for `path` and returns its open descriptor (exit 73 with the system's
    /// reason when the destination is refused or the folder is not writable).
    func create(_ path: String) throws -> Int32 {
        let destination = try Self.destination(of: path)
        var existing = stat()
        let exists = stat(destination, &existing) == 0
        if exists, existing.st_mode & S_IFMT != S_IFREG {
            // A device, a FIFO or a socket (/dev/null, a named pipe): written directly. There is no previous
            // file to keep, and renaming a file over it would replace the device itself.
            let descriptor = open(destination, O_WRONLY)
            guard descriptor >= 0 else { try Self.fail(path) }
            return descriptor
        }
        let slash = destination.lastIndex(of: "/")
        let folder = slash.map { String(destination[..<$0]) } ?? "."
        let name = slash.map { String(destination[destination.index(after: $0)...]) } ?? destination
        var template = Array("\(folder.isEmpty ? "/" : folder)/.\(name).convarith-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { try Self.fail(path) }
        let temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        staged.append((temporary, destination))
        let mode: mode_t
        if exists {
            mode = existing.st_mode & 0o7777
        } else {
            let mask = umask(0)
            umask(mask)
            mode = 0o666 & ~mask
        }
        _ = fchmod(descriptor, mode)
        return descriptor
    }

    /// Writes `bytes` to a new temporary file for `path`.
    func write(_ bytes: [UInt8], to path: String) throws {
        var file = try OutputFile(path: path, stage: self)
        try file.write(bytes)
        try file.finish()
    }

    /// Renames every temporary file onto its destination, in the order they were created.
    func commit() throws {
        while !staged.isEmpty {
            let (temporary, destination) = staged[0]
            guard rename(temporary, destination) == 0 else { try Self.fail(destination) }
            staged.removeFirst()
        }
        committed = true
    }

    deinit {
        for (temporary, _) in staged { unlink(temporary) }
    }

    /// Where `path` is written, by the symlink policy.
    private static func destination(of path: String) throws -> String {
        var status = stat()
        guard lstat(path, &status) == 0 else {
            // A new file: its folder must exist; `mkstemp` reports it when not.
            return path
        }
        if status.st_mode & S_IFMT == S_IFLNK {
            guard let resolved = realpath(path, nil) else {
                printError("error: cannot write \(path): it is a symbolic link to nothing (\(String(cString: strerror(errno)))); remove the link or write elsewhere")
                throw ExitCode(73)
            }
            defer { free(resolved) }
            let target = String(cString: resolved)
            return try destination(of: target)
        }
        if status.st_mode & S_IFMT == S_IFDIR {
            printError("error: cannot write \(path): Is a directory")
            throw ExitCode(73)
        }
        return path
    }

    private static func fail(_ path: String) throws -> Never {
        printError("error: cannot write \(path): \(String(cString: strerror(errno)))")
        throw ExitCode(73)
    }
}
