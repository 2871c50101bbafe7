/* trtpreprocess.c — host side of the preprocessing kernel (see trtpreprocess.h). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <math.h>
#include <string.h>

#include "trtpreprocess.h"
#include "trtpreprocess_cl.h"

GQuark
trt_gst_error_quark (void)
{
  return g_quark_from_static_string ("trt-gst-error-quark");
}

#define STAGING_ALIGN 64

struct _TrtPreprocess
{
  cl_program program;
  cl_kernel kernel;
  TrtPreprocessConfig cfg;
  /* YCbCr -> RGB rows and offsets (luma, chroma) */
  cl_float4 m[3];
  cl_float2 yuv_off;
};

void
trt_preprocess_geometry (const TrtPreprocessConfig * cfg, gint frame_w,
    gint frame_h, TrtGeometry * geo)
{
  gdouble sx = (gdouble) cfg->net_w / frame_w;
  gdouble sy = (gdouble) cfg->net_h / frame_h;

  geo->off_x = geo->off_y = 0.0;
  geo->x0 = geo->y0 = 0;
  geo->x1 = cfg->net_w;
  geo->y1 = cfg->net_h;

  switch (cfg->resize) {
    case TRT_RESIZE_STRETCH:
      geo->scale_x = sx;
      geo->scale_y = sy;
      break;
    case TRT_RESIZE_LETTERBOX:{
      gdouble s = MIN (sx, sy);
      gint cw = CLAMP ((gint) lround (frame_w * s), 1, cfg->net_w);
      gint ch = CLAMP ((gint) lround (frame_h * s), 1, cfg->net_h);
      gint px = cfg->symmetric_padding ? (cfg->net_w - cw) / 2 : 0;
      gint py = cfg->symmetric_padding ? (cfg->net_h - ch) / 2 : 0;

      geo->scale_x = (gdouble) cw / frame_w;
      geo->scale_y = (gdouble) ch / frame_h;
      geo->off_x = px;
      geo->off_y = py;
      geo->x0 = px;
      geo->y0 = py;
      geo->x1 = px + cw;
      geo->y1 = py + ch;
      break;
    }
    case TRT_RESIZE_CROP:{
      gdouble s = MAX (sx, sy);

      geo->scale_x = geo->scale_y = s;
      geo->off_x = (cfg->net_w - frame_w * s) / 2.0;
      geo->off_y = (cfg->net_h - frame_h * s) / 2.0;
      break;
    }
  }
}

static void
set4 (cl_float4 * v, gdouble x, gdouble y, gdouble z)
{
  v->s[0] = (cl_float) x;
  v->s[1] = (cl_float) y;
  v->s[2] = (cl_float) z;
  v->s[3] = 0.0f;
}

/* The BT.601/709/2020 YCbCr -> RGB matrix of the caps' colorimetry (BT.601 when unknown),
 * scaled for limited or full range. */
static void
set_yuv_matrix (TrtPreprocess * pp, const GstVideoInfo * info)
{
  gdouble kr = 0.299, kb = 0.114, kg, sy = 255.0 / 219.0, sc = 255.0 / 224.0;
  const GstVideoColorimetry *c = &GST_VIDEO_INFO_COLORIMETRY (info);

  if (!gst_video_color_matrix_get_Kr_Kb (c->matrix, &kr, &kb)) {
    kr = 0.299;
    kb = 0.114;
  }
  kg = 1.0 - kr - kb;
  pp->yuv_off.s[0] = 16.0f;
  if (c->range == GST_VIDEO_COLOR_RANGE_0_255) {
    sy = sc = 1.0;
    pp->yuv_off.s[0] = 0.0f;
  }
  pp->yuv_off.s[1] = 128.0f;
  set4 (&pp->m[0], sy, 0.0, 2.0 * (1.0 - kr) * sc);
  set4 (&pp->m[1], sy, -2.0 * kb * (1.0 - kb) / kg * sc,
      -2.0 * kr * (1.0 - kr) / kg * sc);
  set4 (&pp->m[2], sy, 2.0 * (1.0 - kb) * sc, 0.0);
}

/* -D options selecting the source format; FALSE if the kernel cannot read it. */
static gboolean
format_options (GstVideoFormat fmt, GString * opts)
{
  switch (fmt) {
    case GST_VIDEO_FORMAT_NV12:
      g_string_append (opts, " -DSRC_NV12");
      return TRUE;
    case GST_VIDEO_FORMAT_I420:
      g_string_append (opts, " -DSRC_I420");
      return TRUE;
    case GST_VIDEO_FORMAT_GRAY8:
      g_string_append (opts, " -DSRC_GRAY");
      return TRUE;
    case GST_VIDEO_FORMAT_RGB:
      g_string_append (opts,
          " -DSRC_PACKED -DBPP=3 -DR_POS=0 -DG_POS=1 -DB_POS=2");
      return TRUE;
    case GST_VIDEO_FORMAT_BGR:
      g_string_append (opts,
          " -DSRC_PACKED -DBPP=3 -DR_POS=2 -DG_POS=1 -DB_POS=0");
      return TRUE;
    case GST_VIDEO_FORMAT_RGBx:
    case GST_VIDEO_FORMAT_RGBA:
      g_string_append (opts,
          " -DSRC_PACKED -DBPP=4 -DR_POS=0 -DG_POS=1 -DB_POS=2");
      return TRUE;
    case GST_VIDEO_FORMAT_BGRx:
    case GST_VIDEO_FORMAT_BGRA:
      g_string_append (opts,
          " -DSRC_PACKED -DBPP=4 -DR_POS=2 -DG_POS=1 -DB_POS=0");
      return TRUE;
    default:
      return FALSE;
  }
}

