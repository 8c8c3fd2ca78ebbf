#if canImport(Glibc)
import Glibc
/// `RLIMIT_AS`, whose Glibc type differs from `getrlimit`'s parameter.
private let RLIMIT_AS_RESOURCE = __rlimit_resource_t(RLIMIT_AS.rawValue)
#elseif canImport(Darwin)
import Darwin
private let RLIMIT_AS_RESOURCE = RLIMIT_AS
#endif

/// The largest tensor the kernels will allocate. Sizes that overflow or exceed it are refused with a
/// clear error before any allocation. The default is a quarter of the memory the process may use (physical
/// memory, or a smaller address-space limit, `ulimit -v`); the environment variable
/// `CONVARITH_MEMORY_LIMIT_MB` overrides it, up to half of that memory (a command holds its input and output,
/// and writes some of them out, so one tensor is never given all of it).
public struct MemoryLimit: Sendable, Hashable {
    /// The limit in bytes.
    public let bytes: Int

    /// A limit of `bytes`.
    public init(bytes: Int) { self.bytes = max(bytes, 0) }

    /// The limit in effect: `CONVARITH_MEMORY_LIMIT_MB` (at most half of the usable memory: physical memory, or a
    /// smaller `ulimit -v` or cgroup limit), else a quarter of it.
    public static let current: MemoryLimit = {
        let usable = usableMemory
        if let text = getenv("CONVARITH_MEMORY_LIMIT_MB").map({ String(cString: $0) }), let megabytes = Int(text), megabytes > 0 {
            let requested = megabytes.multipliedReportingOverflow(by: 1_048_576).overflow ? Int.max : megabytes * 1_048_576
            return MemoryLimit(bytes: min(requested, usable / 2))
        }
        return MemoryLimit(bytes: usable / 4)
    }()

    /// The memory this process may use: physical memory, or the address-space limit (`ulimit -v`) or the
    /// container's memory limit (cgroup v2 `memory.max`, v1 `memory.limit_in_bytes`) when smaller.
    static var usableMemory: Int {
        var usable = physicalMemory
        #if canImport(Glibc) || canImport(Darwin)
        var limit = rlimit()
        if getrlimit(RLIMIT_AS_RESOURCE, &limit) == 0, limit.rlim_cur < UInt64(Int.max) {  // RLIM_INFINITY is larger
            usable = min(usable, Int(limit.rlim_cur))
        }
        #endif
        for path in ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"] {
            if let bytes = firstNumber(inFile: path), bytes > 0 { usable = min(usable, bytes) }
        }
        return usable
    }

    /// The whole number a small file starts with (`max` and unreadable files give `nil`).
    private static func firstNumber(inFile path: String) -> Int? {
        #if canImport(Glibc) || canImport(Darwin)
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 64)
        guard fgets(&line, Int32(line.count), file) != nil else { return nil }
        let digits = line.prefix { $0 >= 0x30 && $0 <= 0x39 }.map { UInt8(bitPattern: $0) }
        return Int(String(decoding: digits, as: UTF8.self))
        #else
        return nil
        #endif
    }

    private static var physicalMemory: Int {
        #if canImport(Glibc) || canImport(Darwin)
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        if pages > 0 && size > 0 && !pages.multipliedReportingOverflow(by: size).overflow { return pages * size }
        #endif
        return 4 << 30
    }

    /// The number of elements of `shape`, or `nil` when it overflows.
    public static func elementCount(_ shape: [Int]) -> Int? {
        var count = 1
        for size in shape {
            guard size >= 0 else { return nil }
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            if overflow { return nil }
            count = product
        }
        return count
    }

    /// Checks that an array of `shape` with `bytesPerElement` bytes each (a `Float` tensor by default)
    /// fits; returns its element count.
    /// - Throws: ``KernelError/memoryLimit(elements:bytes:limit:)``.
    public func check(_ shape: [Int], bytesPerElement: Int = MemoryLayout<Float>.stride) throws(KernelError) -> Int {
        guard let count = Self.elementCount(shape) else {
            throw .memoryLimit(elements: Int.max, bytes: Int.max, limit: bytes)
        }
        let (size, overflow) = count.multipliedReportingOverflow(by: bytesPerElement)
        if overflow || size > bytes { throw .memoryLimit(elements: count, bytes: overflow ? Int.max : size, limit: bytes) }
        return count
    }
}

/// The most multiply-adds (or pooling comparisons) one kernel call may do: the reference loops run about
/// 2.5 × 10⁸ a second, so the default of 10⁹ is a few seconds. `CONVARITH_WORK_LIMIT` overrides it.
public struct WorkLimit: Sendable, Hashable {
    /// The limit in operations.
    public let operations: Int

    /// A limit of `operations`.
    public init(operations: Int) { self.operations = max(operations, 0) }

    /// The limit in effect: `CONVARITH_WORK_LIMIT`, else 10⁹.
    public static let current: WorkLimit = {
        if let text = getenv("CONVARITH_WORK_LIMIT").map({ String(cString: $0) }), let value = Int(text), value > 0 {
            return WorkLimit(operations: value)
        }
        return WorkLimit(operations: 1_000_000_000)
    }()

    /// Checks an operation count (`nil`: beyond `Int`).
    /// - Throws: ``KernelError/workLimit(operations:limit:)``.
    public func check(_ count: Int?) throws(KernelError) {
        guard let count, count <= operations else { throw .workLimit(operations: count, limit: operations) }
    }
}
