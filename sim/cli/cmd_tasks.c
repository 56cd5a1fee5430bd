/* ikesim tasks: the sweep as a list of independent commands, for GNU
 * parallel, SLURM job arrays, HTCondor queues. */
#include <stdio.h>

#include "cli.h"

static const char summary[] =
    "Prints one line per task of the experiment's grid: the task id, a tab, and the\n"
    "exact shell command that runs it.  With --out, each command writes its row to\n"
    "DIR/shards/ID.csv (and its timeline to DIR/timeline/ID.csv); `ikesim collect`\n"
    "then merges the shards into runs.csv, summary.csv and the plots - the same\n"
    "files `ikesim sweep` writes.";

static const char description[] =
    "Examples - GNU parallel, on this machine or over ssh (-S host1,host2 with a shared DIR):\n"
    "  ikesim tasks experiments/recovery.ini --out results/recovery | cut -f2- | parallel -j8\n"
    "  ikesim collect results/recovery results/recovery\n"
    "SLURM: `ikesim sweep EXP.ini --slurm` submits these as a job array, waits and\n"
    "collects (see `ikesim sweep --help`).\n"
    "\n"
    "Exit status: 0 done, 2 bad command line or experiment file.";

int cmd_tasks(int argc, char **argv)
{
    g_auto(GStrv) sets = NULL;
    g_autofree char *out = NULL;
    const GOptionEntry entries[] = {
        {"out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Commands write shards into DIR", "DIR"},
        {"set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &sets, "Override a key for every run (repeatable)", "KEY=VALUE"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    if (!cli_parse("tasks", "EXP.ini", summary, description, entries, &argc, &argv))
        return CLI_USAGE;
    if (argc != 2)
        return cli_fail("tasks", CLI_USAGE, "expected one experiment file, got %d arguments; try --help",
                        argc - 1);
    GError *err = NULL;
    sim_exp *e = exp_load(argv[1], (const char *const *)sets, &err);
    if (!e || !exp_check_sets_for_tasks(e, &err)) {
        exp_free(e);
        return cli_fail_error("tasks", CLI_USAGE, &err);
    }
    g_autofree char *self = g_shell_quote(cli_self());
    g_autofree char *abs = g_canonicalize_filename(argv[1], NULL);
    g_autofree char *file = g_shell_quote(abs);
    GString *tail = g_string_new(NULL);
    if (out) {
        g_autofree char *abs_out = g_canonicalize_filename(out, NULL);
        g_autofree char *q = g_shell_quote(abs_out);
        g_string_append_printf(tail, " --out %s", q);
    }
    for (char **p = sets; p && *p; p++) {
        g_autofree char *q = g_shell_quote(*p);
        g_string_append_printf(tail, " --set %s", q);
    }
    for (size_t t = 0; t < exp_n_tasks(e); t++)
        printf("%zu\t%s run %s --task %zu%s\n", t, self, file, t, tail->str);
    g_string_free(tail, TRUE);
    exp_free(e);
    return fflush(stdout) == 0 ? CLI_OK : CLI_FAILED;
}
