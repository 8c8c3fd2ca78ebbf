import Foundation
import OracleSupport
import Testing

/// The headless browser, if installed.
private func chromium() -> URL? {
    for path in ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"] where FileManager.default.isExecutableFile(atPath: path) {
        return URL(fileURLWithPath: path)
    }
    return nil
}

/// The width and height in a PNG's IHDR chunk.
private func pngSize(_ data: Data) -> (width: Int, height: Int)? {
    let bytes = [UInt8](data.prefix(24))
    guard bytes.count == 24, bytes[1] == 0x50, bytes[2] == 0x4E, bytes[3] == 0x47 else { return nil }
    func word(_ offset: Int) -> Int { bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) } }
    return (word(16), word(20))
}

@Suite("The tour's index.html in a browser")
struct TourScreenshotTests {
    @Test("index.html renders at 1280 px and at a phone's 420 px; screenshots are kept in .ci-artifacts/screenshots")
    func indexRendersAtDesktopAndPhoneWidths() throws {
        guard let browser = chromium() else {
            if ProcessInfo.processInfo.environment["CI"] != nil {
                Issue.record("chromium is not installed: the screenshots cannot be taken (.ci/run installs it)")
            } else {
                print("note: chromium is not installed; skipping the tour screenshots")
            }
            return
        }
        let artifacts = OracleCorpus.packageRoot.appendingPathComponent(".ci-artifacts/screenshots")
        try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
        let tour = artifacts.appendingPathComponent("tour")
        let result = try CLIRunner.run(["tour", "--out", tour.path, "--quiet"])
        #expect(result.status == 0, "\(result.standardError)")
        let index = tour.appendingPathComponent("index.html")
        let html = try String(contentsOf: index, encoding: .utf8)
        #expect(html.contains("name=\"viewport\""))
        for width in [1280, 420] {
            let shot = artifacts.appendingPathComponent("index-\(width).png")
            try? FileManager.default.removeItem(at: shot)
            let process = Process()
            process.executableURL = browser
            process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=\(width),1600",
                                 "--virtual-time-budget=3000", "--screenshot=\(shot.path)", index.absoluteString]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            let size = pngSize(try Data(contentsOf: shot))
            #expect(size?.width == width && size?.height == 1600, "\(shot.path): \(String(describing: size))")
        }
    }
}
