import ConvArithmetic

extension Network {
    /// The shape table: every node's shapes, parameters, multiply-adds and receptive field, in order.
    ///
    /// A node that cannot have an output shape gets an ``LayerReport/error`` (the first one is where a
    /// stack breaks); nodes that read it, and nodes whose shape depends on values computed at run time,
    /// get a ``LayerReport/note`` and no shape, and the table goes on with everything that does not
    /// depend on them.
    public func analyze() -> NetworkReport {
        var tensors: [String: TensorState] = [:]
        for input in inputs {
            let rank = input.shape.map { max($0.count - 2, 0) } ?? 0
            tensors[input.name] = TensorState(shape: input.shape, field: input.shape == nil ? nil : Array(repeating: InputField.input, count: rank),
                                              unknownBecause: input.shape == nil ? "the input '\(input.name)' has open dimensions \(input.declared); give --input" : nil)
        }
        for (name, constant) in constants where tensors[name] == nil { tensors[name] = TensorState(constant) }
        var branches: [String: BranchOutcome] = [:]
        let rows = analyzeNodes(&tensors, branches: &branches)
        return NetworkReport(name: name, inputs: inputs, layers: rows, outputs: outputs)
    }

    /// Every node in order, each from the tensors before it; `tensors` gains every node's output.
    /// `branches` holds the outputs of the `If` branches analysed so far (by their output names).
    private func analyzeNodes(_ tensors: inout [String: TensorState], branches: inout [String: BranchOutcome]) -> [LayerReport] {
        var rows: [LayerReport] = []
        rows.reserveCapacity(nodes.count)
        for node in nodes {
            var (row, state) = analyze(node, tensors: tensors, branches: &branches)
            row.sourceName = node.sourceName
            row.integerValues = state.integers
            row.realValues = state.reals
            rows.append(row)
            tensors[node.name] = state
        }
        return rows
    }

    /// The outputs of an `If` branch analysed in the scope of the enclosing graph's `tensors`.
    private static func outcome(of branch: Network, scope tensors: [String: TensorState],
                                branches: inout [String: BranchOutcome]) -> BranchOutcome {
        let key = key(of: branch)
        if let known = branches[key] { return known }
        var scope = tensors
        for (name, constant) in branch.constants { scope[name] = TensorState(constant) }
        let rows = branch.analyzeNodes(&scope, branches: &branches)
        let failure = rows.first { $0.error != nil }.map { "'\($0.name)' (\($0.label)): \($0.error ?? "")" }
        let totals = NetworkReport(name: nil, inputs: [], layers: rows)
        let outcome = BranchOutcome(outputs: branch.outputs.map { scope[$0] }, failure: failure,
                                    parameters: totals.totalParameters, multiplyAdds: totals.totalMultiplyAdds)
        branches[key] = outcome
        return outcome
    }

    /// The key of a branch or body among those analysed: its place in the model, which the import
    /// gives it as its name (`/y/then_branch`).
    private static func key(of branch: Network) -> String { branch.name ?? "" }

