import ConvEval
import ConvServer
import Foundation
import Hummingbird
import Testing

@Suite("The server's JSON API")
struct APIRouteTests {
    static func json(_ buffer: ByteBuffer) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any])
    }

    @Test("/api/shape answers with convarith eval's bytes for the same layer")
    func shapeIsEvalsAnswer() async throws {
        let evaluator = Evaluator()
        let line = #"{"id":0,"op":"transposed","input":[5,5],"kernel":3,"stride":2,"padding":1,"convention":"onnx"}"#
        let evalAnswer = evaluator.answer(bytes: Array(line.utf8))
        try await LoopbackServer.with { server in
            do {
                let response = try await server.get("/api/shape?op=transposed&input=5x5&kernel=3&stride=2&padding=1&convention=onnx")
                #expect(response.status == .ok)
                #expect(response[header: "content-type"] == "application/json")
                let body = String(buffer: response.body)
                // eval's answer is {"id":0,<the same members>}.
                #expect(evalAnswer == #"{"id":0,"# + body.dropFirst(), "\(evalAnswer)\n\(body)")
            }
        }
    }

    @Test("explain, transpose, solve, scene and matrix answer", arguments: [
        "/api/explain?op=conv&input=5&kernel=3&stride=2&padding=1",
        "/api/transpose?op=conv&input=6x6&kernel=3&stride=2&padding=1",
        "/api/solve/padding?input=32&kernel=4&stride=2&target=16",
        "/api/solve/output-padding?input=7&kernel=3&stride=2&padding=1&target=14",
        "/api/solve/inputs?output=3&kernel=3&stride=2&padding=1",
        "/api/scene?op=transposed&input=3x3&kernel=3&stride=2&padding=1&output_padding=1",
        "/api/matrix?op=conv&input=4x4&kernel=3",
    ])
    func routesAnswer(uri: String) async throws {
        try await LoopbackServer.with { server in
            do {
                let response = try await server.get(uri)
                #expect(response.status == .ok, "\(String(buffer: response.body))")
                #expect(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) is [String: Any] || uri.contains("solve/padding"))
            }
        }
    }

    @Test("answers carry the numbers: the transposed output padding, the solved padding, the matrix's size")
    func answersCarryTheNumbers() async throws {
        try await LoopbackServer.with { server in
            do {
                let response = try await server.get("/api/solve/output-padding?input=7&kernel=3&stride=2&padding=1&target=14")
                #expect(try Self.json(response.body)["output_padding"] as? [Int] == [1])
            }
            do {
                let response = try await server.get("/api/matrix?op=conv&input=4x4&kernel=3")
                let object = try Self.json(response.body)
                #expect(object["rows"] as? Int == 4 && object["columns"] as? Int == 16 && object["non_zeros"] as? Int == 36)
            }
            do {
                let response = try await server.get("/api/scene?op=conv&input=5x5&kernel=3")
                #expect(try Self.json(response.body)["frames"] as? Int == 9)
            }
        }
    }

    @Test("a frame is SVG with a rect per cell; values=true prints the paper-style numbers")
    func sceneFrameIsSVG() async throws {
        try await LoopbackServer.with { server in
            do {
                let response = try await server.get("/api/scene.svg?op=conv&input=4x4&kernel=3&frame=3&values=true")
                #expect(response.status == .ok)
                #expect(response[header: "content-type"] == "image/svg+xml")
                let svg = String(buffer: response.body)
                #expect(svg.hasPrefix("<svg") || svg.hasPrefix("<?xml"))
                #expect(svg.components(separatedBy: "<rect").count > 16)
            }
        }
    }

    @Test("impossible, malformed and oversized requests are 400 with a message", arguments: [
        ("/api/shape?op=conv&input=2&kernel=7", "larger than the padded input"),
        ("/api/shape?op=conv&input=5&kernel=3&stride=2&padding=same", "not supported for strided convolutions"),
        ("/api/shape?op=conv&input=five&kernel=3", "'input' must be whole numbers"),
        ("/api/shape?op=spin&input=5&kernel=3", "'op' must be conv, pool or transposed"),
        ("/api/shape?op=conv&kernel=3", "'input' is required"),
        ("/api/shape?op=conv&input=9223372036854775807&kernel=3&padding=9223372036854775807", "64-bit"),
        ("/api/shape?op=conv&input=5&kernel=3&convention=caffe", "unknown convention"),
        ("/api/transpose?op=pool&input=6&kernel=2", "no transposed counterpart"),
        ("/api/scene?op=conv&input=1000x1000&kernel=3", "at most"),
        ("/api/scene.svg?op=conv&input=5&kernel=3&frame=99", "'frame' must be 0 to 2"),
        ("/api/matrix?op=conv&input=512x512&kernel=3", "at most"),
        ("/api/matrix?op=pool&input=4&kernel=2", "convolution"),
    ])
    func badRequestsAreRefused(uri: String, message: String) async throws {
        try await LoopbackServer.with { server in
            do {
                let response = try await server.get(uri)
                #expect(response.status == .badRequest)
                let error = try Self.json(response.body)["error"] as? String
                #expect(error?.contains(message) == true, "\(error ?? "no error")")
            }
        }
    }

    @Test("unknown routes and escapes are 404")
    func unknownRoutesAre404() async throws {
        try await LoopbackServer.with { server in
            for uri in ["/api/nothing", "/../Package.swift", "/%2e%2e/%2e%2e/etc/passwd", "/api/../../etc/passwd"] {
                do {
                    let response = try await server.get(uri)
                    #expect(response.status == .notFound, "\(uri)")
                    if uri == "/api/nothing" { #expect(String(buffer: response.body).contains("GET /api lists them")) }
                }
            }
            do {
                let response = try await server.get("/api")
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("/api/shape"))
            }
        }
    }
}

