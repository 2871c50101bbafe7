/* trtpreprocess.cl - one video frame -> one batch slot of a network input, in one pass:
 * colour conversion, bilinear resize, letterbox padding or centre crop, channel order and
 * per-channel normalisation. Compiled by the trtinfer element (gst/), not by the engine.
 *
 * Source: the frame's planes copied into one byte buffer; plane i starts at byte
 * planes.s[i] and has rows of strides.s[i] bytes (any stride, as the frame's GstVideoMeta
 * says). Chroma of NV12/I420 is subsampled 2x2; odd sizes round the chroma size up.
 * Destination: the input tensor, dense, NCHW (default) or NHWC (-DNHWC); this frame's
 * slot starts at element dst_off. OUT_C channels (3, or 1 for a grey network).
 * Geometry: the centre of destination pixel (dx, dy) samples the source at
 *   sx = (dx + 0.5 - off.x) / scale.x - 0.5,   sy likewise,
 * and pixels outside the content rectangle [box.x, box.z) x [box.y, box.w) get `pad`.
 * Values: v (RGB or grey, 0..255) becomes mul * v + add, per destination channel.
 * One work-item per destination pixel; the global size may exceed the tensor (bounds
 * checked).
 */

/* Source format: exactly one of SRC_PACKED, SRC_GRAY, SRC_NV12, SRC_I420. */
#if !defined(SRC_PACKED) && !defined(SRC_GRAY) && !defined(SRC_NV12) && !defined(SRC_I420)
#define SRC_PACKED
#endif
#ifndef BPP
#define BPP 4 // SRC_PACKED: bytes per pixel (3 or 4)
#endif
#ifndef R_POS
#define R_POS 0 // SRC_PACKED: byte of red in a pixel
#endif
#ifndef G_POS
#define G_POS 1 // SRC_PACKED: byte of green
#endif
#ifndef B_POS
#define B_POS 2 // SRC_PACKED: byte of blue
#endif
#ifndef OUT_C
#define OUT_C 3 // destination channels: 3 (colour) or 1 (grey)
#endif
/* -DBGR: colour channels leave in B, G, R order. -DNHWC: channels-last destination.
 * -DOUT_U8: destination is uchar (rounded, saturated) instead of float. */
#ifdef OUT_U8
#define DST_T uchar
#define STORE(v) convert_uchar_sat_rte(v)
#else
#define DST_T float
#define STORE(v) (v)
#endif

/* RGB (0..255) of source pixel (x, y); yuv rows are the YCbCr -> RGB matrix (xyz) with
 * the luma and chroma offsets in yuv_off. */
inline float3 fetch(__global const uchar *src, int4 planes, int4 strides, int x, int y,
                    float4 m0, float4 m1, float4 m2, float2 yuv_off) {
#if defined(SRC_PACKED)
    __global const uchar *p = src + planes.x + y * strides.x + x * BPP;
    return (float3)(p[R_POS], p[G_POS], p[B_POS]);
#elif defined(SRC_GRAY)
    float g = src[planes.x + y * strides.x + x];
    return (float3)(g, g, g);
#else
    float Y = src[planes.x + y * strides.x + x];
#if defined(SRC_NV12)
    __global const uchar *uv = src + planes.y + (y >> 1) * strides.y + (x >> 1) * 2;
    float U = uv[0], V = uv[1];
#else
    float U = src[planes.y + (y >> 1) * strides.y + (x >> 1)];
    float V = src[planes.z + (y >> 1) * strides.z + (x >> 1)];
#endif
    float3 yuv = (float3)(Y - yuv_off.x, U - yuv_off.y, V - yuv_off.y);
    float3 rgb = (float3)(dot(m0.xyz, yuv), dot(m1.xyz, yuv), dot(m2.xyz, yuv));
    return clamp(rgb, 0.0f, 255.0f);
#endif
}

__kernel void trt_preprocess(__global const uchar *src, int4 planes, int4 strides,
                             int src_w, int src_h, __global DST_T *dst, int dst_off, int dst_w,
                             int dst_h, float2 scale, float2 off, int4 box, float4 mul,
                             float4 add, float pad, float4 m0, float4 m1, float4 m2,
                             float2 yuv_off) {
    int dx = get_global_id(0), dy = get_global_id(1);
    if (dx >= dst_w || dy >= dst_h) return;
    float3 v;
    if (dx < box.x || dx >= box.z || dy < box.y || dy >= box.w) {
        v = (float3)(pad, pad, pad);
    } else {
        float sx = ((float)dx + 0.5f - off.x) / scale.x - 0.5f;
        float sy = ((float)dy + 0.5f - off.y) / scale.y - 0.5f;
        sx = clamp(sx, 0.0f, (float)(src_w - 1));
        sy = clamp(sy, 0.0f, (float)(src_h - 1));
        int x0 = (int)sx, y0 = (int)sy;
        int x1 = min(x0 + 1, src_w - 1), y1 = min(y0 + 1, src_h - 1);
        float fx = sx - (float)x0, fy = sy - (float)y0;
        float3 a = fetch(src, planes, strides, x0, y0, m0, m1, m2, yuv_off);
        float3 b = fetch(src, planes, strides, x1, y0, m0, m1, m2, yuv_off);
        float3 c = fetch(src, planes, strides, x0, y1, m0, m1, m2, yuv_off);
        float3 d = fetch(src, planes, strides, x1, y1, m0, m1, m2, yuv_off);
        float3 top = a + (b - a) * fx, bot = c + (d - c) * fx;
        v = top + (bot - top) * fy;
    }
    int plane = dst_w * dst_h, pix = dy * dst_w + dx;
#if OUT_C == 1
    float g = 0.299f * v.x + 0.587f * v.y + 0.114f * v.z;
    dst[dst_off + pix] = STORE(mul.x * g + add.x);
#else
#ifdef BGR
    v = v.zyx;
#endif
    float3 o = v * mul.xyz + add.xyz;
#ifdef NHWC
    __global DST_T *q = dst + dst_off + pix * 3;
    q[0] = STORE(o.x);
    q[1] = STORE(o.y);
    q[2] = STORE(o.z);
#else
    dst[dst_off + pix] = STORE(o.x);
    dst[dst_off + plane + pix] = STORE(o.y);
    dst[dst_off + 2 * plane + pix] = STORE(o.z);
#endif
#endif
}
