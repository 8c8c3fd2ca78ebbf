import ConvArithmetic

/// A convolution as the sparse matrix C of the paper's section 4.1 (the seed's Figure 2.3): with input
/// and output unrolled row-major (channel, then spatial), `y = C·x`, and the transposed convolution is
/// `Cᵀ·y`. Stored in compressed sparse rows; each non-zero is one kernel weight.
public struct ConvolutionMatrix: Sendable, Hashable {
    /// `C_out × o₁ × o₂ …`.
    public let rows: Int
    /// `C_in × i₁ × i₂ …`.
    public let columns: Int
    /// Where each row's entries start in ``columnIndices`` (``rows`` + 1 entries).
    public let rowStarts: [Int]
    /// The column of each non-zero.
    public let columnIndices: [Int]
    /// The flat index, in the weight tensor `[C_out, C_in/groups, k…]`, of each non-zero.
    public let weightIndices: [Int]
    /// The kernel's spatial sizes (to name taps).
    public let kernel: [Int]
    /// Output and input channels.
    public let outputChannels: Int, inputChannels: Int, groups: Int

    /// The structure of C for a convolution shape and channel counts.
    /// - Throws: ``KernelError`` for a shape that is not a convolution's or channels that do not divide.
    public init(shape: LayerShape, inputChannels: Int = 1, outputChannels: Int = 1, groups: Int = 1) throws(KernelError) {
        guard shape.operation == .convolution else { throw .unsupported("C is defined for a convolution, got \(shape.name)") }
        _ = try LayerTensors.shapes(of: shape, ChannelConfiguration(batch: 1, channels: inputChannels, outputChannels: outputChannels, groups: groups))
        // Every count is checked before it is multiplied.
        _ = try MemoryLimit.current.check([outputChannels] + shape.output)
        _ = try MemoryLimit.current.check([inputChannels] + shape.input)
        _ = try MemoryLimit.current.check([outputChannels, inputChannels / groups] + shape.axes.map(\.kernel))
        let walk = shape.windowWalk
        let outputCount = walk.outputCount, inputCount = walk.inputCount, tapCount = walk.tapCount
        let inGroup = inputChannels / groups, outGroup = outputChannels / groups
        rows = outputChannels * outputCount
        columns = inputChannels * inputCount
        // Each stored entry is two Ints (column and weight index); each window keeps its taps while C is built.
        _ = try MemoryLimit.current.check([rows, inGroup, tapCount], bytesPerElement: 2 * MemoryLayout<Int>.stride)
        _ = try MemoryLimit.current.check([outputCount, tapCount], bytesPerElement: MemoryLayout<WindowWalk.Tap>.stride)
        try WorkLimit.current.check(MemoryLimit.elementCount([rows, inGroup, tapCount]))
        var windows = [[WindowWalk.Tap]](repeating: [], count: outputCount)
        walk.forEachWindow { output, taps in windows[output] = taps.filter { $0.input != nil } }
        var starts = [0], columnsOut: [Int] = [], weights: [Int] = []
        for oc in 0..<outputChannels {
            let group = oc / outGroup
            for output in 0..<outputCount {
                // Columns in increasing order: channel-major, then spatial.
                for c in 0..<inGroup {
                    let channel = group * inGroup + c
                    for tap in windows[output].sorted(by: { $0.input! < $1.input! }) {
                        columnsOut.append(channel * inputCount + tap.input!)
                        weights.append((oc * inGroup + c) * tapCount + tap.tap)
                    }
                }
                starts.append(columnsOut.count)
            }
        }
        rowStarts = starts
        columnIndices = columnsOut
        weightIndices = weights
        kernel = shape.axes.map(\.kernel)
        self.outputChannels = outputChannels
        self.inputChannels = inputChannels
        self.groups = groups
    }

    /// The number of stored non-zeros.
    public var nonZeroCount: Int { columnIndices.count }

    /// `C·x` for one unrolled input (length ``columns``) with weights `weight`.
    public func multiply(_ x: ArraySlice<Float>, weight: [Float]) -> [Float] {
        var y = [Float](repeating: 0, count: rows)
        let base = x.startIndex
        for row in 0..<rows {
            var sum: Float = 0
            for entry in rowStarts[row]..<rowStarts[row + 1] {
                sum += weight[weightIndices[entry]] * x[base + columnIndices[entry]]
            }
            y[row] = sum
        }
        return y
    }

