#include "progress.h"

#include <stdio.h>
#include <unistd.h>

#include <glib.h>

void progress_start(progress *p, size_t total, size_t already_done)
{
    *p = (progress){.on = isatty(STDERR_FILENO) && isatty(STDOUT_FILENO), .total = total, .done = already_done,
                    .done_before = already_done, .t0 = (double)g_get_monotonic_time() / 1e6};
    progress_draw(p);
}

void progress_draw(progress *p)
{
    if (!p->on)
        return;
    double elapsed = (double)g_get_monotonic_time() / 1e6 - p->t0;
    size_t now_done = p->done - p->done_before;
    char eta[32] = "--:--";
    if (now_done > 0) {
        long left = (long)(elapsed / (double)now_done * (double)(p->total - p->done) + 0.5);
        g_snprintf(eta, sizeof eta, "%ld:%02ld", left / 60, left % 60);
    }
    fprintf(stderr, "\r\033[K%zu/%zu runs, %zu failed, %zu running, ETA %s", p->done, p->total, p->failed,
            p->running, eta);
    fflush(stderr);
}

void progress_end(progress *p)
{
    if (p->on) {
        fprintf(stderr, "\r\033[K");
        fflush(stderr);
    }
}
