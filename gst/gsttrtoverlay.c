/* GStreamer trtinfer
 * SPDX-License-Identifier: MIT
 */

/**
 * SECTION:element-trtoverlay
 * @title: trtoverlay
 *
 * Draws the results of trtinfer onto the video, in place: one box per
 * #GstVideoRegionOfInterestMeta in the colour of its class, with a tag such as
 * "ball 0.87" above it and one more line per classification result of the
 * region. A full-frame classification region (no "detection" structure) gets
 * only its text, in the top-left corner. Any element that writes regions the
 * DL Streamer way (see gsttrtmeta.h) can feed it.
 *
 * Works on RGB, BGR, RGBx, BGRx, xRGB, xBGR, RGBA, BGRA, ARGB, ABGR, NV12 and
 * I420 frames of any stride. For YUV frames the colours follow the caps'
 * colorimetry, and 4:2:0 chroma is blended by the share of each 2x2 block that
 * a box or tag covers, so odd positions and thin lines keep the right colour.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 videotestsrc pattern=ball ! \
 *     video/x-raw,width=640,height=480 ! \
 *     trtinfer model=models/ball/ball.onnx ! trtoverlay thickness=3 ! \
 *     videoconvert ! autovideosink
 * ]| Detects the moving ball and draws its box and "ball 0.97"-style tag.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <math.h>

#include <pango/pangocairo.h>

#include "gsttrtmeta.h"
#include "gsttrtoverlay.h"

GST_DEBUG_CATEGORY_STATIC (gst_trt_overlay_debug);
#define GST_CAT_DEFAULT gst_trt_overlay_debug

#define DEFAULT_PROP_THICKNESS 2
#define DEFAULT_PROP_FONT_DESC "Sans 10"
#define DEFAULT_PROP_SHOW_LABELS TRUE
#define DEFAULT_PROP_SHOW_CONFIDENCE TRUE

/* Space between a tag's text and its edge, pixels. */
#define TAG_PAD 2

enum
{
  PROP_0,
  PROP_THICKNESS,
  PROP_FONT_DESC,
  PROP_SHOW_LABELS,
  PROP_SHOW_CONFIDENCE,
};

struct _GstTrtOverlay
{
  GstVideoFilter parent;

  /* Properties, under the object lock. */
  guint thickness;
  gchar *font_desc;
  gboolean font_changed;
  gboolean show_labels;
  gboolean show_confidence;

  /* Streaming thread only (and start/stop). */
  PangoFontMap *font_map;
  PangoContext *pango;
  PangoFontDescription *font;
  /* A premultiplied colour (R, G, B in 0..255, alpha a in 0..1) gives component
   * c (R, G, B or Y, U, V) the value a * off[c] + m[c] . (R, G, B). */
  gfloat m[3][3];
  gfloat off[3];
};

#define VIDEO_FORMATS \
  "{ RGB, BGR, RGBx, BGRx, xRGB, xBGR, RGBA, BGRA, ARGB, ABGR, NV12, I420 }"

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE (VIDEO_FORMATS)));

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE (VIDEO_FORMATS)));

#define gst_trt_overlay_parent_class parent_class
G_DEFINE_TYPE (GstTrtOverlay, gst_trt_overlay, GST_TYPE_VIDEO_FILTER);
GST_ELEMENT_REGISTER_DEFINE (trtoverlay, "trtoverlay", GST_RANK_NONE,
    GST_TYPE_TRT_OVERLAY);

static void gst_trt_overlay_finalize (GObject * object);
static void gst_trt_overlay_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec);
static void gst_trt_overlay_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec);
static gboolean gst_trt_overlay_start (GstBaseTransform * trans);
static gboolean gst_trt_overlay_stop (GstBaseTransform * trans);
static gboolean gst_trt_overlay_set_info (GstVideoFilter * filter,
    GstCaps * incaps, GstVideoInfo * in_info, GstCaps * outcaps,
    GstVideoInfo * out_info);
static GstFlowReturn gst_trt_overlay_transform_frame_ip (GstVideoFilter *
    filter, GstVideoFrame * frame);

