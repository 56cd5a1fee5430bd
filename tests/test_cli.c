/* The ikesim command line: bad command lines exit 2 and say why; --help
 * teaches; a run is a pure function of (experiment, point, seed). */
#include <string.h>

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
    const char *subs[] = {"run", "sweep", "tasks", "collect", "plot", "report"};
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

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    tiny = clirun_source("tests/exp-good/tiny.ini");
    g_test_add_func("/cli/bad-command-lines", test_bad_command_lines);
    g_test_add_func("/cli/help", test_help);
    g_test_add_func("/cli/run-deterministic", test_run_deterministic);
    g_test_add_func("/cli/run-outputs", test_run_outputs);
    return g_test_run();
}
