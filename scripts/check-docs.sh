#!/usr/bin/env bash
# Builds every library's DocC catalog with warnings as errors (swift-docc-plugin): a broken symbol link,
# an undocumented parameter or a reference to another module's symbol fails it. A failing catalog shows
# each error or warning with its place in the source; the others their last lines.
set -euo pipefail
cd "$(dirname "$0")/.."
for target in ConvArithmetic ConvKernels ConvFigures ConvEval ConvNets ConvNetReports ConvTour ConvServer; do
  echo "== $target"
  if ! output=$(swift package generate-documentation --target "$target" --warnings-as-errors 2>&1); then
    printf '%s\n' "$output" | grep -v "swift-distributed-tracing" | grep -E -A6 "^(error|warning):" | head -n 80 || true
    exit 1
  fi
  printf '%s\n' "$output" | grep -v "swift-distributed-tracing" | tail -n 3
done
