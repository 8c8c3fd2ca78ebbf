import Foundation
#if canImport(Glibc)
import Glibc
#endif
import OracleSupport
import Testing

@Suite("convarith net, mirror and translate")
struct NetworkCommandTests {
    static func fixture(_ name: String) -> String {
        OracleCorpus.packageRoot.appendingPathComponent("Tests/ConvNetsTests/Networks/\(name)").path
    }

    @Test("net --json gives every layer its name, op, shapes, receptive field and jump")
    func netJSON() throws {
        let result = try CLIRunner.run(["net", Self.fixture("vgg16.yaml"), "--json"])
        #expect(result.status == 0, "\(result.standardError)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        let layers = try #require(object["layers"] as? [[String: Any]])
        #expect(layers.count == 39)
        let pool5 = try #require(layers.first { $0["name"] as? String == "pool5" })
        #expect(pool5["op"] as? String == "maxpool")
        #expect(pool5["input_shape"] as? [Int] == [1, 512, 14, 14])
        #expect(pool5["output_shape"] as? [Int] == [1, 512, 7, 7])
        #expect(pool5["receptive_field"] as? [Int] == [212, 212])
        #expect(pool5["jump"] as? [Int] == [32, 32])
        #expect(object["total_parameters"] as? Int == 138_357_544)
    }

