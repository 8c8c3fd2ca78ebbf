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
        // A second tour that cannot finish (files limited to 64 KB) leaves the first one whole: every file
        // as it was, no temporary beside them.
        let before = try Self.contents(of: directory)
        let failed = try CLIRunner.run(["/bin/sh", "-c", "ulimit -f 128; exec \"$0\" tour --out \"$1\" --delay 0.5", CLIRunner.executable.path, directory.path],
                                       viaShell: true)
        #expect(failed.status == 73, "\(failed.standardError)")
        #expect(failed.standardError.contains("File too large"), "\(failed.standardError)")
        #expect(try Self.contents(of: directory) == before)
    }

    /// Every file of a folder by name, with its bytes.
    static func contents(of directory: URL) throws -> [String: Data] {
        var contents: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) {
            contents[name] = try Data(contentsOf: directory.appendingPathComponent(name))
        }
        return contents
    }

    @Test("raster figures are drawn at 2× by default (the numbers in cells 10 px), 1× with --scale 1")
    func rasterFiguresAreTwiceTheDrawing() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("convarith-scale-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func size(_ arguments: [String]) throws -> (Int, Int) {
            let file = directory.appendingPathComponent("figure.png")
            let result = try CLIRunner.run(["draw", "conv", "-i", "5x5", "-k", "3", "--values", "--format", "png", "--out", file.path, "--json"] + arguments)
            #expect(result.status == 0, "\(result.standardError)")
            let bytes = [UInt8](try Data(contentsOf: file))
            // PNG's IHDR: width and height, big-endian, at bytes 16 and 20.
            let word = { (offset: Int) in bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) } }
            return (word(16), word(20))
        }
        let (width, height) = try size([])
        let (single, singleHeight) = try size(["--scale", "1"])
        #expect(width == 2 * single && height == 2 * singleHeight, "\(width)×\(height) against \(single)×\(singleHeight)")
        let refused = try CLIRunner.run(["draw", "conv", "-i", "5x5", "-k", "3", "--format", "png", "--out", "x.png", "--scale", "9"])
        #expect(refused.status == 64)
    }

    @Test("a failed write keeps the previous file and leaves no partial one; a symlink is written through, a dangling one refused")
    func outputsAreWrittenWholeOrNotAtAll() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("convarith-atomic-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let keep = directory.appendingPathComponent("keep.gif")
        let first = try CLIRunner.run(["draw", "conv", "-i", "7x7", "-k", "3", "--format", "gif", "--out", keep.path])
        #expect(first.status == 0, "\(first.standardError)")
        let good = try Data(contentsOf: keep)
        for format in ["gif", "png", "sheet", "animated-svg"] {
            let failed = try CLIRunner.run(["/bin/sh", "-c", "ulimit -f 16; exec \"$0\" draw conv -i 12x12 -k 3 --format \(format) --out \"$1\"",
                                            CLIRunner.executable.path, keep.path], viaShell: true)
            #expect(failed.status == 73, "\(format): \(failed.standardError)")
            #expect(try Data(contentsOf: keep) == good, "\(format)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["keep.gif"], "\(format)")
        }
        // Through a link to an existing file: the file is replaced, the link kept.
        let link = directory.appendingPathComponent("link.svg")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "keep.gif")
        let through = try CLIRunner.run(["draw", "conv", "-i", "5x5", "-k", "3", "--out", link.path])
        #expect(through.status == 0, "\(through.standardError)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link.path) == "keep.gif")
        let replaced = String(decoding: try Data(contentsOf: keep), as: UTF8.self)
        #expect(replaced.hasPrefix("<?xml") || replaced.hasPrefix("<svg"), "\(replaced.prefix(40))")
        // A device is written to, never replaced by a file (as root, renaming over /dev/null would succeed).
        let device = try CLIRunner.run(["draw", "conv", "-i", "5x5", "-k", "3", "--format", "gif", "--out", "/dev/null"])
        #expect(device.status == 0, "\(device.standardError)")
        let attributes = try FileManager.default.attributesOfItem(atPath: "/dev/null")
        #expect(attributes[.type] as? FileAttributeType == .typeCharacterSpecial)
        let full = try CLIRunner.run(["draw", "conv", "-i", "5x5", "-k", "3", "--format", "gif", "--out", "/dev/full"])
        #expect(full.status == 73 && full.standardError.contains("No space left"), "\(full.standardError)")
        #expect(try FileManager.default.attributesOfItem(atPath: "/dev/full")[.type] as? FileAttributeType == .typeCharacterSpecial)
        let dangling = directory.appendingPathComponent("dangling.svg")
        try FileManager.default.createSymbolicLink(atPath: dangling.path, withDestinationPath: "nowhere.svg")
        let refused = try CLIRunner.run(["draw", "conv", "-i", "5x5", "-k", "3", "--out", dangling.path])
        #expect(refused.status == 73 && refused.standardError.contains("symbolic link to nothing"), "\(refused.standardError)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("nowhere.svg").path))
    }
}
