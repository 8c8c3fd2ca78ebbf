import Foundation
import SwiftProtobuf

/// Reads an ONNX model (`.onnx`) into a ``Network``: the graph's inputs, constants, nodes and declared
/// shapes. The file is mapped, not read into memory; the model and graph messages are walked field by
/// field and every initializer is scanned for its name and dimensions only (its values are read when it
/// has at most 64 elements — a shape, scales, pads), so a model of hundreds of megabytes costs the pages
/// of its graph, not of its weights. Nodes and value infos are decoded with the Swift types generated
/// from `onnx.proto`.
public enum ONNXModelFile {
    /// The most nodes a graph may have.
    public static let nodeLimit = 1_000_000

    /// The network in the model at `path`.
    /// - Throws: ``NetworkError`` for a file that cannot be read or is not a valid ONNX model.
    public static func load(path: String) throws(NetworkError) -> Network {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw .unreadable(path: path, reason: "no such file, or it cannot be opened")
        }
        return try read(data)
    }

    /// The network in the bytes of an ONNX model.
    /// - Throws: ``NetworkError/malformed(_:at:)`` for bytes that are not a valid ONNX model.
    public static func read(_ data: Data) throws(NetworkError) -> Network {
        do {
            return try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) throws(NetworkError) -> Network in
                try ModelScanner(bytes: bytes).network()
            }
        } catch let error as NetworkError {
            throw error
        } catch {
            throw .malformed("not an ONNX model: \(error)", at: nil)
        }
    }
}

/// Walks a model's bytes: the graph's fields, in order.
private struct ModelScanner {
    let bytes: UnsafeRawBufferPointer

    func network() throws(NetworkError) -> Network {
        var reader = WireReader(bytes, range: 0..<bytes.count)
        var graph: Range<Int>?
        var opset = 0
        var sawModelField = false
        while let field = try reader.next() {
            switch (field.number, field.wireType) {
            case (1, 0): sawModelField = true                      // ir_version
            case (7, 2): graph = field.payload
            case (8, 2):
                let entry = try decode(Onnx_OperatorSetIdProto.self, field.payload, what: "an opset import")
                if entry.domain.isEmpty || entry.domain == "ai.onnx" { opset = Int(entry.version) }
            default: break
            }
        }
        guard let graph else {
            throw .malformed(sawModelField ? "the ONNX model has no graph" : "not an ONNX model: no graph field (is it a .onnx file?)", at: nil)
        }
        return try readGraph(graph, opset: opset == 0 ? 11 : opset)
    }

    private func readGraph(_ range: Range<Int>, opset: Int) throws(NetworkError) -> Network {
        var reader = WireReader(bytes, range: range)
        var nodes: [Onnx_NodeProto] = []
        var name: String?
        var constants: [String: ConstantTensor] = [:]
        var inputs: [Onnx_ValueInfoProto] = []
        var outputs: [Onnx_ValueInfoProto] = []
        var valueInfo: [Onnx_ValueInfoProto] = []
        while let field = try reader.next() {
            guard field.wireType == 2 else { continue }
            switch field.number {
            case 1:
                nodes.append(try decode(Onnx_NodeProto.self, field.payload, what: "node \(nodes.count)"))
                guard nodes.count <= ONNXModelFile.nodeLimit else { throw .tooLarge("the graph has more than \(ONNXModelFile.nodeLimit) nodes") }
            case 2: name = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[field.payload]), as: UTF8.self)
            case 5:
                let (tensorName, constant) = try scanInitializer(field.payload)
                constants[tensorName] = constant
            case 11: inputs.append(try decode(Onnx_ValueInfoProto.self, field.payload, what: "a graph input"))
            case 12: outputs.append(try decode(Onnx_ValueInfoProto.self, field.payload, what: "a graph output"))
            case 13: valueInfo.append(try decode(Onnx_ValueInfoProto.self, field.payload, what: "a value info"))
            default: break
            }
        }
        return try ONNXGraphImport(name: name, nodes: nodes, constants: constants, inputs: inputs, outputs: outputs,
                                   valueInfo: valueInfo, opset: opset).network()
    }

    /// An initializer's name and dimensions, and its values when small; its data is skipped.
    private func scanInitializer(_ range: Range<Int>) throws(NetworkError) -> (String, ConstantTensor) {
        var reader = WireReader(bytes, range: range)
        var dims: [Int] = []
        var name = ""
        while let field = try reader.next() {
            switch field.number {
            case 1: dims += try WireReader.integers(field, in: bytes)
            case 8 where field.wireType == 2: name = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[field.payload]), as: UTF8.self)
            default: break
            }
        }
        guard dims.allSatisfy({ $0 >= 0 }) else { throw .malformed("the initializer '\(name)' has a negative dimension \(dims)", at: nil) }
        if ShapeRules.count(dims) <= ONNXTensors.valueLimit {
            return (name, ONNXTensors.constant(try decode(Onnx_TensorProto.self, range, what: "the initializer '\(name)'")))
        }
        return (name, ConstantTensor(shape: dims))
    }

    private func decode<Message: SwiftProtobuf.Message>(_ type: Message.Type, _ range: Range<Int>, what: String) throws(NetworkError) -> Message {
        do {
            // The bytes stay in the mapped file; the message copies only what it keeps.
            let slice = Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: bytes.baseAddress! + range.lowerBound), count: range.count, deallocator: .none)
            return try Message(serializedBytes: slice)
        } catch {
            throw .malformed("the ONNX model's \(what) cannot be decoded (\(error)); the file is truncated or corrupt", at: nil)
        }
    }
}
