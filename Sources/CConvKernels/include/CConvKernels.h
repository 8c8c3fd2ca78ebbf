#ifndef CCONVKERNELS_H
#define CCONVKERNELS_H

#include <stdint.h>

/// A register-blocked micro-kernel: C[mr × nr] (row-major, row stride ldc) = (accumulate ? C : 0) + A·B over
/// k steps, where a holds mr values per step (a packed panel of A) and b holds nr values per step (a packed
/// panel of B).
typedef void (*convarith_microkernel_fn)(int64_t k, const float *a, const float *b, float *c, int64_t ldc, int accumulate);

/// A micro-kernel and its tile.
typedef struct {
    int32_t mr;
    int32_t nr;
    convarith_microkernel_fn kernel;
    const char *name;
} convarith_microkernel;

/// The micro-kernel for this CPU: "avx512" (AVX-512F, 14 × 32), "avx2" (AVX2 + FMA, 6 × 16) or "portable"
/// (4 × 8). `forced` names one to use instead (when the CPU supports it); NULL or "" picks the best.
convarith_microkernel convarith_select_microkernel(const char *forced);

/// Whether the CPU supports the named micro-kernel.
int convarith_supports(const char *name);

#endif
