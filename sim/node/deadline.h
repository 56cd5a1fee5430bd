/* deadline.h — an endpoint's timer follows the endpoint's next deadline:
 * armed for it, stopped when there is none, and left alone when it is
 * already set for it (no new ns-3 event). */
#ifndef IKESIM_SIM_DEADLINE_H
#define IKESIM_SIM_DEADLINE_H

#include <glib.h>

#include "ike.h"
#include "ns3_sim.h"

static inline void sim_timer_follow(ns3_timer *t, const ike_ep *ep)
{
    uint64_t d = ike_ep_next_deadline(ep), now = ns3_now_ns();
    if (d == UINT64_MAX)
        ns3_timer_stop(t);
    else if (!ns3_timer_pending(t) || ns3_timer_expiry(t) != MAX(d, now))
        ns3_timer_start(t, d > now ? d - now : 0);
}

#endif
