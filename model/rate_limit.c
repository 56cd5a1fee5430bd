#include "rate_limit.h"

void rate_limit_init(rate_limit *l, double rate, double burst)
{
    *l = (rate_limit){rate, burst < 1 ? 1 : burst, burst < 1 ? 1 : burst, 0};
}

bool rate_limit_take(rate_limit *l, uint64_t now)
{
    if (l->rate <= 0)
        return true;
    if (now > l->last) {
        l->level += (double)(now - l->last) * 1e-9 * l->rate;
        if (l->level > l->burst)
            l->level = l->burst;
        l->last = now;
    }
    if (l->level < 1.0)
        return false;
    l->level -= 1.0;
    return true;
}
