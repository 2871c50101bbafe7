/* GStreamer trtinfer
 *
 * gsttrtinfer.c: runs a trtinfer engine on video frames and attaches the results.
 */

/**
 * SECTION:element-trtinfer
 * @title: trtinfer
 * @short_description: Batched OpenCL inference on video frames with a trtinfer engine
 *
 * trtinfer runs a neural network on every frame (or every Nth frame) and attaches
 * what it finds to the frame as metadata; the frames themselves pass through
 * untouched. The network comes as an engine file (`engine`), or as an ONNX model
 * (`model`) from which an engine is built on first use and cached beside the model.
 *
 * Frames are converted, resized (stretch, letterbox or crop) and normalised by one
 * OpenCL kernel that writes straight into the engine's input, batched up to
 * `batch-size` frames (or fewer after `batch-timeout`), and run asynchronously with at
 * most `max-in-flight` batches on the device. Buffers leave in order with their
 * timestamps and flags.
 *
 * The outputs are decoded (`decoder`): classification, YOLOv5/YOLOv8 or SSD detections,
 * attached as GstVideoRegionOfInterestMeta with a "detection" or "classification"
 * GstStructure (see gsttrtmeta.h and docs/metadata.md); raw output tensors can be
 * attached too (`attach-tensors`).
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 filesrc location=video.mp4 ! decodebin ! videoconvert ! \
 *     trtinfer model=yolov8n.onnx labels-file=coco.txt ! trtoverlay ! \
 *     videoconvert ! autovideosink
 * ]|
 * |[
 * gst-launch-1.0 v4l2src ! videoconvert ! video/x-raw,format=NV12 ! \
 *     trtinfer engine=resnet50.engine decoder=classification resize=crop \
 *     mean="<0.485,0.456,0.406>" std="<0.229,0.224,0.225>" ! fakesink
 * ]|
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include <gst/video/video.h>

#include "gsttrtinfer.h"
#include "gsttrtmeta.h"
#include "trtdecode.h"
#include "trtmodel.h"
#include "trtpreprocess.h"
#include "trt/trt_opencl.h"

GST_DEBUG_CATEGORY (gst_trt_infer_debug);
#define GST_CAT_DEFAULT gst_trt_infer_debug

typedef enum
{
  GST_TRT_INFER_QOS_INFER,
  GST_TRT_INFER_QOS_SKIP,
} GstTrtInferQosPolicy;

typedef enum
{
  GST_TRT_INFER_CHANNEL_ORDER_RGB,
  GST_TRT_INFER_CHANNEL_ORDER_BGR,
} GstTrtInferChannelOrder;

enum
{
  PROP_0,
  PROP_ENGINE,
  PROP_MODEL,
  PROP_DEVICE,
  PROP_BATCH_SIZE,
  PROP_BATCH_TIMEOUT,
  PROP_PRECISION,
  PROP_MEAN,
  PROP_STD,
  PROP_SCALE,
  PROP_OFFSETS,
  PROP_CHANNEL_ORDER,
  PROP_RESIZE,
  PROP_SYMMETRIC_PADDING,
  PROP_PAD_VALUE,
  PROP_DECODER,
  PROP_LABELS_FILE,
  PROP_CONFIDENCE_THRESHOLD,
  PROP_NMS_IOU_THRESHOLD,
  PROP_TOP_K,
  PROP_MAX_DETECTIONS,
  PROP_OBJECT_CLASS,
  PROP_INFERENCE_INTERVAL,
  PROP_MAX_IN_FLIGHT,
  PROP_QOS_POLICY,
  PROP_ATTACH_TENSORS,
};

#define DEFAULT_PROP_ENGINE NULL
#define DEFAULT_PROP_MODEL NULL
#define DEFAULT_PROP_DEVICE NULL
#define DEFAULT_PROP_BATCH_SIZE 0
#define DEFAULT_PROP_BATCH_TIMEOUT (100 * GST_MSECOND)
#define DEFAULT_PROP_PRECISION TRT_PRECISION_FP32
#define DEFAULT_PROP_MEAN 0.0
#define DEFAULT_PROP_STD 1.0
#define DEFAULT_PROP_SCALE 0.0
#define DEFAULT_PROP_OFFSETS 0.0
#define DEFAULT_PROP_CHANNEL_ORDER GST_TRT_INFER_CHANNEL_ORDER_RGB
#define DEFAULT_PROP_RESIZE TRT_RESIZE_LETTERBOX
#define DEFAULT_PROP_SYMMETRIC_PADDING TRUE
#define DEFAULT_PROP_PAD_VALUE 114
#define DEFAULT_PROP_DECODER TRT_DECODER_AUTO
#define DEFAULT_PROP_LABELS_FILE NULL
#define DEFAULT_PROP_CONFIDENCE_THRESHOLD 0.25f
#define DEFAULT_PROP_NMS_IOU_THRESHOLD 0.45f
#define DEFAULT_PROP_TOP_K 1
#define DEFAULT_PROP_MAX_DETECTIONS 100
#define DEFAULT_PROP_OBJECT_CLASS NULL
#define DEFAULT_PROP_INFERENCE_INTERVAL 1
#define DEFAULT_PROP_MAX_IN_FLIGHT 2
#define DEFAULT_PROP_QOS_POLICY GST_TRT_INFER_QOS_SKIP
#define DEFAULT_PROP_ATTACH_TENSORS FALSE

#define MAX_BATCH_SIZE 256
#define MAX_IN_FLIGHT 16

/* One batch in the making or on the device, with its execution context: a context's
 * buffers hold one batch at a time, so there are max-in-flight of them. */
typedef struct
{
  trt_context *ctx;
  cl_command_queue queue;       /* borrowed from ctx */
  cl_mem input;                 /* borrowed from ctx */
  cl_mem staging;
  gsize staging_size;
  guint8 **host;                /* per output: its bytes, read after the run */
  gfloat **fhost;               /* per output: float copy, when not float32 */
  trt_dims *dims;               /* per output: shape of this run */

  gboolean busy;                /* open or on the device or frames not yet pushed */
  gboolean submitted;
  gboolean done;                /* waited for; outputs on the host */
  gboolean failed;
  guint n;                      /* frames in the batch */
  guint run;                    /* batch size it ran at (>= n for fixed-batch engines) */
  guint pending;                /* frames in the queue that still need it */
  gint64 opened;                /* monotonic time of its first frame, us */
} TrtBatch;

/* A buffer on its way through: with a batch slot, or passing without inference. */
typedef struct
{
  GstBuffer *buffer;
  TrtBatch *batch;
  guint slot;
  gint width, height;
  TrtGeometry geo;
} TrtFrame;

struct _GstTrtInfer
{
  GstBaseTransform parent;

  /* properties, under the object lock */
  gchar *engine_path;
  gchar *model_path;
  gchar *device_spec;
  guint batch_size;
  guint64 batch_timeout;
  trt_precision precision;
  gdouble mean[3], std[3], offsets[3], scale;
  GstTrtInferChannelOrder channel_order;
  TrtResizeMode resize;
  gboolean symmetric_padding;
  guint pad_value;
  TrtDecoderKind decoder;
  gchar *labels_file;
  gfloat confidence_threshold;
  gfloat nms_iou_threshold;
  guint top_k;
  guint max_detections;
  gchar *object_class;
  guint inference_interval;
  guint max_in_flight;
  GstTrtInferQosPolicy qos_policy;
  gboolean attach_tensors;

  /* set up by start(), fixed until stop() */
  trt_device *dev;
  trt_engine *engine;
  gchar *input_name;
  trt_dims input_dims;          /* at the batch in use */
  gboolean dynamic_batch;
  guint batch;                  /* frames per batch */
  guint engine_min_batch;
  TrtPreprocessConfig pp_cfg;
  guint n_outputs;
  gchar **out_names;
  trt_dtype *out_dtypes;
  gsize *out_bytes;             /* at the profile's max */
  TrtDecoderPlan plan;
  TrtDecodeParams params;
  guint8 *class_mask;
  gchar **labels;
  guint n_labels;
  TrtBatch *batches;
  guint n_batches;
  gint64 timeout_us;
  guint interval;
  GstTrtInferQosPolicy qos;
  gboolean tensors;
  GstClockTime latency;         /* what the element adds */

  /* caps, streaming thread */
  GstVideoInfo info;
  TrtPreprocess *pp;

  /* the queue between the streaming thread and the output thread */
  GMutex lock;
  GCond cond;
  GQueue frames;
  TrtBatch *open;
  gboolean flushing;
  gboolean shutdown;
  gboolean out_busy;            /* the output thread holds a frame outside the lock */
  GstFlowReturn srcresult;
  GThread *thread;
  guint64 frame_count;

  /* QoS, under the object lock */
  GstClockTime earliest_time;
  gboolean caps_warned;
};

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE (TRT_PREPROCESS_FORMATS)));

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE (TRT_PREPROCESS_FORMATS)));

#define gst_trt_infer_parent_class parent_class
G_DEFINE_TYPE (GstTrtInfer, gst_trt_infer, GST_TYPE_BASE_TRANSFORM);

GST_ELEMENT_REGISTER_DEFINE (trtinfer, "trtinfer", GST_RANK_NONE,
    GST_TYPE_TRT_INFER);

static void gst_trt_infer_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec);
static void gst_trt_infer_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec);
static void gst_trt_infer_finalize (GObject * object);
static GstStateChangeReturn gst_trt_infer_change_state (GstElement * element,
    GstStateChange transition);
static gboolean gst_trt_infer_start (GstBaseTransform * trans);
static gboolean gst_trt_infer_stop (GstBaseTransform * trans);
static gboolean gst_trt_infer_set_caps (GstBaseTransform * trans,
    GstCaps * incaps, GstCaps * outcaps);
static gboolean gst_trt_infer_propose_allocation (GstBaseTransform * trans,
    GstQuery * decide_query, GstQuery * query);
