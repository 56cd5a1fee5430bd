/* slurm.h — the SLURM client commands ikesim uses, run as subprocesses:
 * sbatch submits a job array, squeue tells the state of its elements,
 * scontrol the cluster's largest array.  Nothing here knows about
 * experiments. */
#ifndef IKESIM_CLI_SLURM_H
#define IKESIM_CLI_SLURM_H

#include <stdbool.h>

#include <glib.h>

#define SLURM_ERROR (slurm_error_quark())
GQuark slurm_error_quark(void);
typedef enum {
    SLURM_ERROR_NO_COMMAND, /* sbatch, squeue or scontrol not on PATH */
    SLURM_ERROR_REFUSED,    /* the command ran and said no */
} slurm_error;

/* An error unless every command of the NULL-terminated list is on PATH. */
bool slurm_have(const char *const *commands, GError **err);

/* sbatch --parsable --array=0-(n-1)[%throttle] OPTS... SCRIPT ARG: the new
 * array's job id (g_free), or NULL. throttle 0: no limit. */
char *slurm_submit(const char *script, const char *arg, size_t n, int throttle, const char *const *opts,
                   GError **err);

/* One element of a job array as squeue shows it. */
typedef struct slurm_element {
    char *job;    /* the array's job id */
    size_t index; /* SLURM_ARRAY_TASK_ID */
    char *state;  /* PENDING, RUNNING, COMPLETED, CANCELLED, NODE_FAIL, ... */
    char *where;  /* node list, or why it waits */
} slurm_element;

/* The elements of the arrays jobs (NULL-terminated ids) that slurmctld
 * still knows, in every state (squeue --states=all --array); arrays it
 * has forgotten are simply absent. */
GPtrArray *slurm_elements(const char *const *jobs, GError **err);
/* Is a job in this state still to run or running? (false: it ended) */
bool slurm_state_pending(const char *state);
bool slurm_state_running(const char *state);

/* The cluster's MaxArraySize (an array's indices stay below it); 1001,
 * SLURM's default, if scontrol does not tell. */
size_t slurm_max_array_size(void);

#endif
