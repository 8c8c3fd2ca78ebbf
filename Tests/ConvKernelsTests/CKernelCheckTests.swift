import Foundation
import Testing

/// The cases the first "N cases, 0 failed (portable kernels)" line of `text` counts (0 without one, or with failures).
private func portableCases(in text: String) -> Int {
    guard let line = text.split(separator: "\n").first(where: { $0.hasSuffix("cases, 0 failed (portable kernels)") }) else { return 0 }
    return Int(line.split(separator: " ").first ?? "") ?? 0
}

@Suite("The C kernels, natively and on ARM")
struct CKernelCheckTests {
    @Test("every C kernel family (GEMM, window, grid, copies) agrees with plain loops in 800 cases or more natively, and cross-compiled for aarch64 under qemu-user, with NEON fmla")
    func cKernelsAgreeNativelyAndOnARM() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["bash", root.appendingPathComponent("scripts/check-arm-kernels.sh").path]
        let onCI = ProcessInfo.processInfo.environment["CI"] != nil
        // On CI the aarch64 part is required (.ci/run installs qemu-user and the cross libc).
        process.environment = ProcessInfo.processInfo.environment.merging(["REQUIRE_ARM": onCI ? "1" : "0"]) { $1 }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(portableCases(in: text) >= 800, "\(text)")
        if onCI || text.contains("aarch64 under qemu-user") {
            let arm = text.components(separatedBy: "aarch64 under qemu-user:").last ?? ""
            #expect(portableCases(in: arm) >= 800, "\(text)")
            if let line = arm.split(separator: "\n").first(where: { $0.contains("fmla instructions") }),
               let count = Int(line.split(separator: " ").last ?? "") {
                #expect(count >= 8, "the portable kernels' vector multiply-adds should be NEON fmla: \(line)")
            }
        }
    }
}
