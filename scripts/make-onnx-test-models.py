#!/usr/bin/env python3
"""Writes the ONNX test models of Tests/ConvNetsTests/Networks/onnx and the shapes ONNX Runtime gives
every tensor of each (expected.json), for the ConvNets tests.

Usage: pip install onnx onnxruntime numpy; python3 scripts/make-onnx-test-models.py

The models are small (a few channels, random weights): structure is what the tests read. Each is run by
ONNX Runtime with every node output exposed as a graph output, so expected.json holds the shape of every
tensor; a model that ONNX Runtime refuses records the failing node's output and ORT's message instead.
"""
import json
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "ConvNetsTests", "Networks", "onnx")
rng = np.random.default_rng(2016)


class Graph:
    """A tiny graph builder: every helper returns the name of its output tensor."""

    def __init__(self, name, opset):
        self.name, self.opset = name, opset
        self.nodes, self.inits, self.counter = [], [], 0

    def fresh(self, prefix):
        self.counter += 1
        return f"{prefix}_{self.counter}"

    def weight(self, shape, name=None):
        name = name or self.fresh("w")
        self.inits.append(numpy_helper.from_array((rng.standard_normal(shape) * 0.1).astype(np.float32), name))
        return name

    def ints(self, values, name=None):
        name = name or self.fresh("c")
        self.inits.append(numpy_helper.from_array(np.array(values, dtype=np.int64), name))
        return name

    def floats(self, values, name=None):
        name = name or self.fresh("c")
        self.inits.append(numpy_helper.from_array(np.array(values, dtype=np.float32), name))
        return name

    def constant(self, values, dtype=np.int64):
        out = self.fresh("const")
        self.nodes.append(helper.make_node("Constant", [], [out], value=numpy_helper.from_array(np.array(values, dtype=dtype), out + "_v")))
        return out

    def op(self, op_type, inputs, outputs=1, name=None, **attributes):
        names = [name or self.fresh(op_type.lower())] if outputs == 1 else [self.fresh(op_type.lower()) for _ in range(outputs)]
        self.nodes.append(helper.make_node(op_type, inputs, names, **attributes))
        return names[0] if outputs == 1 else names

    def conv(self, x, cin, cout, k, rank=2, transposed=False, bias=True, **attributes):
        kernel = [k] * rank if isinstance(k, int) else k
        shape = [cin, cout // attributes.get("group", 1)] + kernel if transposed else [cout, cin // attributes.get("group", 1)] + kernel
        inputs = [x, self.weight(shape)] + ([self.weight([cout])] if bias else [])
        return self.op("ConvTranspose" if transposed else "Conv", inputs, kernel_shape=kernel, **attributes)

    def bn(self, x, c):
        return self.op("BatchNormalization", [x, self.floats(np.ones(c)), self.floats(np.zeros(c)), self.floats(np.zeros(c)), self.floats(np.ones(c))])

    def model(self, x_name, x_shape, out, elem=TensorProto.FLOAT, extra_outputs=(), extra_inputs=()):
        inputs = [helper.make_tensor_value_info(x_name, elem, x_shape)]
        inputs += [helper.make_tensor_value_info(name, kind, shape) for name, kind, shape in extra_inputs]
        outputs = [onnx.ValueInfoProto(name=name) for name in (out, *extra_outputs)]
        graph = helper.make_graph(self.nodes, self.name, inputs, outputs, self.inits)
        domains = sorted({node.domain for node in self.nodes if node.domain})
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", self.opset)] + [helper.make_opsetid(d, 1) for d in domains],
                                  producer_name="convarith-tests")
        model.ir_version = 8
        # ONNX's own shape inference fills the output's type and the value_info, as exporters do; half the
        # models keep the value_info (the analysis compares its shapes with them), half drop it.
        if not domains:
            model = onnx.shape_inference.infer_shapes(model)
        if self.opset < 15:
            del model.graph.value_info[:]
        for output in model.graph.output if not domains else []:
            if not output.type.HasField("tensor_type") or not output.type.tensor_type.HasField("shape"):
                # What exporters write when the rank is known but the sizes are not (this test's outputs are 2-D).
                output.type.tensor_type.elem_type = elem
                output.type.tensor_type.shape.dim.add().dim_param = "batch"
                output.type.tensor_type.shape.dim.add().dim_param = "features"
        if not domains:
            onnx.checker.check_model(model)
        return model


