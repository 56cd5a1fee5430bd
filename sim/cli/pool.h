/* pool.h — runs tasks as worker processes, at most N at a time.
 * ns-3 is single-threaded and keeps process-wide state, so each run gets a
 * process of its own (`ikesim run ... --task ID`); a crashing run cannot
 * disturb another.  Workers die with the pool's process (PR_SET_PDEATHSIG
 * on Linux), so a killed sweep leaves no orphans behind.  SIGINT/SIGTERM
 * stop the pool: running workers are killed, nothing more starts. */
#ifndef IKESIM_CLI_POOL_H
#define IKESIM_CLI_POOL_H

#include <glib.h>

#include "progress.h"

/* status: the exit code, or -1 if the worker did not exit normally. */
typedef void (*pool_done_fn)(void *arg, size_t task, int status, const char *out, const char *err);
typedef char **(*pool_argv_fn)(void *arg, size_t task);

/* Returns false if interrupted by a signal. */
bool pool_run(const size_t *tasks, size_t n, int workers, pool_argv_fn argv_for, pool_done_fn done, void *arg,
              progress *pg);

#endif
