/* Sweeps on a real SLURM: run by tests/slurm/cluster.sh, which starts a
 * private single-node cluster (SLURM_CONF points at it).  A small edition
 * of experiments/recovery.ini as a job array gives the rows of the local
 * sweep; with two tasks cancelled while they run, one while it waits and
 * one failing on its own, `ikesim status` names each, and the same command
 * again submits exactly those four and completes the same rows. */
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "clirun.h"

#define TASKS 15 /* 5 methods x 3 reboot times x 1 seed */

static char *recovery, *tmp, *reference;
static const char edition[] = "experiment.seeds=1";

static char *path_in(const char *dir, const char *name) { return g_build_filename(dir, name, NULL); }

/* ikesim sweep --slurm with up to three more options */
static int sweep_slurm(const char *dir, const char *opt1, const char *opt2, const char *opt3, char **out, char **err)
{
    const char *argv[] = {"ikesim", "sweep", recovery, "--set", edition, "--slurm", "--out", dir, opt1, opt2, opt3,
                          NULL};
    return clirun(argv, out, err);
}

/* `ikesim status DIR`: its exit code; lines[t] = "STATE\tDETAIL" */
static int status(const char *dir, GStrv *lines)
{
    const char *argv[] = {"ikesim", "status", dir, NULL};
    g_autofree char *out = NULL, *err = NULL;
    int rc = clirun(argv, &out, &err);
    g_auto(GStrv) raw = g_strsplit(out, "\n", -1);
    g_assert_cmpuint(g_strv_length(raw), ==, TASKS + 1);
    *lines = g_new0(char *, TASKS + 1);
    for (int t = 0; t < TASKS; t++) {
        g_autofree char *prefix = g_strdup_printf("%d\t", t);
        g_assert_true(g_str_has_prefix(raw[t], prefix));
        (*lines)[t] = g_strdup(raw[t] + strlen(prefix));
    }
    return rc;
}

static bool settled(GStrv lines)
{
    for (int t = 0; t < TASKS; t++)
        if (g_str_has_prefix(lines[t], "queued\t") || g_str_has_prefix(lines[t], "running\t"))
            return false;
    return true;
}

static void test_sweep_equals_local(void)
{
    g_autofree char *local = path_in(tmp, "local"), *dir = path_in(tmp, "slurm");
    const char *argv[] = {"ikesim", "sweep", recovery, "--set", edition, "-j", "2", "--out", local, NULL};
    g_autofree char *err = NULL;
    g_assert_cmpint(clirun(argv, NULL, &err), ==, 0);
    g_autofree char *local_runs = path_in(local, "runs.csv");
    reference = clirun_rows_key(local_runs);

    g_autofree char *out = NULL, *err2 = NULL;
    int rc = sweep_slurm(dir, NULL, NULL, NULL, &out, &err2);
    g_test_message("%s", err2);
    g_assert_cmpint(rc, ==, 0);
    g_autofree char *job = g_strstrip(g_strdup(out));
    g_assert_true(*job && strspn(job, "0123456789") == strlen(job)); /* the array's job id on stdout */
    g_autofree char *said = g_strdup_printf("15 tasks submitted as job array %s", job);
    g_assert_nonnull(strstr(err2, said));
    g_assert_nonnull(strstr(err2, "ikesim collect: recovery: 15 of 15 runs"));
    g_autofree char *runs = path_in(dir, "runs.csv");
    g_autofree char *key = clirun_rows_key(runs);
    g_assert_cmpstr(key, ==, reference);
    /* the derived files, as a local sweep makes them */
    const char *made[] = {"summary.csv", "timeline.csv", "recovery-cdf.png", "timeline/14.csv", "slurm/job.sh"};
    for (size_t i = 0; i < G_N_ELEMENTS(made); i++) {
        g_autofree char *f = path_in(dir, made[i]);
        g_assert_true(g_file_test(f, G_FILE_TEST_IS_REGULAR));
    }
    g_autofree char *log_name = g_strdup_printf("slurm/log/%s_14.out", job), *log = path_in(dir, log_name);
    g_assert_true(g_file_test(log, G_FILE_TEST_IS_REGULAR)); /* SLURM ran element 14 */
    g_autofree char *m = path_in(dir, "manifest.txt"), *text = NULL;
    g_assert_true(g_file_get_contents(m, &text, NULL, NULL));
    g_assert_nonnull(strstr(text, "state=complete"));
    g_auto(GStrv) lines = NULL;
    g_assert_cmpint(status(dir, &lines), ==, 0);
    for (int t = 0; t < TASKS; t++)
        g_assert_cmpstr(lines[t], ==, "done\t");
    /* again: nothing left to submit, the same rows */
    g_autofree char *out3 = NULL, *err3 = NULL;
    g_assert_cmpint(sweep_slurm(dir, NULL, NULL, NULL, &out3, &err3), ==, 0);
    g_assert_cmpstr(out3, ==, "");
    g_assert_null(strstr(err3, "submitted"));
    g_autofree char *key3 = clirun_rows_key(runs);
    g_assert_cmpstr(key3, ==, reference);
}

