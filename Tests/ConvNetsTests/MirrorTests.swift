import ConvArithmetic
import ConvNets
import PropertyBased
import Testing

@Suite("Encoder → decoder mirroring")
struct MirrorTests {
    @Test("the mirror of a random encoder restores every intermediate size exactly")
    func mirrorRoundTrips() async {
        var checked = 0
        // Each code is one layer: conv or pool, kernel 1–5, stride 1–3, padding 0–2, dilation 1–2.
        await propertyCheck(count: 300, input: Gen.int(in: 0...179).array(of: 1...6), Gen.int(in: 9...90), Gen.int(in: 1...2)) { codes, size, rank in
            var text = "input: [1, 3\(String(repeating: ", \(size)", count: rank))]\nlayers:\n"
            for code in codes {
                let k = code % 5 + 1, s = code / 5 % 3 + 1, p = code / 15 % 3, d = code / 45 % 2 + 1
                if code / 90 == 1 {
                    text += "  - {op: maxpool, kernel: \(k), stride: \(s), padding: \(min(p, k / 2))}\n"
                } else {
                    text += "  - {op: conv, out_channels: \(4 + code % 3), kernel: \(k), stride: \(s), padding: \(p), dilation: \(d)}\n  - relu\n"
                }
            }
            let encoder = try StackFile.read(text)
            guard encoder.analyze().firstFailure == nil else { return }
            let decoder = try Mirror.decoder(for: encoder)
            checked += 1
            let comparisons = try Mirror.compare(decoder: decoder, with: encoder)
            #expect(comparisons.allSatisfy { $0.matches }, "\(text)\n\(comparisons)")
            #expect(decoder.analyze().layers.last?.outputShape == encoder.inputs[0].shape)
        }
        #expect(checked >= 100, "only \(checked) generated encoders were valid")
    }

