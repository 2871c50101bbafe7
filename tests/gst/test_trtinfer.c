/* GStreamer trtinfer element tests (gst-check).
 *
 * Fixture models come from make_fixtures.py (run by meson into the build folder, named by
 * TRT_GST_FIXTURES). Preprocessing is checked through identity models with
 * attach-tensors=true: the output tensor is what the kernel wrote, compared with a CPU
 * reference written here from the documented geometry (docs/element-trtinfer.md).
 * Decoders are checked with models whose outputs are constant boxes (fixtures.h).
 */
#include <math.h>
#include <string.h>
#include <unistd.h>
#include <utime.h>
#include <glib/gstdio.h>

#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>

#include "gsttrtmeta.h"
#include "fixtures.h"

static const gchar *fixdir;

static gchar *
fixture (const gchar * name)
{
  return g_build_filename (fixdir, name, NULL);
}

/* ---------------------------------------------------------------- frames */

static const GstVideoFormat all_formats[] = {
  GST_VIDEO_FORMAT_NV12, GST_VIDEO_FORMAT_I420, GST_VIDEO_FORMAT_RGB,
  GST_VIDEO_FORMAT_BGR, GST_VIDEO_FORMAT_RGBx, GST_VIDEO_FORMAT_BGRx,
  GST_VIDEO_FORMAT_RGBA, GST_VIDEO_FORMAT_BGRA, GST_VIDEO_FORMAT_GRAY8,
};

static gchar *
caps_string (GstVideoFormat fmt, gint w, gint h)
{
  return g_strdup_printf ("video/x-raw,format=%s,width=%d,height=%d,"
      "framerate=30/1%s", gst_video_format_to_string (fmt), w, h,
      GST_VIDEO_FORMAT_INFO_IS_YUV (gst_video_format_get_info (fmt)) ?
      ",colorimetry=bt601" : "");
}

/* A frame of pseudo-random bytes. With `extra_stride`, every plane's rows are that many
 * bytes longer than needed and the layout is described by a GstVideoMeta. */
static GstBuffer *
make_frame (const GstVideoInfo * info, guint extra_stride, guint32 seed)
{
  const GstVideoFormatInfo *finfo = info->finfo;
  gsize offsets[GST_VIDEO_MAX_PLANES] = { 0 }, size = 0;
  gint strides[GST_VIDEO_MAX_PLANES] = { 0 };
  guint n_planes = GST_VIDEO_INFO_N_PLANES (info);
  GstBuffer *buf;
  GstMapInfo map;
  GRand *rand = g_rand_new_with_seed (seed);

  if (extra_stride == 0) {
    size = GST_VIDEO_INFO_SIZE (info);
  } else {
    for (guint p = 0; p < n_planes; p++) {
      gint comps[GST_VIDEO_MAX_COMPONENTS];
      gint rows;

      gst_video_format_info_component (finfo, p, comps);
      rows = GST_VIDEO_FORMAT_INFO_SCALE_HEIGHT (finfo, comps[0],
          GST_VIDEO_INFO_HEIGHT (info));
      strides[p] = GST_VIDEO_INFO_PLANE_STRIDE (info, p) + extra_stride;
      offsets[p] = size;
      size += (gsize) strides[p] * rows + 16;
    }
  }
  buf = gst_buffer_new_allocate (NULL, size, NULL);
  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  for (gsize i = 0; i < size; i++)
    map.data[i] = (guint8) g_rand_int_range (rand, 0, 256);
  gst_buffer_unmap (buf, &map);
  if (extra_stride)
    gst_buffer_add_video_meta_full (buf, GST_VIDEO_FRAME_FLAG_NONE,
        GST_VIDEO_INFO_FORMAT (info), GST_VIDEO_INFO_WIDTH (info),
        GST_VIDEO_INFO_HEIGHT (info), n_planes, offsets, strides);
  g_rand_free (rand);
  return buf;
}

static GstBuffer *
make_solid_rgb (gint w, gint h, guint8 r, guint8 g, guint8 b)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, (gsize) w * h * 3, NULL);
  GstMapInfo map;

  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  for (gint i = 0; i < w * h; i++) {
    map.data[3 * i] = r;
    map.data[3 * i + 1] = g;
    map.data[3 * i + 2] = b;
  }
  gst_buffer_unmap (buf, &map);
  return buf;
}

/* ---------------------------------------------------------------- reference */

typedef enum
{ REF_STRETCH, REF_LETTERBOX, REF_CROP } RefResize;

typedef struct
{
  gint w, h, c;
  gboolean nhwc, u8, bgr, symmetric;
  RefResize resize;
  gdouble pad;
  gdouble mul[3], add[3];
} RefNet;

static RefNet
ref_net (gint w, gint h, gint c)
{
  RefNet n = { w, h, c, FALSE, FALSE, FALSE, TRUE, REF_LETTERBOX, 114.0,
    {1 / 255.0, 1 / 255.0, 1 / 255.0}, {0, 0, 0}
  };
  return n;
}

/* Frame -> network mapping as documented: net = frame * scale + off; `box` is the
 * part of the network input showing the picture. */
static void
ref_geometry (const RefNet * n, gint fw, gint fh, gdouble * sx, gdouble * sy,
    gdouble * ox, gdouble * oy, gint box[4])
{
  gdouble kx = (gdouble) n->w / fw, ky = (gdouble) n->h / fh;

  *ox = *oy = 0;
  box[0] = box[1] = 0;
  box[2] = n->w;
  box[3] = n->h;
  if (n->resize == REF_STRETCH) {
    *sx = kx;
    *sy = ky;
  } else if (n->resize == REF_LETTERBOX) {
    gdouble s = MIN (kx, ky);
    gint cw = (gint) lround (fw * s), ch = (gint) lround (fh * s);
    gint px = n->symmetric ? (n->w - cw) / 2 : 0;
    gint py = n->symmetric ? (n->h - ch) / 2 : 0;

    *sx = (gdouble) cw / fw;
    *sy = (gdouble) ch / fh;
    *ox = px;
    *oy = py;
    box[0] = px;
    box[1] = py;
    box[2] = px + cw;
    box[3] = py + ch;
  } else {
    gdouble s = MAX (kx, ky);

    *sx = *sy = s;
    *ox = (n->w - fw * s) / 2;
    *oy = (n->h - fh * s) / 2;
  }
}

/* RGB of pixel (x, y), 0..255, from the format's component description; YCbCr as
 * BT.601 limited range with the published coefficients. */