def resnet_style():
    g = Graph("resnet_style", 13)
    x = g.conv("input", 3, 8, 7, strides=[2, 2], pads=[3, 3, 3, 3])
    x = g.op("Relu", [g.bn(x, 8)])
    x = g.op("MaxPool", [x], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    for c_in, c_out, stride in [(8, 8, 1), (8, 16, 2)]:
        y = g.op("Relu", [g.bn(g.conv(x, c_in, c_out, 3, strides=[stride] * 2, pads=[1] * 4, bias=False), c_out)])
        y = g.bn(g.conv(y, c_out, c_out, 3, pads=[1] * 4, bias=False), c_out)
        shortcut = x if stride == 1 else g.bn(g.conv(x, c_in, c_out, 1, strides=[stride] * 2, bias=False), c_out)
        x = g.op("Relu", [g.op("Add", [y, shortcut])])
    x = g.op("Flatten", [g.op("GlobalAveragePool", [x])], axis=1)
    x = g.op("Gemm", [x, g.weight([10, 16]), g.weight([10])], transB=1, name="logits")
    return g.model("input", [1, 3, 64, 64], x), {}


def vgg_style():
    g = Graph("vgg_style", 11)
    x = "input"
    for c_in, c_out in [(3, 8), (8, 16)]:
        x = g.op("Relu", [g.conv(x, c_in, c_out, 3, pads=[1] * 4)])
        x = g.op("Relu", [g.conv(x, c_out, c_out, 3, pads=[1] * 4)])
        x = g.op("MaxPool", [x], kernel_shape=[2, 2], strides=[2, 2])
    x = g.op("Reshape", [x, g.ints([1, -1])])
    x = g.op("Relu", [g.op("Gemm", [x, g.weight([16 * 8 * 8, 32]), g.weight([32])])])
    x = g.op("Dropout", [x])
    x = g.op("Softmax", [g.op("Gemm", [x, g.weight([10, 32]), g.weight([10])], transB=1)], axis=1, name="probabilities")
    return g.model("input", [1, 3, 32, 32], x), {}


def unet(name, shape, opset=17):
    g = Graph(name, opset)
    e1 = g.op("Relu", [g.conv("image", 1, 4, 3, pads=[1] * 4)], name="enc1")
    d1 = g.op("MaxPool", [e1], kernel_shape=[2, 2], strides=[2, 2])
    e2 = g.op("Relu", [g.conv(d1, 4, 8, 3, pads=[1] * 4)], name="enc2")
    d2 = g.op("MaxPool", [e2], kernel_shape=[2, 2], strides=[2, 2])
    b = g.op("Relu", [g.conv(d2, 8, 16, 3, pads=[1] * 4)], name="bottleneck")
    up2 = g.op("Resize", [b, "", g.floats([1, 1, 2, 2])], mode="nearest", name="up2")
    u2 = g.conv(up2, 16, 8, 3, pads=[1] * 4)
    s2 = g.op("Concat", [u2, e2], axis=1, name="skip2")
    c2 = g.op("Relu", [g.conv(s2, 16, 8, 3, pads=[1] * 4)])
    up1 = g.conv(c2, 8, 4, 2, transposed=True, strides=[2, 2], name="up1")
    s1 = g.op("Concat", [up1, e1], axis=1, name="skip1")
    out = g.op("Sigmoid", [g.conv(s1, 8, 1, 1)], name="mask")
    return g.model("image", shape, out), {}


def dcgan_generator():
    g = Graph("dcgan_generator", 18)
    x = g.op("Relu", [g.bn(g.conv("z", 16, 32, 4, transposed=True, bias=False), 32)])
    for c_in, c_out in [(32, 16), (16, 8)]:
        x = g.op("Relu", [g.bn(g.conv(x, c_in, c_out, 4, transposed=True, bias=False, strides=[2, 2], pads=[1] * 4), c_out)])
    x = g.op("Tanh", [g.conv(x, 8, 3, 4, transposed=True, bias=False, strides=[2, 2], pads=[1] * 4)], name="rgb")
    return g.model("z", [1, 16, 1, 1], x), {}


def conv1d():
    g = Graph("conv1d", 13)
    x = g.op("Relu", [g.conv("signal", 4, 8, 5, rank=1, strides=[2], pads=[2, 2])])
    x = g.op("MaxPool", [x], kernel_shape=[3], strides=[2])
    x = g.conv(x, 8, 8, 3, rank=1, dilations=[2], pads=[2, 2])
    x = g.op("AveragePool", [x], kernel_shape=[3], strides=[2], ceil_mode=1, pads=[1, 1], count_include_pad=0)
    x = g.op("GlobalAveragePool", [x], name="pooled")
    return g.model("signal", [2, 4, 101], x), {}


def conv3d():
    g = Graph("conv3d", 13)
    x = g.op("Relu", [g.conv("volume", 2, 4, 3, rank=3, pads=[1] * 6)])
    x = g.op("MaxPool", [x], kernel_shape=[2, 2, 2], strides=[2, 2, 2])
    x = g.conv(x, 4, 4, [3, 3, 1], rank=3, strides=[1, 2, 2], pads=[1, 1, 0, 1, 1, 0])
    x = g.conv(x, 4, 2, 2, rank=3, transposed=True, strides=[2, 2, 2], output_padding=[1, 0, 1], name="upsampled")
    return g.model("volume", [1, 2, 9, 16, 15], x), {}


def tf_same():
    # What tf2onnx writes for a Keras model with padding='same': NHWC in, a Transpose to NCHW, SAME_UPPER
    # convolutions and pools, an explicit Pad, a Transpose back, a mean over the spatial axes, MatMul + Add.
    g = Graph("tf_same", 15)
    x = g.op("Transpose", ["input_1"], perm=[0, 3, 1, 2])
    x = g.op("Relu", [g.conv(x, 3, 8, 3, strides=[2, 2], auto_pad="SAME_UPPER")], name="conv1")
    x = g.op("MaxPool", [x], kernel_shape=[3, 3], strides=[2, 2], auto_pad="SAME_UPPER", name="pool1")
    x = g.op("Pad", [x, g.ints([0, 0, 0, 1, 0, 0, 1, 0])], mode="constant", name="padded")
    x = g.conv(x, 8, 16, 5, strides=[2, 2], auto_pad="SAME_LOWER", name="conv2")
    x = g.op("Transpose", [x], perm=[0, 2, 3, 1], name="nhwc")
    x = g.op("ReduceMean", [x], axes=[1, 2], keepdims=0, name="mean")
    x = g.op("Add", [g.op("MatMul", [x, g.weight([16, 5])]), g.weight([5])], name="dense")
    return g.model("input_1", [1, 33, 33, 3], x), {}


def pytorch_flatten_export():
    # x.view(x.size(0), -1) as older PyTorch exports write it: Shape → Gather → Unsqueeze → Concat → Reshape,
    # with a symbolic batch, and Constant nodes for the indices.
    g = Graph("pytorch_flatten_export", 11)
    x = g.op("Relu", [g.conv("x", 3, 4, 3, strides=[2, 2], pads=[1] * 4)], name="features")
    shape = g.op("Shape", [x])
    batch = g.op("Gather", [shape, g.constant(0)], axis=0)
    batch = g.op("Unsqueeze", [batch], axes=[0])
    target = g.op("Concat", [batch, g.constant([-1])], axis=0)
    x = g.op("Reshape", [x, target], name="flat")
    x = g.op("Gemm", [x, g.weight([6, 4 * 16 * 16]), g.weight([6])], transB=1, name="out")
    return g.model("x", ["batch", 3, 32, 32], x), {"x": [4, 3, 32, 32]}


def computed_weights():
    # Weights that pass through the graph: an int8 weight dequantized, one through Identity, and a
    # Gemm whose A is transposed and whose B is a Transpose of an initializer.
    g = Graph("computed_weights", 13)
    q = g.fresh("wq")
    g.inits.append(numpy_helper.from_array(rng.integers(-100, 100, size=(8, 3, 3, 3)).astype(np.int8), q))
    w1 = g.op("DequantizeLinear", [q, g.floats(0.01), g.constant(0, dtype=np.int8)])
    x = g.op("Relu", [g.op("Conv", ["input", w1], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], name="dequantized_conv")])
    w2 = g.op("Identity", [g.weight([8, 4, 3, 3])])
    x = g.op("ConvTranspose", [x, w2], strides=[2, 2], pads=[1, 1, 1, 1], output_padding=[1, 1], name="identity_weight_deconv")
    x = g.op("Flatten", [g.op("GlobalMaxPool", [x])], axis=1)
    x = g.op("Transpose", [x], perm=[1, 0])
    b = g.op("Transpose", [g.weight([10, 4])], perm=[1, 0])
    x = g.op("Gemm", [x, b, g.weight([10])], transA=1, name="gemm_transposed_a")
    return g.model("input", [2, 3, 31, 31], x), {}


