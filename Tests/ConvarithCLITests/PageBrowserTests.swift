import Foundation
import OracleSupport
import Testing

@Suite("convarith serve's page in a browser")
struct PageBrowserTests {
    private static func browser() -> URL? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].map(URL.init(fileURLWithPath:))
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// Runs headless Chromium on `url` and returns what it printed (`--dump-dom`) or writes `screenshot`.
    private static func chromium(_ browser: URL, _ arguments: [String], url: String) throws -> String {
        let process = Process()
        process.executableURL = browser
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--virtual-time-budget=4000"] + arguments + [url]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    @Test("the page opened with a layer in its address shows the output size, draws the frame's cells, and shows an error for impossible parameters")
    func pageRendersTheLayerFromItsAddress() throws {
        guard let browser = Self.browser() else {
            if ProcessInfo.processInfo.environment["CI"] != nil { Issue.record("chromium is not installed (.ci/run installs it)") }
            return
        }
        let port = 20_000 + Int(getpid() % 20_000)
        let server = Process()
        server.executableURL = CLIRunner.executable
        server.arguments = ["serve", "--port", String(port)]
        let output = Pipe()
        server.standardOutput = output
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { server.terminate(); server.waitUntilExit() }
        // The first line is the URL, printed once the server is about to listen.
        let first = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        #expect(first.contains("http://127.0.0.1:\(port)/"), "\(first)")
        Thread.sleep(forTimeInterval: 0.5)
        let base = "http://127.0.0.1:\(port)/"

        let dom = try Self.chromium(browser, ["--dump-dom"], url: base + "?op=transposed&input=3x3&kernel=3&stride=2&padding=1&output_padding=1&paused")
        #expect(dom.contains(#"data-output="6×6""#), "\(dom.prefix(2000))")
        #expect(dom.contains("Relationship 13 (paper 14)"))
        #expect(dom.components(separatedBy: "<rect").count - 1 >= 36 + 49, "a 6×6 output and a 7×7 stretched, padded input")
        #expect(dom.contains("frame 1 of 36"))
        #expect(dom.contains("non-zeros"), "the matrix C of a small layer is shown")

        let refused = try Self.chromium(browser, ["--dump-dom"], url: base + "?op=conv&input=5&kernel=3&stride=2&padding=same&paused")
        #expect(refused.contains("Impossible parameters: axis 0: PyTorch's padding='same' is not supported for strided convolutions"))

        let artifacts = OracleCorpus.packageRoot.appendingPathComponent(".ci-artifacts/screenshots")
        try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
        for (width, height) in [(1280, 800), (420, 900)] {
            let shot = artifacts.appendingPathComponent("page-\(width).png")
            try? FileManager.default.removeItem(at: shot)
            _ = try Self.chromium(browser, ["--window-size=\(width),\(height)", "--screenshot=\(shot.path)"],
                                  url: base + "?op=conv&input=5x5&kernel=3&stride=2&padding=1&paused")
            #expect(FileManager.default.fileExists(atPath: shot.path))
        }
    }
}
