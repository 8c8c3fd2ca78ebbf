import ConvNets
import Foundation
import Testing

/// docs/stacks.md, the schema users read: its table is the reader's own list of operators and fields, and
/// every example in it reads as a network with a shape for every layer.
@Suite("The layer-stack schema document")
struct StackSchemaDocumentTests {
    static var document: String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return (try? String(contentsOf: root.appendingPathComponent("docs/stacks.md"), encoding: .utf8)) ?? ""
    }

    /// The fenced blocks of a language.
    static func blocks(_ language: String) -> [String] {
        var blocks: [String] = [], current: [String]?
        for line in document.components(separatedBy: "\n") {
            if line == "```" + language { current = [] } else if line.hasPrefix("```"), let block = current {
                blocks.append(block.joined(separator: "\n"))
                current = nil
            } else if current != nil {
                current!.append(line)
            }
        }
        return blocks
    }

    @Test("the document's table is StackFile.schema, row for row")
    func tableIsTheSchema() {
        for row in StackFile.schema {
            #expect(Self.document.contains("| \(row.operators) | \(row.fields) |"), "missing or changed: \(row.operators)")
        }
    }

    @Test("every example reads as a complete network, and together they use every operator of the schema")
    func examplesRead() throws {
        let examples = Self.blocks("yaml") + Self.blocks("json")
        #expect(examples.count >= 4)
        var used = Set<String>()
        for example in examples {
            let network = try StackFile.read(example)
            let report = network.analyze()
            #expect(report.status == .complete, "\(example.prefix(80))")
            #expect(report.layers.allSatisfy { $0.outputShape != nil }, "\(report.layers.filter { $0.outputShape == nil }.map(\.name))")
            for match in example.matches(of: /"?op"?: "?([a-z_0-9]+)/) { used.insert(String(match.1)) }
            for line in example.components(separatedBy: "\n") where line.hasPrefix("  - ") && !line.contains("{") {
                used.insert(String(line.dropFirst(4).prefix { $0 != " " }))
            }
        }
        for row in StackFile.schema where row.operators != "every layer" {
            let names = row.operators.split(whereSeparator: { ", ()".contains($0) }).map(String.init)
            #expect(names.contains { used.contains($0) }, "no example of \(row.operators)")
        }
    }
}
