import ConvArithmetic
import Testing

/// Whether `body` throws the overflow error (not any other refusal).
private func overflows(_ body: () throws(ArithmeticError) -> Any?) -> Bool {
    do {
        _ = try body()
        return false
    } catch {
        if case .overflow = error { return true }
        return false
    }
}

@Suite("Arithmetic never traps")
struct RobustnessTests {
    @Test("sizes near Int.max come back as overflow errors, never as crashes or wrapped sizes")
    func hugeSizesAreRefusedWithOverflow() throws {
        #expect(overflows { () throws(ArithmeticError) in try ConvolutionSpec(kernel: [Int.max], dilation: [2]) })
        #expect(overflows { () throws(ArithmeticError) in try ConvolutionSpec(kernel: [3], padding: .symmetric([Int.max])).shape(input: [Int.max]) })
        #expect(overflows { () throws(ArithmeticError) in try TransposedConvolutionSpec(kernel: [3], stride: [Int.max]).shape(input: [Int.max]) })
        #expect(overflows { () throws(ArithmeticError) in
            try PoolingSpec(kernel: [3], stride: [1], padding: .named(.same), convention: .tensorflow).shape(input: [Int.max - 1])
        })
        #expect(overflows { () throws(ArithmeticError) in try ChannelConfiguration(input: [1, 2, 5], weight: [2, Int.max / 2, 3], operation: .transposedConvolution, groups: 4) })
        // Large but representable sizes are exact.
        let large = try ConvolutionSpec(kernel: [3], stride: [7], padding: .symmetric([1])).shape(input: [1_000_000_000_000_000])
        #expect(large.output == [142_857_142_857_143])
    }

    @Test("zero and negative parameters are refused with the parameter named")
    func nonPositiveParametersAreRefused() {
        #expect(throws: ArithmeticError.nonPositive(parameter: "stride", axis: nil, value: 0)) { try ConvolutionSpec(kernel: [3], stride: [0]) }
        #expect(throws: ArithmeticError.nonPositive(parameter: "kernel", axis: 1, value: -2)) { try ConvolutionSpec(kernel: [3, -2]) }
        #expect(throws: ArithmeticError.negative(parameter: "padding", axis: nil, value: -1)) { try ConvolutionSpec(kernel: [3], padding: .symmetric([-1])) }
        #expect(throws: ArithmeticError.nonPositive(parameter: "input size", axis: 0, value: 0)) { try ConvolutionSpec(kernel: [3]).shape(input: [0]) }
        #expect(throws: ArithmeticError.rankMismatch(parameter: "kernel", expected: 3, actual: 2)) { try ConvolutionSpec(kernel: [3, 3]).shape(input: [8, 8, 8]) }
        // Pooling's default stride is the kernel: a kernel of 0 is named as the kernel, under every convention.
        for convention in Convention.all {
            #expect(throws: ArithmeticError.nonPositive(parameter: "kernel", axis: nil, value: 0)) { try PoolingSpec(kernel: [0], convention: convention) }
            #expect(throws: ArithmeticError.nonPositive(parameter: "kernel", axis: 1, value: -1)) { try PoolingSpec(kernel: [2, -1], convention: convention) }
        }
    }

    @Test("a kernel larger than the padded input is an error that names the sizes")
    func kernelLargerThanPaddedInputIsAnError() {
        #expect(throws: ArithmeticError.kernelExceedsPaddedInput(axis: 0, effectiveKernel: 5, input: 2, paddingBefore: 1, paddingAfter: 1)) {
            try ConvolutionSpec(kernel: [3], padding: .symmetric([1]), dilation: [2]).shape(input: [2])
        }
        let message = ArithmeticError.kernelExceedsPaddedInput(axis: 0, effectiveKernel: 5, input: 2, paddingBefore: 1, paddingAfter: 1).description
        #expect(message.contains("5") && message.contains("4"))
    }

    @Test("output padding at or above max(stride, dilation) is refused under PyTorch, above stride under TensorFlow")
    func outputPaddingLimits() throws {
        #expect(throws: ArithmeticError.self) { try TransposedConvolutionSpec(kernel: [3], stride: [2], outputPadding: [2]).shape(input: [4]) }
        #expect(try TransposedConvolutionSpec(kernel: [3], stride: [1], dilation: [3], outputPadding: [2]).shape(input: [4]).output == [12])
        #expect(throws: ArithmeticError.self) {
            try TransposedConvolutionSpec(kernel: [3], stride: [1], padding: .named(.valid), dilation: [3], outputPadding: [2], convention: .tensorflow).shape(input: [4])
        }
    }

    @Test("Keras's output_padding=None differs from an explicit 0")
    func kerasNoneDiffersFromZero() throws {
        let none = try TransposedConvolutionSpec(kernel: [1], stride: [3], padding: .named(.valid), convention: .tensorflow).shape(input: [4])
        let zero = try TransposedConvolutionSpec(kernel: [1], stride: [3], padding: .named(.valid), outputPadding: [0], convention: .tensorflow).shape(input: [4])
        #expect(none.output == [12])
        #expect(zero.output == [10])
    }
}

@Suite("Framework limits on large sizes")
struct LargeSizeTests {
    @Test("PyTorch pooling refuses outputs beyond 32 bits; ONNX and convolutions compute them exactly")
    func pytorchPoolingOutputsAreLimitedTo32Bits() throws {
        let input = 1_000_000_000_000
        #expect(throws: ArithmeticError.self) {
            try PoolingSpec(kernel: [3], stride: [1], padding: .symmetric([1])).shape(input: [input])
        }
        #expect(try PoolingSpec(kernel: [3], stride: [1], padding: .symmetric([1]), convention: .onnx).shape(input: [input]).output == [input])
        #expect(try PoolingSpec(kernel: [3], stride: [2], padding: .symmetric([1])).shape(input: [2_147_483_648]).output == [1_073_741_824])
        #expect(try ConvolutionSpec(kernel: [3], padding: .symmetric([1])).shape(input: [input]).output == [input])
    }
}
