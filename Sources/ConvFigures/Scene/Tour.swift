import ConvArithmetic

/// The figures `convarith tour` renders: every figure the seed refers to (its Figures 2.2, 2.3 and
/// 2.5–2.11), the convolution figures of the paper's chapter 2, pooling and dilation.
public enum Tour {
    /// One figure of the tour.
    public struct Figure: Sendable {
        /// File name stem.
        public let name: String
        /// Where it comes from ("seed Figure 2.9 · paper Figure 4.5").
        public let source: String
        /// What it shows.
        public let summary: String
        /// The layer drawn.
        public let shape: LayerShape
        /// For a transposed figure: the convolution it is the transpose of.
        public let convolution: LayerShape?
        /// Pooling mode, for pooling figures.
        public let poolingMode: PoolingMode?
    }

    /// The matrix figure's convolution (the seed's Figure 2.2 and 2.3: i = 4, k = 3).
    public static func matrixConvolution() throws(ArithmeticError) -> LayerShape {
        try ConvolutionSpec(kernel: [3, 3]).shape(input: [4, 4])
    }

    /// All layer figures, in reading order.
    public static func figures() throws(ArithmeticError) -> [Figure] {
        func conv(_ name: String, _ source: String, _ summary: String, i: Int, k: Int, s: Int = 1, p: Int = 0, d: Int = 1) throws(ArithmeticError) -> Figure {
            let shape = try ConvolutionSpec(kernel: [k, k], stride: [s], padding: .symmetric([p]), dilation: [d]).shape(input: [i, i])
            return Figure(name: name, source: source, summary: summary, shape: shape, convolution: nil, poolingMode: nil)
        }
        func transposed(_ name: String, _ source: String, _ summary: String, i: Int, k: Int, s: Int = 1, p: Int = 0) throws(ArithmeticError) -> Figure {
            // The transposed layer of the convolution (i, k, s, p), which restores i.
            let forward = try ConvolutionSpec(kernel: [k, k], stride: [s], padding: .symmetric([p])).shape(input: [i, i])
            let a = forward.axes.map { $0.associatedTransposed.outputPadding }
            let shape = try TransposedConvolutionSpec(kernel: [k, k], stride: [s], padding: .symmetric([p]), outputPadding: a)
                .shape(input: forward.output)
            return Figure(name: name, source: source, summary: summary, shape: shape, convolution: forward, poolingMode: nil)
        }
        func pool(_ name: String, _ source: String, _ summary: String, mode: PoolingMode) throws(ArithmeticError) -> Figure {
            let shape = try PoolingSpec(kernel: [3, 3], stride: [1], mode: mode).shape(input: [5, 5])
            return Figure(name: name, source: source, summary: summary, shape: shape, convolution: nil, poolingMode: mode)
        }
        return [
            try conv("conv-no-padding-unit-strides", "seed Figure 2.2 · paper Figure 2.1",
                     "A 3×3 kernel over a 4×4 input, unit strides, no padding.", i: 4, k: 3),
            try conv("conv-arbitrary-padding", "paper Figure 2.2", "A 4×4 kernel over a 5×5 input padded with a 2×2 border of zeros.", i: 5, k: 4, p: 2),
            try conv("conv-half-padding", "paper Figure 2.3", "Half (same) padding: the output keeps the input's size.", i: 5, k: 3, p: 1),
            try conv("conv-full-padding", "paper Figure 2.4", "Full padding: every partial overlap of kernel and input is an output.", i: 5, k: 3, p: 2),
            try conv("conv-no-padding-strides", "paper Figure 2.6", "Stride 2, no padding.", i: 5, k: 3, s: 2),
            try conv("conv-padding-strides", "paper Figure 2.7", "Stride 2 with a 1×1 border of zeros.", i: 5, k: 3, s: 2, p: 1),
            try conv("conv-padding-strides-odd", "paper Figure 2.8",
                     "Stride 2 over a 6×6 input: the last row and column are never the start of a window, which is why the transpose needs output padding.", i: 6, k: 3, s: 2, p: 1),
            try pool("average-pooling", "paper Figure 1.5", "3×3 average pooling, unit strides.", mode: .average),
            try pool("max-pooling", "paper Figure 1.6", "3×3 max pooling, unit strides.", mode: .max),
            try conv("dilation", "paper Figure 5.1", "A 3×3 kernel dilated by 2 covers 5×5 input units.", i: 7, k: 3, d: 2),
            try transposed("transposed-no-padding-unit-strides", "seed Figure 2.5 · paper Figure 4.1",
                           "The transpose of the 3×3 convolution over a 4×4 input: the 2×2 input padded with a 2×2 border of zeros.", i: 4, k: 3),
            try transposed("transposed-arbitrary-padding", "seed Figure 2.6 · paper Figure 4.2",
                           "The transpose of a padded convolution pads less: p' = k − p − 1.", i: 5, k: 4, p: 2),
            try transposed("transposed-half-padding", "seed Figure 2.7 · paper Figure 4.3",
                           "The transpose of a half-padded convolution is itself half-padded.", i: 5, k: 3, p: 1),
            try transposed("transposed-full-padding", "seed Figure 2.8 · paper Figure 4.4",
                           "The transpose of a fully padded convolution is an unpadded one.", i: 5, k: 3, p: 2),
            try transposed("transposed-no-padding-strides", "seed Figure 2.9 · paper Figure 4.5",
                           "Stride 2: zeros are inserted between input units (a fractionally strided convolution).", i: 5, k: 3, s: 2),
            try transposed("transposed-padding-strides", "seed Figure 2.10 · paper Figure 4.6",
                           "Stride 2 with padding: stretched input, p' = k − p − 1.", i: 5, k: 3, s: 2, p: 1),
            try transposed("transposed-padding-strides-odd", "seed Figure 2.11 · paper Figure 4.7",
                           "Stride 2 over an input whose last step leaves a unit unread: a = 1 extra zero at the end (bottom and right).", i: 6, k: 3, s: 2, p: 1),
        ]
    }
}
