import ConvNets
import Foundation

/// The committed networks under `Tests/ConvNetsTests/Networks`.
enum Fixtures {
    static func url(_ name: String) -> URL {
        Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Networks")!
    }

    static func text(_ name: String) throws -> String {
        try String(contentsOf: url(name), encoding: .utf8)
    }

    static func network(_ name: String) throws -> Network {
        try NetworkFile.load(path: url(name).path)
    }

    /// The report row named `name`.
    static func row(_ name: String, in report: NetworkReport) -> LayerReport? {
        report.layers.first { $0.name == name }
    }
}
