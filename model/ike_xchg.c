/* ike_xchg.c — messages on an IKE SA: message IDs, sealing and opening SK
 * payloads, cached responses, and retransmission of our own requests (only
 * the initiator of an exchange retransmits; the schedule is ike_retx.h). */
#include <string.h>

#include "ike_internal.h"

static void next_iv(ike_sa *sa, uint8_t *iv)
{
    size_t len = ike_iv_len(&sa->suite);
    if (sa->suite.integ == IKE_INTEG_NONE) { /* an AEAD */
        memset(iv, 0, len);
        put_be64(iv, ++sa->iv_counter); /* a counter never repeats */
    } else {
        ep_random(sa->ep, iv, len);     /* CBC needs unpredictable IVs */
    }
}

static int seal(ike_sa *sa, uint8_t exchange, bool response, uint32_t mid,
                const ike_payload *inner, size_t n, uint8_t **out, size_t *out_len)
{
    ike_hdr h = {.spi_i = sa->spi_i, .spi_r = sa->spi_r, .version = IKE_VERSION,
                 .exchange = exchange, .msg_id = mid,
                 .flags = (uint8_t)((sa->initiator ? IKE_FLAG_I : 0) | (response ? IKE_FLAG_R : 0))};
    uint8_t iv[16], buf[IKE_MAX_MSG];
    next_iv(sa, iv);
    const uint8_t *ke = sa->initiator ? sa->keys.ei : sa->keys.er;
    const uint8_t *ka = sa->initiator ? sa->keys.ai : sa->keys.ar;
    int rc = ike_sk_seal(&sa->suite, ke, ka, &h, inner, n, iv, buf, sizeof buf, out_len);
    if (rc != IKE_OK)
        return rc;
    *out = g_memdup2(buf, *out_len);
    return IKE_OK;
}

int sa_open(ike_sa *sa, const uint8_t *msg, size_t len, ike_msg *m, uint8_t *plain)
{
    const uint8_t *ke = sa->initiator ? sa->keys.er : sa->keys.ei;
    const uint8_t *ka = sa->initiator ? sa->keys.ar : sa->keys.ai;
    return ike_sk_open(&sa->suite, ke, ka, msg, len, m, plain, IKE_MAX_MSG);
}

static void arm_first(ike_sa *sa, uint64_t now)
{
    sa->req.sends = 1;
    sa->req.deadline = now + ike_retx_wait_ns(&sa->ep->cfg->retx, 0, 0.0);
}

void sa_request_sent_raw(ike_sa *sa, uint64_t now, task_kind kind, uint8_t exchange,
                         uint8_t *msg, size_t len)
{
    g_free(sa->req.msg);
    sa->req = (ike_request){.active = true, .kind = kind, .exchange = exchange,
                            .mid = get_be32(msg + 20), .msg = msg, .len = len};
    arm_first(sa, now);
    ep_send_raw(sa->ep, now, sa, sa->peer, msg, len);
    ep_rearm(sa->ep, sa);
}

int sa_send_opening(ike_sa *sa, uint64_t now, task_kind kind, ike_msg *m)
{
    uint8_t buf[IKE_MAX_MSG];
    size_t len;
    uint8_t exchange = m->hdr.exchange;
    int rc = ike_encode(m, buf, sizeof buf, &len);
    g_free(m);
    if (rc != IKE_OK)
        return rc;
    ike_hs *hs = sa->hs;
    g_free(hs->init_req);
    hs->init_req = g_memdup2(buf, len); /* RealMessage1 for AUTH */
    hs->init_req_len = len;
    sa_request_sent_raw(sa, now, kind, exchange, g_memdup2(buf, len), len);
    return IKE_OK;
}

int sa_start_request_mid(ike_sa *sa, uint64_t now, task_kind kind, uint8_t exchange,
                         uint32_t mid, const ike_payload *inner, size_t n)
{
    uint8_t *msg;
    size_t len;
    int rc = seal(sa, exchange, false, mid, inner, n, &msg, &len);
    if (rc == IKE_OK)
        sa_request_sent_raw(sa, now, kind, exchange, msg, len);
    return rc;
}