    /// `Cᵀ·y` for one unrolled output (length ``rows``) with weights `weight`.
    public func multiplyTransposed(_ y: ArraySlice<Float>, weight: [Float]) -> [Float] {
        var x = [Float](repeating: 0, count: columns)
        let base = y.startIndex
        for row in 0..<rows {
            let value = y[base + row]
            for entry in rowStarts[row]..<rowStarts[row + 1] {
                x[columnIndices[entry]] += weight[weightIndices[entry]] * value
            }
        }
        return x
    }

    /// C as a dense matrix of weights.
    public func dense(weight: [Float]) -> [[Float]] {
        var matrix = [[Float]](repeating: [Float](repeating: 0, count: columns), count: rows)
        for row in 0..<rows {
            for entry in rowStarts[row]..<rowStarts[row + 1] { matrix[row][columnIndices[entry]] = weight[weightIndices[entry]] }
        }
        return matrix
    }

    /// C with symbolic entries as the paper prints it: `w₀,₀` … for the tap at kernel row 0, column 0
    /// (with `[o,c]` channel indices in front when there is more than one channel), `0` elsewhere.
    public func symbolic() -> [[String]] {
        var matrix = [[String]](repeating: [String](repeating: "0", count: columns), count: rows)
        let tapCount = kernel.reduce(1, *), inGroup = inputChannels / groups
        for row in 0..<rows {
            for entry in rowStarts[row]..<rowStarts[row + 1] {
                let flat = weightIndices[entry]
                var tap = flat % tapCount
                var coordinates = [Int](repeating: 0, count: kernel.count)
                for axis in kernel.indices.reversed() {
                    coordinates[axis] = tap % kernel[axis]
                    tap /= kernel[axis]
                }
                var label = "w" + coordinates.map(Self.subscripted).joined(separator: ",")
                if outputChannels > 1 || inputChannels > 1 {
                    label = "w[\(flat / tapCount / inGroup),\(flat / tapCount % inGroup)]" + coordinates.map(Self.subscripted).joined(separator: ",")
                }
                matrix[row][columnIndices[entry]] = label
            }
        }
        return matrix
    }

    private static func subscripted(_ number: Int) -> String {
        let digits: [Character] = ["₀", "₁", "₂", "₃", "₄", "₅", "₆", "₇", "₈", "₉"]
        return String(String(number).map { digits[Int(String($0))!] })
    }

    // MARK: Running layers through C

    /// A convolution computed as `y = C·x + b`, sample by sample.
    public static func convolution(_ x: Tensor, weight: Tensor, bias: Tensor?, shape: LayerShape,
                                   groups: Int) throws(KernelError) -> Tensor {
        let layout = try LayerTensors(shape: shape, x: x, weight: weight, bias: bias, groups: groups)
        let matrix = try ConvolutionMatrix(shape: shape, inputChannels: layout.inputChannels,
                                           outputChannels: layout.outputChannels, groups: groups)
        return perSample(x, samples: layout.batch, size: matrix.columns, outputShape: layout.outputShape, bias: bias) {
            matrix.multiply($0, weight: weight.data)
        }
    }

    /// A transposed convolution computed as `Cᵀ·x + b`, where C is the matrix of its associated
    /// convolution — whose weight tensor `[C_in, C_out/groups, k…]` is the transposed layer's, unchanged.
    public static func transposedConvolution(_ x: Tensor, weight: Tensor, bias: Tensor?, shape: LayerShape,
                                             groups: Int) throws(KernelError) -> Tensor {
        let layout = try LayerTensors(shape: shape, x: x, weight: weight, bias: bias, groups: groups)
        guard let associated = shape.associated else { throw .unsupported("no associated convolution") }
        let matrix = try ConvolutionMatrix(shape: associated, inputChannels: layout.outputChannels,
                                           outputChannels: layout.inputChannels, groups: groups)
        return perSample(x, samples: layout.batch, size: matrix.rows, outputShape: layout.outputShape, bias: bias) {
            matrix.multiplyTransposed($0, weight: weight.data)
        }
    }

    /// Applies `product` to each sample of `x` (`size` values each) and adds the bias per output channel.
    private static func perSample(_ x: Tensor, samples: Int, size: Int, outputShape: [Int], bias: Tensor?,
                                  _ product: (ArraySlice<Float>) -> [Float]) -> Tensor {
        let outputCount = outputShape.dropFirst(2).reduce(1, *)
        var y: [Float] = []
        y.reserveCapacity(outputShape.reduce(1, *))
        for n in 0..<samples {
            var sample = product(x.data[(n * size)..<((n + 1) * size)])
            if let bias { for index in sample.indices { sample[index] += bias.data[index / outputCount] } }
            y += sample
        }
        return Tensor(uncheckedShape: outputShape, data: y)
    }
}
