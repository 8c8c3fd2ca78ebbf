import ConvArithmetic
import ConvKernels
import PropertyBased
import Testing

/// A deterministic generator for tensor values.
typealias SeededGenerator = SplitMix64

/// Random layer parameters for one case: rank 1 or 2, groups, dilation, padding, output padding.
struct LayerCase: Sendable, CustomStringConvertible {
    let input: [Int], kernel: [Int], stride: [Int], padding: [Int], dilation: [Int], outputPadding: [Int]
    let groups: Int, inGroup: Int, outGroup: Int, batch: Int, seed: UInt64

    var description: String {
        "i=\(input) k=\(kernel) s=\(stride) p=\(padding) d=\(dilation) a=\(outputPadding) groups=\(groups) in/g=\(inGroup) out/g=\(outGroup) seed=\(seed)"
    }

    static let generator = Gen.int(in: 0...Int(Int32.max)).map { seed -> LayerCase in
        var rng = SeededGenerator(state: UInt64(seed))
        let rank = Int.random(in: 1...2, using: &rng)
        let kernel = (0..<rank).map { _ in Int.random(in: 1...4, using: &rng) }
        let stride = (0..<rank).map { _ in Int.random(in: 1...3, using: &rng) }
        let dilation = (0..<rank).map { _ in Int.random(in: 1...2, using: &rng) }
        let padding = (0..<rank).map { _ in Int.random(in: 0...3, using: &rng) }
        let outputPadding = (0..<rank).map { axis in Int.random(in: 0..<stride[axis], using: &rng) }
        let input = (0..<rank).map { _ in Int.random(in: 1...6, using: &rng) }
        return LayerCase(input: input, kernel: kernel, stride: stride, padding: padding, dilation: dilation,
                         outputPadding: outputPadding, groups: Int.random(in: 1...2, using: &rng),
                         inGroup: Int.random(in: 1...2, using: &rng), outGroup: Int.random(in: 1...2, using: &rng),
                         batch: Int.random(in: 1...2, using: &rng), seed: UInt64(seed))
    }
}

private func relativeDifference(_ a: Tensor, _ b: Tensor) -> Float {
    let scale = max(a.data.map(abs).max() ?? 0, b.data.map(abs).max() ?? 0, 1)
    return a.maximumDifference(to: b) / scale
}

private func dot(_ a: [Float], _ b: [Float]) -> Double {
    zip(a, b).reduce(0) { $0 + Double($1.0) * Double($1.1) }
}

@Suite("The transposed convolution's faces agree")
struct FormulationAgreementTests {
    @Test("reference transposed = Cᵀ = stretched input = backward-data of the convolution, to 1e-5 relative")
    func transposedFormulationsAgree() async {
        var checked = 0
        await propertyCheck(count: 150, input: LayerCase.generator) { layer in
            guard let shape = try? TransposedConvolutionSpec(kernel: layer.kernel, stride: layer.stride, padding: .symmetric(layer.padding),
                                                            dilation: layer.dilation, outputPadding: layer.outputPadding).shape(input: layer.input)
            else { return }
            checked += 1
            var rng = SeededGenerator(state: layer.seed)
            let inputChannels = layer.groups * layer.inGroup, outputChannels = layer.groups * layer.outGroup
            let x = try Tensor.random(shape: [layer.batch, inputChannels] + layer.input, using: &rng)
            let w = try Tensor.random(shape: [inputChannels, layer.outGroup] + layer.kernel, using: &rng)
            let b = try Tensor.random(shape: [outputChannels], using: &rng)
            let reference = try ReferenceKernels.transposedConvolution(x, weight: w, bias: b, shape: shape, groups: layer.groups)
            let matrix = try ConvolutionMatrix.transposedConvolution(x, weight: w, bias: b, shape: shape, groups: layer.groups)
            #expect(relativeDifference(reference, matrix) <= 1e-5, "Cᵀ: \(layer)")
            if let stretched = try? StretchedTransposedConvolution.run(x, weight: w, bias: b, shape: shape, groups: layer.groups) {
                #expect(relativeDifference(reference, stretched) <= 1e-5, "stretched: \(layer)")
            }
            // Backward-data of the associated convolution, whose input is o' and output i'.
            let convolution = try #require(shape.associated)
            var gradient = try Gradients.input(outputGradient: x, weight: w, shape: convolution, groups: layer.groups)
            let planes = gradient.count / max(convolution.input.reduce(1, *), 1)
            for plane in 0..<planes { for index in 0..<convolution.input.reduce(1, *) { gradient.data[plane * convolution.input.reduce(1, *) + index] += b.data[plane % outputChannels] } }
            #expect(relativeDifference(reference, gradient) <= 1e-5, "backward-data: \(layer)")
        }
        #expect(checked >= 60, "only \(checked) generated cases were checkable")
    }

