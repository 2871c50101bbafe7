/* reduce.cl — kernels of the reduce op family (see engine/ops/reduce.c). */