static void
gst_trt_overlay_class_init (GstTrtOverlayClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstVideoFilterClass *filter_class = GST_VIDEO_FILTER_CLASS (klass);

  gobject_class->set_property = gst_trt_overlay_set_property;
  gobject_class->get_property = gst_trt_overlay_get_property;
  gobject_class->finalize = gst_trt_overlay_finalize;

  /**
   * GstTrtOverlay:thickness
   *
   * Width of the box lines, in pixels. Default 2.
   */
  g_object_class_install_property (gobject_class, PROP_THICKNESS,
      g_param_spec_uint ("thickness", "Thickness",
          "Width of the box lines, in pixels", 1, 100,
          DEFAULT_PROP_THICKNESS,
          G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING |
          G_PARAM_STATIC_STRINGS));

  /**
   * GstTrtOverlay:font-desc
   *
   * Pango font description of the tags ("family style size", the size in
   * points at 96 dpi), for example "Sans Bold 14". Default "Sans 10".
   */
  g_object_class_install_property (gobject_class, PROP_FONT_DESC,
      g_param_spec_string ("font-desc", "Font description",
          "Pango font description of the tags, e.g. \"Sans Bold 14\"",
          DEFAULT_PROP_FONT_DESC,
          G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING |
          G_PARAM_STATIC_STRINGS));

  /**
   * GstTrtOverlay:show-labels
   *
   * Whether to draw the text tags (label, confidence, classification lines);
   * FALSE draws the boxes only. Default TRUE.
   */
  g_object_class_install_property (gobject_class, PROP_SHOW_LABELS,
      g_param_spec_boolean ("show-labels", "Show labels",
          "Draw the text tags (FALSE: boxes only)", DEFAULT_PROP_SHOW_LABELS,
          G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING |
          G_PARAM_STATIC_STRINGS));

  /**
   * GstTrtOverlay:show-confidence
   *
   * Whether the tags give the confidence after the label, with two
   * decimals ("ball 0.87" rather than "ball"). Default TRUE.
   */
  g_object_class_install_property (gobject_class, PROP_SHOW_CONFIDENCE,
      g_param_spec_boolean ("show-confidence", "Show confidence",
          "Write the confidence after each label", DEFAULT_PROP_SHOW_CONFIDENCE,
          G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING |
          G_PARAM_STATIC_STRINGS));

  gst_element_class_set_static_metadata (element_class, "Inference overlay",
      "Filter/Effect/Video",
      "Draws the boxes and labels of region-of-interest metadata (trtinfer "
      "detections and classifications) onto video frames",
      "trtinfer engineers <eng@trtinfer.dev>");
  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);

  trans_class->start = GST_DEBUG_FUNCPTR (gst_trt_overlay_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_trt_overlay_stop);
  filter_class->set_info = GST_DEBUG_FUNCPTR (gst_trt_overlay_set_info);
  filter_class->transform_frame_ip =
      GST_DEBUG_FUNCPTR (gst_trt_overlay_transform_frame_ip);

  GST_DEBUG_CATEGORY_INIT (gst_trt_overlay_debug, "trtoverlay", 0,
      "trtinfer box and label overlay");
}

static void
gst_trt_overlay_init (GstTrtOverlay * self)
{
  self->thickness = DEFAULT_PROP_THICKNESS;
  self->font_desc = g_strdup (DEFAULT_PROP_FONT_DESC);
  self->font_changed = TRUE;
  self->show_labels = DEFAULT_PROP_SHOW_LABELS;
  self->show_confidence = DEFAULT_PROP_SHOW_CONFIDENCE;
}

