import ConvKernels
import Foundation
import Testing

@Suite("Paths that name no file: an empty --out, a directory given as a tensor")
struct PathRefusalTests {
    @Test("tour --out '' is a usage error (exit 64) that writes nothing into the current directory")
    func tourRefusesAnEmptyOut() throws {
        let directory = try temporaryDirectory("paths")
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try CLIRunner.run(["tour", "--out", ""], directory: directory)
        #expect(result.status == 64, "\(result.standardError)")
        #expect(result.standardError.contains("--out needs a directory"), "\(result.standardError)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test("a directory given as any .npy input of run or matrix is said to be a directory (exit 66), as net and bench say it")
    func directoryAsTensorIsNamed() throws {
        let directory = try temporaryDirectory("paths")
        defer { try? FileManager.default.removeItem(at: directory) }
        let x = directory.appendingPathComponent("x.npy"), w = directory.appendingPathComponent("w.npy")
        try Data(NPY.encode(try Tensor(zeros: [1, 1, 4, 4]))).write(to: x)
        try Data(NPY.encode(try Tensor(zeros: [1, 1, 3, 3]))).write(to: w)
        let folder = directory.appendingPathComponent("folder.npy")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let out = directory.appendingPathComponent("y.npy").path
        let commands: [[String]] = [
            ["run", "pool", "--x", folder.path, "-k", "2", "--out", out],
            ["run", "conv", "--x", x.path, "--w", folder.path, "--out", out],
            ["run", "conv", "--x", x.path, "--w", w.path, "--b", folder.path, "--out", out],
            ["matrix", "conv", "-i", "4x4", "-k", "3", "--w", folder.path],
        ]
        for arguments in commands {
            let result = try CLIRunner.run(arguments)
            #expect(result.status == 66, "\(arguments): \(result.standardError)")
            #expect(result.standardError == "error: cannot read \(folder.path): it is a directory\n", "\(arguments): \(result.standardError)")
        }
        // The wording net gives a directory, which the .npy inputs now share.
        let net = try CLIRunner.run(["net", folder.path])
        #expect(net.standardError.contains("cannot read \(folder.path): it is a directory"), "\(net.standardError)")
    }
}
