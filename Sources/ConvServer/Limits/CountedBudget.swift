import Foundation

/// A count shared by every connection of one server, taken and given back under a lock: the open
/// connections, or the bytes of answers not yet read by their clients.
final class CountedBudget: @unchecked Sendable {
    private let lock = NSLock()
    private var used = 0
    let limit: Int

    init(limit: Int) { self.limit = limit }

    /// Takes `amount` if it fits under the limit; `false` (and nothing taken) otherwise. One amount larger
    /// than the whole limit is taken when nothing else is held, so an answer the drawing budget allows is
    /// never refused forever.
    func take(_ amount: Int) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard used == 0 || amount <= limit - used else { return false }
        used += amount
        return true
    }

    /// Whether `amount` more would fit now (or nothing is held: one answer larger than the whole limit is
    /// still served, alone).
    func admits(_ amount: Int) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return used == 0 || amount <= limit - used
    }

    /// Counts `amount` whether or not it fits (bytes already on their way).
    func add(_ amount: Int) {
        lock.lock()
        used += amount
        lock.unlock()
    }

    /// Gives `amount` back.
    func giveBack(_ amount: Int) {
        lock.lock()
        used -= amount
        lock.unlock()
    }

    /// What is held now.
    var held: Int {
        lock.lock()
        defer { lock.unlock() }
        return used
    }
}
