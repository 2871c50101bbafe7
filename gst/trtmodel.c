/* trtmodel.c — engine loading, building and caching for the element (see trtmodel.h). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <unistd.h>
#include <string.h>
#include <glib/gstdio.h>

#include "trtmodel.h"
#include "trtpreprocess.h"

GST_DEBUG_CATEGORY_EXTERN (gst_trt_infer_debug);
#define GST_CAT_DEFAULT gst_trt_infer_debug

/* ---------------------------------------------------------------- ONNX peek */

/* Just enough protobuf to read ModelProto.graph.{input,initializer}. */
typedef struct
{
  const guint8 *p, *end;
} Pb;

static gboolean
pb_varint (Pb * r, guint64 * v)
{
  *v = 0;
  for (guint shift = 0; shift < 64 && r->p < r->end; shift += 7) {
    guint8 b = *r->p++;

    *v |= (guint64) (b & 0x7f) << shift;
    if (!(b & 0x80))
      return TRUE;
  }
  return FALSE;
}

/* Next field of `r`: its number, and its value (varint) or bytes (length-delimited,
 * in `sub`). Other wire types are skipped. FALSE at the end or on malformed input. */
static gboolean
pb_next (Pb * r, guint * field, guint * wire, guint64 * v, Pb * sub)
{
  guint64 key, len;

  if (r->p >= r->end || !pb_varint (r, &key))
    return FALSE;
  *field = (guint) (key >> 3);
  *wire = (guint) (key & 7);
  switch (*wire) {
    case 0:
      return pb_varint (r, v);
    case 1:
    case 5:{
      gsize n = *wire == 1 ? 8 : 4;

      if ((gsize) (r->end - r->p) < n)
        return FALSE;
      r->p += n;
      return TRUE;
    }
    case 2:
      if (!pb_varint (r, &len) || len > (guint64) (r->end - r->p))
        return FALSE;
      sub->p = r->p;
      sub->end = r->p + len;
      r->p += len;
      return TRUE;
    default:
      return FALSE;
  }
}

static gchar *
pb_string (const Pb * s)
{
  return g_strndup ((const gchar *) s->p, s->end - s->p);
}

/* ValueInfoProto -> name and shape (TypeProto.tensor_type.shape.dim). */
static gboolean
read_value_info (Pb vi, gchar ** name, trt_dims * dims)
{
  guint f, w;
  guint64 v;
  Pb s, type, tensor, shape, dim;

  *name = NULL;
  dims->nb_dims = 0;
  while (pb_next (&vi, &f, &w, &v, &s)) {
    if (f == 1 && w == 2) {
      g_free (*name);
      *name = pb_string (&s);
    } else if (f == 2 && w == 2) {
      type = s;
      while (pb_next (&type, &f, &w, &v, &tensor)) {
        if (f != 1 || w != 2)
          continue;
        while (pb_next (&tensor, &f, &w, &v, &shape)) {
          if (f != 2 || w != 2)
            continue;
          while (pb_next (&shape, &f, &w, &v, &dim)) {
            gint64 d = -1;

            if (f != 1 || w != 2)
              continue;
            while (pb_next (&dim, &f, &w, &v, &s))
              if (f == 1 && w == 0)
                d = (gint64) v > 0 ? (gint64) v : -1;
            if (dims->nb_dims == TRT_MAX_DIMS)
              return FALSE;
            dims->d[dims->nb_dims++] = d;
          }
        }
      }
    }
  }
  return *name != NULL;
}

