/* outdir.h — a results directory, written so that nothing is ever half
 * there:
 *   runs.csv        appended one complete, fsync'd line per finished run;
 *                   on reopening, a half-written last line is cut off
 *   experiment.ini  a copy of the experiment file the runs came from
 *   manifest.txt    a key file: ikesim version and commit, experiment file
 *                   and SHA-256, --set values, seeds, tasks, dates
 *   shards/ID.csv   one run's header and row (ikesim run --task ID --out)
 *   timeline/ID.csv one run's delivered-packet timeline
 *   summary.csv, timeline.csv, *.png   derived, rewritten whole
 * Whole files are written to a temporary file and renamed into place. */
#ifndef IKESIM_CLI_OUTDIR_H
#define IKESIM_CLI_OUTDIR_H

#include "exp.h"

bool out_write(const char *dir, const char *name, const char *data, gssize len, GError **err);
bool out_mkdirs(const char *dir, GError **err);

/* What a directory was made from; a sweep resumes only into its own. */
typedef struct out_manifest {
    char *file;       /* absolute path of the experiment file */
    char *scripts;    /* directory of its gnuplot scripts */
    char *sha256;
    char **sets;      /* the --set values */
} out_manifest;

/* NULL (no error) if dir has no manifest. */
out_manifest *out_manifest_read(const char *dir, GError **err);
void out_manifest_free(out_manifest *m);
/* The same experiment bytes and --set values? Else an error saying so. */
bool out_manifest_matches(const out_manifest *m, const char *dir, const sim_exp *e, const char *const *sets,
                          GError **err);
/* Writes experiment.ini and manifest.txt; status "running" or "complete"
 * with done/failed counts. */
bool out_manifest_write(const char *dir, const sim_exp *e, const char *const *sets, const char *scripts,
                        const char *status, size_t done, size_t failed, GError **err);

/* dir/runs.csv as found, checked against the grid (rows.h) before
 * anything is written: NULL and an error naming the line if it holds
 * another experiment's columns or a row that lies. */
typedef struct out_runs {
    GString *text;      /* the header and the rows kept */
    GHashTable *done;   /* task ids that have a row */
    GPtrArray *dropped; /* char*: "PATH:LINE: why" of each damaged line dropped */
    bool rewrite;       /* the file differs from text (new, cut or dropped lines) */
} out_runs;
out_runs *out_runs_load(const char *dir, const sim_exp *e, GError **err);
void out_runs_free(out_runs *r);
/* Writes text whole if the file differs, then opens it for appending:
 * a file descriptor, or -1. */
int out_runs_open(const char *dir, const out_runs *r, GError **err);
bool out_runs_append(int fd, const char *dir, const char *line, GError **err);

/* Adds to done the id of every task dir holds: a complete row in runs.csv
 * or a shard (shards are renamed into place whole, so one that exists is
 * complete). */
void out_done_tasks(const char *dir, GHashTable *done);

#endif
