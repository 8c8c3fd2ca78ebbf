import ConvServer
import Foundation
import Hummingbird
import Testing

@Suite("The server's network questions")
struct NetworkRouteTests {
    /// A file of the repository, found from this test's source.
    static func repositoryFile(_ path: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(path).path
    }

    static func json(_ response: LoopbackResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }

    @Test("/api/net/models lists the shipped examples, then the files given on the command line")
    func modelsListsExamplesAndFiles() async throws {
        let models = ServedModels(paths: [Self.repositoryFile("examples/encoder.yaml")])
        try await LoopbackServer.with(models: models) { server in
            let answer = try Self.json(try await server.get("/api/net/models"))
            let listed = try #require(answer["models"] as? [[String: Any]])
            #expect(listed.map { $0["name"] as? String ?? "" } == ["unet.yaml", "alexnet_v2.yaml", "unet_style.onnx", "encoder.yaml"])
            #expect(listed.last?["origin"] as? String == "file")
            // The exported U-Net's sizes are symbolic: the page starts it at a shape it names.
            #expect(listed[2]["input"] as? String == "1x1x64x64")
        }
    }

    @Test("/api/net is the shape table; every window layer's view, asked of /api/shape, is the same layer with the same output")
    func tableLinksEachLayerToTheSameSingleLayer() async throws {
        try await LoopbackServer.with { server in
            for (model, input) in [("unet.yaml", "1x1x100x100"), ("alexnet_v2.yaml", "1x3x224x224"), ("unet_style.onnx", "1x1x102x102")] {
                let table = try Self.json(try await server.get("/api/net?model=\(model)&input=\(input)"))
                let layers = try #require(table["layers"] as? [[String: Any]])
                let windows = layers.filter { $0["view"] != nil }
                #expect(windows.count >= 5, "\(model)")
                for layer in windows {
                    let view = try #require(layer["view"] as? String)
                    let single = try await server.get("/api/shape?" + view)
                    #expect(single.status == .ok, "\(model) \(view): \(String(buffer: single.body))")
                    let output = try #require(try Self.json(single)["output"] as? [Int])
                    let shape = try #require(layer["output_shape"] as? [Int], "\(model) \(layer["name"] ?? "")")
                    #expect(output == Array(shape.dropFirst(2)), "\(model) \(view)")
                }
            }
        }
    }

    @Test("/api/net/solve at a failing size: the rule, the nearest accepted sizes, the failing join and its repair")
    func solveNamesNearestSizesAndRepair() async throws {
        try await LoopbackServer.with { server in
            let answer = try Self.json(try await server.get("/api/net/solve?model=unet.yaml&input=1x1x100x100"))
            let axes = try #require(answer["accepted_sizes"] as? [[String: Any]])
            #expect(axes.map { $0["rule"] as? String } == ["sizes ≡ 0 (mod 8) from 8", "sizes ≡ 0 (mod 8) from 8"])
            #expect(axes.allSatisfy { $0["nearest_below"] as? Int == 96 && $0["nearest_above"] as? Int == 104 && $0["accepted"] as? Bool == false })
            #expect((answer["first_failure"] as? [String: Any])?["name"] as? String == "skip3")
            let repair = try #require((answer["repairs"] as? [[String: Any]])?.first)
            #expect(repair["node"] as? String == "up3" && repair["field"] as? String == "output_padding" && repair["to"] as? [Int] == [1, 1])
            // At an accepted size there is nothing to repair.
            let accepted = try Self.json(try await server.get("/api/net/solve?model=unet.yaml&input=1x1x96x104"))
            #expect(accepted["status"] as? String == "complete" && accepted["repairs"] == nil)
        }
    }

    @Test("POST /api/net reads the model sent as the body; a model beyond the limit is a 413")
    func uploadIsReadWithinTheLimit() async throws {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: Self.repositoryFile("examples/unet.onnx"))))
        try await LoopbackServer.with { server in
            let table = try await server.post("/api/net?name=sent.onnx&input=1x1x64x48", body: bytes)
            #expect(table.status == .ok, "\(String(buffer: table.body))")
            let inputs = try #require(try Self.json(table)["inputs"] as? [[String: Any]])
            #expect(inputs.first?["shape"] as? [Int] == [1, 1, 64, 48])
            let yaml = try await server.post("/api/net/solve?name=stack.yaml", body: Array("input: [1, 1, 9]\nlayers:\n  - {op: maxpool, kernel: 2}\n".utf8))
            #expect(yaml.status == .ok && String(buffer: yaml.body).contains("\"rule\":\"every size from 2\""), "\(String(buffer: yaml.body))")
        }
        var limits = ServerLimits.default
        limits.modelBytes = 4_096
        try await LoopbackServer.with(limits: limits) { server in
            let refused = try await server.post("/api/net?name=sent.onnx", body: bytes)
            #expect(refused.status == .contentTooLarge)
            #expect(String(buffer: refused.body).contains("at most 4096 bytes"))
        }
    }

    @Test("/api/net/field: the window of one unit and its part inside the input; a unit outside the output is refused")
    func fieldPlacesOneUnit() async throws {
        try await LoopbackServer.with { server in
            let answer = try Self.json(try await server.get("/api/net/field?model=unet.yaml&input=1x1x100x100&layer=enc3&unit=0,24"))
            let axes = try #require(answer["axes"] as? [[String: Any]])
            #expect(axes[0]["first"] as? Int == -7 && axes[0]["inside"] as? [Int] == [0, 10])
            #expect(axes[1]["last"] as? Int == 106 && axes[1]["inside"] as? [Int] == [89, 99])
            let outside = try await server.get("/api/net/field?model=unet.yaml&input=1x1x100x100&layer=enc3&unit=25,0")
            #expect(outside.status == .badRequest && String(buffer: outside.body).contains("within the output 25×25"))
        }
    }

    @Test("network questions refuse what they cannot read, with a message to act on", arguments: [
        ("/api/net?model=unet.yml", "is it 'unet.yaml'?"),
        ("/api/net?model=unet.yaml&inptu=1x1x8x8", "is it 'input'?"),
        ("/api/net?model=unet.yaml&input=1x1x0x8", "'input' must be a shape"),
        ("/api/net", "'model' is required"),
        ("/api/net?model=unet_style.onnx", "give input="),
        ("/api/net/field?model=unet.yaml&layer=enc", "no layer named 'enc'"),
        ("/api/net?model=../../etc/passwd", "no model named"),
    ])
    func refusals(uri: String, message: String) async throws {
        try await LoopbackServer.with { server in
            let response = try await server.get(uri)
            #expect(response.status == .badRequest)
            #expect(String(buffer: response.body).contains(message), "\(String(buffer: response.body))")
        }
    }

    @Test("/net and /net.js are the network page")
    func networkPageIsServed() async throws {
        try await LoopbackServer.with { server in
            let page = try await server.get("/net")
            #expect(page.status == .ok && String(buffer: page.body).contains("<script src=\"/net.js\">"))
            let script = try await server.get("/net.js")
            #expect(script.status == .ok && script[header: "content-type"]?.hasPrefix("text/javascript") == true)
        }
    }
}
