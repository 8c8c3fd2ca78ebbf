import ArgumentParser
import ConvArithmetic
import ConvEval
import ConvKernels

extension Operation: ExpressibleByArgument {
    public init?(argument: String) {
        guard let operation = OptionSpelling.operation(argument) else { return nil }
        self = operation
    }

    /// The spellings shown in help.
    public static var allValueStrings: [String] { ["conv", "pool", "transposed"] }
}

extension Convention: ExpressibleByArgument {
    public init?(argument: String) { self.init(name: argument) }

    /// The names shown in help, generated from the list of conventions.
    public static var allValueStrings: [String] { all.map(\.name) }

    /// `pytorch (default), onnx, tensorflow, jax or mlx` for option help.
    static var helpList: String { namesInWords }
}

extension PoolingMode: ExpressibleByArgument {}

extension Formulations.Kind: ExpressibleByArgument {}

/// Per-axis sizes written `224x224`, `224,224` or `224` (one value for every axis).
struct AxisList: ExpressibleByArgument, Sendable {
    let values: [Int]

    init?(argument: String) {
        guard let values = OptionSpelling.sizes(argument) else { return nil }
        self.values = values
    }
}

/// A padding written as a number (`1`), per axis (`1x2`), per side (`0:1` = 0 before, 1 after; `0:1x1`),
/// or by name (`same`, `valid`, `same_lower`, `half`, `full`, `causal`).
struct PaddingArgument: ExpressibleByArgument, Sendable {
    let padding: Padding

    init?(argument: String) {
        guard let padding = OptionSpelling.padding(argument) else { return nil }
        self.padding = padding
    }
}

/// The window of a layer — operation, kernel, stride, padding, dilation, output padding, pooling options,
/// convention and groups — spelled the same way by every subcommand.
struct WindowOptions: ParsableArguments {
    @Argument(help: "The layer: conv, pool or transposed.")
    var operation: Operation

    @Option(name: [.short, .long], parsing: .unconditional, help: "Kernel size: 3 (every axis) or 3x5.")
    var kernel: AxisList?

    @Option(name: [.short, .long], parsing: .unconditional, help: "Stride (default 1; pooling: the kernel, ONNX 1).")
    var stride: AxisList?

    @Option(name: [.short, .long], parsing: .unconditional, help: "Padding: 1, 1x2, 0:1 (before:after), -1 (a crop, JAX/MLX), or valid, same, same_lower, half, full, causal.")
    var padding: PaddingArgument?

    @Option(name: [.short, .long], parsing: .unconditional, help: "Dilation (default 1).")
    var dilation: AxisList?

    @Option(name: [.customShort("a"), .long], parsing: .unconditional, help: "Output padding of a transposed convolution (default 0; TensorFlow: Keras's None).")
    var outputPadding: AxisList?

    @Option(name: .long, parsing: .unconditional, help: "Requested output size of a transposed convolution (solves for the output padding).")
    var outputSize: AxisList?

    @Flag(name: .long, help: "Pooling: round the number of windows up (ceil_mode).")
    var ceilMode = false

    @Option(name: .long, help: "Pooling mode: max or avg.")
    var mode: PoolingMode = .max

    @Option(name: .long, help: ArgumentHelp("Average pooling: whether padding counts in the divisor, true or false (default: the convention's).",
                                            valueName: "bool"))
    var countIncludePad: Bool?

    @Option(name: [.short, .long], parsing: .unconditional, help: "Channel groups.")
    var groups: Int?

    /// The options given that this operation does not read, each with a note on standard error: an option
    /// silently ignored reads as one that took effect.
    func noteIgnoredOptions(channels: ChannelOptions?) {
        var ignored: [String] = []
        if operation != .pooling {
            if ceilMode { ignored.append("--ceil-mode (pooling only)") }
            if mode != .max { ignored.append("--mode (pooling only)") }
        }
        if countIncludePad != nil && !(operation == .pooling && mode == .average) {
            ignored.append("--count-include-pad (average pooling only)")
        }
        if operation != .transposedConvolution {
            if outputPadding != nil { ignored.append("--output-padding (transposed convolution only)") }
            if outputSize != nil { ignored.append("--output-size (transposed convolution only)") }
        }
        if operation == .pooling, groups != nil { ignored.append("--groups (convolutions only)") }
        if let channels, channels.channels == nil {
            let both = "without -c/--channels (give both for the tensor shapes)"
            if channels.outChannels != nil { ignored.append("-o/--out-channels \(both)") }
            if channels.batch != nil { ignored.append("-b/--batch \(both)") }
            if groups != nil && operation != .pooling { ignored.append("-g/--groups \(both)") }
        }
        for option in ignored { printError("note: \(option) is ignored for this layer") }
    }

