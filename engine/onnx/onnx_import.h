/* onnx_import.h — ONNX model (protobuf bytes) -> IR graph.
 *
 * The importer parses the model with protobuf-c (code generated at build time from the
 * onnx.proto that Debian's libonnx-dev installs), converts every initializer and Constant
 * node into a CONST tensor, every other node into an IR node through its op's import(),
 * and records graph inputs (shapes with -1 for symbolic or unknown dimensions) and outputs.
 * Protobuf types never leave this folder.
 */
#ifndef TRT_ONNX_IMPORT_H
#define TRT_ONNX_IMPORT_H

#include <stddef.h>

#include "core/ir.h"

/* Supported default-domain opsets. */
#define TRT_ONNX_MIN_OPSET 7
#define TRT_ONNX_MAX_OPSET 21

/* Parses `len` bytes of an ONNX ModelProto into a new graph (*out, owned by the caller).
 * Errors: TRT_ERR_PARSE for malformed protobuf or inconsistent graphs, TRT_ERR_UNSUPPORTED
 * for an op not in ops.def (naming the op, the node and the opset), an unsupported opset,
 * domain, data type or external data. */
trt_status trt__onnx_import(const void *buf, size_t len, trt_graph **out);

#endif /* TRT_ONNX_IMPORT_H */
