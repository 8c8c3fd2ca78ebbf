/// How a layer's output size follows from its parameters: the steps, with the numbers substituted, in
/// the order the seed write-up reasons.
public struct Derivation: Sendable, Hashable, CustomStringConvertible {
    /// One step: what is done, and the arithmetic with numbers.
    public struct Step: Sendable, Hashable {
        /// What the step establishes ("Padding", "Relationship 6 (zero padding, non-unit strides)").
        public let title: String
        /// The formula with the numbers substituted, and a sentence of why.
        public let detail: String
    }

    /// The axes (0-based) this derivation covers; axes with identical parameters share one.
    public let axes: [Int]
    /// The parameters, as "i = 5, k = 3, s = 2, p = 1".
    public let given: String
    /// The steps.
    public let steps: [Step]
    /// Every relationship that holds, most specific first.
    public let relationships: [Relationship]

    public var description: String {
        var lines = ["\(axes.count == 1 ? "axis \(axes[0])" : "axes " + axes.map(String.init).joined(separator: ", ")): \(given)"]
        for (number, step) in steps.enumerated() {
            lines.append("  \(number + 1). \(step.title)")
            lines.append(contentsOf: step.detail.split(separator: "\n").map { "     " + $0 })
        }
        if relationships.count > 1 {
            lines.append("  Also holds: " + relationships.dropFirst().map(\.label).joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }
}

extension LayerShape {
    /// One derivation per group of axes with identical parameters.
    public var derivations: [Derivation] {
        var groups: [(axis: AxisArithmetic, indices: [Int])] = []
        for (index, axis) in axes.enumerated() {
            if let slot = groups.firstIndex(where: { $0.axis == axis }) {
                groups[slot].indices.append(index)
            } else {
                groups.append((axis, [index]))
            }
        }
        return groups.map { Derivation(axis: $0.axis, indices: $0.indices, operation: operation, convention: convention) }
    }
}

extension Derivation {
    init(axis: AxisArithmetic, indices: [Int], operation: Operation, convention: Convention) {
        self.axes = indices
        let relationships = axis.relationships(for: operation)
        self.relationships = relationships
        var steps: [Step] = []
        let i = axis.input, k = axis.kernel, s = axis.stride, d = axis.dilation, k̂ = axis.effectiveKernel
        let pad = axis.padding
        let inputName = operation == .transposedConvolution ? "i'" : "i"
        var given = "\(inputName) = \(i), k = \(k), s = \(s)"
        given += pad.isSymmetric ? ", p = \(pad.before)" : ", p_lo = \(pad.before), p_hi = \(pad.after)"
        if d != 1 { given += ", d = \(d)" }
        if operation == .transposedConvolution { given += ", a = \(axis.outputPadding)" }
        if axis.ceilMode { given += ", ceil_mode" }
        self.given = given

        if let mode = axis.namedPadding {
            steps.append(Step(title: "Padding '\(mode.rawValue)' under the \(convention.displayName) convention",
                              detail: Self.namedPaddingDetail(mode, axis: axis, operation: operation, convention: convention)))
        }
        if d != 1 {
            steps.append(Step(title: "Dilated kernel (paper relationship 15)",
                              detail: "k̂ = d(k − 1) + 1 = \(d)·(\(k) − 1) + 1 = \(k̂)\nThe kernel's taps are spread \(d) units apart, so it covers \(k̂) input units; every formula below uses k̂ in place of k."))
        }
        switch operation {
        case .convolution:
            steps.append(Self.directStep(axis: axis, relationship: relationships.first, pooling: false))
        case .pooling:
            steps.append(Self.directStep(axis: axis, relationship: relationships.first, pooling: true))
        case .transposedConvolution:
            steps.append(contentsOf: Self.transposedSteps(axis: axis, relationship: relationships.first))
        }
        if !axis.ceilMode, let general = axis.generalFormulaOutput(operation), general != axis.output {
            steps.append(Step(title: "\(convention.displayName)'s own rule", detail: Self.conventionDeparture(axis: axis, general: general, operation: operation, convention: convention)))
        }
        self.steps = steps
    }

    private static func namedPaddingDetail(_ mode: PaddingMode, axis: AxisArithmetic, operation: Operation, convention: Convention) -> String {
        let k̂ = axis.effectiveKernel, pad = axis.padding
        let split = "\(pad.before) before, \(pad.after) after"
        switch mode {
        case .valid: return "no padding: p = 0"
        case .half: return "half padding p = ⌊k̂/2⌋ = ⌊\(k̂)/2⌋ = \(pad.before) on both sides"
        case .full: return "full padding p = k̂ − 1 = \(k̂ - 1) on both sides: every partial overlap of kernel and input is an output"
        case .causal: return "causal padding: k̂ − 1 = \(k̂ - 1) zeros at the start, none at the end, so no output sees a later input"
        case .same, .sameLower:
            let odd = mode == .same ? "end" : "start"
            if operation == .transposedConvolution && convention.transposed.namedPadding != .associatedConvolution {
                return "the padding of the forward SAME convolution that maps o' = \(axis.output) back to i' = \(axis.input): \(split) (an odd unit goes at the \(odd))"
            }
            if convention.padding.same == .keepsSizeAtUnitStride {
                return "\(convention.displayName) 'same' (stride 1 only): total k̂ − 1 = \(k̂ - 1), \(split) (an odd unit goes at the \(odd))"
            }
            let target = (axis.input + axis.stride - 1) / axis.stride
            return "SAME: o = ⌈i/s⌉ = ⌈\(axis.input)/\(axis.stride)⌉ = \(target); total max((o − 1)s + k̂ − i, 0) = \(pad.before + pad.after), \(split) (an odd unit goes at the \(odd))"
        }
    }

    /// Why the convention's size is not the general formula's.
    private static func conventionDeparture(axis: AxisArithmetic, general: Int, operation: Operation, convention: Convention) -> String {
        if operation == .transposedConvolution && convention.padding.cropping == .inputUnitsBeforeDilation {
            return "The general formula gives \(general), but \(convention.displayName) removes a negative p' as whole input units before inserting the s − 1 zeros (each unit is s stretched units), so the output is \(axis.output)."
        }
        return "The general formula gives \(general), but \(convention.displayName) divides with truncation toward zero: a window that overhangs the padded input by less than a stride still gives an output, so the size is \(axis.output)."
    }

    private static func directStep(axis: AxisArithmetic, relationship: Relationship?, pooling: Bool) -> Step {
        let i = axis.input, k = axis.kernel, s = axis.stride, p = axis.padding.before, o = axis.output
        let k̂ = axis.effectiveKernel
        let span = i + axis.padding.before + axis.padding.after - k̂
        let why = "The kernel's first placement is at the start of the padded input; each step of s = \(s) is another output while the kernel still fits, ⌊\(span)/\(s)⌋ = \(span >= 0 ? span / s : -1) more."
        guard let relationship else {
            if axis.ceilMode {
                let raw = ceilDivide(span, s) + 1
                var detail = "o = ⌈(i + p_lo + p_hi − k̂)/s⌉ + 1 = ⌈(\(i) + \(axis.padding.before) + \(axis.padding.after) − \(k̂))/\(s)⌉ + 1 = ⌈\(span)/\(s)⌉ + 1 = \(raw)"
                if raw != o {
                    detail += "\nThe last window would start at \((raw - 1) * s), beyond the input and its left padding (\(i + axis.padding.before)), so it is dropped: o = \(o)"
                } else {
                    detail += "\nceil_mode keeps a last, partial window when it starts inside the input or its left padding."
                }
                return Step(title: "Output size with ceil_mode (the frameworks' rule)", detail: detail)
            }
            return Step(title: "Output size (the frameworks' general formula, asymmetric padding)",
                        detail: "o = ⌊(i + p_lo + p_hi − k̂)/s⌋ + 1 = ⌊(\(i) + \(axis.padding.before) + \(axis.padding.after) − \(k̂))/\(s)⌋ + 1 = ⌊\(span)/\(s)⌋ + 1 = \(floorDivide(span, s) + 1)\n" + why)
        }
        let substituted: String
        switch relationship.paper {
        case 1: substituted = "o = (i − k) + 1 = (\(i) − \(k)) + 1 = \(o)\nWith unit strides the kernel can start at any of the i − k + 1 positions where it fits."
        case 2: substituted = "o = (i − k) + 2p + 1 = (\(i) − \(k)) + 2·\(p) + 1 = \(o)\nPadding makes the input i + 2p units long; unit strides visit every position that fits."
        case 3: substituted = "o = i = \(o)\nWith k = 2n + 1 = \(k) and p = n = \(p), the kernel centred on every input unit fits: the size is kept."
        case 4: substituted = "o = i + (k − 1) = \(i) + (\(k) − 1) = \(o)\nWith p = k − 1 every partial or complete overlap of kernel and input is an output."
        case 5, 7: substituted = "o = ⌊(i − k)/s⌋ + 1 = ⌊(\(i) − \(k))/\(s)⌋ + 1 = ⌊\(i - k)/\(s)⌋ + 1 = \(o)\n" + why
        case 6: substituted = "o = ⌊(i + 2p − k)/s⌋ + 1 = ⌊(\(i) + 2·\(p) − \(k))/\(s)⌋ + 1 = ⌊\(span)/\(s)⌋ + 1 = \(o)\n" + why
        default: substituted = "o = ⌊(i + 2p − k − (k − 1)(d − 1))/s⌋ + 1 = ⌊(\(i) + 2·\(p) − \(k) − (\(k) − 1)(\(axis.dilation) − 1))/\(s)⌋ + 1 = ⌊\(span)/\(s)⌋ + 1 = \(o)\n" + why
        }
        let prefix = pooling && relationship.paper == 6 ? "Pooling windows slide as a convolution's do: " : ""
        return Step(title: "\(relationship.label) — \(relationship.title)", detail: prefix + substituted)
    }

    private static func transposedSteps(axis: AxisArithmetic, relationship: Relationship?) -> [Step] {
        let i = axis.input, k = axis.kernel, s = axis.stride, a = axis.outputPadding, o = axis.output
        let k̂ = axis.effectiveKernel, lo = axis.padding.before, hi = axis.padding.after
        var steps = [Step(title: "The associated convolution",
                          detail: "A convolution with k = \(k), s = \(s), padding \(axis.padding)\(axis.dilation != 1 ? ", d = \(axis.dilation)" : "") maps an input of \(o) units to \(i); this transposed convolution maps \(i) back to \(o).")]
        if let equivalent = try? axis.equivalentConvolution() {
            var detail = "stretched input ĩ' = i' + (i' − 1)(s − 1) = \(i) + \(i - 1)·\(s - 1) = \(equivalent.stretchedInput) (\(s - 1) zero\(s - 1 == 1 ? "" : "s") between units)\n"
            detail += "k' = k = \(k), s' = 1, p' = k̂ − p − 1: \(equivalent.padding.before) before, \(k̂ - 1 - hi)\(a > 0 ? " + a = \(equivalent.padding.after)" : "") after"
            if a > 0 { detail += "\nThe a = \(a) extra zero\(a == 1 ? " goes" : "s go") at the end of the axis (bottom/right in 2-D), as every framework does." }
            if equivalent.padding.before < 0 || equivalent.padding.after < 0 { detail += "\nA negative p' crops the stretched input instead of padding it." }
            detail += "\nA stride-1 convolution over it gives ĩ' + p'_lo + p'_hi − k̂ + 1 = \(equivalent.output)"
            steps.append(Step(title: "The equivalent direct convolution", detail: detail))
        }
        let formula: String
        switch relationship?.paper {
        case 8?: formula = "o' = i' + (k − 1) = \(i) + (\(k) − 1) = \(o)"
        case 9?: formula = "o' = i' + (k − 1) − 2p = \(i) + (\(k) − 1) − 2·\(lo) = \(o)"
        case 10?: formula = "o' = i' = \(o)"
        case 11?: formula = "o' = i' − (k − 1) = \(i) − (\(k) − 1) = \(o)"
        case 12?: formula = "o' = s(i' − 1) + k = \(s)·(\(i) − 1) + \(k) = \(o)"
        case 13?: formula = "o' = s(i' − 1) + k − 2p = \(s)·(\(i) − 1) + \(k) − 2·\(lo) = \(o)"
        case 14?: formula = "o' = s(i' − 1) + a + k − 2p = \(s)·(\(i) − 1) + \(a) + \(k) − 2·\(lo) = \(o)\na = (i + 2p − k) mod s = (\(o) + 2·\(lo) − \(k)) mod \(s) = \(a): the units the associated convolution's last step leaves unread."
        default: formula = "o' = s(i' − 1) + a + k̂ − p_lo − p_hi = \(s)·(\(i) − 1) + \(a) + \(k̂) − \(lo) − \(hi) = \(axis.generalFormulaOutput(.transposedConvolution).map(String.init) ?? "(too large)")"
        }
        steps.append(Step(title: relationship.map { "\($0.label) — \($0.title)" } ?? "Output size (the frameworks' general formula)",
                          detail: formula))
        return steps
    }
}
