import CConvKernels

/// Max pooling's rules that the window kernels do not follow themselves: NaN propagated
/// (``PoolingRules/MaxNaN/propagates``) and +0 above −0 (``PoolingRules/MaxOfZeros/positive``).
///
/// The kernels keep a tap when `v > max`: they pass NaN over, as ONNX Runtime does, and keep the first of
/// equal zeros. For the other rules the driver scans a part's input for NaN (and its output for −0): one
/// streaming read when there is none. A plane that holds one is pooled once more, by the same kernel, over an
/// indicator plane — each NaN's position + 1 (or 1 for each +0), 0 elsewhere and in the padding — so that a
/// window's indicator max says whether it holds one and, for NaN, which: the last in the reference's tap order,
/// whose bits the reference keeps. The cost of a plane with NaN is one more pooling of it, whatever their number.
struct MaxWindowRules {
    /// The geometry of the planes.
    let geometry: Geometry3
    /// The scans for NaN and −0.
    let scans: convarith_float_scans
    /// Whether a window holding a NaN gives NaN.
    let propagatesNaN: Bool
    /// Whether +0 is above −0.
    let positiveZero: Bool

    /// Positions an indicator float holds exactly (2²⁴): beyond them, a NaN output is the default NaN.
    static let exactPositions = 1 << 24

    /// Applies the rules to `planes` planes of `x` and their kernel outputs `y`; `pool(indicator, output)` pools
    /// one indicator plane as the kernel pooled `x` (max, nothing below 0 in the padding).
    func apply(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, planes: Int,
               pool: (UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void) {
        let inputCount = geometry.inputCount, outputCount = geometry.outputCount
        var scratch: [Float] = []
        func withPlanes(_ body: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> Void) {
            if scratch.isEmpty { scratch = FastKernels.uninitialized(inputCount + outputCount) }
            scratch.withUnsafeMutableBufferPointer { buffer in
                guard let base = buffer.baseAddress else { return }
                body(base, base + inputCount)
            }
        }
        if propagatesNaN {
            forEachPlane(holding: { scans.first_nan($0, $1) }, in: x, planeCount: inputCount, planes: planes) { plane in
                let source = x + plane * inputCount, target = y + plane * outputCount
                let exact = inputCount < Self.exactPositions
                withPlanes { indicator, pooled in
                    for index in 0..<inputCount {
                        indicator[index] = source[index].isNaN ? (exact ? Float(index + 1) : 1) : 0
                    }
                    pool(indicator, pooled)
                    for output in 0..<outputCount where pooled[output] > 0 {
                        target[output] = exact ? source[Int(pooled[output]) - 1] : .nan
                    }
                }
            }
        }
        if positiveZero {
            let negativeZero = (-0.0 as Float).bitPattern
            forEachPlane(holding: { scans.first_bits($0, $1, negativeZero) }, in: UnsafePointer(y), planeCount: outputCount,
                         planes: planes) { plane in
                let source = x + plane * inputCount, target = y + plane * outputCount
                withPlanes { indicator, pooled in
                    for index in 0..<inputCount { indicator[index] = source[index].bitPattern == 0 ? 1 : 0 }
                    pool(indicator, pooled)
                    for output in 0..<outputCount where pooled[output] > 0 && target[output].bitPattern == negativeZero {
                        target[output] = 0
                    }
                }
            }
        }
    }

    /// `body(plane)` for each of `planes` planes of `planeCount` floats at `base` in which `find` (a scan:
    /// the index of the first match, or −1) finds a float; one scan for a run of planes without one.
    private func forEachPlane(holding find: (UnsafePointer<Float>, Int64) -> Int64, in base: UnsafePointer<Float>,
                              planeCount: Int, planes: Int, _ body: (Int) -> Void) {
        let count = planes * planeCount
        var from = 0
        while from < count {
            let found = Int(find(base + from, Int64(count - from)))
            guard found >= 0 else { return }
            let plane = (from + found) / planeCount
            body(plane)
            from = (plane + 1) * planeCount
        }
    }
}
