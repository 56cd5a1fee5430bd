/* ike_info.c — INFORMATIONAL exchanges: liveness checks (an empty SK both
 * ways), Delete of the IKE SA or a Child SA, and the liveness (DPD) timer. */
#include <string.h>

#include "ike_internal.h"

#define NS_PER_S 1000000000ull

int info_start_liveness(ike_sa *sa, uint64_t now)
{
    int rc = sa_start_request(sa, now, TASK_LIVENESS, IKE_INFORMATIONAL, NULL, 0);
    if (rc == IKE_OK) {
        ike_event ev = {.now = now, .msg_id = sa->req.mid};
        ep_emit(sa->ep, IKE_EV_LIVENESS_SENT, sa, &ev);
    }
    return rc;
}

int info_start_delete(ike_sa *sa, uint64_t now)
{
    /* Protocol IKE, no SPIs: the SA is the one the header names (§3.11). */
    ike_payload d = {.type = IKE_PL_DELETE, .u.del = {IKE_PROTO_IKE, 0, 0, {NULL, 0}}};
    sa->state = SA_DELETING;
    sa->dpd_at = IKE_NEVER;
    return sa_start_request(sa, now, TASK_DELETE, IKE_INFORMATIONAL, &d, 1);
}

void info_on_request(ike_sa *sa, uint64_t now, const ike_msg *m, size_t first)
{
    uint32_t mid = m->hdr.msg_id;
    ike_payload reply[1];
    size_t n = 0;
    uint8_t spi_in[4];
    ha_on_info_request(sa, now, m, first); /* RFC 6311 replay counter sync alone */
    for (size_t i = first; i < m->n; i++) {
        const ike_payload *p = &m->pl[i];
        if (p->type != IKE_PL_DELETE)
            continue;
        const ike_delete_pl *d = &p->u.del;
        if (d->proto == IKE_PROTO_IKE) {
            /* Answer with an empty INFORMATIONAL, then the SA and its
             * Child SAs are gone (§1.4.1). */
            sa_respond(sa, now, IKE_INFORMATIONAL, mid, NULL, 0);
            ep_sa_destroy(sa->ep, sa, now, IKE_DEL_PEER_DELETE);
            return;
        }
        if (d->proto == IKE_PROTO_ESP && d->spi_size == 4 && sa->has_child) {
            for (size_t k = 0; k < d->n_spi; k++) {
                if (get_be32(d->spis.p + 4 * k) != sa->child.spi_out)
                    continue;
                put_be32(spi_in, sa->child.spi_in); /* answer with our half */
                reply[n++] = (ike_payload){.type = IKE_PL_DELETE,
                                           .u.del = {IKE_PROTO_ESP, 4, 1, {spi_in, 4}}};
                ep_child_index(sa->ep, sa, false);
                sa->has_child = false;
                memset(&sa->child, 0, sizeof sa->child);
                break;
            }
        }
    }
    sa_respond(sa, now, IKE_INFORMATIONAL, mid, reply, n);
}

void info_on_response(ike_sa *sa, uint64_t now, const ike_msg *m, size_t first)
{
    (void)m, (void)first;
    task_kind kind = sa->req.kind;
    uint32_t mid = sa->req.mid;
    sa_request_done(sa, now);
    if (kind == TASK_DELETE) {
        ep_sa_destroy(sa->ep, sa, now, IKE_DEL_LOCAL);
        return;
    }
    if (kind == TASK_LIVENESS) {
        ike_event ev = {.now = now, .msg_id = mid};
        ep_emit(sa->ep, IKE_EV_LIVENESS_ANSWERED, sa, &ev);
    }
    sa_run_pending(sa, now);
    ep_rearm(sa->ep, sa);
}

void dpd_arm(ike_sa *sa, uint64_t now)
{
    uint32_t delay = sa->ep->cfg->dpd_delay_ms;
    sa->dpd_at = delay ? now + (uint64_t)delay * 1000000u : IKE_NEVER;
}

/* The liveness timer fired.  A check goes out only when nothing
 * authenticated came in for dpd_delay and no exchange is in flight (an
 * exchange in flight is itself a check). */
void dpd_due(ike_sa *sa, uint64_t now)
{
    const ike_cfg *cfg = sa->ep->cfg;
    uint64_t delay = (uint64_t)cfg->dpd_delay_ms * 1000000u;
    bool busy = sa->req.active;
    if (sa->state != SA_ESTABLISHED || delay == 0) {
        sa->dpd_at = IKE_NEVER;
        return;
    }
    if (cfg->dpd_clock == IKE_DPD_EXACT) {
        if (busy) {
            sa->dpd_at = now + delay;
        } else if (now - sa->last_in >= delay) {
            info_start_liveness(sa, now);
            sa->dpd_at = now + delay;
        } else {
            sa->dpd_at = sa->last_in + delay;
        }
        return;
    }
    /* strongSwan: idle time in whole seconds of a monotonic clock; re-arm
     * for the seconds still missing (protocol brief §5.1b). */
    uint64_t delay_s = cfg->dpd_delay_ms / 1000u;
    uint64_t phase = sa->ep->dpd_clock_phase_ns;
    uint64_t now_s = (now + phase) / NS_PER_S;
    uint64_t last_s = (sa->last_in + phase) / NS_PER_S;
    uint64_t diff = busy ? 0 : now_s - last_s;
    if (!busy && diff >= delay_s) {
        info_start_liveness(sa, now);
        diff = 0;
    }
    sa->dpd_at = now + (delay_s - diff) * NS_PER_S;
}
