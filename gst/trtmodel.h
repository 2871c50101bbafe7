/* trtmodel.h — an engine for the element: loaded from an .engine file, or built from an
 * .onnx model and cached beside it.
 *
 * Cache: <dir>/<model stem>.<device>.<precision>.b<batch>.<key>.engine, where <key> hashes
 * the device name and vendor, precision, batch and the input profile, and <dir> is the
 * model's folder when writable, else $XDG_CACHE_HOME/trtinfer. A cached engine that the
 * engine library refuses (other engine or format version, other device or driver,
 * corrupted) or that is older than the model is rebuilt, and the element says why.
 */
#ifndef __TRT_MODEL_H__
#define __TRT_MODEL_H__

#include <gst/gst.h>

#include "trt/trt.h"

G_BEGIN_DECLS

/* The first graph input of an ONNX model that is not an initializer: its name
 * (g_free) and shape (-1 for dynamic dimensions). Reads the protobuf directly. */
gboolean trt_onnx_peek_input (const gchar * path, gchar ** name,
    trt_dims * dims, GError ** error);

/* Loads the cached engine for `model` or builds (and caches) it. `*batch` is the wanted
 * batch (0: 1); on return, the batch the engine was built for (a model with a fixed batch
 * dimension keeps its own). Messages about the cache go to `element` (log, INFO). */
gboolean trt_model_get_engine (GstElement * element, trt_device * dev,
    const gchar * model, trt_precision precision, guint * batch,
    trt_engine ** engine, GError ** error);

/* The cache file name for these parameters (g_free), or NULL with `error` set.
 * Exposed for tests and logs. */
gchar *trt_model_cache_path (const gchar * model, const trt_device_info * dev,
    trt_precision precision, guint batch, const gchar * input,
    const trt_dims * min, const trt_dims * max, GError ** error);

G_END_DECLS

#endif /* __TRT_MODEL_H__ */
