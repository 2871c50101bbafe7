/* pool.cl — kernels of the pool op family (see engine/ops/pool.c). */