static void
ref_rgb (const GstVideoFrame * f, gint x, gint y, gdouble rgb[3])
{
  const GstVideoFormatInfo *fi = f->info.finfo;
  gdouble v[3];
  guint nc = GST_VIDEO_FORMAT_INFO_IS_GRAY (fi) ? 1 : 3;

  for (guint c = 0; c < nc; c++) {
    gint cx = x >> GST_VIDEO_FORMAT_INFO_W_SUB (fi, c);
    gint cy = y >> GST_VIDEO_FORMAT_INFO_H_SUB (fi, c);
    const guint8 *p = (const guint8 *) GST_VIDEO_FRAME_COMP_DATA (f, c) +
        cy * GST_VIDEO_FRAME_COMP_STRIDE (f, c) +
        cx * GST_VIDEO_FRAME_COMP_PSTRIDE (f, c);

    v[c] = *p;
  }
  if (nc == 1) {
    rgb[0] = rgb[1] = rgb[2] = v[0];
  } else if (GST_VIDEO_FORMAT_INFO_IS_YUV (fi)) {
    gdouble Y = v[0] - 16, U = v[1] - 128, V = v[2] - 128;

    rgb[0] = CLAMP (1.164383 * Y + 1.596027 * V, 0, 255);
    rgb[1] = CLAMP (1.164383 * Y - 0.391762 * U - 0.812968 * V, 0, 255);
    rgb[2] = CLAMP (1.164383 * Y + 2.017232 * U, 0, 255);
  } else {
    memcpy (rgb, v, sizeof v);
  }
}

/* The network input for `f`: n->c x n->h x n->w values in the tensor's layout. */
static gdouble *
ref_tensor (const RefNet * n, const GstVideoFrame * f)
{
  gint fw = GST_VIDEO_FRAME_WIDTH (f), fh = GST_VIDEO_FRAME_HEIGHT (f);
  gdouble sx, sy, ox, oy;
  gint box[4];
  gdouble *out = g_new (gdouble, n->c * n->w * n->h);

  ref_geometry (n, fw, fh, &sx, &sy, &ox, &oy, box);
  for (gint y = 0; y < n->h; y++)
    for (gint x = 0; x < n->w; x++) {
      gdouble v[3], ch[3];

      if (x < box[0] || x >= box[2] || y < box[1] || y >= box[3]) {
        v[0] = v[1] = v[2] = n->pad;
      } else {
        gdouble fx = CLAMP ((x + 0.5 - ox) / sx - 0.5, 0, fw - 1);
        gdouble fy = CLAMP ((y + 0.5 - oy) / sy - 0.5, 0, fh - 1);
        gint x0 = (gint) fx, y0 = (gint) fy;
        gint x1 = MIN (x0 + 1, fw - 1), y1 = MIN (y0 + 1, fh - 1);
        gdouble ax = fx - x0, ay = fy - y0, a[3], b[3], c[3], d[3];

        ref_rgb (f, x0, y0, a);
        ref_rgb (f, x1, y0, b);
        ref_rgb (f, x0, y1, c);
        ref_rgb (f, x1, y1, d);
        for (gint k = 0; k < 3; k++) {
          gdouble top = a[k] + (b[k] - a[k]) * ax;
          gdouble bot = c[k] + (d[k] - c[k]) * ax;

          v[k] = top + (bot - top) * ay;
        }
      }
      if (n->c == 1) {
        ch[0] = 0.299 * v[0] + 0.587 * v[1] + 0.114 * v[2];
      } else {
        for (gint k = 0; k < 3; k++)
          ch[k] = v[n->bgr ? 2 - k : k];
      }
      for (gint k = 0; k < n->c; k++) {
        gdouble o = n->mul[k] * ch[k] + n->add[k];
        gsize i = n->nhwc ? ((gsize) y * n->w + x) * n->c + k :
            ((gsize) k * n->h + y) * n->w + x;

        out[i] = n->u8 ? CLAMP (rint (o), 0, 255) : o;
      }
    }
  return out;
}

/* Compares the tensor attached to `buf` with the reference for `frame_buf` (the same
 * picture as it went in). */
static void
check_tensor (GstBuffer * buf, const RefNet * n, const GstVideoInfo * info,
    GstBuffer * frame_buf, const gchar * what)
{
  const GstStructure *s = gst_trt_buffer_get_tensors (buf);
  const gchar *dtype = NULL;
  gint64 dims[8];
  GBytes *bytes = NULL;
  gint rank;
  GstVideoFrame f;
  gdouble *ref, max_err = 0, tol;
  gsize count = (gsize) n->c * n->w * n->h, worst = 0;
  gconstpointer data;
  gsize size;

  /* float32: 2% of one 8-bit level (the kernel samples at float coordinates);
   * uint8: rounding */
  tol = n->u8 ? 1.0 : 0.02 * MAX (MAX (fabs (n->mul[0]), fabs (n->mul[1])),
      fabs (n->mul[2]));
  fail_unless (s != NULL, "%s: no tensor meta", what);
  rank = gst_trt_tensors_get (s, 0, NULL, &dtype, dims, &bytes);
  fail_unless_equals_int (rank, 4);
  fail_unless_equals_int (dims[0], 1);
  fail_unless (bytes != NULL);
  data = g_bytes_get_data (bytes, &size);
  fail_unless_equals_uint64 (size, count * (n->u8 ? 1 : 4));
  fail_unless_equals_string (dtype, n->u8 ? "uint8" : "float32");

  fail_unless (gst_video_frame_map (&f, (GstVideoInfo *) info, frame_buf,
          GST_MAP_READ));
  ref = ref_tensor (n, &f);
  gst_video_frame_unmap (&f);
  for (gsize i = 0; i < count; i++) {
    gdouble got = n->u8 ? ((const guint8 *) data)[i] :
        ((const gfloat *) data)[i];
    gdouble err = fabs (got - ref[i]);

    if (!(err <= max_err)) {
      max_err = err;
      worst = i;
    }
  }
  fail_unless (max_err <= tol, "%s: element %" G_GSIZE_FORMAT " is %g, "
      "expected %g (max error %g > %g)", what, worst,
      n->u8 ? ((const guint8 *) data)[worst] : ((const gfloat *) data)[worst],
      ref[worst], max_err, tol);
  g_free (ref);
}

/* ---------------------------------------------------------------- harness */

static GstHarness *
harness (const gchar * props, const gchar * caps)
{
  gchar *desc = g_strdup_printf ("trtinfer %s", props);
  GstHarness *h = gst_harness_new_parse (desc);

  g_free (desc);
  if (caps)
    gst_harness_set_src_caps_str (h, caps);
  return h;
}

static gchar *
model_props (const gchar * model, const gchar * extra)
{
  gchar *path = fixture (model);
  gchar *p = g_strdup_printf ("model=\"%s\" %s", path, extra ? extra : "");

  g_free (path);
  return p;
}

static void
push_eos (GstHarness * h)
{
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
}

/* ---------------------------------------------------------------- preprocessing */

