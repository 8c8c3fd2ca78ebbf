import ConvEval
import ConvNets

/// An input's shape as the command line's `--input` and the server's `input=` spell it: `1x3x224x224` for the
/// first input, `NAME=1x576` for a named one, `scalar` for a 0-D input.
public enum InputSpelling {
    /// The assignment `text` spells, or `nil` when it is not one (an empty name, sizes that are not whole
    /// numbers). The sizes are not range-checked here: each caller says what it accepts.
    public static func assignment(_ text: String) -> InputAssignment? {
        var name: String?
        var sizes = Substring(text)
        if let equals = text.lastIndex(of: "=") {
            name = String(text[..<equals])
            sizes = text[text.index(after: equals)...]
            guard !(name ?? "").isEmpty else { return nil }
        }
        if sizes == "scalar" { return InputAssignment(name: name, shape: []) }
        guard let values = OptionSpelling.sizes(String(sizes)) else { return nil }
        return InputAssignment(name: name, shape: values)
    }
}
