/* trtdecode.c — classification, YOLOv5/v8 and SSD decoders and NMS (see trtdecode.h). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <math.h>
#include <string.h>

#include "trtdecode.h"

/* The shape without the batch dimension and trailing 1s: [B, C, 1, 1] -> [C]. */
static trt_dims
core_dims (const trt_dims * d)
{
  trt_dims c = { 0 };

  for (gint i = 1; i < d->nb_dims; i++)
    c.d[c.nb_dims++] = d->d[i];
  while (c.nb_dims > 1 && c.d[c.nb_dims - 1] == 1)
    c.nb_dims--;
  return c;
}

static gboolean
name_has (const gchar * name, const gchar * what)
{
  gchar *low = g_ascii_strdown (name ? name : "", -1);
  gboolean r = strstr (low, what) != NULL;

  g_free (low);
  return r;
}

static gboolean
plan_yolo (const trt_dims * d, gint n_labels, TrtDecoderPlan * plan)
{
  gint64 a, b;

  if (d->nb_dims != 3)
    return FALSE;
  a = d->d[1];
  b = d->d[2];
  plan->kind = TRT_DECODER_YOLO;
  plan->out_main = 0;
  /* The labels count settles the layout; without it, candidates outnumber the
   * features of a candidate in every real model. */
  if (n_labels > 0 && a == 4 + n_labels)
    plan->yolo_channels_first = TRUE;
  else if (n_labels > 0 && (b == 5 + n_labels || b == 4 + n_labels))
    plan->yolo_channels_first = FALSE;
  else
    plan->yolo_channels_first = a < b;
  if (plan->yolo_channels_first) {
    plan->yolo_objectness = FALSE;
    return a >= 5;
  }
  plan->yolo_objectness = !(n_labels > 0 && b == 4 + n_labels);
  return b >= (plan->yolo_objectness ? 6 : 5);
}

static gboolean
plan_ssd (guint n, const trt_dims * dims, const gchar * const *names,
    TrtDecoderPlan * plan)
{
  gint pair[2] = { -1, -1 }, n_pair = 0;

  plan->kind = TRT_DECODER_SSD;
  if (n == 1) {
    const trt_dims *d = &dims[0];

    plan->out_main = 0;
    return d->nb_dims == 4 && d->d[1] == 1 && d->d[3] == 7;
  }
  for (guint i = 0; i < n; i++) {
    const trt_dims *d = &dims[i];

    if (d->nb_dims == 3 && d->d[2] == 4 && plan->out_boxes < 0)
      plan->out_boxes = i;
    else if (d->nb_dims == 2 && n_pair < 2)
      pair[n_pair++] = i;
    else if (d->nb_dims == 1 || (d->nb_dims == 2 && d->d[1] == 1))
      plan->out_count = i;
  }
  if (plan->out_boxes < 0 || n_pair < 2)
    return FALSE;
  /* Scores and classes have the same shape: tell them apart by name. */
  if (name_has (names[pair[0]], "class") || name_has (names[pair[0]], "label")
      || name_has (names[pair[1]], "score")) {
    plan->out_classes = pair[0];
    plan->out_scores = pair[1];
  } else {
    plan->out_scores = pair[0];
    plan->out_classes = pair[1];
  }
  return TRUE;
}

