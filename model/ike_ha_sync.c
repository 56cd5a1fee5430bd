/* ike_ha_sync.c — the RFC 6311 counter sync exchange (§5, §5.1, §5.2, §7,
 * §11), both sides.
 *
 * Member (after ike_ep_import): one sync per failover epoch.  MID sync goes
 * out with Message ID 0, so it bypasses the stale window; its answer must
 * echo our nonce and is used once.  Replay-counter sync alone is an
 * ordinary INFORMATIONAL at the current Message ID.
 *
 * Peer: a protected INFORMATIONAL request with Message ID 0 that carries
 * IKEV2_MESSAGE_ID_SYNC goes here instead of the window check (a Message
 * ID 0 request without it is an ordinary first request of the original
 * responder).  It is answered only if M1 is above every member-side request
 * MID seen, earlier syncs included; so a replayed sync changes nothing. */
#include <string.h>

#include "ike_internal.h"

/* The sync notifies of a message, checked. */
typedef struct sync_msg {
    bool any_mid, any_replay; /* a 16422 / 16423 was there, well-formed or not */
    bool has_mid, has_replay; /* ...exactly one, and well-formed */
    ike_ha_mid_sync mid;
    uint64_t delta;
    uint8_t delta_len;
    bool other;               /* payloads besides the sync notifies */
    int mid_err, replay_err;  /* why has_mid / has_replay is false */
} sync_msg;

static void scan(const ike_msg *m, size_t first, sync_msg *s)
{
    memset(s, 0, sizeof *s);
    for (size_t i = first; i < m->n; i++) {
        const ike_payload *p = &m->pl[i];
        uint16_t t = p->type == IKE_PL_NOTIFY ? p->u.notify.type : 0;
        if (t == IKE_N_MESSAGE_ID_SYNC) {
            if (s->any_mid) /* a second one: which would count? */
                s->mid_err = IKE_E_SYNTAX;
            else
                s->mid_err = ike_ha_mid_sync_parse(p, &s->mid);
            s->any_mid = true;
        } else if (t == IKE_N_REPLAY_COUNTER_SYNC) {
            if (s->any_replay)
                s->replay_err = IKE_E_SYNTAX;
            else
                s->replay_err = ike_ha_replay_parse(p, &s->delta, &s->delta_len);
            s->any_replay = true;
        } else {
            s->other = true;
        }
    }
    s->has_mid = s->any_mid && s->mid_err == IKE_OK;
    s->has_replay = s->any_replay && s->replay_err == IKE_OK;
}

/* One delta for all Child SAs: its size must match their ESN (§6.4). */
static bool delta_len_ok(const ike_sa *sa, uint8_t len)
{
    return !sa->has_child || len == (sa->child.esn ? 8 : 4);
}

static void drop(ike_sa *sa, uint64_t now, const ike_hdr *h, ike_ha_drop why, int err)
{
    ike_event ev = {.now = now, .exchange = h->exchange, .msg_id = h->msg_id,
                    .is_response = (h->flags & IKE_FLAG_R) != 0, .ha_drop = why, .err = err};
    ep_emit(sa->ep, IKE_EV_HA_SYNC_DROPPED, sa, &ev);
}

static void delta_event(ike_sa *sa, uint64_t now, uint64_t delta, uint8_t len)
{
    ike_event ev = {.now = now, .ha_what = IKE_HA_REPLAY, .ha_delta = delta, .ha_delta_len = len,
                    .child = sa->has_child ? &sa->child : NULL};
    ep_emit(sa->ep, IKE_EV_HA_REPLAY_DELTA, sa, &ev);
}

/* New counters; the cached response belongs to the old next_mid_in - 1. */
static void adopt(ike_sa *sa, uint32_t next_in, uint32_t next_out)
{
    if (next_in != sa->next_mid_in)
        sa->resp_valid = false;
    sa->next_mid_in = next_in;
    sa->next_mid_out = next_out;
}

/* --- member --- */

