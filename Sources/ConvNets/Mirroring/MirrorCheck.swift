import ConvArithmetic

extension Mirror {
    /// One size change of a decoder against the encoder size it should restore.
    public struct Comparison: Sendable, Hashable {
        /// The decoder layer that changes the spatial size.
        public let decoderLayer: String
        /// The spatial size it produces (`nil` when the layer fails).
        public let produced: [Int]?
        /// The encoder's size at the mirrored position (`nil` when the decoder has more size changes).
        public let expected: [Int]?
        /// The fix, when the sizes differ: an output padding that restores the size, or why none can.
        public let advice: String?

        /// Whether the decoder layer restores the encoder's size (never for ``Mirror/decoderEnd``: a decoder
        /// that stops early leaves encoder sizes unrestored, whatever size it stops at).
        public var matches: Bool { decoderLayer != Mirror.decoderEnd && produced != nil && produced == expected }
    }

    /// Compares a decoder with an encoder: the spatial sizes after each of the decoder's size-changing
    /// layers against the encoder's intermediate sizes, last first. For a transposed convolution that
    /// misses, the advice names the output padding that would restore the size, when one exists; a
    /// decoder layer that fails is a comparison without a produced size, its error as the advice.
    /// - Throws: ``NetworkError`` when there are no sizes to compare with: the encoder has no input shape,
    ///   fails or ends in an unknown shape at its input size, or the decoder has no input shape (an empty
    ///   answer would read as "every size restored").
    public static func compare(decoder: Network, with encoder: Network) throws(NetworkError) -> [Comparison] {
        let encoderReport = encoder.analyze()
        try requireSizes(of: encoder, report: encoderReport)
        guard decoder.inputs.first?.shape != nil else {
            throw .layer("the decoder has no input shape and the encoder's output gives none; give the decoder one")
        }
        let report = decoder.analyze()
        var targets: [[Int]] = []
        var current = encoder.inputs.first?.shape.map { Array($0.dropFirst(2)) }
        if let current { targets.append(current) }
        for row in encoderReport.layers {
            guard let shape = row.outputShape, shape.count >= 3 else { continue }
            let spatial = Array(shape.dropFirst(2))
            if spatial != current { targets.append(spatial); current = spatial }
        }
        targets.reverse()
        var comparisons: [Comparison] = []
        var size = decoder.inputs.first?.shape.map { Array($0.dropFirst(2)) }
        var index = 1
        for (node, row) in zip(decoder.nodes, report.layers) {
            guard let output = row.outputShape else {
                let expected = index < targets.count ? targets[index] : nil
                if row.error != nil {
                    comparisons.append(Comparison(decoderLayer: node.name, produced: nil, expected: expected, advice: row.error))
                    return comparisons
                }
                // An unknown shape with no error (a layer without a rule): the sizes after it cannot be compared.
                let origin = report.origin(of: row)
                let reason = "its shape is unknown from '\(origin.name)' (\(origin.note ?? "no rule")), so the sizes after it cannot be checked"
                comparisons.append(Comparison(decoderLayer: node.name, produced: nil, expected: expected, advice: reason))
                return comparisons
            }
            guard output.count >= 3 else { continue }
            let spatial = Array(output.dropFirst(2))
            guard spatial != size else { continue }
            size = spatial
            let expected = index < targets.count ? targets[index] : nil
            index += 1
            var advice: String?
            if spatial != expected {
                let restored = index - 2 < targets.count && index >= 2 ? targets[index - 2] : nil
                advice = fix(node, input: row.inputShapes.first ?? nil, restoring: restored, expected: expected, convention: decoder.convention)
            }
            comparisons.append(Comparison(decoderLayer: node.name, produced: spatial, expected: expected, advice: advice))
        }
        // A decoder that stops before the encoder's input size restores only some of its sizes: the rest is a
        // comparison of its own, so that the check cannot read as every size restored.
        if index < targets.count {
            let missing = targets[index...].map(ShapeText.times).joined(separator: ", ")
            let count = targets.count - index
            let advice = "\(count) more size change\(count == 1 ? "" : "s") of the encoder (to \(missing)) \(count == 1 ? "is" : "are") not undone"
            comparisons.append(Comparison(decoderLayer: Self.decoderEnd, produced: size, expected: targets[index], advice: advice))
        }
        return comparisons
    }

    /// The name of the comparison for the sizes a decoder that stops early does not restore.
    public static let decoderEnd = "(end of the decoder)"

    /// Throws unless the encoder has an input shape, no layer of it fails and its output's shape is known.
    private static func requireSizes(of encoder: Network, report: NetworkReport) throws(NetworkError) {
        guard let shape = encoder.inputs.first?.shape else {
            throw .layer("the encoder has no input shape, so it has no sizes to restore; give it one")
        }
        if let failure = report.firstFailure {
            throw .layer("the encoder fails at '\(failure.name)' for the input \(ShapeText.brackets(shape)): \(failure.error ?? "")")
        }
        if let unknown = report.firstUnknownOutput {
            let origin = report.origin(of: unknown)
            throw .layer("the encoder's shape is unknown from '\(origin.name)' (\(origin.note ?? "no rule")), so it has no sizes to restore")
        }
    }

    /// The output padding that makes a transposed convolution produce `expected` from the size the
    /// encoder has at its input (as if every layer before it were right), or why none does.
    private static func fix(_ node: NetworkNode, input: [Int]?, restoring previous: [Int]?, expected: [Int]?,
                            convention: Convention) -> String {
        guard let expected else { return "the encoder has no size to restore here: the decoder changes the size more often than the encoder" }
        guard case .window(let window) = node.operation, window.operation == .transposedConvolution,
              let input, let previous, input.count == previous.count + 2 else {
            return "expected \(ShapeText.brackets(expected))"
        }
        let assumed = Array(input.prefix(2)) + previous
        guard let parameters = try? window.parameters(input: assumed, convention: convention), let layer = try? Layer(parameters),
              layer.shape.rank == expected.count else {
            return "expected \(ShapeText.brackets(expected)); the layer fails on the encoder's size \(ShapeText.brackets(previous))"
        }
        let context = input.dropFirst(2).elementsEqual(previous) ? "" : " (from the encoder's \(ShapeText.brackets(previous)), once the layers before it are fixed)"
        var paddings: [Int] = []
        for (axis, target) in zip(layer.shape.axes, expected) {
            let needed = axis.outputPadding + target - axis.output
            let limit = max(axis.stride, axis.dilation)
            guard needed >= 0, needed < limit else {
                return "expected \(ShapeText.brackets(expected))\(context); no output padding gives it (output padding must be 0 to \(limit - 1), the sizes differ by \(target - axis.output)): change the padding or the encoder's input size"
            }
            paddings.append(needed)
        }
        return "expected \(ShapeText.brackets(expected))\(context): use output_padding \(ShapeText.brackets(paddings))"
    }
}