gboolean
trt_decoder_plan (TrtDecoderKind kind, guint n_outputs, const trt_dims * dims,
    const gchar * const *names, gint n_labels, TrtDecoderPlan * plan,
    GError ** error)
{
  trt_dims c = { 0 };
  gchar shape[128];

  memset (plan, 0, sizeof *plan);
  plan->out_main = plan->out_boxes = plan->out_scores = -1;
  plan->out_classes = plan->out_count = -1;
  plan->kind = TRT_DECODER_NONE;
  if (n_outputs == 0 || kind == TRT_DECODER_NONE)
    return TRUE;
  c = core_dims (&dims[0]);
  trt_dims_str (&dims[0], shape, sizeof shape);

  switch (kind) {
    case TRT_DECODER_AUTO:{
      TrtDecoderPlan p = *plan;

      if (n_outputs == 1 && c.nb_dims == 1 && c.d[0] >= 2) {
        plan->kind = TRT_DECODER_CLASSIFICATION;
        plan->out_main = 0;
      } else if (n_outputs == 1 && plan_yolo (&dims[0], n_labels, &p)) {
        *plan = p;
      } else {
        p = *plan;
        if (plan_ssd (n_outputs, dims, names, &p))
          *plan = p;
      }
      return TRUE;
    }
    case TRT_DECODER_CLASSIFICATION:
      if (n_outputs >= 1 && c.nb_dims == 1) {
        plan->kind = kind;
        plan->out_main = 0;
        return TRUE;
      }
      g_set_error (error, TRT_GST_ERROR, 0,
          "decoder=classification needs an output of shape [B, C] or "
          "[B, C, 1, 1]; the first output '%s' is %s", names[0], shape);
      return FALSE;
    case TRT_DECODER_YOLO:
      if (plan_yolo (&dims[0], n_labels, plan))
        return TRUE;
      g_set_error (error, TRT_GST_ERROR, 0,
          "decoder=yolo needs an output of shape [B, N, 5 + C] (YOLOv5) or "
          "[B, 4 + C, N] (YOLOv8); the first output '%s' is %s", names[0],
          shape);
      return FALSE;
    case TRT_DECODER_SSD:
      if (plan_ssd (n_outputs, dims, names, plan))
        return TRUE;
      g_set_error (error, TRT_GST_ERROR, 0,
          "decoder=ssd needs one output [B, 1, N, 7] or outputs boxes "
          "[B, N, 4], scores [B, N] and classes [B, N]; the model has %u "
          "output(s), the first '%s' is %s", n_outputs, names[0], shape);
      return FALSE;
    case TRT_DECODER_NONE:
      break;
  }
  return TRUE;
}

gchar *
trt_decoder_plan_describe (const TrtDecoderPlan * plan,
    const gchar * const *names)
{
  switch (plan->kind) {
    case TRT_DECODER_CLASSIFICATION:
      return g_strdup_printf ("classification on '%s'", names[plan->out_main]);
    case TRT_DECODER_YOLO:
      return g_strdup_printf ("%s on '%s'", plan->yolo_channels_first ?
          "YOLOv8 [B, 4 + C, N]" : plan->yolo_objectness ?
          "YOLOv5 [B, N, 5 + C]" : "YOLOv8 [B, N, 4 + C]",
          names[plan->out_main]);
    case TRT_DECODER_SSD:
      if (plan->out_main >= 0)
        return g_strdup_printf ("SSD rows [B, 1, N, 7] on '%s'",
            names[plan->out_main]);
      return g_strdup_printf ("SSD boxes '%s', scores '%s', classes '%s'",
          names[plan->out_boxes], names[plan->out_scores],
          names[plan->out_classes]);
    default:
      return g_strdup ("none (tensors only)");
  }
}

/* ---------------------------------------------------------------- helpers */

/* This frame's part of a tensor: its data and element count, and its rank without the
 * batch dimension. The whole tensor when dimension 0 is not the batch. */
static const gfloat *
frame_slice (const TrtTensorView * v, guint batch, guint index, gint64 * count,
    gboolean * sliced)
{
  gint64 vol = trt_dims_volume (&v->dims);

  *sliced = v->dims.nb_dims > 0 && v->dims.d[0] == (gint64) batch;
  if (*sliced) {
    *count = vol / batch;
    return v->data + *count * index;
  }
  *count = vol;
  return v->data;
}

static gboolean
class_allowed (const TrtDecodeParams * p, gint id)
{
  if (!p->class_mask)
    return TRUE;
  return id >= 0 && id < p->n_class_mask && p->class_mask[id];
}

/* Network-input pixels -> clipped frame pixels; FALSE if nothing of the box is left. */
static gboolean
to_frame (const TrtGeometry * geo, gint fw, gint fh, gfloat nx0, gfloat ny0,
    gfloat nx1, gfloat ny1, TrtDetection * d)
{
  d->x0 = CLAMP ((nx0 - geo->off_x) / geo->scale_x, 0.0, fw);
  d->y0 = CLAMP ((ny0 - geo->off_y) / geo->scale_y, 0.0, fh);
  d->x1 = CLAMP ((nx1 - geo->off_x) / geo->scale_x, 0.0, fw);
  d->y1 = CLAMP ((ny1 - geo->off_y) / geo->scale_y, 0.0, fh);
  return d->x1 > d->x0 && d->y1 > d->y0;
}

