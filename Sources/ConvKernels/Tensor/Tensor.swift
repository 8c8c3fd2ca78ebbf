/// A dense, row-major (C order) N-D array of `Float`: `[batch, channels, spatial…]` for activations,
/// `[C_out, C_in/groups, k…]` for convolution weights.
public struct Tensor: Sendable, Hashable {
    /// The size of each dimension.
    public let shape: [Int]
    /// The values, last dimension fastest.
    public var data: [Float]

    /// A tensor of `shape` holding `data`.
    /// - Throws: ``KernelError`` when the count does not match the shape, or a dimension is negative.
    public init(shape: [Int], data: [Float]) throws(KernelError) {
        guard shape.allSatisfy({ $0 >= 0 }), let count = MemoryLimit.elementCount(shape), count == data.count else {
            throw .dataCount(shape: shape, count: data.count)
        }
        self.shape = shape
        self.data = data
    }

    /// A tensor of `shape` filled with `value`, checked against the memory limit.
    /// - Throws: ``KernelError/memoryLimit(elements:bytes:limit:)`` for shapes too large to allocate.
    public init(zeros shape: [Int], value: Float = 0) throws(KernelError) {
        let count = try MemoryLimit.current.check(shape)
        self.shape = shape
        self.data = [Float](repeating: value, count: count)
    }

    /// Unchecked initialiser for shapes already validated by the caller.
    init(uncheckedShape shape: [Int], data: [Float]) {
        self.shape = shape
        self.data = data
    }

    /// The number of dimensions.
    public var rank: Int { shape.count }
    /// The number of values.
    public var count: Int { data.count }

    /// Row-major strides, in elements.
    public var strides: [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for axis in shape.indices.reversed() {
            strides[axis] = running
            running *= shape[axis]
        }
        return strides
    }

    /// The value at a multi-index.
    public subscript(_ index: [Int]) -> Float {
        get { data[offset(index)] }
        set { data[offset(index)] = newValue }
    }

    /// The flat offset of a multi-index.
    public func offset(_ index: [Int]) -> Int {
        var offset = 0
        for (axis, position) in index.enumerated() {
            offset = offset * shape[axis] + position
        }
        return offset
    }

    /// The largest absolute difference to `other` (same shape), or infinity when shapes differ or a value is
    /// NaN where the other's is not (both NaN count as equal).
    public func maximumDifference(to other: Tensor) -> Float {
        guard shape == other.shape else { return .infinity }
        var largest: Float = 0
        for index in data.indices {
            let a = data[index], b = other.data[index]
            if a == b || (a.isNaN && b.isNaN) { continue }  // also equal infinities
            let difference = abs(a - b)
            // A NaN against a number (or infinities of opposite signs) is as far apart as values get.
            if difference.isNaN { return .infinity }
            largest = max(largest, difference)
        }
        return largest
    }

    /// A tensor of uniformly random values in `range`, from `generator`.
    public static func random<G: RandomNumberGenerator>(shape: [Int], in range: ClosedRange<Float> = -1...1,
                                                        using generator: inout G) throws(KernelError) -> Tensor {
        var tensor = try Tensor(zeros: shape)
        for index in tensor.data.indices { tensor.data[index] = Float.random(in: range, using: &generator) }
        return tensor
    }
}
