/* test_sources.c — tactic sources without a device: the build config's mask (defaults and
 * refusals) and tune.h's candidate filter (trt__tactics_filter_sources), on made-up lists. */
#include <string.h>

#include "../common/check.h"
#include "builder/builder.h"
#include "tune/tune.h"

enum { P = 0, TC = TRT_TACTIC_TENSOR_CORE };

/* A list of candidates with tactic ids 1.. and the given flags. */
static int make(trt_tactic *t, const unsigned *flags, int n) {
    memset(t, 0, sizeof *t * (size_t)n);
    for (int i = 0; i < n; i++) {
        t[i].tactic = i + 1;
        t[i].params[0] = 10 * (i + 1);
        t[i].flags = flags[i];
    }
    return n;
}

static int ids_are(const trt_tactic *t, int n, const int *want, int nw) {
    if (n != nw) return 0;
    for (int i = 0; i < n; i++)
        if (t[i].tactic != want[i] || t[i].params[0] != 10 * want[i]) return 0;
    return 1;
}

int main(void) {
    trt_build_config *cfg = trt_build_config_new();
    CHECK(cfg && trt__build_config_tactic_sources(cfg) == TRT_TACTIC_SOURCE_ALL,
          "a new config allows every source");
    CHECK(trt__build_config_tactic_sources(NULL) == TRT_TACTIC_SOURCE_ALL, "NULL config: all");
    CHECK(trt_build_config_set_tactic_sources(cfg, TRT_TACTIC_SOURCE_TENSOR_CORE) == TRT_OK &&
              trt__build_config_tactic_sources(cfg) == TRT_TACTIC_SOURCE_TENSOR_CORE,
          "tensor core only is accepted");
    CHECK(trt_build_config_set_tactic_sources(cfg, 0) == TRT_ERR_INVALID_ARG &&
              strstr(trt_get_last_error(), "no tactic source enabled"),
          "an empty mask is refused");
    CHECK(trt_build_config_set_tactic_sources(cfg, 1u << 7) == TRT_ERR_INVALID_ARG &&
              strstr(trt_get_last_error(), "unknown bits"),
          "unknown bits are refused");
    CHECK(trt__build_config_tactic_sources(cfg) == TRT_TACTIC_SOURCE_TENSOR_CORE,
          "a refused mask leaves the previous one");
    CHECK(trt_build_config_set_tactic_sources(NULL, 1) == TRT_ERR_INVALID_ARG, "NULL config");
    trt_build_config_free(cfg);

    trt_tactic t[8];
    const unsigned portable[3] = {P, P, P}, mixed[5] = {P, TC, P, TC, TC}, one_tc[3] = {P, TC, P};
    int n = make(t, portable, 3);
    n = trt__tactics_filter_sources(t, n, TRT_TACTIC_SOURCE_TENSOR_CORE);
    CHECK(ids_are(t, n, (int[]){1, 2, 3}, 3),
          "all portable under tensor core only: the layer keeps its whole list (n=%d)", n);
    n = trt__tactics_filter_sources(t, 3, TRT_TACTIC_SOURCE_PORTABLE);
    CHECK(ids_are(t, n, (int[]){1, 2, 3}, 3), "all portable under portable: unchanged");
    n = make(t, mixed, 5);
    n = trt__tactics_filter_sources(t, n, TRT_TACTIC_SOURCE_TENSOR_CORE);
    CHECK(ids_are(t, n, (int[]){2, 4, 5}, 3), "mixed, tensor core only: 2 4 5 in order (n=%d)",
          n);
    n = make(t, mixed, 5);
    n = trt__tactics_filter_sources(t, n, TRT_TACTIC_SOURCE_PORTABLE);
    CHECK(ids_are(t, n, (int[]){1, 3}, 2), "mixed, portable only: 1 3 (n=%d)", n);
    n = make(t, mixed, 5);
    n = trt__tactics_filter_sources(t, n, TRT_TACTIC_SOURCE_ALL);
    CHECK(ids_are(t, n, (int[]){1, 2, 3, 4, 5}, 5), "all sources: unchanged");
    n = make(t, one_tc, 3);
    n = trt__tactics_filter_sources(t, n, TRT_TACTIC_SOURCE_TENSOR_CORE);
    CHECK(ids_are(t, n, (int[]){2}, 1) && t[0].flags == TC,
          "one tensor-core candidate: just it, flags kept (n=%d)", n);
    CHECK(trt__tactics_filter_sources(t, 0, TRT_TACTIC_SOURCE_PORTABLE) == 0, "empty list");
    return check_summary();
}
