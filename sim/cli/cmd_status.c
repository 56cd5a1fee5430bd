/* ikesim status: where each task of a results directory stands. */
#include <stdio.h>

#include "cli.h"
#include "slurm_dir.h"

static const char summary[] =
    "Prints one line per task of the results directory DIR: the task id, a tab,\n"
    "its state, a tab and what is known of it:\n"
    "  done     its row is in runs.csv or its shard in shards/\n"
    "  queued   its SLURM array element waits (squeue)\n"
    "  running  its element runs\n"
    "  failed   `ikesim run` failed (exit status, node, job; slurm/failed/ID)\n"
    "  missing  none of these: never submitted, or cancelled, timed out, its\n"
    "           node lost (then squeue's last word on it, while it remembers)\n"
    "and the counts on stderr.  `ikesim sweep --slurm` submits failed and missing\n"
    "tasks again.";

static const char description[] =
    "Example:\n"
    "  ikesim status results/recovery | grep -v done\n"
    "\n"
    "Exit status: 0 every task done, 1 some not, 2 not a results directory or\n"
    "squeue failing.";

int cmd_status(int argc, char **argv)
{
    const GOptionEntry entries[] = {{NULL, 0, 0, 0, NULL, NULL, NULL}};
    if (!cli_parse("status", "DIR", summary, description, entries, &argc, &argv))
        return CLI_USAGE;
    if (argc != 2)
        return cli_fail("status", CLI_USAGE, "expected one results directory; try --help");
    int code = CLI_OK;
    sim_exp *e = cli_load_outdir("status", argv[1], NULL, &code);
    if (!e)
        return code;
    GError *err = NULL;
    size_t n = exp_n_tasks(e);
    dir_status *st = slurm_dir_status(argv[1], n, &err);
    if (!st) {
        exp_free(e);
        return cli_fail_error("status", CLI_USAGE, &err);
    }
    for (size_t t = 0; t < n; t++)
        printf("%zu\t%s\t%s\n", t, task_state_names[st->tasks[t].state], st->tasks[t].detail);
    GString *counts = g_string_new(NULL);
    for (int s = 0; s < TASK_N_STATES; s++)
        g_string_append_printf(counts, "%s%zu %s", s ? ", " : "", st->count[s], task_state_names[s]);
    fprintf(stderr, "ikesim status: %s: %zu tasks: %s\n", exp_name(e), n, counts->str);
    g_string_free(counts, TRUE);
    code = fflush(stdout) != 0 ? CLI_FAILED : st->count[TASK_DONE] == n ? CLI_OK : CLI_FAILED;
    slurm_dir_status_free(st);
    exp_free(e);
    return code;
}