static gboolean gst_trt_infer_query (GstBaseTransform * trans,
    GstPadDirection direction, GstQuery * query);
static gboolean gst_trt_infer_sink_event (GstBaseTransform * trans,
    GstEvent * event);
static gboolean gst_trt_infer_src_event (GstBaseTransform * trans,
    GstEvent * event);
static GstFlowReturn gst_trt_infer_generate_output (GstBaseTransform * trans,
    GstBuffer ** outbuf);

/* ---------------------------------------------------------------- enums */

#define GST_TYPE_TRT_INFER_PRECISION (gst_trt_infer_precision_get_type ())
static GType
gst_trt_infer_precision_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {TRT_PRECISION_FP32, "32-bit floating point", "fp32"},
    {TRT_PRECISION_FP16, "16-bit floating point where accurate, else 32",
        "fp16"},
    {TRT_PRECISION_INT8, "8-bit integer (not supported by the engine yet)",
        "int8"},
    {0, NULL, NULL},
  };

  if (g_once_init_enter (&type))
    g_once_init_leave (&type,
        g_enum_register_static ("GstTrtInferPrecision", values));
  return type;
}

#define GST_TYPE_TRT_INFER_CHANNEL_ORDER (gst_trt_infer_channel_order_get_type ())
static GType
gst_trt_infer_channel_order_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_TRT_INFER_CHANNEL_ORDER_RGB, "Red, green, blue", "rgb"},
    {GST_TRT_INFER_CHANNEL_ORDER_BGR, "Blue, green, red (OpenCV/Caffe models)",
        "bgr"},
    {0, NULL, NULL},
  };

  if (g_once_init_enter (&type))
    g_once_init_leave (&type,
        g_enum_register_static ("GstTrtInferChannelOrder", values));
  return type;
}

#define GST_TYPE_TRT_INFER_RESIZE (gst_trt_infer_resize_get_type ())
static GType
gst_trt_infer_resize_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {TRT_RESIZE_STRETCH, "Scale to the input size, ignoring the aspect ratio",
        "stretch"},
    {TRT_RESIZE_LETTERBOX,
        "Keep the aspect ratio and pad the rest with pad-value", "letterbox"},
    {TRT_RESIZE_CROP, "Keep the aspect ratio and crop the overflow (centred)",
        "crop"},
    {0, NULL, NULL},
  };

  if (g_once_init_enter (&type))
    g_once_init_leave (&type,
        g_enum_register_static ("GstTrtInferResize", values));
  return type;
}

#define GST_TYPE_TRT_INFER_DECODER (gst_trt_infer_decoder_get_type ())
static GType
gst_trt_infer_decoder_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {TRT_DECODER_AUTO, "Choose from the output shapes", "auto"},
    {TRT_DECODER_NONE, "No decoding (tensors only)", "none"},
    {TRT_DECODER_CLASSIFICATION, "Classification: [B, C] scores or logits",
        "classification"},
    {TRT_DECODER_YOLO,
        "YOLO detection: YOLOv5 [B, N, 5+C] or YOLOv8 [B, 4+C, N]", "yolo"},
    {TRT_DECODER_SSD, "SSD detection: [B, 1, N, 7] or boxes/scores/classes",
        "ssd"},
    {0, NULL, NULL},
  };

  if (g_once_init_enter (&type))
    g_once_init_leave (&type,
        g_enum_register_static ("GstTrtInferDecoder", values));
  return type;
}

#define GST_TYPE_TRT_INFER_QOS_POLICY (gst_trt_infer_qos_policy_get_type ())
static GType
gst_trt_infer_qos_policy_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_TRT_INFER_QOS_INFER, "Run inference on every frame, even late ones",
        "infer"},
    {GST_TRT_INFER_QOS_SKIP,
          "Late frames skip inference and pass without metadata",
        "skip-inference"},
    {0, NULL, NULL},
  };

  if (g_once_init_enter (&type))
    g_once_init_leave (&type,
        g_enum_register_static ("GstTrtInferQosPolicy", values));
  return type;
}

/* ---------------------------------------------------------------- class */

static GParamSpec *
channel_array_spec (const gchar * name, const gchar * nick,
    const gchar * blurb, gdouble min, gdouble max, gdouble def)
{
  return gst_param_spec_array (name, nick, blurb,
      g_param_spec_double ("value", "Value", "One value per channel", min, max,
          def, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS),
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY);
}

