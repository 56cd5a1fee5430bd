/* ike_delete.c — Delete in an INFORMATIONAL exchange (RFC 7296 §1.4.1):
 * of the IKE SA (ours or the peer's), or of the Child SA (the peer's). */
#include <string.h>

#include "ike_internal.h"

int delete_start(ike_sa *sa, uint64_t now)
{
    /* Protocol IKE, no SPIs: the SA is the one the header names (§3.11). */
    ike_payload d = {.type = IKE_PL_DELETE, .u.del = {IKE_PROTO_IKE, 0, 0, {NULL, 0}}};
    sa->state = SA_DELETING;
    sa->dpd_at = IKE_NEVER;
    return sa_start_request(sa, now, TASK_DELETE, IKE_INFORMATIONAL, &d, 1);
}

void delete_on_response(ike_sa *sa, uint64_t now, const ike_rx *rx)
{
    (void)rx;
    sa_request_done(sa, now);
    ep_sa_destroy(sa->ep, sa, now, IKE_DEL_LOCAL);
}

task_verdict delete_on_request(ike_sa *sa, uint64_t now, const ike_rx *rx, ike_reply *reply)
{
    const ike_msg *m = rx->m;
    for (size_t i = rx->first; i < m->n; i++) {
        const ike_payload *p = &m->pl[i];
        if (p->type != IKE_PL_DELETE)
            continue;
        const ike_delete_pl *d = &p->u.del;
        if (d->proto == IKE_PROTO_IKE) {
            /* Answer with an empty INFORMATIONAL, then the SA and its
             * Child SAs are gone (§1.4.1). */
            sa_respond(sa, now, IKE_INFORMATIONAL, rx->h->msg_id, NULL, 0);
            if (!ike_rekey_crossed_delete(sa, now)) /* else its rekey goes on (§2.8.2) */
                ep_sa_destroy(sa->ep, sa, now, IKE_DEL_PEER_DELETE);
            return TASK_DONE;
        }
        if (d->proto != IKE_PROTO_ESP || d->spi_size != 4 || reply->n == IKE_REPLY_MAX)
            continue;
        for (size_t k = 0; k < d->n_spi && reply->n < IKE_REPLY_MAX; k++) {
            uint32_t ours;
            /* a replaced, redundant or current Child SA: answer with our half
             * (§1.4.1); one we do not have (any more) gets no half */
            if (!child_deleted_by_peer(sa, now, get_be32(d->spis.p + 4 * k), &ours))
                continue;
            uint8_t *spi_in = reply->data[reply->n];
            put_be32(spi_in, ours);
            reply->pl[reply->n++] = (ike_payload){.type = IKE_PL_DELETE,
                                                  .u.del = {IKE_PROTO_ESP, 4, 1, {spi_in, 4}}};
        }
    }
    return TASK_CONTINUE;
}
