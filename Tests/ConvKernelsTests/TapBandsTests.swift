import ConvArithmetic
@testable import ConvKernels
import Testing

/// The taps `t` of one axis whose input position `o·s + t·d − p` lies inside `0..<i`, found one tap at a time.
private func insideTaps(_ o: Int, input i: Int, kernel k: Int, stride s: Int, dilation d: Int,
                        padding p: Int) -> Set<Int> {
    Set((0..<k).filter { t in (0..<i).contains(o * s + t * d - p) })
}

@Suite("Bands of taps inside the input")
struct TapBandsTests {
    @Test("every output of a band multiplies exactly the taps whose input lies inside the input, the bands tile the outputs once, and neighbouring row bands differ: ranks 1–3, strides, dilations, paddings past the input, 1-D inputs of 3,000, rows and rectangles")
    func bandsHoldTheTapsInsideTheInput() throws {
        var rng = SeededGenerator(state: 2026)
        var checked = 0
        for trial in 0..<300 {
            let rank = trial % 3 + 1
            let long = trial % 25 == 0
            let input = (0..<rank).map { _ in long && rank == 1 ? 3000 : Int.random(in: 1...24, using: &rng) }
            let kernel = (0..<rank).map { axis in
                axis == 0 && rank > 1 && trial % 2 == 0 ? 1 : Int.random(in: 1...5, using: &rng)
            }
            let stride = (0..<rank).map { _ in Int.random(in: 1...3, using: &rng) }
            let dilation = (0..<rank).map { _ in Int.random(in: 1...3, using: &rng) }
            let padding = (0..<rank).map { _ in
                AxisPadding(before: Int.random(in: 0...9, using: &rng), after: Int.random(in: 0...9, using: &rng))
            }
            guard let shape = try? ConvolutionSpec(kernel: kernel, stride: stride, padding: .explicit(padding),
                                                   dilation: dilation, convention: .onnx).shape(input: input),
                  let g = Geometry3(shape.axes) else { continue }
            let inputs = [g.input.0, g.input.1, g.input.2], outputs = [g.output.0, g.output.1, g.output.2]
            let kernels = [g.kernel.0, g.kernel.1, g.kernel.2], strides = [g.stride.0, g.stride.1, g.stride.2]
            let dilations = [g.dilation.0, g.dilation.1, g.dilation.2]
            let paddings = [g.padding.0, g.padding.1, g.padding.2]
            func inside(_ o: Int, _ axis: Int) -> Set<Int> {
                insideTaps(o, input: inputs[axis], kernel: kernels[axis], stride: strides[axis],
                           dilation: dilations[axis], padding: paddings[axis])
            }
            for rectangles in [false, true] {
                guard let bands = TapBands(g, rectangles: rectangles) else { continue }
                let axis = (0..<3).first { outputs[$0] > 1 } ?? 2
                let tapsInner = kernels[(axis + 1)...].reduce(1, *)
                var covered = [Int](repeating: 0, count: g.outputCount)
                var previous: TapBands.Band?
                for band in bands.bands {
                    let taps = Set(band.taps.flatMap { Array($0) })
                    for o in band.outer {
                        if let columns = band.columns {
                            // A rectangle: row taps t₁ and column taps t₂ inside, as t₁·k₂ + t₂.
                            for column in columns {
                                let expected = Set(inside(o, 1).flatMap { t1 in
                                    inside(column, 2).map { t1 * kernels[2] + $0 }
                                })
                                #expect(taps == expected, "\(g) rectangle row \(o) column \(column)")
                                covered[o * bands.width + column] += 1
                            }
                        } else {
                            let expected = Set(inside(o, axis).flatMap { t in
                                (0..<tapsInner).map { t * tapsInner + $0 }
                            })
                            #expect(taps == expected, "\(g) row \(o) along axis \(axis)")
                            for index in (o * bands.inner)..<((o + 1) * bands.inner) { covered[index] += 1 }
                        }
                    }
                    if let previous, previous.columns == nil, band.columns == nil {
                        #expect(previous.taps != band.taps, "\(g): neighbouring bands with the same taps")
                    }
                    previous = band
                }
                #expect(covered.allSatisfy { $0 == 1 }, "\(g) rectangles \(rectangles)")
                checked += 1
            }
        }
        #expect(checked >= 300)
    }
}
