import ConvArithmetic
import ConvNets
import Testing

@Suite("Repairing a network that fails at a size")
struct LayerRepairTests {
    static func unet() throws -> Network {
        try NetworkFile.load(path: Fixtures.url("unet.yaml").path)
    }

    @Test("a U-Net at 100 (not a multiple of 8): the smallest repair is output padding 1 on the transposed convolution before the broken skip, and it works")
    func unetRepairIsTheDecodersOutputPadding() throws {
        let network = try Self.unet().withInputShape([1, 1, 100, 100])
        #expect(network.analyze().firstFailure?.name == "skip3")
        let repairs = network.repairs()
        let first = try #require(repairs.first)
        #expect(first.node == "up3" && first.change == .outputPadding(from: [0, 0], to: [1, 1]) && first.distance == 1, "\(repairs)")
        #expect(first.description == "up3: output_padding [0, 0] → [1, 1]")
        for repair in repairs {
            let repaired = try #require(network.applying(repair))
            #expect(repaired.analyze().status == .complete, "\(repair)")
        }
        // Smallest first: no later repair moves fewer units.
        #expect(zip(repairs, repairs.dropFirst()).allSatisfy { $0.magnitude <= $1.magnitude })
    }

    @Test("a network that does not fail needs no repair")
    func nothingToRepair() throws {
        #expect(try Self.unet().withInputShape([1, 1, 96, 96]).repairs().isEmpty)
    }

    @Test("an impossible layer (a 7-wide kernel on 6 inputs) is repaired by its own padding, one unit at each end")
    func impossibleLayerIsRepairedByItsPadding() throws {
        let network = try StackFile.read("""
            input: [1, 3, 6, 6]
            layers:
              - {op: conv, name: wide, out_channels: 4, kernel: 7}
              - {op: maxpool, name: pool, kernel: 2, stride: 2}
            """)
        #expect(network.analyze().firstFailure?.name == "wide")
        let first = try #require(network.repairs().first)
        #expect(first.node == "wide" && first.distance == 0)
        #expect(first.change == .padding(from: [AxisPadding(0), AxisPadding(0)], to: [AxisPadding(1), AxisPadding(1)]), "\(first)")
        #expect(network.applying(first)?.analyze().status == .complete)
    }

    @Test("a 1-D skip broken by a pooling's floor: output padding 1 on the upsampling, not a ceil mode that overshoots")
    func poolingFloorRepairedByOutputPadding() throws {
        // 15 → pool 2 → 7, transposed ×2 → 14 ≠ 15 at the add; ceil mode gives 8 → 16, not 15 either.
        let network = try StackFile.read("""
            input: [1, 2, 15]
            layers:
              - {op: conv, name: a, out_channels: 2, kernel: 3, padding: 1}
              - {op: maxpool, name: down, kernel: 2}
              - {op: transposed, name: up, out_channels: 2, kernel: 2, stride: 2}
              - {op: add, name: join, inputs: [up, a]}
            """)
        let repairs = network.repairs()
        #expect(repairs.first?.change == .outputPadding(from: [0], to: [1]) && repairs.first?.node == "up", "\(repairs)")
        #expect(!repairs.contains { if case .ceilMode = $0.change { true } else { false } })
    }

    @Test("a unit's field: the window at that unit and its part inside the input")
    func unitFieldPlacesTheWindow() throws {
        let report = try Self.unet().withInputShape([1, 1, 100, 100]).analyze()
        let field = try #require(report.layers.first { $0.name == "enc3" }?.receptiveField?.first)
        // r = 18, j = 4, start −7 after enc1, down1, enc2, down2 and enc3 (3×3 padded, 2×2 pools).
        let third = try #require(UnitField(field: field, unit: 3, inputSize: 100))
        #expect(third.first == Rational(5) && third.last == Rational(22) && third.inside == 5...22)
        let first = try #require(UnitField(field: field, unit: 0, inputSize: 100))
        #expect(first.first == Rational(-7) && first.inside == 0...10)
        let last = try #require(UnitField(field: field, unit: 24, inputSize: 100))
        #expect(last.last == Rational(106) && last.inside == 89...99)
        #expect(UnitField(field: .wholeInput(jump: nil), unit: 0, inputSize: 100) == nil)
    }
}
