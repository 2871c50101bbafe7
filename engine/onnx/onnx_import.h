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

/* Decodes one serialized TensorProto (the .pb files of ONNX test data) into its name
 * (malloc'd, may be NULL), dtype, dims and dense little-endian data (malloc'd). The caller
 * owns *name and *data. TRT_ERR_UNSUPPORTED for dtypes trt_dtype lacks (double, string...). */
trt_status trt__onnx_read_tensor(const void *buf, size_t len, char **name, trt_dtype *dtype,
                                 trt_dims *dims, void **data);

/* The distinct op types (default domain; other domains as "domain:Type") a model uses.
 * *types is a malloc'd array of malloc'd strings, owned by the caller
 * (trt__onnx_free_strings). */
trt_status trt__onnx_op_types(const void *buf, size_t len, char ***types, int *n);
void trt__onnx_free_strings(char **strings, int n);

#endif /* TRT_ONNX_IMPORT_H */