    @Test("net --input overrides the file's input; a broken skip connection is exit 1 with the failing layer named, on stderr too")
    func netReportsTheFailingLayer() throws {
        let result = try CLIRunner.run(["net", Self.fixture("unet.yaml"), "--input", "1x1x100x100"])
        #expect(result.status == 1)
        #expect(result.standardOutput.contains("first failure: 'skip3' (line 18, column 5): cannot concatenate [1, 64, 24, 24] and [1, 64, 25, 25]"), "\(result.standardOutput)")
        let stderrLine = "error: layer 'skip3' (line 18, column 5): cannot concatenate [1, 64, 24, 24] and [1, 64, 25, 25]"
        #expect(result.standardError.hasPrefix(stderrLine) && result.standardError.filter { $0 == "\n" }.count == 1,
                "\(result.standardError)")
        let json = try CLIRunner.run(["net", Self.fixture("unet.yaml"), "--input", "1x1x100x100", "--json"])
        #expect(json.status == 1)
        #expect(json.standardOutput.contains(#""error":"cannot concatenate"#))
        #expect(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) is [String: Any])
        #expect(json.standardError.hasPrefix(stderrLine), "\(json.standardError)")
    }

    @Test("net refuses a missing file (66), a malformed one (1) and a bad --input (64)")
    func netErrors() throws {
        #expect(try CLIRunner.run(["net", "/nonexistent/model.yaml"]).status == 66)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("broken-\(getpid()).yaml").path
        try "layers:\n  - {op: conv, kernel: [3".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let malformed = try CLIRunner.run(["net", path])
        #expect(malformed.status == 1)
        #expect(malformed.standardError.contains("error:"))
        #expect(try CLIRunner.run(["net", Self.fixture("vgg16.yaml"), "--input", "224x224"]).status == 64)
    }

    @Test("mirror prints a decoder that restores the encoder, and a wrong decoder is exit 1 with the fix")
    func mirrorBuildsAndChecks() throws {
        let built = try CLIRunner.run(["mirror", Self.fixture("encoder.yaml")])
        #expect(built.status == 0, "\(built.standardError)")
        #expect(built.standardOutput.contains("output [1, 3, 101, 75]"))
        #expect(built.standardOutput.contains("output_padding: [1, 0]"))
        let checked = try CLIRunner.run(["mirror", Self.fixture("encoder.yaml"), Self.fixture("decoder_off_by_one.yaml")])
        #expect(checked.status == 1)
        #expect(checked.standardOutput.contains("d4: 12×10, encoder 13×10  MISMATCH"))
        #expect(checked.standardOutput.contains("use output_padding [1, 0]"))
    }

    @Test("net --accepted-sizes names the sizes each axis accepts and the nearest to a failing one, in text and JSON")
    func netSolvesTheAcceptedSizes() throws {
        let model = OracleCorpus.packageRoot.appendingPathComponent("examples/unet.onnx").path
        let text = try CLIRunner.run(["net", model, "--input", "1x1x102x102", "--accepted-sizes"])
        #expect(text.status == 1)
        #expect(text.standardOutput.contains("accepted sizes of axis 2: sizes ≡ 0 (mod 4) from 4; 102 is not; nearest: 100 and 104"),
                "\(text.standardOutput.suffix(400))")
        // The smallest changes of one layer that repair the failing skip at 102, each checked by analysis.
        #expect(text.standardOutput.contains("changes of one layer that repair skip2 at this size: conv_15: padding [1, 1] → [1:2, 1:2]"),
                "\(text.standardOutput.suffix(400))")
        let failing = try CLIRunner.run(["net", model, "--input", "1x1x102x102", "--accepted-sizes", "--json"])
        let failed = try #require(try JSONSerialization.jsonObject(with: Data(failing.standardOutput.utf8)) as? [String: Any])
        let repairs = try #require(failed["repairs"] as? [[String: Any]])
        #expect(repairs.first?["node"] as? String == "conv_15" && repairs.first?["to"] as? [[Int]] == [[1, 2], [1, 2]])
        let json = try CLIRunner.run(["net", model, "--input", "1x1x100x100", "--accepted-sizes", "--json"])
        #expect(json.status == 0, "\(json.standardError)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        let sizes = try #require(object["accepted_sizes"] as? [[String: Any]])
        #expect(sizes.map { $0["period"] as? Int } == [4, 4] && sizes.allSatisfy { $0["accepted"] as? Bool == true })
    }

    @Test("net --accepted-sizes at a size beyond the limit does not call it accepted, never prints an empty nearest, and keeps the table when no rule shows")
    func acceptedSizesBeyondTheLimit() throws {
        let encoder = OracleCorpus.packageRoot.appendingPathComponent("examples/encoder.yaml").path
        let huge = try CLIRunner.run(["net", encoder, "--accepted-sizes", "--input", "1x3x9223372036854775807x75"])
        #expect(huge.status == 1)
        #expect(!huge.standardOutput.contains("9223372036854775807 is accepted") && !huge.standardOutput.contains("nearest: \n"),
                "\(huge.standardOutput.suffix(600))")
        let decoder = OracleCorpus.packageRoot.appendingPathComponent("examples/decoder.yaml").path
        let unsolved = try CLIRunner.run(["net", decoder, "--accepted-sizes", "--input", "1x3x7"])
        if unsolved.status != 0 {
            // No rule: the reason on standard error, the table still on standard output.
            #expect(unsolved.standardOutput.contains("total:") || unsolved.standardOutput.contains("first failure"), "\(unsolved.standardOutput)")
        }
    }

    @Test("net --accepted-sizes beyond the sizes checked gives the nearest by the rule's period, and says so")
    func nearestBeyondTheLimit() throws {
        let unet = OracleCorpus.packageRoot.appendingPathComponent("Tests/ConvNetsTests/Networks/unet.yaml").path
        let text = try CLIRunner.run(["net", unet, "--accepted-sizes", "--input", "1x1x2001x64"])
        #expect(text.standardOutput.contains("2001 is not; nearest: 2000 and 2008 (by the rule's period; it was checked up to 1024)"),
                "\(text.standardOutput.suffix(400))")
        let json = try CLIRunner.run(["net", unet, "--accepted-sizes", "--input", "1x1x2001x64", "--json"])
        #expect(json.standardOutput.contains(#""nearest_below":2000,"nearest_above":2008"#), "\(json.standardOutput.suffix(400))")
    }

    @Test("net --accepted-sizes on a layer that fails at every size says a layer must change, and prints its repair")
    func acceptedSizesWhenEverySizeFails() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("convarith-every-size-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let stack = directory.appendingPathComponent("bad.yaml")
        try "input: [1, 3, 32, 32]\nlayers:\n  - {op: maxpool, kernel: 2, stride: 2, padding: 2}\n".write(to: stack, atomically: true, encoding: .utf8)
        let result = try CLIRunner.run(["net", stack.path, "--accepted-sizes"])
        #expect(result.status == 1)
        #expect(result.standardError.contains("it fails at every size tried, so change a layer (or the network needs inputs larger than 1024)"), "\(result.standardError)")
        #expect(!result.standardError.contains("no size up to"))
        #expect(result.standardOutput.contains("padding [2, 2] → [1, 1]"), "\(result.standardOutput)")
    }

    @Test("mirror --stack prints only the decoder's stack and --out writes it: it reads back as a decoder that restores the encoder")
    func mirrorWritesOnlyTheStack() throws {
        let printed = try CLIRunner.run(["mirror", Self.fixture("encoder.yaml"), "--stack"])
        #expect(printed.status == 0, "\(printed.standardError)")
        #expect(printed.standardOutput.hasPrefix("name: "), "\(printed.standardOutput.prefix(80))")
        #expect(!printed.standardOutput.contains("total:"))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("convarith-mirror-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let decoder = directory.appendingPathComponent("decoder.yaml")
        let written = try CLIRunner.run(["mirror", Self.fixture("encoder.yaml"), "--out", decoder.path])
        #expect(written.status == 0 && written.standardOutput.isEmpty, "\(written.standardError)")
        #expect(try String(contentsOf: decoder, encoding: .utf8) == printed.standardOutput)
        let checked = try CLIRunner.run(["mirror", Self.fixture("encoder.yaml"), decoder.path])
        #expect(checked.status == 0, "\(checked.standardOutput)")
        #expect(checked.standardOutput.contains("the decoder restores every encoder size"))
        let refused = try CLIRunner.run(["mirror", Self.fixture("encoder.yaml"), decoder.path, "--stack"])
        #expect(refused.status == 64)
    }

    @Test("translate writes TensorFlow SAME for PyTorch with F.pad and back as 'same'")
    func translateBothWays() throws {
        let there = try CLIRunner.run(["translate", "--from", "tensorflow", "--to", "pytorch", "conv", "-i", "224x224", "-k", "3", "-s", "2", "-p", "same"])
        #expect(there.status == 0, "\(there.standardError)")
        #expect(there.standardOutput.contains("PyTorch: F.pad(x, (0, 1, 0, 1)), then the layer with padding=0"))
        let back = try CLIRunner.run(["translate", "--from", "pytorch", "--to", "tensorflow", "conv", "-i", "224x224", "-k", "3", "-p", "1", "--json"])
        #expect(back.standardOutput.contains(#""code":"padding='same'""#), "\(back.standardOutput)")
        let refused = try CLIRunner.run(["translate", "--from", "pytorch", "--to", "onnx", "conv", "-i", "5", "-k", "3", "-s", "2", "-p", "same"])
        #expect(refused.status == 1)
        #expect(refused.standardError.contains("not supported for strided convolutions"))
    }
}