static void
gst_trt_infer_class_init (GstTrtInferClass * klass)
{
  GObjectClass *gobject_class = (GObjectClass *) klass;
  GstElementClass *element_class = (GstElementClass *) klass;
  GstBaseTransformClass *trans_class = (GstBaseTransformClass *) klass;
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_READY;

  GST_DEBUG_CATEGORY_INIT (gst_trt_infer_debug, "trtinfer", 0,
      "trtinfer inference element");
  gst_trt_meta_register ();

  gobject_class->set_property = gst_trt_infer_set_property;
  gobject_class->get_property = gst_trt_infer_get_property;
  gobject_class->finalize = gst_trt_infer_finalize;

  /**
   * GstTrtInfer:engine:
   *
   * Path of a serialized engine (.engine) built for this device, e.g. with
   * trtinfer-exec. Exclusive with #GstTrtInfer:model.
   */
  g_object_class_install_property (gobject_class, PROP_ENGINE,
      g_param_spec_string ("engine", "Engine file",
          "Path of a .engine file built for this device (exclusive with model)",
          DEFAULT_PROP_ENGINE, rw));

  /**
   * GstTrtInfer:model:
   *
   * Path of an ONNX model. On first use an engine is built for the device,
   * precision and batch size and cached beside the model (or in
   * $XDG_CACHE_HOME/trtinfer when that folder is not writable) as
   * `<model>.<device>.<precision>.b<batch>.<key>.engine`; later starts load the
   * cache. A cache that is stale (other engine version or driver, corrupted, older
   * than the model) is rebuilt, with an INFO message saying why.
   */
  g_object_class_install_property (gobject_class, PROP_MODEL,
      g_param_spec_string ("model", "ONNX model",
          "Path of an .onnx model; an engine is built on first use and cached "
          "beside it (exclusive with engine)", DEFAULT_PROP_MODEL, rw));

  /**
   * GstTrtInfer:device:
   *
   * The OpenCL device: an index ("0"), "gpu", "cpu", or part of a device, vendor
   * or platform name ("H100", "NVIDIA"). NULL: the TRT_DEVICE environment variable,
   * else the first GPU, else the first device.
   */
  g_object_class_install_property (gobject_class, PROP_DEVICE,
      g_param_spec_string ("device", "Device",
          "OpenCL device: index, \"gpu\", \"cpu\" or part of its name "
          "(NULL: $TRT_DEVICE, else the first GPU)", DEFAULT_PROP_DEVICE, rw));

  /**
   * GstTrtInfer:batch-size:
   *
   * Frames per inference. 0: the engine's largest batch (with `engine`) or 1 (with
   * `model`, which builds for this batch size with a dynamic batch dimension, so a
   * partial batch costs only its frames). Larger than an engine allows: clamped
   * with a warning.
   */
  g_object_class_install_property (gobject_class, PROP_BATCH_SIZE,
      g_param_spec_uint ("batch-size", "Batch size",
          "Frames per inference (0: the engine's maximum, or 1 with model)",
          0, MAX_BATCH_SIZE, DEFAULT_PROP_BATCH_SIZE, rw));

  /**
   * GstTrtInfer:batch-timeout:
   *
   * Nanoseconds to wait for a batch to fill, counted from its first frame; then
   * it runs with the frames it has. 0: run as soon as the previous batch is
   * done. GST_CLOCK_TIME_NONE: only full batches (and at EOS or other events).
   * Only matters when batch-size > 1.
   */
  g_object_class_install_property (gobject_class, PROP_BATCH_TIMEOUT,
      g_param_spec_uint64 ("batch-timeout", "Batch timeout",
          "Nanoseconds a partial batch waits for more frames before it runs",
          0, G_MAXUINT64, DEFAULT_PROP_BATCH_TIMEOUT, rw));

  /**
   * GstTrtInfer:precision:
   *
   * Precision to build the engine in (with `model` only; an engine file has its
   * own): fp32, or fp16 (float16 storage where the engine's builder finds it
   * accurate; slower than fp32 on CPU devices). int8 is not supported by the
   * engine yet and fails with a message saying so.
   */
  g_object_class_install_property (gobject_class, PROP_PRECISION,
      g_param_spec_enum ("precision", "Precision",
          "Precision to build the model in (model only)",
          GST_TYPE_TRT_INFER_PRECISION, DEFAULT_PROP_PRECISION, rw));

  /**
   * GstTrtInfer:mean:
   *
   * Per-channel mean, in the network's channel order, of pixel values scaled to
   * 0..1: input = (pixel / 255 - mean) / std. One value applies to every channel.
   * Default <0, 0, 0>. Ignored when #GstTrtInfer:scale is not 0.
   */
  g_object_class_install_property (gobject_class, PROP_MEAN,
      channel_array_spec ("mean", "Mean",
          "Per-channel mean of pixels scaled to 0..1: (pixel/255 - mean) / std "
          "(default <0,0,0>)", -G_MAXDOUBLE, G_MAXDOUBLE, DEFAULT_PROP_MEAN));

  /**
   * GstTrtInfer:std:
   *
   * Per-channel standard deviation, in the network's channel order, of pixel
   * values scaled to 0..1 (see #GstTrtInfer:mean). Default <1, 1, 1>, which with
   * the default mean gives pixel / 255.
   */
  g_object_class_install_property (gobject_class, PROP_STD,
      channel_array_spec ("std", "Standard deviation",
          "Per-channel standard deviation of pixels scaled to 0..1 "
          "(default <1,1,1>)", 1e-9, G_MAXDOUBLE, DEFAULT_PROP_STD));

  /**
   * GstTrtInfer:scale:
   *
   * DeepStream-style normalisation: input = scale * (pixel - offsets), pixel in
   * 0..255. 0 (the default) means unused: mean and std apply instead.
   */
  g_object_class_install_property (gobject_class, PROP_SCALE,
      g_param_spec_double ("scale", "Scale",
          "input = scale * (pixel - offsets) with pixel in 0..255; 0: use "
          "mean/std instead", 0.0, G_MAXDOUBLE, DEFAULT_PROP_SCALE, rw));

  /**
   * GstTrtInfer:offsets:
   *
   * Per-channel offsets in 0..255 pixel units, in the network's channel order,
   * used with #GstTrtInfer:scale. Default <0, 0, 0>.
   */
  g_object_class_install_property (gobject_class, PROP_OFFSETS,
      channel_array_spec ("offsets", "Offsets",
          "Per-channel offsets in 0..255 units, used with scale (default "
          "<0,0,0>)", -G_MAXDOUBLE, G_MAXDOUBLE, DEFAULT_PROP_OFFSETS));

  /**
   * GstTrtInfer:channel-order:
   *
   * Order of the colour channels the network expects, whatever the video format.
   */
  g_object_class_install_property (gobject_class, PROP_CHANNEL_ORDER,
      g_param_spec_enum ("channel-order", "Channel order",
          "Colour channel order the network expects",
          GST_TYPE_TRT_INFER_CHANNEL_ORDER, DEFAULT_PROP_CHANNEL_ORDER, rw));

  /**
   * GstTrtInfer:resize:
   *
   * How a frame is fitted to the network input: stretch, letterbox (aspect ratio
   * kept, borders filled with #GstTrtInfer:pad-value) or crop (aspect ratio kept,
   * centre crop). Detections are mapped back to frame coordinates either way.
   */
  g_object_class_install_property (gobject_class, PROP_RESIZE,
      g_param_spec_enum ("resize", "Resize mode",
          "How frames are fitted to the network input",
          GST_TYPE_TRT_INFER_RESIZE, DEFAULT_PROP_RESIZE, rw));

  /**
   * GstTrtInfer:symmetric-padding:
   *
   * Letterbox: centre the picture, padding both sides equally (the odd pixel goes
   * right/bottom). FALSE: the picture sits top-left and all padding is right and
   * bottom (DeepStream's default).
   */
  g_object_class_install_property (gobject_class, PROP_SYMMETRIC_PADDING,
      g_param_spec_boolean ("symmetric-padding", "Symmetric padding",
          "Letterbox: pad both sides equally (FALSE: right/bottom only)",
          DEFAULT_PROP_SYMMETRIC_PADDING, rw));

  /**
   * GstTrtInfer:pad-value:
   *
   * Letterbox border value in 0..255 pixel units, before normalisation, for every
   * channel (114 is the grey YOLO models are trained with).
   */
  g_object_class_install_property (gobject_class, PROP_PAD_VALUE,
      g_param_spec_uint ("pad-value", "Pad value",
          "Letterbox border value, 0..255 before normalisation", 0, 255,
          DEFAULT_PROP_PAD_VALUE, rw));

  /**
   * GstTrtInfer:decoder:
   *
   * How outputs become metadata. auto: one [B, C] output is classification, one
   * [B, N, 5+C] or [B, 4+C, N] output is YOLO, [B, 1, N, 7] or boxes/scores/classes
   * outputs are SSD; anything else is not decoded.
   */
  g_object_class_install_property (gobject_class, PROP_DECODER,
      g_param_spec_enum ("decoder", "Decoder",
          "How output tensors become metadata",
          GST_TYPE_TRT_INFER_DECODER, DEFAULT_PROP_DECODER, rw));

  /**
   * GstTrtInfer:labels-file:
   *
   * Text file with one label per line: line N (from 0) names class N. Without it,
   * labels are the class numbers.
   */
  g_object_class_install_property (gobject_class, PROP_LABELS_FILE,
      g_param_spec_string ("labels-file", "Labels file",
          "One label per line; line N (from 0) names class N",
          DEFAULT_PROP_LABELS_FILE, rw));

  /**
   * GstTrtInfer:confidence-threshold:
   *
   * Detections and classes with a lower confidence (0..1) are not attached.
   */
  g_object_class_install_property (gobject_class, PROP_CONFIDENCE_THRESHOLD,
      g_param_spec_float ("confidence-threshold", "Confidence threshold",
          "Results below this confidence (0..1) are dropped", 0.0f, 1.0f,
          DEFAULT_PROP_CONFIDENCE_THRESHOLD, rw));

  /**
   * GstTrtInfer:nms-iou-threshold:
   *
   * YOLO non-maximum suppression: a box overlapping a better box of the same class
   * by more than this intersection-over-union (0..1) is dropped.
   */
  g_object_class_install_property (gobject_class, PROP_NMS_IOU_THRESHOLD,
      g_param_spec_float ("nms-iou-threshold", "NMS IoU threshold",
          "Boxes overlapping a better one of their class by more IoU are "
          "dropped", 0.0f, 1.0f, DEFAULT_PROP_NMS_IOU_THRESHOLD, rw));

  /**
   * GstTrtInfer:top-k:
   *
   * Classification: how many of the best classes are attached per frame.
   */
  g_object_class_install_property (gobject_class, PROP_TOP_K,
      g_param_spec_uint ("top-k", "Top k",
          "Classification: number of best classes attached per frame", 1,
          1000, DEFAULT_PROP_TOP_K, rw));

  /**
   * GstTrtInfer:max-detections:
   *
   * Most detections attached per frame, best first (0: no limit).
   */
  g_object_class_install_property (gobject_class, PROP_MAX_DETECTIONS,
      g_param_spec_uint ("max-detections", "Max detections",
          "Most detections attached per frame (0: no limit)", 0, G_MAXUINT,
          DEFAULT_PROP_MAX_DETECTIONS, rw));

  /**
   * GstTrtInfer:object-class:
   *
   * Class filter: comma-separated labels or class numbers to keep, e.g.
   * "person,car" or "0,2". NULL or empty: every class.
   */
  g_object_class_install_property (gobject_class, PROP_OBJECT_CLASS,
      g_param_spec_string ("object-class", "Object class",
          "Comma-separated labels or class numbers to keep (empty: all)",
          DEFAULT_PROP_OBJECT_CLASS, rw));

  /**
   * GstTrtInfer:inference-interval:
   *
   * Run inference on every Nth frame, as in DL Streamer: 1 means every frame, 2
   * every other frame (the first, third, ...). Other frames pass without metadata.
   */
  g_object_class_install_property (gobject_class, PROP_INFERENCE_INTERVAL,
      g_param_spec_uint ("inference-interval", "Inference interval",
          "Infer every Nth frame: 1 = every frame, 2 = every other frame",
          1, G_MAXUINT, DEFAULT_PROP_INFERENCE_INTERVAL, rw));

  /**
   * GstTrtInfer:max-in-flight:
   *
   * Batches queued on the device at once, counting the one being filled. Each
   * costs one execution context (activation memory). When all are busy, upstream
   * waits: this bounds the element's latency and memory.
   */
  g_object_class_install_property (gobject_class, PROP_MAX_IN_FLIGHT,
      g_param_spec_uint ("max-in-flight", "Max in flight",
          "Batches on the device at once (each has its own device memory)",
          1, MAX_IN_FLIGHT, DEFAULT_PROP_MAX_IN_FLIGHT, rw));

  /**
   * GstTrtInfer:qos-policy:
   *
   * What frames do that QoS events from downstream report as too late:
   * skip-inference lets them through at once without metadata, so a live pipeline
   * catches up instead of drifting; infer runs them anyway. (The base class's
   * `qos` property, FALSE by default, would drop them instead.)
   */
  g_object_class_install_property (gobject_class, PROP_QOS_POLICY,
      g_param_spec_enum ("qos-policy", "QoS policy",
          "What late frames do: skip inference (pass without metadata) or infer",
          GST_TYPE_TRT_INFER_QOS_POLICY, DEFAULT_PROP_QOS_POLICY,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstTrtInfer:attach-tensors:
   *
   * Also attach each frame's raw output tensors as a GstCustomMeta
   * "GstTrtTensorMeta" (see gsttrtmeta.h).
   */
  g_object_class_install_property (gobject_class, PROP_ATTACH_TENSORS,
      g_param_spec_boolean ("attach-tensors", "Attach tensors",
          "Attach the raw output tensors as GstTrtTensorMeta",
          DEFAULT_PROP_ATTACH_TENSORS, rw));

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class,
      "TensorRT-style inference", "Filter/Effect/Video/Analyzer",
      "Runs a trtinfer engine (or an ONNX model, built and cached on first "
      "use) on video frames in batches on an OpenCL device and attaches "
      "detections or classes as GstVideoRegionOfInterestMeta. Example: "
      "gst-launch-1.0 videotestsrc num-buffers=30 ! videoconvert ! "
      "trtinfer model=model.onnx labels-file=labels.txt ! fakesink",
      "trtinfer developers");

  element_class->change_state = GST_DEBUG_FUNCPTR (gst_trt_infer_change_state);
  trans_class->start = GST_DEBUG_FUNCPTR (gst_trt_infer_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_trt_infer_stop);
  trans_class->set_caps = GST_DEBUG_FUNCPTR (gst_trt_infer_set_caps);
  trans_class->propose_allocation =
      GST_DEBUG_FUNCPTR (gst_trt_infer_propose_allocation);
  trans_class->query = GST_DEBUG_FUNCPTR (gst_trt_infer_query);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (gst_trt_infer_sink_event);
  trans_class->src_event = GST_DEBUG_FUNCPTR (gst_trt_infer_src_event);
  trans_class->generate_output =
      GST_DEBUG_FUNCPTR (gst_trt_infer_generate_output);

  gst_type_mark_as_plugin_api (GST_TYPE_TRT_INFER_PRECISION, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_TRT_INFER_CHANNEL_ORDER, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_TRT_INFER_RESIZE, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_TRT_INFER_DECODER, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_TRT_INFER_QOS_POLICY, 0);
}

static void
gst_trt_infer_init (GstTrtInfer * self)
{
  GstBaseTransform *trans = GST_BASE_TRANSFORM (self);

  self->batch_size = DEFAULT_PROP_BATCH_SIZE;
  self->batch_timeout = DEFAULT_PROP_BATCH_TIMEOUT;
  self->precision = DEFAULT_PROP_PRECISION;
  for (guint c = 0; c < 3; c++) {
    self->mean[c] = DEFAULT_PROP_MEAN;
    self->std[c] = DEFAULT_PROP_STD;
    self->offsets[c] = DEFAULT_PROP_OFFSETS;
  }
  self->scale = DEFAULT_PROP_SCALE;
  self->channel_order = DEFAULT_PROP_CHANNEL_ORDER;
  self->resize = DEFAULT_PROP_RESIZE;
  self->symmetric_padding = DEFAULT_PROP_SYMMETRIC_PADDING;
  self->pad_value = DEFAULT_PROP_PAD_VALUE;
  self->decoder = DEFAULT_PROP_DECODER;
  self->confidence_threshold = DEFAULT_PROP_CONFIDENCE_THRESHOLD;
  self->nms_iou_threshold = DEFAULT_PROP_NMS_IOU_THRESHOLD;
  self->top_k = DEFAULT_PROP_TOP_K;
  self->max_detections = DEFAULT_PROP_MAX_DETECTIONS;
  self->inference_interval = DEFAULT_PROP_INFERENCE_INTERVAL;
  self->max_in_flight = DEFAULT_PROP_MAX_IN_FLIGHT;
  self->qos_policy = DEFAULT_PROP_QOS_POLICY;
  self->attach_tensors = DEFAULT_PROP_ATTACH_TENSORS;
  self->earliest_time = GST_CLOCK_TIME_NONE;

  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  g_queue_init (&self->frames);
  gst_video_info_init (&self->info);

  /* Frames leave as they came: same caps, same buffers, plus metadata. */
  gst_base_transform_set_passthrough (trans, TRUE);
  gst_base_transform_set_qos_enabled (trans, FALSE);
}

static void
gst_trt_infer_finalize (GObject * object)
{
  GstTrtInfer *self = GST_TRT_INFER (object);

  g_free (self->engine_path);
  g_free (self->model_path);
  g_free (self->device_spec);
  g_free (self->labels_file);
  g_free (self->object_class);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (parent_class)->finalize (object);
}

/* ---------------------------------------------------------------- properties */

static void
set_channels (gdouble * dst, const GValue * value)
{
  guint n = gst_value_array_get_size (value);

  for (guint c = 0; c < 3 && n > 0; c++)
    dst[c] = g_value_get_double (gst_value_array_get_value (value,
            MIN (c, n - 1)));
}

static void
get_channels (const gdouble * src, GValue * value)
{
  GValue v = G_VALUE_INIT;

  g_value_init (&v, G_TYPE_DOUBLE);
  for (guint c = 0; c < 3; c++) {
    g_value_set_double (&v, src[c]);
    gst_value_array_append_value (value, &v);
  }
  g_value_unset (&v);
}

static void
gst_trt_infer_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstTrtInfer *self = GST_TRT_INFER (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_ENGINE:
      g_free (self->engine_path);
      self->engine_path = g_value_dup_string (value);
      break;
    case PROP_MODEL:
      g_free (self->model_path);
      self->model_path = g_value_dup_string (value);
      break;
    case PROP_DEVICE:
      g_free (self->device_spec);
      self->device_spec = g_value_dup_string (value);
      break;
    case PROP_BATCH_SIZE:
      self->batch_size = g_value_get_uint (value);
      break;
    case PROP_BATCH_TIMEOUT:
      self->batch_timeout = g_value_get_uint64 (value);
      break;
    case PROP_PRECISION:
      self->precision = g_value_get_enum (value);
      break;
    case PROP_MEAN:
      set_channels (self->mean, value);
      break;
    case PROP_STD:
      set_channels (self->std, value);
      break;
    case PROP_SCALE:
      self->scale = g_value_get_double (value);
      break;
    case PROP_OFFSETS:
      set_channels (self->offsets, value);
      break;
    case PROP_CHANNEL_ORDER:
      self->channel_order = g_value_get_enum (value);
      break;
    case PROP_RESIZE:
      self->resize = g_value_get_enum (value);
      break;
    case PROP_SYMMETRIC_PADDING:
      self->symmetric_padding = g_value_get_boolean (value);
      break;
    case PROP_PAD_VALUE:
      self->pad_value = g_value_get_uint (value);
      break;
    case PROP_DECODER:
      self->decoder = g_value_get_enum (value);
      break;
    case PROP_LABELS_FILE:
      g_free (self->labels_file);
      self->labels_file = g_value_dup_string (value);
      break;
    case PROP_CONFIDENCE_THRESHOLD:
      self->confidence_threshold = g_value_get_float (value);
      break;
    case PROP_NMS_IOU_THRESHOLD:
      self->nms_iou_threshold = g_value_get_float (value);
      break;
    case PROP_TOP_K:
      self->top_k = g_value_get_uint (value);
      break;
    case PROP_MAX_DETECTIONS:
      self->max_detections = g_value_get_uint (value);
      break;
    case PROP_OBJECT_CLASS:
      g_free (self->object_class);
      self->object_class = g_value_dup_string (value);
      break;
    case PROP_INFERENCE_INTERVAL:
      self->inference_interval = g_value_get_uint (value);
      break;
    case PROP_MAX_IN_FLIGHT:
      self->max_in_flight = g_value_get_uint (value);
      break;
    case PROP_QOS_POLICY:
      self->qos_policy = g_value_get_enum (value);
      self->qos = self->qos_policy;
      break;
    case PROP_ATTACH_TENSORS:
      self->attach_tensors = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_trt_infer_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  GstTrtInfer *self = GST_TRT_INFER (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_ENGINE:
      g_value_set_string (value, self->engine_path);
      break;
    case PROP_MODEL:
      g_value_set_string (value, self->model_path);
      break;
    case PROP_DEVICE:
      g_value_set_string (value, self->device_spec);
      break;
    case PROP_BATCH_SIZE:
      g_value_set_uint (value, self->batch_size);
      break;
    case PROP_BATCH_TIMEOUT:
      g_value_set_uint64 (value, self->batch_timeout);
      break;
    case PROP_PRECISION:
      g_value_set_enum (value, self->precision);
      break;
    case PROP_MEAN:
      get_channels (self->mean, value);
      break;
    case PROP_STD:
      get_channels (self->std, value);
      break;
    case PROP_SCALE:
      g_value_set_double (value, self->scale);
      break;
    case PROP_OFFSETS:
      get_channels (self->offsets, value);
      break;
    case PROP_CHANNEL_ORDER:
      g_value_set_enum (value, self->channel_order);
      break;
    case PROP_RESIZE:
      g_value_set_enum (value, self->resize);
      break;
    case PROP_SYMMETRIC_PADDING:
      g_value_set_boolean (value, self->symmetric_padding);
      break;
    case PROP_PAD_VALUE:
      g_value_set_uint (value, self->pad_value);
      break;
    case PROP_DECODER:
      g_value_set_enum (value, self->decoder);
      break;
    case PROP_LABELS_FILE:
      g_value_set_string (value, self->labels_file);
      break;
    case PROP_CONFIDENCE_THRESHOLD:
      g_value_set_float (value, self->confidence_threshold);
      break;
    case PROP_NMS_IOU_THRESHOLD:
      g_value_set_float (value, self->nms_iou_threshold);
      break;
    case PROP_TOP_K:
      g_value_set_uint (value, self->top_k);
      break;
    case PROP_MAX_DETECTIONS:
      g_value_set_uint (value, self->max_detections);
      break;
    case PROP_OBJECT_CLASS:
      g_value_set_string (value, self->object_class);
      break;
    case PROP_INFERENCE_INTERVAL:
      g_value_set_uint (value, self->inference_interval);
      break;
    case PROP_MAX_IN_FLIGHT:
      g_value_set_uint (value, self->max_in_flight);
      break;
    case PROP_QOS_POLICY:
      g_value_set_enum (value, self->qos_policy);
      break;
    case PROP_ATTACH_TENSORS:
      g_value_set_boolean (value, self->attach_tensors);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

/* ---------------------------------------------------------------- batches */

/* Lock held. Queues the inference of `b` and the copies of its outputs. */
static void
submit (GstTrtInfer * self, TrtBatch * b)
{
  trt_status s = TRT_OK;

  if (self->open == b)
    self->open = NULL;
  b->submitted = TRUE;
  b->run = MAX (b->n, self->engine_min_batch);
  if (self->dynamic_batch) {
    trt_dims d = self->input_dims;

    d.d[0] = b->run;
    s = trt_context_set_input_shape (b->ctx, self->input_name, &d);
  }
  if (s == TRT_OK)
    s = trt_context_enqueue (b->ctx);
  for (guint i = 0; i < self->n_outputs && s == TRT_OK; i++) {
    s = trt_context_get_tensor_shape (b->ctx, self->out_names[i], &b->dims[i]);
    if (s == TRT_OK)
      s = trt_context_read_output (b->ctx, self->out_names[i], b->host[i],
          trt_dims_volume (&b->dims[i]) * trt_dtype_size (self->out_dtypes[i]));
  }
  if (s == TRT_OK)
    clFlush (b->queue);
  if (s != TRT_OK) {
    GST_ELEMENT_ERROR (self, LIBRARY, FAILED,
        ("Inference failed: %s", trt_status_str (s)),
        ("%s", trt_get_last_error ()));
    b->failed = TRUE;
    self->srcresult = GST_FLOW_ERROR;
  }
  GST_LOG_OBJECT (self, "submitted a batch of %u frames (runs at %u)", b->n,
      b->run);
  g_cond_broadcast (&self->cond);
}

/* Lock held. A free batch to fill, waiting for one; NULL when flushing or failed. */
static TrtBatch *
acquire_batch (GstTrtInfer * self)
{
  while (!self->flushing && self->srcresult == GST_FLOW_OK) {
    for (guint i = 0; i < self->n_batches; i++) {
      TrtBatch *b = &self->batches[i];

      if (b->busy)
        continue;
      b->busy = TRUE;
      b->submitted = b->done = b->failed = FALSE;
      b->n = b->run = b->pending = 0;
      return b;
    }
    g_cond_wait (&self->cond, &self->lock);
  }
  return NULL;
}

static void
release_batch (TrtBatch * b)
{
  if (--b->pending == 0 && (b->done || b->failed))
    b->busy = FALSE;
}

static void
free_frame (TrtFrame * f)
{
  gst_buffer_unref (f->buffer);
  g_free (f);
}

/* Lock held. Drops every queued frame and returns every batch to the pool. */
static void
discard (GstTrtInfer * self)
{
  TrtFrame *f;

  while (self->out_busy)
    g_cond_wait (&self->cond, &self->lock);
  while ((f = g_queue_pop_head (&self->frames)))
    free_frame (f);
  for (guint i = 0; i < self->n_batches; i++) {
    TrtBatch *b = &self->batches[i];

    /* The context's buffers must be idle before they are reused. */
    if (b->busy && b->submitted && !b->done)
      trt_context_wait (b->ctx);
    b->busy = FALSE;
  }
  self->open = NULL;
  g_cond_broadcast (&self->cond);
}

/* Streaming thread: submits the open batch and waits until everything queued has
 * been pushed (or dropped by a flush). */
static void
drain (GstTrtInfer * self)
{
  g_mutex_lock (&self->lock);
  if (self->open)
    submit (self, self->open);
  while (!self->flushing && (self->frames.length > 0 || self->out_busy))
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);
}

/* ---------------------------------------------------------------- output thread */

static const gchar *
label_of (GstTrtInfer * self, gint id, gchar * buf, gsize len)
{
  if (id >= 0 && (guint) id < self->n_labels)
    return self->labels[id];
  g_snprintf (buf, len, "%d", id);
  return buf;
}

/* Outputs of `b` as floats, once it is done. */
static void
convert_outputs (GstTrtInfer * self, TrtBatch * b)
{
  for (guint i = 0; i < self->n_outputs; i++) {
    gint64 n = trt_dims_volume (&b->dims[i]);
    const guint8 *src = b->host[i];
    gfloat *dst = b->fhost[i];

    switch (self->out_dtypes[i]) {
      case TRT_DTYPE_FLOAT16:
        for (gint64 k = 0; k < n; k++) {
          guint16 h;
          guint32 sign, exp, man, f;

          memcpy (&h, src + 2 * k, 2);
          sign = (guint32) (h >> 15) << 31;
          exp = (h >> 10) & 0x1f;
          man = h & 0x3ff;
          if (exp == 0x1f)
            f = sign | 0x7f800000u | (man << 13);
          else if (exp != 0)
            f = sign | ((exp + 112) << 23) | (man << 13);
          else if (man == 0)
            f = sign;
          else {
            /* subnormal: normalise */
            exp = 113;
            while (!(man & 0x400)) {
              man <<= 1;
              exp--;
            }
            f = sign | (exp << 23) | ((man & 0x3ff) << 13);
          }
          memcpy (&dst[k], &f, 4);
        }
        break;
      case TRT_DTYPE_INT64:
        for (gint64 k = 0; k < n; k++)
          dst[k] = (gfloat) ((const gint64 *) src)[k];
        break;
      case TRT_DTYPE_INT32:
        for (gint64 k = 0; k < n; k++)
          dst[k] = (gfloat) ((const gint32 *) src)[k];
        break;
      case TRT_DTYPE_INT8:
        for (gint64 k = 0; k < n; k++)
          dst[k] = (gfloat) ((const gint8 *) src)[k];
        break;
      case TRT_DTYPE_UINT8:
      case TRT_DTYPE_BOOL:
        for (gint64 k = 0; k < n; k++)
          dst[k] = (gfloat) src[k];
        break;
      default:
        break;
    }
  }
}

static GstStructure *
make_tensors (GstTrtInfer * self, TrtBatch * b, guint slot)
{
  GstStructure *s = gst_structure_new_empty (GST_TRT_TENSOR_META_NAME);

  gst_structure_set (s, "n-tensors", G_TYPE_UINT, self->n_outputs,
      "element", G_TYPE_STRING, GST_OBJECT_NAME (self), NULL);
  for (guint i = 0; i < self->n_outputs; i++) {
    trt_dims d = b->dims[i];
    gsize size = trt_dtype_size (self->out_dtypes[i]);
    gsize bytes = trt_dims_volume (&d) * size;
    gsize off = 0;
    gchar field[32], dims[128];
    GBytes *data;
    GstStructure *t;

    if (d.nb_dims > 0 && d.d[0] == (gint64) b->run) {
      bytes /= b->run;
      off = bytes * slot;
      d.d[0] = 1;
    }
    data = g_bytes_new (b->host[i] + off, bytes);
    t = gst_structure_new ("tensor", "name", G_TYPE_STRING, self->out_names[i],
        "dtype", G_TYPE_STRING, trt_dtype_name (self->out_dtypes[i]),
        "dims", G_TYPE_STRING, trt_dims_str (&d, dims, sizeof dims),
        "data", G_TYPE_BYTES, data, NULL);
    g_snprintf (field, sizeof field, "tensor-%u", i);
    gst_structure_set (s, field, GST_TYPE_STRUCTURE, t, NULL);
    gst_structure_free (t);
    g_bytes_unref (data);
  }
  return s;
}

/* Decodes frame `f` and attaches what it found. Returns the (writable) buffer. */
static GstBuffer *
attach (GstTrtInfer * self, TrtFrame * f)
{
  TrtBatch *b = f->batch;
  GstBuffer *buf = gst_buffer_make_writable (f->buffer);
  TrtTensorView *views = g_newa (TrtTensorView, MAX (self->n_outputs, 1));
  GArray *dets = g_array_new (FALSE, FALSE, sizeof (TrtDetection));
  GArray *cls = g_array_new (FALSE, FALSE, sizeof (TrtClassification));
  const gchar *name = GST_OBJECT_NAME (self);
  gchar num[16];

  f->buffer = NULL;
  for (guint i = 0; i < self->n_outputs; i++) {
    views[i].dims = b->dims[i];
    views[i].data = b->fhost[i] ? b->fhost[i] : (const gfloat *) b->host[i];
  }
  trt_decode_frame (&self->plan, &self->params, views, b->run, f->slot,
      &f->geo, f->width, f->height, dets, cls);

  for (guint i = 0; i < dets->len; i++) {
    const TrtDetection *d = &g_array_index (dets, TrtDetection, i);

    gst_trt_buffer_add_detection (buf, name, f->width, f->height, d->class_id,
        label_of (self, d->class_id, num, sizeof num), d->confidence, d->x0,
        d->y0, d->x1, d->y1);
  }
  if (cls->len > 0) {
    gint *ids = g_newa (gint, cls->len);
    gchar **labels = g_newa (gchar *, cls->len);
    gdouble *conf = g_newa (gdouble, cls->len);

    for (guint i = 0; i < cls->len; i++) {
      const TrtClassification *c = &g_array_index (cls, TrtClassification, i);

      ids[i] = c->class_id;
      labels[i] = g_strdup (label_of (self, c->class_id, num, sizeof num));
      conf[i] = c->confidence;
    }
    gst_trt_buffer_add_classification (buf, name, f->width, f->height,
        cls->len, ids, (const gchar * const *) labels, conf);
    for (guint i = 0; i < cls->len; i++)
      g_free (labels[i]);
  }
  if (self->tensors)
    gst_trt_buffer_add_tensors (buf, make_tensors (self, b, f->slot));

  GST_LOG_OBJECT (self, "frame %" GST_TIME_FORMAT ": %u detections, %u "
      "classes", GST_TIME_ARGS (GST_BUFFER_PTS (buf)), dets->len, cls->len);
  g_array_unref (dets);
  g_array_unref (cls);
  return buf;
}

static gpointer
output_loop (gpointer data)
{
  GstTrtInfer *self = data;
  GstPad *srcpad = GST_BASE_TRANSFORM_SRC_PAD (self);

  g_mutex_lock (&self->lock);
  while (!self->shutdown) {
    TrtFrame *f = self->flushing ? NULL : g_queue_peek_head (&self->frames);
    TrtBatch *b;
    GstFlowReturn ret, prev;
    GstBuffer *buf;

    if (!f) {
      g_cond_wait (&self->cond, &self->lock);
      continue;
    }
    b = f->batch;
    if (b && !b->submitted) {
      gint64 deadline = b->opened + self->timeout_us;

      if (self->timeout_us >= 0 && g_get_monotonic_time () >= deadline)
        submit (self, b);
      else if (self->timeout_us >= 0)
        g_cond_wait_until (&self->cond, &self->lock, deadline);
      else
        g_cond_wait (&self->cond, &self->lock);
      continue;
    }

    /* The frame stays at the head while the lock is dropped: only this thread
     * pops, and discard() waits for out_busy to clear. */
    self->out_busy = TRUE;
    if (b && !b->done && !b->failed) {
      trt_status s;

      g_mutex_unlock (&self->lock);
      s = trt_context_wait (b->ctx);
      if (s == TRT_OK)
        convert_outputs (self, b);
      g_mutex_lock (&self->lock);
      b->done = TRUE;
      if (s != TRT_OK) {
        GST_ELEMENT_ERROR (self, LIBRARY, FAILED,
            ("Inference failed: %s", trt_status_str (s)),
            ("%s", trt_get_last_error ()));
        b->failed = TRUE;
        self->srcresult = GST_FLOW_ERROR;
      }
    }
    g_queue_pop_head (&self->frames);
    prev = self->srcresult;
    g_mutex_unlock (&self->lock);

    if (prev == GST_FLOW_OK) {
      buf = b && !b->failed ? attach (self, f) : f->buffer;
      f->buffer = NULL;
      ret = gst_pad_push (srcpad, buf);
    } else {
      ret = prev;
    }

    g_mutex_lock (&self->lock);
    if (b)
      release_batch (b);
    if (f->buffer)
      gst_buffer_unref (f->buffer);
    g_free (f);
    if (ret != GST_FLOW_OK && self->srcresult == GST_FLOW_OK) {
      GST_DEBUG_OBJECT (self, "downstream returned %s",
          gst_flow_get_name (ret));
      self->srcresult = ret;
    }
    self->out_busy = FALSE;
    g_cond_broadcast (&self->cond);
  }
  g_mutex_unlock (&self->lock);
  return NULL;
}

/* ---------------------------------------------------------------- streaming */

static gboolean
wants_inference (GstTrtInfer * self, GstBuffer * buf)
{
  GstBaseTransform *trans = GST_BASE_TRANSFORM (self);
  guint64 n = self->frame_count++;
  GstClockTime rt, earliest;

  if (n % self->interval != 0)
    return FALSE;
  if (self->qos != GST_TRT_INFER_QOS_SKIP
      || trans->segment.format != GST_FORMAT_TIME)
    return TRUE;
  rt = gst_segment_to_running_time (&trans->segment, GST_FORMAT_TIME,
      GST_BUFFER_PTS (buf));
  GST_OBJECT_LOCK (self);
  earliest = self->earliest_time;
  GST_OBJECT_UNLOCK (self);
  if (GST_CLOCK_TIME_IS_VALID (rt) && GST_CLOCK_TIME_IS_VALID (earliest)
      && rt <= earliest) {
    GST_DEBUG_OBJECT (self, "late frame %" GST_TIME_FORMAT
        " (earliest %" GST_TIME_FORMAT "): skipping inference",
        GST_TIME_ARGS (rt), GST_TIME_ARGS (earliest));
    return FALSE;
  }
  return TRUE;
}

static GstFlowReturn
gst_trt_infer_generate_output (GstBaseTransform * trans, GstBuffer ** outbuf)
{
  GstTrtInfer *self = GST_TRT_INFER (trans);
  GstBuffer *buf = trans->queued_buf;
  GstFlowReturn ret = GST_FLOW_OK;
  TrtFrame *f;
  TrtBatch *b;
  GstVideoFrame vf;
  GError *err = NULL;
  gboolean infer;

  trans->queued_buf = NULL;
  *outbuf = NULL;
  if (!buf)
    return GST_FLOW_OK;
  if (!self->pp) {
    gst_buffer_unref (buf);
    return GST_FLOW_NOT_NEGOTIATED;
  }
  infer = wants_inference (self, buf);

  f = g_new0 (TrtFrame, 1);
  f->buffer = buf;
  f->width = GST_VIDEO_INFO_WIDTH (&self->info);
  f->height = GST_VIDEO_INFO_HEIGHT (&self->info);

  g_mutex_lock (&self->lock);
  if (self->flushing || self->srcresult != GST_FLOW_OK) {
    ret = self->flushing ? GST_FLOW_FLUSHING : self->srcresult;
    goto drop;
  }
  if (infer) {
    if (!self->open && !(self->open = acquire_batch (self))) {
      ret = self->flushing ? GST_FLOW_FLUSHING : self->srcresult;
      goto drop;
    }
    b = self->open;
    if (!gst_video_frame_map (&vf, &self->info, buf, GST_MAP_READ)) {
      GST_ELEMENT_ERROR (self, STREAM, FAILED, ("Could not map a frame"),
          ("buffer %" GST_PTR_FORMAT " does not fit the caps", buf));
      ret = GST_FLOW_ERROR;
      goto drop;
    }
    trt_preprocess_geometry (&self->pp_cfg, f->width, f->height, &f->geo);
    if (!trt_preprocess_run (self->pp, b->queue, &b->staging, &b->staging_size,
            &vf, &f->geo, b->input, b->n, &err)) {
      gst_video_frame_unmap (&vf);
      GST_ELEMENT_ERROR (self, LIBRARY, FAILED, ("Preprocessing failed"),
          ("%s", err->message));
      g_clear_error (&err);
      ret = GST_FLOW_ERROR;
      goto drop;
    }
    gst_video_frame_unmap (&vf);
    f->batch = b;
    f->slot = b->n++;
    b->pending++;
    if (b->n == 1)
      b->opened = g_get_monotonic_time ();
    if (b->n == self->batch)
      submit (self, b);
  }
  g_queue_push_tail (&self->frames, f);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  return GST_FLOW_OK;

drop:
  g_mutex_unlock (&self->lock);
  free_frame (f);
  return ret;
}

static gboolean
gst_trt_infer_sink_event (GstBaseTransform * trans, GstEvent * event)
{
  GstTrtInfer *self = GST_TRT_INFER (trans);

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_FLUSH_START:
      g_mutex_lock (&self->lock);
      self->flushing = TRUE;
      g_cond_broadcast (&self->cond);
      g_mutex_unlock (&self->lock);
      break;
    case GST_EVENT_FLUSH_STOP:
      g_mutex_lock (&self->lock);
      discard (self);
      self->flushing = FALSE;
      self->srcresult = GST_FLOW_OK;
      self->frame_count = 0;
      g_mutex_unlock (&self->lock);
      GST_OBJECT_LOCK (self);
      self->earliest_time = GST_CLOCK_TIME_NONE;
      GST_OBJECT_UNLOCK (self);
      break;
    default:
      /* Serialized events (caps, segment, EOS, gap, tags...) must stay behind the
       * frames queued before them. */
      if (GST_EVENT_IS_SERIALIZED (event))
        drain (self);
      break;
  }
  return GST_BASE_TRANSFORM_CLASS (parent_class)->sink_event (trans, event);
}

static gboolean
gst_trt_infer_src_event (GstBaseTransform * trans, GstEvent * event)
{
  GstTrtInfer *self = GST_TRT_INFER (trans);

  if (GST_EVENT_TYPE (event) == GST_EVENT_QOS) {
    GstClockTimeDiff diff;
    GstClockTime timestamp;

    gst_event_parse_qos (event, NULL, NULL, &diff, &timestamp);
    GST_OBJECT_LOCK (self);
    if (GST_CLOCK_TIME_IS_VALID (timestamp))
      self->earliest_time = diff >= 0 || (GstClockTime) - diff < timestamp ?
          timestamp + diff : 0;
    GST_OBJECT_UNLOCK (self);
  }
  return GST_BASE_TRANSFORM_CLASS (parent_class)->src_event (trans, event);
}

static gboolean
gst_trt_infer_query (GstBaseTransform * trans, GstPadDirection direction,
    GstQuery * query)
{
  GstTrtInfer *self = GST_TRT_INFER (trans);

  if (direction == GST_PAD_SRC && GST_QUERY_TYPE (query) == GST_QUERY_LATENCY) {
    gboolean live;
    GstClockTime min, max;

    if (!gst_pad_peer_query (GST_BASE_TRANSFORM_SINK_PAD (trans), query))
      return FALSE;
    gst_query_parse_latency (query, &live, &min, &max);
    min += self->latency;
    if (GST_CLOCK_TIME_IS_VALID (max))
      max += self->latency;
    GST_DEBUG_OBJECT (self, "adding %" GST_TIME_FORMAT " of latency: min %"
        GST_TIME_FORMAT, GST_TIME_ARGS (self->latency), GST_TIME_ARGS (min));
    gst_query_set_latency (query, live, min, max);
    return TRUE;
  }

  if (!GST_BASE_TRANSFORM_CLASS (parent_class)->query (trans, direction, query))
    return FALSE;

  /* Upstream offers nothing we take (a caps query that comes back empty, or caps we
   * refuse): say what would work, once, instead of a bare not-negotiated. */
  if (direction == GST_PAD_SINK) {
    GstCaps *offered = NULL;
    gboolean refused = FALSE;

    if (GST_QUERY_TYPE (query) == GST_QUERY_CAPS) {
      GstCaps *result;

      gst_query_parse_caps (query, &offered);
      gst_query_parse_caps_result (query, &result);
      refused = offered && !gst_caps_is_empty (offered)
          && !gst_caps_is_any (offered) && result && gst_caps_is_empty (result);
    } else if (GST_QUERY_TYPE (query) == GST_QUERY_ACCEPT_CAPS) {
      gboolean accepted;

      gst_query_parse_accept_caps (query, &offered);
      gst_query_parse_accept_caps_result (query, &accepted);
      refused = !accepted;
    }
    if (refused && !self->caps_warned) {
      self->caps_warned = TRUE;
      GST_ELEMENT_WARNING (self, CORE, NEGOTIATION,
          ("trtinfer cannot take this video format; insert videoconvert "
              "before trtinfer"),
          ("upstream offers %" GST_PTR_FORMAT "; trtinfer takes video/x-raw "
              "in %s", offered, TRT_PREPROCESS_FORMATS));
    }
  }
  return TRUE;
}

static gboolean
gst_trt_infer_propose_allocation (GstBaseTransform * trans,
    GstQuery * decide_query, GstQuery * query)
{
  /* Passthrough: downstream answers; frames of any stride are fine with us. */
  GST_BASE_TRANSFORM_CLASS (parent_class)->propose_allocation (trans,
      decide_query, query);
  if (!gst_query_find_allocation_meta (query, GST_VIDEO_META_API_TYPE, NULL))
    gst_query_add_allocation_meta (query, GST_VIDEO_META_API_TYPE, NULL);
  return TRUE;
}

static gboolean
gst_trt_infer_set_caps (GstBaseTransform * trans, GstCaps * incaps,
    GstCaps * outcaps)
{
  GstTrtInfer *self = GST_TRT_INFER (trans);
  GstVideoInfo info;
  TrtPreprocess *pp;
  GError *err = NULL;

  if (!gst_video_info_from_caps (&info, incaps)) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, (NULL),
        ("invalid caps %" GST_PTR_FORMAT, incaps));
    return FALSE;
  }
  if (self->pp && gst_video_info_is_equal (&info, &self->info))
    return TRUE;
  pp = trt_preprocess_new (trt_device_get_cl_context (self->dev),
      trt_device_get_cl_device (self->dev), &self->pp_cfg, &info, &err);
  if (!pp) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
        ("Cannot preprocess %s frames", GST_VIDEO_INFO_NAME (&info)),
        ("%s", err->message));
    g_clear_error (&err);
    return FALSE;
  }
  trt_preprocess_free (self->pp);
  self->pp = pp;
  self->info = info;
  GST_DEBUG_OBJECT (self, "frames: %s %dx%d", GST_VIDEO_INFO_NAME (&info),
      GST_VIDEO_INFO_WIDTH (&info), GST_VIDEO_INFO_HEIGHT (&info));
  return TRUE;
}