int ike_ep_ha_sync(ike_ep *ep, ike_sa *sa, uint64_t now, const ike_ha_sync_req *req)
{
    if (sa->ep != ep || sa->state != SA_ESTABLISHED || !sa->ha.imported)
        return IKE_E_STATE;
    if (sa->ha.used)
        return IKE_E_ONCE;
    if (!req->mid && !req->replay)
        return IKE_E_SYNTAX;
    if ((req->mid && !sa->ha.mid_sync) || (req->replay && !sa->ha.replay_sync))
        return IKE_E_NOT_NEGOTIATED;
    if (req->replay && !sa->has_child)
        return IKE_E_STATE;
    if (req->mid && (req->m1 < sa->next_mid_out || req->p1 < sa->next_mid_in))
        return IKE_E_SYNTAX; /* M1 must exceed what was used; P1 below ours helps nobody */
    if (!req->mid && sa->req.active)
        return IKE_E_STATE;  /* window 1: the replay sync waits its turn */

    uint8_t delta_len = req->replay ? (sa->child.esn ? 8 : 4) : 0;
    if (delta_len == 4 && req->delta > UINT32_MAX)
        return IKE_E_SYNTAX;

    ike_payload pl[2];
    size_t n = 0;
    uint8_t mid_data[IKE_HA_MID_SYNC_LEN], delta_data[8], nb[4] = {0};
    if (req->mid) {
        ep_random(ep, nb, sizeof nb);
        ike_ha_mid_sync v = {get_be32(nb), req->m1, req->p1};
        pl[n++] = ike_ha_mid_sync_notify(&v, mid_data);
    }
    if (req->replay && ike_ha_replay_notify(req->delta, delta_len, delta_data, &pl[n++]) != IKE_OK)
        return IKE_E_SYNTAX;
    int rc;
    if (req->mid) {
        queue_abandon(sa, now); /* the sync re-bases both counters */
        rc = sa_start_request_mid(sa, now, TASK_HA_SYNC, IKE_INFORMATIONAL, 0, pl, n);
    } else {
        rc = sa_start_request(sa, now, TASK_HA_SYNC, IKE_INFORMATIONAL, pl, n);
    }
    if (rc != IKE_OK)
        return rc;
    ike_ha *ha = &sa->ha;
    ha->used = true;
    ha->what = (uint8_t)((req->mid ? IKE_HA_MID : 0) | (req->replay ? IKE_HA_REPLAY : 0));
    ha->nonce = get_be32(nb);
    ha->m1 = req->mid ? req->m1 : 0;
    ha->p1 = req->mid ? req->p1 : 0;
    ha->delta = req->replay ? req->delta : 0;
    ha->delta_len = delta_len;
    if (req->mid) { /* to be replicated: a later member must go above them */
        ha->last_sent = true;
        ha->last_m1 = req->m1;
        ha->last_p1 = req->p1;
    }
    ike_event ev = {.now = now, .exchange = IKE_INFORMATIONAL, .msg_id = sa->req.mid,
                    .ha_what = ha->what, .ha_nonce = ha->nonce, .ha_m = ha->m1, .ha_p = ha->p1,
                    .ha_delta = ha->delta, .ha_delta_len = delta_len};
    ep_emit(ep, IKE_EV_HA_SYNC_SENT, sa, &ev);
    return IKE_OK;
}

static int takeover_now(ike_ep *ep, ike_sa *sa, uint64_t now, uint64_t delta)
{
    const ike_child *c = ike_sa_child(sa);
    ike_ha_sync_req req = {.mid = true, .replay = sa->ha.replay_sync && c, .delta = delta};
    if (req.replay && !c->esn && req.delta > UINT32_MAX)
        req.delta = UINT32_MAX;
    int rc = ike_sa_ha_values(sa, 1, &req.m1, &req.p1);
    return rc == IKE_OK ? ike_ep_ha_sync(ep, sa, now, &req) : rc;
}

int ike_ep_ha_takeover(ike_ep *ep, ike_sa *sa, uint64_t now, uint64_t delta, bool lazy)
{
    if (!lazy)
        return takeover_now(ep, sa, now, delta);
    if (sa->ep != ep || sa->state != SA_ESTABLISHED || !sa->ha.imported)
        return IKE_E_STATE;
    if (sa->ha.used)
        return IKE_E_ONCE;
    if (!sa->ha.mid_sync)
        return IKE_E_NOT_NEGOTIATED;
    sa->ha.lazy = true;
    sa->ha.delta = delta;
    return IKE_OK;
}