@Suite("convarith net on ONNX models")
struct NetONNXCommandTests {
    @Test("a detector exported with symbolic sizes, at --input 1x3x640x640: every layer named by its output tensor, the output known")
    func detectorAt640() throws {
        let path = NetworkCommandTests.fixture("exports/detector_torchscript.onnx")
        let result = try CLIRunner.run(["net", path, "--input", "1x3x640x640", "--json"])
        #expect(result.status == 0, "\(result.standardError)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        let layers = try #require(object["layers"] as? [[String: Any]])
        let output = try #require(layers.first { $0["name"] as? String == "output" })
        // 3 anchors × (80² + 40² + 20²) positions, 7 values each.
        #expect(output["output_shape"] as? [Int] == [1, 3 * (80 * 80 + 40 * 40 + 20 * 20), 7])
        #expect(layers.allSatisfy { $0["error"] == nil })
        let withoutInput = try CLIRunner.run(["net", path])
        #expect(withoutInput.status == 1)
        #expect(withoutInput.standardError.contains("--input"))
    }
}

@Suite("convarith serve")
struct ServeCommandTests {
    @Test("a port outside 1…65535 is a usage error (exit 64)")
    func portIsValidated() throws {
        for port in ["0", "70000", "-1"] {
            #expect(try CLIRunner.run(["serve", "--port", port]).status == 64, "--port \(port)")
        }
    }

    #if canImport(Glibc)
    @Test("a port already in use is an error, and no URL is printed for a server that never listened")
    func failedBindPrintsNoURL() throws {
        // Hold a loopback port, then ask serve for it.
        let handle = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(handle) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(handle, $0, length) == 0 && listen(handle, 1) == 0 && getsockname(handle, $0, &length) == 0 }
        }
        try #require(bound)
        let port = Int(UInt16(bigEndian: address.sin_port))
        let result = try CLIRunner.run(["serve", "--port", "\(port)"])
        #expect(result.status != 0)
        #expect(!result.standardOutput.contains("serving on"), "\(result.standardOutput)")
        #expect(result.standardError.contains("in use") || result.standardError.contains("bind"), "\(result.standardError)")
    }
    #endif
}

@Suite("convarith solve padding per-axis options")
struct SolvePaddingAxesTests {
    @Test("per-axis options with another number of axes than --input are a usage error (exit 64), not a crash")
    func mismatchedAxesAreRefused() throws {
        let result = try CLIRunner.run(["solve", "padding", "-i", "32x32x32", "-k", "3x3", "--target", "32x32x32"])
        #expect(result.status == 64, "\(result.standardError)")
        #expect(result.standardError.contains("--kernel has 2 values but --input has 3 axes"))
    }
}