/* ---------------------------------------------------------------- start / stop */

static gboolean
load_labels (GstTrtInfer * self, const gchar * path, GError ** err)
{
  gchar *text = NULL;
  gchar **lines;
  guint n;

  if (!g_file_get_contents (path, &text, NULL, err))
    return FALSE;
  lines = g_strsplit (text, "\n", -1);
  g_free (text);
  n = g_strv_length (lines);
  for (guint i = 0; i < n; i++)
    g_strchomp (lines[i]);
  /* trailing empty lines are not labels */
  while (n > 0 && lines[n - 1][0] == '\0') {
    g_free (lines[n - 1]);
    lines[--n] = NULL;
  }
  self->labels = lines;
  self->n_labels = n;
  return TRUE;
}

static gboolean
parse_class_filter (GstTrtInfer * self, const gchar * spec, GError ** err)
{
  gchar **tokens = g_strsplit (spec, ",", -1);
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint));
  gint max_id = -1;
  gboolean ok = TRUE;

  for (guint i = 0; tokens[i] && ok; i++) {
    gchar *t = g_strstrip (tokens[i]);
    gchar *end;
    gint64 id;

    if (!*t)
      continue;
    id = g_ascii_strtoll (t, &end, 10);
    if (*end != '\0' || end == t) {
      id = -1;
      for (guint k = 0; k < self->n_labels && id < 0; k++)
        if (g_ascii_strcasecmp (self->labels[k], t) == 0)
          id = k;
      if (id < 0) {
        g_set_error (err, TRT_GST_ERROR, 0, "object-class: '%s' is neither a "
            "class number nor a label of the labels file", t);
        ok = FALSE;
        break;
      }
    }
    if (id < 0 || id > G_MAXINT16) {
      g_set_error (err, TRT_GST_ERROR, 0, "object-class: class %s is out of "
          "range", t);
      ok = FALSE;
      break;
    }
    {
      gint v = (gint) id;

      g_array_append_val (ids, v);
      max_id = MAX (max_id, v);
    }
  }
  if (ok && max_id >= 0) {
    self->class_mask = g_new0 (guint8, max_id + 1);
    for (guint i = 0; i < ids->len; i++)
      self->class_mask[g_array_index (ids, gint, i)] = 1;
    self->params.class_mask = self->class_mask;
    self->params.n_class_mask = max_id + 1;
  }
  g_array_unref (ids);
  g_strfreev (tokens);
  return ok;
}

