/* trtpreprocess.h — video frame -> network input slot on the engine's OpenCL device.
 *
 * One OpenCL kernel (trtpreprocess.cl) converts colour, resizes, pads or crops and
 * normalises a frame and writes it straight into a batch slot of the engine's input buffer.
 * The geometry it uses is also what the decoders need to map boxes back to the frame, so
 * it is computed once here (trt_preprocess_geometry) and kept with each frame.
 */
#ifndef __TRT_PREPROCESS_H__
#define __TRT_PREPROCESS_H__

#include <gst/gst.h>
#include <gst/video/video.h>

#include "trt/trt_opencl.h"

G_BEGIN_DECLS

typedef enum
{
  TRT_RESIZE_STRETCH,           /* fill the input, ignoring the aspect ratio */
  TRT_RESIZE_LETTERBOX,         /* keep the aspect ratio, pad the rest */
  TRT_RESIZE_CROP,              /* keep the aspect ratio, crop the overflow (centred) */
} TrtResizeMode;

/* What the network input wants. Values: out = mul[c] * v + add[c], v in 0..255 (after
 * channel ordering). */
typedef struct
{
  gint net_w, net_h;
  gint net_c;                   /* 3 or 1 */
  gboolean nhwc;                /* channels last */
  gboolean out_u8;              /* uint8 input tensor instead of float32 */
  gboolean bgr;                 /* colour channels in B, G, R order */
  TrtResizeMode resize;
  gboolean symmetric_padding;   /* letterbox: centre the picture (else top-left) */
  gdouble pad_value;            /* 0..255, before normalisation */
  gfloat mul[3], add[3];
} TrtPreprocessConfig;

/* Frame -> network input mapping: net = frame * scale + off (pixels, per axis), and the
 * rectangle of the input that shows the picture, [x0, x1) x [y0, y1). */
typedef struct
{
  gdouble scale_x, scale_y;
  gdouble off_x, off_y;
  gint x0, y0, x1, y1;
} TrtGeometry;

void trt_preprocess_geometry (const TrtPreprocessConfig * cfg, gint frame_w,
    gint frame_h, TrtGeometry * geo);

typedef struct _TrtPreprocess TrtPreprocess;

/* Compiles the kernel for frames of `info` (its format) on `ctx`/`dev`. NULL with `error`
 * set when the format is not supported or the kernel does not build. */
TrtPreprocess *trt_preprocess_new (cl_context ctx, cl_device_id dev,
    const TrtPreprocessConfig * cfg, const GstVideoInfo * info, GError ** error);
void trt_preprocess_free (TrtPreprocess * pp);

/* Uploads `frame` (mapped for reading) into `*staging` (grown as needed; owned by the
 * caller, one per queue) and queues the kernel on `queue`, writing batch slot `slot` of
 * `dst`. The upload is blocking, so the frame may be unmapped on return; the kernel runs
 * in order with what follows on `queue`. */
gboolean trt_preprocess_run (TrtPreprocess * pp, cl_command_queue queue,
    cl_mem * staging, gsize * staging_size, const GstVideoFrame * frame,
    const TrtGeometry * geo, cl_mem dst, guint slot, GError ** error);

/* The video formats the kernel reads, for caps. */
#define TRT_PREPROCESS_FORMATS \
  "{ NV12, I420, RGB, BGR, RGBx, BGRx, RGBA, BGRA, GRAY8 }"

GQuark trt_gst_error_quark (void);
#define TRT_GST_ERROR (trt_gst_error_quark ())

G_END_DECLS

#endif /* __TRT_PREPROCESS_H__ */
