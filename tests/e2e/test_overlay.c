/* trtoverlay through GstHarness, for every format it accepts.
 *
 * Each case builds a 321x241 frame (odd sizes on purpose) of one colour in the
 * format under test, with padded, odd line strides given by a GstVideoMeta,
 * attaches regions the way trtinfer does (gsttrtmeta.h), runs trtoverlay,
 * converts the result back to RGB and checks: the box edges have the class
 * colour, the inside and outside of the box are untouched, the tag has the
 * class colour and text, and no byte of the line padding was written. RGB
 * formats must match exactly; YUV ones within the rounding of a YUV round trip.
 *
 * Needs the plugin on GST_PLUGIN_PATH (meson test sets it). */
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>

#define W 321
#define H 241
#define THICKNESS 8

static const guint8 BG[3] = { 40, 90, 160 };

/* Class colours of trtoverlay: hue = frac(id * golden ratio), saturation 0.85,
 * value 1. */
static const guint8 CLASS0[3] = { 255, 38, 38 };
static const guint8 CLASS1[3] = { 38, 101, 255 };

typedef struct
{
  GstVideoInfo info;            /* padded layout of the buffers */
  GstBuffer *buf;               /* the frame, padding bytes 0xab */
  guint8 *padding;              /* 1 where a byte of buf is padding */
} Frame;

static void
fill_rgb (GstVideoFrame * rgb, const guint8 c[3])
{
  for (gint y = 0; y < H; y++) {
    guint8 *p = (guint8 *) GST_VIDEO_FRAME_PLANE_DATA (rgb, 0) +
        y * GST_VIDEO_FRAME_PLANE_STRIDE (rgb, 0);
    for (gint x = 0; x < W; x++)
      memcpy (p + 3 * x, c, 3);
  }
}

/* A frame of `format` filled with BG, lines padded, padding filled with `pad`.
 */
static GstBuffer *
make_buffer (GstVideoInfo * info, guint8 pad)
{
  GstVideoInfo rgb_info;
  GstVideoFrame src, dst;
  GstBuffer *rgb, *buf;
  GstVideoConverter *conv;

  gst_video_info_set_format (&rgb_info, GST_VIDEO_FORMAT_RGB, W, H);
  rgb = gst_buffer_new_allocate (NULL, rgb_info.size, NULL);
  fail_unless (gst_video_frame_map (&src, &rgb_info, rgb, GST_MAP_WRITE));
  fill_rgb (&src, BG);

  buf = gst_buffer_new_allocate (NULL, info->size, NULL);
  gst_buffer_memset (buf, 0, pad, info->size);
  gst_buffer_add_video_meta_full (buf, GST_VIDEO_FRAME_FLAG_NONE,
      GST_VIDEO_INFO_FORMAT (info), W, H, GST_VIDEO_INFO_N_PLANES (info),
      info->offset, info->stride);
  fail_unless (gst_video_frame_map (&dst, info, buf, GST_MAP_WRITE));
  conv = gst_video_converter_new (&rgb_info, info, NULL);
  gst_video_converter_frame (conv, &src, &dst);
  gst_video_converter_free (conv);
  gst_video_frame_unmap (&dst);
  gst_video_frame_unmap (&src);
  gst_buffer_unref (rgb);
  return buf;
}

static void
frame_init (Frame * f, GstVideoFormat format)
{
  GstVideoAlignment align;
  GstBuffer *zero;
  GstMapInfo a, b;

  gst_video_info_set_format (&f->info, format, W, H);
  gst_video_alignment_reset (&align);
  align.padding_top = 2;
  align.padding_right = 7;
  align.padding_bottom = 2;
  fail_unless (gst_video_info_align (&f->info, &align));

  /* Bytes the converter writes are the same whatever the padding value, so the
   * bytes that differ between two fills are the padding. */
  f->buf = make_buffer (&f->info, 0xab);
  zero = make_buffer (&f->info, 0x00);
  f->padding = g_malloc (f->info.size);
  gst_buffer_map (f->buf, &a, GST_MAP_READ);
  gst_buffer_map (zero, &b, GST_MAP_READ);
  for (gsize i = 0; i < f->info.size; i++)
    f->padding[i] = a.data[i] != b.data[i];
  gst_buffer_unmap (zero, &b);
  gst_buffer_unmap (f->buf, &a);
  gst_buffer_unref (zero);
}

