/// One of the numbered relationships of Dumoulin & Visin, *A guide to convolution arithmetic for deep
/// learning* (arXiv:1603.07285), with the number the seed write-up gives it.
///
/// The seed numbers transposed relationships one lower than the paper (seed 7–13 are paper 8–14) and
/// leaves pooling (paper 7) and dilation (paper 15) unnumbered.
public struct Relationship: Sendable, Hashable, Identifiable, CustomStringConvertible {
    /// The paper's number (1–15).
    public let paper: Int
    /// The seed's number, when it has one.
    public let seed: Int?
    /// Which layer it describes.
    public let operation: Operation
    /// The case, as the paper titles it.
    public let title: String
    /// When it holds, in the paper's symbols.
    public let condition: String
    /// The result, in the paper's symbols.
    public let formula: String

    /// The paper's number.
    public var id: Int { paper }

    /// "Relationship 13 (paper 14)" or "Relationship 7 of the paper".
    public var label: String {
        if let seed { return seed == paper ? "Relationship \(seed)" : "Relationship \(seed) (paper \(paper))" }
        return "Relationship (paper \(paper), unnumbered in the seed)"
    }

    public var description: String { "\(label) — \(title): \(formula)  [holds when \(condition)]" }

    /// The relationship with paper number `paper`.
    public static func paper(_ paper: Int) -> Relationship {
        catalogue[paper - 1]
    }

    /// All fifteen, in the paper's order.
    public static let catalogue: [Relationship] = [
        .init(paper: 1, seed: 1, operation: .convolution, title: "no zero padding, unit strides",
              condition: "s = 1, p = 0", formula: "o = (i − k) + 1"),
        .init(paper: 2, seed: 2, operation: .convolution, title: "zero padding, unit strides",
              condition: "s = 1", formula: "o = (i − k) + 2p + 1"),
        .init(paper: 3, seed: 3, operation: .convolution, title: "half (same) padding",
              condition: "s = 1, k = 2n + 1, p = ⌊k/2⌋ = n", formula: "o = i"),
        .init(paper: 4, seed: 4, operation: .convolution, title: "full padding",
              condition: "s = 1, p = k − 1", formula: "o = i + (k − 1)"),
        .init(paper: 5, seed: 5, operation: .convolution, title: "no zero padding, non-unit strides",
              condition: "p = 0", formula: "o = ⌊(i − k)/s⌋ + 1"),
        .init(paper: 6, seed: 6, operation: .convolution, title: "zero padding, non-unit strides",
              condition: "any i, k, s, p", formula: "o = ⌊(i + 2p − k)/s⌋ + 1"),
        .init(paper: 7, seed: nil, operation: .pooling, title: "pooling",
              condition: "no padding", formula: "o = ⌊(i − k)/s⌋ + 1"),
        .init(paper: 8, seed: 7, operation: .transposedConvolution, title: "no zero padding, unit strides, transposed",
              condition: "convolution with s = 1, p = 0", formula: "k' = k, s' = s, p' = k − 1; o' = i' + (k − 1)"),
        .init(paper: 9, seed: 8, operation: .transposedConvolution, title: "zero padding, unit strides, transposed",
              condition: "convolution with s = 1", formula: "k' = k, s' = s, p' = k − p − 1; o' = i' + (k − 1) − 2p"),
        .init(paper: 10, seed: 9, operation: .transposedConvolution, title: "half (same) padding, transposed",
              condition: "convolution with k = 2n + 1, s = 1, p = n", formula: "k' = k, s' = s, p' = p; o' = i'"),
        .init(paper: 11, seed: 10, operation: .transposedConvolution, title: "full padding, transposed",
              condition: "convolution with s = 1, p = k − 1", formula: "k' = k, s' = s, p' = 0; o' = i' − (k − 1)"),
        .init(paper: 12, seed: 11, operation: .transposedConvolution, title: "no zero padding, non-unit strides, transposed",
              condition: "convolution with p = 0 and (i − k) mod s = 0",
              formula: "ĩ', k' = k, s' = 1, p' = k − 1; o' = s(i' − 1) + k"),
        .init(paper: 13, seed: 12, operation: .transposedConvolution, title: "zero padding, non-unit strides, transposed",
              condition: "convolution with (i + 2p − k) mod s = 0",
              formula: "ĩ', k' = k, s' = 1, p' = k − p − 1; o' = s(i' − 1) + k − 2p"),
        .init(paper: 14, seed: 13, operation: .transposedConvolution, title: "zero padding, non-unit strides, transposed, any input size",
              condition: "a = (i + 2p − k) mod s",
              formula: "ĩ', a, k' = k, s' = 1, p' = k − p − 1; o' = s(i' − 1) + a + k − 2p"),
        .init(paper: 15, seed: nil, operation: .convolution, title: "dilated convolution",
              condition: "any i, k, s, p, d", formula: "o = ⌊(i + 2p − k − (k − 1)(d − 1))/s⌋ + 1"),
    ]
}

