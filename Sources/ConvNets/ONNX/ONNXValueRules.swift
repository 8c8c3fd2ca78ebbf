import Foundation

/// The values of small tensors through the operators that compute shapes: arithmetic, comparisons,
/// logic, `Where`, the unary maths of a size computation (`Floor`, `Ceil`, `Sqrt`…), `Cast`, and the
/// operators that only move elements (`Transpose`, `Slice`, `Expand`, `Tile`, `Gather`). Every rule is
/// ONNX Runtime's: integer division truncates, `Mod` takes the divisor's sign unless `fmod`, a cast to
/// an integer truncates toward zero, and reals are 32-bit floats.
extension ONNXOperator {
    /// The most elements whose values are followed (as many as a constant's that are read).
    static let valueLimit = ONNXTensors.valueLimit

    /// Broadcasting operators whose values are followed.
    static let broadcastingValues: Set<String> = [
        "Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Sum", "Mean", "Mod", "Equal", "Greater", "Less", "GreaterOrEqual",
        "LessOrEqual", "And", "Or", "Xor", "Where", "PRelu", "BitShift",
    ]

    /// One-input operators that change values but keep the shape, evaluated so a size computed through
    /// them (`Ceil(h / 32)`) has the right value.
    static let unaryValues: Set<String> = ["Floor", "Ceil", "Round", "Sqrt", "Neg", "Abs", "Reciprocal", "Not", "Sign"]

    /// A broadcasting operator: the shape by NumPy's rule, and the values when every input's are known.
    func broadcasting(_ values: [ONNXValue]) throws(NetworkError) -> ONNXOutput {
        let shape = try ShapeRules.broadcast(values.map(\.shape))
        let numbers = broadcastValues(values, shape: shape)?.split
        return ONNXOutput(shape: shape, integers: numbers?.integers, reals: numbers?.reals,
                          field: FieldRules.joined(values.map(\.field), shapes: values.map(\.shape), output: shape))
    }

    private func broadcastValues(_ values: [ONNXValue], shape: [Int]) -> ONNXNumbers? {
        let count = ShapeRules.count(shape)
        guard count <= Self.valueLimit, !values.isEmpty else { return nil }
        var numbers: [ONNXNumbers] = []
        for value in values {
            guard let known = ONNXNumbers(value), known.count == ShapeRules.count(value.shape) else { return nil }
            numbers.append(known.picking(FlatIndex.broadcast(output: shape, input: value.shape)))
        }
        func integers(_ index: Int) -> [Int]? { if case .integers(let values) = numbers[index] { return values }; return nil }
        let allIntegers = numbers.allSatisfy { if case .integers = $0 { return true }; return false }
        switch type {
        case "Where":
            guard numbers.count == 3, let condition = integers(0) else { return nil }
            if let a = integers(1), let b = integers(2) { return .integers((0..<count).map { condition[$0] != 0 ? a[$0] : b[$0] }) }
            let a = numbers[1].reals, b = numbers[2].reals
            return .reals((0..<count).map { condition[$0] != 0 ? a[$0] : b[$0] })
        case "Equal", "Greater", "Less", "GreaterOrEqual", "LessOrEqual":
            guard numbers.count == 2 else { return nil }
            if let a = integers(0), let b = integers(1) {
                // Integers compare exactly (2^62 + 1 and 2^62 are the same double).
                return .integers((0..<count).map { index in Self.compare(type, a[index], b[index]) ? 1 : 0 })
            }
            let a = numbers[0].reals, b = numbers[1].reals
            return .integers((0..<count).map { index in Self.compare(type, a[index], b[index]) ? 1 : 0 })
        case "And", "Or", "Xor":
            guard numbers.count == 2, let a = integers(0), let b = integers(1) else { return nil }
            return .integers((0..<count).map { index in
                let (x, y) = (a[index] != 0, b[index] != 0)
                return (type == "And" ? x && y : type == "Or" ? x || y : x != y) ? 1 : 0
            })
        case "PRelu", "BitShift":
            return nil
        default:
            break
        }
        if allIntegers {
            // Integer Mean divides in a type the analysis does not track: its values stay unknown.
            if type == "Mean" { return nil }
            var result = integers(0)!
            for operand in 1..<numbers.count {
                let other = integers(operand)!
                for index in 0..<count {
                    guard let value = Self.integerArithmetic(type, result[index], other[index], fmod: attributes.integer("fmod") == 1) else { return nil }
                    result[index] = value
                }
            }
            return .integers(result)
        }
        var result = numbers[0].reals
        for operand in 1..<numbers.count {
            let other = numbers[operand].reals
            for index in 0..<count {
                let (x, y) = (result[index], other[index])
                let value: Double
                switch type {
                case "Add", "Sum", "Mean": value = x + y
                case "Sub": value = x - y
                case "Mul": value = x * y
                case "Div": value = x / y
                case "Pow": value = Foundation.pow(x, y)
                case "Max": value = max(x, y)
                case "Min": value = min(x, y)
                case "Mod": value = x.truncatingRemainder(dividingBy: y)
                default: return nil
                }
                result[index] = ONNXNumbers.single(value)
            }
        }
        if type == "Mean" { result = result.map { ONNXNumbers.single($0 / Double(numbers.count)) } }
        return .reals(result)
    }

