import Foundation
import Testing

@Suite("Paths that name no file: an empty --out")
struct PathRefusalTests {
    private func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("convarith-paths-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test("tour --out '' is a usage error (exit 64) that writes nothing into the current directory")
    func tourRefusesAnEmptyOut() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try CLIRunner.run(["tour", "--out", ""], directory: directory)
        #expect(result.status == 64, "\(result.standardError)")
        #expect(result.standardError.contains("--out needs a directory"), "\(result.standardError)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }
}