def unknown_operators():
    # An operator from another domain and a value-dependent one (TopK) on one branch; the other branch goes on.
    g = Graph("unknown_operators", 13)
    features = g.op("Relu", [g.conv("input", 3, 4, 3, pads=[1] * 4)], name="features")
    custom = g.op("FancyNorm", [features], name="custom")
    g.nodes[-1].domain = "com.example"
    flat_custom = g.op("Flatten", [custom], name="flat_custom")
    values, indices = g.op("TopK", [g.op("Flatten", [features]), g.ints([5])], outputs=2)
    positive = g.op("NonZero", [g.op("Greater", [features, g.floats(0.5)])], name="positive")
    pooled = g.op("MaxPool", [features], kernel_shape=[2, 2], strides=[2, 2], name="pooled")
    return g.model("input", [1, 3, 16, 16], pooled, extra_outputs=[values, flat_custom, positive]), {}


def se_stack():
    # Fourteen squeeze-and-excitation blocks (MobileNetV3-style): the gate's field is the whole input, and
    # multiplying the jump by the map's size at each broadcast would overflow 64 bits after eleven.
    g = Graph("se_stack", 13)
    x = "input"
    for block in range(14):
        x = g.op("Relu", [g.conv(x, 8, 8, 3, pads=[1] * 4)], name=f"features{block}")
        s = g.op("GlobalAveragePool", [x], name=f"squeeze{block}")
        s = g.op("Relu", [g.conv(s, 8, 2, 1)])
        s = g.op("HardSigmoid", [g.conv(s, 2, 8, 1)], name=f"gate{block}")
        x = g.op("Mul", [x, s], name=f"excited{block}")
    x = g.op("Flatten", [g.op("GlobalAveragePool", [x])], axis=1)
    x = g.op("Gemm", [x, g.weight([5, 8]), g.weight([5])], transB=1, name="logits")
    return g.model("input", [1, 8, 64, 64], x), {}


