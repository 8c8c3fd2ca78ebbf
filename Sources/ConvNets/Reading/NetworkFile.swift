import Foundation

/// Reads a network from a file: an ONNX model (``ONNXModelFile``, by the `.onnx` extension) or a YAML or
/// JSON layer stack (``StackFile``).
public enum NetworkFile {
    /// The network in the file at `path`.
    /// - Throws: ``NetworkError/unreadable(path:reason:)`` when the file cannot be read,
    ///   ``NetworkError/tooLarge(_:)`` beyond the reader's limit (checked before reading), and the
    ///   reader's ``NetworkError/malformed(_:at:)`` errors.
    public static func load(path: String) throws(NetworkError) -> Network {
        if path.lowercased().hasSuffix(".onnx") { return try ONNXModelFile.load(path: path) }
        let bytes: [UInt8]
        do {
            bytes = try BoundedFile.read(path: path, limit: StackFile.byteLimit)
        } catch {
            switch error {
            case let .unreadable(reason):
                throw .unreadable(path: path, reason: reason)
            case let .tooLarge(size, limit):
                throw .tooLarge("\(path) has \(size.map { "\($0)" } ?? "more than \(limit)") bytes, above the limit of \(limit) for a YAML or JSON layer stack")
            }
        }
        guard let text = String(bytes: bytes, encoding: .utf8) else {
            throw .malformed("\(path) is not UTF-8 text (a YAML or JSON layer stack)", at: nil)
        }
        return try StackFile.read(text)
    }
}
