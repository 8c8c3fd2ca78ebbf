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

    /// `convarith serve` on `port` with `models`, once it prints its URL (the first line, printed once the
    /// server is about to listen), and that URL.
    private static func startServer(port: Int, models: [String] = []) throws -> (Process, String) {
        let server = Process()
        server.executableURL = CLIRunner.executable
        server.arguments = ["serve", "--port", String(port)] + models
        let output = Pipe()
        server.standardOutput = output
        server.standardError = FileHandle.nullDevice
        try server.run()
        let first = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        #expect(first.contains("http://127.0.0.1:\(port)/"), "\(first)")
        Thread.sleep(forTimeInterval: 0.5)
        return (server, "http://127.0.0.1:\(port)/")
    }

    /// Runs `scripts/NAME` with python3 and `arguments`: its exit status and what it printed.
    private static func script(_ name: String, _ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", OracleCorpus.packageRoot.appendingPathComponent("scripts/\(name)").path] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    @Test("the page opened with a layer in its address shows the output size, draws the frame's cells, and shows an error for impossible parameters")
    func pageRendersTheLayerFromItsAddress() throws {
        guard let browser = Self.browser() else {
            if ProcessInfo.processInfo.environment["CI"] != nil { Issue.record("chromium is not installed (.ci/run installs it)") }
            return
        }
        let (server, base) = try Self.startServer(port: 20_000 + Int(getpid() % 20_000))
        defer { server.terminate(); server.waitUntilExit() }

        let dom = try Self.chromium(browser, ["--dump-dom"], url: base + "?op=transposed&input=3x3&kernel=3&stride=2&padding=1&output_padding=1&paused")
        #expect(dom.contains(#"data-output="6×6""#), "\(dom.prefix(2000))")
        #expect(dom.contains("Relationship 13 (paper 14)"))
        #expect(dom.components(separatedBy: "<rect").count - 1 >= 36 + 49, "a 6×6 output and a 7×7 stretched, padded input")
        #expect(dom.contains("frame 1 of 36"))
        #expect(dom.contains("non-zeros"), "the matrix C of a small layer is shown")

        let refused = try Self.chromium(browser, ["--dump-dom"], url: base + "?op=conv&input=5&kernel=3&stride=2&padding=same&paused")
        #expect(refused.contains("Impossible parameters: axis 0: PyTorch's padding='same' is not supported for strided convolutions"))
        // An impossible layer hides the empty figure, derivation and matrix and opens the repairing values.
        #expect(refused.contains(#"<section id="derivation-section" hidden"#) && refused.contains(#"<section id="animation" aria-label="Animation" hidden"#),
                "\(refused.prefix(4000))")
        #expect(refused.contains(#"<details id="choices-section" open"#))

        // An output pinned by the address (as a click pins it): the 9 cells it reads are marked, each with its tap.
        let pinned = try Self.chromium(browser, ["--dump-dom"], url: base + "?op=conv&input=5x5&kernel=3&stride=2&padding=1&cell=1,1")
        #expect(pinned.components(separatedBy: #"class="linked""#).count - 1 == 9, "\(pinned.prefix(3000))")
        #expect(pinned.contains(#"data-cell="1,1" class="pointed""#) || pinned.contains(#"class="pointed""#))
        #expect(pinned.contains("Output (1, 1) is computed from 9 cells of the input grid"))
        #expect(pinned.contains(#"data-tap="2,2""#), "the last tap is named on its cell")
        #expect(pinned.contains("frame 5 of 9"), "the pinned output's frame is shown")
        #expect(pinned.contains(#"tabindex="0""#), "output cells are keyboard stops")
        // The controls offer the valid values and say why the others are not.
        #expect(pinned.contains(#"<option value="7">7</option></datalist>"#), "kernels 1–7 fit the padded input")
        #expect(pinned.contains("8–9: axis 0: the dilated kernel (8) is larger than the padded input"))
        if let range = pinned.range(of: #"data-redraw-ms=""#) {
            let milliseconds = pinned[range.upperBound...].prefix { $0 != "\"" }
            print("page redraw (headless, all answers fetched and drawn): \(milliseconds) ms")
        } else {
            Issue.record("the page did not report its redraw time")
        }
        // A 3-D layer animates one output slice when asked.
        let volume = try Self.chromium(browser, ["--dump-dom"], url: base + "?op=conv&input=4x4x4&kernel=3&slice=1&paused")
        #expect(volume.contains("frame 1 of 4 (of 8 in all)"), "\(volume.prefix(3000))")
        #expect(volume.contains(#"<option value="1" selected"#) || volume.contains("output slice 1"))

        let artifacts = OracleCorpus.packageRoot.appendingPathComponent(".ci-artifacts/screenshots")
        try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
        let layers = [("conv", "?op=conv&input=5x5&kernel=3&stride=2&padding=1&paused"),
                      ("transposed", "?op=transposed&input=3x3&kernel=3&stride=2&padding=1&output_padding=1&paused"),
                      ("pool-ceil", "?op=pool&input=6x6&kernel=3&stride=2&ceil_mode=true&paused"),
                      ("volume", "?op=conv&input=4x4x4&kernel=3&paused"),
                      ("impossible", "?op=conv&input=5&kernel=3&stride=2&padding=same&paused")]
        for (width, height) in [(1280, 800), (420, 900)] {
            for (name, query) in layers {
                let shot = artifacts.appendingPathComponent("page-\(name)-\(width).png")
                try? FileManager.default.removeItem(at: shot)
                _ = try Self.chromium(browser, ["--window-size=\(width),\(height)", "--screenshot=\(shot.path)"], url: base + query)
                #expect(FileManager.default.fileExists(atPath: shot.path))
            }
        }

        // Pointing at every output of four layers, where its number is drawn, at 1280 and 420 px: the cell
        // named is the cell under the pointer and the figure does not move (scripts/point-page.py).
        let (status, report) = try Self.script("point-page.py", [base] + layers.dropLast().map { $0.1.replacingOccurrences(of: "&paused", with: "") }
            + ["--browser", browser.path])
        #expect(status == 0, "\(report)")
        let lines = report.split(separator: "\n")
        #expect(lines.count == 8, "\(report)")
        #expect(lines.allSatisfy { $0.contains(#""wrong": []"#) && $0.contains(#""moved": []"#) && !$0.contains(#""outputs": 0"#) }, "\(report)")
    }

    @Test("the network page, used with the keyboard at 1280 and 420 px: a failing U-Net's layer and repair, the nearest sizes, a unit's field, a layer's view")
    func networkPageFindsTheFailureAndItsRepair() throws {
        guard let browser = Self.browser() else {
            if ProcessInfo.processInfo.environment["CI"] != nil { Issue.record("chromium is not installed (.ci/run installs it)") }
            return
        }
        let (server, base) = try Self.startServer(port: 20_000 + Int((getpid() + 7_919) % 20_000),
                                                  models: [OracleCorpus.packageRoot.appendingPathComponent("examples/encoder.yaml").path])
        defer { server.terminate(); server.waitUntilExit() }

        // The page lists the examples and the file given, and shows the table of the one in the address.
        let dom = try Self.chromium(browser, ["--dump-dom"], url: base + "net?model=encoder.yaml")
        #expect(dom.contains(#"<option value="encoder.yaml" selected"#) || dom.contains(#"<option value="encoder.yaml">encoder.yaml</option>"#), "\(dom.prefix(3000))")
        #expect(dom.contains(#"data-status="complete""#) && dom.contains(#"<tr data-name="e1""#), "\(dom.prefix(3000))")

        // scripts/use-network-page.py drives the page by keyboard and checks every answer against the table.
        let (status, report) = try Self.script("use-network-page.py", [base, "--browser", browser.path])
        #expect(status == 0, "\(report)")
        let lines = report.split(separator: "\n")
        #expect(lines.count == 2 && lines.allSatisfy { $0.contains(#""problems": []"#) }, "\(report)")

        let artifacts = OracleCorpus.packageRoot.appendingPathComponent(".ci-artifacts/screenshots")
        try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
        for (width, height) in [(1280, 1600), (420, 2400)] {
            let shot = artifacts.appendingPathComponent("net-unet-100-\(width).png")
            try? FileManager.default.removeItem(at: shot)
            _ = try Self.chromium(browser, ["--window-size=\(width),\(height)", "--screenshot=\(shot.path)"],
                                  url: base + "net?model=unet.yaml&input=1x1x100x100&layer=enc3&unit=3,4")
            #expect(FileManager.default.fileExists(atPath: shot.path))
        }
    }
}
