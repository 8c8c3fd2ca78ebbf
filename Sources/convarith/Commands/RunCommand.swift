import ArgumentParser
import ConvArithmetic
import ConvEval
import ConvKernels
import Foundation

/// `convarith run`: a layer on `.npy` tensors.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a convolution, transposed convolution or pooling on .npy tensors.",
        discussion: helpText("""
            x is [N, C, spatial…]; convolution weights are [C_out, C_in/groups, k…], transposed weights
            [C_in, C_out/groups, k…] (PyTorch and ONNX layout). The kernel size comes from the weight unless
            -k is given (pooling needs -k). Sizes follow the chosen convention exactly.

            Examples:
              convarith run conv --x x.npy --w w.npy --b b.npy -s 2 -p 1 --out y.npy
              convarith run transposed --x y.npy --w w.npy -s 2 --out x.npy --impl matrix
              convarith run pool --x x.npy -k 3 -s 2 --mode avg --out y.npy
            """)
    )

    @OptionGroup var layer: WindowOptions
    @OptionGroup var rules: ConventionOption

    @Option(name: .customLong("x"), help: "Input tensor (.npy).") var inputPath: String
    @Option(name: .customLong("w"), help: "Weight tensor (.npy).") var weightPath: String?
    @Option(name: .customLong("b"), help: "Bias tensor (.npy).") var biasPath: String?
    @Option(name: .long, help: "Where to write y (.npy); - for standard output (the summary then goes to standard error).") var out: String
    @Option(name: .long, help: "Formulation: fast (default), reference, matrix or stretched.") var impl: Formulations.Kind = .fast
    @Flag(name: .long, help: "Also print the output shape as JSON.") var json = false
    @Flag(name: .long, help: "Say on standard error how the fast path computes the layer (its plan: path, C kernel, threads).") var verbose = false

    func validate() throws {
        if layer.operation == .pooling && (weightPath != nil || biasPath != nil) {
            throw ValidationError("pooling takes no weight or bias; leave out --w and --b")
        }
    }

    func run() throws {
        // The headers first: every shape is checked against the layer before any data is read.
        let xFile = try NPYInputFile(path: inputPath)
        let weightFile = try weightPath.map(NPYInputFile.init)
        let biasFile = try biasPath.map(NPYInputFile.init)
        let xShape = xFile.header.shape
        guard xShape.count >= 3 else {
            printError("error: x has shape \(xShape); it needs [N, C, spatial…] with at least one spatial axis")
            throw ExitCode(1)
        }
        let kernel = weightFile.map { Array($0.header.shape.dropFirst(2)) }
        let result = EvalResult(layer: try layer.resolve(input: Array(xShape.dropFirst(2)), kernel: kernel, convention: rules.convention))
        try exitingOnError { () throws(KernelError) in
            try Formulations.check(result.layer, x: xShape, weight: weightFile?.header.shape, bias: biasFile?.header.shape, kind: impl)
        }
        if verbose, impl == .fast {
            let plan = try exitingOnError { () throws(KernelError) -> String in
                guard result.layer.shape.operation != .pooling, let weightShape = weightFile?.header.shape else {
                    let path = FastKernels.poolingPath(shape: result.layer.shape, mode: result.layer.poolingMode,
                                                      planes: xShape.prefix(2).reduce(1, *))
                    return "\(path) (\(path.kernel(on: .current)))"
                }
                return try FastKernels.plan(shape: result.layer.shape, input: xShape, weight: weightShape, bias: biasFile?.header.shape,
                                            groups: result.layer.groups).description
            }
            printError("plan: \(plan)")
        }
        let x = try xFile.tensor()
        let weight = try weightFile?.tensor()
        let bias = try biasFile?.tensor()
        let y = try exitingOnError { () throws(KernelError) in
            try Formulations.run(result.layer, x: x, weight: weight, bias: bias, kind: impl)
        }
        // The writer every file output uses: its messages name the system's reason ("Is a directory"). `-` is
        // standard output, which then carries the .npy alone.
        let toStandardOutput = out == "-"
        var file = try OutputFile(path: toStandardOutput ? nil : out)
        // The header, then the output's own memory: no second copy of a large output.
        try file.write(NPY.header(shape: y.shape))
        try NPY.withDataChunks(of: y) { chunk in try file.write(chunk) }
        try file.close()
        let summary = json
            ? JSONWriter.string(.object([("output_shape", .array(y.shape.map(JSONValue.integer))), ("path", .string(out))]))
            : "\(result.shape.name) (\(result.shape.convention.displayName), \(impl.rawValue)): x \(x.shape) → y \(y.shape), "
                + "written to \(toStandardOutput ? "standard output" : out)"
        if toStandardOutput { printError(summary) } else { print(summary) }
    }
}
