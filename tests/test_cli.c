/* The ikesim command line: bad command lines exit 2 and say why; --help
 * teaches; a run is a pure function of (experiment, point, seed). */
#include <string.h>
#include <sys/stat.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "clirun.h"

static char *tiny;

static void test_bad_command_lines(void)
{
    g_autofree char *missing = g_build_filename(g_get_tmp_dir(), "ikesim-no-such-file.ini", NULL);
    const char *const cases[][8] = {
        {"ikesim", NULL},
        {"ikesim", "frobnicate", NULL},
        {"ikesim", "run", NULL},
        {"ikesim", "run", tiny, tiny, NULL},
        {"ikesim", "run", tiny, "--no-such-option", NULL},
        {"ikesim", "run", tiny, "--seed", "x", NULL},
        {"ikesim", "run", tiny, "--seed", "0", NULL},
        {"ikesim", "run", tiny, "--task", "1", "--seed", "2", NULL},
        {"ikesim", "run", tiny, "--task", "100000", NULL},
        {"ikesim", "run", tiny, "--set", "topology.loss", NULL},
        {"ikesim", "run", tiny, "--set", "topology.loss=2", NULL},
        {"ikesim", "run", tiny, "--task", "1", "--set", "scenario.reboot_after=5s", NULL},
        {"ikesim", "run", tiny, "--out", "/tmp/x", NULL},
        {"ikesim", "run", missing, NULL},
        {"ikesim", "sweep", tiny, "-j", "0", NULL},
        {"ikesim", "sweep", NULL},
        {"ikesim", "tasks", tiny, "--set", "experiment.method=qcd", NULL},
        {"ikesim", "collect", "/tmp", NULL},
        {"ikesim", "plot", "/nonexistent-results", NULL},
        {"ikesim", "report", NULL},
        {"ikesim", "sweep", tiny, "--no-wait", NULL},
        {"ikesim", "sweep", tiny, "-j", "-1", NULL},
        {"ikesim", "sweep", tiny, "--slurm-opt=--partition=short", NULL},
        {"ikesim", "sweep", tiny, "--slurm", "--slurm-opt=--array=0-3", NULL},
        {"ikesim", "status", NULL},
        {"ikesim", "status", "/nonexistent-results", NULL},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *out = NULL, *err = NULL;
        g_autofree char *line = g_strjoinv(" ", (char **)cases[i] + 1);
        g_test_message("ikesim %s", line);
        g_assert_cmpint(clirun(cases[i], &out, &err), ==, 2);
        g_assert_cmpstr(out, ==, "");
        g_assert_cmpuint(strlen(err), >, 10); /* says why */
    }
}

static void test_help(void)
{
    const char *subs[] = {"run", "sweep", "tasks", "collect", "plot", "report", "status"};
    for (size_t i = 0; i < G_N_ELEMENTS(subs); i++) {
        const char *argv[] = {"ikesim", subs[i], "--help", NULL};
        g_autofree char *out = NULL;
        g_assert_cmpint(clirun(argv, &out, NULL), ==, 0);
        g_assert_nonnull(strstr(out, "Usage:"));
        g_assert_nonnull(strstr(out, "Example"));
    }
    const char *argv[] = {"ikesim", "--help", NULL};
    g_autofree char *out = NULL;
    g_assert_cmpint(clirun(argv, &out, NULL), ==, 0);
    g_assert_nonnull(strstr(out, "sweep"));
}

static char *without_wall(const char *row)
{
    g_auto(GStrv) f = g_strsplit(row, ",", -1);
    guint n = g_strv_length(f);
    g_assert_cmpuint(n, >, 10);
    g_free(f[n - 2]); /* wall_s, the one column a run may not repeat */
    f[n - 2] = g_strdup("-");
    return g_strjoinv(",", f);
}

