/* shape.cl — kernels of the shape op family (see engine/ops/shape.c). */