    /// `If`'s output `index`: the selected branch's when the condition is known, else the shape both
    /// branches agree on.
    private static func conditional(_ thenBranch: Network, _ elseBranch: Network, index: Int, condition: TensorState?,
                                    scope tensors: [String: TensorState], branches: inout [String: BranchOutcome]) throws(NetworkError) -> NodeResult {
        let (thenOutcome, elseOutcome) = (outcome(of: thenBranch, scope: tensors, branches: &branches),
                                          outcome(of: elseBranch, scope: tensors, branches: &branches))
        func output(_ outcome: BranchOutcome) -> TensorState? { index < outcome.outputs.count ? outcome.outputs[index] : nil }
        if let value = condition?.integers?.first {
            let (name, selected) = value != 0 ? ("then", thenOutcome) : ("else", elseOutcome)
            guard let chosen = output(selected), let shape = chosen.shape else {
                if let failure = selected.failure { throw .layer("the \(name) branch, which the condition selects, fails at \(failure)") }
                throw .unknownValues("the \(name) branch, which the condition selects, leaves output \(index + 1) unknown")
            }
            return NodeResult(shape: shape, field: chosen.field, note: "the condition is known: the \(name) branch", integers: chosen.integers, reals: chosen.reals)
        }
        let (a, b) = (output(thenOutcome), output(elseOutcome))
        if a?.shape == nil, b?.shape == nil, let failure = thenOutcome.failure, let other = elseOutcome.failure {
            throw .layer("both branches fail, whatever the condition: the then branch at \(failure); the else branch at \(other)")
        }
        // A branch that fails on these inputs cannot be the one that runs: the other's shape is the output's.
        if let shape = a?.shape, b?.shape == nil, let failure = elseOutcome.failure {
            return NodeResult(shape: shape, field: a?.field, note: "the else branch fails here (at \(failure)), so only the then branch can run")
        }
        if let shape = b?.shape, a?.shape == nil, let failure = thenOutcome.failure {
            return NodeResult(shape: shape, field: b?.field, note: "the then branch fails here (at \(failure)), so only the else branch can run")
        }
        guard let first = a?.shape, let second = b?.shape, first == second else {
            let text = { (state: TensorState?) in state?.shape.map { ShapeText.brackets($0) } ?? "an unknown shape" }
            throw .unknownValues("If's condition is computed at run time and its branches give \(text(a)) and \(text(b)) for output \(index + 1)")
        }
        return NodeResult(shape: first, field: a?.field == b?.field ? a?.field : nil)
    }

    /// `Loop`'s output `index`. The body runs once in the analysis with the carried values' shapes (not
    /// their values, which change) and unknown iteration number and condition.
    private static func loop(_ body: Network, index: Int, inputs: [TensorState?], scope tensors: [String: TensorState],
                             branches: inout [String: BranchOutcome]) throws(NetworkError) -> NodeResult {
        let carried = body.inputs.count - 2
        // The first output reads every initial value; the others only the trip count, the condition and
        // their own, and find the body's analysis done.
        let full = inputs.count >= body.inputs.count
        let outcome: BranchOutcome
        if let known = branches[key(of: body)] {
            outcome = known
        } else {
            guard full else { throw .unknownValues("the loop's other outputs are unknown, so its body was not analysed") }
            var scope = tensors
            scope[body.inputs[0].name] = TensorState(shape: [], field: nil, unknownBecause: nil)
            scope[body.inputs[1].name] = TensorState(shape: [], field: nil, unknownBecause: nil)
            for position in 0..<carried {
                let initial = position + 2 < inputs.count ? inputs[position + 2] : nil
                guard let shape = initial?.shape else { throw .unknownValues("Loop's carried value \(position + 1) has no initial value") }
                scope[body.inputs[position + 2].name] = TensorState(shape: shape, field: nil, unknownBecause: nil)
            }
            outcome = Self.outcome(of: Network(name: body.name, inputs: [], constants: body.constants, nodes: body.nodes, convention: body.convention,
                                               outputs: body.outputs),
                                   scope: scope, branches: &branches)
        }
        // Body outputs: the condition, the carried values, then the scan outputs.
        guard index + 1 < outcome.outputs.count, let produced = outcome.outputs[index + 1], let shape = produced.shape else {
            if let failure = outcome.failure { throw .layer("the loop body fails at \(failure)") }
            throw .unknownValues("the loop body leaves output \(index + 1) unknown")
        }
        if index < carried {
            let initial = full ? inputs[index + 2] : inputs.count > 2 ? inputs[2] : nil
            guard initial?.shape == shape else {
                throw .unknownValues("Loop's carried value \(index + 1) changes from \(initial?.shape.map { ShapeText.brackets($0) } ?? "?") to \(ShapeText.brackets(shape)) in an iteration, so its final shape depends on the trip count")
            }
            // A value the body passes through unchanged keeps its values too.
            let passedThrough = body.outputs[index + 1] == body.inputs[index + 2].name
            return NodeResult(shape: shape, field: nil, integers: passedThrough ? initial?.integers : nil, reals: passedThrough ? initial?.reals : nil)
        }
        let conditionGiven = inputs.count > 1 && inputs[1] != nil
        guard !conditionGiven, let trips = inputs.first??.integers?.first, trips >= 0 else {
            throw .unknownValues("Loop's scan output \(index - carried + 1) has one slice per iteration, and the number of iterations depends on a condition or a trip count computed at run time")
        }
        return NodeResult(shape: [trips] + shape, field: nil)
    }

