extension Convention {
    /// PyTorch 2.13–2.15: `torch.nn.functional` and the `torch.nn` layers (the default).
    ///
    /// One padding per axis (`padding="same"` may split unevenly, stride 1 only); pooling padding at most
    /// half the raw kernel, pooling sizes in 32 bits, no dilation for average pooling, 3-D average pooling
    /// needs the input to be at least the kernel; `output_padding < max(stride, dilation)` and
    /// `output_size` within `[o_min, o_min + s − 1]`.
    public static let pytorch = Convention(
        name: "pytorch", displayName: "PyTorch", summary: "torch.nn.functional and the torch.nn layers",
        maximumRank: 3,
        padding: PaddingRules(same: .keepsSizeAtUnitStride, sameOperations: [.convolution], sameLower: false,
                              asymmetricOperations: []),
        convolution: ConvolutionRules(),
        pooling: PoolingRules(defaultStride: .kernel, averageDivisor: .countIncludePad(default: true),
                              paddingLimit: .halfOfRawKernel, dilation: .maxOnly,
                              average3DNeedsInputAtLeastKernel: true, largestOutput: Int(Int32.max)),
        transposed: TransposedRules(outputPaddingLimit: .belowStrideOrDilation, namedPadding: .associatedConvolution,
                                    outputSize: .outputPaddingRange),
        channels: ChannelRules(),
        spelling: Spelling(layout: .channelsFirst, paddingArgument: "padding", layerPads: .pairsPerAxis, same: "padding='same'", sameLower: nil,
                          valid: "padding=0", padCall: "F.pad", padCallList: .pairsFromLastAxis))
}