/* The pid of a running `ikesim run ... --task N` writing into dir with N
 * neither skip nor 4 (the failing task), its task in *task; or 0. */
static GPid find_run(const char *dir, int skip, int *task)
{
    g_autofree char *copy = path_in(dir, "experiment.ini");
    GDir *d = g_dir_open("/proc", 0, NULL);
    const char *name;
    GPid found = 0;
    while (!found && d && (name = g_dir_read_name(d))) {
        if (!g_ascii_isdigit(*name))
            continue;
        g_autofree char *path = g_build_filename("/proc", name, "cmdline", NULL), *cmd = NULL;
        gsize len;
        if (!g_file_get_contents(path, &cmd, &len, NULL) || len == 0)
            continue;
        GPtrArray *args = g_ptr_array_new();
        for (gsize i = 0; i < len; i += strlen(cmd + i) + 1)
            g_ptr_array_add(args, cmd + i);
        guint n = args->len;
        if (n > 3 && strcmp(g_ptr_array_index(args, 1), "run") == 0 &&
            strcmp(g_ptr_array_index(args, 2), copy) == 0 && strcmp(g_ptr_array_index(args, n - 2), "--task") == 0) {
            *task = atoi(g_ptr_array_index(args, n - 1));
            if (*task != skip && *task != 4)
                found = (GPid)atoi(name);
        }
        g_ptr_array_free(args, TRUE);
    }
    if (d)
        g_dir_close(d);
    return found;
}

/* Freezes (SIGSTOP) a run of dir half-way, before its shard exists (not
 * task skip); its task. */
static int freeze_run(const char *dir, int skip)
{
    for (int i = 0; i < 6000; i++) {
        int task;
        GPid pid = find_run(dir, skip, &task);
        if (pid == 0) {
            g_usleep(5000);
            continue;
        }
        kill(pid, SIGSTOP);
        g_autofree char *name = g_strdup_printf("shards/%d.csv", task), *shard = path_in(dir, name);
        g_autofree char *stat = g_strdup_printf("/proc/%d/stat", pid), *st = NULL;
        g_usleep(20000);
        if (g_file_get_contents(stat, &st, NULL, NULL) && strstr(st, ") T ") &&
            !g_file_test(shard, G_FILE_TEST_EXISTS))
            return task;
        kill(pid, SIGCONT); /* it finished first: another */
    }
    g_error("no run of %s to freeze", dir);
}

static gint by_int(gconstpointer a, gconstpointer b) { return *(const int *)a - *(const int *)b; }

static void scancel(const char *job, int index)
{
    g_autofree char *element = g_strdup_printf("%s_%d", job, index);
    const char *argv[] = {"scancel", element, NULL};
    g_assert_cmpint(clirun(argv, NULL, NULL), ==, 0);
}

