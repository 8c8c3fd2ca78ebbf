import ConvArithmetic

/// A layer's padding carried from one framework's rules to another's: the per-side pads the source
/// resolves (TensorFlow's `SAME`, ONNX `auto_pad`, PyTorch's numbers…), and how the target writes the same
/// layer — a named padding, explicit pads, or, where the target's layer cannot take them, a pad of the
/// input before it (or a crop of a transposed convolution's output after it). Every plan is checked by
/// resolving it under the target's rules: it gives the same output size.
public struct PaddingTranslation: Sendable, Hashable {
    /// How the target reproduces the layer.
    public enum Plan: Sendable, Hashable {
        /// A named padding of the target resolves to the same pads.
        case named(PaddingMode)
        /// The target's layer takes the pads as numbers.
        case explicit([AxisPadding])
        /// Pad the input by `inputPads` first, then run the layer with the symmetric `layerPadding`.
        case padInputFirst(inputPads: [AxisPadding], layerPadding: [Int])
        /// Run the transposed layer with the symmetric `layerPadding` and no output padding, then keep
        /// `keep` units of each axis from `cropStart` on.
        case cropOutputAfter(layerPadding: [Int], cropStart: [Int], keep: [Int])
    }

    /// The layer as the source resolves it.
    public let source: Layer
    /// The target convention.
    public let target: Convention
    /// The pads per axis under the source's rules.
    public let pads: [AxisPadding]
    /// How the target reproduces them.
    public let plan: Plan
    /// The target's layer, resolved (its output size equals the source's).
    public let targetLayer: Layer
    /// The target's code for the padding.
    public let code: String
    /// What else to know (values of padded max pooling, average pooling's divisor).
    public let notes: [String]