/* Input layout and batch handling from the engine's input. */
static gboolean
setup_input (GstTrtInfer * self, guint batch_size, GError ** err)
{
  trt_io_info io;
  gint n_inputs = 0, in_index = -1;
  gchar shape[128];
  const trt_dims *mx;
  guint max_batch;

  for (gint i = 0; i < trt_engine_get_num_io (self->engine); i++)
    if (trt_engine_get_io (self->engine, i, &io) == TRT_OK && io.is_input) {
      n_inputs++;
      in_index = i;
    }
  if (n_inputs != 1) {
    g_set_error (err, TRT_GST_ERROR, 0, "the engine has %d inputs; trtinfer "
        "feeds exactly one image input", n_inputs);
    return FALSE;
  }
  trt_engine_get_io (self->engine, in_index, &io);
  mx = &io.max;
  trt_dims_str (&io.dims, shape, sizeof shape);
  if (io.dtype != TRT_DTYPE_FLOAT32 && io.dtype != TRT_DTYPE_UINT8) {
    g_set_error (err, TRT_GST_ERROR, 0, "input '%s' is %s; trtinfer feeds "
        "float32 or uint8 inputs", io.name, trt_dtype_name (io.dtype));
    return FALSE;
  }
  if (mx->nb_dims != 4 || !((mx->d[1] == 3 || mx->d[1] == 1)
          || (mx->d[3] == 3 || mx->d[3] == 1))) {
    g_set_error (err, TRT_GST_ERROR, 0, "input '%s' has the shape %s; "
        "trtinfer needs an image input [N, C, H, W] or [N, H, W, C] with C 1 "
        "or 3", io.name, shape);
    return FALSE;
  }
  self->input_name = g_strdup (io.name);
  self->pp_cfg.nhwc = !(mx->d[1] == 3 || mx->d[1] == 1);
  self->pp_cfg.net_c = (gint) (self->pp_cfg.nhwc ? mx->d[3] : mx->d[1]);
  self->pp_cfg.net_h = (gint) (self->pp_cfg.nhwc ? mx->d[1] : mx->d[2]);
  self->pp_cfg.net_w = (gint) (self->pp_cfg.nhwc ? mx->d[2] : mx->d[3]);
  self->pp_cfg.out_u8 = io.dtype == TRT_DTYPE_UINT8;

  max_batch = (guint) mx->d[0];
  self->engine_min_batch = (guint) MAX (io.min.d[0], 1);
  self->dynamic_batch = io.min.d[0] != io.max.d[0];
  self->batch = batch_size ? batch_size : max_batch;
  if (self->batch > max_batch) {
    GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS,
        ("batch-size=%u is larger than the engine allows (%u); using %u",
            self->batch, max_batch, max_batch), ("input '%s' is %s", io.name,
            shape));
    self->batch = max_batch;
  }
  if (self->batch < self->engine_min_batch)
    GST_WARNING_OBJECT (self, "the engine runs at least %u frames at a time; "
        "batches of %u waste the rest (set batch-size=%u)",
        self->engine_min_batch, self->batch, self->engine_min_batch);
  self->input_dims = *mx;
  self->input_dims.d[0] = MAX (self->batch, self->engine_min_batch);
  GST_INFO_OBJECT (self, "input '%s' %s (%s), batch %u%s", io.name, shape,
      self->pp_cfg.nhwc ? "NHWC" : "NCHW", self->batch,
      self->dynamic_batch ? " (dynamic)" : "");
  return TRUE;
}