TrtPreprocess *
trt_preprocess_new (cl_context ctx, cl_device_id dev,
    const TrtPreprocessConfig * cfg, const GstVideoInfo * info, GError ** error)
{
  TrtPreprocess *pp = g_new0 (TrtPreprocess, 1);
  GString *opts = g_string_new ("-cl-std=CL1.2");
  const char *src = trt_preprocess_cl_source;
  cl_int err;

  pp->cfg = *cfg;
  if (!format_options (GST_VIDEO_INFO_FORMAT (info), opts)) {
    g_set_error (error, TRT_GST_ERROR, 0,
        "video format %s is not supported; supported: %s",
        GST_VIDEO_INFO_NAME (info), TRT_PREPROCESS_FORMATS);
    goto fail;
  }
  g_string_append_printf (opts, " -DOUT_C=%d%s%s%s", cfg->net_c,
      cfg->nhwc ? " -DNHWC" : "", cfg->out_u8 ? " -DOUT_U8" : "",
      cfg->bgr ? " -DBGR" : "");
  set_yuv_matrix (pp, info);

  pp->program = clCreateProgramWithSource (ctx, 1, &src, NULL, &err);
  if (err != CL_SUCCESS) {
    g_set_error (error, TRT_GST_ERROR, 0,
        "clCreateProgramWithSource failed (%d)", err);
    goto fail;
  }
  err = clBuildProgram (pp->program, 1, &dev, opts->str, NULL, NULL);
  if (err != CL_SUCCESS) {
    gchar log[4096] = "";

    clGetProgramBuildInfo (pp->program, dev, CL_PROGRAM_BUILD_LOG,
        sizeof log - 1, log, NULL);
    g_set_error (error, TRT_GST_ERROR, 0,
        "the preprocessing kernel failed to build (%d) with '%s': %s", err,
        opts->str, log);
    goto fail;
  }
  pp->kernel = clCreateKernel (pp->program, "trt_preprocess", &err);
  if (err != CL_SUCCESS) {
    g_set_error (error, TRT_GST_ERROR, 0, "clCreateKernel failed (%d)", err);
    goto fail;
  }
  g_string_free (opts, TRUE);
  return pp;

fail:
  g_string_free (opts, TRUE);
  trt_preprocess_free (pp);
  return NULL;
}

void
trt_preprocess_free (TrtPreprocess * pp)
{
  if (!pp)
    return;
  if (pp->kernel)
    clReleaseKernel (pp->kernel);
  if (pp->program)
    clReleaseProgram (pp->program);
  g_free (pp);
}

/* Bytes of plane `p` that hold pixels: every row but the last in full (stride), then the
 * last row up to its last component byte. */
static gsize
plane_bytes (const GstVideoFrame * frame, guint p)
{
  const GstVideoFormatInfo *finfo = frame->info.finfo;
  gsize row = 0;
  guint rows = 0;

  for (guint c = 0; c < GST_VIDEO_FORMAT_INFO_N_COMPONENTS (finfo); c++) {
    gsize end;

    if (GST_VIDEO_FORMAT_INFO_PLANE (finfo, c) != p)
      continue;
    end = GST_VIDEO_FRAME_COMP_POFFSET (frame, c) +
        (gsize) GST_VIDEO_FRAME_COMP_PSTRIDE (frame, c) *
        (GST_VIDEO_FRAME_COMP_WIDTH (frame, c) - 1) + 1;
    row = MAX (row, end);
    rows = MAX (rows, (guint) GST_VIDEO_FRAME_COMP_HEIGHT (frame, c));
  }
  if (rows == 0)
    return 0;
  return (gsize) GST_VIDEO_FRAME_PLANE_STRIDE (frame, p) * (rows - 1) + row;
}

#define SET_ARG(i, v) \
  (err = clSetKernelArg (pp->kernel, (i), sizeof (v), &(v))) == CL_SUCCESS

