// The run-time choice every kernel family makes (private to the C target): its AVX-512, AVX2 + FMA or
// portable variant, by `convarith_select_isa` — `forced` when the CPU supports it, else the best. Off x86
// the portable variant is the only one, and the others are not compiled (the macro drops them).
#ifndef CONVARITH_DISPATCH_H
#define CONVARITH_DISPATCH_H

#include "CConvKernels.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define CONVARITH_CHOOSE(forced, portable, avx2, avx512)  \
    switch (convarith_select_isa(forced)) {               \
    case 2: return avx512;                                \
    case 1: return avx2;                                  \
    default: return portable;                             \
    }
#else
#define CONVARITH_CHOOSE(forced, portable, avx2, avx512) \
    (void)(forced);                                      \
    return portable;
#endif

#endif