static gboolean
setup_outputs (GstTrtInfer * self, TrtDecoderKind decoder, GError ** err)
{
  gint n_io = trt_engine_get_num_io (self->engine);
  trt_dims *dims = g_new0 (trt_dims, n_io);
  gchar *what;
  gboolean ok;

  self->out_names = g_new0 (gchar *, n_io + 1);
  self->out_dtypes = g_new0 (trt_dtype, n_io);
  self->out_bytes = g_new0 (gsize, n_io);
  for (gint i = 0; i < n_io; i++) {
    trt_io_info io;

    if (trt_engine_get_io (self->engine, i, &io) != TRT_OK || io.is_input)
      continue;
    self->out_names[self->n_outputs] = g_strdup (io.name);
    self->out_dtypes[self->n_outputs] = io.dtype;
    self->out_bytes[self->n_outputs] =
        MAX (trt_dims_volume (&io.max) * trt_dtype_size (io.dtype), 1);
    dims[self->n_outputs] = io.max;
    self->n_outputs++;
  }
  ok = trt_decoder_plan (decoder, self->n_outputs, dims,
      (const gchar * const *) self->out_names, self->n_labels, &self->plan,
      err);
  if (ok) {
    what = trt_decoder_plan_describe (&self->plan,
        (const gchar * const *) self->out_names);
    GST_INFO_OBJECT (self, "%u outputs; decoder: %s", self->n_outputs, what);
    g_free (what);
  }
  g_free (dims);
  return ok;
}