    /// Translates `parameters` (read under their own convention) to `target`.
    /// - Throws: ``NetworkError/layer(_:)`` when the source refuses the layer, or no plan fits the target.
    public static func translate(_ parameters: LayerParameters, to target: Convention) throws(NetworkError) -> PaddingTranslation {
        let source: Layer
        do { source = try Layer(parameters) } catch { throw .layer("under \(parameters.convention.displayName)'s rules: \(error.description)") }
        let shape = source.shape
        let sourcePads = shape.axes.map(\.padding)
        var pads = sourcePads
        var candidates: [(Plan, LayerParameters)] = []
        var base = parameters
        base.convention = target
        base.outputSize = nil
        base.outputPadding = shape.operation == .transposedConvolution ? shape.axes.map(\.outputPadding) : nil
        if shape.operation == .pooling, base.stride == nil { base.stride = shape.axes.map(\.stride) }
        // Ceil mode where it changes the layer: carried where the target has it; elsewhere the last partial
        // window becomes extra padding at the end. Where it changes nothing, it is dropped.
        let ceil = Self.ceilModeMatters(parameters, source)
        base.ceilMode = ceil && target.pooling.ceilMode
        if ceil && !target.pooling.ceilMode {
            pads = zip(shape.axes, pads).map { axis, pad in
                let reach = (axis.output - 1) * axis.stride + axis.effectiveKernel - (axis.input + pad.before + pad.after)
                return AxisPadding(before: pad.before, after: pad.after + max(0, reach))
            }
        }
        // Average pooling's divisor as the source counts it, said explicitly to the target.
        let countsPadding = shape.operation == .pooling && source.poolingMode == .average
            ? source.shape.convention.pooling.countsPadding(source.countIncludePad) : nil
        if case .countIncludePad = target.pooling.averageDivisor {
            base.countIncludePad = countsPadding ?? source.countIncludePad
        } else {
            base.countIncludePad = nil
        }
        for mode in [PaddingMode.valid, .same, .sameLower] {
            var named = base
            named.padding = .named(mode)
            if shape.operation == .transposedConvolution { named.outputPadding = parameters.outputPadding }
            candidates.append((.named(mode), named))
        }
        let namedOnly = target.spelling.namedOnly
        if !namedOnly {
            var explicit = base
            explicit.padding = .explicit(pads)
            candidates.append((.explicit(pads), explicit))
        }
        // What the target's layer itself pads: the symmetric part, or nothing where it takes only names.
        let symmetric = pads.map { namedOnly ? 0 : min($0.before, $0.after) }
        var layerOnly = base
        layerOnly.padding = .symmetric(symmetric)
        if shape.operation == .transposedConvolution {
            layerOnly.outputPadding = Array(repeating: 0, count: shape.rank)
            let start = zip(pads, symmetric).map { $0.before - $1 }
            candidates.append((.cropOutputAfter(layerPadding: symmetric, cropStart: start, keep: shape.output), layerOnly))
        } else {
            let rest = zip(pads, symmetric).map { AxisPadding(before: $0.before - $1, after: $0.after - $1) }
            var padded = layerOnly
            padded.input = zip(parameters.input, rest).map { $0 + $1.before + $1.after }
            candidates.append((.padInputFirst(inputPads: rest, layerPadding: symmetric), padded))
        }
        for (plan, candidate) in candidates {
            guard let resolved = try? Layer(candidate) else { continue }
            if case .cropOutputAfter(_, let start, let keep) = plan {
                guard zip(resolved.shape.output, zip(start, keep)).allSatisfy({ $0 >= $1.0 + $1.1 }) else { continue }
            } else {
                guard resolved.shape.output == shape.output else { continue }
                if case .named = plan {
                    guard resolved.shape.axes.map(\.padding) == pads else { continue }
                    if shape.operation == .transposedConvolution, resolved.shape.axes.map(\.outputPadding) != shape.axes.map(\.outputPadding) { continue }
                }
            }
            var code = code(plan, target: target, operation: shape.operation, rank: shape.rank,
                            outputPadding: resolved.shape.axes.map(\.outputPadding))
            var notes = notes(plan, source: source, target: target, countsPadding: countsPadding)
            if base.ceilMode { code += target == .onnx ? ", ceil_mode=1" : ", ceil_mode=True" }
            if ceil && !base.ceilMode {
                notes.append("\(target.displayName) has no ceil mode: the extra padding at the end stands for the last partial window"
                             + (source.poolingMode == .max ? " (pad it with −∞)." : " and must not count in the average."))
            }
            // The target's divisor rule matters only for the padding its layer adds itself: zeros padded
            // into the input before it are real input, counted whatever the rule.
            if let countsPadding, Self.layerPads(plan, pads) {
                switch target.pooling.averageDivisor {
                case .countIncludePad(let fallback) where fallback != countsPadding:
                    code += target == .onnx ? ", count_include_pad=\(countsPadding ? 1 : 0)" : ", count_include_pad=\(countsPadding ? "True" : "False")"
                case .countIncludePad:
                    break
                case .excludesPadding where countsPadding, .includesPadding where !countsPadding:
                    notes.append("\(target.displayName)'s average pooling \(countsPadding ? "never counts" : "always counts") the padding in the divisor, "
                                 + "\(source.shape.convention.displayName)'s here \(countsPadding ? "does" : "does not"): the averages at the borders differ.")
                default:
                    break
                }
            }
            return PaddingTranslation(source: source, target: target, pads: sourcePads, plan: plan, targetLayer: resolved, code: code, notes: notes)
        }
        throw .layer("\(target.displayName)'s rules take none of the ways to write this \(shape.name) (named padding, explicit pads, a pad before it or a crop after it); its pads are \(pads.map(\.description).joined(separator: ", "))")
    }

    /// Whether the target's layer itself pads (rather than an explicit pad before it).
    private static func layerPads(_ plan: Plan, _ pads: [AxisPadding]) -> Bool {
        switch plan {
        case .named, .explicit: pads.contains { $0.before != 0 || $0.after != 0 }
        case .padInputFirst(_, let layerPadding), .cropOutputAfter(let layerPadding, _, _): layerPadding.contains { $0 != 0 }
        }
    }

    /// Whether `ceil_mode` changes the layer: without it the sizes or the pads would differ.
    private static func ceilModeMatters(_ parameters: LayerParameters, _ source: Layer) -> Bool {
        guard source.shape.operation == .pooling, parameters.ceilMode else { return false }
        var floor = parameters
        floor.ceilMode = false
        guard let floored = try? Layer(floor) else { return true }
        return floored.shape.output != source.shape.output || floored.shape.axes.map(\.padding) != source.shape.axes.map(\.padding)
    }

    // MARK: Spelling

