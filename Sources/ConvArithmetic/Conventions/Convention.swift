/// Whose rules decide sizes and refusals where frameworks disagree — as a value.
///
/// The formulas of the paper are shared by every framework; the frameworks differ in what they accept
/// (PyTorch refuses `padding="same"` with strides, ONNX Runtime refuses pooling padding as large as the
/// kernel, Keras refuses strides together with dilation…), in how named paddings split an odd total, and
/// in the transposed convolution's default output size. A `Convention` holds every such decision as data
/// (``padding``, ``convolution``, ``pooling``, ``transposed``, ``channels``); the specs, the derivations,
/// the error messages, the kernels and the command line read these values and never branch on a name.
///
/// The known conventions are listed in ``all`` (one file each, `Convention+PyTorch.swift`, …); see
/// `oracle/SEMANTICS.md` for the measured rules.
public struct Convention: Sendable, Hashable, CustomStringConvertible {
    /// The name used in requests and options (`"pytorch"`).
    public let name: String
    /// The name users know the framework by (`"PyTorch"`).
    public let displayName: String
    /// What the convention follows, for help texts (`"torch.nn.functional and torch.nn layers"`).
    public let summary: String
    /// The largest number of spatial axes the framework's layers take (`nil`: any).
    public let maximumRank: Int?
    /// Named, asymmetric, negative and causal padding.
    public let padding: PaddingRules
    /// Direct convolutions (and what transposed convolutions share with them).
    public let convolution: ConvolutionRules
    /// Max and average pooling.
    public let pooling: PoolingRules
    /// Transposed convolutions: output padding, named padding, requested output sizes.
    public let transposed: TransposedRules
    /// Channels and groups.
    public let channels: ChannelRules

    /// A convention from its rules; the known ones are static members (``pytorch``, …) listed in ``all``.
    public init(name: String, displayName: String, summary: String, maximumRank: Int?, padding: PaddingRules,
                convolution: ConvolutionRules, pooling: PoolingRules, transposed: TransposedRules,
                channels: ChannelRules) {
        self.name = name
        self.displayName = displayName
        self.summary = summary
        self.maximumRank = maximumRank
        self.padding = padding
        self.convolution = convolution
        self.pooling = pooling
        self.transposed = transposed
        self.channels = channels
    }

    /// The known convention called `name` (case-insensitive), or `nil`.
    public init?(name: String) {
        let lowered = name.lowercased()
        guard let known = Self.all.first(where: { $0.name == lowered }) else { return nil }
        self = known
    }

    /// Two conventions are the same when they have the same name.
    public static func == (lhs: Convention, rhs: Convention) -> Bool { lhs.name == rhs.name }

    /// Hashes the name.
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }

    /// The convention's name.
    public var description: String { name }

    /// The names of all known conventions, as a user would list them: `"pytorch, onnx, tensorflow, jax or mlx"`.
    public static var namesInWords: String { words(all.map(\.name), conjunction: "or") }

    /// The conventions for which `holds` is true, named as a user would list them (`"onnx or jax"`).
    public static func names(where holds: (Convention) -> Bool) -> String {
        words(all.filter(holds).map(\.name), conjunction: "or")
    }
}

extension Convention {
    /// `["a", "b", "c"]` → `"a, b or c"`: lists in messages and help.
    public static func words(_ items: [String], conjunction: String) -> String {
        guard items.count > 1 else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " \(conjunction) " + items[items.count - 1]
    }
}
