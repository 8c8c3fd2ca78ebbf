import ConvNets
import Dispatch
import Hummingbird
import NIOCore

/// The routes of the network questions: `GET` with `model=NAME` for a served model, or `POST` with the
/// model as the body (at most ``ServerLimits/modelBytes``). At most
/// ``ServerLimits/concurrentNetworkAnswers`` are answered at once; one more is a `503`.
struct NetworkRoutes: Sendable {
    let models: ServedModels
    let limits: ServerLimits
    let respond: @Sendable (HTTPResponse.Status, APIAnswers.Body) -> Response
    let slots: CountedBudget

    init(models: ServedModels, limits: ServerLimits, respond: @escaping @Sendable (HTTPResponse.Status, APIAnswers.Body) -> Response) {
        self.models = models
        self.limits = limits
        self.respond = respond
        slots = CountedBudget(limit: limits.concurrentNetworkAnswers)
    }

    func register(on router: Router<BasicRequestContext>) {
        let models = self.models
        let respond = self.respond
        router.get("/api/net/models") { _, _ -> Response in respond(.ok, NetworkAnswers.models(models)) }
        let questions: [(String, @Sendable (Network, NetworkQuery) throws(NetworkQuery.Invalid) -> APIAnswers.Body)] = [
            ("/api/net", { network, _ in NetworkAnswers.table(network) }),
            ("/api/net/solve", { network, _ throws(NetworkQuery.Invalid) in try NetworkAnswers.solve(network) }),
            ("/api/net/field", { network, query throws(NetworkQuery.Invalid) in try NetworkAnswers.field(network, query: query) }),
        ]
        for (path, answer) in questions {
            router.get(RouterPath(path)) { request, _ -> Response in await self.answer(request, body: nil, answer) }
            router.post(RouterPath(path)) { request, _ -> Response in
                let body: ByteBuffer
                do {
                    body = try await request.body.collect(upTo: limits.modelBytes)
                } catch {
                    return respond(.contentTooLarge, Self.error("a model sent to the server may have at most \(limits.modelBytes) bytes; give a larger one to convarith serve on the command line"))
                }
                return await self.answer(request, body: Array(buffer: body), answer)
            }
        }
    }

    private func answer(_ request: Request, body: [UInt8]?,
                        _ answer: @escaping @Sendable (Network, NetworkQuery) throws(NetworkQuery.Invalid) -> APIAnswers.Body) async -> Response {
        guard slots.take(1) else {
            return respond(.serviceUnavailable, Self.error("the server is answering \(slots.limit) network questions, its limit; try again shortly"))
        }
        defer { slots.giveBack(1) }
        let pairs = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
        let models = self.models
        // A network question can take seconds of one core: it runs on a thread of its own (Dispatch's), so the
        // few threads of Swift's cooperative pool stay free to answer everything else — a 503 included.
        let result: Result<APIAnswers.Body, NetworkQuery.Invalid> = await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(returning: Result { () throws(NetworkQuery.Invalid) -> APIAnswers.Body in
                    let query = try NetworkQuery(pairs: pairs)
                    return try answer(try query.network(models: models, body: body), query)
                })
            }
        }
        switch result {
        case .success(let body): return respond(.ok, body)
        case .failure(let error): return respond(.badRequest, Self.error(error.description))
        }
    }

    static func error(_ message: String) -> APIAnswers.Body { .json(.object([("error", .string(message))])) }
}
