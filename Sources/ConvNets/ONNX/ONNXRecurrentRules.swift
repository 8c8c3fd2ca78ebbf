/// `LSTM`, `GRU` and `RNN`: a sequence `X` (`[seq, batch, input]`, or `[batch, seq, input]` with
/// `layout = 1`) through `num_directions` recurrent layers of `hidden_size` units.
///
/// Outputs: `Y` `[seq, directions, batch, hidden]` (`[batch, seq, directions, hidden]`), and the last
/// hidden state `Y_h` (and, for LSTM, cell state `Y_c`) `[directions, batch, hidden]`
/// (`[batch, directions, hidden]`). The weights `W` `[directions, gates·hidden, input]` and `R`
/// `[directions, gates·hidden, hidden]` are checked against `X`; the parameters and multiply-adds are
/// counted on `Y`.
extension ONNXOperator {
    /// The operators this rule knows and their gates per unit.
    static let recurrentGates: [String: Int] = ["LSTM": 4, "GRU": 3, "RNN": 1, "DynamicQuantizeLSTM": 4]

    func recurrent(_ inputs: [ONNXValue?]) throws(NetworkError) -> ONNXOutput {
        guard let gates = Self.recurrentGates[type], inputs.count >= 3, let x = inputs[0], var w = inputs[1], var r = inputs[2] else {
            throw .layer("\(type) needs X, W and R")
        }
        if type == "DynamicQuantizeLSTM", w.shape.count == 3, r.shape.count == 3 {
            // ONNX Runtime's quantized LSTM keeps W and R transposed: [directions, input, 4·hidden].
            w.shape = [w.shape[0], w.shape[2], w.shape[1]]
            r.shape = [r.shape[0], r.shape[2], r.shape[1]]
        }
        guard x.shape.count == 3 else { throw .layer("\(type): X must be 3-D [seq, batch, input], got \(ShapeText.brackets(x.shape))") }
        let batchFirst = (attributes.integer("layout") ?? 0) == 1
        let (sequence, batch, features) = batchFirst ? (x.shape[1], x.shape[0], x.shape[2]) : (x.shape[0], x.shape[1], x.shape[2])
        let direction = attributes.string("direction") ?? "forward"
        guard ["forward", "reverse", "bidirectional"].contains(direction) else { throw .layer("\(type): unknown direction '\(direction)'") }
        let directions = direction == "bidirectional" ? 2 : 1
        guard w.shape.count == 3, w.shape[0] == directions, w.shape[2] == features, w.shape[1] % gates == 0 else {
            throw .layer("\(type): W \(ShapeText.brackets(w.shape)) does not fit X \(ShapeText.brackets(x.shape)) with \(directions) direction(s): expected [\(directions), \(gates)·hidden, \(features)]")
        }
        let hidden = attributes.integer("hidden_size") ?? w.shape[1] / gates
        let (rows, overflow) = gates.multipliedReportingOverflow(by: hidden)
        guard hidden >= 1, !overflow, w.shape[1] == rows else {
            throw .layer("\(type): W \(ShapeText.brackets(w.shape)) has \(w.shape[1]) rows, but hidden_size \(hidden) needs \(gates)·\(hidden)")
        }
        guard r.shape == [directions, rows, hidden] else {
            throw .layer("\(type): R \(ShapeText.brackets(r.shape)) must be [\(directions), \(rows), \(hidden)]")
        }
        let state = batchFirst ? [batch, directions, hidden] : [directions, batch, hidden]
        for (index, name) in [(5, "initial_h"), (6, "initial_c")] where index < inputs.count {
            if let given = inputs[index], given.shape != state {
                throw .layer("\(type): \(name) \(ShapeText.brackets(given.shape)) must be \(ShapeText.brackets(state))")
            }
        }
        switch outputIndex {
        case 0:
            var weights = 0
            for index in [1, 2, 3, 7] where index < inputs.count {
                if let value = inputs[index] { weights = try ShapeRules.add(weights, try ShapeRules.elementCount(value.shape), "the parameter count") }
            }
            let (width, wide) = features.addingReportingOverflow(hidden)
            let work = wide ? nil : ShapeRules.product([sequence, batch, directions, rows, width])
            let shape = batchFirst ? [batch, sequence, directions, hidden] : [sequence, directions, batch, hidden]
            return ONNXOutput(shape: shape, parameters: weights, multiplyAdds: work, workBeyondRange: work == nil)
        case 1:
            return ONNXOutput(shape: state)
        case 2 where gates == 4:
            return ONNXOutput(shape: state)
        default:
            throw .layer("\(type) has no output \(outputIndex + 1)")
        }
    }
}
