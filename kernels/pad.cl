/* pad.cl — kernels of the pad op family (see engine/ops/pad.c). */