def speech_recurrent():
    # A speech front end on a 2-D input (batch x samples) with a recurrent state input: a strided 1-D
    # convolution, a bidirectional LSTM started from the state, a GRU and a reverse RNN (ONNX Runtime runs no
    # batch-first layout = 1 recurrent operator, so none is here).
    g = Graph("speech_recurrent", 14)
    x = g.op("Unsqueeze", ["audio", g.ints([1])])
    x = g.op("Relu", [g.conv(x, 1, 8, 10, rank=1, strides=[5])], name="frames")
    x = g.op("Transpose", [x], perm=[2, 0, 1], name="time_major")
    y, yh, yc = g.op("LSTM", [x, g.weight([2, 64, 8]), g.weight([2, 64, 16]), g.weight([2, 128]), "", "state", "state"],
                     outputs=3, hidden_size=16, direction="bidirectional")
    y = g.op("Reshape", [g.op("Transpose", [y], perm=[0, 2, 1, 3]), g.ints([0, 0, -1])], name="both_directions")
    gru, gru_h = g.op("GRU", [y, g.weight([1, 48, 32]), g.weight([1, 48, 16])], outputs=2, hidden_size=16)
    z = g.op("Squeeze", [gru, g.ints([1])], name="gru_sequence")
    rnn, rnn_h = g.op("RNN", [z, g.weight([1, 8, 16]), g.weight([1, 8, 8])], outputs=2, hidden_size=8, direction="reverse")
    out = g.op("Sigmoid", [rnn], name="speech")
    return g.model("audio", ["batch", "samples"], out, extra_outputs=[yh, yc, gru_h, rnn_h],
                   extra_inputs=[("state", TensorProto.FLOAT, [2, "batch", 16])]), {"audio": [2, 576], "state": [2, 2, 16]}


def quantized():
    # The operators of quantized exports: dynamic quantization into ConvInteger and MatMulInteger, QDQ pairs,
    # QLinearConv and QLinearMatMul, and ONNX Runtime's com.microsoft QLinearAdd and QLinearGlobalAveragePool.
    g = Graph("quantized", 13)

    def u8(shape):
        name = g.fresh("wq")
        g.inits.append(numpy_helper.from_array(rng.integers(0, 255, size=shape).astype(np.uint8), name))
        return name

    def zero():
        return g.constant(0, dtype=np.uint8)

    q, scale, point = g.op("DynamicQuantizeLinear", ["input"], outputs=3)
    c = g.op("ConvInteger", [q, u8([8, 3, 3, 3]), point, zero()], kernel_shape=[3, 3], strides=[2, 2], pads=[1] * 4, name="conv_integer")
    f = g.op("Mul", [g.op("Cast", [c], to=TensorProto.FLOAT), g.floats(0.001)])
    q2 = g.op("QuantizeLinear", [f, g.floats(0.05), zero()])
    bias = g.fresh("bias")
    g.inits.append(numpy_helper.from_array(np.zeros(8, dtype=np.int32), bias))
    c2 = g.op("QLinearConv", [q2, g.floats(0.05), zero(), u8([8, 8, 3, 3]), g.floats(0.01), zero(), g.floats(0.1), zero(), bias],
              kernel_shape=[3, 3], pads=[1] * 4, name="qlinear_conv")
    added = g.op("QLinearAdd", [c2, g.floats(0.1), zero(), c2, g.floats(0.1), zero(), g.floats(0.2), zero()], name="qlinear_add")
    g.nodes[-1].domain = "com.microsoft"
    pooled = g.op("QLinearGlobalAveragePool", [added, g.floats(0.2), zero(), g.floats(0.2), zero()], channels_last=0, name="qlinear_pool")
    g.nodes[-1].domain = "com.microsoft"
    flat = g.op("Flatten", [g.op("DequantizeLinear", [pooled, g.floats(0.2), zero()])], axis=1, name="flat")
    qa, sa, za = g.op("DynamicQuantizeLinear", [flat], outputs=3)
    product = g.op("MatMulInteger", [qa, u8([8, 4]), za, zero()], name="matmul_integer")
    qm = g.op("QuantizeLinear", [flat, g.floats(0.1), zero()])
    qproduct = g.op("QLinearMatMul", [qm, g.floats(0.1), zero(), u8([8, 6]), g.floats(0.01), zero(), g.floats(0.2), zero()], name="qlinear_matmul")
    return g.model("input", [1, 3, 32, 32], qproduct, extra_outputs=[product, scale]), {}


