/* ike_expiry.c — an established IKE SA's lifetimes, and its hard expiry as
 * strongSwan 5.9.8 has it (src/libcharon/sa/ike_sa.c set_state, delete_;
 * processing/jobs/delete_ike_sa_job.c):
 *
 * - When the SA is established (charon also when an HA replica becomes
 *   active, as ike_ep_import() does here), the Child SA's rekey, the IKE
 *   SA's rekey and its reauthentication are drawn, and the SA may live until
 *   the earlier of the last two plus over_time ("maximum IKE_SA lifetime").
 *   A rekeyed SA counts again from its rekey; a reauthentication time
 *   survives the rekey (ike_sa.c inherit_post), so it still bounds it.
 * - At that time an SA that is still established is deleted: charon raises
 *   ALERT_IKE_SA_EXPIRED and queues an IKE Delete, an INFORMATIONAL that goes
 *   out at once or, if an exchange is in flight, after it (which may itself
 *   end the SA: a rekey whose retransmissions run out is a dead peer).  The
 *   SA is gone once the Delete is answered or its retransmissions run out,
 *   as IKE_DEL_EXPIRED either way: the peer may be alive.
 * - A rekey in flight at that time that completes replaces the SA: the new
 *   one counts afresh, and the queued Delete stays with the old one (charon
 *   queues it on the old SA, which the rekey deletes anyway). */
#include "ike_internal.h"

#define NS_PER_S 1000000000ull

void sa_lifetimes_start(ike_sa *sa, uint64_t now)
{
    if (sa->has_child)
        child_rekey_schedule(sa, now);
    ike_rekey_schedule(sa, now);
    reauth_schedule(sa, now);
    ike_expiry_schedule(sa, now);
}

void ike_expiry_schedule(ike_sa *sa, uint64_t now)
{
    (void)now;
    if (sa->expired) { /* rekeyed after all: the Delete was the old SA's */
        sa->expired = false;
        sa->pending &= ~(1u << TASK_DELETE);
    }
    uint32_t over = sa->ep->cfg->ike_life.over_s;
    uint64_t first = sa->ike_rekey_at < sa->reauth_at ? sa->ike_rekey_at : sa->reauth_at;
    sa->expire_at = over && first != IKE_NEVER ? first + over * NS_PER_S : IKE_NEVER;
    ep_rearm(sa->ep, sa);
}

void ike_expiry_due(ike_sa *sa, uint64_t now)
{
    sa->expire_at = IKE_NEVER;
    if (sa->state != SA_ESTABLISHED || sa->expired)
        return; /* already on its way out */
    sa->expired = true;
    sa->ike_rekey_at = sa->reauth_at = IKE_NEVER;
    queue_add(sa, now, TASK_DELETE);
}
