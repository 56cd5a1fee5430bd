/* ike_retx.h — the retransmission schedule of an exchange, as data.
 *
 * The wait after send n (n = 0 is the first send) is timeout * base^n,
 * capped at limit when limit > 0, shortened by a uniform 0..jitter % of
 * itself, and truncated to whole milliseconds (as strongSwan's charon does).
 * After send number `tries` (the last retransmission) and its wait, the
 * exchange has failed.  strongSwan's default {4 s, 1.8, 5} retransmits at
 * 4, 11.2, 24.16, 47.488, 89.478 s and gives up at 165.06 s.
 */
#ifndef IKESIM_IKE_RETX_H
#define IKESIM_IKE_RETX_H

#include <stdbool.h>
#include <stdint.h>

typedef struct ike_retx {
    uint32_t timeout_ms; /* first wait */
    double base;         /* growth per retransmission, >= 1 */
    uint32_t tries;      /* retransmissions before giving up */
    uint32_t limit_ms;   /* cap on one wait, 0 = none */
    uint32_t jitter_pct; /* 0..100 */
} ike_retx;

#define IKE_RETX_STRONGSWAN ((ike_retx){4000, 1.8, 5, 0, 0})

bool ike_retx_valid(const ike_retx *r);
/* Wait after send n in nanoseconds; u in [0, 1) draws the jitter. */
uint64_t ike_retx_wait_ns(const ike_retx *r, uint32_t n, double u);
/* First send to giving up, without jitter. */
uint64_t ike_retx_total_ns(const ike_retx *r);

#endif