@Suite("convarith net inputs and exit status")
struct NetInputCommandTests {
    @Test("--input NAME=SHAPE gives a 2-D audio input; the state's batch follows; every output known is exit 0 with status complete")
    func namedTwoDimensionalInput() throws {
        let path = NetworkCommandTests.fixture("onnx/speech_recurrent.onnx")
        let result = try CLIRunner.run(["net", path, "--input", "audio=1x576", "--json"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains(#""status":"complete""#))
        let refused = try CLIRunner.run(["net", path])
        #expect(refused.status == 1)
        #expect(refused.standardError.contains("pass --input audio=1x16000 --input state=2x1x16"), "\(refused.standardError)")
        #expect(try CLIRunner.run(["net", path, "--input", "audio=1x1x576"]).status == 64)
    }

    @Test("an output left unknown by a value-dependent operator is exit 3, with the first unknown tensor named")
    func unknownOutputIsExitThree() throws {
        let path = NetworkCommandTests.fixture("onnx/unknown_operators.onnx")
        let result = try CLIRunner.run(["net", path])
        #expect(result.status == 3)
        #expect(result.standardOutput.contains("output unknown: '"), "\(result.standardOutput)")
        let json = try CLIRunner.run(["net", path, "--json"])
        #expect(json.status == 3)
        #expect(json.standardOutput.contains(#""status":"unknown_outputs""#))
        #expect(json.standardOutput.contains(#""first_unknown":{"name":"#))
    }
}

@Suite("convarith net table columns")
struct NetColumnCommandTests {
    @Test("window layers show kernel, stride, padding, dilation and groups; --columns picks and orders the columns")
    func windowColumns() throws {
        let result = try CLIRunner.run(["net", NetworkCommandTests.fixture("vgg16.yaml"), "--columns", "name,kernel,stride,padding,groups"])
        #expect(result.status == 0, "\(result.standardError)")
        let lines = result.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines[1].split(separator: " ") == ["name", "k", "s", "p", "g"], "\(lines[1])")
        #expect(lines[2].split(separator: " ") == ["conv1_1", "3", "1", "1", "1"], "\(lines[2])")
        #expect(try CLIRunner.run(["net", NetworkCommandTests.fixture("vgg16.yaml"), "--columns", "name,size"]).status == 64)
        let json = try CLIRunner.run(["net", NetworkCommandTests.fixture("vgg16.yaml"), "--json"])
        #expect(json.standardOutput.contains(#""kernel":[3,3],"stride":[1,1],"dilation":[1,1],"groups":1"#))
    }

    @Test("an ONNX model's node names stand beside the tensors they produce")
    func onnxNodeNames() throws {
        let result = try CLIRunner.run(["net", NetworkCommandTests.fixture("exports/resnet_torchscript.onnx"), "--input", "1x3x64x64"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.split(separator: "\n")[1].contains("node"))
        #expect(result.standardOutput.contains("/stem/stem.0/Conv"), "\(result.standardOutput.prefix(600))")
    }

    @Test("a concatenation of 5,000 inputs is one short row, and no row is padded to the widest cell")
    func wideConcatenationStaysSmall() throws {
        var text = "input: [1, 1, 8, 8]\nlayers:\n"
        for index in 0..<5_000 { text += "  - {op: relu, name: r\(index), inputs: [input]}\n" }
        text += "  - {op: concat, inputs: [" + (0..<5_000).map { "r\($0)" }.joined(separator: ", ") + "]}\n"
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("wide-\(getpid()).yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try CLIRunner.run(["net", path])
        #expect(result.status == 0, "\(result.standardError)")
        let lines = result.standardOutput.split(separator: "\n")
        #expect(lines.contains { $0.contains("1×1×8×8 + 1×1×8×8 + 1×1×8×8 + 1×1×8×8 + 4,996 more") })
        #expect(lines.allSatisfy { $0.count < 300 }, "longest line: \(lines.map(\.count).max() ?? 0)")
    }

    @Test("control and bidi characters in names never reach the terminal: net and mirror show them escaped, one row a line")
    func namesAreTerminalSafe() throws {
        let text = "name: \"evil\\e]0;title\\a\"\ninput: [1, 3, 32, 32]\nlayers:\n"
            + "  - {op: conv, name: \"red\\e[31m\\nfake row\\u202E\", out_channels: 4, kernel: 3, stride: 2, padding: 1}\n"
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("names-\(getpid()).yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        for arguments in [["net", path], ["mirror", path]] {
            let result = try CLIRunner.run(arguments)
            #expect(result.status == 0, "\(arguments): \(result.standardError)")
            let controls = result.standardOutput.unicodeScalars.filter { $0 != "\n" && ($0.value < 0x20 || $0.value == 0x202E) }
            #expect(controls.isEmpty, "\(arguments): \(controls.map(\.value))")
            #expect(result.standardOutput.contains("red\\e[31m\\nfake row\\u{202E}"), "\(result.standardOutput)")
            #expect(!result.standardOutput.split(separator: "\n").contains { $0.hasPrefix("fake row") })
        }
    }
}
