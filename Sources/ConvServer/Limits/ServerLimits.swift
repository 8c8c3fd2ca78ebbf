/// What one `convarith serve` process gives its clients at most, so that no client — slow, silent or
/// many — can exhaust the machine: open connections, the time a request's header may take, the time a
/// response may stall, and the bytes of answers waiting for their clients.
///
/// Beyond ``maximumConnections`` a connection is answered `503 Service Unavailable` and closed; beyond
/// ``answerBytesInFlight`` a request is answered `503` with `Retry-After` until slower clients have read
/// theirs. A connection whose request header is not complete after ``headerTimeout``, or which is idle
/// that long between requests, is closed; so is one whose answer makes no progress for ``writeTimeout``
/// (a client that asks and never reads). HTTP/1.1 answers one request at a time per connection, so one
/// connection holds at most one answer, itself capped by the drawing budget.
public struct ServerLimits: Sendable, Equatable {
    /// Connections open at once; one more is refused with a 503.
    public var maximumConnections: Int
    /// Seconds a connection may take to send a complete request header, or stay idle between requests.
    public var headerTimeout: Double
    /// Seconds an answer may wait for its client to read any of it.
    public var writeTimeout: Double
    /// Bytes of answers held for clients at once, across all connections.
    public var answerBytesInFlight: Int
    /// The largest model a client may send (`POST /api/net…`); a larger one is answered `413`.
    public var modelBytes: Int = 64 << 20
    /// Network questions (tables, solves, fields) answered at once; one more is answered `503`. Each holds
    /// at most one model sent by a client, and a core.
    public var concurrentNetworkAnswers: Int = 2

    /// Limits for a local server: 256 connections, 10 s for a header, 30 s of stalled writing, 256 MiB of
    /// answers in flight (the largest answer, a 20,000-cell SVG frame with its numbers, is about 5.3 MB),
    /// models of 64 MiB sent, two network questions at once.
    public static let `default` = ServerLimits(maximumConnections: 256, headerTimeout: 10, writeTimeout: 30,
                                               answerBytesInFlight: 256 << 20)

    /// Limits as given; every value is clamped to at least one (connection, millisecond, byte).
    public init(maximumConnections: Int, headerTimeout: Double, writeTimeout: Double, answerBytesInFlight: Int) {
        self.maximumConnections = max(1, maximumConnections)
        self.headerTimeout = headerTimeout.isFinite ? max(0.001, headerTimeout) : 10
        self.writeTimeout = writeTimeout.isFinite ? max(0.001, writeTimeout) : 30
        self.answerBytesInFlight = max(1, answerBytesInFlight)
    }
}
