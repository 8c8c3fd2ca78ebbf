import Foundation

/// One numeric oracle case: a request with tensors and the framework's `y`.
public struct NumericCase: Sendable, CustomStringConvertible {
    /// The request's `id`.
    public let id: String
    /// The request line.
    public let line: String
    /// The operation (`conv`, `pool`, `transposed`).
    public let operation: String
    /// Expected output tensor shape.
    public let shape: [Int]
    /// Expected values.
    public let values: [Double]
    /// Absolute and relative tolerance.
    public let absoluteTolerance: Double, relativeTolerance: Double

    public var description: String { id }

    /// The request line with `"impl"` set.
    public func line(implementation: String) -> String {
        guard var object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return line }
        object["impl"] = implementation
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data(line.utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

extension OracleCorpus {
    /// The numeric files present, sorted.
    public static var numericFiles: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasPrefix("numeric_") && $0.hasSuffix(".jsonl") }.sorted()
    }

    /// The cases of one numeric file.
    public static func numericCases(in file: String) throws -> [NumericCase] {
        let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
        return try text.split(separator: "\n").filter { !$0.allSatisfy(\.isWhitespace) }.map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
            let expected = object["expected"] as? [String: Any] ?? [:]
            let y = expected["y"] as? [String: Any] ?? [:]
            return NumericCase(id: (object["id"]).map { "\($0)" } ?? "?", line: String(line), operation: object["op"] as? String ?? "",
                               shape: y["shape"] as? [Int] ?? [], values: (y["data"] as? [NSNumber] ?? []).map(\.doubleValue),
                               absoluteTolerance: (expected["atol"] as? NSNumber)?.doubleValue ?? 1e-4,
                               relativeTolerance: (expected["rtol"] as? NSNumber)?.doubleValue ?? 1e-4)
        }
    }

    /// `nil` when the answer's `y` matches within `atol + rtol·|expected|`, else why not.
    public static func numericDisagreement(of answer: String, with oracle: NumericCase) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(answer.utf8)) as? [String: Any] else {
            return "\(oracle.id): answer is not JSON: \(answer.prefix(200))"
        }
        if let error = object["error"] { return "\(oracle.id): error \(error)" }
        guard let y = object["y"] as? [String: Any], let shape = y["shape"] as? [Int],
              let data = (y["data"] as? [NSNumber])?.map(\.doubleValue) else {
            return "\(oracle.id): no y in \(answer.prefix(200))"
        }
        guard shape == oracle.shape, data.count == oracle.values.count else {
            return "\(oracle.id): shape \(shape), expected \(oracle.shape)"
        }
        for (index, (got, want)) in zip(data, oracle.values).enumerated() {
            if got == want || (got.isNaN && want.isNaN) { continue }
            // Written as "not within" so that a NaN (for which every comparison is false) is a disagreement.
            if !(abs(got - want) <= oracle.absoluteTolerance + oracle.relativeTolerance * abs(want)) {
                return "\(oracle.id): y[\(index)] = \(got), expected \(want)"
            }
        }
        return nil
    }
}
