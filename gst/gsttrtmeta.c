/* GStreamer trtinfer: writing the metadata described in gsttrtmeta.h. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <math.h>

#include "gsttrtmeta.h"

void
gst_trt_meta_register (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done)) {
    /* No tags: the tensors describe the whole frame and stay valid through
     * elements that only change the picture's storage. */
    static const gchar *tags[] = { NULL };

    gst_meta_register_custom (GST_TRT_TENSOR_META_NAME, tags, NULL, NULL, NULL);
    g_once_init_leave (&done, 1);
  }
}

/* Regions get ids 0, 1, 2... in the order they are added to a buffer, so that
 * gst_buffer_get_video_region_of_interest_meta_id() can walk them (Python can). */
static GstVideoRegionOfInterestMeta *
add_roi (GstBuffer * buffer, const gchar * roi_type, gdouble x0, gdouble y0,
    gdouble x1, gdouble y1)
{
  guint x = (guint) lround (x0), y = (guint) lround (y0);
  guint w = (guint) MAX (lround (x1) - (glong) x, 0);
  guint h = (guint) MAX (lround (y1) - (glong) y, 0);
  GstVideoRegionOfInterestMeta *roi;
  gpointer state = NULL;
  gint n = 0;

  while (gst_buffer_iterate_meta_filtered (buffer, &state,
          GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))
    n++;
  roi = gst_buffer_add_video_region_of_interest_meta (buffer, roi_type, x, y,
      w, h);
  roi->id = n;
  return roi;
}

void
gst_trt_buffer_add_detection (GstBuffer * buffer, const gchar * element,
    gint frame_w, gint frame_h, gint label_id, const gchar * label,
    gdouble confidence, gdouble x0, gdouble y0, gdouble x1, gdouble y1)
{
  GstVideoRegionOfInterestMeta *roi = add_roi (buffer, label, x0, y0, x1, y1);

  gst_video_region_of_interest_meta_add_param (roi,
      gst_structure_new (GST_TRT_DETECTION_NAME,
          "label_id", G_TYPE_INT, label_id,
          "label", G_TYPE_STRING, label,
          "confidence", G_TYPE_DOUBLE, confidence,
          "x_min", G_TYPE_DOUBLE, x0 / frame_w,
          "y_min", G_TYPE_DOUBLE, y0 / frame_h,
          "x_max", G_TYPE_DOUBLE, x1 / frame_w,
          "y_max", G_TYPE_DOUBLE, y1 / frame_h,
          "element", G_TYPE_STRING, element, NULL));
}

void
gst_trt_buffer_add_classification (GstBuffer * buffer, const gchar * element,
    gint frame_w, gint frame_h, guint n, const gint * ids,
    const gchar * const *labels, const gdouble * confidences)
{
  GstVideoRegionOfInterestMeta *roi;

  if (n == 0)
    return;
  roi = add_roi (buffer, labels[0], 0, 0, frame_w, frame_h);
  for (guint i = 0; i < n; i++)
    gst_video_region_of_interest_meta_add_param (roi,
        gst_structure_new (GST_TRT_CLASSIFICATION_NAME,
            "label_id", G_TYPE_INT, ids[i],
            "label", G_TYPE_STRING, labels[i],
            "confidence", G_TYPE_DOUBLE, confidences[i],
            "element", G_TYPE_STRING, element, NULL));
}

static gboolean
copy_field (GQuark field, const GValue * value, gpointer dest)
{
  gst_structure_id_set_value ((GstStructure *) dest, field, value);
  return TRUE;
}

void
gst_trt_buffer_add_tensors (GstBuffer * buffer, GstStructure * tensors)
{
  GstCustomMeta *m = gst_buffer_add_custom_meta (buffer,
      GST_TRT_TENSOR_META_NAME);

  if (m)
    gst_structure_foreach (tensors, copy_field,
        gst_custom_meta_get_structure (m));
  gst_structure_free (tensors);
}
