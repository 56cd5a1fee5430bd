/* Sweeps lose nothing: killed with SIGKILL mid-way and started again, a
 * sweep ends with the same runs.csv (ignoring order and wall-clock times)
 * as an uninterrupted one, keeps every completed row as it was, cuts a
 * half-written line; `tasks` + `collect` (by hand or through GNU parallel)
 * give the same rows. */
#include <fcntl.h>
#include <linux/fs.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/ioctl.h>
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

/* Interrupted by SIGTERM (as by Ctrl-C), a sweep says so, and so does its
 * manifest: interrupted, with the runs runs.csv holds. */
static void test_interrupted_manifest(void)
{
    g_autofree char *out = path_in(tmp, "interrupted");
    g_autofree char *runs = path_in(out, "runs.csv"), *m = path_in(out, "manifest.txt");
    const char *argv[] = {clirun_ikesim(), "sweep", tiny, "-j", "1", "--out", out, NULL};
    GPid pid;
    g_assert_true(g_spawn_async(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDERR_TO_DEV_NULL,
                                NULL, NULL, &pid, NULL));
    for (int i = 0; i < 20000 && count_lines(runs) < 3; i++)
        g_usleep(1000);
    kill(pid, SIGTERM);
    int status;
    waitpid(pid, &status, 0);
    g_spawn_close_pid(pid);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 130);
    guint kept = count_lines(runs) - 1;
    g_assert_cmpuint(kept, <, 24);
    g_autofree char *text = NULL, *want = g_strdup_printf("state=interrupted\ndone=%u\nfailed=0\n", kept);
    g_assert_true(g_file_get_contents(m, &text, NULL, NULL));
    g_assert_nonnull(strstr(text, want));
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

/* A copy of the uninterrupted sweep's directory whose runs.csv has line
 * `line` (1: the header) replaced by `with` (NULL: the line deleted), and
 * `append` added at the end. */
static char *damaged_copy(const char *name, int line, const char *with, const char *append)
{
    g_autofree char *ref = path_in(tmp, "ref");
    char *out = path_in(tmp, name);
    g_autofree char *cmd = g_strdup_printf("cp -r '%s' '%s'", ref, out);
    g_assert_cmpint(clirun_sh(cmd, NULL, NULL), ==, 0);
    g_autofree char *runs = path_in(out, "runs.csv"), *text = NULL;
    g_assert_true(g_file_get_contents(runs, &text, NULL, NULL));
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    GString *s = g_string_new(NULL);
    for (int i = 0; lines[i] && *lines[i]; i++) {
        if (i + 1 != line)
            g_string_append_printf(s, "%s\n", lines[i]);
        else if (with)
            g_string_append_printf(s, "%s\n", with);
    }
    if (append)
        g_string_append(s, append);
    g_assert_true(g_file_set_contents(runs, s->str, (gssize)s->len, NULL));
    g_string_free(s, TRUE);
    return out;
}

/* Run task's row in dir's runs.csv and its line number. */
static char *row_of(const char *dir, int task, int *line)
{
    g_autofree char *runs = path_in(dir, "runs.csv"), *text = NULL;
    g_assert_true(g_file_get_contents(runs, &text, NULL, NULL));
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    g_autofree char *prefix = g_strdup_printf("%d,", task);
    for (int i = 1; lines[i]; i++)
        if (g_str_has_prefix(lines[i], prefix)) {
            *line = i + 1;
            return g_strdup(lines[i]);
        }
    g_assert_not_reached();
}

/* The same row with field i replaced. */
static char *with_field(const char *row, int i, const char *value)
{
    g_auto(GStrv) f = g_strsplit(row, ",", -1);
    g_free(f[i]);
    f[i] = g_strdup(value);
    return g_strjoinv(",", f);
}

static char *file_text(const char *dir, const char *name)
{
    g_autofree char *path = path_in(dir, name);
    char *text = NULL;
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    return text;
}

static void sweep_expect(const char *out, int code, const char *const *msgs)
{
    const char *argv[] = {"ikesim", "sweep", tiny, "-j", "2", "--out", out, NULL};
    g_autofree char *err = NULL;
    g_assert_cmpint(clirun(argv, NULL, &err), ==, code);
    g_test_message("%s", err);
    for (size_t i = 0; msgs[i]; i++)
        if (!strstr(err, msgs[i]))
            g_error("expected “%s” in: %s", msgs[i], err);
}

/* Damaged lines are dropped, said on stderr, and their runs run again; the
 * summary counts the grid's runs and the manifest says complete. */
