import HummingbirdCore
import Logging
import NIOCore

/// Hummingbird's HTTP/1.1 child channel behind a ``ConnectionGuard``: the guard sees the raw bytes first,
/// so a refused connection never reaches the HTTP parser and a stalled one is closed whatever it was doing.
struct GuardedHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let http1: HTTP1Channel
    let connections: CountedBudget
    let inFlight: CountedBudget
    let writeTimeout: TimeAmount

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(ConnectionGuard(connections: connections, inFlight: inFlight, writeTimeout: writeTimeout))
        }.flatMap {
            http1.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await http1.handle(value: value, logger: logger)
    }
}

extension TimeAmount {
    /// Seconds as a time amount, to the millisecond.
    init(seconds: Double) {
        self = .milliseconds(Int64((seconds * 1_000).rounded()))
    }
}
