import ConvKernels
import Foundation
import Testing

/// Random and extreme values for every numeric option of every subcommand, run through the real
/// executable: each run must end by itself (no signal, no time-out), stay under 1 GiB resident, and exit
/// with one of the documented statuses.
@Suite("convarith under random and extreme options")
struct CLIFuzzTests {
    private static let extremes = ["0", "1", "2", "3", "5", "-1", "-7", "9223372036854775807", "-9223372036854775808",
                                   "4611686018427387904", "4294967296", "2147483648", "1000000", "1000000000000"]
    private static let decimals = ["nan", "inf", "-inf", "1e300", "-1", "0", "0.01", "0.5", "700"]

    private struct Draw {
        var rng: SplitMix64

        mutating func number() -> String {
            Bool.random(using: &rng) ? String(Int.random(in: 0...12, using: &rng)) : CLIFuzzTests.extremes.randomElement(using: &rng)!
        }

        mutating func sizes() -> String {
            let rank = Int.random(in: 1...(Int.random(in: 0...9, using: &rng) == 0 ? 6 : 3), using: &rng)
            return (0..<rank).map { _ in number() }.joined(separator: "x")
        }

        mutating func padding() -> String {
            switch Int.random(in: 0...5, using: &rng) {
            case 0: return ["same", "valid", "same_lower", "half", "full", "causal"].randomElement(using: &rng)!
            case 1: return "\(number()):\(number())"
            default: return sizes()
            }
        }

        mutating func layer(operations: [String] = ["conv", "pool", "transposed"]) -> [String] {
            var arguments = [operations.randomElement(using: &rng)!, "-i", sizes(), "-k", sizes()]
            if Bool.random(using: &rng) { arguments += ["-s", sizes()] }
            if Bool.random(using: &rng) { arguments += ["-p=" + padding()] }
            if Bool.random(using: &rng) { arguments += ["-d", sizes()] }
            if Bool.random(using: &rng) { arguments += ["-a", sizes()] }
            if Int.random(in: 0...3, using: &rng) == 0 { arguments += ["--ceil-mode"] }
            if Bool.random(using: &rng) { arguments += ["--convention", ["pytorch", "onnx", "tensorflow", "jax", "mlx"].randomElement(using: &rng)!] }
            return arguments
        }

        mutating func channels() -> [String] {
            var arguments: [String] = []
            for option in ["-c", "-o", "-g", "-b"] where Bool.random(using: &rng) { arguments += [option, number()] }
            return arguments
        }
    }