static gint
by_confidence (gconstpointer a, gconstpointer b)
{
  const TrtDetection *x = a, *y = b;

  if (x->confidence != y->confidence)
    return x->confidence > y->confidence ? -1 : 1;
  return 0;
}

static gfloat
iou (const TrtDetection * a, const TrtDetection * b)
{
  gfloat w = MIN (a->x1, b->x1) - MAX (a->x0, b->x0);
  gfloat h = MIN (a->y1, b->y1) - MAX (a->y0, b->y0);
  gfloat inter, uni;

  if (w <= 0 || h <= 0)
    return 0.0f;
  inter = w * h;
  uni = (a->x1 - a->x0) * (a->y1 - a->y0) + (b->x1 - b->x0) * (b->y1 - b->y0)
      - inter;
  return uni > 0 ? inter / uni : 0.0f;
}

void
trt_nms (GArray * dets, gfloat iou_threshold, gboolean agnostic, guint max_keep)
{
  guint n = dets->len, kept = 0;
  TrtDetection *d;

  /* g_array_sort is a stable merge sort: equal scores keep the model's order. */
  g_array_sort (dets, by_confidence);
  d = (TrtDetection *) dets->data;
  for (guint i = 0; i < n && (max_keep == 0 || kept < max_keep); i++) {
    gboolean keep = TRUE;

    for (guint j = 0; j < kept && keep; j++)
      if ((agnostic || d[j].class_id == d[i].class_id)
          && iou (&d[j], &d[i]) > iou_threshold)
        keep = FALSE;
    if (keep)
      d[kept++] = d[i];
  }
  g_array_set_size (dets, kept);
}

/* ---------------------------------------------------------------- decoders */

static void
decode_classification (const TrtDecodeParams * p, const gfloat * x,
    gint64 n, GArray * classes)
{
  gfloat *prob = g_new (gfloat, n);
  gboolean is_prob = TRUE;
  gdouble sum = 0.0;
  guint top = MAX (p->top_k, 1);

  for (gint64 i = 0; i < n; i++) {
    if (!(x[i] >= 0.0f && x[i] <= 1.0f))
      is_prob = FALSE;
    sum += x[i];
  }
  if (is_prob && fabs (sum - 1.0) < 1e-3) {
    memcpy (prob, x, sizeof (gfloat) * n);
  } else {
    gfloat mx = x[0];

    for (gint64 i = 1; i < n; i++)
      mx = MAX (mx, x[i]);
    sum = 0.0;
    for (gint64 i = 0; i < n; i++)
      sum += prob[i] = expf (x[i] - mx);
    for (gint64 i = 0; i < n; i++)
      prob[i] = (gfloat) (prob[i] / sum);
  }
  /* top-k by repeated selection: k is small */
  for (guint k = 0; k < top; k++) {
    gint64 best = -1;

    for (gint64 i = 0; i < n; i++)
      if (prob[i] >= 0.0f && class_allowed (p, (gint) i)
          && (best < 0 || prob[i] > prob[best]))
        best = i;
    if (best < 0 || prob[best] < p->confidence_threshold)
      break;
    {
      TrtClassification r = { (gint) best, prob[best] };

      g_array_append_val (classes, r);
    }
    prob[best] = -1.0f;
  }
  g_free (prob);
}

static void
decode_yolo (const TrtDecoderPlan * plan, const TrtDecodeParams * p,
    const TrtTensorView * v, const gfloat * x, const TrtGeometry * geo,
    gint fw, gint fh, GArray * dets)
{
  gint64 a = v->dims.d[v->dims.nb_dims - 2], b = v->dims.d[v->dims.nb_dims - 1];
  gint64 rows = plan->yolo_channels_first ? b : a;
  gint64 feats = plan->yolo_channels_first ? a : b;
  gint64 first_cls = plan->yolo_objectness ? 5 : 4;
  /* element k of candidate i */
#define E(i, k) (plan->yolo_channels_first ? x[(k) * rows + (i)] : x[(i) * feats + (k)])

  for (gint64 i = 0; i < rows; i++) {
    gfloat obj = plan->yolo_objectness ? E (i, 4) : 1.0f;
    gint64 best = first_cls;
    gfloat conf, cx, cy, w, h;
    TrtDetection d;

    if (obj < p->confidence_threshold)
      continue;
    for (gint64 k = first_cls + 1; k < feats; k++)
      if (E (i, k) > E (i, best))
        best = k;
    conf = obj * E (i, best);
    if (conf < p->confidence_threshold
        || !class_allowed (p, (gint) (best - first_cls)))
      continue;
    cx = E (i, 0);
    cy = E (i, 1);
    w = E (i, 2);
    h = E (i, 3);
    d.class_id = (gint) (best - first_cls);
    d.confidence = conf;
    if (to_frame (geo, fw, fh, cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2,
            &d))
      g_array_append_val (dets, d);
  }
#undef E
  trt_nms (dets, p->iou_threshold, FALSE, p->max_detections);
}