static void
gst_trt_overlay_finalize (GObject * object)
{
  GstTrtOverlay *self = GST_TRT_OVERLAY (object);

  gst_trt_overlay_stop (GST_BASE_TRANSFORM (self));
  g_free (self->font_desc);

  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_trt_overlay_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstTrtOverlay *self = GST_TRT_OVERLAY (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_THICKNESS:
      self->thickness = g_value_get_uint (value);
      break;
    case PROP_FONT_DESC:
      g_free (self->font_desc);
      self->font_desc = g_value_dup_string (value);
      self->font_changed = TRUE;
      break;
    case PROP_SHOW_LABELS:
      self->show_labels = g_value_get_boolean (value);
      break;
    case PROP_SHOW_CONFIDENCE:
      self->show_confidence = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_trt_overlay_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstTrtOverlay *self = GST_TRT_OVERLAY (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_THICKNESS:
      g_value_set_uint (value, self->thickness);
      break;
    case PROP_FONT_DESC:
      g_value_set_string (value, self->font_desc);
      break;
    case PROP_SHOW_LABELS:
      g_value_set_boolean (value, self->show_labels);
      break;
    case PROP_SHOW_CONFIDENCE:
      g_value_set_boolean (value, self->show_confidence);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static gboolean
gst_trt_overlay_start (GstBaseTransform * trans)
{
  GstTrtOverlay *self = GST_TRT_OVERLAY (trans);

  self->font_map = pango_cairo_font_map_new ();
  self->pango = pango_font_map_create_context (self->font_map);
  GST_OBJECT_LOCK (self);
  self->font_changed = TRUE;
  GST_OBJECT_UNLOCK (self);
  return TRUE;
}

static gboolean
gst_trt_overlay_stop (GstBaseTransform * trans)
{
  GstTrtOverlay *self = GST_TRT_OVERLAY (trans);

  g_clear_pointer (&self->font, pango_font_description_free);
  g_clear_object (&self->pango);
  g_clear_object (&self->font_map);
  return TRUE;
}

static gboolean
gst_trt_overlay_set_info (GstVideoFilter * filter, GstCaps * incaps,
    GstVideoInfo * in_info, GstCaps * outcaps, GstVideoInfo * out_info)
{
  GstTrtOverlay *self = GST_TRT_OVERLAY (filter);
  gdouble kr, kb, kg;
  gint offset[GST_VIDEO_MAX_COMPONENTS], scale[GST_VIDEO_MAX_COMPONENTS];
  gint c;

  memset (self->m, 0, sizeof self->m);
  if (GST_VIDEO_INFO_IS_RGB (in_info)) {
    for (c = 0; c < 3; c++) {
      self->m[c][c] = 1.0f;
      self->off[c] = 0.0f;
    }
    return TRUE;
  }

  if (!gst_video_color_matrix_get_Kr_Kb (in_info->colorimetry.matrix,
          &kr, &kb)) {
    GST_DEBUG_OBJECT (self, "no YUV matrix in the caps, using BT.601");
    gst_video_color_matrix_get_Kr_Kb (GST_VIDEO_COLOR_MATRIX_BT601, &kr, &kb);
  }
  kg = 1.0 - kr - kb;
  gst_video_color_range_offsets (in_info->colorimetry.range, in_info->finfo,
      offset, scale);
  /* Y' = Kr R + Kg G + Kb B, Pb = (B - Y') / (2 (1 - Kb)), Pr = (R - Y') / (2
   * (1 - Kr)), scaled from R, G, B in 0..255 to the range's codes. */
  self->m[0][0] = scale[0] * kr / 255.0;
  self->m[0][1] = scale[0] * kg / 255.0;
  self->m[0][2] = scale[0] * kb / 255.0;
  self->m[1][0] = -scale[1] * kr / (2.0 * (1.0 - kb)) / 255.0;
  self->m[1][1] = -scale[1] * kg / (2.0 * (1.0 - kb)) / 255.0;
  self->m[1][2] = scale[1] * 0.5 / 255.0;
  self->m[2][0] = scale[2] * 0.5 / 255.0;
  self->m[2][1] = -scale[2] * kg / (2.0 * (1.0 - kr)) / 255.0;
  self->m[2][2] = -scale[2] * kb / (2.0 * (1.0 - kr)) / 255.0;
  for (c = 0; c < 3; c++)
    self->off[c] = offset[c];
  return TRUE;
}

/* Value of component c (R, G, B / Y, U, V; not alpha) for a premultiplied
 * colour. */
static inline gfloat
component (const GstTrtOverlay * self, gint c, gfloat r, gfloat g, gfloat b,
    gfloat a)
{
  return a * self->off[c] + self->m[c][0] * r + self->m[c][1] * g +
      self->m[c][2] * b;
}

static inline guint8
to_u8 (gfloat v)
{
  return (guint8) CLAMP (lrintf (v), 0, 255);
}

/* Well separated colours: the hue steps by the golden ratio per class id. */
static void
class_colour (gint class_id, guint8 rgb[3])
{
  gdouble h = fmod (ABS (class_id) * 0.6180339887498949, 1.0) * 6.0;
  gdouble s = 0.85, v = 1.0, f = h - floor (h);
  gdouble p = v * (1.0 - s), q = v * (1.0 - s * f), t = v * (1.0 - s * (1 - f));
  gdouble r, g, b;

  switch ((gint) h) {
    case 0:
      r = v, g = t, b = p;
      break;
    case 1:
      r = q, g = v, b = p;
      break;
    case 2:
      r = p, g = v, b = t;
      break;
    case 3:
      r = p, g = q, b = v;
      break;
    case 4:
      r = t, g = p, b = v;
      break;
    default:
      r = v, g = p, b = q;
      break;
  }
  rgb[0] = (guint8) lrint (r * 255.0);
  rgb[1] = (guint8) lrint (g * 255.0);
  rgb[2] = (guint8) lrint (b * 255.0);
}

/* Paints [x0, x1) x [y0, y1) (clipped to the frame) with an opaque colour. A
 * subsampled component sample takes the colour in proportion to the part of its
 * block inside the rectangle. */
static void
fill_rect (GstTrtOverlay * self, GstVideoFrame * frame, gint x0, gint y0,
    gint x1, gint y1, const guint8 rgb[3])
{
  const GstVideoFormatInfo *finfo = frame->info.finfo;
  guint c;

  x0 = MAX (x0, 0);
  y0 = MAX (y0, 0);
  x1 = MIN (x1, GST_VIDEO_FRAME_WIDTH (frame));
  y1 = MIN (y1, GST_VIDEO_FRAME_HEIGHT (frame));
  if (x0 >= x1 || y0 >= y1)
    return;

  for (c = 0; c < GST_VIDEO_FRAME_N_COMPONENTS (frame); c++) {
    gint ws = GST_VIDEO_FORMAT_INFO_W_SUB (finfo, c);
    gint hs = GST_VIDEO_FORMAT_INFO_H_SUB (finfo, c);
    guint8 *data = GST_VIDEO_FRAME_COMP_DATA (frame, c);
    gint stride = GST_VIDEO_FRAME_COMP_STRIDE (frame, c);
    gint pstride = GST_VIDEO_FRAME_COMP_PSTRIDE (frame, c);
    gfloat v = c == GST_VIDEO_COMP_A ? 255.0f :
        component (self, c, rgb[0], rgb[1], rgb[2], 1.0f);
    gfloat block = (gfloat) (1 << (ws + hs));
    gint sx, sy;

    for (sy = y0 >> hs; sy <= (y1 - 1) >> hs; sy++) {
      gint cover_y = MIN (y1, (sy + 1) << hs) - MAX (y0, sy << hs);
      guint8 *line = data + sy * stride;

      for (sx = x0 >> ws; sx <= (x1 - 1) >> ws; sx++) {
        gint cover_x = MIN (x1, (sx + 1) << ws) - MAX (x0, sx << ws);
        gfloat f = cover_x * cover_y / block;
        guint8 *d = line + sx * pstride;

        *d = to_u8 (v * f + *d * (1.0f - f));
      }
    }
  }
}

/* Blends a premultiplied CAIRO_FORMAT_ARGB32 image whose top-left corner is at
 * (x0, y0) over the frame. A subsampled component sample blends the average of
 * the image pixels of its block, pixels outside the image counting as
 * transparent. */
static void
blend_argb (GstTrtOverlay * self, GstVideoFrame * frame, const guint8 * src,
    gint src_stride, gint x0, gint y0, gint w, gint h)
{
  const GstVideoFormatInfo *finfo = frame->info.finfo;
  gint cx0 = MAX (x0, 0), cy0 = MAX (y0, 0);
  gint cx1 = MIN (x0 + w, GST_VIDEO_FRAME_WIDTH (frame));
  gint cy1 = MIN (y0 + h, GST_VIDEO_FRAME_HEIGHT (frame));
  guint c;

  if (cx0 >= cx1 || cy0 >= cy1)
    return;

  for (c = 0; c < GST_VIDEO_FRAME_N_COMPONENTS (frame); c++) {
    gint ws = GST_VIDEO_FORMAT_INFO_W_SUB (finfo, c);
    gint hs = GST_VIDEO_FORMAT_INFO_H_SUB (finfo, c);
    guint8 *data = GST_VIDEO_FRAME_COMP_DATA (frame, c);
    gint stride = GST_VIDEO_FRAME_COMP_STRIDE (frame, c);
    gint pstride = GST_VIDEO_FRAME_COMP_PSTRIDE (frame, c);
    gfloat block = (gfloat) (1 << (ws + hs));
    gint sx, sy, px, py;

    for (sy = cy0 >> hs; sy <= (cy1 - 1) >> hs; sy++) {
      guint8 *line = data + sy * stride;
      gint py0 = MAX (cy0, sy << hs), py1 = MIN (cy1, (sy + 1) << hs);

      for (sx = cx0 >> ws; sx <= (cx1 - 1) >> ws; sx++) {
        gint px0 = MAX (cx0, sx << ws), px1 = MIN (cx1, (sx + 1) << ws);
        gfloat sum_a = 0.0f, sum_v = 0.0f;
        guint8 *d;

        for (py = py0; py < py1; py++) {
          const guint32 *row =
              (const guint32 *) (src + (gsize) (py - y0) * src_stride);

          for (px = px0; px < px1; px++) {
            guint32 p = row[px - x0];
            gfloat a = (gfloat) (p >> 24);

            sum_a += a;
            sum_v += c == GST_VIDEO_COMP_A ? a :
                component (self, c, (p >> 16) & 0xff, (p >> 8) & 0xff,
                p & 0xff, a / 255.0f);
          }
        }
        if (sum_a == 0.0f)
          continue;
        d = line + sx * pstride;
        *d = to_u8 (sum_v / block + *d * (1.0f - sum_a / (block * 255.0f)));
      }
    }
  }
}

/* Draws `text` on a tag in `rgb` with its bottom-left corner at (x, y), the top
 * of a box; just inside the box where there is no room above it. Kept inside
 * the frame where it fits. */
static void
draw_tag (GstTrtOverlay * self, GstVideoFrame * frame, const gchar * text,
    gint x, gint y, const guint8 rgb[3])
{
  gint fw = GST_VIDEO_FRAME_WIDTH (frame);
  gint fh = GST_VIDEO_FRAME_HEIGHT (frame);
  gboolean dark_text = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2] > 140.0;
  PangoLayout *layout;
  PangoRectangle logical;
  cairo_surface_t *surface;
  cairo_t *cr;
  gint w, h;

  layout = pango_layout_new (self->pango);
  pango_layout_set_font_description (layout, self->font);
  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_extents (layout, NULL, &logical);
  w = logical.width + 2 * TAG_PAD;
  h = logical.height + 2 * TAG_PAD;

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, w, h);
  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS) {
    GST_WARNING_OBJECT (self, "cannot draw a %dx%d tag: %s", w, h,
        cairo_status_to_string (cairo_surface_status (surface)));
    goto done;
  }
  cr = cairo_create (surface);
  cairo_set_source_rgb (cr, rgb[0] / 255.0, rgb[1] / 255.0, rgb[2] / 255.0);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, !dark_text, !dark_text, !dark_text);
  cairo_move_to (cr, TAG_PAD - logical.x, TAG_PAD - logical.y);
  pango_cairo_show_layout (cr, layout);
  cairo_destroy (cr);
  cairo_surface_flush (surface);

  if (y >= h)
    y -= h;
  y = CLAMP (y, 0, MAX (0, fh - h));
  x = CLAMP (x, 0, MAX (0, fw - w));
  blend_argb (self, frame, cairo_image_surface_get_data (surface),
      cairo_image_surface_get_stride (surface), x, y, w, h);

