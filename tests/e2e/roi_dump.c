/* roi_dump: runs a pipeline and prints the regions of interest of every buffer
 * that reaches its appsink named "sink", one JSON object per line:
 *
 *   {"frame": 0, "offset": 0, "pts": 0, "width": 320, "height": 240,
 *    "rois": [{"x": 140, "y": 100, "w": 41, "h": 40, "label": "ball",
 *              "label_id": 0, "confidence": 0.9712}]}
 *
 * "frame" counts the buffers from 0; "offset" is the buffer's offset (the frame
 * number for videotestsrc) or -1; "pts" nanoseconds or -1. Regions without a
 * "detection" structure have label_id -1, confidence -1 and roi_type as label.
 *
 * Usage: roi_dump [--timeout SECONDS] [--frames FILE] PIPELINE-DESCRIPTION
 *   --frames FILE  also writes the pixels of every frame to FILE, plane after
 *                  plane, lines without their padding (raw video as filesink
 *                  would write it with default strides)
 * Exit status: 0 at EOS, 1 on a pipeline error (printed on stderr), 2 on bad
 * usage, 3 when the timeout (default 120 s) passes first. Errors after EOS (an
 * RTSP server closing first, say) do not count.
 *
 * Python's GObject bindings cannot iterate a buffer's metas, hence this helper
 * for the Python tests.
 */
#include <stdio.h>
#include <stdlib.h>

#include <gst/gst.h>
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>

#include "gsttrtmeta.h"

typedef struct
{
  GMainLoop *loop;
  FILE *pixels;                 /* NULL: no --frames */
  guint64 frames;
  guint64 unmapped;             /* frames --frames could not write */
  gint status;
} Dump;

/* Appends the frame's lines, without stride padding, to d->pixels. */
static void
write_pixels (Dump * d, GstBuffer * buf, GstVideoInfo * info)
{
  GstVideoFrame frame;
  guint p;
  gint y;

  if (!gst_video_frame_map (&frame, info, buf, GST_MAP_READ)) {
    g_printerr ("roi_dump: cannot map frame %" G_GUINT64_FORMAT "\n",
        d->frames);
    d->unmapped++;
    return;
  }
  for (p = 0; p < GST_VIDEO_FRAME_N_PLANES (&frame); p++) {
    const guint8 *data = GST_VIDEO_FRAME_PLANE_DATA (&frame, p);
    gint stride = GST_VIDEO_FRAME_PLANE_STRIDE (&frame, p);
    gint comp[GST_VIDEO_MAX_COMPONENTS];
    gint row, rows;

    gst_video_format_info_component (info->finfo, p, comp);
    row = GST_VIDEO_FRAME_COMP_WIDTH (&frame, comp[0]) *
        GST_VIDEO_FRAME_COMP_PSTRIDE (&frame, comp[0]);
    rows = GST_VIDEO_FRAME_COMP_HEIGHT (&frame, comp[0]);
    for (y = 0; y < rows; y++)
      fwrite (data + (gsize) y * stride, 1, row, d->pixels);
  }
  gst_video_frame_unmap (&frame);
}

static void
print_rois (Dump * d, GstSample * sample)
{
  GstBuffer *buf = gst_sample_get_buffer (sample);
  GstCaps *caps = gst_sample_get_caps (sample);
  GstVideoInfo info;
  GString *line = g_string_new (NULL);
  gpointer state = NULL;
  GstMeta *meta;
  const gchar *sep = "";

  if (!caps || !gst_video_info_from_caps (&info, caps))
    gst_video_info_init (&info);
  else if (d->pixels)
    write_pixels (d, buf, &info);
  g_string_append_printf (line, "{\"frame\": %" G_GUINT64_FORMAT
      ", \"offset\": %" G_GINT64_FORMAT ", \"pts\": %" G_GINT64_FORMAT
      ", \"width\": %d, \"height\": %d, \"rois\": [", d->frames,
      GST_BUFFER_OFFSET_IS_VALID (buf) ? (gint64) GST_BUFFER_OFFSET (buf) : -1,
      GST_BUFFER_PTS_IS_VALID (buf) ? (gint64) GST_BUFFER_PTS (buf) : -1,
      GST_VIDEO_INFO_WIDTH (&info), GST_VIDEO_INFO_HEIGHT (&info));
  while ((meta = gst_buffer_iterate_meta_filtered (buf, &state,
              GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))) {
    GstVideoRegionOfInterestMeta *roi = (GstVideoRegionOfInterestMeta *) meta;
    GstTrtResult r;
    const gchar *label;
    gchar *escaped;
    gchar conf[G_ASCII_DTOSTR_BUF_SIZE];

    if (gst_trt_roi_get_detection (roi, &r)) {
      label = r.label ? r.label : "";
    } else {
      label = roi->roi_type ? g_quark_to_string (roi->roi_type) : "";
      r.label_id = -1;
      r.confidence = -1.0;
    }
    escaped = g_strescape (label, NULL);
    g_ascii_formatd (conf, sizeof conf, "%.4f", r.confidence);
    g_string_append_printf (line, "%s{\"x\": %u, \"y\": %u, \"w\": %u, "
        "\"h\": %u, \"label\": \"%s\", \"label_id\": %d, \"confidence\": %s}",
        sep, roi->x, roi->y, roi->w, roi->h, escaped, r.label_id, conf);
    g_free (escaped);
    sep = ", ";
  }
  g_string_append (line, "]}\n");
  fputs (line->str, stdout);
  g_string_free (line, TRUE);
  d->frames++;
}

