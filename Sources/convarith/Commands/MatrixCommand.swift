import ArgumentParser
import ConvArithmetic
import ConvEval
import ConvKernels
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `convarith matrix`: the sparse matrix C of a convolution, as the paper's Figure 2.3 prints it.
struct MatrixCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "matrix",
        abstract: "Print the matrix C of a convolution (and Cᵀ, the transposed convolution), symbolic or numeric.",
        discussion: helpText("""
            Input and output are unrolled row-major (channel, then rows, then columns), so y = C·x and the
            transposed convolution is Cᵀ·y. For a transposed layer, C is its associated convolution's.

            Examples:
              convarith matrix conv -i 4x4 -k 3                 # the seed's Figure 2.3
              convarith matrix conv -i 5 -k 3 -s 2 -p 1 --transposed
              convarith matrix conv -i 4x4 -k 3 --w w.npy       # numeric entries
              convarith matrix conv -i 4x4 -k 3 --json
            """)
    )

    @OptionGroup var layer: LayerOptions
    @Option(name: .customLong("w"), help: "Weight tensor (.npy) for numeric entries.") var weightPath: String?
    @Option(name: .long, parsing: .unconditional, help: "Columns of text to fit the matrix in, in bands of columns (default: the terminal's; 0: whole rows).")
    var width: Int?
    @Flag(name: .long, help: "Also print the other matrix (Cᵀ for a convolution, C for a transposed convolution).") var transposed = false
    @Flag(name: .long, help: "Print matrices up to 1,000,000 entries (default: at most 4096).") var force = false
    @OptionGroup var format: OutputFormatOptions

    /// The most cells `--force` prints (about a 1000 × 1000 matrix).
    static let forcedCellLimit = 1_000_000

    func validate() throws {
        if layer.operation == .pooling { throw ValidationError("pooling is not linear and has no matrix; use conv or transposed") }
        if let width, !(0...100_000).contains(width) { throw ValidationError("--width must be 0…100000 columns, got \(width)") }
    }

    func run() throws {
        // The channels and groups are read here (1 channel when none is given), not through the layer's tensors.
        let result = EvalResult(layer: try layer.resolve(withChannels: false))
        guard let convolution = result.shape.operation == .transposedConvolution ? result.shape.associated
                : (result.shape.operation == .convolution ? result.shape : nil) else {
            printError("error: pooling is not linear and has no matrix; use conv or transposed")
            throw ExitCode(1)
        }
        let inputChannels = result.shape.operation == .convolution ? (layer.channels ?? 1) : (layer.outChannels ?? layer.channels ?? 1)
        let outputChannels = result.shape.operation == .convolution ? (layer.outChannels ?? layer.channels ?? 1) : (layer.channels ?? 1)
        // Printed densely: every cell is a string, so the size is bounded from the arithmetic before C is built
        // (C_out·Πo rows, C_in·Πi columns).
        let rows = MemoryLimit.elementCount([outputChannels] + convolution.output)
        let columns = MemoryLimit.elementCount([inputChannels] + convolution.input)
        let cellCount = (rows ?? Int.max).multipliedReportingOverflow(by: columns ?? Int.max)
        let limit = force ? Self.forcedCellLimit : 4096
        if rows == nil || columns == nil || cellCount.overflow || cellCount.partialValue > limit {
            let advice = force ? "this is above what can be printed (\(Self.forcedCellLimit) cells); use smaller sizes" : "pass --force to print up to \(Self.forcedCellLimit) cells, or use smaller sizes"
            let size = rows.flatMap { r in columns.map { "\(r)×\($0)" } } ?? "beyond 64-bit sizes"
            printError("error: C is \(size); \(advice)")
            throw ExitCode(1)
        }
        let matrix = try exitingOnError { () throws(KernelError) in
            try ConvolutionMatrix(shape: convolution, inputChannels: inputChannels, outputChannels: outputChannels, groups: layer.groups ?? 1)
        }
        var cells = matrix.symbolic()
        if let weightPath {
            let file = try NPYInputFile(path: weightPath)
            let channels = ChannelConfiguration(channels: inputChannels, outputChannels: outputChannels, groups: layer.groups ?? 1)
            let expected = try exitingOnError { () throws(ArithmeticError) in try channels.tensorShapes(of: convolution).weight }
            guard file.header.shape == expected else {
                printError("error: the weight has shape \(file.header.shape), but this layer needs \(expected ?? [])")
                throw ExitCode(1)
            }
            let weight = try file.tensor()
            cells = matrix.dense(weight: weight.data).map { $0.map { $0 == 0 ? "0" : String($0) } }
        }
        let transposedCells = (0..<matrix.columns).map { column in cells.map { $0[column] } }
        if format.json {
            var members: [(key: String, value: JSONValue)] = [
                ("rows", .integer(matrix.rows)), ("columns", .integer(matrix.columns)),
                ("C", .array(cells.map { .array($0.map(JSONValue.string)) })),
            ]
            if transposed || result.shape.operation == .transposedConvolution {
                members.append(("C_transposed", .array(transposedCells.map { .array($0.map(JSONValue.string)) })))
            }
            print(JSONWriter.string(.object(members)))
            return
        }
        let conv = convolution
        let cHeader = "C of the convolution \(sizes(conv.input)) → \(sizes(conv.output)) (k = \(sizes(conv.axes.map(\.kernel))), s = \(sizes(conv.axes.map(\.stride))), p = \(conv.axes.map(\.padding.description).joined(separator: ", "))): \(matrix.rows)×\(matrix.columns), \(matrix.nonZeroCount) non-zeros"
        if result.shape.operation == .transposedConvolution {
            // The user named the transposed layer: its matrix is Cᵀ, printed first.
            print("Cᵀ of the transposed convolution \(sizes(conv.output)) → \(sizes(conv.input)): \(matrix.columns)×\(matrix.rows), \(matrix.nonZeroCount) non-zeros")
            print("the transpose of its associated convolution's C; rows: outputs, columns: inputs, both unrolled row-major; y = Cᵀ·x\n")
            print(render(transposedCells))
            if transposed {
                print("\n" + cHeader)
                print(render(cells))
            }
            return
        }
        print(cHeader)
        print("rows: outputs, columns: inputs, both unrolled row-major; y = C·x\n")
        print(render(cells))
        if transposed {
            print("\nCᵀ (\(matrix.columns)×\(matrix.rows)): the transposed convolution \(sizes(conv.output)) → \(sizes(conv.input)) is Cᵀ·y\n")
            print(render(transposedCells))
        }
    }

    /// The matrix, in bands of columns that fit the output width (``outputWidth``): each band is headed
    /// by the columns it holds, so a wide matrix is read band after band instead of as wrapped lines.
    private func render(_ cells: [[String]]) -> String {
        let cellWidth = cells.flatMap { $0 }.map(\.count).max() ?? 1
        let columnCount = cells.first?.count ?? 0
        let perBand = outputWidth.map { max(1, ($0 - 4 + 1) / (cellWidth + 1)) } ?? max(columnCount, 1)
        func band(_ range: Range<Int>) -> String {
            cells.map { row in
                "│ " + row[range].map { String(repeating: " ", count: cellWidth - $0.count) + $0 }.joined(separator: " ") + " │"
            }.joined(separator: "\n")
        }
        guard columnCount > perBand else { return band(0..<columnCount) }
        return stride(from: 0, to: columnCount, by: perBand).map { start in
            let range = start..<min(start + perBand, columnCount)
            return "columns \(range.lowerBound)–\(range.upperBound - 1) of \(columnCount):\n" + band(range)
        }.joined(separator: "\n\n")
    }

    /// The width to fit: `--width` (0: no limit), else the terminal's when standard output is one, else
    /// `COLUMNS`, else no limit (a file or a pipe gets whole rows).
    private var outputWidth: Int? {
        if let width { return width == 0 ? nil : width }
        var size = winsize()
        if isatty(1) != 0, ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        if let text = ProcessInfo.processInfo.environment["COLUMNS"], let columns = Int(text), columns > 0 { return columns }
        return nil
    }
}
