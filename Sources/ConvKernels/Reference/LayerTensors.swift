import ConvArithmetic

/// Concrete tensors checked against a layer: the channels the tensors imply, their shapes from the core
/// (`ChannelConfiguration.tensorShapes(of:)`, the package's one channel/group/weight check), and a
/// ``KernelError`` naming the tensor that does not fit.
struct LayerTensors {
    let shapes: TensorShapes
    let groups: Int

    var batch: Int { shapes.batch }
    var inputChannels: Int { shapes.inputChannels }
    var outputChannels: Int { shapes.outputChannels }
    var outputShape: [Int] { shapes.y }

    /// Checks the tensors; `workScale` is how many times faster than the reference loops the caller runs
    /// (the work limit is in reference-loop operations).
    init(shape: LayerShape, x: Tensor, weight: Tensor?, bias: Tensor?, groups: Int, workScale: Int = 1) throws(KernelError) {
        try self.init(shape: shape, x: x.shape, weight: weight?.shape, bias: bias?.shape, groups: groups, workScale: workScale)
    }

    /// Checks tensors of these shapes (as ``init(shape:x:weight:bias:groups:workScale:)``).
    init(shape: LayerShape, x: [Int], weight: [Int]?, bias: [Int]?, groups: Int, workScale: Int = 1) throws(KernelError) {
        // The one gate of every kernel (reference, fast, prepared, matrix, stretched): a layer its
        // formulations cannot reproduce is refused here, whichever entry point was called.
        if let refusal = Self.unreproducible(shape) { throw refusal }
        let inferred: ChannelConfiguration?
        do {
            inferred = try ChannelConfiguration(input: x, weight: weight, operation: shape.operation, groups: groups)
        } catch {
            throw .arithmetic(error)
        }
        guard let configuration = inferred else {
            throw .shapeMismatch(tensor: "x", expected: "[N, C, " + shape.input.map(String.init).joined(separator: ", ") + "]", actual: x)
        }
        if shape.operation != .pooling && weight == nil {
            throw .shapeMismatch(tensor: "w", expected: "a weight tensor", actual: [])
        }
        shapes = try Self.shapes(of: shape, configuration)
        try WorkLimit.current.check(configuration.multiplyAdds(of: shape).map { $0 / max(workScale, 1) })
        if configuration.batch == 0 {
            // An empty batch bounds nothing (every product is 0): one sample's tensors and work must fit, as if
            // the batch held one, before any kernel multiplies the layer's sizes.
            _ = try MemoryLimit.current.check([1] + shapes.x.dropFirst())
            _ = try MemoryLimit.current.check([1] + shapes.y.dropFirst())
            let one: ChannelConfiguration?
            do {
                one = try ChannelConfiguration(input: [1] + x.dropFirst(), weight: weight, operation: shape.operation, groups: groups)
            } catch {
                throw .arithmetic(error)
            }
            try WorkLimit.current.check(one.flatMap { $0.multiplyAdds(of: shape) }.map { $0 / max(workScale, 1) })
        }
        self.groups = groups
        try Self.expect("x", x, shapes.x)
        if let weight, let expected = shapes.weight { try Self.expect("w", weight, expected) }
        if let bias, let expected = shapes.bias { try Self.expect("b", bias, expected) }
        _ = try MemoryLimit.current.check(shapes.y)
    }

    /// Why no kernel reproduces a layer of `shape`, or `nil`: MLX's crop of whole input units before the
    /// input dilation (a negative p' with s > 1) is not the stretched-input arithmetic the kernels follow.
    static func unreproducible(_ shape: LayerShape) -> KernelError? {
        guard shape.operation == .transposedConvolution && shape.slicesWholeInputUnits else { return nil }
        return .unsupported("\(shape.convention.displayName) crops whole input units before inserting the s − 1 zeros when p > k̂ − 1 (a negative p'), which the kernels do not reproduce; use padding ≤ k̂ − 1 or another convention")
    }

    /// The core's tensor shapes, its refusals as kernel errors.
    static func shapes(of shape: LayerShape, _ configuration: ChannelConfiguration) throws(KernelError) -> TensorShapes {
        do {
            return try configuration.tensorShapes(of: shape)
        } catch {
            throw .arithmetic(error)
        }
    }

    /// Refuses a tensor whose shape is not the layer's.
    static func expect(_ name: String, _ actual: [Int], _ expected: [Int]) throws(KernelError) {
        guard actual == expected else {
            throw .shapeMismatch(tensor: name, expected: "[" + expected.map(String.init).joined(separator: ", ") + "]", actual: actual)
        }
    }
}