gboolean
trt_onnx_peek_input (const gchar * path, gchar ** name, trt_dims * dims,
    GError ** error)
{
  gchar *buf = NULL;
  gsize len = 0;
  Pb model, graph = { NULL, NULL }, s;
  guint f, w;
  guint64 v;
  GPtrArray *inits = g_ptr_array_new_with_free_func (g_free);
  GArray *inputs = g_array_new (FALSE, FALSE, sizeof (Pb));
  gboolean ok = FALSE;

  *name = NULL;
  if (!g_file_get_contents (path, &buf, &len, error))
    goto done;
  model.p = (const guint8 *) buf;
  model.end = model.p + len;
  while (pb_next (&model, &f, &w, &v, &s))
    if (f == 7 && w == 2)
      graph = s;
  if (!graph.p) {
    g_set_error (error, TRT_GST_ERROR, 0, "'%s' is not an ONNX model "
        "(no graph found)", path);
    goto done;
  }
  while (pb_next (&graph, &f, &w, &v, &s)) {
    if (f == 5 && w == 2) {
      Pb t = s, n;

      while (pb_next (&t, &f, &w, &v, &n))
        if (f == 8 && w == 2)
          g_ptr_array_add (inits, pb_string (&n));
    } else if (f == 11 && w == 2) {
      g_array_append_val (inputs, s);
    }
  }
  for (guint i = 0; i < inputs->len && !ok; i++) {
    gchar *n = NULL;

    if (!read_value_info (g_array_index (inputs, Pb, i), &n, dims)) {
      g_free (n);
      continue;
    }
    for (guint k = 0; k < inits->len && n; k++)
      if (strcmp (n, g_ptr_array_index (inits, k)) == 0)
        g_clear_pointer (&n, g_free);
    if (n) {
      *name = n;
      ok = TRUE;
    }
  }
  if (!ok)
    g_set_error (error, TRT_GST_ERROR, 0, "'%s': no model input found", path);
done:
  g_ptr_array_unref (inits);
  g_array_unref (inputs);
  g_free (buf);
  return ok;
}

/* ---------------------------------------------------------------- cache */

static const gchar *
precision_name (trt_precision p)
{
  return p == TRT_PRECISION_FP16 ? "fp16" : p == TRT_PRECISION_INT8 ?
      "int8" : "fp32";
}

gchar *
trt_model_cache_path (const gchar * model, const trt_device_info * dev,
    trt_precision precision, guint batch, const gchar * input,
    const trt_dims * min, const trt_dims * max, GError ** error)
{
  gchar *dir = g_path_get_dirname (model);
  gchar *base = g_path_get_basename (model);
  gchar *stem, *slug, *key, *hash, *file, *path;
  gchar a[128], b[128];

  if (g_str_has_suffix (base, ".onnx"))
    base[strlen (base) - 5] = '\0';
  stem = base;
  slug = g_strndup (dev->name, 32);
  g_strcanon (slug, G_CSET_A_2_Z G_CSET_a_2_z G_CSET_DIGITS "-_", '-');
  key = g_strdup_printf ("device=%s|%s;precision=%s;batch=%u;profile=%s:%s..%s",
      dev->name, dev->vendor, precision_name (precision), batch, input,
      trt_dims_str (min, a, sizeof a), trt_dims_str (max, b, sizeof b));
  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);
  hash[8] = '\0';
  file = g_strdup_printf ("%s.%s.%s.b%u.%s.engine", stem, slug,
      precision_name (precision), batch, hash);

  if (g_access (dir, W_OK) != 0) {
    gchar *cache = g_build_filename (g_get_user_cache_dir (), "trtinfer", NULL);

    if (g_mkdir_with_parents (cache, 0755) != 0) {
      g_set_error (error, TRT_GST_ERROR, 0, "'%s' is not writable and the "
          "cache folder '%s' cannot be created: %s", dir, cache,
          g_strerror (errno));
      g_free (cache);
      path = NULL;
      goto done;
    }
    g_free (dir);
    dir = cache;
  }
  path = g_build_filename (dir, file, NULL);
done:
  g_free (dir);
  g_free (stem);
  g_free (slug);
  g_free (key);
  g_free (hash);
  g_free (file);
  return path;
}

/* Why a cache file cannot be used, or NULL if it loaded into `*engine`. */
static gchar *
try_cache (trt_device * dev, const gchar * model, const gchar * path,
    trt_engine ** engine)
{
  GStatBuf ms, cs;
  trt_status s;

  if (g_stat (path, &cs) != 0)
    return g_strdup ("no cached engine yet");
  /* Same second: cannot tell which came first, so rebuild. */
  if (g_stat (model, &ms) == 0 && ms.st_mtime >= cs.st_mtime)
    return g_strdup ("the model is newer than the cached engine");
  s = trt_engine_load (dev, path, engine);
  if (s == TRT_OK)
    return NULL;
  *engine = NULL;
  switch (s) {
    case TRT_ERR_VERSION:
    case TRT_ERR_DEVICE_MISMATCH:
    case TRT_ERR_BAD_ENGINE:
      return g_strdup_printf ("the cached engine is stale (%s): %s",
          trt_status_name (s), trt_get_last_error ());
    default:
      return g_strdup_printf ("the cached engine could not be loaded (%s): %s",
          trt_status_name (s), trt_get_last_error ());
  }
}