done:
  cairo_surface_destroy (surface);
  g_object_unref (layout);
}

static void
append_result (GString * text, const gchar * label, gdouble confidence,
    gboolean show_confidence)
{
  if (text->len)
    g_string_append_c (text, '\n');
  g_string_append (text, label);
  if (show_confidence)
    g_string_append_printf (text, " %.2f", confidence);
}

/* What to draw for a region: the tag text (g_free), the class id for its
 * colour, and whether it is a full-frame classification, which gets no box. */
static gchar *
region_text (GstVideoRegionOfInterestMeta * roi, const GstVideoFrame * frame,
    gboolean show_confidence, gint * class_id, gboolean * no_box)
{
  const gchar *type = roi->roi_type ? g_quark_to_string (roi->roi_type) : "";
  GString *text = g_string_new (NULL);
  gchar *fallback;
  GstTrtResult r;
  gboolean has_det;
  guint n;

  *class_id = (gint) (g_str_hash (type) % 1024);
  *no_box = FALSE;
  has_det = gst_trt_roi_get_detection (roi, &r);
  if (has_det) {
    fallback = g_strdup_printf ("class %d", r.label_id);
    *class_id = r.label_id;
    append_result (text, r.label ? r.label : (*type ? type : fallback),
        r.confidence, show_confidence);
    g_free (fallback);
  } else if (gst_trt_roi_get_classification (roi, 0, &r)) {
    *class_id = r.label_id;
    *no_box = roi->x == 0 && roi->y == 0
        && roi->w >= (guint) GST_VIDEO_FRAME_WIDTH (frame)
        && roi->h >= (guint) GST_VIDEO_FRAME_HEIGHT (frame);
  } else {
    g_string_append (text, type);
  }
  for (n = 0; gst_trt_roi_get_classification (roi, n, &r); n++) {
    fallback = g_strdup_printf ("class %d", r.label_id);
    append_result (text, r.label ? r.label : fallback, r.confidence,
        show_confidence);
    g_free (fallback);
  }
  return g_string_free (text, FALSE);
}

