/* bench_sweep — runs per second of `ikesim sweep` with 1 and with 2
 * worker processes, and their ratio (target on a 2-core machine: >= 1.8).
 * Each measurement is a fresh sweep of bench/sweep.ini into a temporary
 * directory; the median of several repeats is reported.  --quick: one
 * repeat of a quarter of the runs (a smoke test for CI). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "bench_util.h"

static double sweep_seconds(int jobs, bool quick)
{
    g_autofree char *tmp = g_dir_make_tmp("ikesim-bench-sweep-XXXXXX", NULL);
    g_autofree char *out = g_build_filename(tmp, "out", NULL);
    g_autofree char *j = g_strdup_printf("%d", jobs);
    const char *argv[] = {IKESIM_PATH, "sweep", BENCH_EXPERIMENT, "-j", j, "--out", out,
                          quick ? "--set" : NULL, "experiment.seeds=1", NULL};
    double t0 = bench_now_s();
    gint status;
    g_autofree char *err = NULL;
    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err, &status, NULL) ||
        !g_spawn_check_wait_status(status, NULL)) {
        fprintf(stderr, "bench_sweep: the sweep failed: %s\n", err ? err : "");
        exit(1);
    }
    double dt = bench_now_s() - t0;
    const char *rm[] = {"rm", "-rf", tmp, NULL};
    g_spawn_sync(NULL, (char **)rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
    return dt;
}

int main(int argc, char **argv)
{
    bool quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    int repeats = quick ? 1 : 3, runs = quick ? 10 : 40;
    double rate[3] = {0};
    printf("ikesim sweep of %s: %d runs of 300 s simulated time each, %u CPUs\n", BENCH_EXPERIMENT, runs,
           g_get_num_processors());
    for (int jobs = 1; jobs <= 2; jobs++) {
        double t[5];
        for (int r = 0; r < repeats; r++)
            t[r] = sweep_seconds(jobs, quick);
        double med = bench_median(t, repeats);
        rate[jobs] = runs / med;
        printf("  %d worker%s: %6.2f s, %6.2f runs/s\n", jobs, jobs > 1 ? "s" : " ", med, rate[jobs]);
    }
    printf("  speed-up with 2 workers: %.2fx (target >= 1.8x on 2 cores)\n", rate[2] / rate[1]);
    return 0;
}
