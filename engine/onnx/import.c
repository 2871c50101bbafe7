/* import.c — STUB until the importer lands. */
#include "onnx/onnx_import.h"
#include "core/core.h"
trt_status trt__onnx_import(const void *buf, size_t len, trt_graph **out) {
    (void)buf; (void)len; *out = NULL;
    return trt__error(TRT_ERR_UNSUPPORTED, "ONNX import not implemented yet");
}
