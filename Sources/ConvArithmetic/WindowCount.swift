/// The number of window positions on one axis, `⌊(i + p_lo + p_hi − k̂)/s⌋ + 1` (or with C truncation),
/// with negative padding cropping as the convention crops; refuses a window that finds no position.
func windowCount(axis: Int, input: Int, effectiveKernel: Int, stride: Int, padding: AxisPadding,
                 division: WindowDivision, cropping: PaddingRules.Cropping) throws(ArithmeticError) -> Int {
    let padded: Int
    switch cropping {
    case .arithmetic:
        padded = try checkedAdd(try checkedAdd(input, padding.before, "the padded input on axis \(axis)"), padding.after, "the padded input on axis \(axis)")
    case .inputUnitsBeforeDilation:
        // Negative sides slice the input first (never below empty), positive sides pad it.
        let cropped = try checkedAdd(try checkedAdd(input, min(padding.before, 0), "the padded input on axis \(axis)"), min(padding.after, 0), "the padded input on axis \(axis)")
        padded = try checkedAdd(try checkedAdd(max(cropped, 0), max(padding.before, 0), "the padded input on axis \(axis)"), max(padding.after, 0), "the padded input on axis \(axis)")
    }
    guard padded >= 0 else {
        throw .cropExceedsInput(axis: axis, input: input, paddingBefore: padding.before, paddingAfter: padding.after)
    }
    let span = padded - effectiveKernel
    // An empty kernel (JAX) over an input of Int.max would give Int.max + 1 windows.
    let output = try checkedAdd(division == .floor ? floorDivide(span, stride) : span / stride, 1, "the number of windows on axis \(axis)")
    guard output > 0 else {
        throw .kernelExceedsPaddedInput(axis: axis, effectiveKernel: effectiveKernel, input: input,
                                        paddingBefore: padding.before, paddingAfter: padding.after)
    }
    return output
}