static void test_run_deterministic(void)
{
    const char *argv[] = {"ikesim", "run", tiny, "--task", "13", NULL};
    g_autofree char *a = NULL, *b = NULL;
    g_assert_cmpint(clirun(argv, &a, NULL), ==, 0);
    g_assert_cmpint(clirun(argv, &b, NULL), ==, 0);
    g_autofree char *ka = without_wall(a), *kb = without_wall(b);
    g_assert_cmpstr(ka, ==, kb);
    g_assert_true(g_str_has_prefix(a, "13,tiny,2,3,qcd,")); /* point 3 x 4 seeds + seed index 1 */
    /* the same point and seed as a single run with --seed and --set */
    const char *single[] = {"ikesim", "run", tiny, "--seed", "2", "--set", "experiment.method=qcd",
                            "--set", "scenario.reboot_after=3s", "--header", NULL};
    g_autofree char *c = NULL;
    g_assert_cmpint(clirun(single, &c, NULL), ==, 0);
    g_assert_true(g_str_has_prefix(c, "run_id,experiment,seed,scenario_reboot_after,method,detect_s,"));
    g_autofree char *kc = without_wall(strchr(c, '\n') + 1);
    g_assert_cmpstr(strchr(kc, ','), ==, strchr(ka, ',')); /* all but run_id (off the grid: empty) */
    g_assert_true(g_str_has_prefix(kc, ",tiny,"));
    /* another seed, another run */
    const char *other[] = {"ikesim", "run", tiny, "--task", "12", NULL};
    g_autofree char *d = NULL;
    g_assert_cmpint(clirun(other, &d, NULL), ==, 0);
    g_autofree char *kd = without_wall(d);
    g_assert_cmpstr(strchr(kd, ','), !=, strchr(ka, ','));
}

/* recovery_cost appends the recovery-cost columns: reinit (no boot delay)
 * holds the new SA two round trips and four frames after the reboot. */
static void test_recovery_cost_columns(void)
{
    const char *argv[] = {"ikesim", "run", tiny, "--seed", "1", "--set", "experiment.method=reinit",
                          "--set", "experiment.recovery_cost=true", "--header", NULL};
    g_autofree char *out = NULL;
    g_assert_cmpint(clirun(argv, &out, NULL), ==, 0);
    g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
    g_assert_true(g_str_has_suffix(lines[0], ",events,sa_s,sa_rtt,recover_rtt,recover_ike_msgs,recover_ike_bytes"));
    g_auto(GStrv) h = g_strsplit(lines[0], ",", -1);
    g_auto(GStrv) f = g_strsplit(lines[1], ",", -1);
    guint n = g_strv_length(f);
    g_assert_cmpuint(n, ==, g_strv_length(h));
    double sa_rtt = g_ascii_strtod(f[n - 4], NULL), recover_rtt = g_ascii_strtod(f[n - 3], NULL);
    g_assert_cmpfloat(sa_rtt, >, 2.0); /* 2 RTT + four frames of about 20 us */
    g_assert_cmpfloat(sa_rtt, <, 2.01);
    g_assert_cmpfloat(recover_rtt, >, sa_rtt); /* the next packets after the new SA */
    g_assert_cmpstr(f[6], ==, "initial_contact");
}

static void test_run_outputs(void)
{
    g_autofree char *tmp = g_dir_make_tmp("ikesim-cli-XXXXXX", NULL);
    g_autofree char *pcap = g_build_filename(tmp, "pcap", NULL);
    g_autofree char *tl = g_build_filename(tmp, "tl.csv", NULL);
    const char *argv[] = {"ikesim", "run", tiny, "--task", "9", "--pcap", pcap, "--timeline", tl, NULL};
    g_autofree char *out = NULL;
    g_assert_cmpint(clirun(argv, &out, NULL), ==, 0);
    const char *files[] = {"link-0-0.pcap", "link-0-1.pcap", "ikev2_decryption_table"};
    for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
        g_autofree char *f = g_build_filename(pcap, files[i], NULL);
        g_assert_true(g_file_test(f, G_FILE_TEST_IS_REGULAR));
    }
    g_autofree char *text = NULL;
    g_assert_true(g_file_get_contents(tl, &text, NULL, NULL));
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    /* 2 s before to 20 s after the crash in 100 ms bins, and a header */
    g_assert_cmpuint(g_strv_length(lines), ==, 1 + 220 + 1);
    g_assert_cmpstr(lines[0], ==, "t_s,pkts_0to1,pkts_1to0");
    g_assert_true(g_str_has_prefix(lines[1], "-2,"));
    g_assert_true(g_str_has_prefix(lines[21], "0,"));     /* the crash */
    g_assert_true(g_str_has_suffix(lines[25], ",0,0"));   /* 0.4 s later: the outage */
    clirun_rm_rf(tmp);
}

/* Experiment files are regular files of at most 4 MiB: a FIFO is refused
 * without waiting for a writer, /dev/zero without reading it, a directory
 * and a file one byte too big too; exit 2, the file named, nothing written. */