@Suite("The server under load")
struct ServerLoadTests {
    @Test("a burst of 300 concurrent requests on a live loopback port is answered, every one correctly")
    func burstOfConcurrentRequests() async throws {
        try await LoopbackServer.with { server in
            let uris = (0..<300).map { index in
                index % 3 == 0 ? "/api/shape?op=conv&input=\(10 + index)&kernel=3&padding=1"
                    : index % 3 == 1 ? "/api/explain?op=transposed&input=\(3 + index % 9)x4&kernel=3&stride=2"
                    : "/api/shape?op=conv&input=2&kernel=7"
            }
            let statuses = try await withThrowingTaskGroup(of: (Int, HTTPResponse.Status).self) { group in
                for (index, uri) in uris.enumerated() {
                    group.addTask { (index, try await server.get(uri).status) }
                }
                var collected: [Int: HTTPResponse.Status] = [:]
                for try await (index, status) in group { collected[index] = status }
                return collected
            }
            #expect(statuses.count == 300)
            #expect(statuses.allSatisfy { $0.value == ($0.key % 3 == 2 ? .badRequest : .ok) })
        }
    }
}

@Suite("The server's page files")
struct PageFileTests {
    @Test("/, /app.js and /style.css are the page's files with their content types")
    func pageFilesAreServed() async throws {
        try await LoopbackServer.with { server in
            for (uri, type, marker) in [("/", "text/html", "<script src=\"/app.js\">"), ("/app.js", "text/javascript", "/api/scene.svg"),
                                        ("/style.css", "text/css", "--input")] {
                let response = try await server.get(uri)
                #expect(response.status == .ok, "\(uri)")
                #expect(response[header: "content-type"]?.hasPrefix(type) == true, "\(uri)")
                #expect(String(buffer: response.body).contains(marker), "\(uri)")
            }
        }
    }

    @Test("the command line's hyphenated spellings read as the fields; an unknown or repeated field is a 400, not ignored")
    func queryFieldsAreNeverIgnored() async throws {
        try await LoopbackServer.with { server in
            let hyphen = try await server.get("/api/shape?op=transposed&input=3x3&kernel=3&stride=2&padding=1&output-padding=1")
            #expect(try APIRouteTests.json(hyphen.body)["output"] as? [Int] == [6, 6])
            let ceil = try await server.get("/api/shape?op=pool&input=6x6&kernel=3&stride=2&padding=1&ceil-mode=true")
            #expect(try APIRouteTests.json(ceil.body)["output"] as? [Int] == [4, 4])
            let misspelt = try await server.get("/api/shape?op=conv&input=5&kernel=3&dilaton=2")
            #expect(misspelt.status == .badRequest)
            #expect(String(buffer: misspelt.body).contains("is it 'dilation'?"), "\(String(buffer: misspelt.body))")
            let twice = try await server.get("/api/shape?op=conv&input=5&kernel=3&stride=2&stride=3")
            #expect(twice.status == .badRequest && String(buffer: twice.body).contains("given twice"))
        }
    }
}
