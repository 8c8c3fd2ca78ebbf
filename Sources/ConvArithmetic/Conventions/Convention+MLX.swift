extension Convention {
    /// MLX 0.32: `mx.conv_general`, `mx.convNd`, `mx.conv_transposeNd` and the `mlx.nn` pooling layers.
    ///
    /// One to three spatial axes; groups above 1 only in 1-D and 2-D; convolutions take per-side and
    /// negative padding (a crop slices whole input units before the input dilation) and divide with C
    /// truncation; pooling takes symmetric non-negative padding, no dilation, no ceil mode, and average
    /// pooling counts the padding; a transposed convolution is `conv_general` over the input dilated by `s`
    /// with padding `k̂ − 1 − p` and `k̂ − 1 − p + a` — so its size differs from PyTorch's when `p > k̂ − 1` —
    /// and `a` has no limit. No named SAME padding.
    public static let mlx = Convention(
        name: "mlx", displayName: "MLX", summary: "mlx.core convolutions and the mlx.nn pooling layers",
        maximumRank: 3,
        padding: PaddingRules(same: .ceilOfInputOverStride, sameOperations: [], sameLower: false,
                              asymmetricOperations: [.convolution], negativeOperations: [.convolution, .transposedConvolution],
                              cropping: .inputUnitsBeforeDilation),
        convolution: ConvolutionRules(division: .truncating),
        pooling: PoolingRules(defaultStride: .kernel, averageDivisor: .includesPadding, ceilMode: false, dilation: .none),
        transposed: TransposedRules(outputPaddingLimit: .none, namedPadding: .associatedConvolution, outputSize: .unsupported),
        channels: ChannelRules(maximumGroupedRank: 2),
        spelling: Spelling(layout: .channelsLast, paddingArgument: "padding", layerPads: .pairsPerAxis, same: nil, sameLower: nil,
                          valid: "padding=0", padCall: "mx.pad", padCallList: .pairsPerAxis))
}
