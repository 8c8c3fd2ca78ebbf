import ConvArithmetic
import ConvEval

/// A layer described by a URL's query, with the command line's spellings:
/// `?op=transposed&input=5x5&kernel=3&stride=2&padding=1&convention=onnx`. Fields: `op`, `input`, `kernel`,
/// `stride`, `padding` (a number, `1x2`, `0:1` or a name), `dilation`, `output_padding`, `output_size`,
/// `ceil_mode`, `mode` (`max`/`avg`), `count_include_pad`, `convention`, `channels`, `out_channels`, `batch`,
/// `groups`.
struct LayerQuery {
    /// A query that cannot describe a layer: answered with 400 and the message.
    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    let values: [String: String]

    /// The longest query value read (a URL is not the place for more).
    static let valueLimit = 256

    /// Every field a route reads. A name outside it is refused rather than ignored: a misspelt field
    /// (`dilaton=2`) would otherwise answer, with a 200, for another layer than the one asked about.
    static let knownFields: Set<String> = [
        "op", "input", "kernel", "stride", "padding", "dilation", "output_padding", "output_size", "ceil_mode", "mode",
        "count_include_pad", "convention", "channels", "out_channels", "batch", "groups", "target", "output", "frame", "values",
    ]

    /// The query's fields by name: the command line's spellings with hyphens (`output-padding`,
    /// `ceil-mode`) read as the underscore names; a field given twice or a name no route reads is refused.
    static func fields(_ pairs: [(String, String)]) throws(Invalid) -> [String: String] {
        var values: [String: String] = [:]
        for (rawName, value) in pairs {
            let name = rawName.replacingOccurrences(of: "-", with: "_").lowercased()
            guard knownFields.contains(name) else {
                let hint = NearestName.among(knownFields.sorted(), to: name).map { " (is it '\($0)'?)" } ?? ""
                throw Invalid(description: "unknown field '\(rawName.prefix(64))'\(hint); the fields are \(knownFields.sorted().joined(separator: ", "))")
            }
            guard values[name] == nil else { throw Invalid(description: "'\(name)' is given twice") }
            values[name] = value
        }
        return values
    }

    /// The layer's description.
    func parameters() throws(Invalid) -> LayerParameters {
        guard let opText = values["op"], let operation = OptionSpelling.operation(opText) else {
            throw Invalid(description: "'op' must be conv, pool or transposed, got '\(values["op"] ?? "")'")
        }
        guard let input = try sizes("input") else { throw Invalid(description: "'input' is required, e.g. input=5x5") }
        guard let kernel = try sizes("kernel") else { throw Invalid(description: "'kernel' is required, e.g. kernel=3") }
        var parameters = LayerParameters(operation: operation, input: input, kernel: kernel)
        parameters.stride = try sizes("stride")
        parameters.dilation = try sizes("dilation")
        parameters.outputPadding = try sizes("output_padding")
        parameters.outputSize = try sizes("output_size")
        if let text = try value("padding") {
            guard let padding = OptionSpelling.padding(text) else {
                throw Invalid(description: "'padding' must be a number, per axis (1x2), per side (0:1) or one of valid, same, same_lower, half, full, causal; got '\(text)'")
            }
            parameters.padding = padding
        }
        if let text = try value("convention") {
            guard let convention = Convention(name: text) else {
                throw Invalid(description: "unknown convention '\(text)'; use \(Convention.namesInWords)")
            }
            parameters.convention = convention
        }
        if let text = try value("mode") {
            guard let mode = PoolingMode(rawValue: text == "average" ? "avg" : text) else { throw Invalid(description: "'mode' must be max or avg, got '\(text)'") }
            parameters.poolingMode = mode
        }
        parameters.ceilMode = try flag("ceil_mode") ?? false
        parameters.countIncludePad = try flag("count_include_pad")
        parameters.channels = try integer("channels")
        parameters.outputChannels = try integer("out_channels")
        parameters.batch = try integer("batch")
        parameters.groups = try integer("groups")
        return parameters
    }

    /// The resolved layer.
    func layer() throws(Invalid) -> Layer {
        let parameters = try parameters()
        do { return try Layer(parameters) } catch { throw Invalid(description: error.description) }
    }

    func value(_ name: String) throws(Invalid) -> String? {
        guard let text = values[name], !text.isEmpty else { return nil }
        guard text.utf8.count <= Self.valueLimit else { throw Invalid(description: "'\(name)' is longer than \(Self.valueLimit) characters") }
        return text
    }

    func sizes(_ name: String) throws(Invalid) -> [Int]? {
        guard let text = try value(name) else { return nil }
        guard let values = OptionSpelling.sizes(text) else { throw Invalid(description: "'\(name)' must be whole numbers like 5 or 5x5, got '\(text)'") }
        return values
    }

    func integer(_ name: String) throws(Invalid) -> Int? {
        guard let text = try value(name) else { return nil }
        guard let number = Int(text) else { throw Invalid(description: "'\(name)' must be a whole number, got '\(text)'") }
        return number
    }

    func flag(_ name: String) throws(Invalid) -> Bool? {
        guard let text = try value(name) else { return nil }
        switch text.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: throw Invalid(description: "'\(name)' must be true or false, got '\(text)'")
        }
    }
}
