/* presets.h — named liveness schedules and detection methods, as data.
 *
 * A liveness preset is what an implementation does by default once DPD is
 * switched on: the idle delay before a check, how idle time is counted, and
 * the retransmission schedule that decides when a silent peer is dead
 * (protocol-brief.md §5).  A method is a bundle of experiment settings
 * ("path = value", the same syntax as `ikesim run --set`), applied on top
 * of an experiment file's gateway keys; experiment files may define more
 * methods in [method.NAME] sections.  Built-in methods follow the shipped
 * experiments' convention: gateway 1 is the side that crashes (QCD maker),
 * gateway 0 survives (QCD taker).
 */
#ifndef IKESIM_SIM_PRESETS_H
#define IKESIM_SIM_PRESETS_H

#include <stddef.h>
#include <stdint.h>

#include "ike.h"

typedef struct sim_liveness {
    const char *name;
    const char *about;
    uint32_t dpd_delay_ms; /* 0: no liveness checks */
    ike_dpd_clock clock;
    ike_retx retx;
} sim_liveness;

/* NULL-name-terminated list of every preset. */
extern const sim_liveness sim_liveness_presets[];
const sim_liveness *sim_liveness_find(const char *name);

typedef struct sim_method {
    const char *name;
    const char *about;
    const char *const *settings; /* "path=value" strings, NULL-terminated */
} sim_method;

/* NULL-name-terminated list of every built-in method. */
extern const sim_method sim_methods[];
const sim_method *sim_method_find(const char *name);

#endif