def shape_values():
    # Shape subgraphs whose values must be followed: TorchScript's F.pad (pads reversed and transposed), a
    # YOLO-style grid from the feature map's size cast to float, a size rounded up by Ceil, Where over
    # Equal, a TopK whose k is half a size, an Einsum, GatherElements and GatherND.
    g = Graph("shape_values", 13)
    pads = g.op("Concat", [g.constant([1, 2, 0, 3]), g.op("ConstantOfShape", [g.constant([4])], value=numpy_helper.from_array(np.array([0], dtype=np.int64)))], axis=0)
    pads = g.op("Reshape", [pads, g.constant([-1, 2])])
    pads = g.op("Slice", [pads, g.constant([-1]), g.constant([-(2**63) + 1]), g.constant([0]), g.constant([-1])])
    pads = g.op("Reshape", [g.op("Transpose", [pads], perm=[1, 0]), g.constant([-1])])
    padded = g.op("Pad", ["image", g.op("Cast", [pads], to=TensorProto.INT64)], mode="constant", name="torch_pad")
    features = g.op("Relu", [g.conv(padded, 3, 4, 3, strides=[8, 8], pads=[1] * 4)], name="features")
    size = g.op("Shape", [features])
    height = g.op("Cast", [g.op("Gather", [size, g.constant(2)], axis=0)], to=TensorProto.FLOAT)
    width = g.op("Cast", [g.op("Gather", [size, g.constant(3)], axis=0)], to=TensorProto.FLOAT)
    xs = g.op("Mul", [g.op("Add", [g.op("Range", [g.constant(0.0, np.float32), width, g.constant(1.0, np.float32)]), g.floats(0.5)]), g.floats(8.0)])
    ys = g.op("Range", [g.constant(0.0, np.float32), height, g.constant(1.0, np.float32)], name="rows")
    grid = g.op("Add", [g.op("Unsqueeze", [ys, g.ints([1])]), g.op("Unsqueeze", [xs, g.ints([0])])], name="grid")
    image_height = g.op("Cast", [g.op("Gather", [g.op("Shape", ["image"]), g.constant(2)], axis=0)], to=TensorProto.FLOAT)
    stride = g.op("Div", [image_height, height], name="stride")
    g.op("Mul", [grid, stride], name="scaled_grid")
    quarter = g.op("Cast", [g.op("Ceil", [g.op("Div", [image_height, g.constant(4.0, np.float32)])])], to=TensorProto.INT64)
    sizes = g.op("Concat", [g.constant([1, 3]), g.op("Unsqueeze", [quarter, g.ints([0])]), g.constant([5])], axis=0)
    resized = g.op("Resize", ["image", "", "", sizes], mode="nearest", name="ceil_resized")
    dims = g.op("Shape", ["image"])
    chosen = g.op("Where", [g.op("Equal", [dims, g.constant([1, 1, 1, 1])]), g.constant([5, 5, 5, 5]), dims])
    expanded = g.op("Expand", ["image", chosen], name="expanded")
    flat = g.op("Flatten", [features], axis=1)
    half = g.op("Div", [g.op("Gather", [g.op("Shape", [flat]), g.constant([1])], axis=0), g.constant([2])])
    top, top_index = g.op("TopK", [flat, half], outputs=2)
    mixed = g.op("Einsum", [features, g.weight([6, 4])], equation="bchw,oc->bohw", name="einsum")
    elements = g.op("GatherElements", [features, g.op("Cast", [g.op("Mul", [features, g.floats(0.0)])], to=TensorProto.INT64)], axis=1, name="gather_elements")
    nd = g.op("GatherND", [features, g.constant([[0, 1], [0, 2]])], name="gather_nd")
    return g.model("image", ["N", 3, "H", "W"], mixed, extra_outputs=["scaled_grid", resized, expanded, top, elements, nd]), {"image": [1, 3, 37, 45]}


