import ConvNets
import Foundation
import Testing

@Suite("Which input sizes a network accepts")
struct AcceptedSizesTests {
    /// A U-Net with two halvings and a skip at each level: sizes that halve twice without remainder.
    static let unet = """
        input: [1, 1, 64, 48]
        layers:
          - {op: conv, name: e1, out_channels: 4, kernel: 3, padding: 1}
          - {op: maxpool, name: d1, kernel: 2}
          - {op: conv, name: e2, out_channels: 4, kernel: 3, padding: 1}
          - {op: maxpool, name: d2, kernel: 2}
          - {op: conv, name: mid, out_channels: 4, kernel: 3, padding: 1}
          - {op: transposed, name: u2, out_channels: 4, kernel: 2, stride: 2}
          - {op: concat, name: s2, inputs: [u2, e2]}
          - {op: transposed, name: u1, out_channels: 4, kernel: 2, stride: 2, inputs: [s2]}
          - {op: concat, name: s1, inputs: [u1, e1]}
        """

    @Test("a two-level U-Net accepts the multiples of 4 on each axis, and the rule holds far past the sizes evaluated")
    func unetAcceptsMultiplesOfFour() throws {
        let network = try StackFile.read(Self.unet)
        let answers = try network.acceptedSizesOfSpatialAxes(limit: 48)
        #expect(answers.map(\.axis) == [2, 3])
        for answer in answers {
            #expect(answer.period == 4 && answer.residues == [0], "\(answer)")
            #expect(answer.description == "sizes ≡ 0 (mod 4) from 4")
            // Brute force beyond the evaluated range: every size up to 200 analysed directly.
            for size in 1...200 {
                var shape = [1, 1, 64, 48]
                shape[answer.axis] = size
                let direct = network.withInputShape(shape).analyze().status != .failed
                #expect(answer.accepts(size) == direct, "axis \(answer.axis), size \(size)")
            }
            #expect(answer.nearest(to: 102) == (100, 104))
        }
    }

    @Test("a chain without joins accepts every size from its smallest input on")
    func chainAcceptsEverySizeFromItsSmallest() throws {
        let network = try StackFile.read("""
            input: [1, 3, 32, 32]
            layers:
              - {op: conv, out_channels: 4, kernel: 7, stride: 2}
              - {op: maxpool, kernel: 3, stride: 2}
            """)
        let answers = try network.acceptedSizesOfSpatialAxes(limit: 48)
        // 7 for the convolution, then (o − 1)·2 + 7 ≥ 7 with o ≥ 3 for the pooling: 11.
        #expect(answers.allSatisfy { $0.period == 1 && $0.threshold == 11 && $0.exceptions.isEmpty }, "\(answers)")
        #expect(answers[0].nearest(to: 5) == (nil, 11) && answers[0].nearest(to: 11) == (11, 12))
    }

    @Test("the U-Net's period is derived from its strides (8): its rule over 1…1,024 needs fewer than 200 analyses")
    func derivedPeriodSettlesEarly() throws {
        let network = try NetworkFile.load(path: Fixtures.url("unet.yaml").path).withInputShape([1, 1, 100, 100])
        let answers = try network.acceptedSizesOfSpatialAxes(limit: 1_024)
        for answer in answers {
            #expect(answer.description == "sizes ≡ 0 (mod 8) from 8" && answer.evaluatedUpTo == 1_024)
            #expect(answer.evaluations < 200, "\(answer.evaluations) analyses")
        }
    }

    @Test("a network that accepts its given 4 × 8 input but no square one (a fixed linear layer) is solved per axis around the given size")
    func acceptedGivenSizeNeedsNoSquareInput() throws {
        let network = try StackFile.read("""
            input: [1, 1, 4, 8]
            layers:
              - {op: conv, out_channels: 2, kernel: 3, padding: 1}
              - {op: flatten}
              - {op: linear, in_features: 64, out_features: 10}
            """)
        let answers = try network.acceptedSizesOfSpatialAxes(limit: 64)
        #expect(answers.map(\.description) == ["only 4", "only 8"], "\(answers)")
    }

    @Test("strides and scales near Int.max neither trap nor exhaust the solver or the repairs", arguments: [
        "  - {op: conv, out_channels: 2, kernel: 3, stride: 2}\n  - {op: conv, out_channels: 2, kernel: 1, stride: 4611686018427387904}",
        "  - {op: conv, out_channels: 2, kernel: 1, stride: 9223372036854775783}",
        "  - {op: upsample, scale: 9223372036854775783}",
        "  - {op: transposed, out_channels: 4, kernel: 1, stride: 4611686018427387904}",
    ])
    func hugeStridesAreBounded(layers: String) throws {
        let network = try StackFile.read("input: [1, 3, 64, 64]\nlayers:\n" + layers)
        let clock = ContinuousClock(), start = clock.now
        _ = try? network.acceptedSizesOfSpatialAxes(limit: 64)
        _ = network.repairs()
        #expect(clock.now - start < .seconds(20))
    }

