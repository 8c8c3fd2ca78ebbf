import ArgumentParser
import ConvEval

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `convarith eval`: the JSON Lines contract of DESIGN.md §3.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Answer JSON Lines requests from standard input, one answer line per request, in order.",
        discussion: helpText("""
            Each input line is a request such as
              {"id":1,"op":"conv","input":[224,224],"kernel":7,"stride":2,"padding":3}
            and gets one answer line such as
              {"id":1,"output":[112,112],"relationships":[{"seed":6,"paper":6}]}

            A line that is not valid JSON, lacks a field, or asks for impossible parameters is answered with {"id": …, "error": "…"} and evaluation goes on. Blank lines are skipped. Exit status 0 when every line was answered; 74 when standard output goes away.

            Example:
              echo '{"op":"transposed","input":[3],"kernel":3,"stride":2}' | convarith eval
            """)
    )

    /// The longest request line read (64 MiB, or `CONVARITH_EVAL_LINE_LIMIT_MB`): a parsed line takes
    /// several times its size in memory.
    static let lineLimit: Int = {
        if let text = getenv("CONVARITH_EVAL_LINE_LIMIT_MB").map({ String(cString: $0) }), let megabytes = Int(text), (1...65_536).contains(megabytes) {
            return megabytes << 20
        }
        return 64 << 20
    }()

    func run() throws {
        signal(SIGPIPE, SIG_IGN)
        let evaluator = Evaluator()
        var reader = LineReader(lineLimit: Self.lineLimit)
        var output = OutputBuffer()
        var readerGone = false
        while !readerGone {
            let more = reader.readChunk { line in
                switch line {
                case .text(let line):
                    guard line.contains(where: { $0 != 0x20 && $0 != 0x09 }) else { return }
                    output.withBytes { evaluator.answer(bytes: Array(line), appendingTo: &$0) }
                case .tooLong(let length):
                    output.withBytes {
                        JSONWriter.write(.object([("id", .null), ("error", .string("the line is \(length) bytes long, above the limit of \(Self.lineLimit) bytes for one request; send smaller tensors, or raise the limit (CONVARITH_EVAL_LINE_LIMIT_MB)"))]), to: &$0)
                    }
                }
                output.appendNewline()
            }
            if !output.flush() { readerGone = true }
            if !more { break }
        }
        if readerGone { throw ExitCode(74) }
    }
}
