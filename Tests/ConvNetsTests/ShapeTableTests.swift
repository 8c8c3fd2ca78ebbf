import ConvArithmetic
import ConvNets
import Testing

@Suite("Shape tables")
struct ShapeTableTests {
    @Test("VGG-16 has torchvision's 138,357,544 parameters and ends in [1, 1000]")
    func vggParametersAndOutput() throws {
        let report = try Fixtures.network("vgg16.yaml").analyze()
        #expect(report.totalParameters == 138_357_544)
        #expect(report.layers.last?.outputShape == [1, 1000])
        #expect(Fixtures.row("pool5", in: report)?.outputShape == [1, 512, 7, 7])
        #expect(Fixtures.row("conv1_1", in: report)?.multiplyAdds == 64 * 3 * 9 * 224 * 224)
    }

    @Test("a U-Net whose input is not a multiple of 8 fails at the first skip connection, naming both shapes")
    func offByOneSkipConnectionIsReportedWhereItHappens() throws {
        let good = try Fixtures.network("unet.yaml").analyze()
        #expect(good.firstFailure == nil)
        #expect(good.layers.last?.outputShape == [1, 2, 64, 64])
        let broken = try Fixtures.network("unet.yaml").withInputShape([1, 1, 100, 100]).analyze()
        let failure = try #require(broken.firstFailure)
        #expect(failure.name == "skip3")
        #expect(failure.error?.contains("[1, 64, 24, 24]") == true && failure.error?.contains("[1, 64, 25, 25]") == true)
        #expect(failure.location?.line == 18)
        // Layers that do not depend on it are still computed; those that do are unknown, not errors.
        #expect(Fixtures.row("enc3", in: broken)?.outputShape == [1, 64, 25, 25])
        #expect(Fixtures.row("head", in: broken)?.outputShape == nil)
        #expect(Fixtures.row("head", in: broken)?.error == nil)
        #expect(broken.layers.filter { $0.error != nil }.count == 1)
    }

    @Test("an impossible layer's error is the core's message")
    func impossibleLayerCarriesTheCoreMessage() throws {
        let network = try StackFile.read("input: [1, 3, 4, 4]\nlayers:\n  - {op: conv, out_channels: 8, kernel: 7}\n  - relu")
        let report = network.analyze()
        #expect(report.firstFailure?.name == "conv_1")
        #expect(report.firstFailure?.error?.contains("larger than the padded input") == true)
        #expect(report.layers[1].note?.contains("conv_1") == true)
    }

    @Test("groups, bias: false and TensorFlow SAME are read through the core's rules")
    func groupsBiasAndConventions() throws {
        let network = try StackFile.read("""
            convention: tensorflow
            input: [2, 32, 15, 15]
            layers:
              - {op: conv, name: dw, out_channels: 32, kernel: 3, stride: 2, padding: same, groups: 32, bias: false}
              - {op: conv, name: pw, out_channels: 64, kernel: 1}
              - {op: global_avgpool, keep_dims: false}
              - {op: linear, out_features: 10, in_features: 64}
            """)
        let report = network.analyze()
        #expect(report.firstFailure == nil, "\(report.firstFailure?.error ?? "")")
        #expect(Fixtures.row("dw", in: report)?.outputShape == [2, 32, 8, 8])
        #expect(Fixtures.row("dw", in: report)?.parameters == 32 * 9)
        #expect(Fixtures.row("pw", in: report)?.parameters == 32 * 64 + 64)
        #expect(report.layers.last?.outputShape == [2, 10])
        let wrong = try StackFile.read("input: [1, 3, 8, 8]\nlayers:\n  - flatten\n  - {op: linear, in_features: 100, out_features: 2}").analyze()
        #expect(wrong.firstFailure?.error?.contains("expects 100 input features") == true)
    }

    @Test("a 100-layer stack is analysed, with every layer known")
    func hundredLayerStack() throws {
        var text = "input: [1, 8, 512]\nlayers:\n"
        for index in 0..<100 { text += "  - {op: conv, out_channels: 8, kernel: 3, padding: 1, dilation: \(1 + index % 4), stride: 1}\n" }
        let report = try StackFile.read(text.replacingOccurrences(of: "padding: 1, dilation", with: "padding: same, dilation")).analyze()
        #expect(report.layers.count == 100)
        #expect(report.layers.allSatisfy { $0.outputShape == [1, 8, 512] })
    }

    @Test("multiply-adds beyond 64 bits are marked on the layer and make the total unknown, never a smaller number")
    func overflowingWorkIsNeverDropped() throws {
        let text = """
            input: [1, 1000000, 100000, 100000]
            layers:
              - {op: conv, out_channels: 1000000, kernel: 3, padding: 1}
              - {op: conv, out_channels: 2, kernel: 1}
            """
        let report = try StackFile.read(text).analyze()
        #expect(report.firstFailure == nil)
        #expect(report.layers[0].multiplyAddsBeyondRange && report.layers[0].multiplyAdds == nil)
        #expect(report.layers[1].multiplyAdds == 2_000_000 * 100_000 * 100_000)
        #expect(report.totalMultiplyAdds == nil && report.multiplyAddsBeyondRange)
        #expect(report.totalParameters == 9_000_001_000_000 + 2_000_002)
    }

    @Test("adaptive average pooling to (7, 7) gives 7×7 whatever the input; to 1, the whole input")
    func adaptivePooling() throws {
        let text = """
            input: [2, 8, 37, 50]
            layers:
              - {op: adaptive_avgpool, name: seven, output_size: [7, 7]}
              - {op: adaptive_maxpool, name: one, output_size: 1, inputs: [input]}
              - {op: adaptive_avgpool, name: global}
            """
        let report = try StackFile.read(text).analyze()
        #expect(Fixtures.row("seven", in: report)?.outputShape == [2, 8, 7, 7])
        #expect(Fixtures.row("one", in: report)?.outputShape == [2, 8, 1, 1])
        #expect(Fixtures.row("one", in: report)?.receptiveField?.allSatisfy { $0.isWholeInput } == true)
        #expect(Fixtures.row("global", in: report)?.outputShape == [2, 8, 1, 1])
    }
}
