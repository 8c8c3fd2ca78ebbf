// Four floats in a vector register, for the portable kernels (private to the C target): the compilers'
// generic vector extensions become SSE on any x86-64 and NEON on ARM, where the multiply and the add of
// `acc += a * b` contract into one fmla. Loads and stores go through memcpy, so no alignment is assumed.
#ifndef CONVARITH_PORTABLE_H
#define CONVARITH_PORTABLE_H

#include <string.h>

typedef float convarith_v4 __attribute__((vector_size(16)));

static inline convarith_v4 v4_load(const float *p) {
    convarith_v4 v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline void v4_store(float *p, convarith_v4 v) { memcpy(p, &v, sizeof v); }

static inline convarith_v4 v4_splat(float x) { return (convarith_v4){x, x, x, x}; }

#endif
