/* ike_liveness.c — the liveness check (RFC 7296 §2.4): an empty
 * INFORMATIONAL request, answered empty; and the liveness (DPD) timer that
 * starts one after dpd_delay without inbound traffic. */
#include "ike_internal.h"

#define NS_PER_S 1000000000ull

int liveness_start(ike_sa *sa, uint64_t now)
{
    int rc = sa_start_request(sa, now, TASK_LIVENESS, IKE_INFORMATIONAL, NULL, 0);
    if (rc == IKE_OK) {
        ike_event ev = {.now = now, .msg_id = sa->req.mid};
        ep_emit(sa->ep, IKE_EV_LIVENESS_SENT, sa, &ev);
    }
    return rc;
}

void liveness_on_response(ike_sa *sa, uint64_t now, const ike_rx *rx)
{
    (void)rx;
    ike_event ev = {.now = now, .msg_id = sa->req.mid};
    sa_request_done(sa, now);
    ep_emit(sa->ep, IKE_EV_LIVENESS_ANSWERED, sa, &ev);
    queue_run(sa, now);
    ep_rearm(sa->ep, sa);
}

/* The answer itself is the proof of life: nothing to add. */
task_verdict liveness_on_request(ike_sa *sa, uint64_t now, const ike_rx *rx, ike_reply *reply)
{
    (void)sa, (void)now, (void)rx, (void)reply;
    return TASK_CONTINUE;
}

void dpd_arm(ike_sa *sa, uint64_t now)
{
    uint32_t delay = ep_minimal(sa->ep) ? 0 : sa->ep->cfg->dpd_delay_ms;
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
            liveness_start(sa, now);
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
        liveness_start(sa, now);
        diff = 0;
    }
    sa->dpd_at = now + (delay_s - diff) * NS_PER_S;
}
