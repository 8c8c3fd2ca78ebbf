import ConvArithmetic

/// Runs every formulation of a layer on the same random tensors and reports how far apart they are:
/// the numerical evidence for the paper's claim that a transposed convolution is Cᵀ, a stride-1
/// convolution over the stretched input, and the gradient of a convolution.
public enum Verification {
    /// The largest disagreement between two formulations.
    public struct Comparison: Sendable, Hashable {
        /// "reference vs Cᵀ·x", …
        public let pair: String
        /// Largest absolute difference.
        public let absolute: Float
        /// ``absolute`` divided by the largest magnitude in either result (at least 1).
        public let relative: Float
    }

    /// Compares the formulations of a convolution or transposed convolution on random tensors.
    /// - Parameters:
    ///   - shape: the layer's sizes per axis.
    ///   - channels: input channels, output channels, groups and batch.
    ///   - seed: seeds the random tensors.
    public static func compare(_ shape: LayerShape, channels: ChannelConfiguration, seed: UInt64) throws(KernelError) -> [Comparison] {
        var rng = SplitMix64(state: seed)
        let groups = channels.groups
        let shapes = try LayerTensors.shapes(of: shape, channels)
        let x = try Tensor.random(shape: shapes.x, using: &rng)
        switch shape.operation {
        case .pooling:
            throw .unsupported("pooling has a single formulation; verify compares conv and transposed layers")
        case .transposedConvolution:
            let w = try Tensor.random(shape: shapes.weight ?? [], using: &rng)
            let reference = try ReferenceKernels.transposedConvolution(x, weight: w, shape: shape, groups: groups)
            var results = [compare("reference vs Cᵀ·x", reference, try ConvolutionMatrix.transposedConvolution(x, weight: w, bias: nil, shape: shape, groups: groups))]
            if let stretched = try? StretchedTransposedConvolution.run(x, weight: w, bias: nil, shape: shape, groups: groups) {
                results.append(compare("reference vs stretched input", reference, stretched))
            }
            if let convolution = shape.associated {
                let gradient = try Gradients.input(outputGradient: x, weight: w, shape: convolution, groups: groups)
                results.append(compare("reference vs backward-data", reference, gradient))
            }
            return results
        case .convolution:
            let w = try Tensor.random(shape: shapes.weight ?? [], using: &rng)
            let reference = try ReferenceKernels.convolution(x, weight: w, shape: shape, groups: groups)
            var results = [compare("reference vs C·x", reference, try ConvolutionMatrix.convolution(x, weight: w, bias: nil, shape: shape, groups: groups))]
            // ⟨Cx, y⟩ against ⟨x, Cᵀy⟩, and backward-data against the associated transposed convolution.
            let dy = try Tensor.random(shape: reference.shape, using: &rng)
            let backward = try Gradients.input(outputGradient: dy, weight: w, shape: shape, groups: groups)
            let left = dot(reference.data, dy.data), right = dot(x.data, backward.data)
            let gap = Float(abs(left - right))
            results.append(Comparison(pair: "⟨C·x, y⟩ vs ⟨x, Cᵀ·y⟩", absolute: gap, relative: gap / Float(max(abs(left), abs(right), 1))))
            if let transposed = shape.associated {
                let viaTransposed = try ReferenceKernels.transposedConvolution(dy, weight: w, shape: transposed, groups: groups)
                results.append(compare("backward-data vs transposed convolution", backward, viaTransposed))
            }
            return results
        }
    }

    private static func compare(_ pair: String, _ a: Tensor, _ b: Tensor) -> Comparison {
        let absolute = a.maximumDifference(to: b)
        let scale = max(a.data.lazy.map(abs).max() ?? 0, b.data.lazy.map(abs).max() ?? 0, 1)
        return Comparison(pair: pair, absolute: absolute, relative: absolute / scale)
    }

    private static func dot(_ a: [Float], _ b: [Float]) -> Double {
        var sum = 0.0
        for index in a.indices { sum += Double(a[index]) * Double(b[index]) }
        return sum
    }
}

/// A small deterministic generator (SplitMix64) so verification runs are reproducible from a seed.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The generator's state.
    public var state: UInt64
    /// A generator starting from `state`.
    public init(state: UInt64) { self.state = state }
    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
