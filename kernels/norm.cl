/* norm.cl — kernels of the norm op family (see engine/ops/norm.c). */
