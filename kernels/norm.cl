/* norm.cl — normalisation kernels (engine/ops/norm.c).
 *
 * batchnorm: inference-mode BatchNormalization on X of shape (N, C, S...), dense row-major,
 * seen as rows = N*C planes of S elements:
 *   Y = (X - mean[c]) / sqrt(var[c] + eps) * scale[c] + bias[c]
 * computed as X * a + b with a = scale / sqrt(var + eps), b = bias - mean * a (as
 * onnxruntime does). Global (S, rows); one element per work-item.
 */

__kernel void batchnorm(__global const T *X, __global const T *scale, __global const T *bias,
                        __global const T *mean, __global const T *var, __global T *Y,
                        const int C, const int S, const int rows, const float eps) {
    const int i = get_global_id(0), row = get_global_id(1);
    if (i >= S || row >= rows) return;
    const int c = row % C;
    const float a = (float)scale[c] / sqrt((float)var[c] + eps);
    const float b = (float)bias[c] - (float)mean[c] * a;
    const long o = (long)row * S + i;
    Y[o] = (T)((float)X[o] * a + b);
}