static GstFlowReturn
gst_trt_overlay_transform_frame_ip (GstVideoFilter * filter,
    GstVideoFrame * frame)
{
  GstTrtOverlay *self = GST_TRT_OVERLAY (filter);
  gint fw = GST_VIDEO_FRAME_WIDTH (frame);
  gint fh = GST_VIDEO_FRAME_HEIGHT (frame);
  guint thickness;
  gboolean show_labels, show_confidence;
  gint pass;

  GST_OBJECT_LOCK (self);
  thickness = self->thickness;
  show_labels = self->show_labels;
  show_confidence = self->show_confidence;
  if (self->font_changed) {
    g_clear_pointer (&self->font, pango_font_description_free);
    self->font = pango_font_description_from_string (self->font_desc ?
        self->font_desc : DEFAULT_PROP_FONT_DESC);
    self->font_changed = FALSE;
  }
  GST_OBJECT_UNLOCK (self);

  /* Boxes first, then tags, so that no box crosses another region's text. */
  for (pass = 0; pass < (show_labels ? 2 : 1); pass++) {
    gpointer state = NULL;
    GstMeta *meta;

    while ((meta = gst_buffer_iterate_meta_filtered (frame->buffer, &state,
                GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))) {
      GstVideoRegionOfInterestMeta *roi = (GstVideoRegionOfInterestMeta *) meta;
      gint x0 = MIN (roi->x, (guint) fw), y0 = MIN (roi->y, (guint) fh);
      gint x1 = MIN (roi->x + roi->w, (guint) fw);
      gint y1 = MIN (roi->y + roi->h, (guint) fh);
      gint t = (gint) thickness, class_id;
      gboolean no_box;
      gchar *text;
      guint8 rgb[3];

      if (x0 >= x1 || y0 >= y1)
        continue;
      text = region_text (roi, frame, show_confidence, &class_id, &no_box);
      class_colour (class_id, rgb);
      if (pass == 0 && !no_box) {
        GST_LOG_OBJECT (self, "box %d,%d-%d,%d class %d", x0, y0, x1, y1,
            class_id);
        fill_rect (self, frame, x0, y0, x1, MIN (y0 + t, y1), rgb);
        fill_rect (self, frame, x0, MAX (y1 - t, y0), x1, y1, rgb);
        fill_rect (self, frame, x0, y0, MIN (x0 + t, x1), y1, rgb);
        fill_rect (self, frame, MAX (x1 - t, x0), y0, x1, y1, rgb);
      } else if (pass == 1 && *text) {
        draw_tag (self, frame, text, x0, y0, rgb);
      }
      g_free (text);
    }
  }
  return GST_FLOW_OK;
}
