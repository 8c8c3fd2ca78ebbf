import ArgumentParser
import ConvArithmetic
import ConvEval
import ConvKernels

/// `convarith verify`: every formulation on random data, and how far apart they are.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Run every formulation on random tensors and print the largest disagreement per pair.",
        discussion: helpText("""
            For a transposed convolution: the reference loops against Cᵀ·x, the stride-1 convolution over the
            stretched input, and the backward-data pass of its associated convolution. For a convolution: the
            reference against C·x, the adjoint identity ⟨Cx, y⟩ = ⟨x, Cᵀy⟩, and backward-data against the
            transposed convolution. Exit status 1 when any relative disagreement exceeds --tolerance.

            Examples:
              convarith verify transposed -i 3x3 -k 3 -s 2 -p 1 -a 1 -c 2 -o 3
              convarith verify conv -i 7x7 -k 3 -s 2 -p 1 -d 2 -c 4 -o 4 -g 2
              convarith verify --sweep 200 --seed 7
            """)
    )

    @Argument(help: "The layer: conv or transposed (omit with --sweep).") var operation: Operation?
    @Option(name: [.short, .long], parsing: .unconditional, help: "Spatial input sizes.") var input: AxisList?
    @Option(name: [.short, .long], parsing: .unconditional, help: "Kernel size.") var kernel: AxisList?
    @Option(name: [.short, .long], parsing: .unconditional, help: "Stride.") var stride: AxisList?
    @Option(name: [.short, .long], parsing: .unconditional, help: "Padding.") var padding: PaddingArgument?
    @Option(name: [.short, .long], parsing: .unconditional, help: "Dilation.") var dilation: AxisList?
    @Option(name: [.customShort("a"), .long], parsing: .unconditional, help: "Output padding.") var outputPadding: AxisList?
    @Option(name: .long, help: ArgumentHelp("Whose rules: \(Convention.helpList).", valueName: "convention")) var convention: Convention = .pytorch
    @Option(name: [.short, .long], parsing: .unconditional, help: "Input channels.") var channels: Int = 1
    @Option(name: [.customShort("o"), .long], parsing: .unconditional, help: "Output channels (default: input channels).") var outChannels: Int?
    @Option(name: [.short, .long], parsing: .unconditional, help: "Groups.") var groups: Int = 1
    @Option(name: [.short, .long], parsing: .unconditional, help: "Batch.") var batch: Int = 1
    @Option(parsing: .unconditional, help: "Random parameter sets to check instead of one layer.") var sweep: Int?
    @Option(parsing: .unconditional, help: "Seed for the random tensors and parameters.") var seed: UInt64 = 1
    @Option(parsing: .unconditional, help: "Largest relative disagreement accepted.") var tolerance: Float = 1e-4
    @OptionGroup var format: OutputFormatOptions

    func validate() throws {
        if let sweep, !(1...10_000).contains(sweep) { throw ValidationError("--sweep must be 1…10000 layers, got \(sweep)") }
        guard tolerance.isFinite, tolerance >= 0 else { throw ValidationError("--tolerance must be a finite number ≥ 0, got \(tolerance)") }
        for (name, value) in [("--channels", channels), ("--groups", groups), ("--batch", batch), ("--out-channels", outChannels ?? 1)] where !(1...4096).contains(value) {
            throw ValidationError("\(name) must be 1…4096, got \(value)")
        }
        if operation == .pooling { throw ValidationError("pooling has a single formulation; verify compares conv and transposed layers") }
        if sweep == nil && (operation == nil || input == nil || kernel == nil) {
            throw ValidationError("give a layer (conv or transposed with --input and --kernel) or --sweep N")
        }
    }

    func run() throws {
        if let sweep {
            try runSweep(count: sweep)
            return
        }
        guard let operation, let input, let kernel else {
            throw ValidationError("give a layer (conv or transposed with --input and --kernel) or --sweep N")
        }
        let parameters = LayerParameters(operation: operation, input: input.values, kernel: kernel.values, stride: stride?.values,
                                         padding: padding?.padding, dilation: dilation?.values,
                                         outputPadding: outputPadding?.values, convention: convention)
        let shape = try exitingOnError { () throws(ArithmeticError) in try Layer(parameters).shape }
        let configuration = ChannelConfiguration(batch: batch, channels: channels, outputChannels: outChannels, groups: groups)
        let comparisons = try exitingOnError { () throws(KernelError) in try Verification.compare(shape, channels: configuration, seed: seed) }
        report(comparisons, title: "\(shape.name) \(sizes(shape.input)) → \(sizes(shape.output))")
        if comparisons.contains(where: { $0.relative > tolerance }) { throw ExitCode(1) }
    }

    private func report(_ comparisons: [Verification.Comparison], title: String) {
        if format.json {
            print(JSONWriter.string(.object([("layer", .string(title)), ("comparisons", .array(comparisons.map {
                .object([("pair", .string($0.pair)), ("absolute", .number(Double($0.absolute), text: $0.absolute.description)),
                         ("relative", .number(Double($0.relative), text: $0.relative.description))])
            }))])))
            return
        }
        print(title)
        for comparison in comparisons {
            let verdict = comparison.relative <= tolerance ? "agree" : "DISAGREE"
            print("  \(comparison.pair): max |Δ| = \(comparison.absolute) (relative \(comparison.relative)) — \(verdict)")
        }
    }

    private func runSweep(count: Int) throws {
        var rng = SplitMix64(state: seed)
        var worst: [String: Float] = [:]
        var checked = 0, skipped = 0
        let progress = ProgressLine(total: count, label: "verify")
        // Parameter sets the convention refuses are drawn again, so `count` layers are checked.
        var index = 0
        while checked < count && index < 20 * count {
            defer { index += 1 }
            progress.update(checked)
            let rank = Int.random(in: 1...3, using: &rng)
            let kernel = (0..<rank).map { _ in Int.random(in: 1...4, using: &rng) }
            let stride = (0..<rank).map { _ in Int.random(in: 1...3, using: &rng) }
            let dilation = (0..<rank).map { _ in Int.random(in: 1...2, using: &rng) }
            let padding = (0..<rank).map { _ in Int.random(in: 0...2, using: &rng) }
            let input = (0..<rank).map { _ in Int.random(in: 1...(rank == 3 ? 4 : 7), using: &rng) }
            let transposed = Bool.random(using: &rng)
            let groups = Int.random(in: 1...2, using: &rng)
            let shape: LayerShape
            do {
                if transposed {
                    let outputPadding = (0..<rank).map { Int.random(in: 0..<max(stride[$0], dilation[$0]), using: &rng) }
                    shape = try TransposedConvolutionSpec(kernel: kernel, stride: stride, padding: .symmetric(padding), dilation: dilation,
                                                          outputPadding: outputPadding).shape(input: input)
                } else {
                    shape = try ConvolutionSpec(kernel: kernel, stride: stride, padding: .symmetric(padding), dilation: dilation).shape(input: input)
                }
            } catch {
                skipped += 1
                continue
            }
            let configuration = ChannelConfiguration(batch: Int.random(in: 1...2, using: &rng), channels: groups * Int.random(in: 1...2, using: &rng),
                                                     outputChannels: groups * Int.random(in: 1...2, using: &rng), groups: groups)
            let comparisons = try exitingOnError { () throws(KernelError) in
                try Verification.compare(shape, channels: configuration, seed: seed &+ UInt64(index))
            }
            checked += 1
            for comparison in comparisons { worst[comparison.pair] = max(worst[comparison.pair] ?? 0, comparison.relative) }
        }
        progress.update(count)
        let pairs = worst.keys.sorted()
        if format.json {
            print(JSONWriter.string(.object([("checked", .integer(checked)), ("skipped", .integer(skipped)), ("worst_relative", .object(pairs.map {
                ($0, .number(Double(worst[$0]!), text: worst[$0]!.description))
            }))])))
        } else {
            print("\(checked) random layers checked (\(skipped) parameter sets the convention refuses were drawn again); largest relative disagreement per pair:")
            for pair in pairs { print("  \(pair): \(worst[pair]!) — \(worst[pair]! <= tolerance ? "agree" : "DISAGREE")") }
        }
        if worst.values.contains(where: { $0 > tolerance }) { throw ExitCode(1) }
    }
}
