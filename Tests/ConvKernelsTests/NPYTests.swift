import ConvKernels
import Foundation
import Testing

/// A `.npy` header for hand-built files.
private func npyFile(version: UInt8, header: String, payload: [UInt8]) -> [UInt8] {
    var text = header
    let prefix = version == 1 ? 10 : 12
    text += String(repeating: " ", count: (64 - (prefix + text.utf8.count + 1) % 64) % 64) + "\n"
    var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [version, 0]
    let length = text.utf8.count
    bytes += version == 1 ? [UInt8(length & 0xFF), UInt8(length >> 8)] : [UInt8(length & 0xFF), UInt8(length >> 8 & 0xFF), 0, 0]
    return bytes + Array(text.utf8) + payload
}

private func littleEndian<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
    values.flatMap { value in withUnsafeBytes(of: value.littleEndian) { Array($0) } }
}

@Suite(".npy reading and writing")
struct NPYTests {
    @Test("a written tensor reads back with the same shape and values")
    func roundTrip() throws {
        let tensor = try Tensor(shape: [2, 1, 3], data: [1, -2.5, 3e-7, .infinity, 0, 42])
        let bytes = NPY.encode(tensor)
        #expect(bytes.count % 64 == 24 || (bytes.count - 24) % 64 == 0)
        #expect(try NPY.decode(bytes) == tensor)
        let scalar = try Tensor(shape: [], data: [7])
        #expect(try NPY.decode(NPY.encode(scalar)) == scalar)
    }

    @Test("the data written a chunk at a time (the header, then the tensor's own memory) is the encoded file's, for every chunk size")
    func chunkedDataMatchesTheEncoding() throws {
        let tensor = try Tensor(shape: [1, 2, 7], data: [1, .nan, -0.0, 3, .infinity, -.infinity, 5, 6, 7, 8, 9, 10, 11, 1e-40])
        let encoded = NPY.encode(tensor)
        for floats in [1, 3, 13, 14, 15, 1 << 20] {
            var bytes = NPY.header(shape: tensor.shape)
            var chunks = 0
            NPY.withDataChunks(of: tensor, floats: floats) { bytes += $0; chunks += 1 }
            #expect(bytes == encoded, "\(floats) floats a chunk")
            #expect(chunks == (tensor.count + floats - 1) / floats)
        }
        let decoded = try NPY.decode(encoded)
        #expect(decoded.data.count == tensor.data.count && zip(decoded.data, tensor.data).allSatisfy { $0.bitPattern == $1.bitPattern })
    }

    @Test("versions 2 and 3, float64 and int64 are converted to Float")
    func otherVersionsAndTypesConvert() throws {
        let doubles = npyFile(version: 2, header: "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }",
                              payload: littleEndian([1.5, -2, 0.25].map { $0.bitPattern }))
        #expect(try NPY.decode(doubles).data == [1.5, -2, 0.25])
        let integers = npyFile(version: 3, header: "{'descr': '<i8', 'fortran_order': False, 'shape': (2, 2), }",
                               payload: littleEndian([Int64(1), -2, 3, 40]))
        let tensor = try NPY.decode(integers)
        #expect(tensor.shape == [2, 2] && tensor.data == [1, -2, 3, 40])
    }

    @Test("Fortran order, big-endian data and unsupported dtypes are refused with a way out")
    func unsupportedLayoutsAreRefused() {
        let fortran = npyFile(version: 1, header: "{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", payload: [0, 0, 0, 0])
        #expect { try NPY.decode(fortran) } throws: { "\($0)".contains("ascontiguousarray") }
        let bigEndian = npyFile(version: 1, header: "{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", payload: [0, 0, 0, 0])
        #expect { try NPY.decode(bigEndian) } throws: { "\($0)".contains("big-endian") }
        let complex = npyFile(version: 1, header: "{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", payload: Array(repeating: 0, count: 8))
        #expect { try NPY.decode(complex) } throws: { "\($0)".contains("astype(np.float32)") }
        let truncated = npyFile(version: 1, header: "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", payload: [0, 0, 0, 0])
        #expect { try NPY.decode(truncated) } throws: { "\($0)".contains("needs 16") }
        #expect(throws: KernelError.self) { try NPY.decode(Array("not numpy".utf8)) }
        // NumPy reads structured records; the kernels have no use for them.
        let structured = npyFile(version: 1, header: "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", payload: [0, 0, 0, 0])
        #expect { try NPY.decode(structured) } throws: { "\($0)".contains("structured") }
    }