    /// `Equal`, `Greater`, `Less`, `GreaterOrEqual`, `LessOrEqual` of two values.
    private static func compare<Value: Comparable>(_ type: String, _ x: Value, _ y: Value) -> Bool {
        switch type {
        case "Equal": x == y
        case "Greater": x > y
        case "Less": x < y
        case "GreaterOrEqual": x >= y
        default: x <= y
        }
    }

    /// Integer arithmetic as ONNX Runtime does it (wrapping; `nil` for a division by zero).
    private static func integerArithmetic(_ type: String, _ x: Int, _ y: Int, fmod: Bool) -> Int? {
        switch type {
        case "Add", "Sum": return x &+ y
        case "Sub": return x &- y
        case "Mul": return x &* y
        case "Max": return max(x, y)
        case "Min": return min(x, y)
        case "Div":
            guard y != 0 else { return nil }
            return x.dividedReportingOverflow(by: y).partialValue
        case "Mod":
            guard y != 0 else { return nil }
            let remainder = x.remainderReportingOverflow(dividingBy: y).partialValue
            // Without fmod the result takes the divisor's sign (Python's %).
            return !fmod && remainder != 0 && (remainder < 0) != (y < 0) ? remainder &+ y : remainder
        case "Pow":
            guard y >= 0, y < 64 else { return nil }
            var result = 1
            for _ in 0..<y { result = result &* x }
            return result
        default:
            return nil
        }
    }

    /// `Floor`, `Ceil`, `Round` (half to even), `Sqrt`, `Neg`, `Abs`, `Reciprocal`, `Not`, `Sign`.
    func unary(_ x: ONNXValue) -> ONNXOutput {
        var output = ONNXOutput(shape: x.shape, field: x.field)
        guard let numbers = ONNXNumbers(x) else { return output }
        switch numbers {
        case .integers(let values):
            let mapped: [Int]? = switch type {
            case "Neg": values.map { 0 &- $0 }
            case "Abs": values.map { $0 == Int.min ? $0 : abs($0) }
            case "Not": values.map { $0 == 0 ? 1 : 0 }
            case "Sign": values.map { $0.signum() }
            case "Floor", "Ceil", "Round": values
            default: nil
            }
            output.integers = mapped
        case .reals(let values):
            // Not takes booleans only: reals have no value under it.
            guard type != "Not" else { break }
            output.reals = values.map { value in
                let result: Double = switch type {
                case "Floor": value.rounded(.down)
                case "Ceil": value.rounded(.up)
                case "Round": value.rounded(.toNearestOrEven)
                case "Sqrt": value.squareRoot()
                case "Neg": -value
                case "Abs": value.magnitude
                case "Reciprocal": 1 / value
                case "Sign": value > 0 ? 1 : value < 0 ? -1 : 0
                default: .nan
                }
                return ONNXNumbers.single(result)
            }
        }
        return output
    }

    /// `Cast`/`CastLike`: integers truncated toward zero, booleans 0 or 1, 32-bit floats rounded.
    func cast(_ x: ONNXValue, target: Int) -> ONNXOutput {
        var output = ONNXOutput(shape: x.shape, field: x.field)
        guard let numbers = ONNXNumbers(x) else { return output }
        switch target {
        case ONNXTensors.bool:
            output.integers = numbers.reals.map { $0 != 0 ? 1 : 0 }
        case ONNXTensors.float:
            output.reals = numbers.reals.map(ONNXNumbers.single)
        case ONNXTensors.double:
            output.reals = numbers.reals
        case let target where Self.integerWidths[target] != nil:
            let integers: [Int]
            switch numbers {
            case .integers(let values): integers = values
            case .reals(let values):
                let truncated = values.compactMap(ONNXNumbers.truncated)
                guard truncated.count == values.count else { return output }
                integers = truncated
            }
            // Wrapped to the target's width, as a C cast does (259 as uint8 is 3).
            let (bits, signed) = Self.integerWidths[target]!
            output.integers = integers.map { value in
                guard bits < 64 else { return value }
                let wrapped = value & ((1 << bits) - 1)
                return signed && wrapped >= 1 << (bits - 1) ? wrapped - (1 << bits) : wrapped
            }
        default:
            // float16, bfloat16 and the 8-bit floats round in ways not followed: the values stay unknown.
            break
        }
        return output
    }