extension AxisArithmetic {
    /// The relationships that hold for this axis of a layer of kind `operation`, most specific first.
    ///
    /// The paper's relationships 1–14 assume a dense kernel and the same padding on both sides; a dilated
    /// axis is described by relationship 15, and asymmetric padding or `ceil_mode` by the frameworks'
    /// general formula only (an empty list).
    public func relationships(for operation: Operation) -> [Relationship] {
        relationshipSet(for: operation).relationships
    }

    /// The relationships that hold for this axis, as a set (no allocation; see ``relationships(for:)``).
    public func relationshipSet(for operation: Operation) -> RelationshipSet {
        guard padding.isSymmetric, padding.before >= 0, !ceilMode, followsGeneralFormula(operation) else { return [] }
        let p = padding.before, k = kernel, s = stride
        if dilation != 1 {
            return operation == .convolution ? [15] : []
        }
        var set: RelationshipSet = []
        switch operation {
        case .convolution:
            if s == 1 && k % 2 == 1 && p == k / 2 { set.insert(3) }
            if s == 1 && p == k - 1 { set.insert(4) }
            if s == 1 && p == 0 { set.insert(1) }
            if s == 1 { set.insert(2) }
            if p == 0 { set.insert(5) }
            set.insert(6)
        case .pooling:
            set.insert(p == 0 ? 7 : 6)
        case .transposedConvolution:
            guard outputPadding >= 0 && outputPadding < s else { return [] }
            let a = outputPadding
            if s == 1 && k % 2 == 1 && p == k / 2 { set.insert(10) }
            if s == 1 && p == k - 1 { set.insert(11) }
            if s == 1 && p == 0 { set.insert(8) }
            if s == 1 { set.insert(9) }
            if p == 0 && a == 0 { set.insert(12) }
            if a == 0 { set.insert(13) }
            set.insert(14)
        }
        return set
    }
}

extension AxisArithmetic {
    /// The output size the frameworks' general formula gives: `⌊(i + p_lo + p_hi − k̂)/s⌋ + 1`, or for a
    /// transposed convolution `s(i' − 1) + a + k̂ − p_lo − p_hi` (`nil` when it overflows).
    public func generalFormulaOutput(_ operation: Operation) -> Int? {
        let (total, overflow) = padding.before.addingReportingOverflow(padding.after)
        guard !overflow else { return nil }
        let extent = effectiveKernel
        if operation == .transposedConvolution {
            let (span, o1) = (input - 1).multipliedReportingOverflow(by: stride)
            let (grown, o2) = span.addingReportingOverflow(outputPadding + extent)
            let (result, o3) = grown.subtractingReportingOverflow(total)
            return o1 || o2 || o3 ? nil : result
        }
        let (padded, o1) = input.addingReportingOverflow(total)
        return o1 ? nil : floorDivide(padded - extent, stride) + 1
    }

    /// Whether the output is what the general formula gives (not, for instance, a truncating division's
    /// extra window, ceil mode, or MLX's crop of whole input units).
    func followsGeneralFormula(_ operation: Operation) -> Bool {
        generalFormulaOutput(operation) == output
    }
}

extension LayerShape {
    /// The relationships that hold on every axis, most specific first.
    public var relationships: [Relationship] { relationshipSet.relationships }

    /// The relationships that hold on every axis, as a set (no allocation; see ``relationships``).
    public var relationshipSet: RelationshipSet {
        guard let first = axes.first else { return [] }
        var common = first.relationshipSet(for: operation)
        for axis in axes.dropFirst() { common.formIntersection(axis.relationshipSet(for: operation)) }
        return common
    }
}
