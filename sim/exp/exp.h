/* exp.h — experiment files: GLib key files that describe a grid of runs.
 *
 * exp_load() reads and validates a whole experiment at once: every group,
 * key and value, every sweep value, every grid point's configuration.  An
 * error is a GError whose message names the file, the line and the key and
 * says what was expected ("exp.ini:12: topology.rate: expected ...").
 * Settings come in layers, later ones winning: the file's sections, then
 * the method's bundle (presets.h or [method.NAME]), then the grid point's
 * sweep values, then command-line --set values.  A task is one grid point
 * with one seed; its id is point * n_seeds + seed index.  The key reference
 * is experiments/REFERENCE.md.
 */
#ifndef IKESIM_SIM_EXP_H
#define IKESIM_SIM_EXP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "run.h"

#define EXP_ERROR (exp_error_quark())
GQuark exp_error_quark(void);
typedef enum { EXP_ERROR_INVALID, EXP_ERROR_IO } exp_error_code;

typedef struct sim_exp sim_exp;

/* Seeds run from 1 to this (ns-3's MRG32k3a takes no larger one). */
#define EXP_SEED_MAX 4294967086u

/* The largest experiment file read (a regular file only). */
#define EXP_FILE_MAX ((gsize)4 << 20)

/* sets: "path=value" strings from the command line (may be NULL). */
sim_exp *exp_load(const char *file, const char *const *sets, GError **err);
void exp_free(sim_exp *e);

const char *exp_file(const sim_exp *e);
const char *exp_dir(const sim_exp *e);     /* the file's directory */
const char *exp_name(const sim_exp *e);
const char *exp_sha256(const sim_exp *e);  /* of the file's bytes */
const char *exp_text(const sim_exp *e, size_t *len);
const char *const *exp_plots(const sim_exp *e); /* gnuplot script names, NULL-terminated */
bool exp_timeline(const sim_exp *e);
/* Its rows have the recovery-cost columns ([experiment] recovery_cost). */
bool exp_recovery_cost(const sim_exp *e);
/* Does some point make gateway 1 a cluster?  (Its runs have HA columns.) */
bool exp_has_cluster(const sim_exp *e);
/* Its runs are remote-access stars ([storm] clients > 0): their rows have
 * the storm columns too (sim/storm.h). */
bool exp_is_star(const sim_exp *e);
/* Does some point reauthenticate (a gateway's reauth_time)?  (Its runs have
 * the reauthentication columns, sim/cli/csv.h.) */
bool exp_reauthenticates(const sim_exp *e);
bool exp_star_per_device(const sim_exp *e); /* a star whose rows add storm.per_device's columns */

size_t exp_n_points(const sim_exp *e);
size_t exp_n_seeds(const sim_exp *e);
uint32_t exp_seed(const sim_exp *e, size_t i);
size_t exp_n_tasks(const sim_exp *e);

/* Parameter columns: one per swept key but experiment.method, named by the
 * key path with dots as underscores ("scenario_reboot_after"). */
size_t exp_n_params(const sim_exp *e);
const char *exp_param_column(const sim_exp *e, size_t i);
/* The distinct CSV values of parameter i, or of the methods (i = -1), in
 * grid order, space-separated (for gnuplot's `for [x in list]`). */
char *exp_axis_values(const sim_exp *e, long i);

/* Fails (naming the key's line) if a gnuplot script is not in dir. */
bool exp_check_plots(const sim_exp *e, const char *dir, GError **err);
/* Fails (naming the --set) if a --set names a swept key: a task's point
 * must be the grid's. */
bool exp_check_sets_for_tasks(const sim_exp *e, GError **err);

/* One run, ready for sim_run(). */
typedef struct exp_run {
    sim_run_cfg cfg;
    long task;           /* -1: not a task of the grid */
    uint32_t seed;
    char *method;
    char **params;       /* CSV values, exp_n_params() of them */
    sim_timeline timeline; /* window and bin when exp_timeline() */
} exp_run;

/* Task id's configuration. */
bool exp_task_run(const sim_exp *e, size_t task, exp_run *out, GError **err);
/* A single run outside the sweep: every axis at its first value (unless
 * a --set says otherwise) and this seed. */
bool exp_single_run(const sim_exp *e, uint32_t seed, exp_run *out, GError **err);
void exp_run_clear(exp_run *r);

/* Every key the loader knows, as "group.key" (gateway and traffic keys
 * once, under [gateways] and [traffic]); for the reference test. */
char **exp_key_names(void);
/* A quantity key's range as written in the key table ("0s", "30d"); false
 * for keys that are no quantity. */
bool exp_key_range(const char *path, const char **min, const char **max, int *unit);

#endif