    @Test("300 random command lines each end by themselves, under 1 GiB, with a documented status")
    func randomCommandLinesAreBounded() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("convarith-fuzz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let x = directory.appendingPathComponent("x.npy").path, w = directory.appendingPathComponent("w.npy").path
        try Data(NPY.encode(try Tensor(zeros: [1, 2, 6, 6]))).write(to: URL(fileURLWithPath: x))
        try Data(NPY.encode(try Tensor(zeros: [2, 2, 3, 3]))).write(to: URL(fileURLWithPath: w))
        let out = directory.appendingPathComponent("out").path
        let environment = ["CONVARITH_WORK_LIMIT": "100000000", "CONVARITH_MEMORY_LIMIT_MB": "512"]
        var draw = Draw(rng: SplitMix64(state: 0xF022))
        var failures: [String] = []
        var statuses: [Int32: Int] = [:]
        for _ in 0..<300 {
            var arguments: [String]
            switch Int.random(in: 0...14, using: &draw.rng) {
            case 0, 1: arguments = ["shape"] + draw.layer() + draw.channels() + (Bool.random(using: &draw.rng) ? ["--json"] : [])
            case 2: arguments = ["explain"] + draw.layer()
            case 3: arguments = ["transpose"] + draw.layer(operations: ["conv", "transposed"])
            case 4:
                arguments = ["solve", ["padding", "output-padding", "inputs"].randomElement(using: &draw.rng)!]
                arguments += arguments[1] == "inputs" ? ["--output", draw.number()] : ["-i", draw.sizes(), "--target", draw.sizes()]
                arguments += ["-k", arguments[1] == "inputs" ? draw.number() : draw.sizes(), "-s", arguments[1] == "inputs" ? draw.number() : draw.sizes()]
                if Bool.random(using: &draw.rng) { arguments += ["--json"] }
            case 5: arguments = ["matrix"] + draw.layer(operations: ["conv", "transposed"]) + draw.channels() + (Bool.random(using: &draw.rng) ? ["--force"] : [])
            case 6: arguments = ["verify"] + draw.layer(operations: ["conv", "transposed"]) + draw.channels()
            case 7: arguments = ["verify", "--sweep", draw.number(), "--tolerance", CLIFuzzTests.decimals.randomElement(using: &draw.rng)!]
            case 8, 9:
                let format = ["svg", "gif", "png", "sheet", "animated-svg"].randomElement(using: &draw.rng)!
                arguments = ["draw"] + draw.layer() + ["--format", format, "--out", out, "--frame=" + draw.number(),
                                                       "--cell-size", draw.number(), "--delay", CLIFuzzTests.decimals.randomElement(using: &draw.rng)!]
            case 10:
                arguments = ["run", ["conv", "pool", "transposed"].randomElement(using: &draw.rng)!, "--x", x, "--out", out]
                if Bool.random(using: &draw.rng) { arguments += ["--w", w] }
                arguments += ["-k", draw.sizes(), "-s", draw.sizes(), "-p=" + draw.padding(), "-d", draw.sizes(), "-g", draw.number()]
            case 11:
                let conventions = ["pytorch", "onnx", "tensorflow", "jax", "mlx"]
                arguments = ["translate", "--from", conventions.randomElement(using: &draw.rng)!, "--to", conventions.randomElement(using: &draw.rng)!] + draw.layer()
            case 12, 13:
                // A random stack of extreme numbers, through net or mirror.
                var text = "input: [\(draw.number()), \(draw.number()), \(draw.sizes().replacingOccurrences(of: "x", with: ", "))]\nlayers:\n"
                for _ in 0..<Int.random(in: 1...6, using: &draw.rng) {
                    switch Int.random(in: 0...4, using: &draw.rng) {
                    case 0: text += "  - {op: conv, out_channels: \(draw.number()), kernel: \(draw.number()), stride: \(draw.number()), padding: \(draw.number()), dilation: \(draw.number())}\n"
                    case 1: text += "  - {op: maxpool, kernel: \(draw.number()), stride: \(draw.number()), ceil_mode: true}\n"
                    case 2: text += "  - {op: transposed, out_channels: \(draw.number()), kernel: \(draw.number()), stride: \(draw.number()), output_padding: \(draw.number())}\n"
                    case 3: text += "  - {op: upsample, scale: \(draw.number())}\n"
                    default: text += "  - {op: linear, out_features: \(draw.number())}\n"
                    }
                }
                let stack = directory.appendingPathComponent("stack.yaml").path
                try text.write(toFile: stack, atomically: true, encoding: .utf8)
                arguments = [Bool.random(using: &draw.rng) ? "net" : "mirror", stack] + (Bool.random(using: &draw.rng) ? ["--input", draw.sizes()] : []) + (Bool.random(using: &draw.rng) ? ["--json"] : [])
            default:
                arguments = Bool.random(using: &draw.rng) ? ["bench", "--repetitions", ["0", "-1", "9223372036854775807", "100000"].randomElement(using: &draw.rng)!]
                                                           : ["tour", "--out", out, "--delay", ["nan", "inf", "1e300", "-1", "0"].randomElement(using: &draw.rng)!]
            }
            let result = try WatchedRun.run(arguments, environment: environment, timeout: 20)
            statuses[result.status, default: 0] += 1
            let line = "convarith " + arguments.joined(separator: " ")
            if result.signaled { failures.append("\(line): killed by signal \(result.status)") }
            if result.timedOut { failures.append("\(line): still running after 20 s") }
            if result.peakResidentBytes >= 1 << 30 { failures.append("\(line): \(result.peakResidentBytes >> 20) MiB resident") }
            if !result.signaled && !result.timedOut && ![0, 1, 3, 64, 66, 73, 74].contains(result.status) {
                failures.append("\(line): exit status \(result.status)")
            }
        }
        #expect(failures.isEmpty, "\(failures.count) failures:\n\(failures.prefix(20).joined(separator: "\n"))")
        // The draw reaches both answers: refusals and results.
        #expect(statuses[0, default: 0] > 10)
        #expect(statuses[1, default: 0] + statuses[64, default: 0] > 20)
    }
}
