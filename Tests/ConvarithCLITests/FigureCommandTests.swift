import Foundation
import Testing

@Suite("convarith draw and tour")
struct FigureCommandTests {
    @Test("draw writes an SVG frame to standard output and a GIF to a file")
    func drawWritesFigures() throws {
        let svg = try CLIRunner.run(["draw", "transposed", "-i", "2x2", "-k", "3", "--format", "svg"])
        #expect(svg.status == 0)
        #expect(svg.standardOutput.hasPrefix("<?xml") && svg.standardOutput.contains("output (o')"))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("convarith-\(UUID().uuidString).gif").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let gif = try CLIRunner.run(["draw", "conv", "-i", "5x5", "-k", "3", "-s", "2", "-p", "1", "--format", "gif", "--out", path])
        #expect(gif.status == 0)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(bytes.starts(with: Array("GIF89a".utf8)) && bytes.last == 0x3B)
        #expect(gif.standardOutput.contains("9 frames"))
    }

    @Test("draw refuses a binary format without --out")
    func drawNeedsAnOutputFileForGIF() throws {
        let result = try CLIRunner.run(["draw", "conv", "-i", "4", "-k", "3", "--format", "gif"])
        #expect(result.status == 64)
    }

    @Test("tour writes every figure, the matrix C and an index that explains each, and prints the index path")
    func tourWritesTheSeedFigures() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("convarith-tour-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try CLIRunner.run(["tour", "--out", directory.path])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.hasSuffix("index.html\n"))
        #expect(result.standardOutput.contains("every numerical check agrees"))
        let index = try String(contentsOf: directory.appendingPathComponent("index.html"), encoding: .utf8)
        for figure in ["seed Figure 2.2", "seed Figure 2.3", "seed Figure 2.5", "seed Figure 2.6", "seed Figure 2.7", "seed Figure 2.8",
                       "seed Figure 2.9", "seed Figure 2.10", "seed Figure 2.11", "paper Figure 5.1", "paper Figure 1.5"] {
            #expect(index.contains(figure), "missing \(figure)")
        }
        #expect(index.contains("Relationship 13 (paper 14)") && index.contains("numerical check"))
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(files.filter { $0.hasSuffix(".gif") }.count == 17)
        #expect(files.contains("matrix-C.svg") && files.contains("matrix-C.png"))
    }
}
