/* resize.cl — kernels of the resize op family (see engine/ops/resize.c). */
