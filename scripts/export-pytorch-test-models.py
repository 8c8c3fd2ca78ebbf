#!/usr/bin/env python3
"""Exports real PyTorch models to ONNX for the ConvNets tests (Tests/ConvNetsTests/Networks/exports) and
records the shape ONNX Runtime gives every tensor (expected.json), at the input sizes the tests use.

Usage (in a virtualenv outside the repository):
  pip install --no-deps "torch==2.13.0+cpu"; pip install numpy filelock typing-extensions sympy networkx jinja2 fsspec
  pip install onnx onnxruntime onnxscript
  python scripts/export-pytorch-test-models.py

The models are written here in plain torch.nn (small widths, random weights) in the shapes real networks
have: a ResNet, a MobileNet with squeeze-excitation, a YOLO-style detector with an FPN and a head that
reshapes by its own tensor sizes, and a U-Net that resizes to its skip connection's size. Each is exported
twice: by the TorchScript exporter (opset 13, dynamic batch and spatial sizes: Shape/Gather/Concat
subgraphs) and by the dynamo exporter (opset 18).
"""
import json
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "ConvNetsTests", "Networks", "exports")
torch.manual_seed(2016)


def conv_bn(cin, cout, k=3, s=1, groups=1, act=nn.ReLU):
    return nn.Sequential(nn.Conv2d(cin, cout, k, s, k // 2, groups=groups, bias=False), nn.BatchNorm2d(cout), act())


class Basic(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.a = conv_bn(cin, cout, 3, stride)
        self.b = nn.Sequential(nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout))
        self.down = None if stride == 1 and cin == cout else nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        return F.relu(self.b(self.a(x)) + (x if self.down is None else self.down(x)))


class ResNet(nn.Module):
    def __init__(self, widths=(4, 8, 16, 16), classes=10):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, widths[0], 7, 2, 3, bias=False), nn.BatchNorm2d(widths[0]), nn.ReLU(), nn.MaxPool2d(3, 2, 1))
        layers, cin = [], widths[0]
        for index, width in enumerate(widths):
            layers += [Basic(cin, width, 1 if index == 0 else 2), Basic(width, width, 1)]
            cin = width
        self.layers = nn.Sequential(*layers)
        self.fc = nn.Linear(cin, classes)

    def forward(self, x):
        x = self.layers(self.stem(x))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