static gboolean
setup_batches (GstTrtInfer * self, guint n, GError ** err)
{
  self->batches = g_new0 (TrtBatch, n);
  self->n_batches = n;
  for (guint k = 0; k < n; k++) {
    TrtBatch *b = &self->batches[k];
    trt_status s = trt_context_new (self->engine, &b->ctx);

    if (s == TRT_OK && self->dynamic_batch)
      s = trt_context_set_input_shape (b->ctx, self->input_name,
          &self->input_dims);
    if (s == TRT_OK)
      s = trt_context_get_tensor_mem (b->ctx, self->input_name, &b->input);
    if (s != TRT_OK) {
      g_set_error (err, TRT_GST_ERROR, 0, "creating execution context %u "
          "failed (%s): %s", k, trt_status_name (s), trt_get_last_error ());
      return FALSE;
    }
    b->queue = trt_context_get_cl_queue (b->ctx);
    b->host = g_new0 (guint8 *, self->n_outputs);
    b->fhost = g_new0 (gfloat *, self->n_outputs);
    b->dims = g_new0 (trt_dims, self->n_outputs);
    for (guint i = 0; i < self->n_outputs; i++) {
      b->host[i] = g_malloc (self->out_bytes[i]);
      if (self->out_dtypes[i] != TRT_DTYPE_FLOAT32)
        b->fhost[i] = g_new (gfloat, self->out_bytes[i] /
            MAX (trt_dtype_size (self->out_dtypes[i]), 1));
    }
  }
  return TRUE;
}

