#!/usr/bin/env bash
# Checks the C kernels (Sources/CConvKernels) against plain loops with Tests/CKernelChecks/kernel_check.c:
#   - built for this machine with clang and run for every kernel family the CPU supports;
#   - cross-compiled for aarch64 (clang --target=aarch64-linux-gnu, the Debian arm64 cross libc) and run under
#     qemu-user: the portable kernels as an ARM machine runs them, their vector extensions compiled to NEON
#     (the fmla instructions are counted).
# Needs clang; the aarch64 part needs the apt packages qemu-user, gcc-aarch64-linux-gnu and
# libc6-dev-arm64-cross (.ci/run installs them). Without them that part is skipped with a line saying so,
# unless REQUIRE_ARM=1, which makes it an error. Exit status 1 when any check fails.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sources=(Sources/CConvKernels/*.c Tests/CKernelChecks/kernel_check.c)
flags=(-O2 -std=gnu11 -I Sources/CConvKernels/include -I Sources/CConvKernels)

# Natively with the debug checks of checks.h on (as SwiftPM's debug builds compile them).
clang -DDEBUG=1 "${flags[@]}" "${sources[@]}" -lm -lpthread -o "$work/native"
for isa in avx512 avx2 portable; do
  "$work/native" "$isa" | tail -n 20
done

if ! command -v qemu-aarch64 >/dev/null 2>&1 || [ ! -d /usr/aarch64-linux-gnu/lib ]; then
  echo "aarch64: skipped (install qemu-user gcc-aarch64-linux-gnu libc6-dev-arm64-cross)"
  [ "${REQUIRE_ARM:-0}" = 1 ] && exit 1
  exit 0
fi
clang --target=aarch64-linux-gnu "${flags[@]}" "${sources[@]}" -lm -lpthread -o "$work/arm64"
echo "aarch64 under qemu-user:"
qemu-aarch64 -L /usr/aarch64-linux-gnu "$work/arm64" | tail -n 20
objdump=$(command -v llvm-objdump || true)
if [ -n "$objdump" ]; then
  echo "aarch64 NEON fmla instructions in the kernels: $("$objdump" -d "$work/arm64" | grep -c $'\tfmla' || true)"
fi