static void test_cancel_and_resubmit(void)
{
    g_autofree char *dir = path_in(tmp, "cancel");
    g_autofree char *out = NULL, *err = NULL;
    /* held until released, so the failing task can be set up first; two
     * elements at a time whatever the CPUs, so the last one waits long */
    g_assert_cmpint(sweep_slurm(dir, "--no-wait", "--slurm-opt=--hold", "-j2", &out, &err), ==, 0);
    g_autofree char *job = g_strstrip(g_strdup(out));
    g_assert_cmpstr(out, !=, "");
    g_auto(GStrv) held = NULL;
    g_assert_cmpint(status(dir, &held), ==, 1);
    for (int t = 0; t < TASKS; t++) {
        g_autofree char *want = g_strdup_printf("queued\tjob %s_%d PENDING (JobHeldUser)", job, t);
        g_assert_cmpstr(held[t], ==, want);
    }
    const char *show[] = {"scontrol", "show", "job", job, NULL};
    g_autofree char *shown = NULL;
    g_assert_cmpint(clirun(show, &shown, NULL), ==, 0);
    g_assert_nonnull(strstr(shown, "ArrayTaskThrottle=2"));
    /* task 4 fails on its own: its timeline cannot be written */
    g_autofree char *blocker = path_in(dir, "timeline/4.csv");
    g_assert_cmpint(g_mkdir_with_parents(blocker, 0755), ==, 0);
    const char *release[] = {"scontrol", "release", job, NULL};
    g_assert_cmpint(clirun(release, NULL, NULL), ==, 0);

    /* two runs frozen half-way (the array's two slots), then cancelled */
    int frozen[2];
    frozen[0] = freeze_run(dir, -1);
    frozen[1] = freeze_run(dir, frozen[0]);
    g_auto(GStrv) mid = NULL;
    status(dir, &mid);
    for (int i = 0; i < 2; i++) {
        g_autofree char *want = g_strdup_printf("running\tjob %s_%d RUNNING on ", job, frozen[i]);
        g_assert_true(g_str_has_prefix(mid[frozen[i]], want));
        scancel(job, frozen[i]);
    }
    /* and the last one still waiting */
    int waiting = TASKS - 1;
    g_autofree char *want_waiting = g_strdup_printf("queued\tjob %s_%d PENDING (JobArrayTaskLimit)", job, waiting);
    g_assert_cmpstr(mid[waiting], ==, want_waiting);
    scancel(job, waiting);
    g_test_message("cancelled tasks %d and %d while they ran, task %d while it waited", frozen[0], frozen[1],
                   waiting);

    g_auto(GStrv) lines = NULL;
    for (int i = 0; i < 600; i++) {
        g_clear_pointer(&lines, g_strfreev);
        status(dir, &lines);
        if (settled(lines))
            break;
        g_usleep(200000);
    }
    g_assert_true(settled(lines));
    g_auto(GStrv) again = NULL;
    g_assert_cmpint(status(dir, &again), ==, 1);
    for (int t = 0; t < TASKS; t++) {
        g_test_message("%d %s", t, again[t]);
        if (t == frozen[0] || t == frozen[1]) {
            g_autofree char *want = g_strdup_printf("missing\tjob %s_%d CANCELLED", job, t);
            g_assert_cmpstr(again[t], ==, want);
        } else if (t == waiting) {
            g_assert_true(g_str_has_prefix(again[t], "missing\t"));
        } else if (t == 4) {
            g_assert_true(g_str_has_prefix(again[t], "failed\texit 1 on "));
            g_autofree char *tail = g_strdup_printf(", job %s_4, output in slurm/log/%s_4.out", job, job);
            g_assert_true(g_str_has_suffix(again[t], tail));
        } else {
            g_assert_cmpstr(again[t], ==, "done\t");
        }
    }
    /* the failing run's own words are in its element's output */
    g_autofree char *log_name = g_strdup_printf("slurm/log/%s_4.out", job), *log = path_in(dir, log_name), *said = NULL;
    g_assert_true(g_file_get_contents(log, &said, NULL, NULL));
    g_test_message("%s: %s", log_name, said);
    g_assert_true(g_str_has_prefix(said, "ikesim run: "));
    g_assert_nonnull(strstr(said, "timeline/4.csv"));
    /* a cancelled run leaves no row, no failure record, nothing half-written */
    for (int i = 0; i < 2; i++) {
        g_autofree char *sname = g_strdup_printf("shards/%d.csv", frozen[i]), *shard = path_in(dir, sname);
        g_autofree char *fname = g_strdup_printf("slurm/failed/%d", frozen[i]), *record = path_in(dir, fname);
        g_assert_false(g_file_test(shard, G_FILE_TEST_EXISTS));
        g_assert_false(g_file_test(record, G_FILE_TEST_EXISTS));
    }

    /* the same command: exactly those four again, then the same rows */
    g_assert_cmpint(g_rmdir(blocker), ==, 0);
    g_autofree char *out2 = NULL, *err2 = NULL;
    int rc = sweep_slurm(dir, NULL, NULL, NULL, &out2, &err2);
    g_test_message("%s", err2);
    g_assert_cmpint(rc, ==, 0);
    g_autofree char *job2 = g_strstrip(g_strdup(out2));
    g_autofree char *resubmitted =
        g_strdup_printf("4 tasks submitted as job array %s (11 done, 0 queued or running)", job2);
    g_assert_nonnull(strstr(err2, resubmitted));
    g_autofree char *list = path_in(dir, "slurm/tasks-2.txt"), *text = NULL;
    g_assert_true(g_file_get_contents(list, &text, NULL, NULL));
    int ids[4] = {4, frozen[0], frozen[1], waiting};
    qsort(ids, 4, sizeof ids[0], by_int);
    g_autofree char *want_list = g_strdup_printf("%d\n%d\n%d\n%d\n", ids[0], ids[1], ids[2], ids[3]);
    g_assert_cmpstr(text, ==, want_list);
    g_autofree char *runs = path_in(dir, "runs.csv");
    g_autofree char *key = clirun_rows_key(runs);
    g_assert_cmpstr(key, ==, reference);
    g_auto(GStrv) done = NULL;
    g_assert_cmpint(status(dir, &done), ==, 0);
}

static void test_sbatch_refuses(void)
{
    g_autofree char *dir = path_in(tmp, "refused"), *err = NULL;
    g_assert_cmpint(sweep_slurm(dir, "--slurm-opt=--partition=no-such-partition", NULL, NULL, NULL, &err), ==, 2);
    g_assert_nonnull(strstr(err, "ikesim sweep: sbatch "));
    g_assert_nonnull(strstr(err, "Invalid partition name specified"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    if (!g_getenv("SLURM_CONF"))
        g_error("SLURM_CONF is not set: run this under tests/slurm/cluster.sh");
    recovery = clirun_source("experiments/recovery.ini");
    tmp = g_dir_make_tmp("ikesim-slurm-test-XXXXXX", NULL);
    g_test_add_func("/slurm/sweep-equals-local", test_sweep_equals_local);
    g_test_add_func("/slurm/cancel-fail-resubmit", test_cancel_and_resubmit);
    g_test_add_func("/slurm/sbatch-refuses", test_sbatch_refuses);
    int rc = g_test_run();
    clirun_rm_rf(tmp);
    return rc;
}
