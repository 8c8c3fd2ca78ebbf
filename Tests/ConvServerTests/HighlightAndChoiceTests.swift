import ConvServer
import Foundation
import Hummingbird
import Testing

@Suite("What the page highlights and which values its controls offer")
struct HighlightAndChoiceTests {
    private func get(_ uri: String) async throws -> (HTTPResponse.Status, [String: Any], String) {
        let (status, data) = try await LoopbackServer.with { server in
            let response = try await server.get(uri)
            return (response.status, Data(response.body.readableBytesView))
        }
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return (status, object, String(decoding: data, as: UTF8.self))
    }

    @Test("footprints list, per output, the padded input's cells under each tap, row-major over the grid")
    func footprintsOfAStridedPaddedConvolution() async throws {
        let (status, object, text) = try await get("/api/footprints?op=conv&input=3x3&kernel=2&stride=2&padding=1")
        #expect(status == .ok, "\(text)")
        // The padded grid is 5×5; output (o0, o1) covers rows 2·o0…2·o0+1 and columns 2·o1…2·o1+1.
        #expect(object["grid_sizes"] as? [Int] == [5, 5])
        #expect(object["output_sizes"] as? [Int] == [2, 2])
        let footprints = try #require(object["footprints"] as? [[Int]])
        #expect(footprints == [[0, 1, 5, 6], [2, 3, 7, 8], [10, 11, 15, 16], [12, 13, 17, 18]])
    }

    @Test("a transposed convolution's footprints are its equivalent stride-1 convolution's, over the stretched grid")
    func footprintsOfATransposedConvolution() async throws {
        // i' = 2, k = 3, s = 2, p = 1, a = 1: stretched and padded to 1 + 3 + 2 = 6 cells, o' = 4.
        let (status, object, text) = try await get("/api/footprints?op=transposed&input=2&kernel=3&stride=2&padding=1&output_padding=1")
        #expect(status == .ok, "\(text)")
        #expect(object["grid_sizes"] as? [Int] == [6])
        #expect(object["footprints"] as? [[Int]] == [[0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5]])
    }

    @Test("a ceil-mode window past the padded input names its outside taps -1")
    func ceilModeTapsOutsideTheGrid() async throws {
        let (status, object, text) = try await get("/api/footprints?op=pool&input=5&kernel=2&stride=2&ceil_mode=true")
        #expect(status == .ok, "\(text)")
        #expect(object["footprints"] as? [[Int]] == [[0, 1], [2, 3], [4, -1]])
    }

    @Test("footprints of a layer with too many outputs × taps are refused with the limit")
    func footprintsAreCapped() async throws {
        let (status, object, _) = try await get("/api/footprints?op=conv&input=60x60&kernel=5&padding=2")
        #expect(status == .badRequest)
        #expect((object["error"] as? String)?.contains("footprint entries") == true)
    }

    @Test("served frames name each rect's grid and cell, so the page can find the cells of a footprint")
    func framesMarkTheirCells() async throws {
        let (status, _, svg) = try await get("/api/scene.svg?op=conv&input=3x3&kernel=2&padding=1&frame=0")
        #expect(status == .ok)
        #expect(svg.components(separatedBy: #"data-grid="output""#).count - 1 == 16)
        #expect(svg.components(separatedBy: #"data-grid="input""#).count - 1 == 25)
        #expect(svg.contains(#"data-grid="input" data-cell="4,4""#))
    }

    @Test("choices offer the kernels that fit the padded input and give the core's reason for the rest")
    func kernelChoices() async throws {
        let (status, object, text) = try await get("/api/choices?op=conv&input=5x5&kernel=3&stride=2&padding=1")
        #expect(status == .ok, "\(text)")
        let kernel = try #require(object["kernel"] as? [String: Any])
        #expect(kernel["valid"] as? [String] == ["1", "2", "3", "4", "5", "6", "7"])
        let refused = try #require(kernel["invalid"] as? [[String: String]])
        #expect(refused.map { $0["value"] } == ["8", "9"])
        #expect(refused.first?["reason"]?.contains("larger than the padded input") == true)
        #expect(object["output_padding"] == nil, "output padding is a transposed convolution's")
        let padding = try #require(object["padding"] as? [String: Any])
        #expect((padding["invalid"] as? [[String: String]])?.contains { $0["value"] == "same" && $0["reason"]!.contains("strided") } == true)
    }

    @Test("choices of an impossible layer show which single change repairs it")
    func choicesRepairAnImpossibleLayer() async throws {
        let (status, object, text) = try await get("/api/choices?op=conv&input=5&kernel=3&stride=2&padding=same")
        #expect(status == .ok, "\(text)")
        #expect((object["stride"] as? [String: Any])?["valid"] as? [String] == ["1"])
        #expect((object["convention"] as? [String: Any])?["valid"] as? [String] == ["onnx", "tensorflow", "jax"])
        #expect((object["kernel"] as? [String: Any])?["valid"] as? [String] == [])
    }

    @Test("choices of a transposed convolution offer only output paddings smaller than the stride or dilation")
    func outputPaddingChoices() async throws {
        let (status, object, text) = try await get("/api/choices?op=transposed&input=4&kernel=3&stride=3&padding=1")
        #expect(status == .ok, "\(text)")
        #expect((object["output_padding"] as? [String: Any])?["valid"] as? [String] == ["0", "1", "2"])
    }

    @Test("choices of a malformed query are a 400")
    func malformedChoices() async throws {
        let (status, object, _) = try await get("/api/choices?op=conv&input=five&kernel=3")
        #expect(status == .badRequest)
        #expect((object["error"] as? String)?.contains("'input' must be whole numbers") == true)
    }
}
