/* ike_reauth.c — reauthentication (RFC 7296 §2.8.3): the IKE SA and its
 * Child SA are replaced by new ones made from scratch, IKE_SA_INIT and
 * IKE_AUTH with the first Child SA (no REKEY_SA anywhere), as strongSwan
 * 5.9.8 does it (src/libcharon/sa/ike_sa.c reauth/reestablish,
 * sa/ikev2/task_manager_v2.c queue_ike_reauth):
 *
 * - break-before-make (tasks/ike_reauth.c): the old IKE SA's Delete first;
 *   once it is answered, or its retransmissions ran out, a new IKE SA to
 *   the same peer.  No SA with the peer is left, so its IKE_AUTH carries
 *   INITIAL_CONTACT (if configured at all).  Traffic stops for the Delete's
 *   round trip and the two of the new SA.
 * - make-before-break (trigger_mbb_reauth, tasks/ike_reauth_complete.c):
 *   the new IKE SA first.  The old one with the same identities still
 *   exists, so its IKE_AUTH carries no INITIAL_CONTACT (tasks/ike_auth.c
 *   sends it only without such an SA; the peer would drop the old SA and
 *   with it the traffic).  Once the new SA is established, the old one is
 *   deleted.  If the new SA fails, the old one stays as it is.
 *
 * Either end may reauthenticate (with a PSK nothing stops a responder);
 * each end draws its reauth time at establishment as strongSwan does,
 * reauth_time - random() % rand_time (ike_lifetime.h), with a draw of its
 * own taken only when reauthentication is on. */
#include "ike_internal.h"

void reauth_schedule(ike_sa *sa, uint64_t now)
{
    const ike_sa_lifetime *l = &sa->ep->cfg->ike_life;
    if (l->reauth_s == 0 || ep_minimal(sa->ep)) /* RFC 7815: no reauthentication */
        return;
    uint8_t b[4];
    ep_random(sa->ep, b, sizeof b);
    uint64_t at = ike_sa_times_at(l, now, 0, get_be32(b)).reauth_at;
    sa->reauth_at = at ? at : IKE_NEVER;
}

void reauth_due(ike_sa *sa, uint64_t now)
{
    sa->reauth_at = IKE_NEVER;
    ike_ep_reauth(sa->ep, sa, now); /* an SA already on its way out needs none */
}

int ike_ep_reauth(ike_ep *ep, ike_sa *sa, uint64_t now)
{
    if (sa->state != SA_ESTABLISHED || sa->reauthing || ep_minimal(ep))
        return IKE_E_STATE;
    ike_reauth_mode mode = ep->cfg->reauth_mode;
    sa->reauthing = true;
    sa->reauth_at = IKE_NEVER;
    ep_emit(ep, IKE_EV_REAUTH_STARTED, sa, &(ike_event){.now = now, .count = mode});
    if (mode == IKE_REAUTH_BBM)
        return queue_add(sa, now, TASK_DELETE); /* the new SA follows in ep_sa_destroy */
    if (!ep_initiate(ep, now, sa->peer, true, sa->local_spi)) {
        sa->reauthing = false;
        return IKE_E_CRYPTO;
    }
    return IKE_OK;
}

/* The SA a make-before-break replaces, while it is still established. */
static ike_sa *replaced(const ike_sa *sa)
{
    ike_sa *old = sa->reauth_of ? ike_ep_find(sa->ep, sa->reauth_of) : NULL;
    return old && old->state == SA_ESTABLISHED && old->reauthing ? old : NULL;
}

bool reauth_initial_contact(const ike_sa *sa)
{
    return sa->ep->cfg->initial_contact && !replaced(sa);
}

void reauth_established(ike_sa *sa, uint64_t now)
{
    ike_sa *old = replaced(sa);
    sa->reauth_of = 0;
    if (old)
        queue_add(old, now, TASK_DELETE);
}

bool reauth_on_destroy(ike_sa *sa, ike_del_reason why)
{
    if (sa->reauth_of && !ike_sa_established(sa)) {
        ike_sa *old = replaced(sa);
        if (old) /* the new SA failed: the old one may be reauthenticated again */
            old->reauthing = false;
        return false;
    }
    return sa->reauthing && why == IKE_DEL_LOCAL && sa->ep->cfg->reauth_mode == IKE_REAUTH_BBM;
}