static GstFlowReturn
on_sample (GstAppSink * sink, gpointer user_data)
{
  GstSample *sample = gst_app_sink_pull_sample (sink);

  if (!sample)
    return GST_FLOW_EOS;
  print_rois (user_data, sample);
  gst_sample_unref (sample);
  return GST_FLOW_OK;
}

static gboolean
on_message (GstBus * bus, GstMessage * msg, gpointer user_data)
{
  Dump *d = user_data;
  GError *err = NULL;
  gchar *debug = NULL;

  switch (GST_MESSAGE_TYPE (msg)) {
    case GST_MESSAGE_EOS:
      d->status = d->unmapped ? 1 : 0;
      g_main_loop_quit (d->loop);
      break;
    case GST_MESSAGE_ERROR:
      gst_message_parse_error (msg, &err, &debug);
      g_printerr ("roi_dump: error from %s: %s\n%s\n",
          GST_OBJECT_NAME (msg->src), err->message, debug ? debug : "");
      g_clear_error (&err);
      g_free (debug);
      d->status = 1;
      g_main_loop_quit (d->loop);
      break;
    default:
      break;
  }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_timeout (gpointer user_data)
{
  Dump *d = user_data;

  g_printerr ("roi_dump: timed out after %" G_GUINT64_FORMAT " frames\n",
      d->frames);
  d->status = 3;
  g_main_loop_quit (d->loop);
  return G_SOURCE_REMOVE;
}

int
main (int argc, char **argv)
{
  GstAppSinkCallbacks callbacks = {.new_sample = on_sample };
  Dump d = { NULL, NULL, 0, 0, 3 };
  const gchar *pixels = NULL;
  guint timeout = 120;
  GError *err = NULL;
  GstElement *pipeline, *sink;
  GstBus *bus;
  gint arg = 1;

  gst_init (&argc, &argv);
  while (arg + 2 < argc) {
    if (g_strcmp0 (argv[arg], "--timeout") == 0)
      timeout = (guint) atoi (argv[arg + 1]);
    else if (g_strcmp0 (argv[arg], "--frames") == 0)
      pixels = argv[arg + 1];
    else
      break;
    arg += 2;
  }
  if (arg != argc - 1) {
    g_printerr ("usage: roi_dump [--timeout SECONDS] [--frames FILE] "
        "PIPELINE-DESCRIPTION (with an appsink named \"sink\")\n");
    return 2;
  }
  if (pixels && !(d.pixels = fopen (pixels, "wb"))) {
    g_printerr ("roi_dump: cannot write '%s'\n", pixels);
    return 2;
  }
  pipeline = gst_parse_launch (argv[arg], &err);
  if (err) {
    g_printerr ("roi_dump: bad pipeline: %s\n", err->message);
    g_clear_error (&err);
    gst_clear_object (&pipeline);
    return 2;
  }
  sink = GST_IS_BIN (pipeline) ?
      gst_bin_get_by_name (GST_BIN (pipeline), "sink") : NULL;
  if (!sink || !GST_IS_APP_SINK (sink)) {
    g_printerr ("roi_dump: the pipeline has no appsink named \"sink\"\n");
    gst_clear_object (&sink);
    gst_object_unref (pipeline);
    return 2;
  }
  gst_app_sink_set_callbacks (GST_APP_SINK (sink), &callbacks, &d, NULL);

  d.loop = g_main_loop_new (NULL, FALSE);
  bus = gst_element_get_bus (pipeline);
  gst_bus_add_watch (bus, on_message, &d);
  g_timeout_add_seconds (timeout, on_timeout, &d);
  if (gst_element_set_state (pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE) {
    g_printerr ("roi_dump: the pipeline does not start\n");
    d.status = 1;
  } else {
    g_main_loop_run (d.loop);
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_bus_remove_watch (bus);
  gst_object_unref (bus);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
  g_main_loop_unref (d.loop);
  fflush (stdout);
  if (d.pixels && fclose (d.pixels) != 0) {
    g_printerr ("roi_dump: cannot write '%s'\n", pixels);
    d.status = 1;
  }
  return d.status;
}
