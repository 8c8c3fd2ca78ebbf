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
///
/// A convention is one pointer to its rules, which live for the whole process (conventions are made once,
/// as static members): specs, shapes and errors carry it without copying or reference counting.
public struct Convention: @unchecked Sendable, Hashable, CustomStringConvertible {
    /// The rules, immutable and never freed.
    private let definition: UnsafePointer<Definition>

    private struct Definition {
        let name: StaticString
        let displayName: StaticString
        let summary: StaticString
        let maximumRank: Int?
        let padding: PaddingRules
        let convolution: ConvolutionRules
        let pooling: PoolingRules
        let transposed: TransposedRules
        let channels: ChannelRules
        let spelling: Spelling
    }

    /// The name used in requests and options (`"pytorch"`).
    public var name: String { definition.pointee.name.description }
    /// The name users know the framework by (`"PyTorch"`).
    public var displayName: String { definition.pointee.displayName.description }
    /// What the convention follows, for help texts (`"torch.nn.functional and torch.nn layers"`).
    public var summary: String { definition.pointee.summary.description }
    /// The largest number of spatial axes the framework's layers take (`nil`: any).
    public var maximumRank: Int? { definition.pointee.maximumRank }
    /// Named, asymmetric, negative and causal padding.
    public var padding: PaddingRules { definition.pointee.padding }
    /// Direct convolutions (and what transposed convolutions share with them).
    public var convolution: ConvolutionRules { definition.pointee.convolution }
    /// Max and average pooling.
    public var pooling: PoolingRules { definition.pointee.pooling }
    /// Transposed convolutions: output padding, named padding, requested output sizes.
    public var transposed: TransposedRules { definition.pointee.transposed }
    /// Channels and groups.
    public var channels: ChannelRules { definition.pointee.channels }
    /// How the framework's code writes padding (for translations between conventions).
    public var spelling: Spelling { definition.pointee.spelling }

    /// A convention from its rules; the known ones are static members (``pytorch``, …) listed in ``all``.
    /// The rules are kept for the life of the process: make a convention once (a `static let`), not per call.
    public init(name: StaticString, displayName: StaticString, summary: StaticString, maximumRank: Int?, padding: PaddingRules,
                convolution: ConvolutionRules, pooling: PoolingRules, transposed: TransposedRules,
                channels: ChannelRules, spelling: Spelling) {
        let storage = UnsafeMutablePointer<Definition>.allocate(capacity: 1)
        storage.initialize(to: Definition(name: name, displayName: displayName, summary: summary, maximumRank: maximumRank,
                                          padding: padding, convolution: convolution, pooling: pooling,
                                          transposed: transposed, channels: channels, spelling: spelling))
        definition = UnsafePointer(storage)
    }

    /// The known convention called `name` (case-insensitive), or `nil`.
    public init?(name: String) {
        var name = name
        guard let known = name.withUTF8({ Self(utf8Name: $0) }) else { return nil }
        self = known
    }

    /// The known convention whose name is the UTF-8 text `name` (ASCII letters in any case), or `nil`.
    public init?(utf8Name name: UnsafeBufferPointer<UInt8>) {
        let known = Self.all.first { convention in
            convention.definition.pointee.name.withUTF8Buffer { known in
                known.count == name.count && zip(known, name).allSatisfy { $0 == $1 | (($1 >= 65 && $1 <= 90) ? 32 : 0) }
            }
        }
        guard let known else { return nil }
        self = known
    }

    /// Two conventions are the same when they have the same name.
    public static func == (lhs: Convention, rhs: Convention) -> Bool {
        lhs.definition == rhs.definition
            || lhs.definition.pointee.name.withUTF8Buffer { left in rhs.definition.pointee.name.withUTF8Buffer { left.elementsEqual($0) } }
    }

    /// Hashes the name.
    public func hash(into hasher: inout Hasher) {
        definition.pointee.name.withUTF8Buffer { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// The convention's name.
    public var description: String { name }

    /// The names of all known conventions, as a user would list them: `"pytorch, onnx, tensorflow, jax or mlx"`.
    public static var namesInWords: String { words(all.map(\.name), conjunction: "or") }

    /// The conventions for which `holds` is true, named as a user would list them (`"onnx or jax"`).
    /// Error messages build these, so they are written straight into one string.
    public static func names(where holds: (Convention) -> Bool) -> String {
        var count = 0
        for convention in all where holds(convention) { count += 1 }
        var text = ""
        text.reserveCapacity(count * 12)
        var listed = 0
        for convention in all where holds(convention) {
            if listed > 0 { text += listed == count - 1 ? " or " : ", " }
            convention.definition.pointee.name.withUTF8Buffer { text += String(decoding: $0, as: UTF8.self) }
            listed += 1
        }
        return text
    }
}

extension Convention {
    /// `["a", "b", "c"]` → `"a, b or c"`: lists in messages and help.
    public static func words(_ items: [String], conjunction: String) -> String {
        guard items.count > 1 else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " \(conjunction) " + items[items.count - 1]
    }
}
