extension Convention {
    /// TensorFlow 2.21 (`tf.nn`) and the Keras 3.15 layers.
    ///
    /// `valid`/`same` (odd unit at the end), `causal` for `Conv1D` only, no strides together with
    /// dilation; pooling without ceil mode, dilated pooling only with `valid` and stride 1, explicit
    /// padding (each side below the kernel) only for max pooling of one or two axes, average pooling never
    /// counts padding, max pooling passes NaN over and starts from −3.4028235e38; transposed `output_padding=None` ≠ 0, `output_padding < stride`, and
    /// the forward convolution must give the input back.
    public static let tensorflow = Convention(
        name: "tensorflow", displayName: "TensorFlow", summary: "tf.nn and the Keras layers",
        maximumRank: 3,
        padding: PaddingRules(same: .ceilOfInputOverStride, sameOperations: .all, sameLower: false,
                              asymmetricOperations: .all, causalOnlyForConvolution1D: true),
        convolution: ConvolutionRules(stridesWithDilation: false),
        pooling: PoolingRules(defaultStride: .kernel, averageDivisor: .excludesPadding,
                              emptyMaxWindow: -.greatestFiniteMagnitude, maxNaN: .passedOver,
                              paddingLimit: .belowKernel, explicitPadding: .maxUpToTwoAxes, ceilMode: false,
                              dilation: .validPaddingAndUnitStrideOnly),
        transposed: TransposedRules(outputPaddingLimit: .belowStride, absentOutputPaddingIsKerasNone: true,
                                    namedPadding: .forwardConvolution(outputPaddingAllowed: true),
                                    outputSize: .takenAsGiven, forwardCheck: true),
        channels: ChannelRules(),
        spelling: Spelling(layout: .channelsLast, paddingArgument: "padding", layerPads: .pairsPerAxis, namedOnly: true, same: "padding='same'", sameLower: nil,
                          valid: "padding='valid'", padCall: "tf.pad", padCallList: .pairsPerAxis))
}