class SqueezeExcite(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.reduce, self.expand = nn.Conv2d(c, max(c // 4, 1), 1), nn.Conv2d(max(c // 4, 1), c, 1)

    def forward(self, x):
        s = F.adaptive_avg_pool2d(x, 1)
        return x * F.hardsigmoid(self.expand(F.relu(self.reduce(s))))


class Inverted(nn.Module):
    def __init__(self, cin, cout, stride, expand=4):
        super().__init__()
        mid = cin * expand
        self.block = nn.Sequential(conv_bn(cin, mid, 1, act=nn.Hardswish), conv_bn(mid, mid, 3, stride, groups=mid, act=nn.Hardswish),
                                   SqueezeExcite(mid), nn.Conv2d(mid, cout, 1, bias=False), nn.BatchNorm2d(cout))
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        y = self.block(x)
        return x + y if self.residual else y


class MobileNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = conv_bn(3, 8, 3, 2, act=nn.Hardswish)
        self.blocks = nn.Sequential(Inverted(8, 8, 1), Inverted(8, 16, 2), Inverted(16, 16, 1), Inverted(16, 24, 2), Inverted(24, 32, 2))
        self.head = nn.Sequential(nn.Conv2d(32, 64, 1), nn.Hardswish(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.2), nn.Linear(64, 10))

    def forward(self, x):
        return self.head(self.blocks(self.stem(x)))


class Detector(nn.Module):
    """Backbone to strides 8/16/32, a top-down FPN (nearest upsampling, concatenation), and a head per level
    that reshapes to (N, anchors·(H·W), outputs) with its own sizes, then concatenates the levels."""

    def __init__(self, anchors=3, outputs=7):
        super().__init__()
        self.anchors, self.outputs = anchors, outputs
        self.s2 = nn.Sequential(conv_bn(3, 8, 3, 2, act=nn.SiLU), conv_bn(8, 16, 3, 2, act=nn.SiLU))
        self.s8 = nn.Sequential(conv_bn(16, 16, 3, 2, act=nn.SiLU), conv_bn(16, 16, 3, 1, act=nn.SiLU))
        self.s16 = conv_bn(16, 32, 3, 2, act=nn.SiLU)
        self.s32 = nn.Sequential(conv_bn(32, 64, 3, 2, act=nn.SiLU), nn.MaxPool2d(5, 1, 2))
        self.lateral32, self.lateral16 = conv_bn(64, 32, 1, act=nn.SiLU), conv_bn(64, 16, 1, act=nn.SiLU)
        self.heads = nn.ModuleList(nn.Conv2d(c, anchors * outputs, 1) for c in (32, 64, 64))

    def head(self, index, x):
        n, _, h, w = x.shape
        y = self.heads[index](x).view(n, self.anchors, self.outputs, h, w).permute(0, 1, 3, 4, 2)
        return y.reshape(n, -1, self.outputs)

    def forward(self, x):
        p8 = self.s8(self.s2(x))
        p16 = self.s16(p8)
        p32 = self.s32(p16)
        t16 = torch.cat([F.interpolate(self.lateral32(p32), scale_factor=2.0, mode="nearest"), p16], 1)
        t8 = torch.cat([F.interpolate(self.lateral16(t16), scale_factor=2.0, mode="nearest"), p8], 1)
        return torch.cat([self.head(0, t8), self.head(1, t16), self.head(2, p32)], 1).sigmoid()


class UNet(nn.Module):
    """Resizes the upsampled map to its skip connection's size (F.interpolate(size=skip.shape[2:])), so any
    input size works: the pattern of real segmentation exports."""

    def __init__(self):
        super().__init__()
        self.e1, self.e2, self.e3 = conv_bn(3, 8), conv_bn(8, 16), conv_bn(16, 32)
        self.d2, self.d1 = conv_bn(48, 16), conv_bn(24, 8)
        self.out = nn.Conv2d(8, 2, 1)

    def forward(self, x):
        e1 = self.e1(x)
        e2 = self.e2(F.max_pool2d(e1, 2))
        e3 = self.e3(F.max_pool2d(e2, 2))
        d2 = self.d2(torch.cat([F.interpolate(e3, size=e2.shape[2:], mode="bilinear", align_corners=False), e2], 1))
        d1 = self.d1(torch.cat([F.interpolate(d2, size=e1.shape[2:], mode="bilinear", align_corners=False), e1], 1))
        return self.out(d1)


MODELS = {"resnet": (ResNet, [1, 3, 224, 224]), "mobilenet": (MobileNet, [1, 3, 224, 224]),
          "detector": (Detector, [1, 3, 640, 640]), "unet": (UNet, [1, 3, 101, 77])}
# Sizes the tests run each export at (the dynamic ones also at a second size).
RUNS = {"resnet": [[1, 3, 224, 224], [2, 3, 160, 128]], "mobilenet": [[1, 3, 224, 224]],
        "detector": [[1, 3, 640, 640], [1, 3, 320, 256]], "unet": [[1, 3, 101, 77], [1, 3, 64, 64]]}


def ort_shapes(path, shape):
    model = onnx.load(path)
    known = {o.name for o in model.graph.output}
    for node in model.graph.node:
        if node.op_type == "Constant":
            continue
        for out in node.output:
            if out and out not in known:
                model.graph.output.append(onnx.ValueInfoProto(name=out))
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    feed = {session.get_inputs()[0].name: np.random.default_rng(0).standard_normal(shape).astype(np.float32)}
    names = [o.name for o in session.get_outputs()]
    return {name: list(np.asarray(value).shape) for name, value in zip(names, session.run(names, feed))}


def main():
    os.makedirs(OUT, exist_ok=True)
    expected = {"torch": torch.__version__, "onnxruntime": ort.__version__, "models": {}}
    for name, (build, shape) in MODELS.items():
        model = build().eval()
        example = torch.randn(*shape)
        for exporter in ("torchscript", "dynamo"):
            file = f"{name}_{exporter}.onnx"
            path = os.path.join(OUT, file)
            if exporter == "torchscript":
                torch.onnx.export(model, (example,), path, dynamo=False, opset_version=13, input_names=["input"], output_names=["output"],
                                  dynamic_axes={"input": {0: "batch", 2: "height", 3: "width"}})
            else:
                program = torch.onnx.export(model, (example,), dynamo=True, input_names=["input"], output_names=["output"],
                                            dynamic_shapes=({0: torch.export.Dim("batch", max=64), 2: torch.export.Dim.AUTO, 3: torch.export.Dim.AUTO},))
                program.save(path, external_data=False)
            runs = {"x".join(map(str, run)): ort_shapes(path, run) for run in RUNS[name]}
            expected["models"][file] = {"runs": runs}
            print(f"{file}: {os.path.getsize(path)} bytes, {sum(len(r) for r in runs.values())} tensor shapes", file=sys.stderr)
    with open(os.path.join(OUT, "expected.json"), "w") as handle:
        json.dump(expected, handle, indent=1, sort_keys=True)
        handle.write("\n")


if __name__ == "__main__":
    main()
