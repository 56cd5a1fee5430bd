/* ikesim sweep: every task of the grid in worker processes, appended to
 * runs.csv as they finish; resumable; then summary, timeline and plots. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "csv.h"
#include "outdir.h"
#include "pool.h"
#include "summary.h"

static const char summary[] =
    "Runs the experiment's grid (every sweep point x every seed) in parallel worker\n"
    "processes, one `ikesim run --task ID` per run, and writes into the output directory:\n"
    "  runs.csv      one row per run (appended as runs finish, each line fsync'd)\n"
    "  summary.csv   per parameter point: n, mean, median, p95, 95% CI of every metric\n"
    "  timeline.csv  delivered packets per bin around the crash (experiment.timeline)\n"
    "  *.png         the experiment's gnuplot plots (experiment.plots)\n"
    "  manifest.txt  ikesim version and commit, experiment SHA-256, seeds, date\n"
    "Interrupted (Ctrl-C, kill -9, power loss) and started again with the same\n"
    "command, it keeps every finished run, cuts a half-written line and runs only\n"
    "what is missing.  Every line of runs.csv is checked against the grid first: a\n"
    "damaged line is dropped (said on stderr) and its run runs again; a row that is\n"
    "not its run's is refused (exit 2).  Progress is shown on a terminal only.";

static const char description[] =
    "Examples:\n"
    "  ikesim sweep experiments/recovery.ini                # -> results/recovery/\n"
    "  ikesim sweep experiments/tradeoff.ini -j 8 --out /tmp/tradeoff\n"
    "  ikesim sweep experiments/recovery.ini --set experiment.seeds=1..50   # a bigger edition\n"
    "  ikesim sweep experiments/recovery.ini --trace-runs 40   # keeps trace/40.csv; then\n"
    "  ikesim plot results/recovery --msc 40                  # its sequence chart\n"
    "Other machines: see `ikesim tasks --help` and `ikesim collect --help`.\n"
    "\n"
    "On a SLURM cluster (DIR on a file system the compute nodes share):\n"
    "  ikesim sweep experiments/recovery.ini --slurm --out DIR \\\n"
    "      --slurm-opt=--partition=short --slurm-opt=--account=proj --slurm-opt=--time=0:30:00\n"
    "submits every task not yet done as a job array (job script, task lists, logs\n"
    "in DIR/slurm/), waits, and collects the shards into runs.csv and the rest.\n"
    "--no-wait returns once submitted (`ikesim status DIR` tells how far it is);\n"
    "the same command again submits only failed and missing tasks (cancelled, timed\n"
    "out, lost with their node), waits for those still queued or running, collects.\n"
    "-j N lets at most N of an array run at once.\n"
    "\n"
    "Exit status: 0 all runs done, 1 some failed (run again to retry them),\n"
    "2 bad command line or experiment file (nothing written), or sbatch/squeue\n"
    "missing or refusing, 130 interrupted.";

typedef struct sweep {
    const sim_exp *e;
    const char *dir, *copy;
    char **sets;
    GHashTable *traced; /* tasks whose trace is kept (task + 1); NULL: none */
    int fd;
    size_t done, failed;
    bool write_failed;
    progress pg;
} sweep;

static char **worker_argv(void *arg, size_t task)
{
    sweep *s = arg;
    GPtrArray *a = g_ptr_array_new();
    g_ptr_array_add(a, g_strdup(cli_self()));
    g_ptr_array_add(a, g_strdup("run"));
    g_ptr_array_add(a, g_strdup(s->copy));
    g_ptr_array_add(a, g_strdup("--task"));
    g_ptr_array_add(a, g_strdup_printf("%zu", task));
    for (char **p = s->sets; p && *p; p++) {
        g_ptr_array_add(a, g_strdup("--set"));
        g_ptr_array_add(a, g_strdup(*p));
    }
    if (exp_timeline(s->e)) {
        g_autofree char *name = g_strdup_printf("%zu.csv", task);
        g_ptr_array_add(a, g_strdup("--timeline"));
        g_ptr_array_add(a, g_build_filename(s->dir, "timeline", name, NULL));
    }
    if (s->traced && g_hash_table_contains(s->traced, GSIZE_TO_POINTER(task + 1))) {
        g_autofree char *name = g_strdup_printf("%zu.csv", task);
        g_ptr_array_add(a, g_strdup("--trace"));
        g_ptr_array_add(a, g_build_filename(s->dir, "trace", name, NULL));
    }
    g_ptr_array_add(a, NULL);
    return (char **)g_ptr_array_free(a, FALSE);
}