gboolean
trt_preprocess_run (TrtPreprocess * pp, cl_command_queue queue,
    cl_mem * staging, gsize * staging_size, const GstVideoFrame * frame,
    const TrtGeometry * geo, cl_mem dst, guint slot, GError ** error)
{
  const TrtPreprocessConfig *cfg = &pp->cfg;
  guint n_planes = GST_VIDEO_FRAME_N_PLANES (frame);
  gsize offs[3] = { 0 }, sizes[3] = { 0 }, total = 0;
  cl_int4 planes = { {0} }, strides = { {0} };
  cl_int src_w = GST_VIDEO_FRAME_WIDTH (frame);
  cl_int src_h = GST_VIDEO_FRAME_HEIGHT (frame);
  cl_int dst_w = cfg->net_w, dst_h = cfg->net_h;
  cl_int dst_off = (cl_int) slot * cfg->net_w * cfg->net_h * cfg->net_c;
  cl_float2 scale = { {geo->scale_x, geo->scale_y} };
  cl_float2 off = { {geo->off_x, geo->off_y} };
  cl_int4 box = { {geo->x0, geo->y0, geo->x1, geo->y1} };
  cl_float4 mul = { {cfg->mul[0], cfg->mul[1], cfg->mul[2], 0} };
  cl_float4 add = { {cfg->add[0], cfg->add[1], cfg->add[2], 0} };
  cl_float pad = cfg->pad_value;
  size_t gws[2] = { (size_t) dst_w, (size_t) dst_h };
  cl_int err;

  if (n_planes > 3) {
    g_set_error (error, TRT_GST_ERROR, 0, "%u planes are not supported",
        n_planes);
    return FALSE;
  }
  for (guint p = 0; p < n_planes; p++) {
    if (GST_VIDEO_FRAME_PLANE_STRIDE (frame, p) <= 0) {
      g_set_error (error, TRT_GST_ERROR, 0,
          "plane %u has a stride of %d; only positive strides are supported",
          p, GST_VIDEO_FRAME_PLANE_STRIDE (frame, p));
      return FALSE;
    }
    offs[p] = total;
    sizes[p] = plane_bytes (frame, p);
    total += (sizes[p] + STAGING_ALIGN - 1) / STAGING_ALIGN * STAGING_ALIGN;
    planes.s[p] = (cl_int) offs[p];
    strides.s[p] = GST_VIDEO_FRAME_PLANE_STRIDE (frame, p);
  }
  if (total > G_MAXINT32) {
    g_set_error (error, TRT_GST_ERROR, 0, "frame of %" G_GSIZE_FORMAT
        " bytes is too large", total);
    return FALSE;
  }

  if (*staging_size < total) {
    cl_context ctx;

    if (*staging)
      clReleaseMemObject (*staging);
    *staging = NULL;
    *staging_size = 0;
    err = clGetCommandQueueInfo (queue, CL_QUEUE_CONTEXT, sizeof ctx, &ctx,
        NULL);
    if (err == CL_SUCCESS)
      *staging = clCreateBuffer (ctx, CL_MEM_READ_ONLY, total, NULL, &err);
    if (err != CL_SUCCESS) {
      g_set_error (error, TRT_GST_ERROR, 0,
          "could not allocate %" G_GSIZE_FORMAT " bytes of device memory "
          "for a frame (%d)", total, err);
      return FALSE;
    }
    *staging_size = total;
  }

  for (guint p = 0; p < n_planes; p++) {
    err = clEnqueueWriteBuffer (queue, *staging, CL_TRUE, offs[p], sizes[p],
        GST_VIDEO_FRAME_PLANE_DATA (frame, p), 0, NULL, NULL);
    if (err != CL_SUCCESS) {
      g_set_error (error, TRT_GST_ERROR, 0,
          "uploading plane %u of a frame failed (%d)", p, err);
      return FALSE;
    }
  }

  if (!(SET_ARG (0, *staging) && SET_ARG (1, planes) && SET_ARG (2, strides)
          && SET_ARG (3, src_w) && SET_ARG (4, src_h) && SET_ARG (5, dst)
          && SET_ARG (6, dst_off) && SET_ARG (7, dst_w) && SET_ARG (8, dst_h)
          && SET_ARG (9, scale) && SET_ARG (10, off) && SET_ARG (11, box)
          && SET_ARG (12, mul) && SET_ARG (13, add) && SET_ARG (14, pad)
          && SET_ARG (15, pp->m[0]) && SET_ARG (16, pp->m[1])
          && SET_ARG (17, pp->m[2]) && SET_ARG (18, pp->yuv_off))) {
    g_set_error (error, TRT_GST_ERROR, 0,
        "setting a preprocessing kernel argument failed (%d)", err);
    return FALSE;
  }
  err = clEnqueueNDRangeKernel (queue, pp->kernel, 2, NULL, gws, NULL, 0, NULL,
      NULL);
  if (err != CL_SUCCESS) {
    g_set_error (error, TRT_GST_ERROR, 0,
        "launching the preprocessing kernel failed (%d)", err);
    return FALSE;
  }
  return TRUE;
}