/* Every input format, at a small size and at 641x481 with padded strides. */
GST_START_TEST (test_preprocess_formats)
{
  GstVideoFormat fmt = all_formats[__i__ / 2];
  gboolean odd = __i__ % 2;
  gint w = odd ? 641 : 64, h = odd ? 481 : 48;
  gchar *caps = caps_string (fmt, w, h);
  gchar *props = model_props ("identity.onnx", "attach-tensors=true");
  GstHarness *hn = harness (props, caps);
  GstVideoInfo info;
  RefNet n = ref_net (56, 40, 3);
  GstBuffer *in, *out;
  gchar *what = g_strdup_printf ("%s %dx%d%s", gst_video_format_to_string (fmt),
      w, h, odd ? " strided" : "");

  gst_video_info_set_format (&info, fmt, w, h);
  info.colorimetry.matrix = GST_VIDEO_COLOR_MATRIX_BT601;
  info.colorimetry.range = GST_VIDEO_COLOR_RANGE_16_235;
  in = make_frame (&info, odd ? 24 : 0, 1234 + __i__);
  gst_harness_push (hn, gst_buffer_ref (in));
  out = gst_harness_pull (hn);
  fail_unless (out != NULL);
  check_tensor (out, &n, &info, in, what);
  /* the picture itself passes untouched */
  {
    GstMapInfo a, b;

    gst_buffer_map (in, &a, GST_MAP_READ);
    gst_buffer_map (out, &b, GST_MAP_READ);
    fail_unless_equals_uint64 (a.size, b.size);
    fail_unless (memcmp (a.data, b.data, a.size) == 0, "%s: pixels changed",
        what);
    gst_buffer_unmap (in, &a);
    gst_buffer_unmap (out, &b);
  }
  gst_buffer_unref (out);
  gst_buffer_unref (in);
  gst_harness_teardown (hn);
  g_free (what);
  g_free (props);
  g_free (caps);
}

GST_END_TEST;

/* Resize modes, padding, channel order and both normalisations on one format. */
static const struct
{
  const gchar *props;
  RefResize resize;
  gboolean symmetric, bgr;
  gdouble mul[3], add[3];
  gdouble pad;
} norm_cases[] = {
  {"resize=stretch", REF_STRETCH, TRUE, FALSE, {1 / 255.0, 1 / 255.0,
          1 / 255.0}, {0, 0, 0}, 114},
  {"resize=letterbox pad-value=0", REF_LETTERBOX, TRUE, FALSE, {1 / 255.0,
          1 / 255.0, 1 / 255.0}, {0, 0, 0}, 0},
  {"resize=letterbox symmetric-padding=false", REF_LETTERBOX, FALSE, FALSE,
      {1 / 255.0, 1 / 255.0, 1 / 255.0}, {0, 0, 0}, 114},
  {"resize=crop channel-order=bgr", REF_CROP, TRUE, TRUE, {1 / 255.0,
          1 / 255.0, 1 / 255.0}, {0, 0, 0}, 114},
  {"mean=\"<0.485,0.456,0.406>\" std=\"<0.229,0.224,0.225>\"", REF_LETTERBOX,
        TRUE, FALSE, {1 / (255 * 0.229), 1 / (255 * 0.224), 1 / (255 * 0.225)},
      {-0.485 / 0.229, -0.456 / 0.224, -0.406 / 0.225}, 114},
  {"scale=0.5 offsets=\"<100,50,10>\" channel-order=bgr", REF_LETTERBOX, TRUE,
      TRUE, {0.5, 0.5, 0.5}, {-50, -25, -5}, 114},
};

GST_START_TEST (test_preprocess_options)
{
  gchar *caps = caps_string (GST_VIDEO_FORMAT_RGBA, 641, 481);
  gchar *extra = g_strdup_printf ("attach-tensors=true %s",
      norm_cases[__i__].props);
  gchar *props = model_props ("identity.onnx", extra);
  GstHarness *hn = harness (props, caps);
  GstVideoInfo info;
  RefNet n = ref_net (56, 40, 3);
  GstBuffer *in, *out;

  n.resize = norm_cases[__i__].resize;
  n.symmetric = norm_cases[__i__].symmetric;
  n.bgr = norm_cases[__i__].bgr;
  n.pad = norm_cases[__i__].pad;
  memcpy (n.mul, norm_cases[__i__].mul, sizeof n.mul);
  memcpy (n.add, norm_cases[__i__].add, sizeof n.add);
  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_RGBA, 641, 481);
  in = make_frame (&info, 0, 99);
  gst_harness_push (hn, gst_buffer_ref (in));
  out = gst_harness_pull (hn);
  check_tensor (out, &n, &info, in, norm_cases[__i__].props);
  gst_buffer_unref (out);
  gst_buffer_unref (in);
  gst_harness_teardown (hn);
  g_free (props);
  g_free (extra);
  g_free (caps);
}

GST_END_TEST;

/* Channels-last, grey and uint8 network inputs. */
static const struct
{
  const gchar *model;
  gint w, h, c;
  gboolean nhwc, u8;
  GstVideoFormat fmt;
} layout_cases[] = {
  {"identity_nhwc.onnx", 32, 24, 3, TRUE, FALSE, GST_VIDEO_FORMAT_NV12},
  {"identity_gray.onnx", 32, 24, 1, FALSE, FALSE, GST_VIDEO_FORMAT_BGRx},
  {"identity_gray.onnx", 32, 24, 1, FALSE, FALSE, GST_VIDEO_FORMAT_GRAY8},
  {"identity_u8.onnx", 16, 16, 3, FALSE, TRUE, GST_VIDEO_FORMAT_I420},
};

GST_START_TEST (test_preprocess_layouts)
{
  GstVideoFormat fmt = layout_cases[__i__].fmt;
  gchar *caps = caps_string (fmt, 97, 61);
  const gchar *extra = layout_cases[__i__].u8 ?
      "attach-tensors=true scale=1" : "attach-tensors=true";
  gchar *props = model_props (layout_cases[__i__].model, extra);
  GstHarness *hn = harness (props, caps);
  GstVideoInfo info;
  RefNet n = ref_net (layout_cases[__i__].w, layout_cases[__i__].h,
      layout_cases[__i__].c);
  GstBuffer *in, *out;

  n.nhwc = layout_cases[__i__].nhwc;
  n.u8 = layout_cases[__i__].u8;
  if (n.u8)
    n.mul[0] = n.mul[1] = n.mul[2] = 1.0;
  gst_video_info_set_format (&info, fmt, 97, 61);
  info.colorimetry.matrix = GST_VIDEO_COLOR_MATRIX_BT601;
  info.colorimetry.range = GST_VIDEO_COLOR_RANGE_16_235;
  in = make_frame (&info, 0, 7 + __i__);
  gst_harness_push (hn, gst_buffer_ref (in));
  out = gst_harness_pull (hn);
  check_tensor (out, &n, &info, in, layout_cases[__i__].model);
  gst_buffer_unref (out);
  gst_buffer_unref (in);
  gst_harness_teardown (hn);
  g_free (props);
  g_free (caps);
}

GST_END_TEST;

/* ---------------------------------------------------------------- batching and time */

