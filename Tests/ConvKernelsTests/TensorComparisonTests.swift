import ConvKernels
import Testing

@Suite("Comparing tensors")
struct TensorComparisonTests {
    @Test("maximumDifference counts a NaN against a number, or infinities of opposite signs, as infinitely far apart, and NaN against NaN or equal infinities as equal")
    func nanIsNeverClose() throws {
        let numbers = try Tensor(shape: [4], data: [1, 2, .infinity, .nan])
        #expect(numbers.maximumDifference(to: numbers) == 0)
        #expect(try numbers.maximumDifference(to: Tensor(shape: [4], data: [1, 2.5, .infinity, .nan])) == 0.5)
        #expect(try numbers.maximumDifference(to: Tensor(shape: [4], data: [.nan, 2, .infinity, .nan])) == .infinity)
        #expect(try numbers.maximumDifference(to: Tensor(shape: [4], data: [1, 2, .infinity, 0])) == .infinity)
        #expect(try numbers.maximumDifference(to: Tensor(shape: [4], data: [1, 2, -.infinity, .nan])) == .infinity)
        #expect(try numbers.maximumDifference(to: Tensor(shape: [2, 2], data: [1, 2, .infinity, .nan])) == .infinity)
    }
}
