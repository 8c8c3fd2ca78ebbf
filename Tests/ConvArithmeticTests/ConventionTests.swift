import ConvArithmetic
import Testing

/// The first message of a refused layer, or `nil` when it resolves.
private func refusal(_ parameters: LayerParameters) -> String? {
    do {
        _ = try Layer(parameters)
        return nil
    } catch {
        return error.description
    }
}

/// The message of a refused shape, or `nil` when it resolves.
private func refusalMessage(_ body: () throws -> LayerShape) -> String? {
    do {
        _ = try body()
        return nil
    } catch {
        return String(describing: error)
    }
}

@Suite("Conventions are values")
struct ConventionTests {
    @Test("every convention is found by its name, in any case, and unknown names are not", arguments: Convention.all)
    func namesRoundTrip(convention: Convention) {
        #expect(Convention(name: convention.name) == convention)
        #expect(Convention(name: convention.name.uppercased()) == convention)
        #expect(Convention(name: convention.name + "x") == nil)
        #expect(Convention.namesInWords.contains(convention.name))
    }

    @Test("the list of conventions has five distinct names, PyTorch first")
    func theListIsComplete() {
        #expect(Convention.all.map(\.name) == ["pytorch", "onnx", "tensorflow", "jax", "mlx"])
        #expect(Set(Convention.all).count == Convention.all.count)
        #expect(Convention.default == .pytorch)
    }

    @Test("ranks beyond a framework's layers are refused, and the message names the conventions that have them")
    func ranksFollowTheFramework() throws {
        let fourD = LayerParameters(operation: .convolution, input: [1, 3, 224, 224], kernel: [1, 1, 3, 3], convention: .pytorch)
        let message = try #require(refusal(fourD))
        #expect(message.contains("PyTorch has no conv4d"))
        #expect(message.contains("onnx or jax"))
        for convention in [Convention.onnx, .jax] {
            var layer = fourD
            layer.convention = convention
            #expect(try Layer(layer).shape.output == [1, 3, 222, 222])
        }
        var mlx = fourD
        mlx.convention = .mlx
        #expect(refusal(mlx) != nil)
    }

    @Test("PyTorch has 'same' for convolutions only; the refusal names the conventions that have it for pooling")
    func pytorchSameIsForConvolutionsOnly() throws {
        let pool = LayerParameters(operation: .pooling, input: [8], kernel: [3], stride: [1], padding: .named(.same))
        let message = try #require(refusal(pool))
        #expect(message.contains("PyTorch has no padding 'same' for a pool1d"))
        #expect(message.contains("onnx, tensorflow or jax"))
        #expect(refusal(LayerParameters(operation: .transposedConvolution, input: [8], kernel: [3], padding: .named(.same))) != nil)
        #expect(try Layer(LayerParameters(operation: .convolution, input: [8], kernel: [4], padding: .named(.same))).shape.output == [8])
    }

