/* timeline.h — delivered packets per bin around the crash.
 * One run's file (ikesim run --timeline FILE; a sweep's timeline/ID.csv):
 *   t_s,pkts_0to1,pkts_1to0     t_s: bin start relative to the crash
 * The sweep's timeline.csv averages the runs of each parameter point:
 *   method,<parameter columns>,t_s,runs,pkts_0to1,pkts_1to0,pkts
 * (for star runs: ...,t_s,runs,recovered,init_per_s). */
#ifndef IKESIM_CLI_TIMELINE_H
#define IKESIM_CLI_TIMELINE_H

#include "csv.h"
#include "storm.h"

/* Written atomically; a run without a crash gives the header alone. */
bool timeline_write(const char *path, const sim_timeline *tl, GError **err);
/* A star run's recovery curve: t_s,recovered,init_per_s, t_s the end of
 * each bin after the crash, recovered the fraction of clients by then. */
bool timeline_write_storm(const char *path, const sim_storm_curve *cv, GError **err);
/* From dir/timeline/<run_id>.csv of every run in runs. */
char *timeline_aggregate(const char *dir, const csv_table *runs, GError **err);

#endif