/* Frames leave in order with their timestamps, offsets and flags, and each carries the
 * result of its own batch slot; a partial batch at EOS runs too. */
static void
run_order_test (const gchar * model, guint batch, guint n_frames,
    const gchar * extra_props)
{
  gchar *caps = caps_string (GST_VIDEO_FORMAT_I420, 64, 48);
  gchar *extra = g_strdup_printf ("attach-tensors=true batch-size=%u %s",
      batch, extra_props ? extra_props : "");
  gchar *props = model_props (model, extra);
  GstHarness *hn = harness (props, caps);
  GstVideoInfo info;
  RefNet n = g_str_equal (model, "identity_b2.onnx") ? ref_net (8, 8, 3) :
      ref_net (56, 40, 3);
  GstBuffer **in = g_new0 (GstBuffer *, n_frames);

  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_I420, 64, 48);
  info.colorimetry.matrix = GST_VIDEO_COLOR_MATRIX_BT601;
  info.colorimetry.range = GST_VIDEO_COLOR_RANGE_16_235;
  for (guint i = 0; i < n_frames; i++) {
    GstBuffer *b = make_frame (&info, 0, 500 + i);

    GST_BUFFER_PTS (b) = i * 40 * GST_MSECOND;
    GST_BUFFER_DTS (b) = i * 40 * GST_MSECOND + 1;
    GST_BUFFER_DURATION (b) = 40 * GST_MSECOND;
    GST_BUFFER_OFFSET (b) = i;
    GST_BUFFER_OFFSET_END (b) = i + 1;
    if (i % 3 == 1)
      GST_BUFFER_FLAG_SET (b, GST_BUFFER_FLAG_DELTA_UNIT);
    if (i == 0)
      GST_BUFFER_FLAG_SET (b, GST_BUFFER_FLAG_DISCONT);
    in[i] = b;
    fail_unless_equals_int (gst_harness_push (hn, gst_buffer_ref (b)),
        GST_FLOW_OK);
  }
  push_eos (hn);
  fail_unless_equals_int (gst_harness_buffers_in_queue (hn), n_frames);
  for (guint i = 0; i < n_frames; i++) {
    GstBuffer *out = gst_harness_pull (hn);
    gchar *what = g_strdup_printf ("%s batch %u frame %u", model, batch, i);

    fail_unless_equals_uint64 (GST_BUFFER_PTS (out), GST_BUFFER_PTS (in[i]));
    fail_unless_equals_uint64 (GST_BUFFER_DTS (out), GST_BUFFER_DTS (in[i]));
    fail_unless_equals_uint64 (GST_BUFFER_DURATION (out),
        GST_BUFFER_DURATION (in[i]));
    fail_unless_equals_uint64 (GST_BUFFER_OFFSET (out), i);
    fail_unless_equals_uint64 (GST_BUFFER_OFFSET_END (out), i + 1);
    fail_unless_equals_int (GST_BUFFER_FLAGS (out) &
        (GST_BUFFER_FLAG_DELTA_UNIT | GST_BUFFER_FLAG_DISCONT),
        GST_BUFFER_FLAGS (in[i]) & (GST_BUFFER_FLAG_DELTA_UNIT |
            GST_BUFFER_FLAG_DISCONT));
    check_tensor (out, &n, &info, in[i], what);
    gst_buffer_unref (out);
    gst_buffer_unref (in[i]);
    g_free (what);
  }
  g_free (in);
  gst_harness_teardown (hn);
  g_free (props);
  g_free (extra);
  g_free (caps);
}

GST_START_TEST (test_batch_1)
{
  run_order_test ("identity.onnx", 1, 5, NULL);
}

GST_END_TEST;

GST_START_TEST (test_batch_4)
{
  /* 10 frames: two full batches and a partial one at EOS; no timeout */
  run_order_test ("identity.onnx", 4, 10, "batch-timeout=18446744073709551615");
}

GST_END_TEST;

GST_START_TEST (test_batch_4_timeout)
{
  /* batches cut short by a zero timeout still map frames to their slots */
  run_order_test ("identity.onnx", 4, 9, "batch-timeout=0 max-in-flight=3");
}

GST_END_TEST;

GST_START_TEST (test_batch_fixed)
{
  /* an engine with a fixed batch of 2: batch-size 0 takes it, a lone last frame runs
   * in a batch of 2 */
  run_order_test ("identity_b2.onnx", 0, 5, NULL);
}

GST_END_TEST;

/* Every 3rd frame is inferred; the others pass without metadata. */
GST_START_TEST (test_inference_interval)
{
  gchar *caps = caps_string (GST_VIDEO_FORMAT_RGB, 32, 32);
  gchar *props = model_props ("classify.onnx", "inference-interval=3");
  GstHarness *hn = harness (props, caps);

  for (guint i = 0; i < 7; i++)
    gst_harness_push (hn, make_solid_rgb (32, 32, 255, 0, 0));
  push_eos (hn);
  for (guint i = 0; i < 7; i++) {
    GstBuffer *out = gst_harness_pull (hn);
    gboolean has = gst_buffer_get_video_region_of_interest_meta (out) != NULL;

    fail_unless_equals_int (has, i % 3 == 0);
    gst_buffer_unref (out);
  }
  gst_harness_teardown (hn);
  g_free (props);
  g_free (caps);
}

GST_END_TEST;

/* Frames a QoS event reports late skip inference (qos-policy=skip-inference) but pass;
 * with qos-policy=infer they are inferred anyway. */
GST_START_TEST (test_qos)
{
  gboolean skip = __i__ == 0;
  gchar *caps = caps_string (GST_VIDEO_FORMAT_RGB, 32, 32);
  gchar *props = model_props ("classify.onnx", skip ?
      "qos-policy=skip-inference" : "qos-policy=infer");
  GstHarness *hn = harness (props, caps);

  /* late by 100 ms at 200 ms: frames up to 300 ms are too late */
  gst_harness_push_upstream_event (hn,
      gst_event_new_qos (GST_QOS_TYPE_UNDERFLOW, 1.5, 100 * GST_MSECOND,
          200 * GST_MSECOND));
  for (guint i = 0; i < 10; i++) {
    GstBuffer *b = make_solid_rgb (32, 32, 0, 255, 0);

    GST_BUFFER_PTS (b) = i * 50 * GST_MSECOND;
    GST_BUFFER_DURATION (b) = 50 * GST_MSECOND;
    gst_harness_push (hn, b);
  }
  push_eos (hn);
  for (guint i = 0; i < 10; i++) {
    GstBuffer *out = gst_harness_pull (hn);
    gboolean has = gst_buffer_get_video_region_of_interest_meta (out) != NULL;

    fail_unless_equals_int (has, !skip || i * 50 > 300);
    gst_buffer_unref (out);
  }
  gst_harness_teardown (hn);
  g_free (props);
  g_free (caps);
}

GST_END_TEST;

