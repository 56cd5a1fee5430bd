/* ikesim sweep --slurm: the tasks not done yet, as job arrays on a SLURM
 * cluster (one element, one `ikesim run --task ID --out DIR`); then wait
 * for them and collect the shards, as `ikesim collect DIR DIR` does. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "outdir.h"
#include "progress.h"
#include "slurm.h"
#include "slurm_dir.h"

bool sweep_slurm_check(char **opts, GError **err)
{
    for (char **o = opts; o && *o; o++)
        if (g_str_has_prefix(*o, "--array") || g_str_has_prefix(*o, "-a")) {
            g_set_error(err, SLURM_ERROR, SLURM_ERROR_REFUSED,
                        "--slurm-opt %s: ikesim makes the array itself (-j N limits how many run at once)", *o);
            return false;
        }
    return slurm_have((const char *const[]){"sbatch", "squeue", NULL}, err);
}

/* "task 3 missing (job 12_3 CANCELLED)" for the first few unfinished tasks */
static void tell_unfinished(const dir_status *st)
{
    size_t shown = 0;
    for (size_t t = 0; t < st->n && shown < 20; t++)
        if (st->tasks[t].state != TASK_DONE) {
            fprintf(stderr, "ikesim sweep: task %zu %s%s%s%s\n", t, task_state_names[st->tasks[t].state],
                    *st->tasks[t].detail ? " (" : "", st->tasks[t].detail, *st->tasks[t].detail ? ")" : "");
            shown++;
        }
}

/* Until no task is queued or running; false if squeue fails for good. */
static bool wait_for(const char *dir, size_t n, dir_status **st)
{
    fprintf(stderr, "ikesim sweep: waiting for SLURM; Ctrl-C stops the waiting, not the jobs "
                    "(the same command waits again and collects)\n");
    progress pg;
    progress_start(&pg, n, (*st)->count[TASK_DONE]);
    gint64 t0 = g_get_monotonic_time();
    int failures = 0;
    while ((*st)->count[TASK_QUEUED] + (*st)->count[TASK_RUNNING] > 0) {
        /* poll every tenth of the time waited so far, from 1 s to 30 s */
        gint64 waited = g_get_monotonic_time() - t0;
        g_usleep((gulong)CLAMP(waited / 10, G_USEC_PER_SEC, 30 * G_USEC_PER_SEC));
        GError *err = NULL;
        dir_status *next = slurm_dir_status(dir, n, &err);
        if (!next) {
            progress_end(&pg);
            fprintf(stderr, "ikesim sweep: %s\n", err->message);
            g_error_free(err);
            if (++failures == 5)
                return false;
            continue;
        }
        failures = 0;
        slurm_dir_status_free(*st);
        *st = next;
        pg.done = next->count[TASK_DONE];
        pg.failed = next->count[TASK_FAILED];
        pg.running = next->count[TASK_RUNNING];
        progress_draw(&pg);
    }
    progress_end(&pg);
    return true;
}

int sweep_slurm(const sim_exp *e, const char *out, char **sets, char **opts, int throttle, bool wait)
{
    g_autofree char *dir = g_canonicalize_filename(out, NULL);
    g_autofree char *copy = g_build_filename(dir, "experiment.ini", NULL);
    g_autoptr(GPtrArray) run = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(run, g_strdup(cli_self()));
    g_ptr_array_add(run, g_strdup("run"));
    g_ptr_array_add(run, g_strdup(copy));
    g_ptr_array_add(run, g_strdup("--out"));
    g_ptr_array_add(run, g_strdup(dir));
    for (char **p = sets; p && *p; p++) {
        g_ptr_array_add(run, g_strdup("--set"));
        g_ptr_array_add(run, g_strdup(*p));
    }
    g_ptr_array_add(run, NULL);
    GError *err = NULL;
    if (!slurm_dir_write_script(dir, (const char *const *)run->pdata, &err))
        return cli_fail_error("sweep", CLI_FAILED, &err);
    size_t n = exp_n_tasks(e);
    dir_status *st = slurm_dir_status(dir, n, &err);
    if (!st)
        return cli_fail_error("sweep", CLI_USAGE, &err);
    /* what neither ended well nor is on its way: failed and missing tasks */
    g_autofree size_t *todo = g_new(size_t, n);
    size_t k = 0;
    for (size_t t = 0; t < n; t++)
        if (st->tasks[t].state == TASK_FAILED || st->tasks[t].state == TASK_MISSING)
            todo[k++] = t;
    g_autoptr(GPtrArray) jobs = g_ptr_array_new_with_free_func(g_free);
    if (k > 0) {
        g_autofree char *name = g_strconcat("ikesim-", exp_name(e), NULL);
        if (!slurm_dir_submit(dir, name, todo, k, slurm_max_array_size(), throttle, (const char *const *)opts, jobs,
                              &err)) {
            slurm_dir_status_free(st);
            return cli_fail_error("sweep", CLI_USAGE, &err);
        }
        GString *ids = g_string_new(NULL);
        for (guint i = 0; i < jobs->len; i++) {
            printf("%s\n", (char *)g_ptr_array_index(jobs, i));
            g_string_append_printf(ids, "%s%s", i ? ", " : "", (char *)g_ptr_array_index(jobs, i));
        }
        fflush(stdout);
        fprintf(stderr, "ikesim sweep: %s: %zu tasks submitted as job array %s (%zu done, %zu queued or running)\n",
                exp_name(e), k, ids->str, st->count[TASK_DONE], st->count[TASK_QUEUED] + st->count[TASK_RUNNING]);
        g_string_free(ids, TRUE);
        for (size_t i = 0; i < k; i++) { /* queued from now on */
            st->count[st->tasks[todo[i]].state]--;
            st->tasks[todo[i]].state = TASK_QUEUED;
            st->count[TASK_QUEUED]++;
        }
    }
    if (!wait && st->count[TASK_QUEUED] + st->count[TASK_RUNNING] > 0) {
        fprintf(stderr, "ikesim sweep: `ikesim status %s` tells how far they are; the same command without "
                        "--no-wait waits for them and collects\n", out);
        slurm_dir_status_free(st);
        return CLI_OK;
    }
    if (!wait_for(dir, n, &st)) {
        slurm_dir_status_free(st);
        return cli_fail("sweep", CLI_FAILED, "squeue keeps failing; the jobs go on: run the same command later");
    }
    char *collect[] = {"collect", dir, dir, NULL};
    int code = cmd_collect(3, collect);
    if (st->count[TASK_DONE] < n) {
        tell_unfinished(st);
        code = cli_fail("sweep", CLI_FAILED, "%zu of %zu tasks failed or missing; the same command submits them again",
                        n - st->count[TASK_DONE], n);
    }
    slurm_dir_status_free(st);
    return code;
}
