import ConvArithmetic
import ConvKernels
import ConvNets
import Foundation
import OracleSupport
import Testing

/// The README's Swift examples, compiled and run: each block of the README's "Use it from Swift" section
/// is written below verbatim (indented), and a test checks that the README still holds exactly these lines.
@Suite("The README's Swift examples")
struct ReadmeSwiftExampleTests {
    @Test("the examples compile and give the sizes the README's comments state")
    func examplesRun() throws {
        // README block 1
        // A transposed convolution as PyTorch sizes it: 3×3 → 6×6, and why.
        let parameters = LayerParameters(operation: .transposedConvolution, input: [3, 3], kernel: [3, 3], stride: [2, 2],
                                         padding: .symmetric([1, 1]), outputPadding: [1, 1], convention: .pytorch)
        let layer = try Layer(parameters)
        print(layer.shape.output)                                 // [6, 6]
        for derivation in layer.shape.derivations { print(derivation) }
        // end
        #expect(layer.shape.output == [6, 6])
        #expect(layer.shape.derivations.first?.relationships.first?.seed == 13)

        // README block 2
        // The same layer on tensors in PyTorch's layouts: x [N, C, 3, 3], w [C, C_out, 3, 3].
        var generator = SystemRandomNumberGenerator()
        let x = try Tensor.random(shape: [1, 2, 3, 3], using: &generator)
        let w = try Tensor.random(shape: [2, 4, 3, 3], using: &generator)
        let y = try FastKernels.transposedConvolution(x, weight: w, shape: layer.shape)
        print(y.shape)                                            // [1, 4, 6, 6]
        // end
        #expect(y.shape == [1, 4, 6, 6])

        // README block 3
        // A network's shape table: every layer's output shape, parameters and receptive field.
        let network = try StackFile.read("""
            input: [1, 3, 224, 224]
            layers:
              - {op: conv, name: stem, out_channels: 64, kernel: 7, stride: 2, padding: 3}
              - {op: maxpool, name: pool, kernel: 3, stride: 2, padding: 1}
            """)
        for row in network.analyze().layers {
            print(row.name, row.outputShape ?? [], row.parameters ?? 0)  // stem [1, 64, 112, 112] 9472, pool [1, 64, 56, 56] 0
        }
        // end
        let rows = network.analyze().layers
        #expect(rows.map(\.name) == ["stem", "pool"])
        #expect(rows.map(\.outputShape) == [[1, 64, 112, 112], [1, 64, 56, 56]])
        #expect(rows.map { $0.parameters ?? 0 } == [9_472, 0])
    }

    @Test("the README shows exactly the blocks compiled here")
    func readmeShowsTheseBlocks() throws {
        let readme = try String(contentsOf: OracleCorpus.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let source = try String(contentsOfFile: #filePath, encoding: .utf8)
        let blocks = Self.swiftBlocks(readme).filter { block in !block.contains { $0.contains(".package(") } }
        try #require(blocks.count == 3, "the README has \(blocks.count) Swift examples")
        let lines = source.components(separatedBy: "\n")
        for (index, block) in blocks.enumerated() {
            guard let start = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "// README block \(index + 1)" }),
                  let end = lines[start...].firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "// end" }) else {
                Issue.record("no block \(index + 1) in the test")
                continue
            }
            let compiled = lines[(start + 1)..<end].map { $0.hasPrefix("        ") ? String($0.dropFirst(8)) : $0 }
            let shown = block.filter { !$0.hasPrefix("import ") && !$0.isEmpty }
            #expect(shown == compiled.filter { !$0.isEmpty }, "README block \(index + 1) differs from the compiled one")
        }
    }

    /// The lines of every ```swift block.
    static func swiftBlocks(_ text: String) -> [[String]] {
        var blocks: [[String]] = []
        var current: [String]?
        for line in text.components(separatedBy: "\n") {
            if line.hasPrefix("```swift") { current = [] } else if line.hasPrefix("```"), let block = current {
                blocks.append(block)
                current = nil
            } else if current != nil {
                current!.append(line)
            }
        }
        return blocks
    }
}