/* The LATENCY query adds the element's latency: the batch wait when batching, plus the
 * measured run time. */
GST_START_TEST (test_latency)
{
  gchar *caps = caps_string (GST_VIDEO_FORMAT_RGB, 32, 32);
  gchar *props = model_props ("classify.onnx",
      "batch-size=4 batch-timeout=50000000");
  GstHarness *hn = harness (props, caps);
  GstClockTime min;

  gst_harness_set_upstream_latency (hn, 10 * GST_MSECOND);
  min = gst_harness_query_latency (hn);
  fail_unless (min >= 60 * GST_MSECOND, "latency %" GST_TIME_FORMAT,
      GST_TIME_ARGS (min));
  fail_unless (min < 60 * GST_MSECOND + 10 * GST_SECOND);
  gst_harness_teardown (hn);
  g_free (props);
  g_free (caps);
}

GST_END_TEST;

/* A flush drops the queued frames; frames after it flow normally. */
GST_START_TEST (test_flush)
{
  gchar *caps = caps_string (GST_VIDEO_FORMAT_RGB, 32, 32);
  gchar *props = model_props ("classify.onnx",
      "batch-size=4 batch-timeout=18446744073709551615");
  GstHarness *hn = harness (props, caps);
  GstSegment seg;

  for (guint i = 0; i < 3; i++)
    gst_harness_push (hn, make_solid_rgb (32, 32, 255, 0, 0));
  /* a partial batch without timeout waits */
  fail_unless_equals_int (gst_harness_buffers_received (hn), 0);
  fail_unless (gst_harness_push_event (hn, gst_event_new_flush_start ()));
  fail_unless (gst_harness_push_event (hn, gst_event_new_flush_stop (TRUE)));
  gst_segment_init (&seg, GST_FORMAT_TIME);
  fail_unless (gst_harness_push_event (hn, gst_event_new_segment (&seg)));
  for (guint i = 0; i < 2; i++) {
    GstBuffer *b = make_solid_rgb (32, 32, 0, 0, 255);

    GST_BUFFER_PTS (b) = i;
    fail_unless_equals_int (gst_harness_push (hn, b), GST_FLOW_OK);
  }
  push_eos (hn);
  fail_unless_equals_int (gst_harness_buffers_received (hn), 2);
  for (guint i = 0; i < 2; i++) {
    GstBuffer *out = gst_harness_pull (hn);
    GstVideoRegionOfInterestMeta *roi =
        gst_buffer_get_video_region_of_interest_meta (out);
    GstTrtResult r;

    fail_unless_equals_uint64 (GST_BUFFER_PTS (out), i);
    fail_unless (roi && gst_trt_roi_get_classification (roi, 0, &r));
    fail_unless_equals_int (r.label_id, 2);
    gst_buffer_unref (out);
  }
  gst_harness_teardown (hn);
  g_free (props);
  g_free (caps);
}

GST_END_TEST;