    @Test("a given size that fails at the first layer still finds the rule: the strides as written give the periods")
    func firstLayerFailureStillSolves() throws {
        let network = try StackFile.read("""
            input: [1, 1, 3, 3]
            layers:
              - {op: conv, name: e1, out_channels: 2, kernel: 5}
              - {op: maxpool, name: down, kernel: 2}
              - {op: conv, name: e2, out_channels: 2, kernel: 3, padding: 1}
              - {op: transposed, name: up, out_channels: 2, kernel: 2, stride: 2}
              - {op: concat, name: skip, inputs: [up, e1]}
            """)
        #expect(network.analyze().firstFailure?.name == "e1")
        let answers = try network.acceptedSizesOfSpatialAxes(limit: 64)
        #expect(answers.map(\.description) == ["sizes ≡ 0 (mod 2) from 6", "sizes ≡ 0 (mod 2) from 6"], "\(answers)")
    }

    @Test("the committed U-Net export: multiples of 4, as ONNX Runtime runs it (sizes 1…64 tried there)")
    func exportedUnetMatchesOnnxRuntime() throws {
        let network = try ONNXModelFile.load(path: Fixtures.url("onnx/unet_style.onnx").path).withInputShape([1, 1, 102, 102])
        let answers = try network.acceptedSizesOfSpatialAxes(limit: 64)
        // onnxruntime 1.32 ran the model for square inputs 4, 8, …, 64 and refused every other size up to 64.
        for answer in answers {
            #expect(answer.description == "sizes ≡ 0 (mod 4) from 4", "\(answer)")
            #expect(!answer.accepts(102) && answer.nearest(to: 102) == (100, 104))
        }
    }
}

/// Generated 1-D U-Nets against brute force: the solved rule must give, for every size, what analysing the
/// network at that size gives — past the sizes the derived period lets the solver evaluate.
@Suite("Accepted sizes of generated networks, against analysing every size")
struct GeneratedAcceptedSizesTests {
    /// A small deterministic generator (SplitMix64), so a failure names its seed.
    struct Generator {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(bound))
        }
        mutating func pick<T>(_ values: [T]) -> T { values[next(values.count)] }
    }

    /// An encoder of 1–3 levels (a padded or unpadded convolution, then a pooling with or without ceil mode,
    /// or a strided convolution) and a decoder back up (a transposed convolution with output padding 0 or 1,
    /// or nearest upsampling and a convolution), each level joined to its encoder by concat or add.
    static func stack(seed: UInt64) -> String {
        var random = Generator(state: seed)
        let depth = 1 + random.next(3)
        var lines = ["input: [1, 2, 40]", "layers:"]
        for level in 0..<depth {
            let kernel = random.pick([1, 3, 5]), padding = random.pick([0, 1, 2])
            lines.append("  - {op: conv, name: e\(level), out_channels: 2, kernel: \(kernel), padding: \(min(padding, kernel))}")
            switch random.next(3) {
            case 0: lines.append("  - {op: maxpool, kernel: 2, stride: 2}")
            case 1: lines.append("  - {op: maxpool, kernel: 3, stride: 2, padding: 1, ceil_mode: true}")
            default: lines.append("  - {op: conv, out_channels: 2, kernel: 3, stride: \(random.pick([2, 3])), padding: 1}")
            }
        }
        for level in (0..<depth).reversed() {
            if random.next(2) == 0 {
                lines.append("  - {op: transposed, out_channels: 2, kernel: 2, stride: 2, output_padding: \(random.next(2))}")
            } else {
                lines.append("  - {op: upsample, scale: 2}")
                lines.append("  - {op: conv, out_channels: 2, kernel: 3, padding: 1}")
            }
            lines.append("  - {op: \(random.pick(["concat", "add"])), name: j\(level), inputs: [_, e\(level)]}")
        }
        return lines.joined(separator: "\n")
    }

    @Test("every generated 1-D network's rule equals analysing each size from 1 to 300", arguments: 0..<48)
    func ruleEqualsBruteForce(seed: Int) throws {
        var text = Self.stack(seed: UInt64(seed))
        // The join reads the layer above it: name each decoder level's last layer.
        var lines = text.split(separator: "\n").map(String.init)
        for index in lines.indices where lines[index].contains("inputs: [_,") {
            let previous = index - 1
            lines[previous] = lines[previous].replacingOccurrences(of: "{op: ", with: "{name: u\(index), op: ")
            lines[index] = lines[index].replacingOccurrences(of: "[_,", with: "[u\(index),")
        }
        text = lines.joined(separator: "\n")
        let network = try StackFile.read(text)
        let answers: [AcceptedSizes]
        do { answers = try network.acceptedSizesOfSpatialAxes(limit: 256) } catch {
            // A network no square size up to the limit fits: brute force agrees that none does.
            #expect((1...256).allSatisfy { network.withInputShape([1, 2, $0]).analyze().status == .failed }, "seed \(seed): \(error)\n\(text)")
            return
        }
        let rule = try #require(answers.first)
        for size in 1...300 {
            let direct = network.withInputShape([1, 2, size]).analyze().status != .failed
            #expect(rule.accepts(size) == direct, "seed \(seed), size \(size): \(rule)\n\(text)")
        }
    }
}