def cycle():
    # Two nodes that read each other's outputs: not a valid graph (written without the checker).
    nodes = [helper.make_node("Relu", ["b"], ["a"]), helper.make_node("Add", ["input", "a"], ["b"])]
    graph = helper.make_graph(nodes, "cycle", [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 1, 4, 4])],
                              [helper.make_tensor_value_info("b", TensorProto.FLOAT, [1, 1, 4, 4])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="convarith-tests")
    model.ir_version = 8
    return model, {}


def control_flow():
    # What voice-activity models do: an If on the sample rate (a graph input, unknown to the analysis)
    # whose branches agree on the shape, and an If on the number of samples (known from --input) whose
    # branches do not; both read the enclosing graph's tensors.
    g = Graph("control_flow", 13)
    x = g.op("Unsqueeze", ["audio", g.ints([1])], name="channel")
    features = g.op("Relu", [g.conv(x, 1, 4, 10, rank=1, strides=[5])], name="features")

    def branch(name, build):
        sub = Graph(name, 13)
        sub.counter = g.counter + 1000 * (len(g.nodes) + 1)
        out = build(sub)
        g.counter = sub.counter
        return helper.make_graph(sub.nodes, name, [], [onnx.ValueInfoProto(name=out)], sub.inits)

    rate = g.op("Equal", ["sr", g.constant(16000)])
    wide = branch("rate_16k", lambda b: b.op("Relu", [b.conv(features, 4, 4, 3, rank=1, pads=[1, 1])]))
    narrow = branch("rate_8k", lambda b: b.op("Sigmoid", [b.conv(features, 4, 4, 5, rank=1, pads=[2, 2])]))
    by_rate = g.op("If", [rate], then_branch=wide, else_branch=narrow, name="by_rate")
    # A branch that cannot run at this input size (a reshape to 400 of 456 elements): only the other can.
    strict = branch("rate_strict", lambda b: b.op("Reshape", [features, b.ints([1, 4, 100])]))
    lenient = branch("rate_lenient", lambda b: b.op("Reshape", [features, b.ints([1, 8, -1])]))
    g.op("If", [rate], then_branch=strict, else_branch=lenient, name="one_branch_runs")
    samples = g.op("Gather", [g.op("Shape", ["audio"]), g.constant(1)], axis=0)
    long_input = g.op("Greater", [samples, g.constant(1000)])
    head = branch("long", lambda b: b.op("Slice", [by_rate, b.ints([0]), b.ints([64]), b.ints([2])]))
    tail = branch("short", lambda b: b.op("Slice", [by_rate, b.ints([0]), b.ints([16]), b.ints([2])]))
    chosen = g.op("If", [long_input], then_branch=head, else_branch=tail, name="by_length")
    out = g.op("ReduceMean", [chosen], axes=[2], keepdims=0, name="speech_probability")
    # A Loop of a known trip count: a weight carried through unchanged, a state that keeps its shape, and
    # a scan output with one slice per iteration.
    body = Graph("step", 13)
    body.counter = g.counter + 50000
    kept = body.op("Identity", ["weight_in"])
    state = body.op("Add", ["state_in", out])
    slice_ = body.op("Mul", [state, kept])
    cond_out = body.op("Identity", ["cond_in"])
    g.counter = body.counter
    body_graph = helper.make_graph(body.nodes, "step", [
        helper.make_tensor_value_info("iteration", TensorProto.INT64, []),
        helper.make_tensor_value_info("cond_in", TensorProto.BOOL, []),
        helper.make_tensor_value_info("weight_in", TensorProto.FLOAT, [4]),
        helper.make_tensor_value_info("state_in", TensorProto.FLOAT, ["batch", 4]),
    ], [onnx.ValueInfoProto(name=n) for n in (cond_out, kept, state, slice_)], body.inits)
    weight, final_state, slices = g.op("Loop", [g.constant(3), "", g.weight([4]), g.op("Mul", [out, g.floats(0.0)])], outputs=3, body=body_graph)
    model = g.model("audio", ["batch", "samples"], out, extra_outputs=[weight, final_state, slices, "one_branch_runs"],
                    extra_inputs=[("sr", TensorProto.INT64, [])])
    for output in model.graph.output:
        if output.name in (weight, slices, "one_branch_runs"):  # not 2-D, as model() declares the outputs
            del output.type.tensor_type.shape.dim[:]
            for size in {weight: [4], slices: [3, "batch", 4], "one_branch_runs": ["batch", 8, "frames"]}[output.name]:
                dim = output.type.tensor_type.shape.dim.add()
                if isinstance(size, int):
                    dim.dim_value = size
                else:
                    dim.dim_param = size
    return model, {"audio": [1, 576]}


