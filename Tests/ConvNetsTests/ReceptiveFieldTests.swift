import ConvArithmetic
import ConvNets
import PropertyBased
import Testing

@Suite("Receptive fields")
struct ReceptiveFieldTests {
    // Araujo, Norris & Sim, "Computing Receptive Fields of Convolutional Neural Networks", Distill 2019,
    // Table 1 (receptive field r, effective stride S, effective padding P at the last layer listed):
    // alexnet_v2 195 / 32 / 64, vgg_16 212 / 32 / 90, resnet_v1_50 483 / 32 (padding depends on TF-slim's
    // SAME pooling, which this stack writes as PyTorch padding, so it is not compared).
    @Test("AlexNet v2, VGG-16 and ResNet-50 v1 have the receptive fields, jumps and paddings the Distill article lists",
          arguments: [("alexnet_v2.yaml", "pool5", 195, 32, 64 as Int?), ("vgg16.yaml", "pool5", 212, 32, 90),
                      ("resnet_v1_50.yaml", "block4_unit3_out", 483, 32, nil)])
    func publishedReceptiveFields(file: String, layer: String, size: Int, jump: Int, padding: Int?) throws {
        let report = try Fixtures.network(file).analyze()
        #expect(report.firstFailure == nil)
        let row = try #require(Fixtures.row(layer, in: report))
        let field = try #require(row.receptiveField)
        #expect(field.count == 2)
        for axis in field {
            let window = try #require(axis.window)
            #expect(window.size == Rational(size))
            #expect(window.jump == Rational(jump))
            if let padding { #expect(window.effectivePadding == Rational(padding)) }
        }
    }

    @Test("the composed field of a random 1-D conv/pool stack is exactly the span of inputs its first output reads")
    func composedFieldEqualsBruteForceSpan() async {
        var checked = 0
        // Each number codes one layer: kernel 1–5, stride 1–3, dilation 1–2, padding 0–2.
        await propertyCheck(count: 300, input: Gen.int(in: 0...89).array(of: 1...5), Gen.bool) { codes, pool in
            let layers = codes.map { [$0 % 5 + 1, $0 / 5 % 3 + 1, $0 / 15 % 2 + 1, $0 / 30] }
            var size = 400
            var field = [AxisReceptiveField.input]
            var shapes: [LayerShape] = []
            for (index, parameters) in layers.enumerated() {
                let operation: Operation = pool && index % 2 == 1 ? .pooling : .convolution
                let padding = operation == .pooling ? min(parameters[3], parameters[0] / 2) : parameters[3]
                let dilation = operation == .pooling ? 1 : parameters[2]
                guard let shape = try? Layer(LayerParameters(operation: operation, input: [size], kernel: [parameters[0]],
                                                             stride: [parameters[1]], padding: .symmetric([padding]),
                                                             dilation: [dilation])).shape else { return }
                field = try shape.receptiveFields(after: field)
                shapes.append(shape)
                size = shape.output[0]
            }
            // Walk back from output 0 through every tap (padding positions included, as the field counts them).
            var reached: Set<Int> = [0]
            for shape in shapes.reversed() {
                let axis = shape.axes[0]
                reached = Set(reached.flatMap { output in (0..<axis.kernel).map { axis.inputPosition(output: output, tap: $0) } })
            }
            let low = reached.min()!, high = reached.max()!
            checked += 1
            #expect(field[0].start == Rational(low))
            #expect(field[0].size == Rational(high - low + 1))
        }
        #expect(checked >= 200, "only \(checked) generated stacks were valid")
    }

    @Test("a transposed convolution's field bounds every input its outputs read")
    func transposedFieldBoundsTheInputsRead() async {
        await propertyCheck(count: 300, input: Gen.int(in: 1...5), Gen.int(in: 1...3), Gen.int(in: 0...2), Gen.int(in: 2...12)) { k, s, p, i in
            guard let shape = try? Layer(LayerParameters(operation: .transposedConvolution, input: [i], kernel: [k], stride: [s],
                                                         padding: .symmetric([p]))).shape else { return }
            let field = try shape.receptiveFields(after: [.input])[0]
            let axis = shape.axes[0]
            for output in 0..<shape.output[0] {
                // Output q reads input j at tap t when q = j·s + t − p_lo.
                let read = (0..<k).compactMap { t -> Int? in
                    let position = output + axis.padding.before - t
                    return position % s == 0 ? position / s : nil
                }
                let low = try field.start.adding(try field.jump.multiplied(by: output))
                let high = try low.adding(try field.size.subtracting(Rational(1)))
                for j in read { #expect(Rational(j) >= low && Rational(j) <= high, "output \(output) reads \(j), field \(low)…\(high)") }
            }
        }
    }

    /// `blocks` squeeze-and-excitation blocks on a `size`×`size` map: conv → global pool → 1×1 convs →
    /// sigmoid → broadcast product with the feature map.
    static func squeezeExcitationStack(blocks: Int, size: Int) -> String {
        var text = "input: [1, 8, \(size), \(size)]\nlayers:\n"
        for block in 0..<blocks {
            text += """
              - {op: conv, name: f\(block), out_channels: 8, kernel: 3, padding: 1}
              - {op: global_avgpool, name: squeeze\(block)}
              - {op: conv, out_channels: 2, kernel: 1}
              - relu
              - {op: conv, out_channels: 8, kernel: 1}
              - {op: sigmoid, name: gate\(block)}
              - {op: mul, name: se\(block), inputs: [f\(block), gate\(block)], broadcast: true}

            """
        }
        return text
    }

    @Test("twenty squeeze-and-excitation blocks keep every shape: the gate's broadcast makes the field the whole input without multiplying the jump")
    func squeezeExcitationBlocksNeverFailAShape() throws {
        let report = try StackFile.read(Self.squeezeExcitationStack(blocks: 20, size: 224)).analyze()
        #expect(report.firstFailure == nil, "\(report.firstFailure?.name ?? ""): \(report.firstFailure?.error ?? "")")
        #expect(report.layers.allSatisfy { $0.outputShape != nil })
        #expect(report.layers.last?.outputShape == [1, 8, 224, 224])
        let squeeze = try #require(Fixtures.row("squeeze0", in: report)?.receptiveField)
        #expect(squeeze.allSatisfy { $0.isWholeInput })
        let first = try #require(Fixtures.row("f0", in: report)?.receptiveField)
        #expect(first.map { $0.window?.size } == [Rational(3), Rational(3)])
        for block in [0, 19] {
            let product = try #require(Fixtures.row("se\(block)", in: report)?.receptiveField)
            #expect(product == [.wholeInput(jump: Rational(1)), .wholeInput(jump: Rational(1))], "block \(block): \(product)")
        }
        // The next block's convolution sees the whole input too: a field never shrinks back.
        #expect(Fixtures.row("f1", in: report)?.receptiveField?.allSatisfy { $0.isWholeInput } == true)
    }

    @Test("a field too large for 64-bit fractions is marked beyond range and the shapes go on")
    func fieldBeyondRangeKeepsTheShapes() throws {
        // Upsampling by 3 then a stride-2 convolution: the jump is (2/3)^n, whose denominator passes 2^63 at n = 40.
        var text = "input: [1, 1, 1]\nlayers:\n"
        for _ in 0..<45 { text += "  - {op: upsample, scale: 3}\n  - {op: conv, out_channels: 1, kernel: 1, stride: 2}\n" }
        let report = try StackFile.read(text).analyze()
        #expect(report.firstFailure == nil, "\(report.firstFailure?.error ?? "")")
        let last = try #require(report.layers.last)
        #expect(last.outputShape != nil)
        #expect(last.receptiveField == [.beyondRange])
        #expect(report.layers.first?.receptiveField?.first?.window != nil)
    }
}
