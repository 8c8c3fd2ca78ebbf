import Foundation
import OracleSupport
import Testing

@Suite("convarith mirror checking a decoder that cannot be evaluated")
struct MirrorCheckCommandTests {
    static func fixture(_ name: String) -> String {
        OracleCorpus.packageRoot.appendingPathComponent("Tests/ConvNetsTests/Networks/\(name)").path
    }

    @Test("an encoder that fails at the given input is exit 1 with the reason on stderr and no success line",
          arguments: [[String](), ["--json"]])
    func failingEncoderIsAnError(format: [String]) throws {
        let result = try CLIRunner.run(["mirror", Self.fixture("encoder.yaml"), Self.fixture("decoder_off_by_one.yaml"),
                                        "--input", "1x3x9223372036854775807x75"] + format)
        #expect(result.status == 1)
        #expect(!result.standardOutput.contains("restores every"), "\(result.standardOutput)")
        #expect(!result.standardOutput.contains(#"{"layers":[]}"#), "\(result.standardOutput)")
        #expect(result.standardError.hasPrefix("error: the encoder fails at 'e1' for the input [1, 3, 9223372036854775807, 75]"),
                "\(result.standardError)")
    }

    @Test("a decoder layer that fails keeps its row, and its error also goes to stderr")
    func failingDecoderLayerIsNamedOnStderr() throws {
        let directory = try temporaryDirectory("mirror")
        defer { try? FileManager.default.removeItem(at: directory) }
        let decoder = directory.appendingPathComponent("decoder.yaml")
        // Output padding 3 with stride 2: no convention accepts it.
        try "layers:\n  - {op: transposed, name: bad, out_channels: 3, kernel: 2, stride: 2, output_padding: 3}\n"
            .write(to: decoder, atomically: true, encoding: .utf8)
        for format in [[], ["--json"]] {
            let result = try CLIRunner.run(["mirror", Self.fixture("encoder.yaml"), decoder.path] + format)
            #expect(result.status == 1)
            #expect(!result.standardOutput.contains("restores every"), "\(result.standardOutput)")
            #expect(result.standardOutput.contains("bad"), "\(result.standardOutput)")
            #expect(result.standardError.hasPrefix("error: the decoder fails at 'bad': "), "\(result.standardError)")
            if format == ["--json"] {
                #expect(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) is [String: Any])
            }
        }
    }

    @Test("a decoder whose layers miss the encoder's sizes says so on stderr too, naming the first miss")
    func mismatchesAreOnStandardError() throws {
        let result = try CLIRunner.run(["mirror", Self.fixture("encoder.yaml"), Self.fixture("decoder_off_by_one.yaml")])
        #expect(result.status == 1)
        #expect(result.standardError.hasPrefix("error: 4 of 4 size changes do not restore the encoder's size, the first at 'd4'"),
                "\(result.standardError)")
    }

    @Test("an encoder and a decoder that both change no size: every size is restored, exit 0")
    func flatPairIsARestoration() throws {
        let directory = try temporaryDirectory("mirror-flat")
        defer { try? FileManager.default.removeItem(at: directory) }
        let encoder = directory.appendingPathComponent("encoder.yaml"), decoder = directory.appendingPathComponent("decoder.yaml")
        try "input: [1, 3, 8, 8]\nlayers:\n  - {op: conv, out_channels: 4, kernel: 3, padding: 1}\n".write(to: encoder, atomically: true, encoding: .utf8)
        try "layers:\n  - relu\n".write(to: decoder, atomically: true, encoding: .utf8)
        let result = try CLIRunner.run(["mirror", encoder.path, decoder.path])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("the decoder restores every encoder size (neither changes a spatial size)"))
        #expect(result.standardError.isEmpty)
    }

    @Test("a decoder that changes no size is exit 1 with the reason on stderr and no success line")
    func decoderWithoutSizeChangesIsAnError() throws {
        let directory = try temporaryDirectory("mirror")
        defer { try? FileManager.default.removeItem(at: directory) }
        let decoder = directory.appendingPathComponent("decoder.yaml")
        try "layers:\n  - relu\n".write(to: decoder, atomically: true, encoding: .utf8)
        let result = try CLIRunner.run(["mirror", Self.fixture("encoder.yaml"), decoder.path])
        #expect(result.status == 1)
        #expect(!result.standardOutput.contains("restores every"), "\(result.standardOutput)")
        #expect(result.standardError.hasPrefix("error: the decoder changes no spatial size"), "\(result.standardError)")
    }
}
