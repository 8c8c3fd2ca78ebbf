// Checks of the C kernels' arguments in debug builds (SwiftPM's debug configuration defines DEBUG=1); release
// builds compile them away. A failed check stops the process with the condition and its line: the Swift side
// passes a geometry it derived from a checked layer, so a failure is a bug here, not a user's input.
#ifndef CONVARITH_CHECKS_H
#define CONVARITH_CHECKS_H

#include "CConvKernels.h"

#if defined(DEBUG) && !defined(NDEBUG)
#include <assert.h>
#define CONVARITH_ASSERT(condition) assert(condition)
#else
#define CONVARITH_ASSERT(condition) ((void)0)
#endif

// A window plane's geometry: sizes, kernels, strides and dilations at least one on every axis (a padding may
// be larger than the window, or negative: a crop).
static inline void convarith_check_window(const convarith_window_geometry *g) {
    for (int axis = 0; axis < 3; axis++) {
        CONVARITH_ASSERT(g->input[axis] >= 1 && g->output[axis] >= 1 && g->kernel[axis] >= 1);
        CONVARITH_ASSERT(g->stride[axis] >= 1 && g->dilation[axis] >= 1);
    }
    (void)g;
}

#endif
