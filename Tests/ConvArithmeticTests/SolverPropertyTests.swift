import ConvArithmetic
import PropertyBased
import Testing

@Suite("Inverse questions, each answer checked by computing forward")
struct SolverPropertyTests {
    @Test("every total padding the solver returns gives the target, and the totals around it do not")
    func paddingSolutionsGiveTheTarget() async {
        await propertyCheck(count: 400, input: Gen.int(in: 1...60), Gen.int(in: 1...7), Gen.int(in: 1...4), Gen.int(in: 1...3), Gen.int(in: 1...40)) { i, k, s, d, target in
            guard let solution = try Solver.padding(forOutput: target, input: i, kernel: k, stride: s, dilation: d) else {
                // Unpadded already gives more than the target.
                let unpadded = try? ConvolutionSpec(kernel: [k], stride: [s], dilation: [d]).shape(input: [i]).output[0]
                #expect((unpadded ?? 0) > target)
                return
            }
            func output(_ padding: AxisPadding) throws -> Int {
                try ConvolutionSpec(kernel: [k], stride: [s], padding: .explicit([padding]), dilation: [d], convention: .onnx)
                    .shape(input: [i]).output[0]
            }
            for total in solution.totals {
                #expect(try output(AxisPadding(before: total / 2, after: total - total / 2)) == target)
            }
            #expect(try output(solution.smallest) == target)
            if let p = solution.symmetric { #expect(try output(AxisPadding(p)) == target) }
            let above = solution.totals.upperBound + 1
            #expect(try output(AxisPadding(before: above / 2, after: above - above / 2)) != target)
            if solution.totals.lowerBound > 0 {
                let below = solution.totals.lowerBound - 1
                // Less padding gives another size, or none at all (an output below 1), never the target.
                let result = Result { try output(AxisPadding(before: below / 2, after: below - below / 2)) }
                if case .success(let value) = result { #expect(value != target) }
                if case .failure(let error) = result { #expect("\(error)".contains("output") || "\(error)".contains("larger than"), "\(error)") }
            }
        }
    }

    @Test("the output padding solved from a target size gives that size, or the error names the valid range")
    func outputPaddingSolutionsGiveTheTarget() async {
        await propertyCheck(count: 400, input: Gen.int(in: 1...30), Gen.int(in: 1...6), Gen.int(in: 1...4), Gen.int(in: 0...3), Gen.int(in: 1...120)) { i, k, s, p, target in
            let spec = try TransposedConvolutionSpec(kernel: [k], stride: [s], padding: .symmetric([p]), outputSize: [target])
            let minimum = (i - 1) * s - 2 * p + k
            do {
                let shape = try spec.shape(input: [i])
                #expect(shape.output == [target])
                let a = shape.axes[0].outputPadding
                let forward = try TransposedConvolutionSpec(kernel: [k], stride: [s], padding: .symmetric([p]), outputPadding: [a]).shape(input: [i])
                #expect(forward.output == [target])
            } catch let error as ArithmeticError {
                #expect(target < minimum || target > minimum + s - 1 || minimum + s - 1 < 1, "\(error)")
            }
        }
    }

    @Test("every input size the solver lists maps to the output, and its neighbours outside do not")
    func inputSizesShareTheOutput() async {
        var checked = 0
        await propertyCheck(count: 400, input: Gen.int(in: 1...40), Gen.int(in: 1...7), Gen.int(in: 1...5), Gen.int(in: 0...4), Gen.int(in: 1...3)) { o, k, s, p, d in
            guard let inputs = try Solver.inputSizes(forOutput: o, kernel: k, stride: s, dilation: d, padding: AxisPadding(p)) else { return }
            checked += 1
            let spec = try ConvolutionSpec(kernel: [k], stride: [s], padding: .symmetric([p]), dilation: [d])
            for i in inputs { #expect(try spec.shape(input: [i]).output == [o]) }
            #expect(try spec.shape(input: [inputs.upperBound + 1]).output != [o])
            if inputs.lowerBound > 1 {
                // A smaller input gives fewer outputs, or none at all (refused for an output below 1).
                let result = Result { try spec.shape(input: [inputs.lowerBound - 1]).output }
                if case .success(let value) = result { #expect(value != [o]) }
                if case .failure(let error) = result { #expect("\(error)".contains("output") || "\(error)".contains("larger than"), "\(error)") }
            }
        }
        #expect(checked >= 150, "only \(checked) generated cases were checkable")
    }
}