static void
add_normalised (const TrtDecodeParams * p, const TrtGeometry * geo, gint fw,
    gint fh, gint id, gfloat conf, gfloat x0, gfloat y0, gfloat x1, gfloat y1,
    GArray * dets)
{
  TrtDetection d;

  if (conf < p->confidence_threshold || !class_allowed (p, id))
    return;
  d.class_id = id;
  d.confidence = conf;
  if (to_frame (geo, fw, fh, x0 * p->net_w, y0 * p->net_h, x1 * p->net_w,
          y1 * p->net_h, &d))
    g_array_append_val (dets, d);
}

static void
decode_ssd (const TrtDecoderPlan * plan, const TrtDecodeParams * p,
    const TrtTensorView * outs, guint batch, guint index,
    const TrtGeometry * geo, gint fw, gint fh, GArray * dets)
{
  gint64 count;
  gboolean sliced;

  if (plan->out_main >= 0) {
    const gfloat *r = frame_slice (&outs[plan->out_main], batch, index, &count,
        &sliced);

    for (gint64 i = 0; i + 7 <= count; i += 7) {
      if (r[i] < 0)
        break;
      if (!sliced && (guint) r[i] != index)
        continue;
      add_normalised (p, geo, fw, fh, (gint) r[i + 1], r[i + 2], r[i + 3],
          r[i + 4], r[i + 5], r[i + 6], dets);
    }
  } else {
    gint64 nb, ns, nc, nn = -1;
    const gfloat *boxes = frame_slice (&outs[plan->out_boxes], batch, index,
        &nb, &sliced);
    const gfloat *scores = frame_slice (&outs[plan->out_scores], batch, index,
        &ns, &sliced);
    const gfloat *cls = frame_slice (&outs[plan->out_classes], batch, index,
        &nc, &sliced);
    gint64 n = MIN (MIN (nb / 4, ns), nc);

    if (plan->out_count >= 0) {
      const gfloat *c = frame_slice (&outs[plan->out_count], batch, index,
          &nn, &sliced);

      if (nn >= 1)
        n = MIN (n, (gint64) c[0]);
    }
    for (gint64 i = 0; i < n; i++)
      add_normalised (p, geo, fw, fh, (gint) cls[i], scores[i],
          boxes[4 * i + 1], boxes[4 * i], boxes[4 * i + 3], boxes[4 * i + 2],
          dets);
  }
  g_array_sort (dets, by_confidence);
  if (p->max_detections && dets->len > p->max_detections)
    g_array_set_size (dets, p->max_detections);
}

void
trt_decode_frame (const TrtDecoderPlan * plan, const TrtDecodeParams * params,
    const TrtTensorView * outputs, guint batch, guint index,
    const TrtGeometry * geo, gint frame_w, gint frame_h, GArray * detections,
    GArray * classes)
{
  gint64 count;
  gboolean sliced;
  const gfloat *x;

  switch (plan->kind) {
    case TRT_DECODER_CLASSIFICATION:
      x = frame_slice (&outputs[plan->out_main], batch, index, &count, &sliced);
      if (count > 0)
        decode_classification (params, x, count, classes);
      break;
    case TRT_DECODER_YOLO:
      if (outputs[plan->out_main].dims.nb_dims < 2)
        break;
      x = frame_slice (&outputs[plan->out_main], batch, index, &count, &sliced);
      decode_yolo (plan, params, &outputs[plan->out_main], x, geo, frame_w,
          frame_h, detections);
      break;
    case TRT_DECODER_SSD:
      decode_ssd (plan, params, outputs, batch, index, geo, frame_w, frame_h,
          detections);
      break;
    default:
      break;
  }
}
