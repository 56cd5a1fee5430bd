/* slurm_dir.h — what a results directory keeps of its SLURM job arrays,
 * under DIR/slurm/:
 *   job.sh        the batch script: element i runs the task on line i+1
 *                 of the list it is given (`ikesim run --task ID --out DIR`)
 *   tasks-K.txt   the task ids of submission K, one a line
 *   jobs          one line per array: its job id and its task list
 *   failed/ID     why task ID failed (its exit status, node, job), written
 *                 by job.sh when `ikesim run` fails on its own; a task that
 *                 is cancelled, times out or loses its node leaves nothing
 *   log/J_I.out   the output of element I of array J
 * and the state of every task, from the shards and runs.csv (done), these
 * files and squeue. */
#ifndef IKESIM_CLI_SLURM_DIR_H
#define IKESIM_CLI_SLURM_DIR_H

#include <stdbool.h>

#include <glib.h>

typedef enum { TASK_DONE, TASK_QUEUED, TASK_RUNNING, TASK_FAILED, TASK_MISSING, TASK_N_STATES } task_state;
extern const char *const task_state_names[TASK_N_STATES];

typedef struct task_status {
    task_state state;
    char *detail; /* which job, where, why; "" if nothing to say */
} task_status;

typedef struct dir_status {
    size_t n;
    task_status *tasks;
    size_t count[TASK_N_STATES];
} dir_status;

/* The state of each of dir's n tasks; NULL if squeue cannot be asked
 * about arrays that may still run. */
dir_status *slurm_dir_status(const char *dir, size_t n, GError **err);
void slurm_dir_status_free(dir_status *s);

/* Writes DIR/slurm/job.sh (and the directories its jobs write to): each
 * element runs run_argv (absolute paths) with --task ID appended. */
bool slurm_dir_write_script(const char *dir, const char *const *run_argv, GError **err);

/* Submits tasks as job arrays named job_name of at most max_array
 * elements each (one task list each), opts (sbatch options) last; records
 * them in DIR/slurm/jobs and adds their job ids to jobs.  throttle > 0: at
 * most that many elements of an array run at once.  false when sbatch
 * refuses (arrays submitted before stay recorded). */
bool slurm_dir_submit(const char *dir, const char *job_name, const size_t *tasks, size_t n, size_t max_array,
                      int throttle, const char *const *opts, GPtrArray *jobs, GError **err);

#endif
