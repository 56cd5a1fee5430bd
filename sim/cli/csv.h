/* csv.h — the runs.csv contract (design.md "Metrics"): one row per run,
 *   run_id, experiment, seed, <parameter columns>, method, detect_s,
 *   detect_reason, recover_s, recover_fwd_s, recover_rev_s, lost_pkts,
 *   false_positives, missed, ike_msgs, ike_bytes, liveness_checks, sim_s,
 *   wall_s, events
 * Times in seconds; a time that does not exist (NaN) is an empty field.
 * No value holds a comma, a quote or a line break (names are checked when
 * loaded), so fields need no quoting. */
#ifndef IKESIM_CLI_CSV_H
#define IKESIM_CLI_CSV_H

#include "exp.h"

/* The metric columns, NULL-terminated; numeric ones have numeric[i].  From
 * csv_first_ha_metric on they are an HA experiment's only (design.md):
 *   resume_s, sa_survived, replay_drops, replays_accepted, seq_reuse,
 *   mid_sync, takeovers */
extern const char *const csv_metrics[];
extern const bool csv_metric_numeric[];
extern const size_t csv_first_ha_metric;
/* Star runs (exp_is_star) append these, all numeric. */
extern const char *const csv_star_metrics[];
/* Experiments with exp_recovery_cost() append these, all numeric (star
 * runs the second list). */
extern const char *const csv_cost_metrics[];
extern const char *const csv_star_cost_metrics[];
/* Runs of experiments that reauthenticate (exp_reauthenticates) append
 * these, all numeric: reauths, esp_lost, outage_max_s. */
extern const char *const csv_reauth_metrics[];
/* ...and with storm.per_device these, all numeric. */
extern const char *const csv_device_metrics[];

char *csv_header(const sim_exp *e);                               /* with '\n' */
char *csv_row(const sim_exp *e, const exp_run *run, const sim_row *row); /* with '\n' */

/* A table read back: only complete lines (a last line without '\n' is
 * not part of it). */
typedef struct csv_table {
    char **header;
    GPtrArray *rows; /* char**, each as many fields as the header */
} csv_table;

csv_table *csv_parse(const char *text, gsize len, GError **err);
csv_table *csv_read(const char *path, GError **err);
void csv_table_free(csv_table *t);
int csv_col(const csv_table *t, const char *name); /* -1: none */

#endif
