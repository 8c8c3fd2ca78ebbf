// Integer arithmetic that reports overflow as an `ArithmeticError` instead of trapping or wrapping.
// Every size the library computes goes through these helpers, so sizes near `Int.max` are refused
// with a message rather than crashing the process.

@inline(__always)
func checkedAdd(_ a: Int, _ b: Int, _ what: @autoclosure () -> String) throws(ArithmeticError) -> Int {
    let (value, overflow) = a.addingReportingOverflow(b)
    if overflow { throw .overflow(what()) }
    return value
}

@inline(__always)
func checkedSubtract(_ a: Int, _ b: Int, _ what: @autoclosure () -> String) throws(ArithmeticError) -> Int {
    let (value, overflow) = a.subtractingReportingOverflow(b)
    if overflow { throw .overflow(what()) }
    return value
}

@inline(__always)
func checkedMultiply(_ a: Int, _ b: Int, _ what: @autoclosure () -> String) throws(ArithmeticError) -> Int {
    let (value, overflow) = a.multipliedReportingOverflow(by: b)
    if overflow { throw .overflow(what()) }
    return value
}

/// ⌊a / b⌋ for b > 0, rounding toward −∞ (Swift's `/` truncates toward zero).
@inline(__always)
func floorDivide(_ a: Int, _ b: Int) -> Int {
    let q = a / b
    return (a % b != 0 && a < 0) ? q - 1 : q
}

/// ⌈a / b⌉ for b > 0.
@inline(__always)
func ceilDivide(_ a: Int, _ b: Int) -> Int {
    let q = a / b
    return (a % b != 0 && a > 0) ? q + 1 : q
}

/// a mod b in 0..<b for b > 0.
@inline(__always)
func floorModulo(_ a: Int, _ b: Int) -> Int {
    let r = a % b
    return r < 0 ? r + b : r
}
