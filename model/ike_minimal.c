/* ike_minimal.c — the minimal initiator of RFC 7815 (ike_cfg.minimal).
 *
 * It starts only IKE_SA_INIT and IKE_AUTH: no liveness check, no rekey, no
 * Delete of its own (§1).  The peer's requests on the established SA are
 * answered without acting on them (§2.2): INFORMATIONAL with an empty
 * response, a Delete too, which deletes nothing here (the RFC leaves
 * deleting out); CREATE_CHILD_SA with N(NO_ADDITIONAL_SAS); other exchanges
 * need no answer (§2.1) and get none.  It never opens an SA as responder,
 * never answers for SAs it lacks, and ignores unprotected notifies (§2.1),
 * unless it is a QCD taker: a verified token then deletes the SA as it does
 * for any taker (ike_qcd.c).  How such a node finds a dead peer is its
 * application's business: ike_ep_start_over(). */
#include "ike_internal.h"

bool ep_minimal(const ike_ep *ep) { return ep->cfg->minimal; }

bool minimal_may_initiate(const ike_ep *ep, task_kind kind)
{
    return !ep_minimal(ep) || kind == TASK_SA_INIT || kind == TASK_AUTH;
}

void minimal_on_request(ike_sa *sa, uint64_t now, const ike_rx *rx)
{
    const ike_hdr *h = rx->h;
    if (h->exchange == IKE_INFORMATIONAL) {
        sa_respond(sa, now, h->exchange, h->msg_id, NULL, 0);
    } else if (h->exchange == IKE_CREATE_CHILD_SA) {
        ike_payload n = ike_pl_notify(IKE_PROTO_NONE, IKE_N_NO_ADDITIONAL_SAS, NULL, 0);
        sa_respond(sa, now, h->exchange, h->msg_id, &n, 1);
    } else {
        sa_dropped(sa, now, h, rx->len, IKE_E_STATE);
    }
}

int ike_ep_start_over(ike_ep *ep, ike_sa *sa, uint64_t now)
{
    if (!ike_sa_established(sa))
        return IKE_E_STATE;
    ep_sa_destroy(ep, sa, now, IKE_DEL_APP_TIMEOUT);
    return IKE_OK;
}
