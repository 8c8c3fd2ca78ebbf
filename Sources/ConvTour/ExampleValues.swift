import ConvArithmetic
import ConvFigures
import ConvKernels

/// Small integer values like the paper's first figures (inputs 0–3, a 0/1/2 kernel) and the results the
/// reference kernels compute from them.
public enum ExampleValues {
    /// The values of `shape`'s figure: the paper's Figure 1.1 input repeated, a 0/1/2 kernel, and the
    /// reference kernels' output (a transposed convolution shows its equivalent convolution's flipped kernel).
    public static func values(for shape: LayerShape, mode: PoolingMode, groups: Int = 1) throws(KernelError) -> CellValues {
        let inputCount = shape.input.reduce(1, *)
        let kernelPattern: [Float] = [0, 1, 2, 2, 2, 0, 0, 1, 2]
        let taps = shape.axes.map(\.kernel).reduce(1, *)
        // The input of the paper's Figure 1.1, repeated for larger inputs.
        let paperInput: [Float] = [3, 3, 2, 1, 0, 0, 0, 1, 3, 1, 3, 1, 2, 2, 3, 2, 0, 0, 2, 2, 2, 0, 0, 0, 1]
        let input = (0..<inputCount).map { paperInput[$0 % paperInput.count] }
        let kernel = (0..<taps).map { kernelPattern[$0 % kernelPattern.count] }
        let x = try Tensor(shape: [1, 1] + shape.input, data: input)
        let y: Tensor
        switch shape.operation {
        case .pooling:
            y = try ReferenceKernels.pooling(x, shape: shape, mode: mode)
            return CellValues(input: input, kernel: [], output: y.data)
        case .convolution:
            y = try ReferenceKernels.convolution(x, weight: try Tensor(shape: [1, 1] + shape.axes.map(\.kernel), data: kernel), shape: shape)
        case .transposedConvolution:
            y = try ReferenceKernels.transposedConvolution(x, weight: try Tensor(shape: [1, 1] + shape.axes.map(\.kernel), data: kernel), shape: shape)
            // The figure shows the equivalent convolution, whose kernel is the flipped one.
            return CellValues(input: input, kernel: kernel.reversed(), output: y.data)
        }
        return CellValues(input: input, kernel: kernel, output: y.data)
    }
}
