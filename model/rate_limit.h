/* rate_limit.h — a token bucket: at most `burst` events at once, refilled at
 * `rate` per second.  The endpoint keeps one per kind of unprotected answer
 * or check (QCD answers and verifications, hint-started checks, INVALID_SPI
 * and INVALID_IKE_SPI answers: RFC 7296 §2.4, RFC 6290 §4.5, §8.1). */
#ifndef IKESIM_RATE_LIMIT_H
#define IKESIM_RATE_LIMIT_H

#include <stdbool.h>
#include <stdint.h>

typedef struct rate_limit {
    double rate, burst, level;
    uint64_t last; /* ns of the last refill */
} rate_limit;

/* A full bucket; a burst below 1 counts as 1. */
void rate_limit_init(rate_limit *l, double rate, double burst);
/* Takes one token at now (ns) if there is one; rate <= 0 means no limit. */
bool rate_limit_take(rate_limit *l, uint64_t now);

#endif
