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

/* Opens dir/runs.csv for appending: creates it with the header, or checks
 * its header, cuts a half-written last line, and adds every run_id it
 * holds to done.  Returns a file descriptor, or -1. */
/* false if dir/runs.csv exists with another header (checked before a
 * sweep writes anything). */
bool out_runs_compatible(const char *dir, const char *header, GError **err);
int out_runs_open(const char *dir, const char *header, GHashTable *done, GError **err);
bool out_runs_append(int fd, const char *line, GError **err);

/* Adds to done the id of every task dir holds: a complete row in runs.csv
 * or a shard (shards are renamed into place whole, so one that exists is
 * complete). */
void out_done_tasks(const char *dir, GHashTable *done);

#endif