static GstVideoRegionOfInterestMeta *
add_detection (GstBuffer * buf, gint id, const gchar * label, gdouble conf,
    guint x, guint y, guint w, guint h)
{
  GstVideoRegionOfInterestMeta *roi =
      gst_buffer_add_video_region_of_interest_meta (buf, label, x, y, w, h);

  gst_video_region_of_interest_meta_add_param (roi,
      gst_structure_new ("detection", "label_id", G_TYPE_INT, id,
          "label", G_TYPE_STRING, label, "confidence", G_TYPE_DOUBLE, conf,
          "x_min", G_TYPE_DOUBLE, (gdouble) x / W,
          "y_min", G_TYPE_DOUBLE, (gdouble) y / H,
          "x_max", G_TYPE_DOUBLE, (gdouble) (x + w) / W,
          "y_max", G_TYPE_DOUBLE, (gdouble) (y + h) / H, NULL));
  return roi;
}

/* Runs trtoverlay (with `props`, a gst-launch style property list) on f->buf
 * and returns the result converted to packed RGB (W * 3 bytes per line). Checks
 * that no padding byte changed. */
static guint8 *
run_overlay (Frame * f, const gchar * props)
{
  gchar *launch = g_strdup_printf ("trtoverlay %s", props);
  GstHarness *h = gst_harness_new_parse (launch);
  GstCaps *caps = gst_video_info_to_caps (&f->info);
  GstBuffer *out;
  GstMapInfo map;
  GstVideoInfo rgb_info;
  GstVideoFrame src, dst;
  GstBuffer *rgb;
  GstVideoConverter *conv;
  guint8 *pixels;

  /* Caps carry the unpadded size; the buffers' video meta the padded layout. */
  gst_caps_set_simple (caps, "width", G_TYPE_INT, W, "height", G_TYPE_INT, H,
      NULL);
  gst_harness_set_caps (h, gst_caps_ref (caps), caps);
  out = gst_harness_push_and_pull (h, gst_buffer_ref (f->buf));
  fail_unless (out != NULL);

  gst_buffer_map (out, &map, GST_MAP_READ);
  fail_unless_equals_uint64 (map.size, f->info.size);
  for (gsize i = 0; i < map.size; i++)
    if (f->padding[i] && map.data[i] != 0xab)
      fail ("%s: padding byte %" G_GSIZE_FORMAT " of the frame written",
          GST_VIDEO_INFO_NAME (&f->info), i);
  gst_buffer_unmap (out, &map);

  gst_video_info_set_format (&rgb_info, GST_VIDEO_FORMAT_RGB, W, H);
  rgb = gst_buffer_new_allocate (NULL, rgb_info.size, NULL);
  fail_unless (gst_video_frame_map (&src, &f->info, out, GST_MAP_READ));
  fail_unless (gst_video_frame_map (&dst, &rgb_info, rgb, GST_MAP_WRITE));
  /* Nearest chroma: every pixel shows its own chroma sample, not its
   * neighbours'. */
  conv = gst_video_converter_new (&f->info, &rgb_info,
      gst_structure_new ("options",
          GST_VIDEO_CONVERTER_OPT_CHROMA_RESAMPLER_METHOD,
          GST_TYPE_VIDEO_RESAMPLER_METHOD, GST_VIDEO_RESAMPLER_METHOD_NEAREST,
          NULL));
  gst_video_converter_frame (conv, &src, &dst);
  gst_video_converter_free (conv);
  pixels = g_malloc (W * H * 3);
  for (gint y = 0; y < H; y++)
    memcpy (pixels + y * W * 3,
        (guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&dst, 0) +
        y * GST_VIDEO_FRAME_PLANE_STRIDE (&dst, 0), W * 3);
  gst_video_frame_unmap (&dst);
  gst_video_frame_unmap (&src);
  gst_buffer_unref (rgb);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
  g_free (launch);
  return pixels;
}

static void
frame_clear (Frame * f)
{
  gst_buffer_unref (f->buf);
  g_free (f->padding);
}

static gint
tolerance (const Frame * f)
{
  return GST_VIDEO_INFO_IS_RGB (&f->info) ? 0 : 6;
}

