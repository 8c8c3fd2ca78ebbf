import ConvEval
import NIOCore

/// The first handler of every connection, on its raw bytes: it counts the connection against
/// ``ServerLimits/maximumConnections`` (one too many is answered `503` and closed), and closes a
/// connection whose writes have made no progress for ``ServerLimits/writeTimeout`` — a client that asks
/// for an answer and never reads it would otherwise hold the answer and the descriptor forever. The bytes
/// written and not yet taken by the socket are counted in the server's answers in flight.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private let connections: CountedBudget
    private let inFlight: CountedBudget
    private let writeTimeout: TimeAmount
    private var state = State.waiting
    private var pendingWrites = 0
    private var lastProgress = NIODeadline.now()
    private var stallCheck: Scheduled<Void>?

    private enum State { case waiting, admitted, refused, closed }

    init(connections: CountedBudget, inFlight: CountedBudget, writeTimeout: TimeAmount) {
        self.connections = connections
        self.inFlight = inFlight
        self.writeTimeout = writeTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { admit(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        admit(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        release()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        release()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // A refused connection's request is read and dropped, so that closing it sends the 503 and a
        // clean end rather than a reset that could discard the answer.
        guard state != .refused else { return }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if pendingWrites == 0 { lastProgress = .now() }
        pendingWrites += 1
        // Written, or failed with the connection's close: either way the bytes are gone.
        let count = unwrapOutboundIn(data).readableBytes
        inFlight.add(count)
        let promise = promise ?? context.eventLoop.makePromise()
        promise.futureResult.assumeIsolated().whenComplete { _ in
            self.inFlight.giveBack(count)
            self.pendingWrites -= 1
            self.lastProgress = .now()
        }
        scheduleStallCheck(context)
        context.write(data, promise: promise)
    }

    private func admit(_ context: ChannelHandlerContext) {
        guard state == .waiting else { return }
        guard connections.take(1) else {
            state = .refused
            refuse(context)
            return
        }
        state = .admitted
    }

    private func release() {
        stallCheck?.cancel()
        stallCheck = nil
        if state == .admitted { connections.giveBack(1) }
        state = .closed
    }

    private func refuse(_ context: ChannelHandlerContext) {
        let body = JSONWriter.string(.object([("error", .string("the server has \(connections.limit) connections open, its limit; try again shortly"))]))
        let head = "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json; charset=utf-8\r\n"
            + "content-length: \(body.utf8.count)\r\nretry-after: 1\r\nconnection: close\r\n\r\n"
        let buffer = context.channel.allocator.buffer(string: head + body)
        context.writeAndFlush(wrapOutboundOut(.byteBuffer(buffer))).assumeIsolated().whenComplete { _ in
            context.close(mode: .output, promise: nil)
            // The request, if it comes, is read and dropped for a moment; then the connection goes.
            context.eventLoop.assumeIsolated().scheduleTask(in: .seconds(1)) { context.close(promise: nil) }
        }
    }

    private func scheduleStallCheck(_ context: ChannelHandlerContext) {
        guard stallCheck == nil, state == .admitted else { return }
        stallCheck = context.eventLoop.assumeIsolated().scheduleTask(deadline: lastProgress + writeTimeout) {
            self.stallCheck = nil
            guard self.pendingWrites > 0, self.state == .admitted else { return }
            if NIODeadline.now() >= self.lastProgress + self.writeTimeout {
                context.close(promise: nil)
            } else {
                self.scheduleStallCheck(context)
            }
        }
    }
}
