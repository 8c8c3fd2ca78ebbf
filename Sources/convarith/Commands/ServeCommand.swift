import ArgumentParser
import ConvNets
import ConvServer
import Hummingbird
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `convarith serve`: the local web server (the JSON API; loopback by default).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the JSON API of the arithmetic, the answers and the figures on a local port.",
        discussion: helpText("""
            Prints the URL to open once the server listens; GET / is the page, GET /api lists the routes. Parameters are the command line's spellings in the \
            query string: /api/shape?op=transposed&input=5x5&kernel=3&stride=2&padding=1&convention=onnx. \
            Binds to 127.0.0.1 unless --host says otherwise. Stop with Ctrl-C.

            GET /net is the network page: it opens the examples, the MODEL files given here (ONNX \
            models, YAML or JSON stacks) or a model chosen in the browser (sent to the server, at most \
            64 MiB), and shows the shape table, the accepted input sizes, the repairs of a failing size, \
            each layer's single-layer view and a unit's receptive field.

            Limits: --max-connections at once (one more is answered 503 and closed); a request header \
            within 10 s; an answer that makes no progress for 30 s closes its connection; beyond 256 MiB of \
            answers waiting for slow clients, new requests get 503 with Retry-After.

            Examples:
              convarith serve
              convarith serve --port 9000
              convarith serve model.onnx unet.yaml
            """)
    )

    @Argument(help: "Networks the page at /net offers by name (ONNX models, YAML or JSON stacks).") var models: [String] = []

    @Option(name: .long, help: "The port (1–65535).") var port = 8080
    @Option(name: .long, help: "The address to bind; another than loopback makes the server reachable from other machines.") var host = "127.0.0.1"

    @Option(name: .long, help: "Connections served at once (1–100000); one more is answered 503.") var maxConnections = ServerLimits.default.maximumConnections

    func validate() throws {
        guard (1...100_000).contains(maxConnections) else { throw ValidationError("--max-connections must be 1…100000, got \(maxConnections)") }
        guard (1...65_535).contains(port) else { throw ValidationError("--port must be 1…65535, got \(port)") }
        guard !host.isEmpty, host.utf8.count <= 253 else { throw ValidationError("--host must be an address or host name") }
    }

    func run() async throws {
        if !["127.0.0.1", "localhost", "::1"].contains(host) {
            printError("warning: --host \(host) binds beyond loopback: anyone who can reach this machine can use the server")
        }
        for path in models {
            // Read once now, so a wrong path is said here rather than in the page.
            do { _ = try NetworkFile.load(path: path) } catch {
                printError("error: \(error)")
                if case .unreadable = error { throw ExitCode(66) }
                throw ExitCode(1)
            }
        }
        var limits = ServerLimits.default
        limits.maximumConnections = maxConnections
        let shownHost = host.contains(":") ? "[\(host)]" : host
        let application = ConvServer.application(host: host, port: port, limits: limits, models: ServedModels(paths: models)) { listening in
            // The URL only once the server listens: a failed bind prints the error alone.
            print("convarith serving on http://\(shownHost):\(listening)/")
            fflush(nil)
        }
        try await application.runService()
    }
}
