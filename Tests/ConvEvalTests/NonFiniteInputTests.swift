import ConvEval
import Testing

@Suite("Non-finite numbers in eval input")
struct NonFiniteInputTests {
    @Test("the parser reads NaN, Infinity and -Infinity as numbers, spelled exactly as Python's json writes them")
    func pythonSpellingsAreNumbers() throws {
        let value = try JSONParser.parse("[NaN, Infinity, -Infinity, -1, 0.5]")
        guard case .array(let elements) = value, elements.count == 5 else {
            Issue.record("expected an array of five, got \(value)")
            return
        }
        guard case .number(let nan, "NaN") = elements[0], case .number(let infinity, "Infinity") = elements[1],
              case .number(let negativeInfinity, "-Infinity") = elements[2] else {
            Issue.record("non-finite tokens read as \(elements)")
            return
        }
        #expect(nan.isNaN)
        #expect(infinity == .infinity)
        #expect(negativeInfinity == -.infinity)
        #expect(elements[3] == .integer(-1))
        #expect(JSONWriter.string(value) == "[NaN,Infinity,-Infinity,-1,0.5]")
        // A parsed NaN equals itself and hashes alike: Hashable's contract holds for values read from JSON.
        let again = try JSONParser.parse("[NaN, Infinity, -Infinity, -1, 0.5]")
        #expect(value == again && elements[0] == elements[0])
        #expect(Set([elements[0], try JSONParser.parse("NaN"), try JSONParser.parse(" NaN ")]).count == 1)
    }

    @Test("other spellings of the non-finite values stay invalid JSON", arguments: [
        "nan", "NAN", "-NaN", "+NaN", "infinity", "Inf", "-Inf", "+Infinity", "Infinit", "NaNa", "-", "- Infinity",
        "[NaN1]", "Infinity0",
    ])
    func otherSpellingsAreRefused(text: String) {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(text) }
    }

    @Test("an answer's y with NaN and ±inf, fed back in as x, reads as the same values")
    func answerRoundTripsAsInput() throws {
        let evaluator = Evaluator()
        // A max pool with a kernel of 1 copies its input: y is x.
        func request(id: Int, data: String) -> String {
            #"{"id":\#(id),"op":"pool","input":[5],"kernel":1,"x":{"shape":[1,1,5],"data":\#(data)}}"#
        }
        let first = evaluator.answer(line: request(id: 1, data: #"[1,"NaN","Infinity","-Infinity",-2.5]"#))
        let y = try #require(Self.yData(in: first), "no y in \(first)")
        #expect(y == "[1.0,NaN,Infinity,-Infinity,-2.5]")

        let second = evaluator.answer(line: request(id: 2, data: y))
        #expect(!second.contains(#""error""#), "\(second)")
        #expect(Self.yData(in: second) == y)

        let parsed = try JSONParser.parse(second)
        guard case .array(let values)? = parsed["y"]?["data"], values.count == 5,
              case .number(let nan, _) = values[1], case .number(let infinity, _) = values[2],
              case .number(let negativeInfinity, _) = values[3] else {
            Issue.record("y did not read back: \(second)")
            return
        }
        #expect(nan.isNaN && infinity == .infinity && negativeInfinity == -.infinity)
    }

    /// The text of `"data":[…]` inside an answer's `"y"`.
    private static func yData(in answer: String) -> String? {
        guard let y = answer.range(of: #""y":{"#),
              let data = answer.range(of: #""data":"#, range: y.upperBound..<answer.endIndex),
              let end = answer.range(of: "]", range: data.upperBound..<answer.endIndex) else { return nil }
        return String(answer[data.upperBound..<end.upperBound])
    }
}
