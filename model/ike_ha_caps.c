/* ike_ha_caps.c — RFC 6311 capability negotiation in IKE_AUTH (§5, §6.1,
 * §6.2).  The initiator asserts what its configuration supports; the
 * responder echoes a capability only if the initiator asserted it and it
 * supports it too; either side may use one only if both asserted it. */
#include "ike_internal.h"

/* Did m assert capability type (a well-formed notify, after first)? */
static bool asserted(const ike_msg *m, size_t first, uint16_t type)
{
    for (size_t i = first; i < m->n; i++)
        if (ike_ha_cap_parse(&m->pl[i], type) == IKE_OK)
            return true;
    return false;
}

static size_t put_caps(bool mid, bool replay, ike_payload *pl)
{
    size_t n = 0;
    if (mid)
        pl[n++] = ike_ha_cap_notify(IKE_N_MESSAGE_ID_SYNC_SUPPORTED);
    if (replay)
        pl[n++] = ike_ha_cap_notify(IKE_N_REPLAY_COUNTER_SYNC_SUPPORTED);
    return n;
}

size_t ha_caps_offer(const ike_ep *ep, ike_payload *pl)
{
    return put_caps(ep->cfg->mid_sync, ep->cfg->replay_sync, pl);
}

/* Both roles: ours and the peer's assertion.  For the initiator the
 * peer's is the echo, so an echo of what it did not assert counts nothing. */
void ha_caps_negotiate(ike_sa *sa, const ike_msg *m, size_t first)
{
    const ike_cfg *cfg = sa->ep->cfg;
    sa->ha.mid_sync = cfg->mid_sync && asserted(m, first, IKE_N_MESSAGE_ID_SYNC_SUPPORTED);
    sa->ha.replay_sync = cfg->replay_sync && asserted(m, first, IKE_N_REPLAY_COUNTER_SYNC_SUPPORTED);
}

size_t ha_caps_echo(const ike_sa *sa, ike_payload *pl)
{
    return put_caps(sa->ha.mid_sync, sa->ha.replay_sync, pl);
}