    @Test("JAX: negative padding crops, an empty kernel gives i + 1, SAME takes strides with dilation")
    func jaxRules() throws {
        let crop = try ConvolutionSpec(kernel: [3], padding: .explicit([AxisPadding(before: -1, after: 0)]), convention: .jax).shape(input: [10])
        #expect(crop.output == [7])
        #expect(try ConvolutionSpec(kernel: [0], convention: .jax).shape(input: [5]).output == [6])
        #expect(throws: ArithmeticError.nonPositive(parameter: "kernel", axis: nil, value: 0)) { try ConvolutionSpec(kernel: [0], convention: .pytorch) }
        #expect(throws: ArithmeticError.negative(parameter: "padding", axis: nil, value: -1)) {
            try ConvolutionSpec(kernel: [3], padding: .symmetric([-1]), convention: .onnx)
        }
        let same = try ConvolutionSpec(kernel: [3], stride: [2], padding: .named(.same), dilation: [2], convention: .jax).shape(input: [9])
        #expect(same.output == [5])
        // lax.conv_transpose: SAME gives i·s, VALID i·s + max(k̂ − s, 0); neither takes an output padding.
        #expect(try TransposedConvolutionSpec(kernel: [3], stride: [2], padding: .named(.same), convention: .jax).shape(input: [5]).output == [10])
        #expect(try TransposedConvolutionSpec(kernel: [1], stride: [3], padding: .named(.valid), convention: .jax).shape(input: [4]).output == [12])
        #expect(throws: ArithmeticError.self) {
            try TransposedConvolutionSpec(kernel: [3], stride: [2], padding: .named(.same), outputPadding: [1], convention: .jax).shape(input: [5])
        }
        // Explicit padding: the stretched-input equivalence, with no limit on a.
        #expect(try TransposedConvolutionSpec(kernel: [3], stride: [2], padding: .symmetric([1]), outputPadding: [3], convention: .jax)
            .shape(input: [4]).output == [10])
    }

    @Test("JAX: conv_transpose takes a size-0 kernel as its convolution does (SAME and VALID give i·s)",
          arguments: [(1, 1), (2, 2), (5, 1), (5, 2), (5, 3)])
    func jaxTransposedTakesAnEmptyKernel(input: Int, stride: Int) throws {
        // Measured with jax 0.10.2: jax.eval_shape(lax.conv_transpose) of a (0, 1, 1) kernel, SAME and VALID.
        for padding in [PaddingMode.same, .valid] {
            let shape = try TransposedConvolutionSpec(kernel: [0], stride: [stride], padding: .named(padding), convention: .jax).shape(input: [input])
            #expect(shape.output == [input * stride], "\(padding)")
        }
        // Explicit padding p: the stretched input with p' = k̂ − 1 − p on each side, k̂ = 0: s(i − 1) − 2p.
        if input > 1 {
            #expect(try TransposedConvolutionSpec(kernel: [0], stride: [stride], padding: .symmetric([0]), convention: .jax).shape(input: [input]).output
                == [stride * (input - 1)])
        }
        #expect(throws: ArithmeticError.self) { try TransposedConvolutionSpec(kernel: [0], stride: [stride], convention: .pytorch) }
    }

    @Test("MLX: a transposed padding beyond k̂ − 1 crops whole input units, so its size differs from PyTorch's")
    func mlxTransposedCropsInputUnits() throws {
        let mlx = try TransposedConvolutionSpec(kernel: [1], stride: [3], padding: .symmetric([1]), convention: .mlx).shape(input: [8])
        let pytorch = try TransposedConvolutionSpec(kernel: [1], stride: [3], padding: .symmetric([1]), convention: .pytorch).shape(input: [8])
        #expect(mlx.output == [16])
        #expect(pytorch.output == [20])
        #expect(mlx.slicesWholeInputUnits)
        #expect(!pytorch.slicesWholeInputUnits)
        // Within p ≤ k̂ − 1 the two agree.
        let inside = try TransposedConvolutionSpec(kernel: [4], stride: [2], padding: .symmetric([1]), convention: .mlx).shape(input: [8])
        #expect(inside.output == [16])
    }

    @Test("MLX refuses groups above 1 in 3-D, and pooling options it does not have")
    func mlxRefusals() throws {
        let grouped = LayerParameters(operation: .convolution, input: [4, 4, 4], kernel: [3], convention: .mlx, channels: 4, outputChannels: 4, groups: 2)
        #expect(try #require(refusal(grouped)).contains("groups above 1 only up to 2"))
        var twoD = grouped
        twoD.input = [4, 4]
        #expect(try Layer(twoD).tensors?.weight == [4, 2, 3, 3])
        #expect(refusal(LayerParameters(operation: .pooling, input: [8], kernel: [2], dilation: [2], convention: .mlx)) != nil)
        #expect(refusal(LayerParameters(operation: .pooling, input: [8], kernel: [2], ceilMode: true, convention: .mlx)) != nil)
        #expect(refusal(LayerParameters(operation: .pooling, input: [8], kernel: [2], poolingMode: .average,
                                        countIncludePad: false, convention: .mlx)) != nil)
    }

    @Test("TensorFlow takes explicit pooling padding below the kernel, for max pooling of 1 or 2 axes only (as tf.nn.max_pool2d and avg_pool2d do)")
    func tensorflowExplicitPoolingPadding() throws {
        // TensorFlow 2.21: max_pool2d k 2 with padding [1, 1] gives 3 → 4, [0, 1] too; [2, 2], [0, 2] and [2, 0]
        // fail ("Top/Bottom padding 2 needs to be smaller than the window size 2"); avg_pool2d and max_pool3d
        // take a string padding only ("Expected string for argument 'padding'").
        let max2D = try PoolingSpec(kernel: [2, 2], stride: [1, 1], padding: .explicit([AxisPadding(1), AxisPadding(0)]), convention: .tensorflow)
        #expect(try max2D.shape(input: [3, 3]).output == [4, 2])
        let uneven = try PoolingSpec(kernel: [2], stride: [1], padding: .explicit([AxisPadding(before: 0, after: 1)]), convention: .tensorflow)
        #expect(try uneven.shape(input: [3]).output == [3])
        for padding in [AxisPadding(2), AxisPadding(before: 0, after: 2), AxisPadding(before: 2, after: 0)] {
            let spec = try PoolingSpec(kernel: [2], stride: [1], padding: .explicit([padding]), convention: .tensorflow)
            #expect(throws: ArithmeticError.poolingPaddingTooLarge(axis: 0, padding: 2, kernel: 2, limit: 1, convention: .tensorflow),
                    "\(padding)") { try spec.shape(input: [3]) }
        }
        let average = try PoolingSpec(kernel: [3], stride: [2], padding: .symmetric([1]), mode: .average, convention: .tensorflow)
        let message = try #require(refusalMessage { try average.shape(input: [5]) })
        #expect(message.contains("average pooling takes padding 'valid' or 'same'") && message.contains("pytorch"))
        let max3D = try PoolingSpec(kernel: [2, 2, 2], padding: .symmetric([1, 0, 0]), convention: .tensorflow)
        #expect(refusalMessage { try max3D.shape(input: [4, 4, 4]) }?.contains("3-D max pooling") == true)
        // 'same' (the padding TensorFlow computes) and explicit zeros stay accepted everywhere.
        #expect(try PoolingSpec(kernel: [3], stride: [2], padding: .named(.same), mode: .average, convention: .tensorflow)
            .shape(input: [5]).output == [3])
        #expect(try PoolingSpec(kernel: [2, 2, 2], padding: .symmetric([0, 0, 0]), convention: .tensorflow).shape(input: [4, 4, 4]).output == [2, 2, 2])
    }

    @Test("max pooling's NaN and zero rules come from the convention: PyTorch, JAX and MLX propagate, ONNX Runtime and TensorFlow pass NaN over from −FLT_MAX; JAX keeps +0 above −0")
    func maxPoolingNaNRules() {
        #expect(Convention.all.filter { $0.pooling.maxNaN == .propagates }.map(\.name) == ["pytorch", "jax", "mlx"])
        #expect(Convention.tensorflow.pooling.emptyMaxWindow == -.greatestFiniteMagnitude)
        #expect(Convention.jax.pooling.emptyMaxWindow == -.infinity)
        #expect(Convention.all.filter { $0.pooling.maxOfZeros == .positive }.map(\.name) == ["jax"])
    }

    @Test("pooling defaults come from the convention: stride, divisor and the empty max window")
    func poolingDefaults() throws {
        #expect(try PoolingSpec(kernel: [2], convention: .pytorch).shape(input: [8]).output == [4])
        #expect(try PoolingSpec(kernel: [2], convention: .onnx).shape(input: [8]).output == [7])
        #expect(Convention.pytorch.pooling.countsPadding(nil))
        #expect(!Convention.onnx.pooling.countsPadding(nil))
        #expect(!Convention.tensorflow.pooling.countsPadding(true))
        #expect(Convention.mlx.pooling.countsPadding(nil))
        #expect(Convention.onnx.pooling.emptyMaxWindow == -.greatestFiniteMagnitude)
        #expect(Convention.pytorch.pooling.emptyMaxWindow == -.infinity)
    }

    @Test("a Layer carries every tensor shape, and refuses channels that do not divide by the groups")
    func layerTensorShapes() throws {
        let transposed = try Layer(LayerParameters(operation: .transposedConvolution, input: [8, 8], kernel: [4], stride: [2],
                                                   padding: .symmetric([1]), batch: 2, channels: 256, outputChannels: 128, groups: 2))
        let tensors = try #require(transposed.tensors)
        #expect(tensors.x == [2, 256, 8, 8])
        #expect(tensors.weight == [256, 64, 4, 4])
        #expect(tensors.bias == [128])
        #expect(tensors.y == [2, 128, 16, 16])
        #expect(transposed.outputShape == tensors.y)
        #expect(throws: ArithmeticError.channelsNotDivisibleByGroups(role: "output channels", channels: 3, groups: 2)) {
            try Layer(LayerParameters(operation: .convolution, input: [8], kernel: [3], channels: 4, outputChannels: 3, groups: 2))
        }
    }
}
