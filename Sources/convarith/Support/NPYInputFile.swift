import ArgumentParser
import ConvKernels
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A `.npy` file opened for reading: its header is read and checked first (against the memory limit, and
/// by the caller against the layer), its data only when asked — so a tensor that cannot fit the layer is
/// refused from the headers alone, before a byte of its data is read.
final class NPYInputFile {
    let path: String
    let header: NPY.FileHeader
    private let handle: FileHandle

    /// Opens `path` and reads its header (exit 66 when it cannot be read or is a directory, 1 when it is
    /// not a tensor the tools read).
    init(path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            printError("error: cannot read \(path)")
            throw ExitCode(66)
        }
        // A directory opens for reading but fails at the first read with an unhelpful Foundation error:
        // said plainly, as net and bench say it.
        var status = stat()
        if fstat(handle.fileDescriptor, &status) == 0, status.st_mode & S_IFMT == S_IFDIR {
            try? handle.close()
            printError("error: cannot read \(path): it is a directory")
            throw ExitCode(66)
        }
        self.path = path
        self.handle = handle
        var prefix = try Self.readPrefix(handle, path, count: NPY.preambleLength)
        if let end = NPY.headerEnd(prefix[...]), end > prefix.count, end <= (1 << 20) + NPY.preambleLength {
            prefix += try Self.readPrefix(handle, path, count: end - prefix.count)
        }
        header = try exitingOnError { () throws(KernelError) in try NPY.header(prefix[...]) }
        guard prefix.count == header.dataOffset else {
            printError("error: \(path): truncated header")
            throw ExitCode(1)
        }
    }

    deinit { try? handle.close() }

    /// The tensor: its data read in place (never the whole file at once, never more than the header
    /// announces), with a note when the values are converted to 32-bit floats.
    func tensor() throws -> Tensor {
        let descriptor = handle.fileDescriptor
        let tensor = try exitingOnError { () throws(KernelError) in
            try NPY.decode(header) { (buffer) throws(KernelError) in
                while true {
                    let count = read(descriptor, buffer.baseAddress, buffer.count)
                    if count >= 0 { return count }
                    if errno != EINTR { throw .npy("cannot read \(path): \(String(cString: strerror(errno)))") }
                }
            }
        }
        if header.isConverted {
            printError("note: \(path) holds \(header.descriptor) values; they are converted to 32-bit floats")
        }
        return tensor
    }

    private static func readPrefix(_ handle: FileHandle, _ path: String, count: Int) throws -> [UInt8] {
        do {
            return Array(try handle.read(upToCount: count) ?? Data())
        } catch {
            printError("error: cannot read \(path): \(error.localizedDescription)")
            throw ExitCode(66)
        }
    }
}
