// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "ConvArithmetic",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "ConvArithmetic", targets: ["ConvArithmetic"]),
        .library(name: "ConvKernels", targets: ["ConvKernels"]),
        .library(name: "ConvFigures", targets: ["ConvFigures"]),
        .library(name: "ConvEval", targets: ["ConvEval"]),
        .library(name: "ConvNets", targets: ["ConvNets"]),
        .library(name: "ConvNetReports", targets: ["ConvNetReports"]),
        .library(name: "ConvTour", targets: ["ConvTour"]),
        .library(name: "ConvServer", targets: ["ConvServer"]),
        .executable(name: "convarith", targets: ["convarith"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        // `swift package generate-documentation --target X --warnings-as-errors` builds the DocC catalogs.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // Pure arithmetic: sizes, relationships, derivations, equivalences, solvers. No dependencies.
        .target(name: "ConvArithmetic"),
        // The `convarith eval` JSON Lines contract (DESIGN.md §3): a small JSON reader/writer and the
        // mapping from requests to the core's specs and back.
        // Register-blocked micro-kernels in C, each compiled for its instruction set with a target
        // attribute and chosen at run time (no compiler flags: the package stays usable as a dependency).
        .target(name: "CConvKernels"),
        // Tensors, .npy, reference kernels, the matrix C, the stretched formulation, gradients, the fast path.
        .target(name: "ConvKernels", dependencies: ["ConvArithmetic", "CConvKernels"]),
        // Paper-style figures: the scene model, SVG, animated SVG, GIF and PNG writers.
        .target(name: "ConvFigures", dependencies: ["ConvArithmetic"]),
        .target(name: "ConvEval", dependencies: ["ConvArithmetic", "ConvKernels"]),
        // The tour and the figures' paper-style values: figures (ConvFigures) with numbers and checks (ConvKernels).
        .target(name: "ConvTour", dependencies: ["ConvArithmetic", "ConvFigures", "ConvKernels"]),
        // Whole networks: layer stacks (YAML/JSON), shape tables, receptive fields, mirroring, padding
        // translation between frameworks. Every size comes from ConvArithmetic.
        // ONNX models are read with the Swift types generated once from onnx.proto (scripts/generate-onnx-swift.sh).
        .target(name: "ConvNets", dependencies: [
            "ConvArithmetic", .product(name: "Yams", package: "Yams"), .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        ]),
        // A network report as the CLI prints it and the server will send it: the table and the JSON.
        .target(name: "ConvNetReports", dependencies: ["ConvArithmetic", "ConvEval", "ConvNets"]),
        // The local web server: the JSON API over the core, the answers, the figures and networks (Hummingbird 2);
        // the page's files and the example networks are its resources.
        .target(name: "ConvServer", dependencies: [
            "ConvArithmetic", "ConvEval", "ConvFigures", "ConvKernels", "ConvTour", "ConvNets", "ConvNetReports",
            .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "Logging", package: "swift-log"),
        ], resources: [.copy("Page"), .copy("Examples")]),
        .executableTarget(
            name: "convarith",
            dependencies: [
                "ConvArithmetic", "ConvKernels", "ConvFigures", "ConvEval", "ConvNets", "ConvNetReports", "ConvTour", "ConvServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "ConvArithmeticTests",
            dependencies: [
                "ConvArithmetic",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "ConvKernelsTests",
            dependencies: [
                "ConvKernels", "ConvArithmetic",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(name: "ConvFiguresTests", dependencies: ["ConvFigures", "ConvArithmetic", "ConvKernels"]),
        // Loads the oracle corpus for the golden tests (a test helper, not a product).
        .target(name: "OracleSupport", path: "Tests/OracleSupport"),
        .testTarget(name: "ConvEvalTests", dependencies: ["ConvEval", "ConvArithmetic", "ConvKernels", "OracleSupport"]),
        .testTarget(
            name: "ConvNetsTests",
            dependencies: ["ConvNets", "ConvArithmetic", .product(name: "PropertyBased", package: "swift-property-based")],
            resources: [.copy("Networks")]
        ),
        // The server's tests run it on a loopback port with a plain socket client: no HummingbirdTesting,
        // whose HTTP client, TLS, crypto and HTTP/2 dependencies made the first `swift test` build ~1,000
        // steps longer.
        .testTarget(name: "ConvServerTests", dependencies: [
            "ConvServer", "ConvEval", .product(name: "Hummingbird", package: "hummingbird"),
        ]),
        .testTarget(name: "ConvarithCLITests", dependencies: ["convarith", "ConvArithmetic", "ConvKernels", "ConvNets", "OracleSupport"]),
    ]
)

// Benchmarks are opt-in: package-benchmark triples a clean build, so it is only resolved when asked for.
if Context.environment["CONVARITH_BENCHMARKS"] != nil {
    package.dependencies.append(
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]))
    package.targets.append(
        .executableTarget(
            name: "ArithmeticBenchmarks",
            dependencies: [
                "ConvArithmetic", "ConvEval", "ConvNets",
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/ArithmeticBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ))
}
