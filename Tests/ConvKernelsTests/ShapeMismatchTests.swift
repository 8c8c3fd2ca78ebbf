import ConvArithmetic
import ConvKernels
import Testing

/// Whether `body` throws a shape mismatch for `tensor`.
private func refusesShape(of tensor: String, _ body: () throws(KernelError) -> Any) -> Bool {
    do {
        _ = try body()
        return false
    } catch {
        if case .shapeMismatch(let name, _, _) = error { return name == tensor }
        return false
    }
}

@Suite("Every kernel refuses a tensor that does not fit its layer")
struct ShapeMismatchTests {
    let convolution = try! ConvolutionSpec(kernel: [3, 3], padding: .symmetric([1])).shape(input: [5, 5])
    let transposed = try! TransposedConvolutionSpec(kernel: [3, 3], stride: [2], padding: .symmetric([1])).shape(input: [3, 3])
    let pooling = try! PoolingSpec(kernel: [2, 2]).shape(input: [4, 4])

    @Test("the reference convolution and C·x refuse a weight with another kernel, and a bias of another length")
    func convolutionRefusesWrongWeightAndBias() throws {
        let x = try Tensor(zeros: [1, 2, 5, 5])
        let wrongKernel = try Tensor(zeros: [4, 2, 2, 2])
        let weight = try Tensor(zeros: [4, 2, 3, 3])
        let wrongBias = try Tensor(zeros: [3])
        #expect(refusesShape(of: "w") { () throws(KernelError) in try ReferenceKernels.convolution(x, weight: wrongKernel, shape: convolution) })
        #expect(refusesShape(of: "w") { () throws(KernelError) in try ConvolutionMatrix.convolution(x, weight: wrongKernel, bias: nil, shape: convolution, groups: 1) })
        #expect(refusesShape(of: "b") { () throws(KernelError) in try ReferenceKernels.convolution(x, weight: weight, bias: wrongBias, shape: convolution) })
        #expect(refusesShape(of: "x") { () throws(KernelError) in try ReferenceKernels.convolution(try Tensor(zeros: [1, 2, 4, 5]), weight: weight, shape: convolution) })
    }

    @Test("every transposed formulation refuses a weight with the wrong input channels or kernel")
    func transposedRefusesWrongWeight() throws {
        let x = try Tensor(zeros: [1, 2, 3, 3])
        let wrongChannels = try Tensor(zeros: [3, 4, 3, 3])
        let wrongKernel = try Tensor(zeros: [2, 4, 2, 3])
        for weight in [wrongChannels, wrongKernel] {
            #expect(refusesShape(of: "w") { () throws(KernelError) in try ReferenceKernels.transposedConvolution(x, weight: weight, shape: transposed) })
            #expect(refusesShape(of: "w") { () throws(KernelError) in try ConvolutionMatrix.transposedConvolution(x, weight: weight, bias: nil, shape: transposed, groups: 1) })
            #expect(refusesShape(of: "w") { () throws(KernelError) in try StretchedTransposedConvolution.run(x, weight: weight, bias: nil, shape: transposed, groups: 1) })
        }
    }

    @Test("pooling refuses an input of other spatial sizes")
    func poolingRefusesWrongInput() throws {
        #expect(refusesShape(of: "x") { () throws(KernelError) in try ReferenceKernels.pooling(try Tensor(zeros: [1, 1, 4, 5]), shape: pooling, mode: .max) })
    }

    @Test("the input gradient refuses a weight whose kernel differs from the layer's (it used to trap)")
    func inputGradientRefusesWrongKernel() throws {
        let dy = try Tensor(zeros: [1, 4, 5, 5])
        #expect(refusesShape(of: "w") { () throws(KernelError) in
            try Gradients.input(outputGradient: dy, weight: try Tensor(zeros: [4, 2, 2, 2]), shape: convolution)
        })
        #expect(refusesShape(of: "dy") { () throws(KernelError) in
            try Gradients.input(outputGradient: try Tensor(zeros: [1, 4, 4, 4]), weight: try Tensor(zeros: [4, 2, 3, 3]), shape: convolution)
        })
        let dx = try Gradients.input(outputGradient: dy, weight: try Tensor(zeros: [4, 2, 3, 3]), shape: convolution)
        #expect(dx.shape == [1, 2, 5, 5])
    }

    @Test("the weight gradient refuses an output gradient of another shape")
    func weightGradientRefusesWrongOutputGradient() throws {
        let x = try Tensor(zeros: [1, 2, 5, 5])
        #expect(refusesShape(of: "dy") { () throws(KernelError) in
            try Gradients.weight(outputGradient: try Tensor(zeros: [1, 3, 5, 5]), x: x, shape: convolution, outputChannels: 4)
        })
    }

    @Test("a resolved Layer refuses an input other than the one it was resolved for")
    func layerRefusesOtherInput() throws {
        let layer = try Layer(LayerParameters(operation: .convolution, input: [5, 5], kernel: [3], padding: .symmetric([1]),
                                              channels: 2, outputChannels: 4))
        let weight = try Tensor(zeros: [4, 2, 3, 3])
        #expect(refusesShape(of: "x") { () throws(KernelError) in try Formulations.run(layer, x: try Tensor(zeros: [1, 3, 5, 5]), weight: weight, bias: nil) })
        #expect(try Formulations.run(layer, x: try Tensor(zeros: [1, 2, 5, 5]), weight: weight, bias: nil).shape == [1, 4, 5, 5])
    }
}