static void worker_done(void *arg, size_t task, int status, const char *out, const char *err_text)
{
    sweep *s = arg;
    g_autofree char *prefix = g_strdup_printf("%zu,", task);
    size_t len = strlen(out);
    bool ok = status == 0 && g_str_has_prefix(out, prefix) && len > 0 && out[len - 1] == '\n' &&
              memchr(out, '\n', len) == out + len - 1;
    GError *err = NULL;
    if (ok && !s->write_failed && !out_runs_append(s->fd, s->dir, out, &err)) {
        s->write_failed = true;
        progress_end(&s->pg);
        cli_fail_error("sweep", CLI_FAILED, &err);
    }
    if (ok) {
        s->done++;
        s->pg.done++;
        return;
    }
    s->failed++;
    s->pg.failed++;
    progress_end(&s->pg);
    fprintf(stderr, "ikesim sweep: task %zu failed (%s %d): %s%s", task, status < 0 ? "signal or spawn" : "exit",
            status, *err_text ? err_text : "no message\n",
            *err_text && err_text[strlen(err_text) - 1] != '\n' ? "\n" : "");
}

/* After lines were dropped, summary.csv (if any) shows the rows kept. */
static bool resummarize(const char *dir, const out_runs *runs, GError **err)
{
    g_autofree char *path = g_build_filename(dir, "summary.csv", NULL);
    if (!g_file_test(path, G_FILE_TEST_EXISTS))
        return true;
    csv_table *t = csv_parse(runs->text->str, runs->text->len, err);
    g_autofree char *summary = t ? summary_csv(t, err) : NULL;
    csv_table_free(t);
    return summary && out_write(dir, "summary.csv", summary, -1, err);
}

/* "3,17" or "0..9, 20": task ids below total, as task + 1 in a set. */
static GHashTable *parse_runs(const char *list, size_t total, GError **err)
{
    GHashTable *set = g_hash_table_new(g_direct_hash, g_direct_equal);
    g_auto(GStrv) items = g_strsplit(list, ",", -1);
    for (char **p = items; *p; p++) {
        g_auto(GStrv) ends = g_strsplit(g_strstrip(*p), "..", 2);
        guint64 lo, hi;
        bool ok = g_ascii_string_to_unsigned(ends[0], 10, 0, total ? total - 1 : 0, &lo, NULL) &&
                  (!ends[1] ? (hi = lo, true) : g_ascii_string_to_unsigned(ends[1], 10, lo, total ? total - 1 : 0, &hi, NULL));
        if (!ok || !total) {
            g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "--trace-runs: expected task ids from 0 to %zu (see ikesim tasks), e.g. 3,17 or 0..9; got “%s”",
                        total ? total - 1 : 0, *p);
            g_hash_table_destroy(set);
            return NULL;
        }
        for (guint64 t = lo; t <= hi; t++)
            g_hash_table_add(set, GSIZE_TO_POINTER((gsize)t + 1));
    }
    return set;
}

