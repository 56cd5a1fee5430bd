/* msc.h — message sequence charts of a run's trace (trace.h), drawn by
 * mscgen: one lifeline per gateway, cluster member and attacker; an arc per
 * IKE message with its kind, Message ID, payloads and times (lost and
 * dropped ones drawn as lost); crashes, reboots and takeovers as boxes. */
#ifndef IKESIM_CLI_MSC_H
#define IKESIM_CLI_MSC_H

#include "csv.h"

/* The chart shows [crash - before, crash + after] around the first crash
 * (the whole run without one); with auto_after it ends a second after
 * traffic can flow again: the first child-up or answered RFC 6311 sync
 * after the crash (else 60 s after it). */
typedef struct msc_window {
    double before_s, after_s;
    bool auto_after;
} msc_window;

/* "BEFORE,AFTER" with durations, AFTER may be "auto"; default "2s,auto". */
bool msc_window_parse(const char *s, msc_window *w, GError **err);
/* The mscgen source for the trace (a table read from its CSV). */
char *msc_source(const csv_table *trace, const msc_window *w, GError **err);
/* Runs mscgen: path ending in .svg or .png; written whole or not at all. */
bool msc_draw(const char *source, const char *path, GError **err);
/* A trace's CSV text -> chart at path. */
bool msc_from_csv(const char *csv, const msc_window *w, const char *path, GError **err);

#endif
