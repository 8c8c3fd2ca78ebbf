import ConvEval
import Hummingbird
import HummingbirdCore
import NIOCore

/// The local web server of `convarith serve`: a JSON API over the core's arithmetic, the answers of
/// `convarith eval`, `explain`, `transpose` and `solve`, the figures' frames and the matrix C — the same
/// bytes as the command line, from the same encoders. Parameters are the command line's spellings in the
/// query string (`/api/shape?op=transposed&input=5x5&kernel=3&stride=2&padding=1&convention=onnx`); an
/// impossible or malformed layer is a 400 with the core's message, and every drawing is capped by its size.
/// `/` is the page (HTML, CSS and plain JavaScript shipped as package resources), which reads the same
/// query from its own address.
public enum ConvServer {
    /// The API routes, each with what it answers (listed at `/`).
    public static let routes: [(path: String, answer: String)] = [
        ("/api/shape", "output sizes, tensor shapes, relationships and the equivalent convolution (as convarith eval)"),
        ("/api/explain", "the relationships that hold and each axis's derivation (as convarith explain --json)"),
        ("/api/transpose", "the convolution, its transposed convolution and the equivalent direct convolution"),
        ("/api/solve/padding", "the paddings that give a target size (input, kernel, target, stride, dilation)"),
        ("/api/solve/output-padding", "the output padding that gives a transposed convolution's target size"),
        ("/api/solve/inputs", "the input sizes a convolution maps to one output size (output, kernel, stride, padding)"),
        ("/api/scene", "a figure's frames, size and cells"),
        ("/api/scene.svg", "one frame of the figure as SVG (frame=N, values=true for the paper-style numbers)"),
        ("/api/matrix", "the sparse matrix C (Cᵀ for a transposed convolution) as symbolic entries"),
        ("/api/footprints", "for every output, the figure's cells under each kernel tap (what a frame highlights)"),
        ("/api/choices", "for each control, the values that keep the layer valid and the reason for every other"),
        ("/api/net/models", "the networks the page can open: the examples and the files given to convarith serve"),
        ("/api/net", "a network's shape table, as convarith net --json (model=NAME, or POST the model; input=1x3x224x224)"),
        ("/api/net/solve", "the input sizes a network accepts, the nearest to the one given, and the repairs of a failing size"),
        ("/api/net/field", "the input positions one unit of a layer reads (layer=NAME&unit=3,4)"),
    ]

    /// The router with every route. An answer is refused with a `503` while more than
    /// ``ServerLimits/answerBytesInFlight`` bytes wait for slower clients (counted by the application's
    /// connections; a router alone never refuses).
    /// `models` are the networks the page can open by name.
    public static func router(limits: ServerLimits = .default, models: ServedModels = ServedModels()) -> Router<BasicRequestContext> {
        router(inFlight: CountedBudget(limit: limits.answerBytesInFlight), limits: limits, models: models)
    }

    static func router(inFlight: CountedBudget, limits: ServerLimits, models: ServedModels) -> Router<BasicRequestContext> {
        let router = Router()
        let response = { @Sendable (status: HTTPResponse.Status, body: APIAnswers.Body) in
            Self.response(status, body, inFlight: inFlight)
        }
        // The page: three files by name (nothing else is read from disk, so no path can escape).
        for file in PageFile.allCases {
            router.get(RouterPath(file.route)) { _, _ -> Response in
                guard let bytes = file.bytes else { return response(.notFound, .json(.object([("error", .string("the page's files are missing"))]))) }
                return response(.ok, APIAnswers.Body(bytes: bytes, contentType: file.contentType))
            }
        }
        router.get("/api") { _, _ -> Response in
            response(.ok, APIAnswers.Body(bytes: Array(index.utf8), contentType: "text/html; charset=utf-8"))
        }
        let answers: [(String, @Sendable (LayerQuery) throws(LayerQuery.Invalid) -> APIAnswers.Body)] = [
            ("/api/shape", APIAnswers.shape), ("/api/explain", APIAnswers.explain), ("/api/transpose", APIAnswers.transpose),
            ("/api/solve/padding", APIAnswers.solvePadding), ("/api/solve/output-padding", APIAnswers.solveOutputPadding),
            ("/api/solve/inputs", APIAnswers.solveInputs), ("/api/scene", APIAnswers.scene), ("/api/scene.svg", APIAnswers.sceneSVG),
            ("/api/matrix", APIAnswers.matrix), ("/api/footprints", APIAnswers.footprints), ("/api/choices", APIAnswers.choices),
        ]
        for (path, answer) in answers {
            router.get(RouterPath(path)) { request, _ -> Response in
                Self.answer(request, answer, respond: response)
            }
        }
        NetworkRoutes(models: models, limits: limits, respond: response).register(on: router)
        // Every other API path: a 404 in JSON like every other answer, with the way to the list.
        router.get("/api/**") { request, _ -> Response in
            response(.notFound, .json(.object([("error", .string("no route \(request.uri.path.prefix(200)); GET /api lists them"))])))
        }
        return router
    }