static void test_not_regular_files(void)
{
    g_autofree char *tmp = g_dir_make_tmp("ikesim-cli-XXXXXX", NULL);
    g_autofree char *fifo = g_build_filename(tmp, "fifo.ini", NULL);
    g_autofree char *big = g_build_filename(tmp, "big.ini", NULL);
    g_autofree char *out = g_build_filename(tmp, "out", NULL);
    g_assert_cmpint(mkfifo(fifo, 0644), ==, 0);
    /* a valid experiment padded with comments to 4 MiB + 1 */
    g_autofree char *tiny_text = NULL;
    gsize tiny_len;
    g_assert_true(g_file_get_contents(tiny, &tiny_text, &tiny_len, NULL));
    GString *b = g_string_new(tiny_text);
    while (b->len < (4u << 20) - 100)
        g_string_append(b, "# padding padding padding padding padding padding padding padding padding\n");
    g_string_append(b, "#");
    while (b->len < (4u << 20))
        g_string_append_c(b, 'x');
    g_string_append_c(b, '\n'); /* 4 MiB + 1 */
    g_assert_true(g_file_set_contents(big, b->str, (gssize)b->len, NULL));
    const struct {
        const char *file, *why;
    } cases[] = {
        {fifo, ": a FIFO, not a regular file; an experiment file is a regular file of at most 4 MiB"},
        {"/dev/zero", ": a character device, not a regular file"},
        {tmp, ": a directory, not a regular file"},
        {big, ": 4194305 bytes, more than the 4 MiB allowed"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
        for (int sweep = 0; sweep < 2; sweep++) {
            const char *argv[] = {"ikesim", sweep ? "sweep" : "run", cases[i].file, "--out", out,
                                  sweep ? NULL : "--task", "0", NULL};
            g_autofree char *o = NULL, *e = NULL;
            g_assert_cmpint(clirun(argv, &o, &e), ==, 2);
            g_autofree char *want = g_strdup_printf("ikesim %s: %s%s", argv[1], cases[i].file, cases[i].why);
            g_assert_true(g_str_has_prefix(e, want));
            g_assert_cmpstr(o, ==, "");
            g_assert_false(g_file_test(out, G_FILE_TEST_EXISTS));
        }
    /* exactly 4 MiB is an experiment */
    g_string_truncate(b, (4u << 20) - 1);
    g_string_append_c(b, '\n');
    g_assert_true(g_file_set_contents(big, b->str, (gssize)b->len, NULL));
    const char *ok[] = {"ikesim", "tasks", big, NULL};
    g_assert_cmpint(clirun(ok, NULL, NULL), ==, 0);
    g_string_free(b, TRUE);
    clirun_rm_rf(tmp);
}

/* Seeds and task ids: negative, zero seeds, words and numbers out of range
 * are refused like any bad value (before, -1 meant "not given"). */
static void test_bad_ids(void)
{
    g_autofree char *tmp = g_dir_make_tmp("ikesim-cli-XXXXXX", NULL);
    g_autofree char *out = g_build_filename(tmp, "out", NULL);
    const struct {
        const char *opt, *value, *why;
    } cases[] = {
        {"--seed", "-1", "--seed must be a whole number from 1 to 4294967086, got “-1”"},
        {"--seed", "-2", "--seed must be a whole number from 1 to 4294967086, got “-2”"},
        {"--seed", "4294967087", "--seed must be a whole number from 1 to 4294967086, got “4294967087”"},
        {"--seed", "1.5", "--seed must be a whole number from 1 to 4294967086, got “1.5”"},
        {"--task", "-1", "--task must be a task id, a whole number from 0 (see ikesim tasks), got “-1”"},
        {"--task", "two", "--task must be a task id, a whole number from 0 (see ikesim tasks), got “two”"},
        {"--task", "+3", "--task must be a task id, a whole number from 0 (see ikesim tasks), got “+3”"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *arg = g_strdup_printf("%s=%s", cases[i].opt, cases[i].value);
        const char *argv[] = {"ikesim", "run", tiny, arg, strcmp(cases[i].opt, "--task") ? NULL : "--out", out, NULL};
        g_autofree char *o = NULL, *e = NULL;
        g_assert_cmpint(clirun(argv, &o, &e), ==, 2);
        g_autofree char *want = g_strdup_printf("ikesim run: %s\n", cases[i].why);
        g_assert_cmpstr(e, ==, want);
        g_assert_cmpstr(o, ==, "");
        g_assert_false(g_file_test(out, G_FILE_TEST_EXISTS));
    }
    clirun_rm_rf(tmp);
}

/* A run that the estimate lets through but that reaches
 * experiment.max_events stops there: exit 1, why, and no row, shard or
 * manifest; a sweep of it ends incomplete.  Without the low limit it runs. */
static void test_event_limit_stops(void)
{
    g_autofree char *storm = clirun_source("tests/exp-good/retransmit-storm.ini");
    g_autofree char *tmp = g_dir_make_tmp("ikesim-cli-XXXXXX", NULL);
    g_autofree char *out = g_build_filename(tmp, "out", NULL);
    g_autofree char *shard = g_build_filename(out, "shards", "0.csv", NULL);
    g_autofree char *manifest = g_build_filename(out, "manifest.txt", NULL);
    const char *run[] = {"ikesim", "run", storm, "--task", "0", "--out", out, "--set", "experiment.max_events=100000",
                         NULL};
    g_autofree char *o = NULL, *e = NULL;
    g_assert_cmpint(clirun(run, &o, &e), ==, 1);
    g_assert_cmpstr(e, ==, "ikesim run: stopped at 37.7591066 s of simulated time after 100002 simulator events: "
                           "the run reached experiment.max_events = 100000 (though estimated below it); nothing "
                           "written; raise experiment.max_events if it is meant to be this big\n");
    g_assert_cmpstr(o, ==, "");
    g_assert_false(g_file_test(shard, G_FILE_TEST_EXISTS));
    g_assert_false(g_file_test(manifest, G_FILE_TEST_EXISTS));
    /* a sweep: the task fails, nothing claims it */
    g_autofree char *sweep_out = g_build_filename(tmp, "sweep", NULL);
    const char *sweep[] = {"ikesim", "sweep", storm, "--out", sweep_out, "--set", "experiment.max_events=100000", NULL};
    g_autofree char *se = NULL;
    g_assert_cmpint(clirun(sweep, NULL, &se), ==, 1);
    g_assert_nonnull(strstr(se, "task 0 failed (exit 1): ikesim run: stopped at 37.7591066 s"));
    g_autofree char *runs_path = g_build_filename(sweep_out, "runs.csv", NULL), *runs = NULL;
    g_assert_true(g_file_get_contents(runs_path, &runs, NULL, NULL));
    g_assert_cmpuint(strlen(strchr(runs, '\n')), ==, 1); /* the header alone */
    g_autofree char *sweep_manifest = g_build_filename(sweep_out, "manifest.txt", NULL), *m = NULL;
    g_assert_true(g_file_get_contents(sweep_manifest, &m, NULL, NULL));
    g_assert_nonnull(strstr(m, "state=incomplete\ndone=0\nfailed=1\n"));
    /* the default limit lets it finish */
    const char *full[] = {"ikesim", "run", storm, NULL};
    g_autofree char *row = NULL;
    g_assert_cmpint(clirun(full, &row, NULL), ==, 0);
    g_assert_true(g_str_has_suffix(row, ",167067\n"));
    clirun_rm_rf(tmp);
}

/* Without SLURM's commands --slurm says which one is missing, exit 2,
 * and writes nothing. */
static void test_slurm_not_installed(void)
{
    g_autofree char *tmp = g_dir_make_tmp("ikesim-cli-XXXXXX", NULL);
    g_autofree char *dir = g_build_filename(tmp, "out", NULL);
    g_autofree char *q_ikesim = g_shell_quote(clirun_ikesim()), *q_tiny = g_shell_quote(tiny);
    g_autofree char *q_dir = g_shell_quote(dir);
    g_autofree char *cmd =
        g_strdup_printf("PATH=/nonexistent exec %s sweep %s --slurm --out %s", q_ikesim, q_tiny, q_dir);
    g_autofree char *out = NULL, *err = NULL;
    g_assert_cmpint(clirun_sh(cmd, &out, &err), ==, 2);
    g_assert_cmpstr(out, ==, "");
    g_assert_cmpstr(err, ==, "ikesim sweep: sbatch is not on PATH: SLURM's client commands are needed "
                             "(Debian: slurm-client)\n");
    g_assert_false(g_file_test(dir, G_FILE_TEST_EXISTS));
    clirun_rm_rf(tmp);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    tiny = clirun_source("tests/exp-good/tiny.ini");
    g_test_add_func("/cli/bad-command-lines", test_bad_command_lines);
    g_test_add_func("/cli/help", test_help);
    g_test_add_func("/cli/run-deterministic", test_run_deterministic);
    g_test_add_func("/cli/recovery-cost-columns", test_recovery_cost_columns);
    g_test_add_func("/cli/run-outputs", test_run_outputs);
    g_test_add_func("/cli/not-regular-files", test_not_regular_files);
    g_test_add_func("/cli/bad-ids", test_bad_ids);
    g_test_add_func("/cli/event-limit-stops", test_event_limit_stops);
    g_test_add_func("/cli/slurm-not-installed", test_slurm_not_installed);
    return g_test_run();
}
