/* trtdecode.h — output tensors -> detections or classes, in frame coordinates.
 *
 * A decoder is chosen once per engine from its output shapes (trt_decoder_plan) and then
 * run per frame (trt_decode_frame) on host copies of the outputs converted to float.
 * Layouts (B = batch, C = classes, N = candidate boxes):
 *   classification  one output [B, C] or [B, C, 1, 1]; scores or logits (softmax is
 *                   applied when the values are not already probabilities).
 *   yolo            one output, YOLOv5 [B, N, 5 + C] (cx, cy, w, h, objectness, class
 *                   scores) or YOLOv8 [B, 4 + C, N] (cx, cy, w, h, class scores; also
 *                   [B, N, 4 + C] when the labels count says so). Boxes in network-input
 *                   pixels. Class-aware greedy NMS.
 *   ssd             one output [B|1, 1, N, 7] rows (image_id, label, confidence, x_min,
 *                   y_min, x_max, y_max), or TF-style outputs boxes [B, N, 4] (y_min, x_min,
 *                   y_max, x_max), scores [B, N], classes [B, N] (+ count [B]); coordinates
 *                   normalised to the network input; no extra NMS (the model did it).
 * Output dimension 0 is the batch when it equals the batch size; otherwise the whole
 * tensor belongs to every frame (image_id selects rows for the [.,1,N,7] layout).
 */
#ifndef __TRT_DECODE_H__
#define __TRT_DECODE_H__

#include <gst/gst.h>

#include "trt/trt.h"
#include "trtpreprocess.h"

G_BEGIN_DECLS

typedef enum
{
  TRT_DECODER_AUTO,
  TRT_DECODER_NONE,
  TRT_DECODER_CLASSIFICATION,
  TRT_DECODER_YOLO,
  TRT_DECODER_SSD,
} TrtDecoderKind;

typedef struct
{
  TrtDecoderKind kind;          /* never AUTO once planned */
  /* yolo */
  gboolean yolo_channels_first; /* [B, 4 + C, N] */
  gboolean yolo_objectness;     /* YOLOv5: objectness column before the class scores */
  /* which outputs the decoder reads (-1: unused) */
  gint out_main;                /* classification, yolo, ssd rows */
  gint out_boxes, out_scores, out_classes, out_count;   /* ssd, TF style */
} TrtDecoderPlan;

/* One output of one batch, converted to float: current shape and data. */
typedef struct
{
  trt_dims dims;
  const gfloat *data;
} TrtTensorView;

typedef struct
{
  gint class_id;
  gfloat confidence;
  gfloat x0, y0, x1, y1;        /* frame pixels, clipped to the frame */
} TrtDetection;

typedef struct
{
  gint class_id;
  gfloat confidence;
} TrtClassification;

typedef struct
{
  gfloat confidence_threshold;  /* keep results with confidence >= this */
  gfloat iou_threshold;         /* NMS: drop a box overlapping a better one by more */
  guint max_detections;         /* per frame, after NMS (0: no limit) */
  guint top_k;                  /* classification: best classes kept */
  const guint8 *class_mask;     /* NULL: every class; else keep id if id < n && mask[id] */
  gint n_class_mask;
  gint net_w, net_h;            /* network input size in pixels */
} TrtDecodeParams;

/* Chooses the decoder for outputs with shapes `dims` (at the profile's max batch) and
 * names `names`. `kind` AUTO picks from the shapes (NONE when nothing fits); an explicit
 * kind that does not fit fails with `error` saying which shapes it needs. `n_labels`
 * (0 if unknown) settles the YOLO row layout. */
gboolean trt_decoder_plan (TrtDecoderKind kind, guint n_outputs,
    const trt_dims * dims, const gchar * const *names, gint n_labels,
    TrtDecoderPlan * plan, GError ** error);

/* "yolov8 [B, 4 + C, N] on 'output0'" — for logs; free with g_free. */
gchar *trt_decoder_plan_describe (const TrtDecoderPlan * plan,
    const gchar * const *names);

/* Decodes frame `index` of a batch of `batch` frames, appending TrtDetection to
 * `detections` or TrtClassification (best first) to `classes`. */
void trt_decode_frame (const TrtDecoderPlan * plan,
    const TrtDecodeParams * params, const TrtTensorView * outputs,
    guint batch, guint index, const TrtGeometry * geo, gint frame_w,
    gint frame_h, GArray * detections, GArray * classes);

/* Greedy non-maximum suppression of `dets` in place (per class unless `agnostic`),
 * keeping at most `max_keep` (0: all), best first. */
void trt_nms (GArray * dets, gfloat iou_threshold, gboolean agnostic,
    guint max_keep);

G_END_DECLS

#endif /* __TRT_DECODE_H__ */
