import ConvServer
import Foundation
import Hummingbird
import Testing

@Suite("The server's limits: connections, slow clients, answers in flight")
struct ServerLimitTests {
    @Test("a connection beyond the limit is answered 503 and closed; a freed slot is served again")
    func connectionsBeyondTheLimitAreRefused() async throws {
        let limits = ServerLimits(maximumConnections: 2, headerTimeout: 10, writeTimeout: 30, answerBytesInFlight: 1 << 24)
        try await LoopbackServer.with(limits: limits) { server in
            let held = try [RawConnection(port: server.port), RawConnection(port: server.port)]
            // Connections are admitted on the server's event loops, in no fixed order with this thread.
            try await Task.sleep(for: .milliseconds(200))
            let refused = try await server.get("/api")
            #expect(refused.status == .serviceUnavailable)
            #expect(refused[header: "retry-after"] == "1")
            #expect(String(buffer: refused.body).contains("2 connections open"))
            held[0].hangUp()
            // The server sees the close on its event loop; the slot is free within moments.
            var status = HTTPResponse.Status.serviceUnavailable
            for _ in 0..<50 where status == .serviceUnavailable {
                try await Task.sleep(for: .milliseconds(20))
                status = try await server.get("/api").status
            }
            #expect(status == .ok)
            held[1].hangUp()
        }
    }

    @Test("a request header not finished within the header timeout is closed by the server")
    func halfSentHeaderIsClosed() async throws {
        let limits = ServerLimits(maximumConnections: 8, headerTimeout: 0.3, writeTimeout: 30, answerBytesInFlight: 1 << 24)
        try await LoopbackServer.with(limits: limits) { server in
            let connection = try RawConnection(port: server.port, timeout: 10)
            defer { connection.hangUp() }
            try connection.write("GET /api HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            let start = ContinuousClock.now
            let closed = try await onThread { connection.closedByServer() }
            #expect(closed)
            #expect(ContinuousClock.now - start < .seconds(5))
        }
    }

    @Test("a client that never reads its answer holds the answer budget until the write timeout closes it")
    func stalledClientIsClosedAndItsBytesFreed() async throws {
        let limits = ServerLimits(maximumConnections: 8, headerTimeout: 10, writeTimeout: 0.5, answerBytesInFlight: 1 << 20)
        // A frame of 5.3 MB (the largest the server draws): more than the socket buffers hold.
        let large = "/api/scene.svg?op=conv&input=99x99&kernel=3&values=true"
        try await LoopbackServer.with(limits: limits) { server in
            let stalled = try RawConnection(port: server.port, timeout: 10, receiveBuffer: 4_096)
            defer { stalled.hangUp() }
            try stalled.write("GET \(large) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            // While the stalled answer is held (once drawn), more than the budget is refused with a retry.
            var busy = try await server.get("/api/shape?op=conv&input=5&kernel=3")
            for _ in 0..<100 where busy.status == .ok {
                try await Task.sleep(for: .milliseconds(20))
                busy = try await server.get("/api/shape?op=conv&input=5&kernel=3")
            }
            #expect(busy.status == .serviceUnavailable)
            #expect(String(buffer: busy.body).contains("try again"))
            // The stalled connection is closed after the write timeout: its unwritten bytes are dropped and
            // the budget is free again (without the close, a client that never reads holds it forever).
            var status = HTTPResponse.Status.serviceUnavailable
            for _ in 0..<250 where status == .serviceUnavailable {
                try await Task.sleep(for: .milliseconds(20))
                status = try await server.get("/api/shape?op=conv&input=5&kernel=3").status
            }
            #expect(status == .ok)
        }
    }

    @Test("limits are clamped to at least one connection, a millisecond and a byte; NaN falls back")
    func limitsAreClamped() {
        let limits = ServerLimits(maximumConnections: -3, headerTimeout: .nan, writeTimeout: -1, answerBytesInFlight: 0)
        #expect(limits.maximumConnections == 1 && limits.headerTimeout == 10 && limits.writeTimeout == 0.001 && limits.answerBytesInFlight == 1)
    }
}
