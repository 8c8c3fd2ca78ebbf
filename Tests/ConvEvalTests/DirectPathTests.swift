@testable import ConvEval
import ConvKernels
import OracleSupport
import Testing

/// The direct path (`DirectRequestDecoder` inside an `EvalSession`) is a shortcut: whatever it answers must
/// be byte for byte what the JSON tree answers, and whatever it cannot read exactly it must hand over.
@Suite("eval's direct path answers exactly like the JSON tree")
struct DirectPathTests {
    /// The answer through the JSON tree only.
    private func generalAnswer(_ line: String) -> String {
        var output: [UInt8] = []
        Evaluator().generalAnswer(bytes: Array(line.utf8), appendingTo: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// The answer of `session`, which keeps its storage from one line to the next.
    private func sessionAnswer(_ line: String, _ session: inout EvalSession) -> String {
        var output: [UInt8] = []
        Array(line.utf8).withUnsafeBufferPointer { session.answer(line: $0, appendingTo: &output) }
        return String(decoding: output, as: UTF8.self)
    }

    private func takesDirectly(_ line: String) -> Bool {
        var storage = DecodingStorage()
        return Array(line.utf8).withUnsafeBufferPointer { DirectRequestDecoder.decode($0, storage: &storage) } != nil
    }

    @Test("every corpus line gets the same bytes from one session as from the JSON tree, most of them directly",
          arguments: OracleCorpus.shapeFiles)
    func corpusLinesAnswerIdentically(file: String) throws {
        let cases = try OracleCorpus.cases(in: file)
        var session = EvalSession()
        var differences: [String] = []
        for oracle in cases {
            let direct = sessionAnswer(oracle.line, &session), general = generalAnswer(oracle.line)
            if direct != general { differences.append("\(oracle.line)\n  direct:  \(direct)\n  general: \(general)") }
        }
        #expect(differences.isEmpty, "\(differences.count) differ:\n\(differences.prefix(5).joined(separator: "\n"))")
        // Corpus lines are plain shape requests: the shortcut must actually be taken.
        let direct = cases.filter { takesDirectly($0.line) }.count
        #expect(direct * 10 >= cases.count * 9, "only \(direct) of \(cases.count) lines took the direct path")
    }

    @Test("a key given twice is refused on both paths, never read as its first or its last value")
    func repeatedKeysAreRefused() {
        var session = EvalSession()
        for line in [#"{"id":1,"op":"conv","input":[5],"kernel":3,"kernel":1}"#, #"{"id":1,"op":"conv","input":[5],"x":{"shape":[1],"shape":[2]},"kernel":3}"#] {
            for answer in [generalAnswer(line), sessionAnswer(line, &session)] {
                #expect(answer.contains("appears twice in one object"), "\(answer)")
            }
        }
    }

    @Test("lines the direct path must hand over: escapes, non-ASCII, fractions, repeats, tensors, bad JSON")
    func unusualLinesAreHandedToTheJSONTree() {
        let lines = [
            #"{"id":"\u0041","op":"conv","input":[5],"kernel":3}"#,
            #"{"id":"é","op":"conv","input":[5],"kernel":3}"#,
            #"{"id":1.5,"op":"conv","input":[5],"kernel":3}"#,
            #"{"id":[1],"op":"conv","input":[5],"kernel":3}"#,
            #"{"id":99999999999999999999,"op":"conv","input":[5],"kernel":3}"#,
            #"{"op":"conv","input":[5.0],"kernel":3}"#,
            #"{"op":"conv","input":[5],"kernel":3,"kernel":2}"#,
            #"{"op":"conv","input":[5],"kernel":3,"x":{"shape":[1,1,5],"data":[1,2,3,4,5]}}"#,
            #"{"op":"conv","input":[5],"kernel":3,"convention":"pyt\u006frch"}"#,
            #"{"op":"conv","input":[5],"kernel":3,"padding":"ſame"}"#,
            #"{"op":"conv","input":[5],"kernel":3,"extra":"a\"b"}"#,
            #"{"op":"conv","input":[],"kernel":3}"#,
            #"{"op":"conv","input":[5],"kernel":03}"#,
            #"{"op":"conv","input":[5],"kernel":3} x"#,
            #"{"op":"conv","input":[5],"kernel":3,}"#,
            #"{"op":"conv","input":[5],"kernel":null}"#,
            #"{"op":"CONV","input":[5],"kernel":3}"#,
            #"{"op":"pool","input":[5],"kernel":3,"pool_mode":"MAX"}"#,
            #"{"op":"pool","input":[5],"kernel":3,"ceil_mode":2}"#,
            #"{"op":"conv","input":[5],"kernel":3,"padding":[[1]]}"#,
            #"[{"op":"conv","input":[5],"kernel":3}]"#,
            #"{}"#,
        ]
        for line in lines {
            #expect(!takesDirectly(line), "\(line)")
            var session = EvalSession()
            #expect(sessionAnswer(line, &session) == generalAnswer(line), "\(line)")
        }
    }

    @Test("plain variants the direct path reads: whitespace, unknown fields, nulls, case-insensitive names, 0/1 flags")
    func plainVariantsAreReadDirectlyAndIdentically() {
        let lines = [
            " { \"id\" : \"a b\" , \"op\" : \"conv\" , \"input\" : [ 5 , 6 ] , \"kernel\" : [ 3 , 3 ] } ",
            #"{"id":true,"op":"conv","input":[5],"kernel":3,"stride":null,"dilation":null,"padding":null}"#,
            #"{"id":-7,"op":"conv","input":[5],"kernel":3,"convention":"ONNX","padding":"SAME_LOWER"}"#,
            #"{"op":"pool","input":[7],"kernel":2,"ceil_mode":1,"count_include_pad":0,"pool_mode":"average"}"#,
            #"{"expected":{"output":[3],"nested":[[1,{"a":null}],-1.5e3,true]},"framework":"torch 2.5","op":"conv","input":[5],"kernel":3}"#,
            #"{"op":"transposed","input":[4,4],"kernel":3,"stride":2,"padding":[[1,0],[0,1]],"output_padding":[1,0],"convention":"jax"}"#,
            #"{"op":"conv","input":[5],"kernel":3,"channels":3,"out_channels":8,"batch":2,"groups":1}"#,
            #"{"id":"","op":"conv","input":[-9223372036854775808],"kernel":3}"#,
            #"{"id":-0,"op":"conv","input":[5],"kernel":3}"#,
        ]
        var session = EvalSession()
        for line in lines {
            #expect(takesDirectly(line), "\(line)")
            #expect(sessionAnswer(line, &session) == generalAnswer(line), "\(line)")
        }
    }

    @Test("20,000 mutated corpus lines get the same bytes from one session as from the JSON tree")
    func mutatedLinesAnswerIdentically() throws {
        let bases = try OracleCorpus.shapeFiles.flatMap { try OracleCorpus.cases(in: $0).prefix(400).map(\.line) }
        try #require(!bases.isEmpty)
        var rng = SplitMix64(state: 0x5EED_0F_D1EC7)
        let pieces = [" ", "\t", ",", ":", "[", "]", "{", "}", "\"", "\\", "0", "-", "1.0", "e5", "null", "true", "é", "\u{7F}",
                      #""id":"#, #""kernel":"#, #""padding":"#, #""x":"#, "[[1,2]]", #""same""#, #""ONNX""#]
        var session = EvalSession()
        var differences: [String] = []
        for _ in 0..<20_000 {
            var bytes = Array(bases.randomElement(using: &rng)!.utf8)
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                let position = Int.random(in: 0...bytes.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: bytes.insert(contentsOf: Array(pieces.randomElement(using: &rng)!.utf8), at: position)
                case 1: if position < bytes.count { bytes.remove(at: position) }
                default: if position < bytes.count { bytes[position] = UInt8.random(in: 0x20...0x7E, using: &rng) }
                }
            }
            let line = String(decoding: bytes, as: UTF8.self)
            let direct = sessionAnswer(line, &session), general = generalAnswer(line)
            if direct != general { differences.append("\(line)\n  direct:  \(direct)\n  general: \(general)") }
        }
        #expect(differences.isEmpty, "\(differences.count) differ:\n\(differences.prefix(5).joined(separator: "\n"))")
    }
}
