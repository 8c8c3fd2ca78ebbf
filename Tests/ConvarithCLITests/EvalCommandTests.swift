import Foundation
import OracleSupport
import Testing

@Suite("convarith eval")
struct EvalCommandTests {
    @Test("answers every oracle case like the framework, through the real executable",
          arguments: OracleCorpus.shapeFiles)
    func oracleCasesAgreeThroughTheExecutable(file: String) throws {
        let cases = try OracleCorpus.cases(in: file)
        let result = try CLIRunner.run(["eval"], input: cases.map(\.line).joined(separator: "\n") + "\n")
        #expect(result.status == 0)
        let answers = result.standardOutput.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        try #require(answers.count == cases.count)
        let disagreements = zip(answers, cases).compactMap { OracleCorpus.disagreement(of: String($0), with: $1) }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(20).joined(separator: "\n"))")
    }

    @Test("a malformed line gets an error answer with id null and evaluation goes on")
    func malformedLinesAreAnsweredAndSkipped() throws {
        let input = """
            {"id": 1, "op": "conv", "input": [5], "kernel": 3}
            {not json
            [1, 2]
            {"id": "x", "op": "conv", "input": [5]}
            {"id": 2, "op": "conv", "input": [5], "kernel": 3, "stride": 0}

            {"id": 3, "op": "pool", "input": [8], "kernel": 2}
            """
        let result = try CLIRunner.run(["eval"], input: input)
        #expect(result.status == 0)
        let answers = result.standardOutput.split(separator: "\n").map(String.init)
        try #require(answers.count == 6)
        #expect(answers[0] == #"{"id":1,"output":[3],"relationships":[{"seed":1,"paper":1},{"seed":2,"paper":2},{"seed":5,"paper":5},{"seed":6,"paper":6}]}"#)
        #expect(answers[1].hasPrefix(#"{"id":null,"error":"#))
        #expect(answers[2].contains("must be a JSON object"))
        #expect(answers[3].hasPrefix(#"{"id":"x","error":"#) && answers[3].contains("kernel"))
        #expect(answers[4].hasPrefix(#"{"id":2,"error":"#) && answers[4].contains("stride"))
        #expect(answers[5].hasPrefix(#"{"id":3,"output":[4]"#))
    }
}

@Suite("convarith eval with tensors")
struct EvalTensorCommandTests {
    @Test("tensor requests that do not fit their layer get error answers, and evaluation goes on")
    func mismatchedTensorsAreAnswered() throws {
        let input = """
            {"id":1,"op":"conv","input":[3],"kernel":2,"x":{"shape":[1,1,3],"data":[1,2,3]},"w":{"shape":[1,1,2],"data":[1,1]}}
            {"id":2,"op":"conv","input":[3],"kernel":2,"x":{"shape":[1,1,3],"data":[1,2]},"w":{"shape":[1,1,2],"data":[1,1]}}
            {"id":3,"op":"conv","input":[4],"kernel":2,"x":{"shape":[1,1,3],"data":[1,2,3]},"w":{"shape":[1,1,2],"data":[1,1]}}
            {"id":4,"op":"conv","input":[3],"kernel":2,"x":{"shape":[1,1,3],"data":[1,2,3]}}
            {"id":5,"op":"transposed","input":[3],"kernel":2,"groups":9223372036854775807,"x":{"shape":[1,1,3],"data":[1,2,3]},"w":{"shape":[1,2,2],"data":[1,1,1,1]}}
            {"id":6,"op":"pool","input":[3],"kernel":2,"impl":"matrix","x":{"shape":[1,1,3],"data":[1,2,3]}}
            {"id":7,"op":"conv","input":[3],"kernel":2,"impl":"winograd","x":{"shape":[1,1,3],"data":[1,2,3]},"w":{"shape":[1,1,2],"data":[1,1]}}
            {"id":8,"op":"pool","input":[3],"kernel":2,"stride":1,"x":{"shape":[1,1,3],"data":[1,"a",3]}}
            """
        let result = try CLIRunner.run(["eval"], input: input)
        #expect(result.status == 0)
        let answers = result.standardOutput.split(separator: "\n").map(String.init)
        try #require(answers.count == 8)
        #expect(answers[0].contains(#""y":{"shape":[1,1,2],"data":[3.0,5.0]}"#))
        for answer in answers.dropFirst() { #expect(answer.contains(#""error":"#), "\(answer)") }
    }

    @Test("answers every numeric oracle case within tolerance, through the real executable",
          arguments: OracleSupport.OracleCorpus.numericFiles)
    func numericCasesAgreeThroughTheExecutable(file: String) throws {
        let cases = try OracleCorpus.numericCases(in: file)
        let result = try CLIRunner.run(["eval"], input: cases.map(\.line).joined(separator: "\n") + "\n")
        #expect(result.status == 0)
        let answers = result.standardOutput.split(separator: "\n").map(String.init)
        try #require(answers.count == cases.count)
        let disagreements = zip(answers, cases).compactMap { OracleCorpus.numericDisagreement(of: $0, with: $1) }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(10).joined(separator: "\n"))")
    }