    /// An application serving ``router(limits:models:)`` on `host:port` (loopback by default; port 0 picks a free
    /// one) within `limits`; `onListening` is called with the port once the server is bound and listening
    /// (not before: a failed bind never calls it).
    public static func application(host: String = "127.0.0.1", port: Int = 8080, limits: ServerLimits = .default,
                                   models: ServedModels = ServedModels(),
                                   onListening: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        let connections = CountedBudget(limit: limits.maximumConnections)
        let inFlight = CountedBudget(limit: limits.answerBytesInFlight)
        let server = HTTPServerBuilder { responder in
            GuardedHTTP1Channel(http1: HTTP1Channel(responder: responder, configuration: .init(idleTimeout: TimeAmount(seconds: limits.headerTimeout))),
                                connections: connections, inFlight: inFlight, writeTimeout: TimeAmount(seconds: limits.writeTimeout))
        }
        return Application(router: router(inFlight: inFlight, limits: limits, models: models), server: server,
                           configuration: .init(address: .hostname(host, port: port), serverName: "convarith"),
                           onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) })
    }

    static func answer(_ request: Request, _ body: @Sendable (LayerQuery) throws(LayerQuery.Invalid) -> APIAnswers.Body,
                       respond response: (HTTPResponse.Status, APIAnswers.Body) -> Response) -> Response {
        do {
            let pairs = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
            return response(.ok, try body(LayerQuery(values: try LayerQuery.fields(pairs))))
        } catch {
            return response(.badRequest, .json(.object([("error", .string(error.description))])))
        }
    }

    /// `body` as the response, or — while the bytes of answers not yet taken by their clients are at the
    /// limit — a short `503` asking the client to retry. (The connections count those bytes as they are
    /// written and give them back as the socket takes them.)
    static func response(_ status: HTTPResponse.Status, _ body: APIAnswers.Body, inFlight: CountedBudget) -> Response {
        guard inFlight.admits(body.bytes.count) else {
            let busy = APIAnswers.Body.json(.object([
                ("error", .string("the server holds \(inFlight.limit) bytes of answers for slower clients, its limit; try again shortly")),
            ]))
            return Response(status: .serviceUnavailable,
                            headers: [.contentType: busy.contentType, .cacheControl: "no-store", .retryAfter: "1"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: busy.bytes)))
        }
        return Response(status: status, headers: [.contentType: body.contentType, .cacheControl: "no-store"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: body.bytes)))
    }

    /// The list of routes at `/api`, each with an example.
    static var index: String {
        let items = routes.map { route -> String in
            let example = route.path.hasPrefix("/api/solve/inputs") ? "?output=3&kernel=3&stride=2&padding=1"
                : route.path.hasPrefix("/api/solve/padding") ? "?input=32&kernel=4&stride=2&target=16"
                : route.path.hasPrefix("/api/solve") ? "?input=7&kernel=3&stride=2&padding=1&target=14"
                : "?op=transposed&input=3x3&kernel=3&stride=2&padding=1&output_padding=1"
            return "<li><a href=\"\(route.path)\(example.replacingAmpersands)\"><code>\(route.path)</code></a> — \(route.answer)</li>"
        }
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>convarith</title></head>
            <body><h1>convarith</h1><p>The JSON API of convolution arithmetic. Parameters use the command line's spellings.</p>
            <ul>\(items.joined())</ul></body></html>
            """
    }
}

extension String {
    /// `&` as `&amp;` for an HTML attribute.
    var replacingAmpersands: String { split(separator: "&", omittingEmptySubsequences: false).joined(separator: "&amp;") }
}
