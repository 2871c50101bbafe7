/* builder.h — internal entry points of the builder, for the public trt_engine_build and for
 * tests that build engines from graphs made in code. */
#ifndef TRT_BUILDER_BUILDER_H
#define TRT_BUILDER_BUILDER_H

#include "core/ir.h"

/* The build configuration behind trt_build_config (config.c). */
typedef struct {
    char *name; /* owned */
    trt_dims min, opt, max;
} trt_profile_req;

typedef struct {
    char *name;   /* owned */
    trt_dtype dtype;
    trt_dims dims;
    void *values; /* owned */
} trt_frozen_input;

struct trt_build_config {
    trt_precision precision;
    trt_profile_req *profiles;
    int n_profiles;
    trt_frozen_input *frozen;
    int n_frozen;
    char *timing_cache; /* owned; NULL: none */
    int opt_level;      /* trt_build_config_set_optimization_level */
    unsigned tactic_sources; /* TRT_TACTIC_SOURCE_* mask, trt_build_config_set_tactic_sources */
};

/* Builds an engine from an IR graph (taken over: freed on success and failure). `cfg` may be
 * NULL. Same steps as trt_engine_build after import. */
trt_status trt__build_graph(trt_device *dev, trt_graph *g, const trt_build_config *cfg,
                            trt_engine **out);
/* Liveness-based activation memory plan: sets offset for every tensor held in the arena
 * (capacity must already hold its largest size) and the arena size. */
trt_status trt__memory_plan(trt_graph *g, uint64_t align, uint64_t *arena_bytes);

#endif /* TRT_BUILDER_BUILDER_H */
