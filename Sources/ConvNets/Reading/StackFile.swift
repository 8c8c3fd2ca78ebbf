import ConvArithmetic
import Yams

/// Reads a layer stack written in YAML or JSON (JSON is read as YAML's flow style, so one reader serves
/// both and every message names the line and column).
///
/// ```yaml
/// name: small-unet
/// convention: pytorch            # optional: pytorch (default), onnx, tensorflow, jax, mlx
/// input: [1, 3, 64, 64]          # N, C, spatial… (or --input on the command line)
/// layers:
///   - {op: conv, name: enc1, out_channels: 16, kernel: 3, padding: 1}
///   - relu                       # a bare name is a layer without parameters
///   - {op: maxpool, kernel: 2, stride: 2}
///   - {op: conv, out_channels: 32, kernel: 3, padding: 1}
///   - {op: transposed, out_channels: 16, kernel: 2, stride: 2}
///   - {op: concat, inputs: [enc1, transposed_5]}   # unnamed layers are <op>_<position>
/// ```
/// Every layer reads the layer above it unless `inputs` names others (the network's input is `input`).
/// The fields of each operator are listed in ``StackFile/schema``.
public enum StackFile {
    /// The largest file read (YAML/JSON): 64 MiB.
    public static let byteLimit = 64 << 20
    /// The most layers a stack may have.
    public static let layerLimit = 100_000
    /// The deepest nesting of lists and mappings accepted (a layer needs three).
    public static let nestingLimit = 64

    /// The operators and their fields, for help text and the documentation.
    public static let schema: [(operators: String, fields: String)] = [
        ("conv (conv1d, conv2d, conv3d)", "out_channels (required), kernel (required), stride, padding, dilation, groups, bias"),
        ("transposed (conv_transpose, deconv)", "out_channels (required), kernel (required), stride, padding, dilation, output_padding, output_size, groups, bias"),
        ("maxpool, avgpool", "kernel (required), stride (default: the kernel), padding, dilation, ceil_mode, count_include_pad"),
        ("global_avgpool, global_maxpool", "keep_dims (default true)"),
        ("adaptive_avgpool, adaptive_maxpool", "output_size (one size, or one per spatial axis; without it, global pooling)"),
        ("batchnorm, instancenorm, groupnorm", "affine (default true; instancenorm false)"),
        ("relu, leaky_relu, prelu, elu, gelu, silu, swish, sigmoid, tanh, hardswish, hardsigmoid, relu6, mish, softmax, dropout, identity", "none"),
        ("flatten", "start_axis (default 1)"),
        ("linear (dense, fc)", "out_features (required), in_features (checked), bias"),
        ("upsample", "scale (required: an integer, or one per spatial axis)"),
        ("concat", "inputs (required), axis (default 1, the channels)"),
        ("add, mul", "inputs (required); the shapes must be equal (broadcast: true for NumPy broadcasting)"),
        ("every layer", "name, inputs (default: the layer above), convention"),
    ]

    /// Reads the stack in `text`.
    /// - Throws: ``NetworkError/malformed(_:at:)`` naming the line and column of the first problem.
    public static func read(_ text: String) throws(NetworkError) -> Network {
        guard text.utf8.count <= byteLimit else {
            throw .tooLarge("the file has \(text.utf8.count) bytes, above the limit of \(byteLimit) for a layer stack")
        }
        try checkNesting(text)
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else { throw NetworkError.malformed("the file is empty; it needs a mapping with 'layers'", at: nil) }
            root = node
        } catch let error as NetworkError {
            throw error
        } catch let error as YamlError {
            throw .malformed(Self.describe(error), at: nil)
        } catch {
            throw .malformed("\(error)", at: nil)
        }
        return try StackDecoder(root: root).network()
    }

    /// Refuses, before the YAML parser sees them, nesting deeper than ``nestingLimit`` (the parser
    /// recurses) and keys that are not names — an alias, a flow collection or an explicit `? ` key — since
    /// a key built from aliases of aliases costs the parser time exponential in the file's size: flow
    /// brackets, block indentation and `- ` runs, outside quotes and comments.
    static func checkNesting(_ text: String) throws(NetworkError) {
        let bytes = Array(text.utf8)
        var flowDepth = 0
        var line = 1
        var quote: UInt8?
        var inComment = false
        var atLineStart = true
        var blockDepth = 0
        var previous: UInt8 = UInt8(ascii: "\n")
        // The first byte of the current plain token, and the last byte before it that was not a space.
        var tokenStart: UInt8?
        var spacedTokenStart: UInt8?
        var lastSignificant: UInt8 = UInt8(ascii: "\n")
        func isBreak(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") }
        func refuse(_ what: String) -> NetworkError {
            .malformed("\(what) is not a layer stack's key: keys are field names", at: SourceLocation(line: line, column: 1))
        }
        for (index, byte) in bytes.enumerated() {
            defer {
                previous = byte
                if !isBreak(byte) { lastSignificant = byte }
            }
            if byte == UInt8(ascii: "\n") {
                line += 1
                atLineStart = true
                blockDepth = 0
                inComment = false
                tokenStart = nil
                spacedTokenStart = nil
                continue
            }
            if inComment { continue }
            if let open = quote {
                if byte == open && previous != UInt8(ascii: "\\") { quote = nil }
                continue
            }
            let next = index + 1 < bytes.count ? bytes[index + 1] : UInt8(ascii: "\n")
            let startsNode = isBreak(previous) || previous == UInt8(ascii: "{") || previous == UInt8(ascii: "[") || previous == UInt8(ascii: ",")
            if byte == UInt8(ascii: "?"), startsNode, isBreak(next) { throw refuse("an explicit '? ' key") }
            if byte == UInt8(ascii: ":"), isBreak(next) || next == UInt8(ascii: ",") || next == UInt8(ascii: "}") {
                if tokenStart == UInt8(ascii: "*") || (tokenStart == nil && spacedTokenStart == UInt8(ascii: "*")) { throw refuse("an alias") }
                if tokenStart == nil, lastSignificant == UInt8(ascii: "]") || lastSignificant == UInt8(ascii: "}") { throw refuse("a list or mapping") }
            }
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") {
                // A token followed by spaces may still be a key (`*a : 1`).
                if tokenStart != nil { spacedTokenStart = tokenStart }
                tokenStart = nil
            } else if isBreak(byte) || byte == UInt8(ascii: ",") || byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{")
                        || byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}") {
                tokenStart = nil
                spacedTokenStart = nil
            } else if tokenStart == nil, byte != UInt8(ascii: ":") {
                tokenStart = byte
                spacedTokenStart = nil
            }
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                quote = byte
                atLineStart = false
            case UInt8(ascii: "#") where previous == UInt8(ascii: " ") || previous == UInt8(ascii: "\n") || previous == UInt8(ascii: "\t"):
                inComment = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                flowDepth += 1
                atLineStart = false
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                flowDepth -= 1
                atLineStart = false
            case UInt8(ascii: " "), UInt8(ascii: "-"), UInt8(ascii: "?"), UInt8(ascii: ":"), UInt8(ascii: "\t"):
                if atLineStart { blockDepth += 1 }
            default:
                atLineStart = false
            }
            if flowDepth + blockDepth / 2 > nestingLimit {
                throw .malformed("the nesting is deeper than \(nestingLimit) levels; a layer stack needs three", at: SourceLocation(line: line, column: 1))
            }
        }
    }

    private static func describe(_ error: YamlError) -> String {
        "not valid YAML or JSON: " + "\(error)".split(separator: "\n").joined(separator: " ")
    }
}
