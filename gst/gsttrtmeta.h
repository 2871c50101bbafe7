/* GStreamer trtinfer: the metadata trtinfer attaches to buffers, and how to read it.
 *
 * This header is for applications and downstream elements. It only uses public
 * GStreamer API (header-only, static inline): include it and link gstreamer-video-1.0;
 * there is no library of the plugin to link. See docs/metadata.md for C and Python.
 *
 * What trtinfer attaches to each buffer it ran inference on:
 *
 * - Detections: one GstVideoRegionOfInterestMeta per object, in frame pixels, roi_type
 *   the label (or the class id in decimal when there is no labels file). It carries one
 *   GstStructure named "detection" (as DL Streamer writes it):
 *     label_id    G_TYPE_INT     class index (line of the labels file, from 0)
 *     label       G_TYPE_STRING  label text
 *     confidence  G_TYPE_DOUBLE  0..1
 *     x_min, y_min, x_max, y_max  G_TYPE_DOUBLE  box corners normalised to 0..1 of the
 *                 frame width/height (the same box as the meta's x, y, w, h)
 *
 * - Classification: one GstVideoRegionOfInterestMeta covering the whole frame, roi_type
 *   the best label, carrying one GstStructure named "classification" per result, best
 *   first (top-k property):
 *     label_id (G_TYPE_INT), label (G_TYPE_STRING), confidence (G_TYPE_DOUBLE)
 *   A frame-sized region is how DL Streamer presents full-frame classification; it has no
 *   "detection" structure, so it is easy to tell apart from a detection.
 *
 * - Raw output tensors (only with attach-tensors=true): one GstCustomMeta named
 *   "GstTrtTensorMeta" whose structure (gst_custom_meta_get_structure) holds
 *     n-tensors   G_TYPE_UINT    number of outputs
 *     tensor-<i>  GST_TYPE_STRUCTURE  one per output i, named "tensor", with
 *                 name (string), dtype (string: "float32", "int64", ...),
 *                 dims (string: "1x84x8400", this frame's part: batch dimension 1),
 *                 data (G_TYPE_BYTES: dense row-major, little-endian)
 *
 * Every structure also carries "element" (G_TYPE_STRING): the name of the trtinfer
 * element that wrote it, to tell apart the results of several trtinfer elements.
 */
#ifndef __GST_TRT_META_H__
#define __GST_TRT_META_H__

#include <string.h>

#include <gst/gst.h>
#include <gst/video/video.h>

G_BEGIN_DECLS

#define GST_TRT_DETECTION_NAME "detection"
#define GST_TRT_CLASSIFICATION_NAME "classification"
#define GST_TRT_TENSOR_META_NAME "GstTrtTensorMeta"

/* One detection or classification result, read from a region's structure. `label` is
 * borrowed from the structure (valid while the buffer's meta lives). */
typedef struct
{
  gint label_id;
  const gchar *label;
  gdouble confidence;
  gdouble x_min, y_min, x_max, y_max;   /* 0..1; the whole frame for a classification */
} GstTrtResult;

/* Fills `out` from a "detection" or "classification" structure; FALSE if it is neither. */
static inline gboolean
gst_trt_result_from_structure (const GstStructure * s, GstTrtResult * out)
{
  gboolean det = gst_structure_has_name (s, GST_TRT_DETECTION_NAME);

  if (!det && !gst_structure_has_name (s, GST_TRT_CLASSIFICATION_NAME))
    return FALSE;
  memset (out, 0, sizeof *out);
  out->x_max = out->y_max = 1.0;
  gst_structure_get_int (s, "label_id", &out->label_id);
  out->label = gst_structure_get_string (s, "label");
  gst_structure_get_double (s, "confidence", &out->confidence);
  if (det) {
    gst_structure_get_double (s, "x_min", &out->x_min);
    gst_structure_get_double (s, "y_min", &out->y_min);
    gst_structure_get_double (s, "x_max", &out->x_max);
    gst_structure_get_double (s, "y_max", &out->y_max);
  }
  return TRUE;
}

