/// A shape given to one input of a network from the command line: `--input 1x3x224x224` (the first
/// input) or `--input audio=1x576` (the input named `audio`).
public struct InputAssignment: Sendable, Hashable {
    /// The input's name; `nil` for the network's first input.
    public var name: String?
    /// The shape, of the rank the input has.
    public var shape: [Int]

    /// An assignment.
    public init(name: String? = nil, shape: [Int]) {
        self.name = name
        self.shape = shape
    }
}

extension Network {
    /// The network with the inputs' shapes given, and every other input whose open dimensions are named
    /// by a symbol that a given input fixes (`state [2, batch, 128]` once `input [batch, samples]` is
    /// `1×576`) filled in.
    /// - Throws: ``NetworkError/layer(_:)`` for a name the network has no input of, an input given twice,
    ///   or a shape whose rank or fixed sizes differ from the model's declaration.
    public func assigning(_ assignments: [InputAssignment]) throws(NetworkError) -> Network {
        var copy = self
        var assigned: Set<Int> = []
        for assignment in assignments {
            guard let index = assignment.name.map({ name in copy.inputs.firstIndex { $0.name == name } }) ?? (copy.inputs.isEmpty ? nil : 0) else {
                if copy.inputs.isEmpty, assignment.name == nil {
                    copy.inputs = [Input(name: "input", shape: assignment.shape)]
                    assigned.insert(0)
                    continue
                }
                throw .layer("the network has no input '\(assignment.name ?? "")'; its inputs: \(inputList)")
            }
            guard assigned.insert(index).inserted else {
                throw .layer("the input '\(copy.inputs[index].name)' is given twice")
            }
            let input = copy.inputs[index]
            if !input.declared.isEmpty {
                guard input.declared.count == assignment.shape.count else {
                    throw .layer("the input '\(input.name)' has \(input.declared.count) dimensions \(Self.declaredText(input.declared)); --input gives \(assignment.shape.count) (\(ShapeText.times(assignment.shape)))")
                }
                for (axis, (declared, given)) in zip(input.declared, assignment.shape).enumerated() {
                    if let fixed = Int(declared), fixed != given {
                        throw .layer("the input '\(input.name)' \(Self.declaredText(input.declared)) has \(fixed) on axis \(axis), fixed by the model; --input gives \(given)")
                    }
                }
            } else if let existing = input.shape, existing.count != assignment.shape.count {
                throw .layer("the input '\(input.name)' has \(existing.count) dimensions \(ShapeText.brackets(existing)); --input gives \(assignment.shape.count) (\(ShapeText.times(assignment.shape)))")
            }
            copy.inputs[index].shape = assignment.shape
        }
        // Symbols fixed by the given inputs fill the other inputs' open dimensions.
        var symbols: [String: Int] = [:]
        for input in copy.inputs {
            guard let shape = input.shape, input.declared.count == shape.count else { continue }
            for (declared, size) in zip(input.declared, shape) where Int(declared) == nil && declared != "?" && !declared.isEmpty {
                symbols[declared] = symbols[declared] ?? size
            }
        }
        for index in copy.inputs.indices where copy.inputs[index].shape == nil && !copy.inputs[index].declared.isEmpty {
            let sizes = copy.inputs[index].declared.map { Int($0) ?? symbols[$0] }
            if sizes.allSatisfy({ $0 != nil }) { copy.inputs[index].shape = sizes.map { $0! } }
        }
        return copy
    }

    /// The inputs still without a shape.
    public var openInputs: [Input] { inputs.filter { $0.shape == nil } }

    /// What to tell a user whose network still has open inputs: which dimensions are symbolic, and an
    /// `--input` for each open input to paste (the model's fixed sizes kept, 1 for a leading symbolic
    /// dimension, 224 for a symbolic image axis and 16000 for a symbolic length).
    public var openInputsAdvice: String? {
        let open = openInputs
        guard !open.isEmpty else { return nil }
        let symbols = open.flatMap { $0.declared.filter { Int($0) == nil } }
        var unique: [String] = []
        for symbol in symbols where !unique.contains(symbol) { unique.append(symbol) }
        let named = unique.filter { $0 != "?" && !$0.isEmpty }.map { "'\($0)'" }
        let subject = named.isEmpty ? "some dimensions are open"
            : named.count == 1 ? "\(named[0]) is symbolic" : "\(named.dropLast().joined(separator: ", ")) and \(named.last!) are symbolic"
        // One example value per symbol, decided where it first appears, so a shared 'batch' agrees.
        var examples: [String: String] = [:]
        for input in open {
            let imageLike = input.declared.count >= 3
            for (axis, declared) in input.declared.enumerated() where Int(declared) == nil && examples[declared] == nil {
                examples[declared] = axis == 0 ? "1" : imageLike ? (axis >= 2 ? "224" : "3") : "16000"
            }
        }
        let options = open.map { input -> String in
            let example = input.declared.isEmpty ? ["1", "3", "224", "224"]
                : input.declared.map { Int($0) != nil ? $0 : examples[$0] ?? "1" }
            let prefix = inputs.count > 1 || !input.declared.isEmpty ? "\(input.name)=" : ""
            return "--input \(prefix)\(example.joined(separator: "x"))"
        }
        let inputsText = open.map { "'\($0.name)' \(Self.declaredText($0.declared))" }.joined(separator: ", ")
        return "\(subject) in \(inputsText): pass \(options.joined(separator: " ")) (sizes of your own; the model's fixed sizes must stay)"
    }

    private var inputList: String {
        inputs.map { "\($0.name) \($0.shape.map { ShapeText.brackets($0) } ?? Self.declaredText($0.declared))" }.joined(separator: ", ")
    }

    static func declaredText(_ declared: [String]) -> String {
        declared.isEmpty ? "[?]" : "[" + declared.joined(separator: ", ") + "]"
    }
}
