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
        let size: Int
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            guard (attributes[.type] as? FileAttributeType) != .typeDirectory else {
                throw NetworkError.unreadable(path: path, reason: "it is a directory")
            }
            size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        } catch let error as NetworkError {
            throw error
        } catch {
            throw .unreadable(path: path, reason: "no such file, or it cannot be opened")
        }
        guard size <= StackFile.byteLimit else {
            throw .tooLarge("\(path) has \(size) bytes, above the limit of \(StackFile.byteLimit) for a YAML or JSON layer stack")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path: path, reason: "it cannot be opened")
        }
        guard data.count <= StackFile.byteLimit else {
            throw .tooLarge("\(path) has more than \(StackFile.byteLimit) bytes, the limit for a YAML or JSON layer stack")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .malformed("\(path) is not UTF-8 text (a YAML or JSON layer stack)", at: nil)
        }
        return try StackFile.read(text)
    }
}