static void
expect_pixel (const Frame * f, const guint8 * rgb, gint x, gint y,
    const guint8 want[3], const gchar * what)
{
  const guint8 *p = rgb + (y * W + x) * 3;
  gint tol = tolerance (f);

  for (gint c = 0; c < 3; c++)
    if (ABS (p[c] - want[c]) > tol)
      fail ("%s: %s at (%d, %d) is (%u, %u, %u), want (%u, %u, %u) +- %d",
          GST_VIDEO_INFO_NAME (&f->info), what, x, y, p[0], p[1], p[2],
          want[0], want[1], want[2], tol);
}

/* Pixels of [x0, x1) x [y0, y1) that are bright (the white text on a dark tag;
 * luma rather than colour, since 4:2:0 chroma mixes thin strokes with the tag
 * colour). */
static gint
count_white (const guint8 * rgb, gint x0, gint y0, gint x1, gint y1)
{
  gint n = 0;

  for (gint y = y0; y < y1; y++)
    for (gint x = x0; x < x1; x++) {
      const guint8 *p = rgb + (y * W + x) * 3;

      n += 299 * p[0] + 587 * p[1] + 114 * p[2] > 180 * 1000;
    }
  return n;
}

static const GstVideoFormat formats[] = {
  GST_VIDEO_FORMAT_RGB, GST_VIDEO_FORMAT_BGR, GST_VIDEO_FORMAT_RGBx,
  GST_VIDEO_FORMAT_BGRx, GST_VIDEO_FORMAT_xRGB, GST_VIDEO_FORMAT_xBGR,
  GST_VIDEO_FORMAT_RGBA, GST_VIDEO_FORMAT_BGRA, GST_VIDEO_FORMAT_ARGB,
  GST_VIDEO_FORMAT_ABGR, GST_VIDEO_FORMAT_NV12, GST_VIDEO_FORMAT_I420,
};

/* Box at an odd x and width, tag above it. (An even y keeps the tag's two
 * padding rows in one 4:2:0 chroma row, so that they have the pure class
 * colour.) */
GST_START_TEST (test_box_and_tag)
{
  Frame f;
  guint8 *rgb;
  const gint bx = 33, by = 44, bw = 101, bh = 61;

  frame_init (&f, formats[__i__]);
  add_detection (f.buf, 0, "ball", 0.87, bx, by, bw, bh);
  rgb = run_overlay (&f, "thickness=8");

  /* Middle of each edge (away from the chroma blocks the edge only half
   * covers). */
  expect_pixel (&f, rgb, bx + THICKNESS / 2, by + bh / 2, CLASS0, "left edge");
  expect_pixel (&f, rgb, bx + bw - THICKNESS / 2, by + bh / 2, CLASS0,
      "right edge");
  expect_pixel (&f, rgb, bx + bw / 2, by + THICKNESS / 2, CLASS0, "top edge");
  expect_pixel (&f, rgb, bx + bw / 2, by + bh - THICKNESS / 2, CLASS0,
      "bottom edge");
  /* Untouched: inside the box, right of and below it, and around the tag. */
  expect_pixel (&f, rgb, bx + bw / 2, by + bh / 2, BG, "inside the box");
  expect_pixel (&f, rgb, bx + bw + 4, by + bh / 2, BG, "right of the box");
  expect_pixel (&f, rgb, bx + bw / 2, by + bh + 4, BG, "below the box");
  expect_pixel (&f, rgb, 10, 10, BG, "top-left corner");
  expect_pixel (&f, rgb, W - 1, H - 1, BG, "bottom-right corner");
  /* The tag sits on the box: its bottom padding row has the class colour, and
   * white "ball 0.87" text (class 0 is dark enough for white) is above that. */
  expect_pixel (&f, rgb, bx + 4, by - 1, CLASS0, "tag padding");
  fail_unless (count_white (rgb, bx, by - 20, bx + 60, by - 3) > 20,
      "%s: no text on the tag", GST_VIDEO_INFO_NAME (&f.info));
  expect_pixel (&f, rgb, bx + 120, by - 10, BG, "right of the tag");

  g_free (rgb);
  frame_clear (&f);
}

GST_END_TEST;