    /// One node, from the states of the tensors it reads.
    private func analyze(_ node: NetworkNode, tensors: [String: TensorState], branches: inout [String: BranchOutcome]) -> (LayerReport, TensorState) {
        var shapes: [[Int]?] = []
        var states: [TensorState?] = []
        var missing: String?
        var cause: String?
        for input in node.inputs {
            // An empty name is an optional input left out (ONNX).
            if input.isEmpty {
                states.append(nil)
                continue
            }
            guard let state = tensors[input] else {
                let message = "reads '\(input)', which is neither an input of the network, a constant nor an earlier node"
                let row = LayerReport(name: node.name, label: node.label, inputShapes: shapes, outputShape: nil,
                                      error: message, location: node.location)
                return (row, TensorState(shape: nil, field: nil, unknownBecause: "it depends on '\(node.name)', which failed"))
            }
            states.append(state)
            // Constants (weights, shape tensors) are not shown as the node's inputs.
            if constants[input] == nil { shapes.append(state.shape) }
            if state.shape == nil, missing == nil {
                missing = state.unknownBecause ?? "the shape of '\(input)' is unknown"
                cause = input
            }
        }
        if let missing {
            var row = LayerReport(name: node.name, label: node.label, inputShapes: shapes, outputShape: nil,
                                  note: "unknown: \(missing)", location: node.location)
            row.dependsOn = cause
            return (row, TensorState(shape: nil, field: nil, unknownBecause: missing))
        }
        do throws(NetworkError) {
            var result: NodeResult
            if case let .loop(body, index) = node.operation {
                result = try Self.loop(body, index: index, inputs: states, scope: tensors, branches: &branches)
                // The body's weights are the model's, counted once, on the first output.
                if index == 0, let outcome = branches[Self.key(of: body)] {
                    result.parameters = outcome.parameters
                    // Every iteration runs the body: its work times the trip count, when that is known.
                    if let trips = states.first??.integers?.first, let work = outcome.multiplyAdds {
                        result.multiplyAdds = ShapeRules.product([work, max(trips, 0)])
                        result.workBeyondRange = result.multiplyAdds == nil
                    }
                }
            } else if case let .conditional(thenBranch, elseBranch, index) = node.operation {
                result = try Self.conditional(thenBranch, elseBranch, index: index, condition: states.first ?? nil, scope: tensors, branches: &branches)
                if index == 0, let a = branches[Self.key(of: thenBranch)], let b = branches[Self.key(of: elseBranch)] {
                    // Both branches' weights are the model's; the work is the branch that runs (the
                    // larger when the condition is computed at run time and both can run).
                    if let x = a.parameters, let y = b.parameters { result.parameters = x.addingReportingOverflow(y).overflow ? nil : x + y }
                    let runs = (states.first ?? nil)?.integers?.first.map { $0 != 0 ? [a] : [b] }
                        ?? [a, b].filter { $0.failure == nil }
                    result.multiplyAdds = runs.compactMap(\.multiplyAdds).max()
                }
            } else if case .onnx(let op) = node.operation {
                let inputs = states.map { $0.map { ONNXValue(shape: $0.shape ?? [], integers: $0.integers, reals: $0.reals, field: $0.field) } }
                let output = try op.evaluate(inputs)
                result = NodeResult(shape: output.shape, parameters: output.parameters, multiplyAdds: output.multiplyAdds, workBeyondRange: output.workBeyondRange,
                                    field: output.field, layer: output.layer, note: output.note, integers: output.integers, reals: output.reals)
            } else {
                let present = states.compactMap { $0 }
                let known = present.compactMap(\.shape)
                let fields = present.map(\.field)
                var evaluated = try evaluate(node.operation, inputs: known, fields: fields)
                // Layers that only move or keep elements keep a small shape tensor's values (an Identity or a
                // Reshape between a Shape and the Reshape that reads it).
                switch node.operation {
                case .shapePreserving(let kind) where !["identity", "dropout"].contains(kind.lowercased()):
                    break
                case .reshape, .shapePreserving, .flatten:
                    if let source = states.first ?? nil, let shape = evaluated.shape, ShapeRules.count(shape) == ShapeRules.count(source.shape ?? []) {
                        evaluated.integers = source.integers
                        evaluated.reals = source.reals
                    }
                default: break
                }
                result = evaluated
            }
            if result.field == nil, result.shape != nil {
                // Units that read only units that see the whole input see it too, however the elements move.
                let fields = zip(node.inputs, states).compactMap { name, state in constants[name] == nil ? state?.field : nil }
                if let first = fields.first, !first.isEmpty, fields.allSatisfy({ $0.count == first.count && $0.allSatisfy(\.isWholeInput) }) {
                    result.field = Array(repeating: InputField.wholeInput(jump: nil), count: first.count)
                }
            }
            var note = result.note
            if let shape = result.shape, let declared = declaredShapes[node.name], declared.count != shape.count
                || zip(declared, shape).contains(where: { $0 != nil && $0 != $1 }) {
                let text = "[" + declared.map { $0.map(String.init) ?? "?" }.joined(separator: ", ") + "]"
                note = [note, "the model's value_info declares \(text)"].compactMap { $0 }.joined(separator: "; ")
            }
            let row = LayerReport(name: node.name, label: node.label, inputShapes: shapes, outputShape: result.shape,
                                  parameters: result.parameters, multiplyAdds: result.multiplyAdds, multiplyAddsBeyondRange: result.workBeyondRange,
                                  receptiveField: result.field,
                                  layer: result.layer, note: note, location: node.location)
            return (row, TensorState(shape: result.shape, field: result.field,
                                     unknownBecause: result.shape == nil ? "it depends on '\(node.name)', whose shape is unknown" : nil,
                                     integers: result.integers, reals: result.reals))
        } catch {
            if case .unknownValues(let reason) = error {
                let row = LayerReport(name: node.name, label: node.label, inputShapes: shapes, outputShape: nil,
                                      note: "unknown: \(reason)", location: node.location)
                return (row, TensorState(shape: nil, field: nil, unknownBecause: "it depends on '\(node.name)', whose shape is computed at run time"))
            }
            let row = LayerReport(name: node.name, label: node.label, inputShapes: shapes, outputShape: nil,
                                  error: error.description, location: node.location)
            return (row, TensorState(shape: nil, field: nil, unknownBecause: "it depends on '\(node.name)', which failed"))
        }
    }

