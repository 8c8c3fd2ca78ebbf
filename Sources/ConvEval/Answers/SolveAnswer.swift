import ConvArithmetic

/// `convarith solve … --json` (and the server's solve routes): the inverse questions' answers.
public enum SolveAnswer {
    /// The paddings of one axis that give a target size.
    public static func padding(axis: Int, _ solution: Solver.PaddingSolution) -> JSONValue {
        .object([("axis", .integer(axis)), ("symmetric", solution.symmetric.map(JSONValue.integer) ?? .null),
                 ("before", .integer(solution.smallest.before)), ("after", .integer(solution.smallest.after)),
                 ("total_min", .integer(solution.totals.lowerBound)), ("total_max", .integer(solution.totals.upperBound))])
    }

    /// The output padding (and padding) a transposed convolution resolved for a requested output size.
    public static func outputPadding(_ shape: LayerShape) -> JSONValue {
        .object([
            ("output_padding", .array(shape.axes.map { .integer($0.outputPadding) })),
            ("padding", .array(shape.axes.map { .array([.integer($0.padding.before), .integer($0.padding.after)]) })),
            ("output", .array(shape.axes.map { .integer($0.output) })),
        ])
    }

    /// The input sizes a convolution maps to one output size, and each one's output padding
    /// `a = i − exact` (the list only when it has at most `listLimit` sizes).
    public static func inputs(_ range: ClosedRange<Int>, exact: Int, listLimit: Int) -> JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            ("first", .integer(range.lowerBound)), ("last", .integer(range.upperBound)), ("count", .integer(range.count)),
        ]
        if range.count <= listLimit {
            members.append(("inputs", .array(range.map(JSONValue.integer))))
            members.append(("output_padding", .array(range.map { .integer($0 - exact) })))
        }
        return .object(members)
    }
}
