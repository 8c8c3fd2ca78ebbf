/// Operators whose output sizes come from an attribute, a second input's shape or a small value rather
/// than from a window: regions of interest (`RoiAlign`, `MaxRoiPool`), sampling grids (`GridSample`,
/// `AffineGrid`), `MaxUnpool`, `CenterCropPad`, `OneHot`, and the random generators with a `shape`.
extension ONNXOperator {
    /// The operators ``region(_:)`` knows.
    static let regionOperators: Set<String> = [
        "RoiAlign", "MaxRoiPool", "GridSample", "AffineGrid", "MaxUnpool", "CenterCropPad", "OneHot", "RandomNormal", "RandomUniform",
        "Multinomial",
    ]

    func region(_ inputs: [ONNXValue?]) throws(NetworkError) -> ONNXOutput {
        func input(_ index: Int) throws(NetworkError) -> ONNXValue {
            guard index < inputs.count, let value = inputs[index] else { throw .layer("\(type) needs input \(index + 1)") }
            return value
        }
        func values(_ index: Int, _ what: String) throws(NetworkError) -> [Int] {
            guard let known = try input(index).integers else {
                throw .unknownValues("\(type)'s \(what) is computed at run time from tensor values this analysis does not follow")
            }
            return known
        }
        switch type {
        case "RandomNormal", "RandomUniform":
            guard let shape = attributes.integers("shape"), shape.allSatisfy({ $0 >= 0 }) else { throw .layer("\(type) needs a shape") }
            return ONNXOutput(shape: shape)
        default:
            break
        }
        let x = try input(0)
        switch type {
        case "RoiAlign", "MaxRoiPool":
            let rois = try input(1)
            guard x.shape.count >= 3, rois.shape.count == 2 else {
                throw .layer("\(type): X \(ShapeText.brackets(x.shape)) and rois \(ShapeText.brackets(rois.shape)) must be [N, C, spatial…] and [rois, coordinates]")
            }
            let spatial = type == "RoiAlign" ? [attributes.integer("output_height") ?? 1, attributes.integer("output_width") ?? 1]
                : attributes.integers("pooled_shape") ?? []
            guard spatial.count == x.shape.count - 2, spatial.allSatisfy({ $0 >= 1 }) else { throw .layer("\(type): the pooled size \(spatial) does not fit \(ShapeText.brackets(x.shape))") }
            return ONNXOutput(shape: [rois.shape[0], x.shape[1]] + spatial)
        case "GridSample":
            let grid = try input(1)
            guard x.shape.count >= 3, grid.shape.count == x.shape.count, grid.shape.first == x.shape.first, grid.shape.last == x.shape.count - 2 else {
                throw .layer("GridSample: the grid \(ShapeText.brackets(grid.shape)) must be [N, out…, \(x.shape.count - 2)] for X \(ShapeText.brackets(x.shape))")
            }
            return ONNXOutput(shape: Array(x.shape.prefix(2)) + Array(grid.shape.dropFirst().dropLast()))
        case "AffineGrid":
            let size = try values(1, "size")
            guard size.count == 4 || size.count == 5, size.allSatisfy({ $0 >= 0 }), x.shape.count == 3 else {
                throw .layer("AffineGrid: size \(size) must be [N, C, H, W] or [N, C, D, H, W] of sizes 0 or more")
            }
            return ONNXOutput(shape: [size[0]] + Array(size.dropFirst(2)) + [size.count - 2])
        case "MaxUnpool":
            if inputs.count > 2, inputs[2] != nil {
                let shape = try values(2, "output_shape")
                guard shape.count == x.shape.count, shape.allSatisfy({ $0 >= 0 }) else {
                    throw .layer("MaxUnpool: output_shape \(ShapeText.brackets(shape)) must give a size of 0 or more to each of the \(x.shape.count) axes")
                }
                return ONNXOutput(shape: shape)
            }
            guard let kernel = attributes.integers("kernel_shape"), kernel.count == x.shape.count - 2 else {
                throw .layer("MaxUnpool needs a kernel_shape per spatial axis of \(ShapeText.brackets(x.shape))")
            }
            let strides = attributes.integers("strides") ?? Array(repeating: 1, count: kernel.count)
            let pads = attributes.integers("pads") ?? Array(repeating: 0, count: 2 * kernel.count)
            guard strides.count == kernel.count, pads.count == 2 * kernel.count else { throw .layer("MaxUnpool: strides or pads do not match the kernel") }
            var shape = Array(x.shape.prefix(2))
            for axis in kernel.indices {
                // (i − 1)·s − p_begin − p_end + k, the size the MaxPool it undoes read.
                let padded = try ShapeRules.add(try ShapeRules.multiply(x.shape[axis + 2] - 1, strides[axis], "the unpooled size"), kernel[axis], "the unpooled size")
                let size = try ShapeRules.add(padded, try ShapeRules.multiply(-1, try ShapeRules.add(pads[axis], pads[axis + kernel.count], "the pads"), "the pads"), "the unpooled size")
                guard size >= 0 else { throw .layer("MaxUnpool: axis \(axis) gives no valid size") }
                shape.append(size)
            }
            return ONNXOutput(shape: shape)
        case "CenterCropPad":
            let target = try values(1, "shape")
            let axes = attributes.integers("axes") ?? Array(0..<x.shape.count)
            guard target.count == axes.count, target.allSatisfy({ $0 >= 0 }) else { throw .layer("CenterCropPad: shape \(target) does not name one size per axis \(axes)") }
            var shape = x.shape
            for (size, value) in zip(target, axes) {
                shape[try position(of: value, rank: x.shape.count, in: x.shape)] = size
            }
            return ONNXOutput(shape: shape)
        case "OneHot":
            let depth = try input(1)
            guard let count = depth.integers?.first ?? depth.reals.flatMap({ $0.first.flatMap(ONNXNumbers.truncated) }) else {
                throw .unknownValues("OneHot's depth is computed at run time from tensor values this analysis does not follow")
            }
            // The new axis counts among the output's axes, one more than the indices have.
            let axis = try position(of: attributes.integer("axis") ?? -1, rank: x.shape.count + 1, in: x.shape)
            guard count >= 0 else { throw .layer("OneHot: a depth of \(count)") }
            var shape = x.shape
            shape.insert(count, at: axis)
            return ONNXOutput(shape: shape)
        case "Multinomial":
            guard x.shape.count == 2 else { throw .layer("Multinomial needs [batch, classes], got \(ShapeText.brackets(x.shape))") }
            let samples = attributes.integer("sample_size") ?? 1
            guard samples >= 1 else { throw .layer("Multinomial: sample_size \(samples) must be at least 1") }
            return ONNXOutput(shape: [x.shape[0], samples])
        default:
            throw .layer("\(type) has no rule")
        }
    }
}
