#!/usr/bin/env bash
# Regenerates Sources/ConvNets/ONNX/Generated/onnx.pb.swift from ONNX's onnx.proto. Run by hand when the
# proto changes; the build never runs it. Needs protoc (Debian: protobuf-compiler), a protoc-gen-swift of
# the swift-protobuf version Package.swift names (swift build -c release --product protoc-gen-swift in a
# checkout of apple/swift-protobuf), and the onnx Python package (which ships onnx.proto).
#
# The proto's comments are stripped first so the generated file holds only the types.
set -euo pipefail
plugin=${PROTOC_GEN_SWIFT:?set PROTOC_GEN_SWIFT to the protoc-gen-swift executable}
proto=$(python3 -c 'import onnx, os; print(os.path.join(os.path.dirname(onnx.__file__), "onnx.proto"))')
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src" "$work/out"
sed -e 's://.*$::' -e '/^[[:space:]]*$/d' "$proto" > "$work/src/onnx.proto"
(cd "$work/src" && protoc --plugin="$plugin" --swift_out="$work/out" --swift_opt=Visibility=Internal onnx.proto)
cp "$work/out/onnx.pb.swift" "$(dirname "$0")/../Sources/ConvNets/ONNX/Generated/onnx.pb.swift"
