/* config.c — the build configuration: profiles, precision, frozen inputs, tactic timing. */
#include <stdlib.h>
#include <string.h>

#include "builder/builder.h"
#include "core/core.h"
#include "tune/tune.h"

#define DEFAULT_OPT_LEVEL 3

trt_build_config *trt_build_config_new(void) {
    trt_build_config *cfg = calloc(1, sizeof *cfg);
    if (!cfg) return NULL;
    cfg->opt_level = DEFAULT_OPT_LEVEL;
    cfg->tactic_sources = TRT_TACTIC_SOURCE_ALL;
    return cfg;
}

int trt__build_config_optimization_level(const trt_build_config *cfg) {
    return cfg ? cfg->opt_level : DEFAULT_OPT_LEVEL;
}

trt_status trt_build_config_set_optimization_level(trt_build_config *cfg, int level) {
    if (!cfg)
        return trt__error(TRT_ERR_INVALID_ARG,
                          "trt_build_config_set_optimization_level: NULL config");
    if (level < 0 || level > 5)
        return trt__error(TRT_ERR_INVALID_ARG, "optimization level %d is not between 0 and 5",
                          level);
    cfg->opt_level = level;
    return TRT_OK;
}

unsigned trt__build_config_tactic_sources(const trt_build_config *cfg) {
    return cfg ? cfg->tactic_sources : TRT_TACTIC_SOURCE_ALL;
}

trt_status trt_build_config_set_tactic_sources(trt_build_config *cfg, unsigned mask) {
    if (!cfg)
        return trt__error(TRT_ERR_INVALID_ARG, "trt_build_config_set_tactic_sources: NULL config");
    if (mask & ~TRT_TACTIC_SOURCE_ALL)
        return trt__error(TRT_ERR_INVALID_ARG,
                          "tactic source mask 0x%x has unknown bits; use TRT_TACTIC_SOURCE_PORTABLE "
                          "and TRT_TACTIC_SOURCE_TENSOR_CORE",
                          mask);
    if (!mask)
        return trt__error(TRT_ERR_INVALID_ARG, "no tactic source enabled; enable PORTABLE, "
                                               "TENSOR_CORE or both");
    cfg->tactic_sources = mask;
    return TRT_OK;
}

const char *trt__build_config_timing_cache(const trt_build_config *cfg) {
    return cfg ? cfg->timing_cache : NULL;
}

trt_status trt_build_config_set_timing_cache(trt_build_config *cfg, const char *path) {
    if (!cfg)
        return trt__error(TRT_ERR_INVALID_ARG, "trt_build_config_set_timing_cache: NULL config");
    char *copy = NULL;
    if (path && !(copy = trt__strdup(path)))
        return trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory");
    free(cfg->timing_cache);
    cfg->timing_cache = copy;
    return TRT_OK;
}

void trt_build_config_free(trt_build_config *cfg) {
    if (!cfg) return;
    free(cfg->timing_cache);
    for (int i = 0; i < cfg->n_profiles; i++) free(cfg->profiles[i].name);
    for (int i = 0; i < cfg->n_frozen; i++) {
        free(cfg->frozen[i].name);
        free(cfg->frozen[i].values);
    }
    free(cfg->profiles);
    free(cfg->frozen);
    free(cfg);
}

trt_status trt_build_config_set_profile(trt_build_config *cfg, const char *input,
                                        const trt_dims *min, const trt_dims *opt,
                                        const trt_dims *max) {
    if (!cfg || !input || !min || !opt || !max)
        return trt__error(TRT_ERR_INVALID_ARG, "trt_build_config_set_profile: NULL argument");
    char a[128], b[128], c[128];
    if (min->nb_dims != opt->nb_dims || opt->nb_dims != max->nb_dims)
        return trt__error(TRT_ERR_INVALID_ARG,
                          "profile for '%s': min %s, opt %s and max %s differ in rank", input,
                          trt_dims_str(min, a, sizeof a), trt_dims_str(opt, b, sizeof b),
                          trt_dims_str(max, c, sizeof c));
    for (int i = 0; i < min->nb_dims; i++)
        if (!(min->d[i] <= opt->d[i] && opt->d[i] <= max->d[i]))
            return trt__error(TRT_ERR_INVALID_ARG,
                              "profile for '%s': need min <= opt <= max in every dimension, got "
                              "min %s, opt %s, max %s",
                              input, trt_dims_str(min, a, sizeof a), trt_dims_str(opt, b, sizeof b),
                              trt_dims_str(max, c, sizeof c));
    for (int i = 0; i < cfg->n_profiles; i++)
        if (strcmp(cfg->profiles[i].name, input) == 0) {
            cfg->profiles[i].min = *min;
            cfg->profiles[i].opt = *opt;
            cfg->profiles[i].max = *max;
            return TRT_OK;
        }
    trt_profile_req *p = realloc(cfg->profiles, sizeof *p * (size_t)(cfg->n_profiles + 1));
    if (!p) return trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory");
    cfg->profiles = p;
    p[cfg->n_profiles] = (trt_profile_req){trt__strdup(input), *min, *opt, *max};
    if (!p[cfg->n_profiles].name) return trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory");
    cfg->n_profiles++;
    return TRT_OK;
}

trt_status trt_build_config_set_precision(trt_build_config *cfg, trt_precision p) {
    if (!cfg) return trt__error(TRT_ERR_INVALID_ARG, "NULL config");
    if (p == TRT_PRECISION_INT8)
        return trt__error(TRT_ERR_UNSUPPORTED, "INT8 is not yet supported; build in FP32 or FP16");
    if (p != TRT_PRECISION_FP32 && p != TRT_PRECISION_FP16)
        return trt__error(TRT_ERR_INVALID_ARG, "unknown precision %d", (int)p);
    cfg->precision = p;
    return TRT_OK;
}

trt_status trt_build_config_set_input_values(trt_build_config *cfg, const char *input,
                                             trt_dtype dtype, const trt_dims *dims,
                                             const void *values) {
    if (!cfg || !input || !dims || (!values && trt_dims_volume(dims) > 0))
        return trt__error(TRT_ERR_INVALID_ARG, "trt_build_config_set_input_values: NULL argument");
    size_t bytes = (size_t)trt_dims_volume(dims) * trt_dtype_size(dtype);
    trt_frozen_input *f = realloc(cfg->frozen, sizeof *f * (size_t)(cfg->n_frozen + 1));
    if (!f) return trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory");
    cfg->frozen = f;
    f = &f[cfg->n_frozen];
    f->name = trt__strdup(input);
    f->dtype = dtype;
    f->dims = *dims;
    f->values = malloc(bytes ? bytes : 1);
    if (!f->name || !f->values) {
        free(f->name);
        free(f->values);
        return trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory");
    }
    if (bytes) memcpy(f->values, values, bytes);
    cfg->n_frozen++;
    return TRT_OK;
}

