/* cli.h — the ikesim subcommands and what they share.  Exit codes: 0 done,
 * 1 a run or an output failed, 2 a bad command line or experiment file
 * (then nothing was written). */
#ifndef IKESIM_CLI_CLI_H
#define IKESIM_CLI_CLI_H

#include <glib.h>

#include "exp.h"

enum { CLI_OK = 0, CLI_FAILED = 1, CLI_USAGE = 2, CLI_INTERRUPTED = 130 };

int cmd_run(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_tasks(int argc, char **argv);
int cmd_collect(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_status(int argc, char **argv);

/* ikesim sweep --slurm (sweep_slurm.c): are the SLURM commands there and
 * the sbatch options ours to pass?  Then submit what is not done, wait
 * (or not) and collect. */
bool sweep_slurm_check(char **opts, GError **err);
int sweep_slurm(const sim_exp *e, const char *out, char **sets, char **opts, int throttle, bool wait);
int cmd_calibrate(int argc, char **argv);

/* Parses options for subcommand cmd; on a bad command line prints why and
 * returns false.  --help prints the summary and description and exits. */
bool cli_parse(const char *cmd, const char *params, const char *summary, const char *description,
               const GOptionEntry *entries, int *argc, char ***argv);
/* "ikesim CMD: message" on stderr; returns code. */
int cli_fail(const char *cmd, int code, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
int cli_fail_error(const char *cmd, int code, GError **err); /* clears *err */

/* This program's absolute path, for worker commands. */
const char *cli_self(void);

/* Derived files of a results directory: summary.csv, timeline.csv (when
 * the experiment keeps timelines), then the plots; made gets PNG paths. */
bool cli_finish(const char *dir, const sim_exp *e, const char *scripts, GPtrArray *made, GError **err);
/* The experiment of a results directory: its copy, its --set values. */
sim_exp *cli_load_outdir(const char *cmd, const char *dir, char **scripts, int *code);

#endif
