/* calibration.h — what a responder's handshake costs in CPU, per suite, as
 * `ikesim calibrate` measured it with OpenSSL.  The table in calibration.c
 * is committed, so a run that charges calibrated costs (the storm's
 * `handshake_cost = calibrated`) gives the same CSV row on every machine;
 * `ikesim calibrate --output sim/run/calibration.c` measures this machine and
 * writes a new table. */
#ifndef IKESIM_SIM_CALIBRATION_H
#define IKESIM_SIM_CALIBRATION_H

#include <stddef.h>

#include "ike.h"

typedef struct sim_calibration {
    const char *suite;  /* strongSwan syntax, e.g. "aes256gcm16-prfsha256-x25519" */
    double init_s;      /* responder: an IKE_SA_INIT request in, its response out */
    double auth_s;      /* responder: an IKE_AUTH request (PSK, a Child SA) in, its response out */
    double resume_s;    /* responder: an IKE_SESSION_RESUME request in (ticket opened, keys from its
                           SK_d, no DH), its response out; 0: no resumption with this suite's PRF */
} sim_calibration;

extern const sim_calibration sim_calibration_table[];
extern const size_t sim_calibration_rows;
extern const char sim_calibration_machine[]; /* where and when it was measured */

/* The row of an IKE suite, NULL if it was not measured. */
const sim_calibration *sim_calibration_find(const ike_suite *ike);

#endif
