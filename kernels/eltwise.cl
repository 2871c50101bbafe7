/* eltwise.cl — kernels of the eltwise op family (see engine/ops/eltwise.c). */