/* Caps trtinfer cannot take: a warning says what to do, then not-negotiated. */
GST_START_TEST (test_caps_refused)
{
  gchar *props = model_props ("classify.onnx", NULL);
  GstHarness *hn = harness (props, NULL);
  GstBus *bus = gst_bus_new ();
  GstMessage *m;
  GError *err = NULL;

  gst_element_set_bus (hn->element, bus);
  gst_harness_set_src_caps_str (hn, "video/x-raw,format=YUY2,width=64,"
      "height=48,framerate=30/1");
  fail_unless_equals_int (gst_harness_push (hn, gst_buffer_new_allocate (NULL,
              64 * 48 * 2, NULL)), GST_FLOW_NOT_NEGOTIATED);
  m = gst_bus_pop_filtered (bus, GST_MESSAGE_WARNING);
  fail_unless (m != NULL);
  gst_message_parse_warning (m, &err, NULL);
  fail_unless (strstr (err->message, "insert videoconvert") != NULL, "%s",
      err->message);
  g_error_free (err);
  gst_message_unref (m);
  gst_element_set_bus (hn->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (hn);
  g_free (props);
}

GST_END_TEST;

/* GstVideoMeta is offered upstream, so any stride comes without copies. */
GST_START_TEST (test_allocation)
{
  gchar *caps_str = caps_string (GST_VIDEO_FORMAT_NV12, 641, 481);
  gchar *props = model_props ("identity.onnx", NULL);
  GstHarness *hn = harness (props, caps_str);
  GstCaps *caps = gst_caps_from_string (caps_str);
  GstQuery *q = gst_query_new_allocation (caps, TRUE);

  fail_unless (gst_pad_peer_query (hn->srcpad, q));
  fail_unless (gst_query_find_allocation_meta (q, GST_VIDEO_META_API_TYPE,
          NULL));
  gst_query_unref (q);
  gst_caps_unref (caps);
  gst_harness_teardown (hn);
  g_free (props);
  g_free (caps_str);
}

GST_END_TEST;

/* ---------------------------------------------------------------- decoders */

typedef struct
{
  gint id;
  gdouble conf, x0, y0, x1, y1; /* frame pixels */
} Expect;

/* What the fixture's boxes become on a frame of fw x fh: `nms` keeps only the boxes
 * the fixture marks as surviving NMS; all need confidence >= thr and a class in mask. */
static guint
expected_boxes (const RefNet * n, gint fw, gint fh, gboolean nms, gdouble thr,
    guint class_mask, Expect * out)
{
  gdouble sx, sy, ox, oy;
  gint box[4];
  guint k = 0;

  ref_geometry (n, fw, fh, &sx, &sy, &ox, &oy, box);
  for (guint i = 0; i < FIX_N_BOXES; i++) {
    gdouble cx = fix_boxes[i].cx, cy = fix_boxes[i].cy;
    gdouble w = fix_boxes[i].w, h = fix_boxes[i].h;

    if (fix_boxes[i].conf < thr || (nms && !fix_boxes[i].kept)
        || !(class_mask & (1u << fix_boxes[i].cls)))
      continue;
    out[k].id = fix_boxes[i].cls;
    out[k].conf = fix_boxes[i].conf;
    out[k].x0 = CLAMP ((cx - w / 2 - ox) / sx, 0, fw);
    out[k].y0 = CLAMP ((cy - h / 2 - oy) / sy, 0, fh);
    out[k].x1 = CLAMP ((cx + w / 2 - ox) / sx, 0, fw);
    out[k].y1 = CLAMP ((cy + h / 2 - oy) / sy, 0, fh);
    k++;
  }
  /* best first (the fixture lists boxes of different confidences) */
  for (guint i = 0; i < k; i++)
    for (guint j = i + 1; j < k; j++)
      if (out[j].conf > out[i].conf) {
        Expect t = out[i];
        out[i] = out[j];
        out[j] = t;
      }
  return k;
}

/* The detections on `buf`, in meta order. */
static guint
check_detections (GstBuffer * buf, gint fw, gint fh, const Expect * exp,
    guint n_exp, gboolean labelled, const gchar * what)
{
  gpointer state = NULL;
  GstMeta *m;
  guint k = 0;

  while ((m = gst_buffer_iterate_meta_filtered (buf, &state,
              GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))) {
    GstVideoRegionOfInterestMeta *roi = (GstVideoRegionOfInterestMeta *) m;
    GstTrtResult r;
    gchar num[16];
    const gchar *label;

    fail_unless (k < n_exp, "%s: more detections than the %u expected", what,
        n_exp);
    fail_unless (gst_trt_roi_get_detection (roi, &r), "%s: no detection", what);
    g_snprintf (num, sizeof num, "%d", exp[k].id);
    label = labelled ? fix_labels[exp[k].id] : num;
    fail_unless_equals_int (r.label_id, exp[k].id);
    fail_unless_equals_string (r.label, label);
    fail_unless_equals_string (g_quark_to_string (roi->roi_type), label);
    fail_unless (fabs (r.confidence - exp[k].conf) < 1e-6, "%s: conf %g",
        what, r.confidence);
    fail_unless (fabs (r.x_min * fw - exp[k].x0) < 1e-3 &&
        fabs (r.y_min * fh - exp[k].y0) < 1e-3 &&
        fabs (r.x_max * fw - exp[k].x1) < 1e-3 &&
        fabs (r.y_max * fh - exp[k].y1) < 1e-3,
        "%s: box %u is (%g,%g)-(%g,%g), expected (%g,%g)-(%g,%g)", what, k,
        r.x_min * fw, r.y_min * fh, r.x_max * fw, r.y_max * fh, exp[k].x0,
        exp[k].y0, exp[k].x1, exp[k].y1);
    /* the meta's own rectangle is the same box in whole pixels */
    fail_unless (abs ((gint) roi->x - (gint) lround (exp[k].x0)) <= 1);
    fail_unless (abs ((gint) roi->y - (gint) lround (exp[k].y0)) <= 1);
    fail_unless (abs ((gint) (roi->x + roi->w) - (gint) lround (exp[k].x1)) <=
        1);
    fail_unless (abs ((gint) (roi->y + roi->h) - (gint) lround (exp[k].y1)) <=
        1);
    k++;
  }
  fail_unless_equals_int (k, n_exp);
  return k;
}

static const struct
{
  const gchar *model;
  const gchar *props;
  RefResize resize;
  gboolean symmetric, nms;
  gdouble thr;
  guint mask;
  guint max;
} det_cases[] = {
  {"yolov8.onnx", "", REF_LETTERBOX, TRUE, TRUE, 0.25, 7, 0},
  {"yolov8.onnx", "symmetric-padding=false", REF_LETTERBOX, FALSE, TRUE,
      0.25, 7, 0},
  {"yolov8.onnx", "resize=stretch", REF_STRETCH, TRUE, TRUE, 0.25, 7, 0},
  {"yolov8.onnx", "resize=crop", REF_CROP, TRUE, TRUE, 0.25, 7, 0},
  {"yolov5.onnx", "decoder=yolo", REF_LETTERBOX, TRUE, TRUE, 0.25, 7, 0},
  {"yolov5.onnx", "confidence-threshold=0.65", REF_LETTERBOX, TRUE, TRUE,
      0.65, 7, 0},
  {"yolov8.onnx", "object-class=dog", REF_LETTERBOX, TRUE, TRUE, 0.25, 2,
      0},
  {"yolov8.onnx", "object-class=\"0, 2\"", REF_LETTERBOX, TRUE, TRUE,
      0.25, 5, 0},
  {"yolov8.onnx", "max-detections=2", REF_LETTERBOX, TRUE, TRUE, 0.25, 7,
      2},
  {"ssd.onnx", "", REF_LETTERBOX, TRUE, FALSE, 0.25, 7, 0},
  {"ssd.onnx", "decoder=ssd resize=stretch", REF_STRETCH, TRUE, FALSE,
      0.25, 7, 0},
};

GST_START_TEST (test_detection)
{
  gint fw = 641, fh = 481;
  gchar *caps = caps_string (GST_VIDEO_FORMAT_NV12, fw, fh);
  gchar *labels = fixture ("labels.txt");
  gchar *extra = g_strdup_printf ("labels-file=\"%s\" %s", labels,
      det_cases[__i__].props);
  gchar *props = model_props (det_cases[__i__].model, extra);
  GstHarness *hn = harness (props, caps);
  GstVideoInfo info;
  RefNet n = ref_net (FIX_NET, FIX_NET, 3);
  Expect exp[FIX_N_BOXES];
  guint n_exp;
  GstBuffer *out;
  gchar *what = g_strdup_printf ("%s %s", det_cases[__i__].model,
      det_cases[__i__].props);

  n.resize = det_cases[__i__].resize;
  n.symmetric = det_cases[__i__].symmetric;
  n_exp = expected_boxes (&n, fw, fh, det_cases[__i__].nms,
      det_cases[__i__].thr, det_cases[__i__].mask, exp);
  if (det_cases[__i__].max && n_exp > det_cases[__i__].max)
    n_exp = det_cases[__i__].max;
  fail_unless (n_exp > 0);
  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_NV12, fw, fh);
  gst_harness_push (hn, make_frame (&info, 0, 3));
  out = gst_harness_pull (hn);
  check_detections (out, fw, fh, exp, n_exp, TRUE, what);
  gst_buffer_unref (out);
  gst_harness_teardown (hn);
  g_free (what);
  g_free (props);
  g_free (extra);
  g_free (labels);
  g_free (caps);
}

GST_END_TEST;

/* Without labels, labels are class numbers; in a batch of 4, an output without a batch
 * dimension belongs to every frame. */
GST_START_TEST (test_detection_batch)
{
  gint fw = 320, fh = 180;
  gchar *caps = caps_string (GST_VIDEO_FORMAT_BGRx, fw, fh);
  gchar *props = model_props ("yolov8.onnx", "batch-size=4");
  GstHarness *hn = harness (props, caps);
  GstVideoInfo info;
  RefNet n = ref_net (FIX_NET, FIX_NET, 3);
  Expect exp[FIX_N_BOXES];
  guint n_exp = expected_boxes (&n, fw, fh, TRUE, 0.25, 7, exp);

  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_BGRx, fw, fh);
  for (guint i = 0; i < 6; i++)
    gst_harness_push (hn, make_frame (&info, 0, i));
  push_eos (hn);
  for (guint i = 0; i < 6; i++) {
    GstBuffer *out = gst_harness_pull (hn);

    check_detections (out, fw, fh, exp, n_exp, FALSE, "yolov8 batch 4");
    gst_buffer_unref (out);
  }
  gst_harness_teardown (hn);
  g_free (props);
  g_free (caps);
}

GST_END_TEST;

