import Foundation

/// One oracle case: a `convarith eval` request line and the framework's answer.
public struct OracleCase: Sendable, CustomStringConvertible {
    /// The request's `id`.
    public let id: String
    /// The request as JSON text (the whole line; extra fields are ignored by the evaluator).
    public let line: String
    /// Whether the framework refused the parameters.
    public let expectsError: Bool
    /// The expected spatial output sizes, when the framework answered.
    public let output: [Int]?
    /// The expected full output shape, when the request gave channels.
    public let outputShape: [Int]?

    public var description: String { id }
}

/// Finds and loads the oracle corpus.
public enum OracleCorpus {
    /// The folder holding `shapes_*.jsonl`: `$CONVARITH_ORACLE_DIR`, else `../shared/oracle/public` beside
    /// the repository, else the copy in `Tests/Fixtures/oracle`.
    public static var directory: URL {
        if let override = ProcessInfo.processInfo.environment["CONVARITH_ORACLE_DIR"], !override.isEmpty {
            return URL(fileURLWithPath: override)
        }
        let shared = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/oracle/public")
        if FileManager.default.fileExists(atPath: shared.appendingPathComponent("shapes_torch.jsonl").path) {
            return shared
        }
        return packageRoot.appendingPathComponent("Tests/Fixtures/oracle")
    }

    /// The repository root (found from this file's path).
    public static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The shape files present in ``directory``, sorted.
    public static var shapeFiles: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasPrefix("shapes_") && $0.hasSuffix(".jsonl") }.sorted()
    }

    /// The cases of one file.
    public static func cases(in file: String) throws -> [OracleCase] {
        let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
        return try text.split(separator: "\n").filter { !$0.allSatisfy(\.isWhitespace) }.map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
            let expected = object["expected"] as? [String: Any] ?? [:]
            return OracleCase(id: (object["id"]).map { "\($0)" } ?? "?", line: String(line),
                              expectsError: (expected["error"] as? Bool) ?? false,
                              output: expected["output"] as? [Int], outputShape: expected["output_shape"] as? [Int])
        }
    }

    /// Whether an answer line agrees with a case: same output (and output shape), or an error exactly
    /// where the framework raised one. Returns a description of the disagreement, or `nil`.
    public static func disagreement(of answer: String, with oracle: OracleCase) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(answer.utf8)) as? [String: Any] else {
            return "\(oracle.id): answer is not a JSON object: \(answer)"
        }
        if oracle.expectsError {
            return object["error"] == nil ? "\(oracle.id): expected an error, got \(answer)" : nil
        }
        if let error = object["error"] { return "\(oracle.id): expected \(oracle.output ?? []), got error \(error)" }
        if object["output"] as? [Int] != oracle.output {
            return "\(oracle.id): expected output \(oracle.output ?? []), got \(answer)"
        }
        if let shape = oracle.outputShape, object["output_shape"] as? [Int] != shape {
            return "\(oracle.id): expected output_shape \(shape), got \(answer)"
        }
        return nil
    }
}