def paddle_dynamic():
    # Paddle's exporter writes a dynamic size as dim_value -1 (ONNX Runtime reads it as dynamic).
    g = Graph("paddle_dynamic", 11)
    x = g.op("Relu", [g.conv("x", 3, 4, 3, strides=[2, 2], pads=[1] * 4)], name="features")
    model = g.model("x", [1, 3, 8, 8], g.op("GlobalAveragePool", [x], name="pooled"))
    for dim, value in zip(model.graph.input[0].type.tensor_type.shape.dim, [-1, 3, -1, -1]):
        dim.dim_value = value
    del model.graph.value_info[:]
    model.graph.output[0].type.tensor_type.ClearField("shape")
    return model, {"x": [2, 3, 48, 40]}


def region_ops():
    # Sizes from a second input or an attribute: RoiAlign, GridSample, MaxUnpool after MaxPool's indices,
    # CenterCropPad, OneHot, and the bitwise, scatter and log-sum reductions beside them.
    g = Graph("region_ops", 18)
    features = g.op("Relu", [g.conv("image", 3, 4, 3, pads=[1] * 4)], name="features")
    rois = g.op("Constant", [], value=numpy_helper.from_array(np.array([[0, 0, 8, 8], [2, 2, 10, 12], [1, 1, 3, 3]], dtype=np.float32), "rois_v"))
    g.op("RoiAlign", [features, rois, g.constant([0, 0, 0])], output_height=5, output_width=3, name="roi_align")
    grid = g.op("Constant", [], value=numpy_helper.from_array(rng.uniform(-1, 1, size=(1, 6, 7, 2)).astype(np.float32), "grid_v"))
    g.op("GridSample", [features, grid], name="grid_sample")
    pooled, indices = g.op("MaxPool", [features], outputs=2, kernel_shape=[2, 2], strides=[2, 2])
    g.op("MaxUnpool", [pooled, indices], kernel_shape=[2, 2], strides=[2, 2], name="unpooled")
    g.op("MaxUnpool", [pooled, indices, g.op("Shape", [features])], kernel_shape=[2, 2], strides=[2, 2], name="unpooled_to_shape")
    g.op("CenterCropPad", [features, g.constant([9, 20])], axes=[2, 3], name="center_crop_pad")
    g.op("OneHot", [g.constant([[1, 2, 0]]), g.constant([5]), g.constant([0.0, 1.0], np.float32)], axis=1, name="one_hot")
    g.op("ScatterND", [features, g.constant([[0, 1]]), g.floats(np.zeros((1, 12, 16)))], name="scatter_nd")
    g.op("ReduceLogSum", [g.op("Abs", [features]), g.constant([1, 2])], keepdims=0, name="log_sum")
    model = g.model("image", [1, 3, 12, 16], "roi_align",
                    extra_outputs=["grid_sample", "unpooled", "unpooled_to_shape", "center_crop_pad", "one_hot", "scatter_nd", "log_sum"])
    for output in model.graph.output:
        if output.name == "unpooled_to_shape":  # ONNX's inference leaves it open; not the 2-D model() declares
            output.type.tensor_type.ClearField("shape")
    return model, {}


