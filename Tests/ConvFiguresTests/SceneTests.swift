import ConvArithmetic
import ConvFigures
import ConvKernels
import Testing

/// Random layers for scene checks.
private struct RandomLayers: Sequence, IteratorProtocol {
    var rng: SplitMix64
    var remaining: Int

    mutating func next() -> LayerShape? {
        while remaining > 0 {
            remaining -= 1
            let rank = Int.random(in: 1...3, using: &rng)
            let kernel = (0..<rank).map { _ in Int.random(in: 1...4, using: &rng) }
            let stride = (0..<rank).map { _ in Int.random(in: 1...3, using: &rng) }
            let dilation = (0..<rank).map { _ in Int.random(in: 1...2, using: &rng) }
            let padding = (0..<rank).map { _ in Int.random(in: 0...2, using: &rng) }
            let input = (0..<rank).map { _ in Int.random(in: 1...6, using: &rng) }
            switch Int.random(in: 0..<3, using: &rng) {
            case 0:
                if let shape = try? ConvolutionSpec(kernel: kernel, stride: stride, padding: .symmetric(padding), dilation: dilation).shape(input: input) { return shape }
            case 1:
                if let shape = try? PoolingSpec(kernel: kernel, stride: stride, padding: .symmetric(padding.map { Swift.min($0, 1) }), dilation: dilation,
                                                ceilMode: Bool.random(using: &rng)).shape(input: input) { return shape }
            default:
                let outputPadding = (0..<rank).map { Int.random(in: 0..<stride[$0], using: &rng) }
                if let shape = try? TransposedConvolutionSpec(kernel: kernel, stride: stride, padding: .symmetric(padding), dilation: dilation,
                                                              outputPadding: outputPadding).shape(input: input) { return shape }
            }
        }
        return nil
    }
}

@Suite("Scenes follow the arithmetic")
struct SceneTests {
    @Test("frames, grid sizes, padding, inserted zeros and shaded cells match the core and the reference kernels' index sets")
    func scenesMatchTheArithmetic() throws {
        var checked = 0
        for shape in RandomLayers(rng: SplitMix64(state: 42), remaining: 400) {
            let scene = try Scene(shape: shape)
            checked += 1
            #expect(scene.frames.count == shape.output.reduce(1, *))
            #expect(scene.upperSizes == shape.output)
            // Count the cells of each kind.
            var inputs = 0, paddings = 0, inserted = 0
            var coordinates = [Int](repeating: 0, count: shape.rank)
            for _ in 0..<scene.lower.count {
                switch scene.lower.cell(at: coordinates) {
                case .input: inputs += 1
                case .padding: paddings += 1
                case .insertedZero: inserted += 1
                }
                RowMajor.advance(&coordinates, sizes: scene.lower.sizes)
            }
            switch shape.operation {
            case .convolution, .pooling:
                #expect(scene.lower.sizes == shape.axes.map { $0.input + $0.padding.before + $0.padding.after })
                #expect(inputs == shape.input.reduce(1, *))
                #expect(inserted == 0)
                // The shaded input cells of each frame are exactly the inputs its window reads (the kernels' walk).
                let walk = shape.windowWalk
                var windows: [[Int]] = []
                walk.forEachWindow { _, taps in windows.append(taps.compactMap(\.input).sorted()) }
                for (index, frame) in scene.frames.enumerated() {
                    let shaded = frame.footprint.compactMap { cell -> Int? in
                        if case .input(let flat) = scene.lower.cell(at: cell) { return flat }
                        return nil
                    }.sorted()
                    #expect(shaded == windows[index], "\(shape.name) frame \(index)")
                }
            case .transposedConvolution:
                let equivalents = try shape.axes.map { try $0.equivalentConvolution() }
                let full = equivalents.map { $0.stretchedInput + $0.padding.before + $0.padding.after }
                #expect(scene.lower.sizes == full)
                // Every input unit appears once (unless cropped by a negative p'), with s − 1 zeros between neighbours.
                if equivalents.allSatisfy({ $0.padding.before >= 0 && $0.padding.after >= 0 }) {
                    #expect(inputs == shape.input.reduce(1, *))
                    #expect(inserted == equivalents.map(\.stretchedInput).reduce(1, *) - inputs)
                }
                // Each frame's window is the stride-1 window of the equivalent convolution.
                for frame in scene.frames {
                    #expect(frame.footprint.count == shape.axes.map(\.kernel).reduce(1, *))
                    for cell in frame.footprint {
                        for axis in cell.indices {
                            let offset = cell[axis] - frame.output[axis]
                            #expect(offset >= 0 && offset % shape.axes[axis].dilation == 0 && offset / shape.axes[axis].dilation < shape.axes[axis].kernel)
                        }
                    }
                }
            }
        }
        #expect(checked > 100)
    }

    @Test("the seed's Figure 2.11 scene: 3×3 input stretched to 5×5, p' = 1 before and 2 after, 6×6 output")
    func seedFigure211() throws {
        let shape = try TransposedConvolutionSpec(kernel: [3, 3], stride: [2], padding: .symmetric([1]), outputPadding: [1]).shape(input: [3, 3])
        let scene = try Scene(shape: shape)
        #expect(scene.lower.sizes == [8, 8])
        #expect(scene.lower.cell(at: [0, 0]) == .padding)
        #expect(scene.lower.cell(at: [1, 1]) == .input(0))
        #expect(scene.lower.cell(at: [1, 2]) == .insertedZero)
        #expect(scene.lower.cell(at: [5, 5]) == .input(8))
        #expect(scene.lower.cell(at: [7, 7]) == .padding)
        #expect(scene.frames.count == 36)
        #expect(scene.lowerLabel.contains("input (i')") && scene.upperLabel == "output (o')")
        #expect(scene.caption.contains("i' = 3") && scene.caption.contains("o' = 6") && scene.caption.contains("a = 1"))
    }
}