/* Runs one full batch twice (the first run pays one-time costs) and takes the
 * second as the processing part of the element's latency. */
static gboolean
warm_up (GstTrtInfer * self, GError ** err)
{
  TrtBatch *b = &self->batches[0];
  gint64 t0 = 0;
  trt_status s = TRT_OK;

  for (guint run = 0; run < 2 && s == TRT_OK; run++) {
    t0 = g_get_monotonic_time ();
    s = trt_context_enqueue (b->ctx);
    if (s == TRT_OK)
      s = trt_context_wait (b->ctx);
  }
  if (s != TRT_OK) {
    g_set_error (err, TRT_GST_ERROR, 0, "a test run of the engine failed "
        "(%s): %s", trt_status_name (s), trt_get_last_error ());
    return FALSE;
  }
  self->latency = (g_get_monotonic_time () - t0) * GST_USECOND;
  if (self->batch > 1 && self->timeout_us >= 0)
    self->latency += self->timeout_us * GST_USECOND;
  GST_INFO_OBJECT (self, "latency %" GST_TIME_FORMAT, GST_TIME_ARGS
      (self->latency));
  return TRUE;
}

static gboolean
gst_trt_infer_start (GstBaseTransform * trans)
{
  GstTrtInfer *self = GST_TRT_INFER (trans);
  gchar *engine_path, *model_path, *device_spec, *labels_file, *object_class;
  guint batch_size, max_in_flight;
  gdouble mean[3], std[3], offsets[3], scale;
  TrtDecoderKind decoder;
  trt_precision precision;
  GError *err = NULL;
  trt_status s;

  GST_OBJECT_LOCK (self);
  engine_path = g_strdup (self->engine_path);
  model_path = g_strdup (self->model_path);
  device_spec = g_strdup (self->device_spec);
  labels_file = g_strdup (self->labels_file);
  object_class = g_strdup (self->object_class);
  batch_size = self->batch_size;
  max_in_flight = self->max_in_flight;
  precision = self->precision;
  decoder = self->decoder;
  scale = self->scale;
  memcpy (mean, self->mean, sizeof mean);
  memcpy (std, self->std, sizeof std);
  memcpy (offsets, self->offsets, sizeof offsets);
  self->pp_cfg.bgr = self->channel_order == GST_TRT_INFER_CHANNEL_ORDER_BGR;
  self->pp_cfg.resize = self->resize;
  self->pp_cfg.symmetric_padding = self->symmetric_padding;
  self->pp_cfg.pad_value = self->pad_value;
  self->params.confidence_threshold = self->confidence_threshold;
  self->params.iou_threshold = self->nms_iou_threshold;
  self->params.max_detections = self->max_detections;
  self->params.top_k = self->top_k;
  self->timeout_us = GST_CLOCK_TIME_IS_VALID (self->batch_timeout) ?
      (gint64) (self->batch_timeout / GST_USECOND) : -1;
  self->interval = self->inference_interval;
  self->qos = self->qos_policy;
  self->tensors = self->attach_tensors;
  self->earliest_time = GST_CLOCK_TIME_NONE;
  self->caps_warned = FALSE;
  GST_OBJECT_UNLOCK (self);

  self->flushing = self->shutdown = self->out_busy = FALSE;
  self->srcresult = GST_FLOW_OK;
  self->frame_count = 0;
  self->latency = 0;

  for (guint c = 0; c < 3; c++) {
    if (scale != 0.0) {
      self->pp_cfg.mul[c] = (gfloat) scale;
      self->pp_cfg.add[c] = (gfloat) (-scale * offsets[c]);
    } else {
      self->pp_cfg.mul[c] = (gfloat) (1.0 / (255.0 * std[c]));
      self->pp_cfg.add[c] = (gfloat) (-mean[c] / std[c]);
    }
  }

  if ((!engine_path || !*engine_path) == (!model_path || !*model_path)) {
    GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND,
        ("Set either the 'engine' or the 'model' property"),
        ("engine=%s model=%s", GST_STR_NULL (engine_path),
            GST_STR_NULL (model_path)));
    goto fail;
  }

  s = trt_device_open (device_spec, &self->dev);
  if (s != TRT_OK) {
    GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND,
        ("No OpenCL device matching '%s'", device_spec ? device_spec :
            "(default)"), ("%s", trt_get_last_error ()));
    goto fail;
  }
  GST_INFO_OBJECT (self, "device: %s (%s)",
      trt_device_get_info (self->dev)->name,
      trt_device_get_info (self->dev)->platform);

  if (engine_path && *engine_path) {
    if (precision != TRT_PRECISION_FP32)
      GST_WARNING_OBJECT (self, "precision applies to model only; the engine "
          "file has its own");
    s = trt_engine_load (self->dev, engine_path, &self->engine);
    if (s != TRT_OK) {
      GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ,
          ("Could not load the engine '%s': %s", engine_path,
              trt_status_str (s)), ("%s", trt_get_last_error ()));
      goto fail;
    }
  } else {
    guint built = batch_size;

    if (!trt_model_get_engine (GST_ELEMENT (self), self->dev, model_path,
            precision, &built, &self->engine, &err)) {
      GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ,
          ("Could not get an engine for the model '%s'", model_path),
          ("%s", err->message));
      goto fail;
    }
    batch_size = built;
  }

  GST_INFO_OBJECT (self, "engine precision: %s",
      trt_engine_get_precision (self->engine) == TRT_PRECISION_FP16 ? "fp16" :
      trt_engine_get_precision (self->engine) == TRT_PRECISION_INT8 ? "int8" :
      "fp32");

  if (labels_file && *labels_file && !load_labels (self, labels_file, &err)) {
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ,
        ("Could not read the labels file '%s'", labels_file),
        ("%s", err->message));
    goto fail;
  }
  if (object_class && *object_class
      && !parse_class_filter (self, object_class, &err)) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("%s", err->message), (NULL));
    goto fail;
  }
  if (!setup_input (self, batch_size, &err)
      || !setup_outputs (self, decoder, &err)) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("The engine does not fit trtinfer: %s", err->message), (NULL));
    goto fail;
  }
  self->params.net_w = self->pp_cfg.net_w;
  self->params.net_h = self->pp_cfg.net_h;
  if (!setup_batches (self, max_in_flight, &err) || !warm_up (self, &err)) {
    GST_ELEMENT_ERROR (self, RESOURCE, FAILED,
        ("Could not prepare the engine to run"), ("%s", err->message));
    goto fail;
  }

  self->thread = g_thread_new ("trtinfer-out", output_loop, self);
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_latency (GST_OBJECT (self)));

  g_free (engine_path);
  g_free (model_path);
  g_free (device_spec);
  g_free (labels_file);
  g_free (object_class);
  return TRUE;

fail:
  g_clear_error (&err);
  g_free (engine_path);
  g_free (model_path);
  g_free (device_spec);
  g_free (labels_file);
  g_free (object_class);
  gst_trt_infer_stop (trans);
  return FALSE;
}

/* Idempotent; also the cleanup of a failed start(). */
static gboolean
gst_trt_infer_stop (GstBaseTransform * trans)
{
  GstTrtInfer *self = GST_TRT_INFER (trans);

  g_mutex_lock (&self->lock);
  self->shutdown = TRUE;
  self->flushing = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  if (self->thread) {
    g_thread_join (self->thread);
    self->thread = NULL;
  }
  g_mutex_lock (&self->lock);
  discard (self);
  g_mutex_unlock (&self->lock);

  for (guint k = 0; k < self->n_batches; k++) {
    TrtBatch *b = &self->batches[k];

    for (guint i = 0; i < self->n_outputs && b->host; i++) {
      g_free (b->host[i]);
      g_free (b->fhost[i]);
    }
    g_free (b->host);
    g_free (b->fhost);
    g_free (b->dims);
    if (b->staging)
      clReleaseMemObject (b->staging);
    trt_context_free (b->ctx);
  }
  g_clear_pointer (&self->batches, g_free);
  self->n_batches = 0;
  g_clear_pointer (&self->pp, trt_preprocess_free);
  gst_video_info_init (&self->info);
  g_clear_pointer (&self->out_names, g_strfreev);
  g_clear_pointer (&self->out_dtypes, g_free);
  g_clear_pointer (&self->out_bytes, g_free);
  self->n_outputs = 0;
  g_clear_pointer (&self->labels, g_strfreev);
  self->n_labels = 0;
  g_clear_pointer (&self->class_mask, g_free);
  self->params.class_mask = NULL;
  self->params.n_class_mask = 0;
  g_clear_pointer (&self->input_name, g_free);
  g_clear_pointer (&self->engine, trt_engine_free);
  g_clear_pointer (&self->dev, trt_device_free);
  return TRUE;
}

static GstStateChangeReturn
gst_trt_infer_change_state (GstElement * element, GstStateChange transition)
{
  GstTrtInfer *self = GST_TRT_INFER (element);

  /* Wake a streaming thread waiting for a free batch or a drain, so that pad
   * deactivation can take the stream lock. */
  if (transition == GST_STATE_CHANGE_PAUSED_TO_READY) {
    g_mutex_lock (&self->lock);
    self->flushing = TRUE;
    g_cond_broadcast (&self->cond);
    g_mutex_unlock (&self->lock);
  }
  return GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
}
