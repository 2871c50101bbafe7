/* GStreamer trtinfer: inference with a trtinfer engine on video frames. */
#ifndef __GST_TRT_INFER_H__
#define __GST_TRT_INFER_H__

#include <gst/gst.h>
#include <gst/base/gstbasetransform.h>

G_BEGIN_DECLS

#define GST_TYPE_TRT_INFER (gst_trt_infer_get_type ())
G_DECLARE_FINAL_TYPE (GstTrtInfer, gst_trt_infer, GST, TRT_INFER,
    GstBaseTransform);

GST_ELEMENT_REGISTER_DECLARE (trtinfer);

G_END_DECLS

#endif /* __GST_TRT_INFER_H__ */
