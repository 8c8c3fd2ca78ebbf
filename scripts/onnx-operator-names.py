#!/usr/bin/env python3
"""Writes Tests/ConvNetsTests/Networks/onnx/operators.txt: every operator of ONNX's default domain up to
opset 23, from the schemas of the installed `onnx` package. The ConvNets tests compare DESIGN.md's list
of operator statuses with this list and with the analysis's rules, and print the list to paste when
they differ.

Usage: pip install onnx; python3 scripts/onnx-operator-names.py
"""
import os

import onnx
from onnx import defs

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "ConvNetsTests", "Networks", "onnx", "operators.txt")

names = sorted({schema.name for schema in defs.get_all_schemas_with_history()
                if schema.domain in ("", "ai.onnx") and schema.since_version <= 23})
with open(OUT, "w") as handle:
    handle.write(f"# ONNX {onnx.__version__}: the operators of the default domain, opset <= 23\n")
    handle.write("\n".join(names) + "\n")
print(f"{len(names)} operators -> {OUT}")
