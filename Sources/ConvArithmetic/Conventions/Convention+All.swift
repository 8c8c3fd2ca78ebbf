extension Convention {
    /// Every known convention, the default first. Adding a convention means adding its file
    /// (`Convention+Name.swift`) and its entry here; names, help texts and hints are generated from this list.
    public static let all: [Convention] = [.pytorch, .onnx, .tensorflow, .jax, .mlx]

    /// The convention used when none is given.
    public static let `default` = Convention.pytorch
}