    private static func code(_ plan: Plan, target: Convention, operation: Operation, rank: Int, outputPadding: [Int]) -> String {
        let spelling = target.spelling
        let argument = spelling.paddingArgument.description
        var transposedSuffix = ""
        if operation == .transposedConvolution, outputPadding.contains(where: { $0 != 0 }) {
            transposedSuffix = ", output_padding=\(tuple(outputPadding))"
        }
        switch plan {
        case .named(let mode):
            switch mode {
            case .same: return (spelling.same?.description ?? "") + transposedSuffix
            case .sameLower: return (spelling.sameLower?.description ?? "") + transposedSuffix
            default: return spelling.valid.description + transposedSuffix
            }
        case .explicit(let pads):
            return "\(argument)=\(layerList(pads, spelling.layerPads, symmetric: pads.allSatisfy(\.isSymmetric)))" + transposedSuffix
        case let .padInputFirst(inputPads, layerPadding):
            let call = "\(spelling.padCall.description)(x, \(tensorList(inputPads, spelling: spelling)))"
            let layer = layerPadding.allSatisfy { $0 == 0 } ? spelling.valid.description
                : "\(argument)=\(layerList(layerPadding.map(AxisPadding.init), spelling.layerPads, symmetric: true))"
            return "\(call), then the layer with \(layer)"
        case let .cropOutputAfter(layerPadding, start, keep):
            let layer = layerPadding.allSatisfy { $0 == 0 } ? spelling.valid.description
                : "\(argument)=\(layerList(layerPadding.map(AxisPadding.init), spelling.layerPads, symmetric: true))"
            let slices = zip(start, keep).map { "\($0):\($0 + $1)" }
            let index = spelling.layout == .channelsFirst ? "y[:, :, " + slices.joined(separator: ", ") + "]"
                : "y[:, " + slices.joined(separator: ", ") + ", :]"
            return "the layer with \(layer) and no output padding, then \(index)"
        }
    }

    /// The layer's pads: `(1, 2)` symmetric per axis, `[(0, 1), (1, 1)]` per side, ONNX `[b1, b2, e1, e2]`.
    private static func layerList(_ pads: [AxisPadding], _ list: Spelling.PadList, symmetric: Bool) -> String {
        switch list {
        case .beginsThenEnds:
            return "[" + (pads.map { String($0.before) } + pads.map { String($0.after) }).joined(separator: ", ") + "]"
        case .pairsPerAxis, .pairsFromLastAxis:
            if symmetric { return tuple(pads.map(\.before)) }
            return "[" + pads.map { "(\($0.before), \($0.after))" }.joined(separator: ", ") + "]"
        }
    }

    /// A pad call's list for the whole tensor, in the framework's layout and order.
    private static func tensorList(_ pads: [AxisPadding], spelling: Spelling) -> String {
        let none = AxisPadding(0)
        let all: [AxisPadding] = spelling.layout == .channelsFirst ? [none, none] + pads : [none] + pads + [none]
        switch spelling.padCallList {
        case .pairsFromLastAxis:
            return "(" + pads.reversed().map { "\($0.before), \($0.after)" }.joined(separator: ", ") + ")"
        case .beginsThenEnds:
            return "pads=[" + (all.map { String($0.before) } + all.map { String($0.after) }).joined(separator: ", ") + "]"
        case .pairsPerAxis:
            return "[" + all.map { "[\($0.before), \($0.after)]" }.joined(separator: ", ") + "]"
        }
    }

    private static func tuple(_ values: [Int]) -> String {
        values.count == 1 ? "\(values[0])" : "(" + values.map(String.init).joined(separator: ", ") + ")"
    }

    /// `countsPadding`: whether the source's average pooling counts its padding in the divisor (`nil` for
    /// other layers).
    private static func notes(_ plan: Plan, source: Layer, target: Convention, countsPadding: Bool?) -> [String] {
        var notes: [String] = []
        let spelling = target.spelling
        if case .padInputFirst(let inputPads, _) = plan {
            if spelling.padCallList == .pairsFromLastAxis {
                notes.append("\(spelling.padCall.description) lists the last axis first: (left, right, top, bottom) in 2-D.")
            }
            if spelling.layout == .channelsLast {
                notes.append("\(target.displayName)'s tensors are channels-last (N, spatial…, C); the pads above are in that order.")
            }
            if source.shape.operation == .pooling, source.poolingMode == .max {
                notes.append("Max pooling: pad with −∞ (a constant of -inf), not zeros, or padded maxima of negative inputs change.")
            } else if source.shape.operation == .pooling, inputPads.contains(where: { $0.before != 0 || $0.after != 0 }) {
                let counted = "Average pooling: the zeros padded before the layer are input to it, counted in the divisor "
                    + "as PyTorch's count_include_pad=True counts them"
                notes.append(countsPadding == false
                    ? counted + "; \(source.shape.convention.displayName)'s layer here does not count its padding "
                        + "(count_include_pad=False): the averages at the borders differ."
                    : counted + ", as \(source.shape.convention.displayName)'s layer here does.")
            }
        }
        if case .cropOutputAfter = plan {
            notes.append("\(target.displayName)'s transposed layer takes one padding per axis; the crop removes the rest of the source's padding and adds its output padding.")
        }
        return notes
    }
}