/* Classification in a batch of 4 frames of different colours: each frame gets its own
 * class (the brightest channel), on a frame-sized region, best first. */
GST_START_TEST (test_classification)
{
  gboolean bgr = __i__ == 1, fp16 = __i__ == 2;
  gchar *caps = caps_string (GST_VIDEO_FORMAT_RGB, 40, 30);
  gchar *labels = fixture ("labels.txt");
  gchar *extra = g_strdup_printf ("labels-file=\"%s\" batch-size=4 top-k=3 "
      "confidence-threshold=0 resize=stretch channel-order=%s precision=%s",
      labels, bgr ? "bgr" : "rgb", fp16 ? "fp16" : "fp32");
  gchar *props = model_props ("classify.onnx", extra);
  GstHarness *hn = harness (props, caps);
  /* the last one's channel means sum to 1: taken as probabilities, not logits */
  static const guint8 colours[6][3] = { {255, 40, 0}, {30, 255, 0},
  {0, 50, 255}, {200, 10, 0}, {0, 30, 60}, {255, 0, 0}
  };
  static const gint rgb_class[6] = { 0, 1, 2, 0, 2, 0 };

  for (guint i = 0; i < 6; i++)
    gst_harness_push (hn, make_solid_rgb (40, 30, colours[i][0],
            colours[i][1], colours[i][2]));
  push_eos (hn);
  for (guint i = 0; i < 6; i++) {
    GstBuffer *out = gst_harness_pull (hn);
    GstVideoRegionOfInterestMeta *roi =
        gst_buffer_get_video_region_of_interest_meta (out);
    gint want = bgr ? 2 - rgb_class[i] : rgb_class[i];
    GstTrtResult r[3];
    gdouble logits[3], sum = 0, p;

    fail_unless (roi != NULL);
    fail_unless_equals_int (roi->x, 0);
    fail_unless_equals_int (roi->y, 0);
    fail_unless_equals_int (roi->w, 40);
    fail_unless_equals_int (roi->h, 30);
    fail_if (gst_trt_roi_get_detection (roi, &r[0]));
    for (guint k = 0; k < 3; k++)
      fail_unless (gst_trt_roi_get_classification (roi, k, &r[k]));
    fail_if (gst_trt_roi_get_classification (roi, 3, &r[0]));
    fail_unless_equals_int (r[0].label_id, want);
    fail_unless_equals_string (r[0].label, fix_labels[want]);
    fail_unless_equals_string (g_quark_to_string (roi->roi_type),
        fix_labels[want]);
    fail_unless (r[0].confidence >= r[1].confidence
        && r[1].confidence >= r[2].confidence);
    /* logits are the channel means (0..1): softmax of the colour, unless they
     * already sum to 1 */
    for (guint k = 0; k < 3; k++) {
      logits[k] = colours[i][bgr ? 2 - k : k] / 255.0;
      sum += logits[k];
    }
    if (fabs (sum - 1.0) < 1e-6) {
      p = logits[want];
    } else {
      sum = 0;
      for (guint k = 0; k < 3; k++)
        sum += exp (logits[k]);
      p = exp (logits[want]) / sum;
    }
    /* float16 keeps 11 significant bits */
    fail_unless (fabs (r[0].confidence - p) < (fp16 ? 2e-3 : 1e-4),
        "confidence %g, want %g", r[0].confidence, p);
    gst_buffer_unref (out);
  }
  gst_harness_teardown (hn);
  g_free (props);
  g_free (extra);
  g_free (labels);
  g_free (caps);
}

GST_END_TEST;

/* ---------------------------------------------------------------- pipelines */