    @Test("a decoder with output padding 1 everywhere is caught layer by layer, with the output padding that fixes each")
    func offByOneDecoderIsExplained() throws {
        let encoder = try Fixtures.network("encoder.yaml")
        var decoder = try Fixtures.network("decoder_off_by_one.yaml")
        decoder = decoder.withInputShape(try #require(encoder.analyze().layers.last?.outputShape))
        let comparisons = try Mirror.compare(decoder: decoder, with: encoder)
        #expect(comparisons.map(\.decoderLayer) == ["d4", "d3", "d2", "d1"])
        #expect(comparisons.map(\.expected) == [[13, 10], [26, 19], [51, 38], [101, 75]])
        #expect(comparisons[0].advice?.hasSuffix("use output_padding [1, 0]") == true)
        #expect(comparisons[2].advice?.hasSuffix("use output_padding [0, 1]") == true)
        let fixed = try Mirror.decoder(for: encoder)
        #expect(try Mirror.compare(decoder: fixed, with: encoder).allSatisfy { $0.matches })
    }

    @Test("layers other than convolution and pooling that change the shape stop the mirror with the reason")
    func nonMirrorableLayersAreRefused() throws {
        let encoder = try StackFile.read("input: [1, 3, 8, 8]\nlayers:\n  - {op: conv, out_channels: 4, kernel: 3}\n  - flatten")
        #expect(throws: NetworkError.self) { try Mirror.decoder(for: encoder) }
        do { _ = try Mirror.decoder(for: encoder) } catch { #expect(error.description.contains("flatten")) }
    }

    /// Characters real exported names hold and hostile ones add: YAML's indicators, quotes, backslashes,
    /// spaces at the ends, controls (ESC, BEL, newline, tab, DEL, C1), bidi overrides, non-Latin text.
    static let nameAlphabet: [String] = [
        "a", "Z", "7", " ", "[", "]", "{", "}", ",", ":", "#", "&", "*", "!", "|", ">", "%", "@", "`", "'", "\"", "\\", "-", "?",
        "\u{1B}", "\u{07}", "\n", "\t", "\r", "\u{08}", "\u{7F}", "\u{85}", "\u{9B}", "\u{202E}", "\u{2066}", "\u{200B}", "\u{FEFF}",
        "é", "畳", "🙂", "\u{2028}",
    ]

    @Test("mirror's layer stack reads back as the same decoder whatever the names hold")
    func writtenStackRoundTrips() async {
        await propertyCheck(count: 200, input: Gen.int(in: 0..<Self.nameAlphabet.count).array(of: 1...12).array(of: 1...3)) { codes in
            // A leading U+FEFF is dropped by the YAML library's UTF-8 decoding (a byte-order mark), so no
            // name starts with one here.
            let names = codes.enumerated().map { index, letters in
                let name = letters.map { Self.nameAlphabet[$0] }.joined() + "\(index)"
                return name.unicodeScalars.first == "\u{FEFF}" ? "x" + name : name
            }
            var nodes: [NetworkNode] = []
            var previous = "input"
            for name in names {
                // Every other layer without a bias: the stack must say so to read back with the same parameters.
                let layer = WindowLayer(operation: .convolution, kernel: [3, 3], stride: [2, 2], padding: .symmetric([1, 1]), outputChannels: 4,
                                        hasBias: nodes.count % 2 == 0)
                nodes.append(NetworkNode(name: name, operation: .window(layer), inputs: [previous], label: "conv"))
                previous = name
            }
            let encoder = Network(name: names[0], inputs: [Network.Input(name: "input", shape: [1, 4, 37, 64])], nodes: nodes)
            let decoder = try Mirror.decoder(for: encoder)
            let text = StackWriter.yaml(decoder, steps: try Mirror.steps(for: encoder))
            let reread = try StackFile.read(text)
            #expect(reread.name == decoder.name, "\(text)")
            #expect(reread.nodes.map(\.name) == decoder.nodes.map(\.name), "\(text)")
            #expect(reread.analyze().layers.map(\.outputShape) == decoder.analyze().layers.map(\.outputShape))
            #expect(reread.analyze().layers.last?.outputShape == [1, 4, 37, 64])
            #expect(reread.analyze().layers.map(\.parameters) == decoder.analyze().layers.map(\.parameters), "\(text)")
        }
    }

    @Test("names are shown with their control and bidi characters made visible, on one line")
    func visibleText() {
        #expect(SafeText.visible("conv\u{1B}[31mred\nrow\u{202E}") == "conv\\e[31mred\\nrow\\u{202E}")
        #expect(SafeText.visible("plain name [3x3], stride 2") == "plain name [3x3], stride 2")
        #expect(SafeText.yamlQuoted("a\"b\\c\u{7}") == "\"a\\\"b\\\\c\\u0007\"")
    }
}

@Suite("Mirror checks that cannot compare")
struct MirrorComparisonRefusalTests {
    @Test("comparing with an encoder that fails at its input size is an error naming the layer, not an empty answer")
    func failingEncoderIsRefused() throws {
        let encoder = try Fixtures.network("encoder.yaml").withInputShape([1, 3, Int.max, 75])
        let decoder = try Fixtures.network("decoder_off_by_one.yaml")
        #expect {
            _ = try Mirror.compare(decoder: decoder, with: encoder)
        } throws: { error in
            guard case NetworkError.layer(let message) = error else { return false }
            return message.hasPrefix("the encoder fails at 'e1' for the input [1, 3, \(Int.max), 75]: ")
        }
    }

    @Test("a decoder that stops before the encoder's input size ends in a failed comparison naming the sizes it leaves out")
    func shortDecoderIsNotARestoration() throws {
        let encoder = try Fixtures.network("encoder.yaml")
        let full = try Fixtures.network("decoder_off_by_one.yaml")
        // Only d4 (13 × 10 → 26 × 20 is d3's job): three of the encoder's four size changes are not undone.
        let short = try StackFile.read("name: decoder\nlayers:\n  - {op: transposed, name: d4, out_channels: 128, kernel: 2, stride: 2, output_padding: [1, 0]}")
            .withInputShape(try #require(encoder.analyze().layers.last?.outputShape))
        let comparisons = try Mirror.compare(decoder: short, with: encoder)
        #expect(comparisons.map(\.decoderLayer) == ["d4", Mirror.decoderEnd])
        #expect(comparisons.first?.matches == true && comparisons.last?.matches == false)
        #expect(comparisons.last?.expected == [26, 19] && comparisons.last?.produced == [13, 10])
        #expect(comparisons.last?.advice?.hasPrefix("3 more size changes of the encoder (to 26×19, 51×38, 101×75) are not undone") == true,
                "\(comparisons.last?.advice ?? "")")
        // A complete decoder has no such comparison.
        let complete = try Mirror.compare(decoder: full.withInputShape(try #require(encoder.analyze().layers.last?.outputShape)), with: encoder)
        #expect(!complete.map(\.decoderLayer).contains(Mirror.decoderEnd))
    }

    @Test("a decoder that skips a size and ends at the encoder's input still fails: its end is never a match")
    func skippingDecoderEndsInAMismatch() throws {
        let encoder = try Fixtures.network("encoder.yaml")
        // 6 × 5 → 13 × 10 → 51 × 38 → 101 × 75: the encoder's 26 × 19 is skipped, and the decoder ends at its input size.
        let skipping = try StackFile.read("""
            name: decoder
            layers:
              - {op: transposed, name: d4, out_channels: 128, kernel: 2, stride: 2, output_padding: [1, 0]}
              - {op: transposed, name: d3, out_channels: 32, kernel: [3, 2], stride: 4}
              - {op: transposed, name: d1, out_channels: 3, kernel: 3, stride: 2, padding: 1}
            """).withInputShape(try #require(encoder.analyze().layers.last?.outputShape))
        let comparisons = try Mirror.compare(decoder: skipping, with: encoder)
        #expect(comparisons.map(\.produced) == [[13, 10], [51, 38], [101, 75], [101, 75]])
        #expect(comparisons.last?.expected == [101, 75])
        #expect(comparisons.map(\.matches) == [true, false, false, false])
        #expect(comparisons.last?.decoderLayer == Mirror.decoderEnd)
    }

    @Test("a decoder layer whose shape is unknown ends the comparison with the reason, not with the sizes after it skipped")
    func unknownDecoderShapeIsNamed() throws {
        let encoder = try Fixtures.network("encoder.yaml")
        let decoder = try ONNXModelFile.load(path: Fixtures.url("onnx/unknown_operators.onnx").path)
        let comparisons = try Mirror.compare(decoder: decoder, with: encoder)
        let last = try #require(comparisons.last)
        #expect(last.produced == nil && !last.matches)
        #expect(last.advice?.contains("its shape is unknown from 'custom'") == true, "\(last.advice ?? "")")
        #expect(!comparisons.contains { $0.decoderLayer == Mirror.decoderEnd })
    }

    @Test("comparing a decoder without an input shape is an error, not an empty answer")
    func decoderWithoutShapeIsRefused() throws {
        let encoder = try Fixtures.network("encoder.yaml")
        let decoder = try Fixtures.network("decoder_off_by_one.yaml")
        #expect {
            _ = try Mirror.compare(decoder: decoder, with: encoder)
        } throws: { error in
            guard case NetworkError.layer(let message) = error else { return false }
            return message.contains("the decoder has no input shape")
        }
    }
}