    /// The output of one operation on known input shapes.
    private func evaluate(_ operation: NetworkOperation, inputs: [[Int]], fields: [[InputField]?]) throws(NetworkError) -> NodeResult {
        func single() throws(NetworkError) -> [Int] {
            guard inputs.count == 1 else { throw .layer("takes one data input, got \(inputs.count)") }
            return inputs[0]
        }
        let field = fields.first ?? nil
        switch operation {
        case .window(let window):
            let result = try Self.evaluate(window, input: try single(), field: field, convention: convention)
            return NodeResult(shape: result.shape, parameters: result.parameters, multiplyAdds: result.multiplyAdds, workBeyondRange: result.workBeyondRange,
                              field: result.field, layer: result.layer)
        case .globalPooling(_, let keep):
            let shape = try single()
            guard shape.count >= 3 else { throw .layer("global pooling needs an input [N, C, spatial…], got \(ShapeText.brackets(shape))") }
            let output = keep ? Array(shape.prefix(2)) + Array(repeating: 1, count: shape.count - 2) : Array(shape.prefix(2))
            return NodeResult(shape: output, field: FieldRules.whole(field, spatial: Array(shape.dropFirst(2))))
        case let .adaptivePooling(_, outputSize):
            let shape = try single()
            let rank = shape.count - 2
            guard rank >= 1, outputSize.count == 1 || outputSize.count == rank else {
                throw .layer("adaptive pooling to \(ShapeText.brackets(outputSize)) needs an input [N, C, spatial…] with \(outputSize.count) spatial axes, got \(ShapeText.brackets(shape))")
            }
            let sizes = outputSize.count == 1 ? Array(repeating: outputSize[0], count: rank) : outputSize
            // Windows of varying size: the fields are known only when every axis is pooled to one unit.
            let whole = sizes.allSatisfy { $0 == 1 } ? FieldRules.whole(field, spatial: Array(shape.dropFirst(2))) : nil
            return NodeResult(shape: Array(shape.prefix(2)) + sizes, field: whole)
        case .shapePreserving:
            return NodeResult(shape: try single(), field: field)
        case .normalization(_, let affine):
            let shape = try single()
            guard shape.count >= 2 else { throw .layer("normalization needs an input [N, C, …], got \(ShapeText.brackets(shape))") }
            return NodeResult(shape: shape, parameters: affine ? try ShapeRules.multiply(2, shape[1], "the parameter count") : nil, field: field)
        case .flatten(let start, let collapses):
            let shape = try single()
            let output = try ShapeRules.flatten(shape, start: start, collapsesLeadingAxes: collapses)
            let spatialStart = max((start < 0 ? start + shape.count : start), 2)
            let merged = spatialStart < shape.count ? Array(shape[2...]) : []
            return NodeResult(shape: output, field: start <= 2 && !merged.isEmpty ? FieldRules.whole(field, spatial: merged) : field)
        case let .linear(inFeatures, outFeatures, bias):
            let shape = try single()
            let output = try ShapeRules.linear(shape, inputFeatures: inFeatures, outputFeatures: outFeatures)
            let weights = try ShapeRules.multiply(shape.last!, outFeatures, "the parameter count")
            let leading = try ShapeRules.elementCount(Array(shape.dropLast()))
            let work = ShapeRules.product([leading, weights])
            return NodeResult(shape: output, parameters: bias ? try ShapeRules.add(weights, outFeatures, "the parameter count") : weights,
                              multiplyAdds: work, workBeyondRange: work == nil, field: field)
        case .upsample(let factors):
            let shape = try single()
            let output = try ShapeRules.upsample(shape, factors: factors)
            return NodeResult(shape: output, field: FieldRules.resized(field, shape: shape, output: output))
        case .concatenate(let axis):
            let output = try ShapeRules.concatenate(inputs, axis: axis)
            let position = axis < 0 ? axis + output.count : axis
            return NodeResult(shape: output, field: position < 2 ? FieldRules.joined(fields, shapes: inputs, output: output) : nil)
        case .elementwise(_, let broadcasting):
            let output = broadcasting ? try ShapeRules.broadcast(inputs) : try ShapeRules.identical(inputs)
            return NodeResult(shape: output, field: FieldRules.joined(fields, shapes: inputs, output: output))
        case let .reshape(target, allowZero):
            let shape = try single()
            let output = try ShapeRules.reshape(shape, to: target, allowZero: allowZero)
            return NodeResult(shape: output, field: output.count >= 3 && Array(output.dropFirst(2)) == Array(shape.dropFirst(2)) ? field : nil)
        case let .pad(before, after):
            let shape = try single()
            let output = try ShapeRules.pad(shape, before: before, after: after)
            return NodeResult(shape: output, field: FieldRules.padded(field, shape: shape, before: before))
        case let .resize(sizes, scales):
            let shape = try single()
            let output = try ShapeRules.resize(shape, sizes: sizes, scales: scales)
            return NodeResult(shape: output, field: FieldRules.resized(field, shape: shape, output: output))
        case let .matrixProduct(weight, transposed, bias):
            let shape = try single()
            let output = try ShapeRules.matrixProduct(shape, weight: weight, transposeWeight: transposed)
            let count = try ShapeRules.elementCount(weight)
            let leading = try ShapeRules.elementCount(Array(shape.dropLast()))
            let work = ShapeRules.product([leading, count])
            return NodeResult(shape: output, parameters: bias ? try ShapeRules.add(count, output.last ?? 0, "the parameter count") : count,
                              multiplyAdds: work, workBeyondRange: work == nil, field: field)
        case let .unknown(kind, reason):
            return NodeResult(shape: nil, field: nil, note: "unknown: \(kind): \(reason)")
        case .onnx, .conditional, .loop:
            throw .layer("an ONNX operator is evaluated with its inputs' values")
        }
    }
}