    @Test("C·x equals the reference convolution, and ⟨Cx, y⟩ = ⟨x, Cᵀy⟩")
    func matrixIsTheConvolutionAndItsTransposeIsTheAdjoint() async {
        var checked = 0
        await propertyCheck(count: 150, input: LayerCase.generator) { layer in
            guard let shape = try? ConvolutionSpec(kernel: layer.kernel, stride: layer.stride, padding: .symmetric(layer.padding),
                                                  dilation: layer.dilation).shape(input: layer.input) else { return }
            checked += 1
            var rng = SeededGenerator(state: layer.seed ^ 0xABCDEF)
            let inputChannels = layer.groups * layer.inGroup, outputChannels = layer.groups * layer.outGroup
            let x = try Tensor.random(shape: [1, inputChannels] + layer.input, using: &rng)
            let w = try Tensor.random(shape: [outputChannels, layer.inGroup] + layer.kernel, using: &rng)
            let reference = try ReferenceKernels.convolution(x, weight: w, shape: shape, groups: layer.groups)
            let c = try ConvolutionMatrix(shape: shape, inputChannels: inputChannels, outputChannels: outputChannels, groups: layer.groups)
            let cx = c.multiply(x.data[...], weight: w.data)
            #expect(relativeDifference(reference, try Tensor(shape: reference.shape, data: cx)) <= 1e-5, "\(layer)")
            let y = try Tensor.random(shape: [c.rows], using: &rng)
            let cty = c.multiplyTransposed(y.data[...], weight: w.data)
            let left = dot(cx, y.data), right = dot(x.data, cty)
            #expect(abs(left - right) <= 1e-4 * max(abs(left), 1), "\(layer): ⟨Cx, y⟩ = \(left), ⟨x, Cᵀy⟩ = \(right)")
        }
        #expect(checked >= 60, "only \(checked) generated cases were checkable")
    }

    @Test("the weight gradient matches finite differences of ⟨conv(x, w), r⟩")
    func weightGradientMatchesFiniteDifferences() async {
        var checked = 0
        await propertyCheck(count: 60, input: LayerCase.generator) { layer in
            guard let shape = try? ConvolutionSpec(kernel: layer.kernel, stride: layer.stride, padding: .symmetric(layer.padding),
                                                  dilation: layer.dilation).shape(input: layer.input) else { return }
            checked += 1
            var rng = SeededGenerator(state: layer.seed ^ 0x5EED)
            let inputChannels = layer.groups * layer.inGroup, outputChannels = layer.groups * layer.outGroup
            let x = try Tensor.random(shape: [layer.batch, inputChannels] + layer.input, using: &rng)
            var w = try Tensor.random(shape: [outputChannels, layer.inGroup] + layer.kernel, using: &rng)
            let r = try Tensor.random(shape: [layer.batch, outputChannels] + shape.output, using: &rng)
            let analytic = try Gradients.weight(outputGradient: r, x: x, shape: shape, outputChannels: outputChannels, groups: layer.groups)
            let epsilon: Float = 0.01
            for index in w.data.indices {
                let original = w.data[index]
                w.data[index] = original + epsilon
                let plus = dot(try ReferenceKernels.convolution(x, weight: w, shape: shape, groups: layer.groups).data, r.data)
                w.data[index] = original - epsilon
                let minus = dot(try ReferenceKernels.convolution(x, weight: w, shape: shape, groups: layer.groups).data, r.data)
                w.data[index] = original
                let numeric = (plus - minus) / Double(2 * epsilon)
                #expect(abs(numeric - Double(analytic.data[index])) <= 1e-2 * max(1, abs(numeric)), "\(layer) weight \(index)")
            }
        }
        #expect(checked >= 25, "only \(checked) generated cases were checkable")
    }
}

@Suite("The matrix C as the paper prints it")
struct ConvolutionMatrixTests {
    @Test("C of the seed's Figure 2.2 convolution (i = 4, k = 3) has the weights of Figure 2.3")
    func seedFigureMatrix() throws {
        let shape = try ConvolutionSpec(kernel: [3, 3]).shape(input: [4, 4])
        let c = try ConvolutionMatrix(shape: shape)
        #expect(c.rows == 4 && c.columns == 16)
        let symbolic = c.symbolic()
        #expect(symbolic[0] == ["w₀,₀", "w₀,₁", "w₀,₂", "0", "w₁,₀", "w₁,₁", "w₁,₂", "0", "w₂,₀", "w₂,₁", "w₂,₂", "0", "0", "0", "0", "0"])
        #expect(symbolic[3] == ["0", "0", "0", "0", "0", "w₀,₀", "w₀,₁", "w₀,₂", "0", "w₁,₀", "w₁,₁", "w₁,₂", "0", "w₂,₀", "w₂,₁", "w₂,₂"])
        #expect(c.nonZeroCount == 36)
    }
}