    @Test("the fast path agrees with every numeric oracle case with each micro-kernel forced (CONVARITH_KERNEL_ISA)",
          arguments: ["avx2", "portable"])
    func numericCasesAgreeWithEachMicroKernel(isa: String) throws {
        let cases = try OracleCorpus.numericFiles.flatMap { try OracleCorpus.numericCases(in: $0) }
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("convarith-isa-\(isa)-\(UUID().uuidString).jsonl")
        try Data((cases.map(\.line).joined(separator: "\n") + "\n").utf8).write(to: input)
        defer { try? FileManager.default.removeItem(at: input) }
        let result = try WatchedRun.run(["eval"], environment: ["CONVARITH_KERNEL_ISA": isa, "CONVARITH_THREADS": "2"], stdinPath: input.path)
        #expect(result.status == 0)
        let answers = result.standardOutput.split(separator: "\n").map(String.init)
        try #require(answers.count == cases.count)
        let disagreements = zip(answers, cases).compactMap { OracleCorpus.numericDisagreement(of: $0, with: $1) }
        #expect(disagreements.isEmpty, "\(isa): \(disagreements.prefix(10).joined(separator: "\n"))")
    }
}

@Suite("convarith eval streams")
struct EvalStreamingTests {
    @Test("each line is answered as soon as it arrives, before standard input is closed")
    func answersArriveBeforeInputEnds() throws {
        let process = Process()
        process.executableURL = CLIRunner.executable
        process.arguments = ["eval"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        var answers: [String] = []
        for id in 1...3 {
            input.fileHandleForWriting.write(Data("{\"id\":\(id),\"op\":\"conv\",\"input\":[8],\"kernel\":3}\n".utf8))
            // The answer must come back while the input is still open.
            var received = Data()
            let deadline = Date().addingTimeInterval(10)
            while !received.contains(0x0A) && Date() < deadline {
                received.append(output.fileHandleForReading.availableData)
            }
            answers.append(String(decoding: received, as: UTF8.self))
        }
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(answers.map { $0.hasPrefix("{\"id\":") && $0.contains("\"output\":[6]") } == [true, true, true], "\(answers)")
    }

    @Test("a line that passes the length limit is answered at once, before its newline (an endless line of NUL bytes gets an answer), and the next line is answered as usual")
    func overlongLineIsAnsweredBeforeItEnds() throws {
        let process = Process()
        process.executableURL = CLIRunner.executable
        process.arguments = ["eval"]
        process.environment = ProcessInfo.processInfo.environment.merging(["CONVARITH_EVAL_LINE_LIMIT_MB": "1"]) { $1 }
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        // Reads up to a newline, waiting at most 20 s in all: a command that never answers fails, not hangs.
        let descriptor = output.fileHandleForReading.fileDescriptor
        func nextAnswer() -> String {
            var received: [UInt8] = [], byte: UInt8 = 0
            let deadline = Date().addingTimeInterval(20)
            while received.last != 0x0A && Date() < deadline {
                var ready = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                guard poll(&ready, 1, 100) > 0 else { continue }
                guard read(descriptor, &byte, 1) == 1 else { break }
                received.append(byte)
            }
            return String(decoding: received, as: UTF8.self)
        }
        // 1.5 MiB of NUL bytes and no newline yet: the line can only grow.
        input.fileHandleForWriting.write(Data(count: 3 << 19))
        let refusal = nextAnswer()
        input.fileHandleForWriting.write(Data(count: 1 << 20))
        input.fileHandleForWriting.write(Data("\n{\"id\":2,\"op\":\"conv\",\"input\":[8],\"kernel\":3}\n".utf8))
        let next = nextAnswer()
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(refusal.contains("\"error\"") && refusal.contains("longer than 1048576 bytes, the limit"), "\(refusal)")
        #expect(refusal.filter { $0 == "\n" }.count == 1)
        #expect(next.hasPrefix("{\"id\":2") && next.contains("\"output\":[6]"), "\(next)")
    }
}

@Suite("convarith eval --threads")
struct EvalThreadsTests {
    @Test("a large file gets the same bytes at --threads 1 and --threads 2, blank, CRLF, malformed and too-long lines included")
    func threadsGiveTheSameAnswers() throws {
        var lines: [String] = []
        for file in OracleCorpus.shapeFiles { lines += try OracleCorpus.cases(in: file).map(\.line) }
        try #require(lines.count > 2_000)
        // Interleave what the command itself handles: blank lines, CRLF endings, bad JSON, two lines over the limit.
        var input = ""
        var expectedAnswers = lines.count
        for (index, line) in lines.enumerated() {
            input += line
            switch index % 97 {
            case 0: input += "\r\n"
            case 1: input += "\n\n   \n"
            case 2:
                input += "\n{\"id\": \(index), \"op\":\n"
                expectedAnswers += 1
            case 3 where index < 200:
                input += "\n{\"id\":\"long\",\"pad\":\"" + String(repeating: "x", count: 1_100_000) + "\"}\n"
                expectedAnswers += 1
            default: input += "\n"
            }
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("eval-threads-\(getpid()).jsonl").path
        try input.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let environment = ["CONVARITH_EVAL_LINE_LIMIT_MB": "1"]
        let one = try WatchedRun.run(["eval", "--threads", "1"], environment: environment, timeout: 120, stdinPath: path)
        let two = try WatchedRun.run(["eval", "--threads", "2"], environment: environment, timeout: 120, stdinPath: path)
        #expect(one.status == 0 && two.status == 0, "\(one.standardError)\(two.standardError)")
        let answers = one.standardOutput.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(answers.count == expectedAnswers)
        #expect(one.standardOutput == two.standardOutput)
        #expect(answers.contains { $0.contains("longer than 1048576 bytes, the limit") })
    }

    @Test("the line limit stays within the memory limit: a line that would take more memory parsed is refused, whatever the line limit asked")
    func lineLimitFollowsTheMemoryLimit() throws {
        // 48 MB of memory: lines up to 2 MiB (24 bytes a byte parsed), though 64 MiB lines were asked for.
        let data = [String](repeating: "0", count: 1_500_000).joined(separator: ",")
        let line = #"{"id":1,"op":"pool","input":[1500000],"kernel":1,"x":{"shape":[1,1,1500000],"data":["# + data + "]}}\n"
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("eval-line-memory-\(getpid()).jsonl").path
        try line.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try WatchedRun.run(["eval"], environment: ["CONVARITH_MEMORY_LIMIT_MB": "48", "CONVARITH_EVAL_LINE_LIMIT_MB": "64"],
                                        stdinPath: path)
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("longer than 2097152 bytes, the limit")
                && result.standardOutput.contains("parsed line"),
                "\(result.standardOutput.prefix(300))")
        #expect(result.peakResidentBytes < 100 << 20)
    }

    @Test("--threads outside 1…256 is a usage error (exit 64)")
    func threadCountIsValidated() throws {
        for value in ["0", "257", "-1"] {
            let result = try CLIRunner.run(["eval", "--threads", value], input: "")
            #expect(result.status == 64, "--threads \(value): \(result.standardError)")
        }
    }
}
