#!/usr/bin/env bash
# Builds every library's DocC catalog with warnings as errors (swift-docc-plugin): a broken symbol link,
# an undocumented parameter or a reference to another module's symbol fails it.
set -euo pipefail
cd "$(dirname "$0")/.."
for target in ConvArithmetic ConvKernels ConvFigures ConvEval ConvNets ConvNetReports ConvTour ConvServer; do
  echo "== $target"
  swift package generate-documentation --target "$target" --warnings-as-errors 2>&1 | grep -v "swift-distributed-tracing" | tail -3
done
