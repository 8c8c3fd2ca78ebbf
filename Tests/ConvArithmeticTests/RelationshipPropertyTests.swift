import ConvArithmetic
import PropertyBased
import Testing

/// The paper's formulas, written out independently of the library, to check its general computation.
private func paperOutput(_ relationship: Relationship, i: Int, k: Int, s: Int, p: Int, a: Int = 0, iPrime: Int = 0) -> Int {
    switch relationship.paper {
    case 1: (i - k) + 1
    case 2: (i - k) + 2 * p + 1
    case 3: i
    case 4: i + (k - 1)
    case 5, 7: (i - k) / s + 1
    case 6: (i + 2 * p - k) / s + 1
    case 8: iPrime + (k - 1)
    case 9: iPrime + (k - 1) - 2 * p
    case 10: iPrime
    case 11: iPrime - (k - 1)
    case 12: s * (iPrime - 1) + k
    case 13: s * (iPrime - 1) + k - 2 * p
    case 14: s * (iPrime - 1) + a + k - 2 * p
    default: -1
    }
}

@Suite("The paper's relationships as properties")
struct RelationshipPropertyTests {
    @Test("every relationship that applies to a convolution gives the general formula's size")
    func convolutionRelationshipsAgreeWithTheGeneralFormula() async {
        var checked = 0
        await propertyCheck(count: 400, input: Gen.int(in: 1...40), Gen.int(in: 1...9), Gen.int(in: 1...5), Gen.int(in: 0...8)) { i, k, s, p in
            guard i + 2 * p >= k else { return }
            checked += 1
            let shape = try ConvolutionSpec(kernel: [k], stride: [s], padding: .symmetric([p])).shape(input: [i])
            let relationships = shape.relationships
            #expect(relationships.contains(.paper(6)))
            for relationship in relationships {
                #expect(paperOutput(relationship, i: i, k: k, s: s, p: p) == shape.output[0], "\(relationship.label) for i=\(i) k=\(k) s=\(s) p=\(p)")
            }
        }
        #expect(checked >= 200, "only \(checked) generated cases were checkable")
    }

    @Test("half padding keeps the size of odd kernels at unit stride, full padding grows it by k − 1")
    func halfAndFullPaddingFollowTheirRelationships() async throws {
        await propertyCheck(count: 200, input: Gen.int(in: 1...60), Gen.int(in: 0...6)) { i, n in
            let k = 2 * n + 1
            let half = try ConvolutionSpec(kernel: [k], padding: .named(.half)).shape(input: [i])
            #expect(half.output == [i])
            #expect(half.relationships.first == .paper(3))
            let full = try ConvolutionSpec(kernel: [k], padding: .named(.full)).shape(input: [i])
            #expect(full.output == [i + k - 1])
        }
    }

    @Test("dilation acts as a kernel of size d(k − 1) + 1 (relationship 15)")
    func dilationIsAnEffectiveKernel() async {
        var checked = 0
        await propertyCheck(count: 300, input: Gen.int(in: 1...50), Gen.int(in: 1...6), Gen.int(in: 1...4), Gen.int(in: 0...4), Gen.int(in: 1...4)) { i, k, s, p, d in
            let extent = d * (k - 1) + 1
            guard i + 2 * p >= extent else { return }
            checked += 1
            let dilated = try ConvolutionSpec(kernel: [k], stride: [s], padding: .symmetric([p]), dilation: [d]).shape(input: [i])
            let dense = try ConvolutionSpec(kernel: [extent], stride: [s], padding: .symmetric([p])).shape(input: [i])
            #expect(dilated.output == dense.output)
            #expect(dilated.output[0] == (i + 2 * p - k - (k - 1) * (d - 1)) / s + 1)
        }
        #expect(checked >= 150, "only \(checked) generated cases were checkable")
    }

