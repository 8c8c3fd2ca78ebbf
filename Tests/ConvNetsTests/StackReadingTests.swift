import ConvArithmetic
import ConvNets
import Testing

@Suite("Reading layer stacks")
struct StackReadingTests {
    @Test("YAML and JSON spellings of the same stack give the same network")
    func yamlAndJSONAgree() throws {
        let yaml = """
            input: [1, 3, 32, 32]
            layers:
              - {op: conv, name: c1, out_channels: 8, kernel: 3, padding: same}
              - relu
              - {op: maxpool, kernel: 2}
            """
        let json = #"{"input":[1,3,32,32],"layers":[{"op":"conv","name":"c1","out_channels":8,"kernel":3,"padding":"same"},"relu",{"op":"maxpool","kernel":2}]}"#
        let a = try StackFile.read(yaml), b = try StackFile.read(json)
        #expect(a.nodes.map(\.name) == ["c1", "relu_2", "maxpool_3"])
        #expect(a.nodes.map(\.operation) == b.nodes.map(\.operation))
        #expect(a.analyze().layers.map(\.outputShape) == b.analyze().layers.map(\.outputShape))
        #expect(a.analyze().layers.last?.outputShape == [1, 8, 16, 16])
    }

    @Test("malformed stacks are refused with a message naming the line",
          arguments: [
            ("layers:\n  - {op: conv, kernel: [3", "line"),
            ("input: [1, 3, 8]\nlayers:\n  - {op: conv, out_channels: 4, kernel: three}", "'kernel' must be a whole number"),
            ("input: [1, 3, 8]\nlayers:\n  - {op: convolve, kernel: 3}", "unknown op 'convolve'"),
            ("input: [1, 3, 8]\nlayers:\n  - {op: cnov, kernel: 3}", "unknown op 'cnov' (is it 'conv'?)"),
            ("input: [1, 3, 8]\nlayers:\n  - {op: relu, name: pool}\n  - {op: add, inputs: [pol, input]}", "reads 'pol' (is it 'pool'?)"),
            ("input: [1, 3, 8]\nlayers:\n  - {op: conv, out_channels: 4, kernel: 3, strides2: 1}", "has no field 'strides2'"),
            ("input: [1, 3, 8]\nlayers:\n  - {op: conv, out_channels: 4, kernel: 3, paddng: 1}", "has no field 'paddng' (is it 'padding'?)"),
            ("input: [1, 3, 8]\nlayers:\n  - {op: conv, out_channels: 4, kernel: 3, stride: 2, strides: 1}", "'stride' and 'strides' are the same field"),
            ("input: [1, 3, 8]\nlayers:\n  - {op: conv, kernel: 3}", "'conv' needs 'out_channels'"),
            ("input: [1, 3, 8]\nlayers:\n  - {op: conv, out_channels: 4, kernal: 3}", "'conv' needs 'kernel' (is 'kernal' a misspelling of it?)"),
            ("input: [1, 3, 8]\nlayers:\n  - {op: relu, name: a, inputs: [b]}\n  - {op: relu, name: b, inputs: [a]}", "defined further down"),
            ("input: [1, 3, 8]\nlayers:\n  - {op: relu, name: a}\n  - {op: relu, name: a}", "used twice"),
            ("input: [1, 3, 8]\nlayers:\n  - {op: relu, name: \"\"}\n  - relu", "layer 1's name is empty"),
            ("input: [1, 3, 8]\nlayers:\n  - {op: add, inputs: [nowhere]}", "not a layer of the stack"),
            ("input: [1, 3, 8]\nlayers: 3", "'layers' must be a list"),
            ("- 1\n- 2", "must be a mapping"),
            ("input: [1, 3, 8]\nlayers:\n  - [1, 2]", "is a list"),
            ("input: [1, 3]\nlayers: []", "full shape"),
            ("input: [1, 3, 8]\nconvention: caffe\nlayers: []", "unknown convention 'caffe'"),
            ("input: [1, 3, 8]\nlayers:\n  - {op: conv, out_channels: 4, kernel: 3, padding: sideways}", "valid, same"),
            ("input: [1, 3, 8]\nlayers:\n  - {op: maxpool, kernel: 3, ceil_mode: maybe}", "must be true or false"),
            ("", "empty"),
          ])
    func malformedStacksNameThePlace(text: String, expected: String) {
        do {
            _ = try StackFile.read(text)
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.description.contains(expected), "\(error)")
            if text.contains("\n") && !text.hasPrefix("- ") && !expected.contains("empty") {
                #expect(error.description.contains("line"), "\(error)")
            }
        }
    }

    @Test("nesting deeper than the limit is refused before the YAML parser recurses into it")
    func deepNestingIsRefused() {
        for text in [String(repeating: "[", count: 100_000), "layers:\n" + String(repeating: "- ", count: 50_000) + "x"] {
            #expect(throws: NetworkError.self) { try StackFile.read(text) }
        }
    }

    @Test("keys built from aliases, lists or explicit '? ' keys are refused before the parser builds them; aliases as values still read")
    func aliasKeysAreRefused() throws {
        // 24 levels of keys made of the level below: exponential work for the parser from 876 bytes.
        var bomb = "a0: &a0 [x, y]\n"
        for level in 1..<25 { bomb += "a\(level): &a\(level) {? *a\(level - 1) : 1, ? [*a\(level - 1)] : 2}\n" }
        for text in [bomb + "layers: []\n", "a: &a [1]\nb: {*a : 1}\nlayers: []\n", "b: {[1, 2]: 3}\nlayers: []\n"] {
            do {
                _ = try StackFile.read(text)
                Issue.record("accepted: \(text.prefix(60))")
            } catch {
                #expect(error.description.contains("is not a layer stack's key"), "\(error)")
            }
        }
        let reused = "input: [1, 3, 8]\nlayers:\n  - &block {op: conv, out_channels: 3, kernel: 3, padding: 1}\n  - *block\n"
        #expect(try StackFile.read(reused).analyze().layers.map(\.outputShape) == [[1, 3, 8], [1, 3, 8]])
    }

    @Test("random corruptions of the committed stacks are errors or networks, never crashes")
    func corruptedStacksNeverCrash() throws {
        var generator = SplitMix(seed: 2019)
        let texts = try ["vgg16.yaml", "unet.yaml", "resnet_v1_50.yaml"].map(Fixtures.text)
        var refused = 0
        for round in 0..<600 {
            var bytes = Array(texts[round % texts.count].utf8)
            for _ in 0..<(1 + Int(generator.next() % 4)) {
                let position = Int(generator.next() % UInt64(bytes.count))
                switch generator.next() % 3 {
                case 0: bytes[position] = UInt8(truncatingIfNeeded: generator.next() % 128)
                case 1: bytes.removeSubrange(position..<min(bytes.count, position + Int(generator.next() % 40)))
                default: bytes.insert(contentsOf: Array("[{-: ,'\"".utf8).shuffled(using: &generator).prefix(3), at: position)
                }
            }
            do {
                let network = try StackFile.read(String(decoding: bytes, as: UTF8.self))
                _ = network.analyze()
            } catch {
                refused += 1
                #expect(!error.description.isEmpty)
            }
        }
        #expect(refused > 0)
    }
}

/// A small deterministic generator for the corruption test.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
