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