    @Test("files written here load in NumPy with the right shape and values (skipped, visibly, without numpy)")
    func numpyReadsOurFiles() throws {
        guard Self.numpyIsAvailable() else { return }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("convarith-npy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let tensor = try Tensor(shape: [2, 3, 4], data: (0..<24).map { Float($0) * 0.5 - 3 })
        let ours = directory.appendingPathComponent("ours.npy")
        try Data(NPY.encode(tensor)).write(to: ours)
        let theirs = directory.appendingPathComponent("theirs.npy")
        let script = """
            import numpy as np, sys
            a = np.load(sys.argv[1])
            assert a.shape == (2, 3, 4) and a.dtype == np.float32, (a.shape, a.dtype)
            assert np.array_equal(a, (np.arange(24, dtype=np.float32) * 0.5 - 3).reshape(2, 3, 4))
            np.save(sys.argv[2], np.arange(6, dtype=np.float64).reshape(3, 2) / 4)
            """
        let run = Process()
        run.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        run.arguments = ["python3", "-c", script, ours.path, theirs.path]
        try run.run()
        run.waitUntilExit()
        #expect(run.terminationStatus == 0)
        let loaded = try NPY.decode(Array(try Data(contentsOf: theirs)))
        #expect(loaded.shape == [3, 2] && loaded.data == [0, 0.25, 0.5, 0.75, 1, 1.25])
    }

    @Test("tensors beyond the memory limit are refused before allocating")
    func memoryLimitRefusesHugeTensors() {
        #expect(throws: KernelError.self) { try Tensor(zeros: [1 << 20, 1 << 20, 1 << 10]) }
        #expect(throws: KernelError.self) { try Tensor(zeros: [Int.max, 2]) }
        #expect(throws: KernelError.self) { try MemoryLimit(bytes: 1024).check([16, 17]) }
    }

    /// Headers as NumPy reads them: nil where `np.load` refuses the file, else the shape it reads.
    static let headerVerdicts: [(header: String, shape: [Int]?)] = [
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", [2, 3]),
        ("{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2,)}", [2]),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", []),
        // A key given twice keeps its last value, as in a Python dict.
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'shape': (2,), }", [2]),
        ("{'descr': '<f4', 'fortran_order': True, 'fortran_order': False, 'shape': (3,), }", [3]),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (1_0,), }", [10]),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)", nil),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), } extra", nil),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}", nil),
        ("{'descr': '<f4', 'shape': (2,), }", nil),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (2), }", nil),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': [2], }", nil),
        ("{'descr': '<f4', 'fortran_order': 0, 'shape': (2,), }", nil),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (2.0,), }", nil),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': ((2,),), }", nil),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (2,),, }", nil),
        ("['descr', '<f4']", nil),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (((2,))), }", [2]),
    ]

    @Test("a header is read as NumPy reads it: last of a repeated key, exactly three keys, a closing brace")
    func headersAreReadAsNumPyReadsThem() {
        // A megabyte of parentheses is refused, not recursed into.
        let deep = npyFile(version: 2, header: "{'shape': " + String(repeating: "(", count: 1 << 19), payload: [])
        #expect(throws: KernelError.self) { try NPY.header(deep[...]) }
        for (header, shape) in Self.headerVerdicts {
            let bytes = npyFile(version: 1, header: header, payload: Array(repeating: 0, count: 4 * 10))
            let read = try? NPY.header(bytes[...])
            #expect(read?.shape == shape, "\(header)")
        }
    }

    @Test("NumPy itself agrees with every header verdict (skipped, visibly, without numpy)")
    func numpyAgreesWithTheHeaderVerdicts() throws {
        guard Self.numpyIsAvailable() else { return }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("convarith-npy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var paths: [String] = []
        for (index, verdict) in Self.headerVerdicts.enumerated() {
            let path = directory.appendingPathComponent("\(index).npy").path
            try Data(npyFile(version: 1, header: verdict.header, payload: Array(repeating: 0, count: 4 * 10))).write(to: URL(fileURLWithPath: path))
            paths.append(path)
        }
        let script = """
            import numpy as np, sys
            for path in sys.argv[1:]:
                try:
                    print(list(np.load(path).shape))
                except Exception:
                    print("refused")
            """
        let run = Process()
        let output = Pipe()
        run.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        run.arguments = ["python3", "-c", script] + paths
        run.standardOutput = output
        try run.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        run.waitUntilExit()
        let lines = text.split(separator: "\n").map(String.init)
        try #require(lines.count == Self.headerVerdicts.count, "\(text)")
        for (verdict, line) in zip(Self.headerVerdicts, lines) {
            let numpy = line == "refused" ? nil : line
            #expect(numpy == verdict.shape.map { "[" + $0.map(String.init).joined(separator: ", ") + "]" }, "\(verdict.header)")
        }
    }

    @Test("data pulled a few bytes at a time decodes as the whole file does, for every dtype")
    func streamedDataDecodesAsTheWholeFile() throws {
        let cases: [(String, [UInt8])] = [
            ("<f4", littleEndian([Float(1.5), -2, 0.25, 7].map { $0.bitPattern })),
            ("<f8", littleEndian([1.5, -2, 0.25, 7].map { $0.bitPattern })),
            ("<i2", littleEndian([Int16(1), -2, 300, 7])),
            ("|u1", [1, 2, 250, 7]),
        ]
        for (descriptor, payload) in cases {
            let bytes = npyFile(version: 1, header: "{'descr': '\(descriptor)', 'fortran_order': False, 'shape': (2, 2), }", payload: payload)
            let header = try NPY.header(bytes[...])
            var offset = header.dataOffset
            let streamed = try NPY.decode(header) { buffer in
                let count = min(3, buffer.count, bytes.count - offset)
                for index in 0..<count { buffer[index] = bytes[offset + index] }
                offset += count
                return count
            }
            #expect(streamed == (try NPY.decode(bytes)), "\(descriptor)")
            var short = header.dataOffset
            #expect(throws: KernelError.self) {
                try NPY.decode(header) { buffer in
                    let count = min(buffer.count, bytes.count - 1 - short)
                    for index in 0..<count { buffer[index] = bytes[short + index] }
                    short += count
                    return count
                }
            }
        }
    }

    static func numpyIsAvailable() -> Bool {
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = ["python3", "-c", "import numpy"]
        check.standardError = FileHandle.nullDevice
        guard (try? check.run()) != nil else {
            Issue.record("python3 is not available; cannot check NumPy interoperability")
            return false
        }
        check.waitUntilExit()
        guard check.terminationStatus == 0 else {
            if ProcessInfo.processInfo.environment["CI"] != nil {
                Issue.record("numpy is missing in CI; .ci/run installs it")
            } else {
                print("note: numpy is not installed; skipping the NumPy interoperability check")
            }
            return false
        }
        return true
    }
}