/* Runs `desc` to EOS or error; returns the error message (g_free) or NULL. */
static gchar *
run_pipeline (const gchar * desc, GstState until, gchar ** info_text)
{
  GstElement *p = gst_parse_launch (desc, NULL);
  GstBus *bus = gst_element_get_bus (p);
  gchar *err_text = NULL;
  gboolean done = FALSE;

  fail_unless (p != NULL);
  gst_element_set_state (p, until);
  while (!done) {
    GstMessage *m = gst_bus_timed_pop_filtered (bus, 120 * GST_SECOND,
        GST_MESSAGE_ERROR | GST_MESSAGE_EOS | GST_MESSAGE_INFO |
        GST_MESSAGE_ASYNC_DONE);

    fail_unless (m != NULL, "pipeline '%s' timed out", desc);
    switch (GST_MESSAGE_TYPE (m)) {
      case GST_MESSAGE_ERROR:{
        GError *e = NULL;
        gchar *dbg = NULL;

        gst_message_parse_error (m, &e, &dbg);
        err_text = g_strdup_printf ("%s | %s", e->message, GST_STR_NULL (dbg));
        g_error_free (e);
        g_free (dbg);
        done = TRUE;
        break;
      }
      case GST_MESSAGE_INFO:
        if (info_text) {
          GError *e = NULL;
          gchar *dbg = NULL, *old = *info_text;

          gst_message_parse_info (m, &e, &dbg);
          *info_text = g_strconcat (old ? old : "", GST_STR_NULL (dbg), "\n",
              NULL);
          g_free (old);
          g_error_free (e);
          g_free (dbg);
        }
        break;
      case GST_MESSAGE_ASYNC_DONE:
        done = until == GST_STATE_PAUSED;
        break;
      default:
        done = TRUE;
        break;
    }
    gst_message_unref (m);
  }
  fail_unless_equals_int (gst_element_set_state (p, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  gst_object_unref (bus);
  gst_object_unref (p);
  return err_text;
}

/* Missing or broken inputs and bad settings post an element error saying what is
 * wrong; nothing crashes. */
static const struct
{
  const gchar *props;           /* %s: the fixtures folder */
  const gchar *expect;          /* in the error message or its debug text */
} error_cases[] = {
  {"engine=%s/nonexistent.engine", "nonexistent.engine"},
  {"engine=%s/labels.txt", "not an engine file"},
  {"model=%s/nonexistent.onnx", "nonexistent.onnx"},
  {"model=%s/labels.txt", "not an ONNX model"},
  {"", "Set either the 'engine' or the 'model' property"},
  {"model=%s/identity.onnx engine=%s/x.engine",
      "Set either the 'engine' or the 'model' property"},
  {"model=%s/identity.onnx precision=int8", "precision=int8"},
  {"model=%s/identity.onnx device=no-such-device", "no-such-device"},
  {"model=%s/classify.onnx labels-file=%s/nonexistent.txt", "nonexistent.txt"},
  {"model=%s/classify.onnx labels-file=%s/labels.txt object-class=zebra",
      "zebra"},
  {"model=%s/classify.onnx decoder=yolo", "decoder=yolo needs"},
  {"model=%s/yolov8.onnx decoder=classification", "decoder=classification"},
};

GST_START_TEST (test_errors)
{
  gchar *props = g_strdup_printf (error_cases[__i__].props, fixdir, fixdir);
  gchar *desc = g_strdup_printf ("videotestsrc num-buffers=2 ! "
      "video/x-raw,width=64,height=48 ! trtinfer %s ! fakesink", props);
  gchar *err = run_pipeline (desc, GST_STATE_PLAYING, NULL);

  fail_unless (err != NULL, "'%s' posted no error", props);
  fail_unless (strstr (err, error_cases[__i__].expect) != NULL,
      "'%s': error '%s' does not mention '%s'", props, err,
      error_cases[__i__].expect);
  g_free (err);
  g_free (desc);
  g_free (props);
}

GST_END_TEST;

/* NULL <-> PLAYING many times, to EOS and cut off while running. */
GST_START_TEST (test_state_cycles)
{
  gchar *model = fixture ("yolov8.onnx");
  gchar *desc = g_strdup_printf ("videotestsrc num-buffers=6 ! "
      "video/x-raw,width=80,height=60,format=NV12 ! trtinfer model=%s "
      "batch-size=2 ! fakesink", model);
  GstElement *p = gst_parse_launch (desc, NULL);
  GstBus *bus = gst_element_get_bus (p);

  for (guint i = 0; i < 6; i++) {
    GstMessage *m;

    fail_unless (gst_element_set_state (p, GST_STATE_PLAYING) !=
        GST_STATE_CHANGE_FAILURE);
    if (i % 2 == 0) {
      m = gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND,
          GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
      fail_unless (m && GST_MESSAGE_TYPE (m) == GST_MESSAGE_EOS);
      gst_message_unref (m);
    }
    fail_unless_equals_int (gst_element_set_state (p, GST_STATE_NULL),
        GST_STATE_CHANGE_SUCCESS);
  }
  /* and each state on the way up and down */
  for (guint i = 0; i < 3; i++) {
    static const GstState order[] = { GST_STATE_READY, GST_STATE_PAUSED,
      GST_STATE_PLAYING, GST_STATE_PAUSED, GST_STATE_READY, GST_STATE_NULL
    };

    for (guint k = 0; k < G_N_ELEMENTS (order); k++)
      fail_unless (gst_element_set_state (p, order[k]) !=
          GST_STATE_CHANGE_FAILURE);
    fail_unless (gst_element_get_state (p, NULL, NULL, 60 * GST_SECOND) ==
        GST_STATE_CHANGE_SUCCESS);
  }
  gst_object_unref (bus);
  gst_object_unref (p);
  g_free (desc);
  g_free (model);
}

GST_END_TEST;

/* The engine cache: built on first use, loaded later, rebuilt when stale. */
GST_START_TEST (test_engine_cache)
{
  gchar *dir = g_dir_make_tmp ("trtinfer-cache-XXXXXX", NULL);
  gchar *src = fixture ("identity.onnx");
  gchar *model = g_build_filename (dir, "m.onnx", NULL);
  gchar *contents, *desc, *info = NULL, *err, *cache = NULL;
  gsize len;
  GDir *d;
  const gchar *name;
  struct utimbuf old = { 1000000000, 1000000000 };

  fail_unless (g_file_get_contents (src, &contents, &len, NULL));
  fail_unless (g_file_set_contents (model, contents, len, NULL));
  fail_unless (utime (model, &old) == 0);
  desc = g_strdup_printf ("videotestsrc num-buffers=1 ! "
      "video/x-raw,width=32,height=32 ! trtinfer model=%s batch-size=3 ! "
      "fakesink", model);

  err = run_pipeline (desc, GST_STATE_PLAYING, &info);
  fail_unless (err == NULL, "%s", err);
  fail_unless (info && strstr (info, "no cached engine yet"), "%s", info);
  g_clear_pointer (&info, g_free);
  d = g_dir_open (dir, 0, NULL);
  while ((name = g_dir_read_name (d)))
    if (g_str_has_suffix (name, ".engine")) {
      fail_unless (cache == NULL);
      cache = g_build_filename (dir, name, NULL);
      fail_unless (g_str_has_prefix (name, "m."), "%s", name);
      fail_unless (strstr (name, ".fp32.b3.") != NULL, "%s", name);
    }
  g_dir_close (d);
  fail_unless (cache != NULL);

  /* second start: loaded, nothing built */
  err = run_pipeline (desc, GST_STATE_PLAYING, &info);
  fail_unless (err == NULL, "%s", err);
  fail_unless (info == NULL, "%s", info);

  /* a corrupted cache is rebuilt and the element says why */
  fail_unless (g_file_set_contents (cache, "not an engine", -1, NULL));
  err = run_pipeline (desc, GST_STATE_PLAYING, &info);
  fail_unless (err == NULL, "%s", err);
  fail_unless (info && strstr (info, "stale"), "%s", info);
  g_clear_pointer (&info, g_free);
  err = run_pipeline (desc, GST_STATE_PLAYING, &info);
  fail_unless (err == NULL && info == NULL);

  g_unlink (cache);
  g_unlink (model);
  g_rmdir (dir);
  g_free (cache);
  g_free (desc);
  g_free (contents);
  g_free (model);
  g_free (src);
  g_free (dir);
}

GST_END_TEST;

/* ---------------------------------------------------------------- suite */

static Suite *
trtinfer_suite (void)
{
  Suite *s = suite_create ("trtinfer");
  TCase *tc = tcase_create ("general");

  fixdir = g_getenv ("TRT_GST_FIXTURES");
  if (!fixdir)
    fixdir = ".";
  tcase_set_timeout (tc, 300);
  suite_add_tcase (s, tc);
  tcase_add_loop_test (tc, test_preprocess_formats, 0,
      2 * G_N_ELEMENTS (all_formats));
  tcase_add_loop_test (tc, test_preprocess_options, 0,
      G_N_ELEMENTS (norm_cases));
  tcase_add_loop_test (tc, test_preprocess_layouts, 0,
      G_N_ELEMENTS (layout_cases));
  tcase_add_test (tc, test_batch_1);
  tcase_add_test (tc, test_batch_4);
  tcase_add_test (tc, test_batch_4_timeout);
  tcase_add_test (tc, test_batch_fixed);
  tcase_add_test (tc, test_inference_interval);
  tcase_add_loop_test (tc, test_qos, 0, 2);
  tcase_add_test (tc, test_latency);
  tcase_add_test (tc, test_flush);
  tcase_add_test (tc, test_caps_refused);
  tcase_add_test (tc, test_allocation);
  tcase_add_loop_test (tc, test_detection, 0, G_N_ELEMENTS (det_cases));
  tcase_add_test (tc, test_detection_batch);
  tcase_add_loop_test (tc, test_classification, 0, 3);
  tcase_add_loop_test (tc, test_errors, 0, G_N_ELEMENTS (error_cases));
  tcase_add_test (tc, test_state_cycles);
  tcase_add_test (tc, test_engine_cache);
  return s;
}

GST_CHECK_MAIN (trtinfer);
