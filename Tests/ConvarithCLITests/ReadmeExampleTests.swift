import Foundation
import OracleSupport
import Testing

/// The README's examples, run as pasted: every `$ convarith …` line of a fenced block, from a folder where
/// `examples/` is the repository's, compared line by line with the lines printed under it (standard
/// output, then standard error). In the README a line `…` stands for any number of lines, `/path/to/` for
/// the folder the command ran in, `| tail -N` keeps the last N lines, `< file` is standard input and a
/// trailing `# exit status N` is the status expected (else 0).
@Suite("The README's examples")
struct ReadmeExampleTests {
    struct Example: CustomStringConvertible, Sendable {
        let command: String
        let expected: [String]
        var description: String { command }
    }

    static var readme: String {
        (try? String(contentsOf: OracleCorpus.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)) ?? ""
    }

    /// Every example of the README, in order.
    static func examples(in text: String) -> [Example] {
        var examples: [Example] = []
        var inBlock = false
        var command: String?
        var expected: [String] = []
        func finish() {
            while expected.last == "" { expected.removeLast() }
            if let command { examples.append(Example(command: command, expected: expected)) }
            command = nil
            expected = []
        }
        for line in text.components(separatedBy: "\n") {
            if line.hasPrefix("```") {
                if inBlock { finish() }
                inBlock.toggle()
                continue
            }
            guard inBlock else { continue }
            if line.hasPrefix("$ ") {
                finish()
                command = String(line.dropFirst(2))
            } else if command != nil {
                expected.append(line)
            }
        }
        return examples
    }

    @Test("the README has examples of every subcommand it describes")
    func readmeHasExamples() {
        let commands = Set(Self.examples(in: Self.readme).compactMap { $0.command.split(separator: " ").dropFirst().first.map(String.init) })
        for subcommand in ["tour", "draw", "explain", "shape", "transpose", "solve", "matrix", "net", "mirror", "translate", "run", "verify", "eval"] {
            #expect(commands.contains(subcommand), "no example of \(subcommand)")
        }
    }

    @Test("every README example prints what the README shows", arguments: examples(in: readme))
    func exampleRunsAsShown(example: Example) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("convarith-readme-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createSymbolicLink(at: directory.appendingPathComponent("examples"),
                                                   withDestinationURL: OracleCorpus.packageRoot.appendingPathComponent("examples"))
        var line = example.command
        var status: Int32 = 0
        if let comment = line.range(of: "  #") {
            let note = line[comment.upperBound...]
            if let range = note.range(of: "exit status "), let code = Int32(note[range.upperBound...].prefix { $0.isNumber }) { status = code }
            line = String(line[..<comment.lowerBound]).trimmingCharacters(in: .whitespaces)
        }
        var keepLast: Int?
        if let pipe = line.range(of: " | tail -") {
            keepLast = Int(line[pipe.upperBound...])
            line = String(line[..<pipe.lowerBound])
        }
        var input = ""
        if let redirect = line.range(of: " < ") {
            let path = directory.appendingPathComponent(String(line[redirect.upperBound...]).trimmingCharacters(in: .whitespaces))
            input = try String(contentsOf: path, encoding: .utf8)
            line = String(line[..<redirect.lowerBound])
        }
        var words = line.split(separator: " ").map(String.init)
        try #require(words.first == "convarith", "an example runs convarith: \(example.command)")
        words.removeFirst()
        let result = try CLIRunner.run(words, input: input, directory: directory)
        #expect(result.status == status, "\(example.command)\n\(result.standardError)")
        func lines(_ text: String) -> [String] {
            var lines = text.components(separatedBy: "\n")
            while lines.last == "" { lines.removeLast() }
            return lines
        }
        // As a terminal shows it: piped to tail, standard output comes after standard error, which is not piped.
        var printed = keepLast.map { lines(result.standardError) + lines(result.standardOutput).suffix($0) }
            ?? lines(result.standardOutput + result.standardError)
        let folder = directory.standardizedFileURL.path
        printed = printed.map { $0.replacingOccurrences(of: folder + "/", with: "/path/to/") }
        #expect(Self.matches(example.expected[...], printed[...]),
                "\(example.command)\n--- README\n\(example.expected.joined(separator: "\n"))\n--- printed\n\(printed.joined(separator: "\n"))")
    }

    /// Whether `printed` is `expected`, where an expected line `…` stands for any number of lines.
    static func matches(_ expected: ArraySlice<String>, _ printed: ArraySlice<String>) -> Bool {
        guard let first = expected.first else { return printed.isEmpty }
        if first.trimmingCharacters(in: .whitespaces) == "…" {
            return (printed.startIndex...printed.endIndex).contains { matches(expected.dropFirst(), printed[$0...]) }
        }
        guard let line = printed.first, line == first else { return false }
        return matches(expected.dropFirst(), printed.dropFirst())
    }
}
