#include "ike_retx.h"

#include <math.h>

bool ike_retx_valid(const ike_retx *r)
{
    return r->timeout_ms > 0 && r->base >= 1.0 && r->base <= 100.0 && r->tries <= 64 &&
           r->jitter_pct <= 100;
}

uint64_t ike_retx_wait_ns(const ike_retx *r, uint32_t n, double u)
{
    double ms = r->timeout_ms * pow(r->base, n);
    if (r->limit_ms && ms > r->limit_ms)
        ms = r->limit_ms;
    if (ms > 1e12) /* keep far-fetched schedules finite: ~31 years */
        ms = 1e12;
    ms -= ms * r->jitter_pct / 100.0 * u;
    return (uint64_t)ms * 1000000u;
}

uint64_t ike_retx_total_ns(const ike_retx *r)
{
    uint64_t total = 0;
    for (uint32_t n = 0; n <= r->tries; n++)
        total += ike_retx_wait_ns(r, n, 0.0);
    return total;
}