GST_START_TEST (test_no_labels)
{
  Frame f;
  guint8 *rgb;

  frame_init (&f, formats[__i__]);
  add_detection (f.buf, 0, "ball", 0.87, 33, 45, 101, 61);
  rgb = run_overlay (&f, "thickness=8 show-labels=false");
  expect_pixel (&f, rgb, 37, 75, CLASS0, "left edge");
  fail_unless_equals_int (count_white (rgb, 0, 0, W, 45), 0);
  expect_pixel (&f, rgb, 40, 35, BG, "where the tag would be");
  g_free (rgb);
  frame_clear (&f);
}

GST_END_TEST;

/* A full-frame classification: text top-left, no box. */
GST_START_TEST (test_classification)
{
  Frame f;
  guint8 *rgb;
  GstVideoRegionOfInterestMeta *roi;

  frame_init (&f, formats[__i__]);
  roi = gst_buffer_add_video_region_of_interest_meta (f.buf, "cat", 0, 0, W, H);
  gst_video_region_of_interest_meta_add_param (roi,
      gst_structure_new ("classification", "label_id", G_TYPE_INT, 1,
          "label", G_TYPE_STRING, "cat", "confidence", G_TYPE_DOUBLE, 0.75,
          NULL));
  rgb = run_overlay (&f, "thickness=8");
  expect_pixel (&f, rgb, 1, 1, CLASS1, "tag at the top-left");
  expect_pixel (&f, rgb, 3, H / 2, BG, "left edge of the frame (no box)");
  expect_pixel (&f, rgb, W - 4, H / 2, BG, "right edge of the frame (no box)");
  g_free (rgb);
  frame_clear (&f);
}

GST_END_TEST;

/* Regions touching or crossing the frame's edges are clipped, tags kept inside;
 * regions outside the frame are skipped. */
GST_START_TEST (test_edges)
{
  Frame f;
  guint8 *rgb;

  frame_init (&f, formats[__i__]);
  add_detection (f.buf, 0, "ball", 0.5, 0, 0, 60, 40);
  add_detection (f.buf, 1, "cat", 0.5, W - 30, H - 20, 200, 200);
  add_detection (f.buf, 1, "cat", 0.5, W + 10, H + 10, 20, 20);
  rgb = run_overlay (&f, "thickness=8");
  /* One tag, above the clipped box; none below it for the region outside the
   * frame. */
  fail_unless (count_white (rgb, W - 60, H - 19, W, H) == 0,
      "%s: a tag for the region outside the frame",
      GST_VIDEO_INFO_NAME (&f.info));
  expect_pixel (&f, rgb, 30, 36, CLASS0, "bottom edge of the corner box");
  expect_pixel (&f, rgb, 1, 1, CLASS0, "tag inside the corner box");
  expect_pixel (&f, rgb, W - 26, H - 2, CLASS1, "left edge of the clipped box");
  expect_pixel (&f, rgb, W / 2, H / 2, BG, "middle of the frame");
  g_free (rgb);
  frame_clear (&f);
}

GST_END_TEST;

GST_START_TEST (test_states)
{
  GstElement *e = gst_element_factory_make ("trtoverlay", NULL);
  static const GstState cycle[] = { GST_STATE_READY, GST_STATE_PAUSED,
    GST_STATE_PLAYING, GST_STATE_PAUSED, GST_STATE_READY, GST_STATE_NULL,
    GST_STATE_PLAYING, GST_STATE_NULL
  };

  fail_unless (e != NULL);
  for (guint i = 0; i < G_N_ELEMENTS (cycle); i++)
    fail_unless (gst_element_set_state (e, cycle[i]) !=
        GST_STATE_CHANGE_FAILURE);
  gst_object_unref (e);
}

GST_END_TEST;

static Suite *
trtoverlay_suite (void)
{
  Suite *s = suite_create ("trtoverlay");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_loop_test (tc, test_box_and_tag, 0, G_N_ELEMENTS (formats));
  tcase_add_loop_test (tc, test_no_labels, 0, G_N_ELEMENTS (formats));
  tcase_add_loop_test (tc, test_classification, 0, G_N_ELEMENTS (formats));
  tcase_add_loop_test (tc, test_edges, 0, G_N_ELEMENTS (formats));
  tcase_add_test (tc, test_states);
  return s;
}

GST_CHECK_MAIN (trtoverlay);
