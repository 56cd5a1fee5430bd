/* Sweeps lose nothing: killed with SIGKILL mid-way and started again, a
 * sweep ends with the same runs.csv (ignoring order and wall-clock times)
 * as an uninterrupted one, keeps every completed row as it was, cuts a
 * half-written line; `tasks` + `collect` (by hand or through GNU parallel)
 * give the same rows. */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "clirun.h"

static char *tiny, *tmp, *reference; /* the uninterrupted sweep's rows */

static char *path_in(const char *dir, const char *name) { return g_build_filename(dir, name, NULL); }

static char *sweep_to(const char *name, const char *jobs)
{
    char *out = path_in(tmp, name);
    const char *argv[] = {"ikesim", "sweep", tiny, "-j", jobs, "--out", out, NULL};
    g_autofree char *err = NULL;
    int rc = clirun(argv, NULL, &err);
    if (rc != 0)
        g_error("sweep failed (%d): %s", rc, err);
    return out;
}

static void test_uninterrupted(void)
{
    g_autofree char *out = sweep_to("ref", "2");
    g_autofree char *runs = path_in(out, "runs.csv");
    reference = clirun_rows_key(runs);
    g_auto(GStrv) rows = g_strsplit(reference, "\n", -1);
    g_assert_cmpuint(g_strv_length(rows), ==, 1 + 24);
    const char *made[] = {"summary.csv", "timeline.csv", "tiny.png", "manifest.txt", "experiment.ini", "timeline/23.csv"};
    for (size_t i = 0; i < G_N_ELEMENTS(made); i++) {
        g_autofree char *f = path_in(out, made[i]);
        g_assert_true(g_file_test(f, G_FILE_TEST_IS_REGULAR));
    }
    g_autofree char *m = path_in(out, "manifest.txt"), *text = NULL;
    g_assert_true(g_file_get_contents(m, &text, NULL, NULL));
    g_assert_nonnull(strstr(text, "state=complete"));
    g_assert_nonnull(strstr(text, "sha256="));
    g_assert_nonnull(strstr(text, "commit="));
    g_assert_nonnull(strstr(text, "seeds=1,2,3,4"));
    /* one summary row per point: 3 methods x 2 reboot times */
    g_autofree char *s = path_in(out, "summary.csv"), *sum = NULL;
    g_assert_true(g_file_get_contents(s, &sum, NULL, NULL));
    g_auto(GStrv) lines = g_strsplit(sum, "\n", -1);
    g_assert_cmpuint(g_strv_length(lines), ==, 1 + 6 + 1);
    g_assert_true(g_str_has_prefix(lines[0], "method,scenario_reboot_after,n,detect_reason,detect_s_n,detect_s_mean,"
                                             "detect_s_median,detect_s_p95,detect_s_ci_lo,detect_s_ci_hi,"));
    g_assert_true(g_str_has_prefix(lines[1], "liveness-aggressive,1,4,liveness,4,"));
    /* a second sweep into the same directory has nothing left to run */
    g_free(sweep_to("ref", "2"));
    g_autofree char *key = clirun_rows_key(runs);
    g_assert_cmpstr(key, ==, reference);
}

static guint count_lines(const char *path)
{
    g_autofree char *text = NULL;
    gsize len = 0;
    if (!g_file_get_contents(path, &text, &len, NULL))
        return 0;
    guint n = 0;
    for (gsize i = 0; i < len; i++)
        n += text[i] == '\n';
    return n;
}

static void test_kill_and_resume(void)
{
    g_autofree char *out = path_in(tmp, "killed");
    g_autofree char *runs = path_in(out, "runs.csv");
    const char *argv[] = {clirun_ikesim(), "sweep", tiny, "-j", "2", "--out", out, NULL};
    GPid pid;
    g_assert_true(g_spawn_async(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDERR_TO_DEV_NULL,
                                NULL, NULL, &pid, NULL));
    /* header + 4 rows, then SIGKILL: no chance to clean up */
    for (int i = 0; i < 20000 && count_lines(runs) < 5; i++)
        g_usleep(1000);
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
    g_spawn_close_pid(pid);
    guint kept = count_lines(runs) - 1;
    g_test_message("killed after %u of 24 runs", kept);
    g_assert_cmpuint(kept, >=, 4);
    g_assert_cmpuint(kept, <, 24);
    g_usleep(300000); /* orphaned workers, if any, would write now */
    g_assert_cmpuint(count_lines(runs) - 1, ==, kept); /* only the sweep appends */
    g_autofree char *before = NULL;
    g_assert_true(g_file_get_contents(runs, &before, NULL, NULL));
    /* as if the power went off in the middle of a line */
    FILE *f = fopen(runs, "a");
    fputs("7,tiny,4,1,qcd,13.1", f);
    fclose(f);
    g_free(sweep_to("killed", "2"));
    g_autofree char *after = NULL;
    g_assert_true(g_file_get_contents(runs, &after, NULL, NULL));
    g_assert_true(g_str_has_prefix(after, before)); /* kept rows untouched: never run again */
    g_autofree char *key = clirun_rows_key(runs);
    g_assert_cmpstr(key, ==, reference);
}

static void test_refuses_other_experiment(void)
{
    /* a directory of another edition (other --set) is not mixed into */
    g_autofree char *out = path_in(tmp, "ref");
    const char *argv[] = {"ikesim", "sweep", tiny, "--out", out, "--set", "experiment.seeds=1..2", NULL};
    g_autofree char *err = NULL;
    g_assert_cmpint(clirun(argv, NULL, &err), ==, 2);
    g_assert_nonnull(strstr(err, "other --set"));
}

