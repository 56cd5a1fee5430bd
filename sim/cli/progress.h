/* progress.h — one status line on a terminal: runs done/total, failures,
 * ETA.  Silent unless stdout and stderr are both a terminal (logs and
 * pipes stay clean). */
#ifndef IKESIM_CLI_PROGRESS_H
#define IKESIM_CLI_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct progress {
    bool on;
    size_t total, done, failed, running, done_before;
    double t0; /* monotonic seconds at start */
} progress;

void progress_start(progress *p, size_t total, size_t already_done);
void progress_draw(progress *p);
void progress_end(progress *p); /* clears the line */

#endif
