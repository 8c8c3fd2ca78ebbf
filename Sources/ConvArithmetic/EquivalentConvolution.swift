/// The direct convolution that computes a transposed convolution (the paper's chapter 4): stride 1 over
/// the input stretched with `s − 1` zeros between units, padded `k̂ − 1 − p_lo` before and
/// `k̂ − 1 − p_hi + a` after, with the kernel flipped and its channel roles swapped.
///
/// The `a` extra zeros go at the **end** of the axis (bottom and right in 2-D), where every framework puts
/// them; the seed's text says "top and right". A padding below zero means the equivalent convolution crops
/// that many units (it happens when `p > k̂ − 1`).
public struct EquivalentConvolution: Sendable, Hashable {
    /// The transposed convolution's input size `i'`.
    public let input: Int
    /// Zeros inserted between input units, `s − 1`.
    public let insertedZeros: Int
    /// The stretched input size `ĩ' = i' + (i' − 1)(s − 1)`.
    public let stretchedInput: Int
    /// `k' = k`.
    public let kernel: Int
    /// The kernel's dilation, unchanged.
    public let dilation: Int
    /// `s' = 1`.
    public let stride: Int
    /// `p'_lo = k̂ − 1 − p_lo` and `p'_hi = k̂ − 1 − p_hi + a`.
    public let padding: AxisPadding
    /// The `a` zeros included at the end of ``padding``.
    public let outputPadding: Int
    /// `o' = ĩ' + p'_lo + p'_hi − k̂ + 1`, equal to the transposed convolution's output size.
    public let output: Int

    /// The units a negative `p'` removes from the stretched input, at its start and end.
    public var crop: AxisPadding { AxisPadding(before: max(-padding.before, 0), after: max(-padding.after, 0)) }
    /// The zeros a positive `p'` adds around the (cropped) stretched input.
    public var zeroPadding: AxisPadding { AxisPadding(before: max(padding.before, 0), after: max(padding.after, 0)) }
    /// The stretched input after the crop, `ĩ' − crops` (0 when the crop removes everything).
    public var croppedInput: Int { max(stretchedInput - crop.before - crop.after, 0) }

    /// This axis as a direct convolution: stride 1 over the cropped stretched input, padded with ``zeroPadding``.
    public var directAxis: AxisArithmetic {
        AxisArithmetic(input: croppedInput, kernel: kernel, stride: 1, dilation: dilation, padding: zeroPadding, output: output)
    }
}

/// A transposed convolution as the paper computes it: every axis's ``EquivalentConvolution`` and, together,
/// the stride-1 direct convolution over the stretched, cropped and padded input — the one value the
/// stretched formulation and the figures both read.
public struct EquivalentDirectConvolution: Sendable, Hashable {
    /// Per axis: stretched size, inserted zeros, `p'`, crops.
    public let axes: [EquivalentConvolution]
    /// The stride-1 convolution over the cropped stretched input, its output the transposed layer's output.
    public let shape: LayerShape
}

extension LayerShape {
    /// For a transposed convolution: its equivalent direct convolution (the paper's chapter 4).
    /// - Throws: ``ArithmeticError/overflow(_:)`` if a stretched size does not fit in `Int`, and
    ///   ``ArithmeticError/unsupported(_:)`` for a layer that is not a transposed convolution, or whose
    ///   crop removes the whole stretched input.
    public func equivalentDirectConvolution() throws(ArithmeticError) -> EquivalentDirectConvolution {
        guard operation == .transposedConvolution else {
            throw .unsupported("the equivalent direct convolution belongs to a transposed convolution, got \(name)")
        }
        let equivalents = try axes.map { axis throws(ArithmeticError) in try axis.equivalentConvolution() }
        guard equivalents.allSatisfy({ $0.croppedInput > 0 }) else {
            throw .unsupported("the padding crops the whole stretched input; the transposed convolution has no stretched-input form here")
        }
        return EquivalentDirectConvolution(axes: equivalents,
                                           shape: LayerShape(operation: .convolution, convention: convention, axes: equivalents.map(\.directAxis)))
    }
}

extension AxisArithmetic {
    /// The equivalent stride-1 direct convolution of this transposed-convolution axis.
    /// - Throws: ``ArithmeticError/overflow(_:)`` if a stretched size does not fit in `Int`.
    public func equivalentConvolution() throws(ArithmeticError) -> EquivalentConvolution {
        let stretched = try checkedAdd(try checkedMultiply(input - 1, stride, "the stretched input ĩ'"), 1, "the stretched input ĩ'")
        let span = effectiveKernel - 1
        let before = try checkedSubtract(span, padding.before, "the equivalent padding p'")
        let after = try checkedAdd(try checkedSubtract(span, padding.after, "the equivalent padding p'"), outputPadding, "the equivalent padding p'")
        let padded = try checkedAdd(try checkedAdd(stretched, before, "the padded stretched input"), after, "the padded stretched input")
        return EquivalentConvolution(input: input, insertedZeros: stride - 1, stretchedInput: stretched, kernel: kernel,
                                     dilation: dilation, stride: 1, padding: AxisPadding(before: before, after: after),
                                     outputPadding: outputPadding, output: padded - effectiveKernel + 1)
    }

    /// For a convolution axis: the associated transposed convolution, which maps this axis's output
    /// back to its input size — input `i' = o`, the same `k`, `s`, `p`, `d`, and output padding
    /// `a = (i + p_lo + p_hi − k̂) mod s`, the units the convolution's last window step left unread.
    public var associatedTransposed: AxisArithmetic {
        let leftOver = floorModulo(input + padding.before + padding.after - effectiveKernel, stride)
        return AxisArithmetic(input: output, kernel: kernel, stride: stride, dilation: dilation, padding: padding,
                              outputPadding: leftOver, output: input, namedPadding: nil)
    }

    /// For a transposed-convolution axis: the associated direct convolution, from `o'` back to `i'`.
    public var associatedConvolution: AxisArithmetic {
        AxisArithmetic(input: output, kernel: kernel, stride: stride, dilation: dilation, padding: padding,
                       output: input, namedPadding: nil)
    }
}

extension LayerShape {
    /// For a convolution: the transposed convolution that restores its input size (the paper's
    /// relationships 8–14); for a transposed convolution: its associated direct convolution.
    /// Pooling has no transpose in the paper's sense and returns `nil`.
    public var associated: LayerShape? {
        switch operation {
        case .convolution:
            LayerShape(operation: .transposedConvolution, convention: convention, axes: axes.map(\.associatedTransposed))
        case .transposedConvolution:
            LayerShape(operation: .convolution, convention: convention, axes: axes.map(\.associatedConvolution))
        case .pooling:
            nil
        }
    }
}

extension LayerShape {
    /// Whether a transposed layer's convention crops whole input units for a negative `p'` (MLX) on an axis
    /// where that differs from cropping the stretched input (`s > 1`): the paper's equivalence with
    /// arithmetic cropping, and the kernels built on it, do not describe such a layer.
    public var slicesWholeInputUnits: Bool {
        guard operation == .transposedConvolution, convention.padding.cropping == .inputUnitsBeforeDilation else { return false }
        return axes.contains { axis in
            axis.stride > 1 && (axis.effectiveKernel - 1 - axis.padding.before < 0
                                || axis.effectiveKernel - 1 - axis.padding.after + axis.outputPadding < 0)
        }
    }
}