    /// The layer description for an input of `input` spatial sizes.
    func parameters(input: [Int], kernel kernelOverride: [Int]? = nil, channels: ChannelOptions? = nil,
                    convention: Convention) throws -> LayerParameters {
        noteIgnoredOptions(channels: channels)
        guard let kernel = kernel?.values ?? kernelOverride else { throw ValidationError("Missing expected argument '--kernel <kernel>'") }
        return LayerParameters(operation: operation, input: input, kernel: kernel, stride: stride?.values,
                               padding: padding?.padding, dilation: dilation?.values, outputPadding: outputPadding?.values,
                               outputSize: outputSize?.values, ceilMode: ceilMode, poolingMode: mode, countIncludePad: countIncludePad, convention: convention,
                               batch: channels?.batch, channels: channels?.channels, outputChannels: channels?.outChannels, groups: groups)
    }

    /// Resolves the layer for `input`, turning an arithmetic error into a message on stderr and exit status 1.
    func resolve(input: [Int], kernel kernelOverride: [Int]? = nil, channels: ChannelOptions? = nil,
                 convention: Convention) throws -> Layer {
        let parameters = try parameters(input: input, kernel: kernelOverride, channels: channels, convention: convention)
        return try exitingOnError { () throws(ArithmeticError) in try Layer(parameters) }
    }
}

/// `--convention`: whose rules decide the sizes (every command that decides a size; `translate` says
/// `--from` and `--to` instead).
struct ConventionOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Whose rules: \(Convention.helpList).", valueName: "convention"))
    var convention: Convention = .pytorch
}

/// `-i`: the spatial input sizes.
struct InputOption: ParsableArguments {
    @Option(name: [.short, .long], parsing: .unconditional, help: "Spatial input sizes, e.g. 224x224 (the transposed convolution's i').")
    var input: AxisList

    /// The sizes.
    func values() -> [Int] { input.values }
}

/// `-c`, `-o`, `-b`: channels for full tensor shapes.
struct ChannelOptions: ParsableArguments {
    @Option(name: [.short, .long], parsing: .unconditional, help: "Input channels (then the full tensor shape is shown).")
    var channels: Int?

    @Option(name: [.customShort("o"), .long], parsing: .unconditional, help: "Output channels of a convolution.")
    var outChannels: Int?

    @Option(name: [.short, .long], parsing: .unconditional, help: "Batch size (default 1).")
    var batch: Int?
}

/// A whole layer: window, input sizes and channels.
struct LayerOptions: ParsableArguments {
    @OptionGroup var window: WindowOptions
    @OptionGroup var size: InputOption
    @OptionGroup var channelOptions: ChannelOptions
    @OptionGroup var rules: ConventionOption

    var operation: Operation { window.operation }
    var mode: PoolingMode { window.mode }
    var groups: Int? { window.groups }
    var channels: Int? { channelOptions.channels }
    var outChannels: Int? { channelOptions.outChannels }
    var batch: Int? { channelOptions.batch }

    func validate() throws {
        if window.kernel == nil { throw ValidationError("Missing expected argument '--kernel <kernel>'") }
    }

    /// Resolves the layer, turning an arithmetic error into a message on stderr and exit status 1;
    /// `withChannels: false` for a command that reads the channel options itself (the layer gets none, and
    /// none of them is noted as ignored).
    func resolve(withChannels: Bool = true) throws -> Layer {
        try window.resolve(input: size.values(), channels: withChannels ? channelOptions : nil, convention: rules.convention)
    }
}

/// `--json` for scripts.
struct OutputFormatOptions: ParsableArguments {
    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false
}

/// "5×5" for sizes.
func sizes(_ values: [Int]) -> String { values.map(String.init).joined(separator: "×") }

/// Runs `body`; an error is printed to stderr as "error: …" (after `context` and a colon, when given: the
/// workload or file it concerns) and the command exits 1.
func exitingOnError<Value, Failure: Error>(context: String? = nil, _ body: () throws(Failure) -> Value) throws -> Value {
    do {
        return try body()
    } catch {
        printError("error: " + (context.map { "\($0): " } ?? "") + "\(error)")
        throw ExitCode(1)
    }
}

/// A help discussion as written in the source (prose wrapped at any width, examples indented by two
/// spaces) turned into paragraphs the terminal wraps, with every example kept on its own line so it
/// can be pasted.
func helpText(_ text: String) -> String {
    var lines: [String] = []
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
        let isExample = line.hasPrefix("  ") || line.hasPrefix("$ ")
        if !isExample, !line.isEmpty, let last = lines.last, !last.isEmpty, !last.hasPrefix("  "), !last.hasSuffix(":") {
            lines[lines.count - 1] += " " + line
        } else {
            lines.append(String(line))
        }
    }
    return lines.joined(separator: "\n")
}
