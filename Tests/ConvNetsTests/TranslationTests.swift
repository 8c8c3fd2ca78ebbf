import ConvArithmetic
import ConvNets
import PropertyBased
import Testing

@Suite("Padding translation between frameworks")
struct TranslationTests {
    @Test("TensorFlow SAME with stride 2 becomes an F.pad (last axis first) before a PyTorch convolution")
    func tensorflowSameToPyTorch() throws {
        let layer = LayerParameters(operation: .convolution, input: [224, 223], kernel: [3], stride: [2], padding: .named(.same), convention: .tensorflow)
        let translation = try PaddingTranslation.translate(layer, to: .pytorch)
        #expect(translation.pads == [AxisPadding(before: 0, after: 1), AxisPadding(before: 1, after: 1)])
        #expect(translation.plan == .padInputFirst(inputPads: [AxisPadding(before: 0, after: 1), AxisPadding(0)], layerPadding: [0, 1]))
        #expect(translation.code == "F.pad(x, (0, 0, 0, 1)), then the layer with padding=(0, 1)")
        #expect(translation.targetLayer.shape.output == [112, 112])
    }

    @Test("PyTorch's symmetric padding that equals SAME is written 'same' for Keras and ONNX, and as pads otherwise")
    func pytorchToKerasAndONNX() throws {
        let same = LayerParameters(operation: .transposedConvolution, input: [16, 16], kernel: [4], stride: [2], padding: .symmetric([1]))
        #expect(try PaddingTranslation.translate(same, to: .tensorflow).code == "padding='same'")
        let strided = LayerParameters(operation: .convolution, input: [32], kernel: [3], stride: [2], padding: .symmetric([1]))
        #expect(try PaddingTranslation.translate(strided, to: .tensorflow).code == "tf.pad(x, [[0, 0], [1, 1], [0, 0]]), then the layer with padding='valid'")
        #expect(try PaddingTranslation.translate(strided, to: .onnx).code == "pads=[1, 1]")
    }

    @Test("every plan reproduces the source's pads and size under the target's rules")
    func plansReproduceTheSource() async {
        let conventions = Convention.all
        var checked = 0
        var plans: Set<String> = []
        await propertyCheck(count: 400, input: Gen.int(in: 1...40), Gen.int(in: 1...5), Gen.int(in: 1...3), Gen.int(in: 0...3),
                            Gen.int(in: 0...(conventions.count * conventions.count - 1)), Gen.int(in: 0...2)) { i, k, s, p, pair, kind in
            let source = conventions[pair / conventions.count], target = conventions[pair % conventions.count]
            let operation: Operation = [.convolution, .pooling, .transposedConvolution][kind]
            let padding: Padding = p == 3 ? .named(.same) : .symmetric([min(p, k / 2)])
            let parameters = LayerParameters(operation: operation, input: [i], kernel: [k], stride: [s], padding: padding, convention: source)
            guard let layer = try? Layer(parameters), let translation = try? PaddingTranslation.translate(parameters, to: target) else { return }
            let pads = layer.shape.axes.map(\.padding)
            checked += 1
            plans.insert("\(translation.plan)".prefix(while: { $0 != "(" }).description)
            #expect(translation.pads == pads)
            switch translation.plan {
            case .named, .explicit:
                #expect(translation.targetLayer.shape.output == layer.shape.output)
                #expect(translation.targetLayer.shape.axes.map(\.padding) == pads)
            case let .padInputFirst(inputPads, layerPadding):
                #expect(translation.targetLayer.shape.output == layer.shape.output)
                for (index, pad) in pads.enumerated() {
                    #expect(inputPads[index].before + layerPadding[index] == pad.before)
                    #expect(inputPads[index].after + layerPadding[index] == pad.after)
                }
            case let .cropOutputAfter(layerPadding, start, keep):
                #expect(keep == layer.shape.output)
                #expect(zip(start, layerPadding).map { $0 + $1 } == pads.map(\.before))
                #expect(start.count == keep.count && keep.count == translation.targetLayer.shape.output.count)
                #expect(zip(translation.targetLayer.shape.output, zip(start, keep)).allSatisfy { $0 >= $1.0 + $1.1 })
            }
        }
        #expect(checked >= 200, "only \(checked) generated cases were checkable")
        #expect(plans.count == 4, "plans seen: \(plans)")
    }

    @Test("ceil mode is carried where the target has it, becomes end padding where not, and is dropped where it changes nothing")
    func ceilModeIsTranslated() throws {
        let layer = LayerParameters(operation: .pooling, input: [8], kernel: [3], stride: [2], padding: .symmetric([1]), ceilMode: true)
        #expect(try PaddingTranslation.translate(layer, to: .onnx).code == "pads=[1, 1], ceil_mode=1")
        #expect(try PaddingTranslation.translate(layer, to: .pytorch).code == "padding=1, ceil_mode=True")
        let jax = try PaddingTranslation.translate(layer, to: .jax)
        #expect(jax.targetLayer.shape.output == [5] && jax.code == "padding=[(1, 2)]", "\(jax.code)")
        #expect(jax.notes.contains { $0.contains("no ceil mode") })
        // At i = 7 ceil mode changes nothing: TensorFlow's SAME writes the layer.
        var seven = layer
        seven.input = [7]
        #expect(try PaddingTranslation.translate(seven, to: .tensorflow).code == "padding='same'")
    }

    @Test("average pooling's divisor is said to the target: count_include_pad where it is an option, a note where it is not")
    func averageDivisorIsTranslated() throws {
        let layer = LayerParameters(operation: .pooling, input: [7], kernel: [3], stride: [2], padding: .symmetric([1]), poolingMode: .average)
        #expect(try PaddingTranslation.translate(layer, to: .onnx).code.hasSuffix("count_include_pad=1"))
        let tensorflow = try PaddingTranslation.translate(layer, to: .tensorflow)
        #expect(tensorflow.notes.contains { $0.contains("never counts the padding") }, "\(tensorflow.notes)")
        var fromTensorFlow = layer
        fromTensorFlow.convention = .tensorflow
        fromTensorFlow.padding = .named(.same)
        #expect(try PaddingTranslation.translate(fromTensorFlow, to: .pytorch).code == "padding=1, count_include_pad=False")
    }

    @Test("average pooling padded explicitly before TensorFlow's layer counts the zeros: no note that TensorFlow never counts them")
    func explicitPadBeforeAveragePoolingCountsTheZeros() throws {
        // 10 with k 3, s 2, p 1 gives 5; TensorFlow's SAME pads (0, 1), so the input is padded first.
        let layer = LayerParameters(operation: .pooling, input: [10, 10], kernel: [3], stride: [2], padding: .symmetric([1]),
                                    poolingMode: .average)
        let counted = try PaddingTranslation.translate(layer, to: .tensorflow)
        #expect(counted.code == "tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]]), then the layer with padding='valid'", "\(counted.code)")
        #expect(!counted.notes.contains { $0.contains("never counts") }, "\(counted.notes)")
        #expect(counted.notes.contains { $0.contains("count_include_pad=True counts them, as PyTorch's layer here does") }, "\(counted.notes)")

        var excluded = layer
        excluded.countIncludePad = false
        let differs = try PaddingTranslation.translate(excluded, to: .tensorflow)
        #expect(!differs.notes.contains { $0.contains("never counts") }, "\(differs.notes)")
        #expect(differs.notes.contains {
            $0.contains("count_include_pad=True counts them") && $0.contains("(count_include_pad=False): the averages at the borders differ")
        }, "\(differs.notes)")
    }
}