static void test_resume_repairs(void)
{
    g_autofree char *ref = path_in(tmp, "ref");
    int l4, l0;
    g_autofree char *row5 = row_of(ref, 4, &l4);
    g_autofree char *half = g_strndup(row5, strlen(row5) / 2);
    g_autofree char *bad_events = with_field(row5, 18, "12x4");
    g_autofree char *row0 = row_of(ref, 0, &l0);
    g_autofree char *dup0 = with_field(row0, 17, "99.999"); /* another wall_s: the same run */
    g_autofree char *dup_line = g_strconcat(dup0, "\n", NULL);
    g_autofree char *dup_msg = g_strdup_printf("runs.csv:26: run 0 again (as at line %d): line dropped", l0);
    const struct {
        const char *name;
        int line;
        const char *with, *append, *msg, *summary;
    } cases[] = {
        {"garbage", l4, "%%% not a row at all", NULL, "not a row: 1 fields, the header has 19: line dropped", "1 new"},
        {"half-row", l4, half, NULL, "not a row: 8 fields, the header has 19: line dropped", "1 new"},
        {"not-a-number", l4, bad_events, NULL, "not a row: events is “12x4”, not a number: line dropped", "1 new"},
        {"empty-line", l4, "", NULL, "not a row: an empty line: line dropped", "1 new"},
        {"duplicate", 0, NULL, dup_line, dup_msg, "0 new"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *out = damaged_copy(cases[i].name, cases[i].line, cases[i].with, cases[i].append);
        g_autofree char *stats = g_strdup_printf("tiny: 24 runs (%s in", cases[i].summary);
        g_autofree char *where = g_strdup_printf("%s/runs.csv:%d: ", out, cases[i].line ? cases[i].line : 26);
        const char *msgs[] = {where, cases[i].msg, "(a run without a row runs again)", stats, NULL};
        sweep_expect(out, 0, msgs);
        g_autofree char *runs = path_in(out, "runs.csv");
        g_autofree char *key = clirun_rows_key(runs);
        g_assert_cmpstr(key, ==, reference);
        g_autofree char *m = file_text(out, "manifest.txt"), *sum = file_text(out, "summary.csv");
        g_assert_nonnull(strstr(m, "state=complete\ndone=24\nfailed=0\n"));
        g_auto(GStrv) lines = g_strsplit(sum, "\n", -1);
        for (int l = 1; l <= 6; l++) /* every point: n = 4 seeds */
            g_assert_nonnull(strstr(lines[l], ",4,"));
    }
}

/* Rows that lie are refused: exit 2, the line named, nothing changed. */
static void test_resume_refuses(void)
{
    g_autofree char *ref = path_in(tmp, "ref");
    int l0;
    g_autofree char *row0 = row_of(ref, 0, &l0);
    g_autofree char *conflict = g_strdup_printf("runs.csv:26: run 0 again, with other results than at line %d", l0);
    g_autofree char *other_results = with_field(row0, 18, "1");
    g_autofree char *outside = with_field(row0, 0, "24");
    g_autofree char *no_id = with_field(row0, 0, "");
    g_autofree char *other_exp = with_field(row0, 1, "other");
    g_autofree char *other_seed = with_field(row0, 2, "3");
    g_autofree char *other_method = with_field(row0, 4, "qcd");
    const struct {
        const char *name, *append, *msg;
    } cases[] = {
        {"conflict", other_results, conflict},
        {"outside", outside, "runs.csv:25: run_id “24” is not a task of the grid (0 to 23)"},
        {"no-id", no_id, "runs.csv:25: run_id “” is not a task of the grid (0 to 23)"},
        {"other-experiment", other_exp, "runs.csv:25: a row of experiment “other”, not “tiny”"},
        {"other-seed", other_seed, "runs.csv:25: run 0 is seed 1 of point “tiny,1,liveness-aggressive” in this grid"},
        {"other-method", other_method, "runs.csv:25: run 0 is seed 1 of point “tiny,1,liveness-aggressive”"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *line = g_strconcat(cases[i].append, "\n", NULL);
        /* the other row replaces run 0's, so nothing is a duplicate but the conflict */
        g_autofree char *out = damaged_copy(cases[i].name, i == 0 ? 0 : l0, NULL, line);
        g_autofree char *runs = file_text(out, "runs.csv"), *m = file_text(out, "manifest.txt");
        g_autofree char *sum = file_text(out, "summary.csv");
        const char *msgs[] = {cases[i].msg, NULL};
        sweep_expect(out, 2, msgs);
        g_autofree char *runs2 = file_text(out, "runs.csv"), *m2 = file_text(out, "manifest.txt");
        g_autofree char *sum2 = file_text(out, "summary.csv");
        g_assert_cmpstr(runs2, ==, runs);
        g_assert_cmpstr(m2, ==, m);
        g_assert_cmpstr(sum2, ==, sum);
    }
}

/* Makes dir unwritable even for root (the immutable flag; a read-only
 * mode for others) or writable again; the reason writes then fail, or NULL
 * if the file system cannot do it. */
static const char *lock_dir(const char *dir, bool on)
{
    if (geteuid() != 0) {
        g_assert_cmpint(g_chmod(dir, on ? 0555 : 0755), ==, 0);
        return "Permission denied";
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    g_assert_cmpint(fd, >=, 0);
    int flags = 0;
    bool ok = ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0;
    flags = on ? flags | FS_IMMUTABLE_FL : flags & ~FS_IMMUTABLE_FL;
    ok = ok && ioctl(fd, FS_IOC_SETFLAGS, &flags) == 0;
    close(fd);
    return ok ? "Operation not permitted" : NULL;
}

/* An output directory that cannot be written: the error names it (not a
 * temporary file), exit 1, and nothing in it changes. */
static void test_unwritable_directory(void)
{
    /* a path under a regular file */
    g_autofree char *file = path_in(tmp, "a-file"), *under = g_build_filename(file, "out", NULL);
    g_assert_true(g_file_set_contents(file, "x", 1, NULL));
    const char *sweep[] = {"ikesim", "sweep", tiny, "--out", under, NULL};
    g_autofree char *err = NULL;
    g_assert_cmpint(clirun(sweep, NULL, &err), ==, 1);
    g_autofree char *want = g_strdup_printf("ikesim sweep: cannot create %s: Not a directory\n", under);
    g_assert_cmpstr(err, ==, want);
    const char *run[] = {"ikesim", "run", tiny, "--task", "0", "--out", under, NULL};
    g_autofree char *rerr = NULL;
    g_assert_cmpint(clirun(run, NULL, &rerr), ==, 1);
    g_autofree char *rwant = g_strdup_printf("ikesim run: cannot create %s/shards: Not a directory\n", under);
    g_assert_cmpstr(rerr, ==, rwant);
    /* an empty directory, and one whose runs.csv needs a repair */
    g_autofree char *empty = path_in(tmp, "locked-empty");
    g_assert_cmpint(g_mkdir(empty, 0755), ==, 0);
    int l4;
    g_autofree char *ref = path_in(tmp, "ref"), *row4 = row_of(ref, 4, &l4);
    g_autofree char *repair = damaged_copy("locked-repair", l4, "garbage", NULL);
    const char *dirs[] = {empty, repair};
    for (size_t i = 0; i < G_N_ELEMENTS(dirs); i++) {
        g_autofree char *before = NULL, *m_before = NULL;
        if (i == 1)
            before = file_text(repair, "runs.csv"), m_before = file_text(repair, "manifest.txt");
        const char *why = lock_dir(dirs[i], true);
        if (!why) {
            g_test_skip("the file system has no immutable flag: only the path under a file was tested");
            return;
        }
        const char *argv[] = {"ikesim", "sweep", tiny, "--out", dirs[i], NULL};
        g_autofree char *e = NULL;
        int rc = clirun(argv, NULL, &e);
        lock_dir(dirs[i], false);
        g_test_message("%s", e);
        g_assert_cmpint(rc, ==, 1);
        /* tiny keeps timelines: their directory comes first */
        g_autofree char *msg = i == 0 ? g_strdup_printf("ikesim sweep: cannot create %s/timeline: %s\n", dirs[i], why)
                                      : g_strdup_printf("ikesim sweep: cannot write runs.csv in the output "
                                                        "directory %s: %s\n", dirs[i], why);
        g_assert_true(g_str_has_suffix(e, msg));
        if (i == 0) {
            GDir *d = g_dir_open(empty, 0, NULL);
            g_assert_null(g_dir_read_name(d)); /* still empty */
            g_dir_close(d);
        } else {
            g_autofree char *after = file_text(repair, "runs.csv"), *m_after = file_text(repair, "manifest.txt");
            g_assert_cmpstr(after, ==, before);
            g_assert_cmpstr(m_after, ==, m_before);
        }
    }
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
    /* collect checks shards as a sweep checks runs.csv: a damaged shard is
     * skipped and said (its task missing), one that lies is refused */
    g_autofree char *header = NULL, *row7 = NULL;
    g_autofree char *s5 = path_in(shards, "shards/5.csv"), *s7 = path_in(shards, "shards/7.csv");
    g_assert_true(g_file_get_contents(s7, &row7, NULL, NULL));
    header = g_strndup(row7, (gsize)(strchr(row7, '\n') + 1 - row7));
    g_autofree char *garbage = g_strconcat(header, "garbage\n", NULL);
    g_assert_true(g_file_set_contents(s5, garbage, -1, NULL));
    g_autofree char *err3 = NULL;
    g_assert_cmpint(clirun(collect, NULL, &err3), ==, 1);
    g_autofree char *skipped = g_strdup_printf("ikesim collect: %s: skipped, not a row: 1 fields, the header has 19 "
                                               "(a task without a row is listed missing)", s5);
    g_assert_nonnull(strstr(err3, skipped));
    g_assert_nonnull(strstr(err3, "2 of 24 tasks missing: 3 5"));
    g_autofree char *m = path_in(merged, "manifest.txt"), *mtext = NULL;
    g_assert_true(g_file_get_contents(m, &mtext, NULL, NULL));
    g_assert_nonnull(strstr(mtext, "state=incomplete\ndone=22\n"));
    g_autofree char *runs_before = NULL;
    g_assert_true(g_file_get_contents(runs, &runs_before, NULL, NULL));
    /* the same run with other results in a second directory */
    g_autofree char *shards2 = path_in(tmp, "shards2");
    g_autofree char *cp = g_strdup_printf("cp -r '%s' '%s'", shards, shards2);
    g_assert_cmpint(clirun_sh(cp, NULL, NULL), ==, 0);
    g_autofree char *s7b = path_in(shards2, "shards/7.csv");
    g_autofree char *changed = g_strdup(row7);
    char *last = strrchr(g_strchomp(changed), ',');
    g_autofree char *conflict = g_strdup_printf("%.*s,1\n", (int)(last - changed), changed);
    g_assert_true(g_file_set_contents(s7b, conflict, -1, NULL));
    const char *collect2[] = {"ikesim", "collect", merged, shards, shards2, NULL};
    g_autofree char *err4 = NULL;
    g_assert_cmpint(clirun(collect2, NULL, &err4), ==, 2);
    g_assert_nonnull(strstr(err4, "hold run 7 with other results: which is true cannot be told; remove one"));
    g_assert_nonnull(strstr(err4, s7b));
    /* a shard whose row is another run's */
    g_assert_true(g_file_set_contents(s7b, row7, -1, NULL));
    g_autofree char *s6 = path_in(shards2, "shards/6.csv");
    g_autofree char *row7_as_6 = g_strdup(row7 + strlen(header));
    row7_as_6[0] = '6';
    g_autofree char *lie = g_strconcat(header, row7_as_6, NULL);
    g_assert_true(g_file_set_contents(s6, lie, -1, NULL));
    g_autofree char *err5 = NULL;
    g_assert_cmpint(clirun(collect2, NULL, &err5), ==, 2);
    g_autofree char *lie_msg = g_strdup_printf("%s: run 6 is seed 3 of point", s6);
    g_assert_nonnull(strstr(err5, lie_msg));
    g_autofree char *runs_after = NULL, *m_after = NULL;
    g_assert_true(g_file_get_contents(runs, &runs_after, NULL, NULL));
    g_assert_true(g_file_get_contents(m, &m_after, NULL, NULL));
    g_assert_cmpstr(runs_after, ==, runs_before); /* refused: nothing written */
    g_assert_cmpstr(m_after, ==, mtext);
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
    g_test_add_func("/sweep/interrupted-manifest", test_interrupted_manifest);
    g_test_add_func("/sweep/refuses-other-edition", test_refuses_other_experiment);
    g_test_add_func("/sweep/resume-repairs", test_resume_repairs);
    g_test_add_func("/sweep/resume-refuses", test_resume_refuses);
    g_test_add_func("/sweep/unwritable-directory", test_unwritable_directory);
    g_test_add_func("/sweep/tasks-collect", test_tasks_collect);
    g_test_add_func("/sweep/status-and-mixed-collect", test_status_and_mixed_collect);
    g_test_add_func("/sweep/gnu-parallel", test_gnu_parallel);
    int rc = g_test_run();
    clirun_rm_rf(tmp);
    return rc;
}