    @Test("every relationship that applies to a transposed convolution gives its size")
    func transposedRelationshipsAgreeWithTheGeneralFormula() async {
        var checked = 0
        await propertyCheck(count: 400, input: Gen.int(in: 1...40), Gen.int(in: 1...9), Gen.int(in: 1...5), Gen.int(in: 0...8)) { i, k, s, p in
            guard i + 2 * p >= k else { return }
            checked += 1
            let conv = try ConvolutionSpec(kernel: [k], stride: [s], padding: .symmetric([p])).shape(input: [i])
            let associated = try #require(conv.associated)
            let a = associated.axes[0].outputPadding
            #expect(a == (i + 2 * p - k) % s)
            for relationship in associated.relationships {
                #expect(paperOutput(relationship, i: i, k: k, s: s, p: p, a: a, iPrime: conv.output[0]) == i,
                        "\(relationship.label) for i=\(i) k=\(k) s=\(s) p=\(p)")
            }
        }
        #expect(checked >= 200, "only \(checked) generated cases were checkable")
    }
}

@Suite("Transposed convolution: round trip and equivalent direct convolution")
struct TransposedEquivalenceTests {
    @Test("the transposed convolution of a convolution, with a = (i + 2p − k) mod s, restores the input size",
          arguments: [Convention.pytorch, .onnx])
    func transposedOfConvolutionRestoresTheInputSize(convention: Convention) async {
        var checked = 0
        await propertyCheck(count: 300, input: Gen.int(in: 1...60), Gen.int(in: 1...7), Gen.int(in: 1...5), Gen.int(in: 0...6), Gen.int(in: 1...3)) { i, k, s, p, d in
            let extent = d * (k - 1) + 1
            guard i + 2 * p >= extent else { return }
            checked += 1
            let conv = try ConvolutionSpec(kernel: [k], stride: [s], padding: .symmetric([p]), dilation: [d], convention: convention).shape(input: [i])
            let a = try #require(conv.associated).axes[0].outputPadding
            let transposed = try TransposedConvolutionSpec(kernel: [k], stride: [s], padding: .symmetric([p]), dilation: [d],
                                                           outputPadding: [a], convention: convention).shape(input: conv.output)
            #expect(transposed.output == [i])
        }
        #expect(checked >= 150, "only \(checked) generated cases were checkable")
    }

    @Test("the equivalent stride-1 convolution over the stretched, padded input has the transposed output size")
    func equivalentConvolutionHasTheSameOutputSize() async {
        var checked = 0
        await propertyCheck(count: 400, input: Gen.int(in: 1...30), Gen.int(in: 1...7), Gen.int(in: 1...5), Gen.int(in: 0...6), Gen.int(in: 1...3), Gen.int(in: 0...4)) { i, k, s, p, d, a in
            guard a < max(s, d) else { return }
            guard let shape = try? TransposedConvolutionSpec(kernel: [k], stride: [s], padding: .symmetric([p]), dilation: [d],
                                                            outputPadding: [a]).shape(input: [i]) else { return }
            checked += 1
            let equivalent = try shape.axes[0].equivalentConvolution()
            #expect(equivalent.stretchedInput == i + (i - 1) * (s - 1))
            #expect(equivalent.padding.before == d * (k - 1) - p)
            #expect(equivalent.padding.after == d * (k - 1) - p + a)
            #expect(equivalent.output == shape.output[0])
            // The same size from the library's own direct-convolution rule, when the padding is not a crop.
            if equivalent.padding.before >= 0 {
                let direct = try ConvolutionSpec(kernel: [k], padding: .explicit([equivalent.padding]), dilation: [d], convention: .onnx)
                    .shape(input: [equivalent.stretchedInput])
                #expect(direct.output == shape.output)
            }
        }
        #expect(checked >= 150, "only \(checked) generated cases were checkable")
    }

    @Test("the seed's transposed figures: sizes and relationships")
    func seedFiguresHaveThePapersSizes() throws {
        // (conv i, k, s, p) → the conv's o is the transposed i'; the transposed output is the conv's i.
        let figures: [(i: Int, k: Int, s: Int, p: Int, seed: Int)] = [
            (4, 3, 1, 0, 7), (5, 4, 1, 2, 8), (5, 3, 1, 1, 9), (5, 3, 1, 2, 10), (5, 3, 2, 0, 11), (5, 3, 2, 1, 12), (6, 3, 2, 1, 13),
        ]
        for figure in figures {
            let conv = try ConvolutionSpec(kernel: [figure.k, figure.k], stride: [figure.s], padding: .symmetric([figure.p]))
                .shape(input: [figure.i, figure.i])
            let transposed = try #require(conv.associated)
            #expect(transposed.output == [figure.i, figure.i])
            #expect(transposed.relationships.first?.seed == figure.seed, "figure \(figure)")
        }
    }
}
