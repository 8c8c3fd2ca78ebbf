import ConvArithmetic

/// The one sliding-window primitive: which input position each output position reads through each kernel
/// tap, `q = o·s + t·d − p_lo` on every axis. Convolution, pooling, the matrix C, the transposed
/// convolution (as its associated convolution's walk, scattered) and the figures all use it, so the
/// numbers and the pictures cannot drift apart.
public struct WindowWalk: Sendable {
    /// The resolved axes of a direct window (convolution or pooling, or a transposed convolution's
    /// associated convolution).
    public let axes: [AxisArithmetic]
    /// Spatial input sizes.
    public let inputSizes: [Int]
    /// Spatial output sizes.
    public let outputSizes: [Int]
    /// Kernel sizes.
    public let kernelSizes: [Int]

    /// A walk over the axes of a direct window.
    public init(axes: [AxisArithmetic]) {
        self.axes = axes
        inputSizes = axes.map(\.input)
        outputSizes = axes.map(\.output)
        kernelSizes = axes.map(\.kernel)
    }

    /// The number of output positions (product of the output sizes).
    public var outputCount: Int { outputSizes.reduce(1, *) }
    /// The number of input positions.
    public var inputCount: Int { inputSizes.reduce(1, *) }
    /// The number of kernel taps.
    public var tapCount: Int { kernelSizes.reduce(1, *) }

    /// One kernel tap of one window.
    public struct Tap: Sendable, Hashable {
        /// Flat (row-major) index of the tap in the kernel.
        public let tap: Int
        /// Flat index of the input position it reads, or `nil` when that position is padding.
        public let input: Int?
        /// Whether the position lies inside the padded input (`−p_lo ≤ q < i + p_hi` on every axis);
        /// average pooling with `count_include_pad` divides by the number of such taps.
        public let insidePaddedInput: Bool
    }

    /// Calls `body` for every output position (flat index) with the taps of its window.
    public func forEachWindow(_ body: (_ output: Int, _ taps: [Tap]) -> Void) {
        let rank = axes.count
        // Per axis and per (output, tap): the input coordinate.
        let tables: [[Int]] = axes.map { axis in
            var table = [Int](repeating: 0, count: axis.output * axis.kernel)
            for o in 0..<axis.output {
                for t in 0..<axis.kernel { table[o * axis.kernel + t] = axis.inputPosition(output: o, tap: t) }
            }
            return table
        }
        var outputIndex = [Int](repeating: 0, count: rank)
        var taps: [Tap] = []
        taps.reserveCapacity(tapCount)
        for output in 0..<outputCount {
            taps.removeAll(keepingCapacity: true)
            var tapIndex = [Int](repeating: 0, count: rank)
            for tap in 0..<tapCount {
                var flat = 0
                var inside = true, padded = true
                for axis in 0..<rank {
                    let q = tables[axis][outputIndex[axis] * kernelSizes[axis] + tapIndex[axis]]
                    if q < 0 || q >= inputSizes[axis] { inside = false }
                    if q < -axes[axis].padding.before || q >= inputSizes[axis] + axes[axis].padding.after { padded = false }
                    flat = flat * inputSizes[axis] + (inside ? q : 0)
                }
                taps.append(Tap(tap: tap, input: inside ? flat : nil, insidePaddedInput: padded))
                RowMajor.advance(&tapIndex, sizes: kernelSizes)
            }
            body(output, taps)
            RowMajor.advance(&outputIndex, sizes: outputSizes)
        }
    }
}

extension LayerShape {
    /// The walk of this layer's direct window: the layer's own for convolution and pooling, the
    /// associated convolution's for a transposed convolution (whose forward pass scatters along it).
    public var windowWalk: WindowWalk {
        switch operation {
        case .convolution, .pooling: WindowWalk(axes: axes)
        case .transposedConvolution: WindowWalk(axes: axes.map(\.associatedConvolution))
        }
    }
}
