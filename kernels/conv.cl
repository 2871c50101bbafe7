/* conv.cl — kernels of the conv op family (see engine/ops/conv.c). */
