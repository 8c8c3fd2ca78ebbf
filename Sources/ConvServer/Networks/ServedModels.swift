import ConvArithmetic
import ConvNets
import Foundation

/// The networks the page can open by name: the examples shipped with the server and the files given to
/// `convarith serve` on its command line (read again at each request, within the readers' limits; no other
/// path is read, so no name can reach another file).
public struct ServedModels: Sendable {
    /// One network the server offers.
    public struct Entry: Sendable, Hashable {
        /// The name the page asks for it by (`model=unet.yaml`).
        public let name: String
        /// Where it comes from: `example` (shipped with the server) or `file` (the command line).
        public let origin: String
        /// The input shape the page starts with (`nil`: the model's own).
        public let input: String?
        let path: String?
        let resource: (name: String, extension: String)?

        /// Two entries are one when they name the same model from the same place.
        public static func == (lhs: Entry, rhs: Entry) -> Bool { lhs.name == rhs.name && lhs.origin == rhs.origin && lhs.path == rhs.path }
        /// Hashes what equality compares: the name, the origin and the path.
        public func hash(into hasher: inout Hasher) { hasher.combine(name); hasher.combine(origin); hasher.combine(path) }
    }

    /// Every network offered, examples first.
    public let entries: [Entry]

    /// The examples, then `paths` by their file names (a name already taken gets its position appended).
    public init(paths: [String] = []) {
        var entries = Self.examples.map { Entry(name: "\($0.name).\($0.extension)", origin: "example", input: $0.input, path: nil,
                                                resource: ($0.name, $0.extension)) }
        var taken = Set(entries.map(\.name))
        for path in paths {
            var name = URL(fileURLWithPath: path).lastPathComponent
            if taken.contains(name) { name += " (\(entries.count + 1))" }
            taken.insert(name)
            entries.append(Entry(name: name, origin: "file", input: nil, path: path, resource: nil))
        }
        self.entries = entries
    }

    /// The examples shipped as resources: a U-Net stack, AlexNet v2 (TensorFlow), an exported U-Net (whose
    /// sizes are symbolic: the page starts it at 1×1×64×64).
    static let examples: [(name: String, extension: String, input: String?)] = [
        ("unet", "yaml", nil), ("alexnet_v2", "yaml", nil), ("unet_style", "onnx", "1x1x64x64"),
    ]

    /// The network called `name`.
    func network(named name: String) throws(NetworkQuery.Invalid) -> Network {
        guard let entry = entries.first(where: { $0.name == name }) else {
            let hint = NearestName.among(entries.map(\.name), to: name).map { " (is it '\($0)'?)" } ?? ""
            throw NetworkQuery.Invalid(description: "no model named '\(SafeText.visible(String(name.prefix(100))))'\(hint); GET /api/net/models lists them")
        }
        let path: String
        if let file = entry.path {
            path = file
        } else if let resource = entry.resource,
                  let url = Bundle.module.url(forResource: resource.name, withExtension: resource.extension, subdirectory: "Examples") {
            path = url.path
        } else {
            throw NetworkQuery.Invalid(description: "the example '\(entry.name)' is missing from the server's resources")
        }
        do { return try NetworkFile.load(path: path) } catch { throw NetworkQuery.Invalid(description: error.description) }
    }
}