static void test_tasks_collect(void)
{
    g_autofree char *shards = path_in(tmp, "shards"), *merged = path_in(tmp, "merged");
    const char *argv[] = {"ikesim", "tasks", tiny, "--out", shards, NULL};
    g_autofree char *list = NULL;
    g_assert_cmpint(clirun(argv, &list, NULL), ==, 0);
    g_auto(GStrv) lines = g_strsplit(list, "\n", -1);
    g_assert_cmpuint(g_strv_length(lines), ==, 24 + 1);
    for (int i = 0; i < 24; i++) {
        g_autofree char *prefix = g_strdup_printf("%d\t", i);
        g_assert_true(g_str_has_prefix(lines[i], prefix));
        g_assert_cmpint(clirun_sh(strchr(lines[i], '\t') + 1, NULL, NULL), ==, 0);
    }
    const char *collect[] = {"ikesim", "collect", merged, shards, NULL};
    g_autofree char *err = NULL;
    g_assert_cmpint(clirun(collect, NULL, &err), ==, 0);
    g_autofree char *runs = path_in(merged, "runs.csv"), *tl = path_in(merged, "timeline/5.csv");
    g_autofree char *key = clirun_rows_key(runs);
    g_assert_cmpstr(key, ==, reference);
    g_assert_true(g_file_test(tl, G_FILE_TEST_IS_REGULAR));
    /* a missing shard is reported (exit 1), the rest collected */
    g_autofree char *shard = path_in(shards, "shards/3.csv");
    g_assert_cmpint(g_remove(shard), ==, 0);
    g_autofree char *err2 = NULL;
    g_assert_cmpint(clirun(collect, NULL, &err2), ==, 1);
    g_assert_nonnull(strstr(err2, "1 of 24 tasks missing: 3"));
}

/* status from the files alone (nothing was submitted to SLURM); collect
 * takes a sweep's runs.csv rows as well as shards */
static void test_status_and_mixed_collect(void)
{
    g_autofree char *ref = path_in(tmp, "ref"), *shards = path_in(tmp, "shards");
    const char *complete[] = {"ikesim", "status", ref, NULL};
    g_autofree char *out = NULL, *err = NULL;
    g_assert_cmpint(clirun(complete, &out, &err), ==, 0);
    g_assert_true(g_str_has_prefix(out, "0\tdone\t\n1\tdone\t\n"));
    g_assert_true(g_str_has_suffix(out, "23\tdone\t\n"));
    g_assert_cmpstr(err, ==, "ikesim status: tiny: 24 tasks: 24 done, 0 queued, 0 running, 0 failed, 0 missing\n");
    /* shard 3 was removed (tasks-collect) */
    const char *partial[] = {"ikesim", "status", shards, NULL};
    g_autofree char *out2 = NULL;
    g_assert_cmpint(clirun(partial, &out2, NULL), ==, 1);
    g_assert_nonnull(strstr(out2, "\n2\tdone\t\n3\tmissing\tnever submitted\n4\tdone\t\n"));
    /* a sweep's directory (runs.csv, no shards) and a shard directory */
    g_autofree char *both = path_in(tmp, "both");
    const char *collect[] = {"ikesim", "collect", both, shards, ref, NULL};
    g_autofree char *err3 = NULL;
    g_assert_cmpint(clirun(collect, NULL, &err3), ==, 0);
    g_autofree char *runs = path_in(both, "runs.csv");
    g_autofree char *key = clirun_rows_key(runs);
    g_assert_cmpstr(key, ==, reference);
}

static void test_gnu_parallel(void)
{
    g_autofree char *parallel = g_find_program_in_path("parallel");
    if (!parallel) {
        if (g_getenv("CI")) /* CI installs it (scripts/install-deps.sh): its absence is a failure there */
            g_error("GNU parallel is not installed (Debian package parallel)");
        g_test_skip("GNU parallel is not installed (Debian package parallel)");
        return;
    }
    g_autofree char *dir = path_in(tmp, "parallel");
    g_autofree char *q_ikesim = g_shell_quote(clirun_ikesim()), *q_tiny = g_shell_quote(tiny);
    g_autofree char *q_dir = g_shell_quote(dir);
    g_autofree char *cmd = g_strdup_printf("%s tasks %s --out %s | cut -f2- | parallel --will-cite -j2 && "
                                           "%s collect %s %s",
                                           q_ikesim, q_tiny, q_dir, q_ikesim, q_dir, q_dir);
    g_autofree char *err = NULL;
    int rc = clirun_sh(cmd, NULL, &err);
    if (rc != 0)
        g_error("%s: %s", cmd, err);
    g_autofree char *runs = path_in(dir, "runs.csv");
    g_autofree char *key = clirun_rows_key(runs);
    g_assert_cmpstr(key, ==, reference);
    g_autofree char *png = path_in(dir, "tiny.png");
    g_assert_true(g_file_test(png, G_FILE_TEST_IS_REGULAR));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    tiny = clirun_source("tests/exp-good/tiny.ini");
    tmp = g_dir_make_tmp("ikesim-sweep-XXXXXX", NULL);
    g_test_add_func("/sweep/uninterrupted", test_uninterrupted);
    g_test_add_func("/sweep/kill-and-resume", test_kill_and_resume);
    g_test_add_func("/sweep/refuses-other-edition", test_refuses_other_experiment);
    g_test_add_func("/sweep/tasks-collect", test_tasks_collect);
    g_test_add_func("/sweep/status-and-mixed-collect", test_status_and_mixed_collect);
    g_test_add_func("/sweep/gnu-parallel", test_gnu_parallel);
    int rc = g_test_run();
    clirun_rm_rf(tmp);
    return rc;
}
