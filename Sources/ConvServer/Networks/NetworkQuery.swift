import ConvArithmetic
import ConvEval
import ConvNetReports
import ConvNets

/// A question about a whole network, from a URL's query: `model` (a served model's name, or `name` of a
/// model sent as the request's body), `input` (`1x3x224x224` for the first input, or `NAME=1x576`), and
/// for a unit's receptive field `layer` and `unit` (`3,4`).
struct NetworkQuery {
    /// A query that cannot describe a network question: answered with 400 and the message.
    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    let values: [String: String]

    /// Every field a network route reads; another name is refused (a misspelt one would answer another
    /// question).
    static let knownFields: Set<String> = ["model", "name", "input", "layer", "unit"]

    /// The longest query value read.
    static let valueLimit = 1_024

    init(pairs: [(String, String)]) throws(Invalid) {
        var values: [String: String] = [:]
        for (name, value) in pairs {
            guard Self.knownFields.contains(name) else {
                let hint = NearestName.among(Self.knownFields.sorted(), to: name).map { " (is it '\($0)'?)" } ?? ""
                throw Invalid(description: "unknown field '\(SafeText.visible(String(name.prefix(64))))'\(hint); the fields are \(Self.knownFields.sorted().joined(separator: ", "))")
            }
            guard values[name] == nil else { throw Invalid(description: "'\(name)' is given twice") }
            guard value.utf8.count <= Self.valueLimit else { throw Invalid(description: "'\(name)' is longer than \(Self.valueLimit) characters") }
            values[name] = value
        }
        self.values = values
    }

    /// The network: the served model named by `model`, or the `body` sent (named by `name`), with
    /// `input` assigned and open batch sizes filled as `convarith net --input` does.
    func network(models: ServedModels, body: [UInt8]?) throws(Invalid) -> Network {
        var network: Network
        if let body {
            do { network = try NetworkFile.read(body, name: values["name"] ?? "model") } catch { throw Invalid(description: error.description) }
        } else {
            guard let name = values["model"], !name.isEmpty else {
                throw Invalid(description: "'model' is required (GET /api/net/models lists them), or send the model as the body of a POST")
            }
            network = try models.network(named: name)
        }
        if let text = values["input"], !text.isEmpty {
            guard let assignment = Self.assignment(text) else {
                throw Invalid(description: "'input' must be a shape like 1x3x224x224 or NAME=1x576 (sizes at least 1, the batch at least 0), got '\(SafeText.visible(String(text.prefix(100))))'")
            }
            do { network = try network.assigning([assignment]) } catch { throw Invalid(description: Self.pageWords(error.description)) }
            network = network.fillingBatchDimensions().network
        }
        if let advice = network.openInputsAdvice { throw Invalid(description: Self.pageWords(advice)) }
        return network
    }

    /// A message of the command line in the words of a query: `input=…` where it says `--input …`.
    static func pageWords(_ message: String) -> String {
        message.replacingOccurrences(of: "pass --input ", with: "give input=").replacingOccurrences(of: "--input", with: "input=")
    }

    /// `1x3x224x224` or `NAME=1x576`, read as `--input` is (``InputSpelling``), with sizes of at least 1 (the
    /// batch at least 0) and at least one axis.
    static func assignment(_ text: String) -> InputAssignment? {
        guard let assignment = InputSpelling.assignment(text), let batch = assignment.shape.first, batch >= 0,
              assignment.shape.dropFirst().allSatisfy({ $0 >= 1 }) else { return nil }
        return assignment
    }

    /// `unit=3,4`: non-negative coordinates.
    func unit() throws(Invalid) -> [Int]? {
        guard let text = values["unit"], !text.isEmpty else { return nil }
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0) }
        guard parts.allSatisfy({ ($0 ?? -1) >= 0 }) else { throw Invalid(description: "'unit' must be coordinates like 3,4 (each at least 0), got '\(SafeText.visible(String(text.prefix(100))))'") }
        return parts.compactMap { $0 }
    }
}