int sa_start_request(ike_sa *sa, uint64_t now, task_kind kind, uint8_t exchange,
                     const ike_payload *inner, size_t n)
{
    int rc = sa_start_request_mid(sa, now, kind, exchange, sa->next_mid_out, inner, n);
    if (rc == IKE_OK)
        sa->next_mid_out++;
    return rc;
}

/* Seals and sends a response; the bytes are handed to *keep if keep is not NULL. */
static int respond(ike_sa *sa, uint64_t now, uint8_t exchange, uint32_t mid,
                   const ike_payload *inner, size_t n, uint8_t **keep, size_t *keep_len)
{
    uint8_t *msg;
    size_t len;
    int rc = seal(sa, exchange, true, mid, inner, n, &msg, &len);
    if (rc != IKE_OK)
        return rc;
    ep_send_raw(sa->ep, now, sa, sa->peer, msg, len);
    if (keep) {
        *keep = msg;
        *keep_len = len;
    } else {
        g_free(msg);
    }
    return IKE_OK;
}

int sa_respond(ike_sa *sa, uint64_t now, uint8_t exchange, uint32_t mid,
               const ike_payload *inner, size_t n)
{
    uint8_t *msg;
    size_t len;
    int rc = respond(sa, now, exchange, mid, inner, n, &msg, &len);
    if (rc != IKE_OK)
        return rc;
    g_free(sa->resp);
    sa->resp = msg; /* kept to answer a retransmitted request */
    sa->resp_len = len;
    sa->resp_valid = true;
    sa->next_mid_in = mid + 1;
    return IKE_OK;
}

int sa_respond_uncached(ike_sa *sa, uint64_t now, uint8_t exchange, uint32_t mid,
                        const ike_payload *inner, size_t n)
{
    return respond(sa, now, exchange, mid, inner, n, NULL, NULL);
}

bool sa_retransmit_due(ike_sa *sa, uint64_t now)
{
    const ike_retx *r = &sa->ep->cfg->retx;
    if (sa->req.sends > r->tries || (sa->req.give_up_at && now >= sa->req.give_up_at)) {
        void (*give_up)(ike_sa *, uint64_t) = ike_tasks[sa->req.kind].on_give_up;
        if (give_up) {
            give_up(sa, now);
            return false;
        }
        ep_sa_destroy(sa->ep, sa, now, queue_give_up_reason(sa));
        return true;
    }
    double u = 0.0;
    if (r->jitter_pct) {
        uint8_t b[2];
        ep_random(sa->ep, b, 2);
        u = get_be16(b) / 65536.0;
    }
    ike_event ev = {.now = now, .exchange = sa->req.exchange, .msg_id = sa->req.mid,
                    .count = sa->req.sends, .len = sa->req.len};
    ep_emit(sa->ep, IKE_EV_RETRANSMIT, sa, &ev);
    ep_send_raw(sa->ep, now, sa, sa->peer, sa->req.msg, sa->req.len);
    sa->req.deadline = now + ike_retx_wait_ns(r, sa->req.sends, u);
    if (sa->req.give_up_at && sa->req.deadline > sa->req.give_up_at)
        sa->req.deadline = sa->req.give_up_at;
    sa->req.sends++;
    return false;
}

void sa_request_done(ike_sa *sa, uint64_t now)
{
    (void)now;
    g_free(sa->req.msg);
    sa->req = (ike_request){0};
}

void sa_dropped(ike_sa *sa, uint64_t now, const ike_hdr *h, size_t len, int err)
{
    ike_event ev = {.now = now, .exchange = h->exchange, .msg_id = h->msg_id, .len = len,
                    .is_response = (h->flags & IKE_FLAG_R) != 0, .err = err};
    ep_emit(sa->ep, IKE_EV_MSG_DROPPED, sa, &ev);
}

void sa_received(ike_sa *sa, uint64_t now, const ike_hdr *h, size_t len)
{
    sa->last_in = now;
    ike_event ev = {.now = now, .exchange = h->exchange, .msg_id = h->msg_id, .len = len,
                    .is_response = (h->flags & IKE_FLAG_R) != 0};
    ep_emit(sa->ep, IKE_EV_MSG_RECEIVED, sa, &ev);
}
