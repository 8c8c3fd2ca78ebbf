import ConvArithmetic

/// Answers `convarith eval` lines one after another on one thread, reusing its decoding storage from
/// line to line — the fast way to answer a stream. A session is a mutable value: give each thread its own.
///
/// A plain shape request is decoded straight from its bytes (`DirectRequestDecoder`); every other line —
/// tensors, escapes, errors of syntax or type — goes through the JSON tree (``Evaluator``). Both paths
/// resolve the same `LayerParameters` and write through ``EvalResult/write(to:id:)``, so the answer is
/// the same byte for byte either way.
public struct EvalSession {
    /// The evaluator that answers the lines the direct path does not take.
    public let evaluator: Evaluator
    private var storage = DecodingStorage()

    /// A session answering with `evaluator`.
    public init(evaluator: Evaluator = Evaluator()) {
        self.evaluator = evaluator
    }

    /// Appends the answer line (without newline) for one request line, given as UTF-8 bytes in place.
    public mutating func answer(line: UnsafeBufferPointer<UInt8>, appendingTo output: inout [UInt8]) {
        guard let request = DirectRequestDecoder.decode(line, storage: &storage) else {
            evaluator.generalAnswer(bytes: Array(line), appendingTo: &output)
            return
        }
        let id = request.id
        do {
            try EvalResult(layer: Layer(request.layer)).write(to: &output) { id.write(from: line, to: &$0) }
        } catch {
            Evaluator.writeError("\(error)", to: &output) { id.write(from: line, to: &$0) }
        }
    }
}
