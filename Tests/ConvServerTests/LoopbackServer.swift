import ConvServer
import Foundation
import Hummingbird
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A response as the tests read it.
struct LoopbackResponse: Sendable {
    let status: HTTPResponse.Status
    let headers: [String: String]
    let body: ByteBuffer

    /// A header by name, case-insensitive.
    subscript(header name: String) -> String? { headers[name.lowercased()] }
}

/// The server on an ephemeral loopback port for the length of a test, and a plain HTTP/1.1 client that
/// sends a path exactly as written (no normalisation, so `/../` reaches the router). The tests run
/// against the real server, with no HTTP client library: the test build needs no TLS or HTTP/2 stack.
struct LoopbackServer: Sendable {
    let port: Int

    /// Runs `body` with the application of `convarith serve` listening on 127.0.0.1 within `limits`.
    static func with<Value: Sendable>(limits: ServerLimits = .default, models: ServedModels = ServedModels(),
                                      _ body: @escaping @Sendable (LoopbackServer) async throws -> Value) async throws -> Value {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let application = ConvServer.application(host: "127.0.0.1", port: 0, limits: limits, models: models) { port in
            continuation.yield(port)
            continuation.finish()
        }
        return try await withThrowingTaskGroup(of: Value?.self) { group in
            group.addTask {
                try await application.runService(gracefulShutdownSignals: [])
                return nil
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next(), port > 0 else { throw LoopbackError("the server did not start") }
            let value = try await body(LoopbackServer(port: port))
            group.cancelAll()
            return value
        }
    }

    /// `GET uri`, answered.
    func get(_ uri: String) async throws -> LoopbackResponse {
        let port = self.port
        // A thread of its own: blocked in recv on a dispatch or cooperative thread, hundreds of requests
        // would starve the server's own handlers of threads.
        return try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try Self.blockingGet(uri, port: port) })
            }
            thread.start()
        }
    }

    /// `POST uri` with `body`, answered.
    func post(_ uri: String, body: [UInt8]) async throws -> LoopbackResponse {
        let port = self.port
        return try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try Self.blockingRequest("POST", uri, body: body, port: port) })
            }
            thread.start()
        }
    }

    private static func blockingGet(_ uri: String, port: Int) throws -> LoopbackResponse {
        try blockingRequest("GET", uri, body: nil, port: port)
    }

    private static func blockingRequest(_ method: String, _ uri: String, body: [UInt8]?, port: Int) throws -> LoopbackResponse {
        let connection = try RawConnection(port: port)
        defer { connection.hangUp() }
        let length = body.map { "Content-Length: \($0.count)\r\n" } ?? ""
        try connection.write(Array("\(method) \(uri) HTTP/1.1\r\nHost: 127.0.0.1\r\n\(length)Connection: close\r\n\r\n".utf8) + (body ?? []))
        return try parse(connection.readToEnd())
    }

    /// An HTTP/1.1 response: status line, headers, then a body of Content-Length bytes or chunks.
    private static func parse(_ bytes: [UInt8]) throws -> LoopbackResponse {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = (0...(max(bytes.count - 4, 0))).first(where: { bytes.count >= $0 + 4 && Array(bytes[$0..<$0 + 4]) == separator }) else {
            throw LoopbackError("no end of headers in \(bytes.count) bytes")
        }
        let lines = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let code = Int(statusParts[1]) else { throw LoopbackError("bad status line \(lines[0])") }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Array(bytes[(end + 4)...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" {
            var decoded: [UInt8] = []
            var position = 0
            while let lineEnd = (position..<max(body.count - 1, position)).first(where: { body[$0] == 13 && body[$0 + 1] == 10 }) {
                let sizeText = String(decoding: body[position..<lineEnd], as: UTF8.self).split(separator: ";")[0]
                guard let size = Int(sizeText, radix: 16), size > 0, lineEnd + 2 + size <= body.count else { break }
                decoded += body[(lineEnd + 2)..<(lineEnd + 2 + size)]
                position = lineEnd + 2 + size + 2
            }
            body = decoded
        }
        return LoopbackResponse(status: HTTPResponse.Status(code: code), headers: headers, body: ByteBuffer(bytes: body))
    }
}

/// One TCP connection to the server on a plain socket, for the tests that send half a request, never
/// read, or hold connections open. Blocking calls; a read gives up after `timeout` seconds.
final class RawConnection: @unchecked Sendable {
    private let handle: Int32

    /// Connects to 127.0.0.1:`port`; `receiveBuffer` shrinks the socket's receive buffer (before connecting,
    /// so the window the server sees is small too).
    init(port: Int, timeout: Int = 20, receiveBuffer: Int32? = nil) throws {
        #if canImport(Glibc)
        handle = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        handle = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard handle >= 0 else { throw LoopbackError("socket: \(errno)") }
        // A server that stops answering fails the test after `timeout` s instead of hanging it.
        var time = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(handle, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        if var size = receiveBuffer {
            setsockopt(handle, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(handle, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(handle)
            throw LoopbackError("connect: \(errno)")
        }
    }

    /// Sends all of `text`.
    func write(_ text: String) throws {
        try write(Array(text.utf8))
    }

    /// Sends all of `request`.
    func write(_ request: [UInt8]) throws {
        var sent = 0
        while sent < request.count {
            let count = request[sent...].withUnsafeBytes { send(handle, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { throw LoopbackError("send: \(errno)") }
            sent += count
        }
    }

    /// Every byte until the server closes the connection.
    func readToEnd() throws -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(handle, $0.baseAddress, $0.count, 0) }
            guard count >= 0 else { throw LoopbackError("recv: \(errno)") }
            if count == 0 { return bytes }
            bytes += chunk[0..<count]
        }
    }

    /// Whether the server has closed the connection: reads (and drops) what it sent until the end, or
    /// gives up after the timeout with `false`. A reset counts as closed.
    func closedByServer() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(handle, $0.baseAddress, $0.count, 0) }
            if count == 0 { return true }
            if count < 0 { return errno == ECONNRESET }
        }
    }

    /// Closes the connection from this side.
    func hangUp() {
        close(handle)
    }
}

/// `body` on a thread of its own (a blocking socket call must not hold a cooperative thread).
func onThread<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}

struct LoopbackError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
