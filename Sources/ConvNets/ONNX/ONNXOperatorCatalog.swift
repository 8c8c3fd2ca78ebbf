/// What the analysis knows about each operator of ONNX's default domain.
public enum ONNXOperatorStatus: String, Sendable, Hashable, CaseIterable {
    /// The output shape follows from the inputs' shapes, attributes and followed values.
    case rule
    /// The output's size depends on tensor values no static analysis knows (`NonZero`, `Unique`…):
    /// reported as unknown, with the reason.
    case valueDependent = "value-dependent"
    /// No rule yet: reported as unknown, and the table goes on around it.
    case notYet = "not yet"
}

extension ONNXOperatorStatus {
    /// Operators the import turns into window layers, products, reshapes, constants or subgraphs.
    static let imported: Set<String> = [
        "Conv", "ConvTranspose", "MaxPool", "AveragePool", "LpPool", "GlobalAveragePool", "GlobalLpPool", "GlobalMaxPool",
        "BatchNormalization", "InstanceNormalization", "Gemm", "MatMul", "Reshape", "If", "Loop", "Constant",
    ]

    /// Operators whose output size depends on tensor values.
    static let dependsOnValues: Set<String> = ["NonZero", "NonMaxSuppression", "Unique", "Compress"]

    /// The status of the default-domain operator `type`.
    public static func of(_ type: String) -> ONNXOperatorStatus {
        if imported.contains(type) || ONNXGraphImport.shapeKeeping.contains(type) || ONNXOperator.evaluated.contains(type) { return .rule }
        return dependsOnValues.contains(type) ? .valueDependent : .notYet
    }
}
