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

    /// The network in `bytes`, a model sent rather than named (a page's upload): an ONNX model when `name`
    /// ends in `.onnx` or the bytes are not UTF-8 text, else a YAML or JSON layer stack.
    /// - Throws: ``NetworkError/tooLarge(_:)`` for a stack beyond ``StackFile/byteLimit``, and the readers'
    ///   ``NetworkError/malformed(_:at:)`` errors.
    public static func read(_ bytes: [UInt8], name: String) throws(NetworkError) -> Network {
        if !name.lowercased().hasSuffix(".onnx"), let text = String(validating: bytes, as: UTF8.self) {
            guard bytes.count <= StackFile.byteLimit else {
                throw .tooLarge("\(SafeText.visible(name)) has \(bytes.count) bytes, above the limit of \(StackFile.byteLimit) for a YAML or JSON layer stack")
            }
            return try StackFile.read(text)
        }
        return try ONNXModelFile.read(Data(bytes))
    }
}