void ha_peer_seen(ike_sa *sa, uint64_t now)
{
    if (!sa->ha.lazy)
        return;
    sa->ha.lazy = false;
    takeover_now(sa->ep, sa, now, sa->ha.delta);
    ep_rearm(sa->ep, sa);
}

void ike_ep_esp_arrived(ike_ep *ep, uint64_t now, uint32_t spi_in)
{
    ike_sa *sa = ep_map_lookup(&ep->child_in, GUINT_TO_POINTER(spi_in));
    if (sa)
        ha_peer_seen(sa, now);
}

/* The answer to our outstanding sync (header already matched). */
void ha_on_response(ike_sa *sa, uint64_t now, const ike_rx *rx)
{
    const ike_hdr *h = rx->h;
    size_t len = rx->len;
    ike_ha *ha = &sa->ha;
    sync_msg s;
    scan(rx->m, rx->first, &s);
    if (ha->what & IKE_HA_MID) {
        /* silently dropped: our request stays out and is retransmitted */
        if (!s.has_mid) {
            drop(sa, now, h, IKE_HA_DROP_MALFORMED, s.any_mid ? s.mid_err : IKE_E_SYNTAX);
            return;
        }
        if (s.mid.nonce != ha->nonce) {
            drop(sa, now, h, IKE_HA_DROP_BAD_NONCE, IKE_OK);
            return;
        }
    }
    sa_received(sa, now, h, len);
    sa_request_done(sa, now);
    ha->answered = true;
    ike_event ev = {.now = now, .exchange = h->exchange, .msg_id = h->msg_id, .is_response = true,
                    .ha_what = ha->what, .ha_nonce = ha->nonce};
    if (ha->what & IKE_HA_MID) {
        /* the peer's SEND slot is its next request (P2), RECV ours (M2) */
        adopt(sa, s.mid.expected_send, s.mid.expected_recv);
        ev.ha_m = s.mid.expected_recv;
        ev.ha_p = s.mid.expected_send;
    }
    ep_emit(sa->ep, IKE_EV_HA_SYNC_ANSWERED, sa, &ev);
    queue_run(sa, now);
    ep_rearm(sa->ep, sa);
}

/* --- peer --- */

bool ha_maybe_sync(const ike_sa *sa, const ike_hdr *h, bool fresh)
{
    if (h->exchange != IKE_INFORMATIONAL || h->msg_id != 0 || sa->state != SA_ESTABLISHED)
        return false;
    if (h->flags & IKE_FLAG_R) /* a late or replayed answer to our MID sync */
        return !fresh && sa->ha.used && (sa->ha.what & IKE_HA_MID);
    return true;
}

static int send_answer(ike_sa *sa, uint64_t now, uint32_t nonce, uint32_t m2, uint32_t p2)
{
    uint8_t data[IKE_HA_MID_SYNC_LEN];
    ike_ha_mid_sync v = {nonce, p2, m2}; /* our view: we send P2 next, expect M2 */
    ike_payload n = ike_ha_mid_sync_notify(&v, data);
    return sa_respond_uncached(sa, now, IKE_INFORMATIONAL, 0, &n, 1);
}

static bool is_retransmission(const ike_sa *sa, const sync_msg *s)
{
    const ike_ha *ha = &sa->ha;
    return sa->ep->cfg->ha_answer_retransmitted_sync && ha->answered_any && s->mid.nonce == ha->ans_nonce &&
           s->mid.expected_send == ha->ans_m1;
}