    /// The integer types of `Cast`'s `to`: their width and whether they are signed.
    static let integerWidths: [Int: (bits: Int, signed: Bool)] = [
        ONNXTensors.uint8: (8, false), ONNXTensors.int8: (8, true), ONNXTensors.uint16: (16, false), ONNXTensors.int16: (16, true),
        ONNXTensors.int32: (32, true), ONNXTensors.uint32: (32, false), ONNXTensors.int64: (64, true), ONNXTensors.uint64: (64, false),
    ]

    /// The values of `x` moved to an output of `shape` whose element at each index reads `x` at `source(index)`.
    static func moved(_ x: ONNXValue, to shape: [Int], _ source: ([Int]) -> [Int]) -> (integers: [Int]?, reals: [Double]?) {
        guard ShapeRules.count(shape) <= valueLimit, let numbers = ONNXNumbers(x), numbers.count == ShapeRules.count(x.shape) else { return (nil, nil) }
        return numbers.picking(FlatIndex.map(output: shape, input: x.shape, source)).split
    }

    /// `Range(start, limit, delta)`: `max(⌈(limit − start)/delta⌉, 0)` elements, integers or reals.
    func range(_ start: ONNXValue, _ limit: ONNXValue?, _ delta: ONNXValue?) throws(NetworkError) -> ONNXOutput {
        guard let first = ONNXNumbers(start), let last = limit.flatMap(ONNXNumbers.init), let step = delta.flatMap(ONNXNumbers.init),
              first.count == 1, last.count == 1, step.count == 1 else {
            throw .unknownValues("Range's bounds are computed at run time from tensor values this analysis does not follow")
        }
        if case .integers(let a) = first, case .integers(let b) = last, case .integers(let c) = step {
            guard c[0] != 0 else { throw .layer("Range: a delta of 0") }
            // ⌈(limit − start)/delta⌉ in exact integers: the difference in 128 bits, then divided.
            let count: Int
            let (difference, overflow) = b[0].subtractingReportingOverflow(a[0])
            if overflow {
                // A span beyond 2^63: only a delta near it gives a countable number of elements.
                let span = ((Double(b[0]) - Double(a[0])) / Double(c[0])).rounded(.up)
                guard span < 9.0e15 else { throw .layer("Range from \(a[0]) to \(b[0]) by \(c[0]) has too many elements") }
                count = span <= 0 ? 0 : Int(span)
            } else {
                let (quotient, remainder) = difference.quotientAndRemainder(dividingBy: c[0])
                count = max(quotient + (remainder != 0 && (remainder > 0) == (c[0] > 0) ? 1 : 0), 0)
            }
            return ONNXOutput(shape: [count], integers: count <= Self.valueLimit ? (0..<count).map { a[0] &+ $0 &* c[0] } : nil)
        }
        let (a, b, c) = (first.reals[0], last.reals[0], step.reals[0])
        guard c != 0, c.isFinite else { throw .layer("Range: a delta of \(c)") }
        let span = ((b - a) / c).rounded(.up)
        guard !span.isNaN else { throw .layer("Range from \(a) to \(b) by \(c) is not a number of elements") }
        guard span < 9.0e15 else { throw .layer("Range from \(a) to \(b) by \(c) has too many elements") }
        let count = span <= 0 ? 0 : Int(span)
        return ONNXOutput(shape: [count], reals: count <= Self.valueLimit ? (0..<count).map { ONNXNumbers.single(a + Double($0) * c) } : nil)
    }

    /// A reduction's values when it reduces every element of a small tensor to one (`ReduceProd` of a
    /// shape: its element count).
    static func reducedValue(_ type: String, _ x: ONNXValue, outputCount: Int) -> (integers: [Int]?, reals: [Double]?) {
        guard outputCount == 1, let numbers = ONNXNumbers(x), numbers.count == ShapeRules.count(x.shape), numbers.count > 0 else { return (nil, nil) }
        switch numbers {
        case .integers(let values):
            switch type {
            case "ReduceProd": return ([values.reduce(1, &*)], nil)
            case "ReduceSum": return ([values.reduce(0, &+)], nil)
            case "ReduceMax": return ([values.max()!], nil)
            case "ReduceMin": return ([values.min()!], nil)
            default: return (nil, nil)
            }
        case .reals(let values):
            switch type {
            case "ReduceProd": return (nil, [ONNXNumbers.single(values.reduce(1, *))])
            case "ReduceSum": return (nil, [ONNXNumbers.single(values.reduce(0, +))])
            case "ReduceMax": return (nil, [values.max()!])
            case "ReduceMin": return (nil, [values.min()!])
            case "ReduceMean": return (nil, [ONNXNumbers.single(values.reduce(0, +) / Double(values.count))])
            default: return (nil, nil)
            }
        }
    }
}
