/* GStreamer trtinfer plugin: the trtinfer element (and trtoverlay when built). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/gst.h>

#include "gsttrtinfer.h"
#ifdef HAVE_TRTOVERLAY
#include "gsttrtoverlay.h"
#endif

static gboolean
plugin_init (GstPlugin * plugin)
{
  gboolean ret = FALSE;

  ret |= GST_ELEMENT_REGISTER (trtinfer, plugin);
#ifdef HAVE_TRTOVERLAY
  ret |= GST_ELEMENT_REGISTER (trtoverlay, plugin);
#endif
  return ret;
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR,
    GST_VERSION_MINOR,
    trtinfer,
    "TensorRT-style inference on OpenCL: batched inference and metadata on "
    "video frames",
    plugin_init, TRTINFER_VERSION, "MIT", "trtinfer", "trtinfer")
