/// How a framework's code writes a layer's padding: what `convarith translate` prints for it.
public struct Spelling: Sendable, Hashable {
    /// Where the channels sit in the framework's default tensors.
    public enum Layout: Sendable, Hashable {
        /// `N, C, spatial…` (PyTorch, ONNX, `lax.conv` with its default dimension numbers).
        case channelsFirst
        /// `N, spatial…, C` (Keras, MLX).
        case channelsLast
    }

    /// How the framework lists per-side pads.
    public enum PadList: Sendable, Hashable {
        /// Pairs per spatial axis in axis order: `[(top, bottom), (left, right)]`.
        case pairsPerAxis
        /// Every axis's start, then every axis's end: ONNX `pads = [x1_begin, x2_begin, …, x1_end, x2_end, …]`.
        case beginsThenEnds
        /// Pairs from the last axis back: `F.pad(x, (left, right, top, bottom))`.
        case pairsFromLastAxis
    }

    /// The layout of the framework's default layers.
    public let layout: Layout
    /// The layer's padding argument (`padding`, `pads`).
    public let paddingArgument: StaticString
    /// How the layer's explicit padding is listed, when it takes different pads per side.
    public let layerPads: PadList
    /// Whether the framework's layers take only named paddings (Keras: `'valid'` or `'same'`), so any other
    /// padding is a pad of the input before the layer.
    public let namedOnly: Bool
    /// The named paddings as written (`padding='same'`, `auto_pad='SAME_UPPER'`), when the framework has them.
    public let same: StaticString?
    /// `SAME_LOWER` as written, when the framework has it.
    public let sameLower: StaticString?
    /// No padding as written.
    public let valid: StaticString
    /// The call that pads a tensor before the layer (`F.pad`, `tf.pad`, an ONNX `Pad` node).
    public let padCall: StaticString
    /// How `padCall` lists the pads of every axis of the tensor.
    public let padCallList: PadList

    /// A spelling.
    public init(layout: Layout, paddingArgument: StaticString, layerPads: PadList, namedOnly: Bool = false, same: StaticString?, sameLower: StaticString?,
                valid: StaticString, padCall: StaticString, padCallList: PadList) {
        self.layout = layout
        self.paddingArgument = paddingArgument
        self.layerPads = layerPads
        self.namedOnly = namedOnly
        self.same = same
        self.sameLower = sameLower
        self.valid = valid
        self.padCall = padCall
        self.padCallList = padCallList
    }

    public static func == (lhs: Spelling, rhs: Spelling) -> Bool {
        lhs.layout == rhs.layout && lhs.paddingArgument.description == rhs.paddingArgument.description
            && lhs.layerPads == rhs.layerPads && lhs.padCall.description == rhs.padCall.description
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(layout)
        hasher.combine(paddingArgument.description)
        hasher.combine(padCall.description)
    }
}
