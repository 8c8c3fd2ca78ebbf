import ArgumentParser
import ConvEval
import ConvKernels
import Dispatch

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

            Examples:
              echo '{"op":"transposed","input":[3],"kernel":3,"stride":2}' | convarith eval
            """)
    )

    /// Bytes of memory a request line takes while it is parsed, per byte of the line (measured: a 64 MiB line
    /// of zeros peaked at 1.37 GB, about 20).
    static let parsedBytesPerLineByte = 24

    /// The longest request line read: 64 MiB, or `CONVARITH_EVAL_LINE_LIMIT_MB`, and never more than the memory
    /// limit allows a line to take while parsed (``parsedBytesPerLineByte``).
    static let lineLimit: Int = {
        var requested = 64 << 20
        if let text = getenv("CONVARITH_EVAL_LINE_LIMIT_MB").map({ String(cString: $0) }), let megabytes = Int(text), (1...65_536).contains(megabytes) {
            requested = megabytes << 20
        }
        return max(1 << 16, min(requested, MemoryLimit.current.bytes / parsedBytesPerLineByte))
    }()

    @Option(help: ArgumentHelp(
        "Threads answering a large input in parallel, answers kept in input order (default: every core, or CONVARITH_THREADS); 1 answers each line on the calling thread.",
        valueName: "n"))
    var threads: Int?

    func validate() throws {
        if let threads, !(1...256).contains(threads) { throw ValidationError("--threads must be 1…256, got \(threads)") }
    }

    func run() throws {
        signal(SIGPIPE, SIG_IGN)
        let threadCount = threads ?? FastThreads.default
        let answerer = LineAnswerer(lineLimit: Self.lineLimit)
        // A chunk is what one read returns: when input arrives slowly, a few lines, answered at once; from a
        // file or a fast pipe, a full chunk, large enough to share among the threads.
        var reader = LineReader(lineLimit: Self.lineLimit, chunkSize: threadCount > 1 ? 1 << 20 : 1 << 16)
        var output = OutputBuffer()
        var readerGone = false
        while !readerGone {
            let more = reader.readChunk { bytes, lines in
                if threadCount > 1 && lines.count >= 2 * LineAnswerer.linesPerTask {
                    output.append(answerer.answerInParallel(lines, in: bytes, threads: threadCount))
                } else {
                    output.withBytes { answerer.answer(lines[...], in: bytes, to: &$0) }
                }
            }
            if !output.flush() { readerGone = true }
            if !more { break }
        }
        if readerGone { throw ExitCode(74) }
    }
}

/// Answers the lines of one chunk, on the calling thread or in parallel.
struct LineAnswerer: Sendable {
    /// The fewest lines worth handing to another thread (a task costs a few microseconds to start).
    static let linesPerTask = 128

    let lineLimit: Int
    let evaluator = Evaluator()

    /// Appends the answer to each line, each followed by a newline; blank lines get none.
    func answer(_ lines: ArraySlice<LineReader.Line>, in bytes: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        var session = EvalSession(evaluator: evaluator)
        for line in lines {
            switch line {
            case .text(let range):
                let text = UnsafeBufferPointer(rebasing: bytes[range])
                guard text.contains(where: { $0 != 0x20 && $0 != 0x09 }) else { continue }
                session.answer(line: text, appendingTo: &output)
            case .tooLong:
                let factor = EvalCommand.parsedBytesPerLineByte
                let message: String = "the line is longer than \(lineLimit) bytes, the limit for one request "
                    + "(a parsed line takes about \(factor) times its size in memory); send smaller tensors, or raise the "
                    + "limit (CONVARITH_EVAL_LINE_LIMIT_MB, within CONVARITH_MEMORY_LIMIT_MB)"
                Evaluator.writeError(message, to: &output)
            }
            output.append(0x0A)
        }
    }

    /// The answers to `lines`, computed in contiguous parts on up to `threads` threads and joined in order.
    func answerInParallel(_ lines: [LineReader.Line], in bytes: UnsafeBufferPointer<UInt8>, threads: Int) -> [UInt8] {
        let parts = min(threads, lines.count / Self.linesPerTask)
        var answers = [[UInt8]](repeating: [], count: parts)
        answers.withUnsafeMutableBufferPointer { answers in
            // Each part reads its own lines of `bytes` and writes only its own answer buffer.
            let shared = UncheckedShared(bytes: bytes, answers: answers)
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                let range = (lines.count * part / parts)..<(lines.count * (part + 1) / parts)
                var output: [UInt8] = []
                output.reserveCapacity(range.count * 160)
                answer(lines[range], in: shared.bytes, to: &output)
                shared.answers[part] = output
            }
        }
        var joined: [UInt8] = []
        joined.reserveCapacity(answers.reduce(0) { $0 + $1.count })
        for part in answers { joined.append(contentsOf: part) }
        return joined
    }
}

/// The memory of one parallel loop, shared by threads that use disjoint parts of it.
private struct UncheckedShared: @unchecked Sendable {
    let bytes: UnsafeBufferPointer<UInt8>
    let answers: UnsafeMutableBufferPointer<[UInt8]>
}