int cmd_sweep(int argc, char **argv)
{
    g_auto(GStrv) sets = NULL, slurm_opts = NULL;
    gboolean slurm = FALSE, no_wait = FALSE;
    g_autofree char *out = NULL, *jobs_arg = NULL, *trace_runs = NULL;
    gboolean trace = FALSE;
    const GOptionEntry entries[] = {
        {"trace", 0, 0, G_OPTION_ARG_NONE, &trace, "Keep every run's event trace in DIR/trace/ID.csv", NULL},
        {"trace-runs", 0, 0, G_OPTION_ARG_STRING, &trace_runs,
         "Keep the trace of these runs only, e.g. 3,17 or 0..9 (task ids; implies --trace)", "LIST"},
        {"jobs", 'j', 0, G_OPTION_ARG_STRING, &jobs_arg,
         "Worker processes at once (default: one per CPU); with --slurm, array elements at once (default: no limit)",
         "N"},
        {"out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Output directory (default: results/NAME)", "DIR"},
        {"set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &sets,
         "Override a key for every run, e.g. experiment.seeds=1..3 (repeatable; not a swept key)", "KEY=VALUE"},
        {"slurm", 0, 0, G_OPTION_ARG_NONE, &slurm, "Run the tasks as a SLURM job array (sbatch), then collect", NULL},
        {"slurm-opt", 0, 0, G_OPTION_ARG_STRING_ARRAY, &slurm_opts,
         "Pass an option to sbatch, e.g. --slurm-opt=--partition=short (repeatable)", "OPT"},
        {"no-wait", 0, 0, G_OPTION_ARG_NONE, &no_wait, "With --slurm: return once the array is submitted", NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    /* make-style -j8: GOption wants -j 8 */
    g_autoptr(GPtrArray) args = g_ptr_array_new(); /* borrows argv's strings */
    for (int i = 0; i < argc; i++) {
        bool glued = g_str_has_prefix(argv[i], "-j") && argv[i][2] && g_ascii_isdigit(argv[i][2]);
        g_ptr_array_add(args, glued ? "-j" : argv[i]);
        if (glued)
            g_ptr_array_add(args, argv[i] + 2);
    }
    argc = (int)args->len;
    g_ptr_array_add(args, NULL);
    argv = (char **)args->pdata;
    if (!cli_parse("sweep", "EXP.ini", summary, description, entries, &argc, &argv))
        return CLI_USAGE;
    if (argc != 2)
        return cli_fail("sweep", CLI_USAGE, "expected one experiment file, got %d arguments; try --help",
                        argc - 1);
    guint64 jobs = 0; /* 0: not given */
    if (jobs_arg && !g_ascii_string_to_unsigned(jobs_arg, 10, 1, 4096, &jobs, NULL))
        return cli_fail("sweep", CLI_USAGE, "-j must be from 1 to 4096, got “%s”", jobs_arg);
    if (!slurm && (slurm_opts || no_wait))
        return cli_fail("sweep", CLI_USAGE, "--slurm-opt and --no-wait go with --slurm");
    GError *err = NULL;
    if (slurm && !sweep_slurm_check(slurm_opts, &err))
        return cli_fail_error("sweep", CLI_USAGE, &err);
    sim_exp *e = exp_load(argv[1], (const char *const *)sets, &err);
    if (!e || !exp_check_sets_for_tasks(e, &err) || !exp_check_plots(e, exp_dir(e), &err)) {
        exp_free(e);
        return cli_fail_error("sweep", CLI_USAGE, &err);
    }
    g_autoptr(GHashTable) traced = NULL;
    if (trace_runs && !(traced = parse_runs(trace_runs, exp_n_tasks(e), &err))) {
        exp_free(e);
        return cli_fail_error("sweep", CLI_USAGE, &err);
    }
    if (trace && !traced) {
        traced = g_hash_table_new(g_direct_hash, g_direct_equal);
        for (size_t t = 0; t < exp_n_tasks(e); t++)
            g_hash_table_add(traced, GSIZE_TO_POINTER(t + 1));
    }
    if (traced && slurm) {
        exp_free(e);
        return cli_fail("sweep", CLI_USAGE, "--trace: not with --slurm; `ikesim plot DIR --msc ID` charts any run afterwards");
    }
    if (traced && exp_is_star(e)) {
        exp_free(e);
        return cli_fail("sweep", CLI_USAGE, "--trace: the runs of a storm (storm.clients > 0) have no trace");
    }
    if (!out)
        out = g_build_filename("results", exp_name(e), NULL);
    /* a directory of another experiment, or rows that lie, are refused
     * before anything is written */
    out_manifest *m = out_manifest_read(out, &err);
    bool ok = !err && (!m || out_manifest_matches(m, out, e, (const char *const *)sets, &err));
    out_manifest_free(m);
    out_runs *runs = ok ? out_runs_load(out, e, &err) : NULL;
    if (!runs) {
        exp_free(e);
        return cli_fail_error("sweep", CLI_USAGE, &err);
    }
    g_autofree char *scripts = g_canonicalize_filename(exp_dir(e), NULL);
    if (slurm) {
        int code = out_mkdirs(out, &err) &&
                           out_manifest_write(out, e, (const char *const *)sets, scripts, "slurm", 0, 0, &err)
                       ? sweep_slurm(e, out, sets, slurm_opts, (int)jobs, !no_wait)
                       : cli_fail_error("sweep", CLI_FAILED, &err);
        out_runs_free(runs);
        exp_free(e);
        return code;
    }
    if (jobs == 0)
        jobs = g_get_num_processors();
    g_autofree char *tl_dir = g_build_filename(out, "timeline", NULL);
    g_autofree char *copy = g_build_filename(out, "experiment.ini", NULL);
    g_autofree char *trace_dir = g_build_filename(out, "trace", NULL);
    sweep s = {.e = e, .dir = out, .copy = copy, .sets = sets, .traced = traced, .fd = -1};
    ok = out_mkdirs(out, &err) && (!exp_timeline(e) || out_mkdirs(tl_dir, &err)) &&
         (!traced || out_mkdirs(trace_dir, &err)) &&
         (s.fd = out_runs_open(out, runs, &err)) >= 0 && (!runs->dropped->len || resummarize(out, runs, &err)) &&
         out_manifest_write(out, e, (const char *const *)sets, scripts, "running", g_hash_table_size(runs->done), 0,
                            &err);
    if (!ok) {
        if (s.fd >= 0)
            close(s.fd);
        out_runs_free(runs);
        exp_free(e);
        return cli_fail_error("sweep", CLI_FAILED, &err);
    }
    for (guint i = 0; i < runs->dropped->len; i++)
        fprintf(stderr, "ikesim sweep: %s: line dropped (a run without a row runs again)\n",
                (char *)g_ptr_array_index(runs->dropped, i));
    size_t total = exp_n_tasks(e), n = 0;
    size_t *pending = g_new(size_t, total);
    for (size_t t = 0; t < total; t++)
        if (!g_hash_table_contains(runs->done, GSIZE_TO_POINTER(t)))
            pending[n++] = t;
    out_runs_free(runs);
    gint64 t0 = g_get_monotonic_time();
    progress_start(&s.pg, total, total - n);
    bool finished = pool_run(pending, n, (int)jobs, worker_argv, worker_done, &s, &s.pg);
    progress_end(&s.pg);
    g_free(pending);
    close(s.fd);
    size_t have = total - n + s.done;
    double secs = (double)(g_get_monotonic_time() - t0) / 1e6;
    int code = CLI_OK;
    /* the manifest says what happened: interrupted, failed (an output could
     * not be written), incomplete (runs failed) or complete */
    const char *state = s.failed ? "incomplete" : "complete";
    if (!finished) {
        state = "interrupted";
        code = cli_fail("sweep", CLI_INTERRUPTED,
                        "interrupted: %zu of %zu runs are in %s/runs.csv; the same command goes on from there",
                        have, total, out);
    } else if (s.write_failed) {
        state = "failed";
        code = CLI_FAILED;
    } else {
        g_autoptr(GPtrArray) made = g_ptr_array_new_with_free_func(g_free);
        if (!cli_finish(out, e, scripts, made, &err)) {
            state = "failed";
            code = cli_fail_error("sweep", CLI_FAILED, &err);
        }
    }
    if (!out_manifest_write(out, e, (const char *const *)sets, scripts, state, have, s.failed, &err))
        code = cli_fail_error("sweep", CLI_FAILED, &err);
    if (finished && !s.write_failed) {
        if (s.failed)
            code = cli_fail("sweep", CLI_FAILED, "%zu of %zu runs failed; run the same command to retry them",
                            s.failed, total);
        fprintf(stderr, "ikesim sweep: %s: %zu runs (%zu new in %.1f s, %zu failed) in %s\n", exp_name(e), have,
                s.done, secs, s.failed, out);
    }
    exp_free(e);
    return code;
}
