/* tune.h — tactic selection: times each layer's candidate kernels on the device at the
 * profile's opt shapes and records the fastest in node->tactic / tactic_params.
 *
 * For every device node whose op lists two or more candidates (trt_op_impl.tactics), each
 * candidate is prepared alone in a scratch execution context (a clone of the graph with its
 * own weights and activations, filled by one full inference on pseudo-random inputs), its
 * launch is run a few times under OpenCL profiling events, and the median is kept. A
 * candidate that fails to compile or run is skipped (logged at INFO); the build fails if
 * none works. Choices are logged at VERBOSE. With a timing cache (timing_cache.h), known
 * candidates are not timed again. At optimization level 0 nothing is timed.
 *
 * Tactic sources (trt_build_config_set_tactic_sources) filter the candidates first
 * (trt__tactics_filter_sources); a layer that keeps only one gets it without timing, at every
 * optimization level.
 */
#ifndef TRT_TUNE_TUNE_H
#define TRT_TUNE_TUNE_H

#include "runtime/runtime.h"

/* Chooses a tactic for every device node of `g` whose op lists candidates; others keep
 * theirs. `meta` holds the profiles and memory plan. `cfg` (may be NULL) gives the timing
 * cache file and the optimization level. */
trt_status trt__tune_config(trt_device *dev, trt_graph *g, const trt_engine_meta *meta,
                            const trt_build_config *cfg);

/* One process's part of a parallel build (trt_engine_precompile): prepares, in a scratch
 * context and without timing or running anything, the candidates of share `share` of
 * `shares` (the distinct candidate kernels of the graph in order of first use, dealt out in
 * turn), so that their programs land in the device's program cache on disk for the process
 * that then builds; candidates `cfg`'s timing cache knows are skipped. The caller
 * (trt_engine_precompile) has checked the share, and that the cache is on and `cfg` times.
 * A candidate that fails to prepare is skipped (VERBOSE): the build reports it.
 * *prepared (may be NULL): how many were prepared. */
trt_status trt__tune_precompile(trt_device *dev, trt_graph *g, const trt_engine_meta *meta,
                                const trt_build_config *cfg, int share, int shares,
                                int *prepared_out);

/* Compacts cand[0..nc) to the candidates of the sources in `sources` (TRT_TACTIC_SOURCE_*:
 * flags & TRT_TACTIC_TENSOR_CORE is the tensor-core source, no flag the portable one),
 * keeping their order, and returns how many remain. When none is from an allowed source, the
 * list is left whole and nc returned (a layer must run something). Also used by
 * tests/conformance/run_cases --all-tactics, so that it runs the candidates a build could pick. */
int trt__tactics_filter_sources(trt_tactic *cand, int nc, unsigned sources);

/* The timing cache path set with trt_build_config_set_timing_cache, or NULL (config.c). */
const char *trt__build_config_timing_cache(const trt_build_config *cfg);
/* trt_build_config_set_optimization_level's level (3 when cfg is NULL). */
int trt__build_config_optimization_level(const trt_build_config *cfg);
/* trt_build_config_set_tactic_sources's mask (TRT_TACTIC_SOURCE_ALL when cfg is NULL). */
unsigned trt__build_config_tactic_sources(const trt_build_config *cfg);

#endif /* TRT_TUNE_TUNE_H */