/* The detection of a region, if it has one. */
static inline gboolean
gst_trt_roi_get_detection (GstVideoRegionOfInterestMeta * roi,
    GstTrtResult * out)
{
  GstStructure *s =
      gst_video_region_of_interest_meta_get_param (roi, GST_TRT_DETECTION_NAME);

  return s != NULL && gst_trt_result_from_structure (s, out);
}

/* The n-th classification result (0 = best) of a region, if it has one. */
static inline gboolean
gst_trt_roi_get_classification (GstVideoRegionOfInterestMeta * roi, guint n,
    GstTrtResult * out)
{
  for (GList * l = roi->params; l; l = l->next) {
    GstStructure *s = (GstStructure *) l->data;

    if (gst_structure_has_name (s, GST_TRT_CLASSIFICATION_NAME) && n-- == 0)
      return gst_trt_result_from_structure (s, out);
  }
  return FALSE;
}

/* The raw tensors structure of a buffer, or NULL. Borrowed. */
static inline const GstStructure *
gst_trt_buffer_get_tensors (GstBuffer * buffer)
{
  GstCustomMeta *m;

  if (!gst_meta_get_info (GST_TRT_TENSOR_META_NAME))
    return NULL;
  m = gst_buffer_get_custom_meta (buffer, GST_TRT_TENSOR_META_NAME);
  return m ? gst_custom_meta_get_structure (m) : NULL;
}

/* Output `index` of a tensors structure: its name, dtype, dims (up to 8, returns the
 * rank) and data (borrowed). -1 if there is no such output. */
static inline gint
gst_trt_tensors_get (const GstStructure * tensors, guint index,
    const gchar ** name, const gchar ** dtype, gint64 dims[8], GBytes ** data)
{
  gchar field[32];
  const GValue *v;
  const GstStructure *t;
  const gchar *text;
  gint rank = 0;

  g_snprintf (field, sizeof field, "tensor-%u", index);
  v = gst_structure_get_value (tensors, field);
  if (!v || !GST_VALUE_HOLDS_STRUCTURE (v))
    return -1;
  t = gst_value_get_structure (v);
  if (name)
    *name = gst_structure_get_string (t, "name");
  if (dtype)
    *dtype = gst_structure_get_string (t, "dtype");
  if (data) {
    const GValue *d = gst_structure_get_value (t, "data");

    *data = d && G_VALUE_HOLDS (d, G_TYPE_BYTES) ? g_value_get_boxed (d) : NULL;
  }
  text = gst_structure_get_string (t, "dims");
  while (text && *text && rank < 8) {
    gchar *end;
    gint64 d = g_ascii_strtoll (text, &end, 10);

    if (end == text)
      break;
    if (dims)
      dims[rank] = d;
    rank++;
    text = *end == 'x' ? end + 1 : end;
  }
  return rank;
}

#ifdef GST_TRT_PLUGIN_BUILD
/* Inside the plugin only: registration and writers (gsttrtmeta.c). */
void gst_trt_meta_register (void);
void gst_trt_buffer_add_detection (GstBuffer * buffer, const gchar * element,
    gint frame_w, gint frame_h, gint label_id, const gchar * label,
    gdouble confidence, gdouble x0, gdouble y0, gdouble x1, gdouble y1);
/* `ids`, `labels` and `confidences` hold `n` results, best first. */
void gst_trt_buffer_add_classification (GstBuffer * buffer,
    const gchar * element, gint frame_w, gint frame_h, guint n,
    const gint * ids, const gchar * const *labels, const gdouble * confidences);
/* Adds the tensor meta with the fields of `tensors` (taken over and freed). */
void gst_trt_buffer_add_tensors (GstBuffer * buffer, GstStructure * tensors);
#endif

G_END_DECLS

#endif /* __GST_TRT_META_H__ */