static void
save_cache (GstElement * element, const trt_engine * engine, const gchar * path)
{
  gchar *tmp = g_strdup_printf ("%s.tmp-%d", path, (gint) getpid ());

  if (trt_engine_save (engine, tmp) != TRT_OK) {
    GST_WARNING_OBJECT (element, "could not write the engine cache '%s': %s",
        tmp, trt_get_last_error ());
    g_unlink (tmp);
  } else if (g_rename (tmp, path) != 0) {
    GST_WARNING_OBJECT (element, "could not rename '%s' to '%s': %s", tmp,
        path, g_strerror (errno));
    g_unlink (tmp);
  } else {
    GST_INFO_OBJECT (element, "cached the engine in '%s'", path);
  }
  g_free (tmp);
}

gboolean
trt_model_get_engine (GstElement * element, trt_device * dev,
    const gchar * model, trt_precision precision, guint * batch,
    trt_engine ** engine, GError ** error)
{
  gchar *input = NULL, *path = NULL, *why = NULL;
  trt_dims dims, min, max;
  trt_build_config *cfg = NULL;
  gboolean ok = FALSE;
  guint want = *batch ? *batch : 1;
  gchar shape[128];
  trt_status s;

  *engine = NULL;
  if (!trt_onnx_peek_input (model, &input, &dims, error))
    return FALSE;
  trt_dims_str (&dims, shape, sizeof shape);
  for (gint i = 1; i < dims.nb_dims; i++)
    if (dims.d[i] < 0) {
      g_set_error (error, TRT_GST_ERROR, 0, "model input '%s' has the shape "
          "%s: only the batch dimension (the first) may be dynamic; export "
          "the model with a fixed input size", input, shape);
      goto done;
    }
  if (dims.nb_dims < 1) {
    g_set_error (error, TRT_GST_ERROR, 0, "model input '%s' has no shape",
        input);
    goto done;
  }
  min = max = dims;
  if (dims.d[0] < 0) {
    min.d[0] = 1;
    max.d[0] = want;
  } else if (dims.d[0] != (gint64) want) {
    if (*batch)
      GST_WARNING_OBJECT (element, "the model's batch dimension is fixed at "
          "%" G_GINT64_FORMAT "; using that instead of batch-size=%u",
          dims.d[0], *batch);
    want = (guint) dims.d[0];
  }

  path = trt_model_cache_path (model, trt_device_get_info (dev), precision,
      want, input, &min, &max, error);
  if (!path)
    goto done;
  why = try_cache (dev, model, path, engine);
  if (!why) {
    GST_INFO_OBJECT (element, "loaded the cached engine '%s'", path);
    ok = TRUE;
    goto done;
  }

  GST_INFO_OBJECT (element, "building an engine for '%s': %s", model, why);
  GST_ELEMENT_INFO (element, RESOURCE, READ, (NULL),
      ("building an engine for '%s' (%s); it will be cached in '%s'",
          model, why, path));
  cfg = trt_build_config_new ();
  if (!cfg) {
    g_set_error (error, TRT_GST_ERROR, 0, "out of memory");
    goto done;
  }
  s = trt_build_config_set_precision (cfg, precision);
  if (s != TRT_OK) {
    g_set_error (error, TRT_GST_ERROR, 0, "precision=%s is not supported by "
        "this version of the engine: %s",
        precision_name (precision), trt_get_last_error ());
    goto done;
  }
  if (dims.d[0] < 0) {
    trt_dims opt = max;

    s = trt_build_config_set_profile (cfg, input, &min, &opt, &max);
    if (s != TRT_OK) {
      g_set_error (error, TRT_GST_ERROR, 0, "%s", trt_get_last_error ());
      goto done;
    }
  }
  s = trt_engine_build_file (dev, model, cfg, engine);
  if (s != TRT_OK) {
    g_set_error (error, TRT_GST_ERROR, 0, "building an engine from '%s' "
        "failed (%s): %s", model, trt_status_name (s), trt_get_last_error ());
    goto done;
  }
  save_cache (element, *engine, path);
  ok = TRUE;

done:
  if (ok)
    *batch = want;
  trt_build_config_free (cfg);
  g_free (input);
  g_free (path);
  g_free (why);
  return ok;
}
