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
                if let bound = symbols[declared], bound != size {
                    throw .layer("the inputs give the symbol '\(declared)' two sizes, \(bound) and \(size) ('\(input.name)' \(Self.declaredText(input.declared)))")
                }
                symbols[declared] = size
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
    /// `--input` for each open input to paste (see `exampleShapes`).
    public var openInputsAdvice: String? {
        let open = openInputs
        guard !open.isEmpty else { return nil }
        var named: [String] = []
        for symbol in open.flatMap(\.declared) where Int(symbol) == nil && symbol != "?" && !symbol.isEmpty && !named.contains("'\(symbol)'") {
            named.append("'\(symbol)'")
        }
        let undeclared = open.allSatisfy { $0.declared.isEmpty }
        let subject = undeclared ? "no shape is given" : named.isEmpty ? "some dimensions are open"
            : named.count == 1 ? "\(named[0]) is symbolic" : "\(named.dropLast().joined(separator: ", ")) and \(named.last!) are symbolic"
        let options = zip(open, exampleShapes(of: open)).map { input, example -> String in
            // An input without a name can only be given first, without one.
            let prefix = input.name.isEmpty || (inputs.count == 1 && input.declared.isEmpty) ? "" : "\(input.name)="
            return "--input \(prefix)\(example.map(String.init).joined(separator: "x"))"
        }
        let inputsText = open.map { "'\($0.name)'" + ($0.declared.isEmpty ? "" : " \(Self.declaredText($0.declared))") }.joined(separator: ", ")
        return "\(subject) \(undeclared ? "for" : "in") \(inputsText): pass \(options.joined(separator: " ")) (sizes of your own; the model's fixed sizes must stay)"
    }

    /// The network with every open input whose open dimensions are batch-like (a leading axis, or one
    /// beside fixed sizes, such as a recurrent state's `[2, ?, 128]`) given 1 there, and what was assumed,
    /// for a user who gave the other inputs. Inputs with open image or length axes stay open.
    public func fillingBatchDimensions() -> (network: Network, assumed: [String]) {
        var copy = self
        var assumed: [String] = []
        let open = openInputs
        for (input, example) in zip(open, exampleShapes(of: open)) {
            // One open axis, leading or right after a fixed one (a state's [2, ?, 128]); an input with a
            // batch and a sequence length open ([batch, seq, 768]) is not guessed.
            let openAxes = input.declared.indices.filter { Int(input.declared[$0]) == nil }
            guard !input.declared.isEmpty, openAxes.count == 1, openAxes[0] == 0 || (openAxes[0] == 1 && Int(input.declared[0]) != nil),
                  example[openAxes[0]] == 1,
                  let index = copy.inputs.firstIndex(where: { $0.name == input.name }) else { continue }
            copy.inputs[index].shape = example
            assumed.append("'\(input.name)' \(Self.declaredText(input.declared)) taken as \(ShapeText.brackets(example)); pass --input \(input.name)=… to choose")
        }
        return (copy, assumed)
    }

    /// An example size for every dimension of `open` inputs: the model's fixed sizes; for an open one, 1
    /// on a leading axis or beside fixed sizes (a batch), else 3 channels and 224 on an image's axes, or
    /// 16000 samples on a 2-D input's second axis. A named symbol takes one value everywhere.
    private func exampleShapes(of open: [Input]) -> [[Int]] {
        var symbols: [String: Int] = [:]
        return open.map { input in
            guard !input.declared.isEmpty else { return [1, 3, 224, 224] }
            let allOpen = input.declared.allSatisfy { Int($0) == nil }
            let rank = input.declared.count
            return input.declared.enumerated().map { axis, declared in
                if let fixed = Int(declared) { return fixed }
                if let known = symbols[declared], declared != "?" { return known }
                let example = axis == 0 ? 1 : rank >= 3 ? (axis == 1 ? (allOpen ? 3 : 1) : 224) : rank == 2 ? 16000 : 1
                if declared != "?" { symbols[declared] = example }
                return example
            }
        }
    }

    private var inputList: String {
        inputs.map { "\($0.name) \($0.shape.map { ShapeText.brackets($0) } ?? Self.declaredText($0.declared))" }.joined(separator: ", ")
    }

    static func declaredText(_ declared: [String]) -> String {
        declared.isEmpty ? "[?]" : "[" + declared.joined(separator: ", ") + "]"
    }
}
