/// Every multiply-add of a grouped convolution, as flat offsets into `x` `[N, C_in, i…]`, `w`
/// `[C_out, C_in/groups, k…]` and `y` `[N, C_out, o…]`: for each window, sample, output channel, input
/// channel of its group and tap that reads the input (not the padding). The forward convolution sums
/// `w·x` into `y`; its gradients accumulate the same products the other way.
struct ConvolutionProducts {
    let walk: WindowWalk
    let batch: Int
    let inputChannels: Int
    let outputChannels: Int
    let groups: Int

    func forEach(_ body: (_ x: Int, _ w: Int, _ y: Int) -> Void) {
        let inGroup = inputChannels / groups, outGroup = outputChannels / groups
        let inputCount = walk.inputCount, outputCount = walk.outputCount, tapCount = walk.tapCount
        walk.forEachWindow { output, taps in
            for n in 0..<batch {
                for oc in 0..<outputChannels {
                    let y = (n * outputChannels + oc) * outputCount + output
                    let group = oc / outGroup
                    for c in 0..<inGroup {
                        let xBase = (n * inputChannels + group * inGroup + c) * inputCount
                        let wBase = (oc * inGroup + c) * tapCount
                        for tap in taps {
                            guard let input = tap.input else { continue }
                            body(xBase + input, wBase + tap.tap, y)
                        }
                    }
                }
            }
        }
    }
}
