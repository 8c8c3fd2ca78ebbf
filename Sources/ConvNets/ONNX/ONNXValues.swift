/// The values of a small tensor the analysis follows (a shape, an index, a scale): integers (ONNX's
/// integer and boolean types) or reals (its floating-point types, rounded to 32-bit floats as ONNX
/// Runtime computes them).
enum ONNXNumbers: Hashable {
    case integers([Int])
    case reals([Double])

    /// The values of `value`, if the analysis follows them.
    init?(_ value: ONNXValue) {
        if let integers = value.integers { self = .integers(integers) }
        else if let reals = value.reals { self = .reals(reals) }
        else { return nil }
    }

    /// How many values.
    var count: Int {
        switch self {
        case .integers(let values): values.count
        case .reals(let values): values.count
        }
    }

    /// Every value as a real.
    var reals: [Double] {
        switch self {
        case .integers(let values): values.map(Double.init)
        case .reals(let values): values
        }
    }

    /// The values at the flat positions `indices` (each within `0..<count`).
    func picking(_ indices: [Int]) -> ONNXNumbers {
        switch self {
        case .integers(let values): .integers(indices.map { values[$0] })
        case .reals(let values): .reals(indices.map { values[$0] })
        }
    }

    /// The values on an output: `integers`/`reals` as ``ONNXOutput`` carries them.
    var split: (integers: [Int]?, reals: [Double]?) {
        switch self {
        case .integers(let values): (values, nil)
        case .reals(let values): (nil, values)
        }
    }

    /// A real rounded as a 32-bit float.
    static func single(_ value: Double) -> Double { Double(Float(value)) }

    /// A real as an integer the way ONNX Runtime casts it (toward zero); `nil` when it does not fit.
    static func truncated(_ value: Double) -> Int? {
        guard value.isFinite, value.magnitude < 9.2e18 else { return nil }
        return Int(value.rounded(.towardZero))
    }
}

/// Flat positions in small tensors: for each element of an output, the element of an input it reads.
enum FlatIndex {
    /// Row-major strides of `shape`.
    static func strides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var stride = 1
        for axis in shape.indices.reversed() {
            strides[axis] = stride
            stride &*= max(shape[axis], 1)
        }
        return strides
    }

    /// For every element of `output` (row-major), the flat position `source` maps its index to, in a
    /// tensor of `input` shape. `output` must be small (the analysis caps followed values at 64).
    static func map(output: [Int], input: [Int], _ source: ([Int]) -> [Int]) -> [Int] {
        let count = ShapeRules.count(output)
        let inputStrides = strides(input)
        var index = [Int](repeating: 0, count: output.count)
        var result: [Int] = []
        result.reserveCapacity(count)
        for _ in 0..<count {
            result.append(zip(source(index), inputStrides).reduce(0) { $0 + $1.0 * $1.1 })
            var axis = output.count - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < output[axis] { break }
                index[axis] = 0
                axis -= 1
            }
        }
        return result
    }

    /// The flat positions an input of `input` shape, broadcast to `output` (NumPy's rule), is read at.
    static func broadcast(output: [Int], input: [Int]) -> [Int] {
        let offset = output.count - input.count
        return map(output: output, input: input) { index in
            input.indices.map { axis in input[axis] == 1 ? 0 : index[axis + offset] }
        }
    }
}