/* The peer's answer, after the checks of §5.1. */
static void answer(ike_sa *sa, uint64_t now, const ike_hdr *h, size_t len, const sync_msg *s)
{
    int64_t seen = MAX((int64_t)sa->next_mid_in - 1, sa->ha.m_seen);
    uint32_t m1 = s->mid.expected_send, p1 = s->mid.expected_recv;
    if ((int64_t)m1 <= seen && is_retransmission(sa, s)) {
        /* the same answer again; no state moves, no delta is applied twice */
        sa_received(sa, now, h, len);
        send_answer(sa, now, s->mid.nonce, sa->ha.ans_m2, sa->ha.ans_p2);
        return;
    }
    if ((int64_t)m1 <= seen) {
        drop(sa, now, h, IKE_HA_DROP_STALE, IKE_OK);
        return;
    }
    uint32_t m2 = MAX(m1, (uint32_t)(seen + 1)); /* = M1 once M1 passed the check */
    uint32_t p2 = MAX(p1, sa->next_mid_out);
    sa_received(sa, now, h, len);
    if (send_answer(sa, now, s->mid.nonce, m2, p2) != IKE_OK)
        return;
    queue_abandon(sa, now); /* §9: no more waiting for answers under the old IDs */
    adopt(sa, m2, p2);
    sa->ha.m_seen = MAX(sa->ha.m_seen, (int64_t)m1);
    sa->ha.answered_any = true;
    sa->ha.ans_nonce = s->mid.nonce;
    sa->ha.ans_m1 = m1;
    sa->ha.ans_m2 = m2;
    sa->ha.ans_p2 = p2;
    uint8_t what = (uint8_t)(IKE_HA_MID | (s->has_replay ? IKE_HA_REPLAY : 0));
    ike_event ev = {.now = now, .exchange = h->exchange, .msg_id = 0, .ha_what = what,
                    .ha_nonce = s->mid.nonce, .ha_m = m2, .ha_p = p2};
    ep_emit(sa->ep, IKE_EV_HA_SYNC_ANSWERED, sa, &ev);
    /* the delta only after the MID part accepted the message (§5.2) */
    if (s->has_replay) {
        if (sa->ha.replay_sync)
            delta_event(sa, now, s->delta, s->delta_len);
        else
            drop(sa, now, h, IKE_HA_DROP_NOT_NEGOTIATED, IKE_OK);
    }
    queue_run(sa, now);
    ep_rearm(sa->ep, sa);
}

bool ha_on_sync(ike_sa *sa, uint64_t now, const ike_rx *rx)
{
    const ike_hdr *h = rx->h;
    size_t len = rx->len;
    sync_msg s;
    scan(rx->m, rx->first, &s);
    if (!s.any_mid)
        return false; /* not a MID sync: the ordinary rules apply */
    if (h->flags & IKE_FLAG_R) {
        if (!s.has_mid)
            drop(sa, now, h, IKE_HA_DROP_MALFORMED, s.mid_err);
        else
            drop(sa, now, h, s.mid.nonce != sa->ha.nonce ? IKE_HA_DROP_BAD_NONCE : IKE_HA_DROP_DUPLICATE,
                 IKE_OK);
        return true;
    }
    /* all or nothing: a bad part drops the whole request */
    int err = s.mid_err != IKE_OK ? s.mid_err : s.replay_err;
    if (err == IKE_OK && s.has_replay && !delta_len_ok(sa, s.delta_len))
        err = IKE_E_BAD_LENGTH;
    if (err == IKE_OK && s.other)
        err = IKE_E_SYNTAX; /* §5.1: nothing but the sync notifies */
    if (err != IKE_OK)
        drop(sa, now, h, IKE_HA_DROP_MALFORMED, err);
    else if (!sa->ha.mid_sync)
        drop(sa, now, h, IKE_HA_DROP_NOT_NEGOTIATED, IKE_OK);
    else
        answer(sa, now, h, len, &s);
    return true;
}

/* Replay-counter sync alone: an ordinary INFORMATIONAL request, answered
 * by the other INFORMATIONAL responders whatever happens here. */
task_verdict ha_on_info_request(ike_sa *sa, uint64_t now, const ike_rx *rx, ike_reply *reply)
{
    (void)reply;
    const ike_msg *m = rx->m;
    sync_msg s;
    scan(m, rx->first, &s);
    if (!s.any_replay)
        return TASK_CONTINUE;
    int err = s.replay_err;
    if (err == IKE_OK && !delta_len_ok(sa, s.delta_len))
        err = IKE_E_BAD_LENGTH;
    if (err != IKE_OK)
        drop(sa, now, &m->hdr, IKE_HA_DROP_MALFORMED, err);
    else if (!sa->ha.replay_sync)
        drop(sa, now, &m->hdr, IKE_HA_DROP_NOT_NEGOTIATED, IKE_OK);
    else
        delta_event(sa, now, s.delta, s.delta_len);
    return TASK_CONTINUE;
}