extension Network {
    /// What a convolution, pooling or transposed convolution gives: its output shape, parameters,
    /// multiply-adds, receptive field and resolved layer.
    struct WindowResult {
        var shape: [Int]
        var parameters: Int?
        var multiplyAdds: Int?
        var workBeyondRange: Bool
        var field: [InputField]?
        var layer: Layer
    }

    /// A window layer on an input `[N, C, spatial…]`, resolved by the core under `convention` (or the
    /// layer's own).
    static func evaluate(_ window: WindowLayer, input shape: [Int], field: [InputField]?,
                         convention: Convention) throws(NetworkError) -> WindowResult {
        let parameters = try window.parameters(input: shape, convention: convention)
        let layer: Layer
        do { layer = try Layer(parameters) } catch { throw .layer(error.description) }
        var weights: Int?
        var work: Int?
        var beyondRange = false
        if let tensors = layer.tensors, let weight = tensors.weight, window.operation != .pooling {
            let count = try ShapeRules.elementCount(weight)
            let bias = window.hasBias ? tensors.bias?.first ?? 0 : 0
            weights = try ShapeRules.add(count, bias, "the parameter count")
            work = layer.channels?.multiplyAdds(of: layer.shape)
            beyondRange = work == nil
        }
        var next: [InputField]?
        if let field, field.count == layer.shape.rank {
            next = zip(field, layer.shape.axes).map { $0.through($1, operation: layer.shape.operation) }
        }
        return WindowResult(shape: layer.outputShape ?? shape, parameters: weights, multiplyAdds: work, workBeyondRange: beyondRange, field: next, layer: layer)
    }
}

/// What the analysis knows of one tensor.
private struct TensorState: Equatable {
    var shape: [Int]?
    var field: [InputField]?
    var unknownBecause: String?
    var integers: [Int]? = nil
    var reals: [Double]? = nil
}

/// What one node produced.
private struct NodeResult {
    var shape: [Int]?
    var parameters: Int? = nil
    var multiplyAdds: Int? = nil
    var workBeyondRange = false
    var field: [InputField]?
    var layer: Layer? = nil
    var note: String? = nil
    var integers: [Int]? = nil
    var reals: [Double]? = nil
}

extension TensorState {
    /// A constant: its shape and, when small, its values.
    init(_ constant: ConstantTensor) {
        self.init(shape: constant.shape, field: nil, unknownBecause: nil, integers: constant.integers, reals: constant.reals)
    }
}

/// What an `If` branch gave: its outputs, and its first failing node.
private struct BranchOutcome {
    var outputs: [TensorState?]
    var failure: String?
    var parameters: Int?
    var multiplyAdds: Int?
}
