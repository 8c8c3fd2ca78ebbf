extension Convention {
    /// JAX 0.10: `lax.conv_general_dilated`, `lax.reduce_window` and `lax.conv_transpose`.
    ///
    /// Per-side padding pairs, negative ones crop; `SAME`/`SAME_LOWER`/`VALID` with any stride and
    /// dilation; a kernel of size 0 is an empty window; no ceil mode. A transposed convolution with
    /// `same`/`valid` is `lax.conv_transpose` (`o = i·s`, or `i·s + max(k̂ − s, 0)`, no output padding); with
    /// explicit padding it is the paper's stride-1 convolution over the stretched input
    /// (`lhs_dilation = s`, padding `k̂ − 1 − p` and `k̂ − 1 − p + a`), so `a` has no limit. Where JAX returns
    /// an empty or negative size without raising, the answer is an error.
    public static let jax = Convention(
        name: "jax", displayName: "JAX", summary: "jax.lax convolutions, reduce_window and conv_transpose",
        maximumRank: nil,
        padding: PaddingRules(same: .ceilOfInputOverStride, sameOperations: .all, sameLower: true,
                              asymmetricOperations: .all, negativeOperations: .all),
        convolution: ConvolutionRules(minimumKernel: 0),
        pooling: PoolingRules(defaultStride: .kernel, averageDivisor: .countIncludePad(default: true), maxOfZeros: .positive,
                              ceilMode: false),
        transposed: TransposedRules(outputPaddingLimit: .none, absentOutputPaddingIsKerasNone: true,
                                    namedPadding: .forwardConvolution(outputPaddingAllowed: false),
                                    outputSize: .unsupported),
        channels: ChannelRules(),
        spelling: Spelling(layout: .channelsFirst, paddingArgument: "padding", layerPads: .pairsPerAxis, same: "padding='SAME'",
                          sameLower: "padding='SAME_LOWER'", valid: "padding='VALID'", padCall: "jnp.pad", padCallList: .pairsPerAxis))
}
