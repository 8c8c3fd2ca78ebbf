import Foundation
import Testing

@Suite("convarith bench --workloads names what it refuses")
struct BenchWorkloadFileTests {
    private func workloadFile(_ text: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("convarith-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("workloads.json")
        try Data(text.utf8).write(to: file)
        return file
    }

    @Test("a file that is not valid JSON is named, with the line and column of the error")
    func invalidFileIsNamed() throws {
        let file = try workloadFile("[\n  {\"name\": \"a\", \"op\": \"pool\", \"input\": [4], \"kernel\": [2]},\n  {\"name\": \"b\",,}\n]\n")
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let result = try CLIRunner.run(["bench", "--workloads", file.path, "--threads", "1", "--repetitions", "1", "--budget", "0"])
        #expect(result.status == 1)
        #expect(result.standardError == "error: \(file.path) is not valid JSON: expected a string key at line 3, column 16\n",
                "\(result.standardError)")
        #expect(!result.standardError.contains("the line"))
    }

    @Test("a truncated file says the file ended, not the line")
    func truncatedFileSaysTheFileEnded() throws {
        let file = try workloadFile("[\n  {\"name\": \"a\", \"op\": \"pool\"")
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let result = try CLIRunner.run(["bench", "--workloads", file.path, "--threads", "1", "--repetitions", "1", "--budget", "0"])
        #expect(result.status == 1)
        #expect(result.standardError.hasPrefix("error: \(file.path) is not valid JSON: unexpected end of the file inside an object at line 2"),
                "\(result.standardError)")
    }

    @Test("a workload the rules refuse is named in the error, by its name or else by its place in the file")
    func refusedWorkloadIsNamed() throws {
        let file = try workloadFile("""
            [{"name": "fine", "op": "pool", "pool_mode": "max", "input": [4], "kernel": [2]},
             {"name": "maxpool_x", "op": "pool", "pool_mode": "max", "input": [2], "kernel": [5]}]
            """)
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let result = try CLIRunner.run(["bench", "--workloads", file.path, "--threads", "1", "--repetitions", "1", "--budget", "0"])
        #expect(result.status == 1)
        #expect(result.standardError.hasPrefix("error: workload 'maxpool_x': axis 0: "), "\(result.standardError)")

        let unnamed = try workloadFile(#"[{"op": "pool", "input": [4], "kernel": [2]}, {"op": "conv", "input": [4]}]"#)
        defer { try? FileManager.default.removeItem(at: unnamed.deletingLastPathComponent()) }
        let second = try CLIRunner.run(["bench", "--workloads", unnamed.path, "--threads", "1", "--repetitions", "1", "--budget", "0"])
        #expect(second.status == 1)
        #expect(second.standardError.hasPrefix("error: workload 2 (unnamed): "), "\(second.standardError)")
    }
}
