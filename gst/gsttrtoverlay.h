/* GStreamer trtinfer: trtoverlay draws detection boxes and labels onto frames.
 *
 * trtoverlay reads the GstVideoRegionOfInterestMeta that trtinfer (or any
 * element using the DL Streamer convention, see gsttrtmeta.h) attaches to a
 * buffer and draws, in place: a box per region in the colour of its class, and
 * a tag with "label 0.87" above it plus one line per classification result. A
 * region without a "detection" structure that covers the whole frame
 * (full-frame classification) gets only its text, top-left.
 *
 * Formats: RGB, BGR, RGBx, BGRx, xRGB, xBGR, RGBA, BGRA, ARGB, ABGR, NV12,
 * I420, with any stride; YUV colours follow the caps' colorimetry (matrix and
 * range).
 */
#ifndef __GST_TRT_OVERLAY_H__
#define __GST_TRT_OVERLAY_H__

#include <gst/gst.h>
#include <gst/video/video.h>
#include <gst/video/gstvideofilter.h>

G_BEGIN_DECLS
#define GST_TYPE_TRT_OVERLAY (gst_trt_overlay_get_type ())
G_DECLARE_FINAL_TYPE (GstTrtOverlay, gst_trt_overlay, GST, TRT_OVERLAY,
    GstVideoFilter);

GST_ELEMENT_REGISTER_DECLARE (trtoverlay);

G_END_DECLS
#endif /* __GST_TRT_OVERLAY_H__ */
