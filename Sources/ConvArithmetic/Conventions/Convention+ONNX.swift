extension Convention {
    /// The ONNX operators (`Conv`, `ConvTranspose`, `MaxPool`, `AveragePool`) as ONNX Runtime 1.32 runs them.
    ///
    /// Per-side `pads` and `auto_pad` (`SAME_UPPER`, `SAME_LOWER`, `VALID`) everywhere; pooling stride 1 by
    /// default, padding below the kernel, truncating division, `count_include_pad` 0 by default, an empty
    /// max window gives −3.4028235e38; `output_padding < max(stride, dilation)`, `output_shape` derives the
    /// padding, and the forward convolution must map the output back to the input.
    public static let onnx = Convention(
        name: "onnx", displayName: "ONNX", summary: "the ONNX operators as ONNX Runtime runs them",
        maximumRank: nil,
        padding: PaddingRules(same: .ceilOfInputOverStride, sameOperations: .all, sameLower: true,
                              asymmetricOperations: .all),
        convolution: ConvolutionRules(),
        pooling: PoolingRules(defaultStride: .one, averageDivisor: .countIncludePad(default: false),
                              emptyMaxWindow: -.greatestFiniteMagnitude, maxNaN: .passedOver, paddingLimit: .belowKernel, division: .truncating),
        transposed: TransposedRules(outputPaddingLimit: .belowStrideOrDilation, namedPadding: .onnxAutoPad,
                                    outputSize: .derivesPadding, forwardCheck: true),
        channels: ChannelRules(),
        spelling: Spelling(layout: .channelsFirst, paddingArgument: "pads", layerPads: .beginsThenEnds, same: "auto_pad='SAME_UPPER'",
                          sameLower: "auto_pad='SAME_LOWER'", valid: "auto_pad='VALID'", padCall: "Pad", padCallList: .beginsThenEnds))
}
