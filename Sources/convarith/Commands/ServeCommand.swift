import ArgumentParser
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
            Prints the URL to open; GET / lists the routes. Parameters are the command line's spellings in the \
            query string: /api/shape?op=transposed&input=5x5&kernel=3&stride=2&padding=1&convention=onnx. \
            Binds to 127.0.0.1 unless --host says otherwise. Stop with Ctrl-C.

            Examples:
              convarith serve
              convarith serve --port 9000
            """)
    )

    @Option(name: .long, help: "The port (1–65535).") var port = 8080
    @Option(name: .long, help: "The address to bind (default loopback).") var host = "127.0.0.1"

    func validate() throws {
        guard (1...65_535).contains(port) else { throw ValidationError("--port must be 1…65535, got \(port)") }
        guard !host.isEmpty, host.utf8.count <= 253 else { throw ValidationError("--host must be an address or host name") }
    }

    func run() async throws {
        let application = ConvServer.application(host: host, port: port)
        print("convarith serving on http://\(host.contains(":") ? "[\(host)]" : host):\(port)/")
        fflush(nil)  // the URL now, while the server runs
        try await application.runService()
    }
}
