/* gemm.cl — kernels of the gemm op family (see engine/ops/gemm.c). */
