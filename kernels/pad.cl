/* pad.cl — Pad (see engine/ops/pad.c).
 *
 * src and dst are dense row-major. Per axis, right-aligned into 8 slots (leading slots: dims
 * 1, pads 0): `odims` the output shape, `idims` the input shape, `kept` the size of the part
 * of the input that negative pads leave, starting at `crop`, and `lead` the leading pad in
 * front of it. Output coordinate c of an axis reads kept coordinate c - lead; outside
 * [0, kept) the mode decides: constant writes cval[0], reflect mirrors without repeating the
 * edge element (repeatedly, for pads beyond kept - 1), edge clamps, wrap takes it modulo kept.
 * Only bits move, so T is an unsigned type of the element's size.
 */
#ifndef MODE
#define MODE 0 // 0 constant, 1 reflect, 2 edge, 3 wrap
#endif

kernel void pad(global const T *src, global T *dst, long n, int8 odims, int8 idims, int8 kept,
                long8 lead, long8 crop, global const T *cval) {
    long i = get_global_id(0);
    if (i >= n) return;
    int od[8] = {odims.s0, odims.s1, odims.s2, odims.s3, odims.s4, odims.s5, odims.s6, odims.s7};
    int id[8] = {idims.s0, idims.s1, idims.s2, idims.s3, idims.s4, idims.s5, idims.s6, idims.s7};
    int kd[8] = {kept.s0, kept.s1, kept.s2, kept.s3, kept.s4, kept.s5, kept.s6, kept.s7};
    long ld[8] = {lead.s0, lead.s1, lead.s2, lead.s3, lead.s4, lead.s5, lead.s6, lead.s7};
    long cr[8] = {crop.s0, crop.s1, crop.s2, crop.s3, crop.s4, crop.s5, crop.s6, crop.s7};
    long r = i, so = 0, stride = 1;
    for (int k = 7; k >= 0; k--) {
        long q = r / od[k];
        long x = r - q * od[k] - ld[k];
        long d = kd[k];
        r = q;
        if (x < 0 || x >= d) {
#if MODE == 0
            dst[i] = cval[0];
            return;
#elif MODE == 1
            long per = 2 * (d - 1);
            if (per == 0) {
                x = 0;
            } else {
                x %= per;
                if (x < 0) x += per;
                if (x >= d) x = per - x;
            }
#elif MODE == 2
            x = x < 0 ? 0 : d - 1;
#else
            x %= d;
            if (x < 0) x += d;
#endif
        }
        so += (cr[k] + x) * stride;
        stride *= id[k];
    }
    dst[i] = src[so];
}