def review_cases():
    # Rules a review found wrong or fragile, each where ONNX Runtime shows the answer: two If nodes whose
    # branches reuse a tensor name, a reduction over an empty list of axes, a Resize by 0.7 computed in
    # 32-bit floats, a Cast that wraps (259 as uint8 is 3), integers equal as doubles but not as integers,
    # a Range near 2^62, and a Split whose parts are not equal.
    g = Graph("review_cases", 13)

    def constant_branch(name, values):
        sub = Graph(name, 13)
        return helper.make_graph([helper.make_node("Constant", [], ["branch_out"], value=numpy_helper.from_array(np.array(values, dtype=np.float32)))],
                                 name, [], [onnx.ValueInfoProto(name="branch_out")])

    yes = g.op("Greater", [g.constant(2), g.constant(1)])
    g.op("If", [yes], then_branch=constant_branch("a_then", [1.0, 2.0]), else_branch=constant_branch("a_else", [1.0]), name="first_if")
    g.op("If", [yes], then_branch=constant_branch("b_then", [1.0, 2.0, 3.0, 4.0, 5.0]), else_branch=constant_branch("b_else", [1.0]), name="second_if")
    g.op("ReduceSum", ["x", g.op("Constant", [], value=numpy_helper.from_array(np.zeros(0, dtype=np.int64), "no_axes"))], keepdims=1, name="sum_all")
    g.op("Resize", ["x", "", g.floats([1.0, 1.0, 1.0, 0.7])], mode="nearest", name="resized")
    wrapped = g.op("Cast", [g.op("Cast", [g.constant([259])], to=TensorProto.UINT8)], to=TensorProto.INT64)
    g.op("ConstantOfShape", [wrapped], name="wrapped_size")
    same = g.op("Cast", [g.op("Equal", [g.constant([2**62 + 1]), g.constant([2**62])])], to=TensorProto.INT64)
    g.op("ConstantOfShape", [g.op("Add", [same, g.constant([1])])], name="compared_size")
    g.op("Range", [g.constant(2**62), g.constant(2**62 + 5), g.constant(1)], name="big_range")
    g.op("Split", ["x", g.constant([3, 7])], outputs=2, axis=3)
    model = g.model("x", [1, 1, 1, 10], "first_if", extra_outputs=["second_if", "sum_all", "resized", "wrapped_size", "compared_size", "big_range"])
    for output in model.graph.output:  # not the 2-D that model() declares where ONNX's inference gives none
        output.type.tensor_type.ClearField("shape")
    return model, {}


MODELS = {
    "resnet_style": resnet_style, "vgg_style": vgg_style,
    "unet_style": lambda: unet("unet_style", ["N", 1, "H", "W"]),
    "unet_off_by_one": lambda: unet("unet_off_by_one", [1, 1, 102, 102]),
    "dcgan_generator": dcgan_generator, "conv1d": conv1d, "conv3d": conv3d, "tf_same": tf_same,
    "pytorch_flatten_export": pytorch_flatten_export, "computed_weights": computed_weights,
    "unknown_operators": unknown_operators, "cycle": cycle, "se_stack": se_stack, "speech_recurrent": speech_recurrent,
    "quantized": quantized, "shape_values": shape_values, "control_flow": control_flow,
    "paddle_dynamic": paddle_dynamic, "region_ops": region_ops, "review_cases": review_cases,
}
RUN_SHAPES = {"unet_style": {"image": [1, 1, 64, 64]}}


def run(model, feeds_shapes):
    exposed = onnx.ModelProto()
    exposed.CopyFrom(model)
    known = {o.name for o in exposed.graph.output}
    for node in exposed.graph.node:
        if node.op_type == "Constant":
            continue
        for out in node.output:
            if out and out not in known:
                exposed.graph.output.append(onnx.ValueInfoProto(name=out))
    session = ort.InferenceSession(exposed.SerializeToString(), providers=["CPUExecutionProvider"])
    feeds = {}
    for value in session.get_inputs():
        shape = feeds_shapes.get(value.name) or value.shape
        feeds[value.name] = rng.standard_normal(shape).astype(np.float32) if value.type == "tensor(float)" else np.ones(shape, dtype=np.int64)
    names = [o.name for o in session.get_outputs()]
    results = session.run(names, feeds)
    return {name: list(result.shape) for name, result in zip(names, results)}, {k: list(v.shape) for k, v in feeds.items()}


def main():
    os.makedirs(OUT, exist_ok=True)
    expected = {"onnx": onnx.__version__, "onnxruntime": ort.__version__, "models": {}}
    for name, build in MODELS.items():
        model, feeds = build()
        feeds = feeds or RUN_SHAPES.get(name, {})
        path = os.path.join(OUT, name + ".onnx")
        onnx.save(model, path)
        entry = {"opset": model.opset_import[0].version}
        try:
            shapes, inputs = run(model, feeds)
            entry["input"] = list(inputs.values())[0]
            if len(inputs) > 1:
                entry["inputs"] = inputs
            entry["shapes"] = shapes
        except Exception as error:  # ORT refuses the model: record where
            entry["input"] = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
            entry["ort_error"] = str(error).splitlines()[0][:400]
        expected["models"][name] = entry
        print(f"{name}: {os.path.getsize(path)} bytes, opset {entry['opset']}, {'refused by ORT' if 'ort_error' in entry else str(len(entry['shapes'])) + ' tensors'}", file=sys.stderr)
    with open(os.path.join(OUT, "expected.json"), "w") as handle:
        json.dump(expected, handle, indent=1, sort_keys=True)
        handle.write("\n")


if __name__ == "__main__":
    main()
