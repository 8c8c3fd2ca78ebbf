import Foundation
import OracleSupport

/// Runs the built `convarith` executable.
enum CLIRunner {
    struct Result {
        let status: Int32
        let standardOutput: String
        let standardError: String
    }

    /// The executable beside the test bundle (`.build/<configuration>/convarith`).
    static var executable: URL {
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [
            bundleDirectory.appendingPathComponent("convarith"),
            bundleDirectory.deletingLastPathComponent().appendingPathComponent("convarith"),
            OracleCorpus.packageRoot.appendingPathComponent(".build/debug/convarith"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }

    /// Runs `convarith arguments…` with `input` on standard input; with `viaShell`, `arguments` is a whole
    /// command line instead (its first element the program), for a limit set by the shell.
    static func run(_ arguments: [String], input: String = "", viaShell: Bool = false, directory: URL? = nil) throws -> Result {
        let process = Process()
        if let directory { process.currentDirectoryURL = directory }
        process.executableURL = viaShell ? URL(fileURLWithPath: arguments[0]) : executable
        process.arguments = viaShell ? Array(arguments.dropFirst()) : arguments
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        // Feed input on another thread so a large input cannot deadlock against a full output pipe.
        let data = Data(input.utf8)
        let writer = Thread {
            stdin.fileHandleForWriting.write(data)
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let errorData = ErrorCollector(stderr.fileHandleForReading)
        let outputData = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      standardOutput: String(decoding: outputData, as: UTF8.self),
                      standardError: String(decoding: errorData.wait(), as: UTF8.self))
    }
}

/// Reads a pipe to its end on a background thread.
final class ErrorCollector: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread {
            self.data = handle.readDataToEndOfFile()
            self.done.signal()
        }.start()
    }

    func wait() -> Data {
        done.wait()
        return data
    }
}

/// Runs `convarith` under watch: a time limit, the peak resident memory, and whether a signal ended it.
enum WatchedRun {
    struct Result {
        let status: Int32
        let signaled: Bool
        let timedOut: Bool
        let seconds: Double
        let peakResidentBytes: Int
        let standardOutput: String
        let standardError: String
    }

    /// Runs `convarith arguments…`; standard output goes to `outputPath` (a pipe when `nil`).
    static func run(_ arguments: [String], environment: [String: String] = [:], timeout: Double = 20,
                    outputPath: String? = nil, stdinPath: String = "/dev/null") throws -> Result {
        let process = Process()
        process.executableURL = CLIRunner.executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardInput = FileHandle(forReadingAtPath: stdinPath)
        let stdout = Pipe(), stderr = Pipe()
        if let outputPath {
            process.standardOutput = FileHandle(forWritingAtPath: outputPath)
        } else {
            process.standardOutput = stdout
        }
        process.standardError = stderr
        let start = Date()
        try process.run()
        let errors = ErrorCollector(stderr.fileHandleForReading)
        let output = outputPath == nil ? ErrorCollector(stdout.fileHandleForReading) : nil
        var peak = 0
        var timedOut = false
        while process.isRunning {
            if let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
               let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
               let kilobytes = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") {
                peak = max(peak, kilobytes * 1024)
            }
            if Date().timeIntervalSince(start) > timeout {
                timedOut = true
                process.terminate()
                break
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        process.waitUntilExit()
        return Result(status: process.terminationStatus, signaled: process.terminationReason == .uncaughtSignal && !timedOut,
                      timedOut: timedOut, seconds: Date().timeIntervalSince(start), peakResidentBytes: peak,
                      standardOutput: String(decoding: output?.wait() ?? Data(), as: UTF8.self),
                      standardError: String(decoding: errors.wait(), as: UTF8.self))
    }
}

/// A new empty directory under the temporary directory, named `convarith-<label>-<UUID>`; the caller removes it.
func temporaryDirectory(_ label: String = "cli") throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("convarith-\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory
}
