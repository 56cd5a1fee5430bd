/* ike_resume.c — RFC 5723 session resumption: the tickets a client keeps,
 * the tickets a gateway grants (sealed by ike_ticket.c under keys rolled
 * over here), and the IKE_SESSION_RESUME task, both sides (§4.3.2).
 *
 * The client presents a ticket with Ni; the gateway opens it and answers Nr,
 * both derive the keys from the ticket's SK_d without a key exchange (§5.1:
 * SKEYSEED = prf(SK_d_old, "Resumption" | Ni | Nr)), and IKE_AUTH follows
 * (ike_auth.c) with AUTH = prf(SK_p, <§2.15 octets>) (§4.3.3).  A gateway
 * refuses a ticket it cannot open (unknown or retired key, forged, expired)
 * with an unprotected TICKET_NACK; the client then runs a full IKE_SA_INIT
 * on the same SA under a new SPIi, and does the same when no answer comes
 * (after cfg.resume.timeout_ms, else the retransmission schedule). */
#include <string.h>

#include <openssl/crypto.h>

#include "ike_internal.h"
#include "ike_rekey_keys.h"

#define NS_PER_S 1000000000ull

enum { MAX_COOKIE_RETRIES = 3 };

/* --- the client's tickets, one per peer --- */

static void held_free(gpointer p)
{
    ike_held_ticket *t = p;
    OPENSSL_cleanse(t->sk_d, sizeof t->sk_d);
    g_free(t);
}

static ike_held_ticket *held_lookup(const ike_ep *ep, uint64_t peer)
{
    return ep->tickets ? g_hash_table_lookup(ep->tickets, &peer) : NULL;
}

/* Out of the store: a ticket is presented once (§4.3.1), never expired. */
static ike_held_ticket *held_take(ike_ep *ep, uint64_t now, uint64_t peer)
{
    ike_held_ticket *t = held_lookup(ep, peer);
    if (!t)
        return NULL;
    g_hash_table_steal(ep->tickets, &peer);
    if (now >= t->expires) {
        held_free(t);
        return NULL;
    }
    return t;
}

bool ike_ep_has_ticket(const ike_ep *ep, uint64_t now, uint64_t peer)
{
    const ike_held_ticket *t = held_lookup(ep, peer);
    return t && now < t->expires;
}

void resume_keep_ticket(ike_sa *sa, uint64_t now, const ike_msg *m, size_t first)
{
    ike_ep *ep = sa->ep;
    ike_ticket_reply r;
    if (!ep->cfg->resume.client || ike_ticket_reply_read(m, first, &r) != IKE_OK ||
        r.answer != IKE_TICKET_GRANTED || r.ticket.len == 0 || r.ticket.len > IKE_TICKET_MAX || !sa->peer_key ||
        sa->suite.prf != IKE_PRF_HMAC_SHA2_256) /* the resumption keys are PRF-HMAC-SHA2-256's */
        return;
    ike_held_ticket *t = g_malloc0(sizeof *t + r.ticket.len);
    t->peer = sa->peer;
    t->expires = now + (uint64_t)r.lifetime_s * NS_PER_S;
    t->spi_i = sa->spi_i;
    t->spi_r = sa->spi_r;
    t->suite = sa->suite;
    memcpy(t->sk_d, sa->keys.d, IKE_PRF_LEN);
    gsize id_len;
    const uint8_t *id = g_bytes_get_data(sa->peer_key, &id_len);
    memcpy(t->id_r, id, id_len);
    t->id_r_len = id_len;
    t->len = r.ticket.len;
    memcpy(t->ticket, r.ticket.p, r.ticket.len);
    if (!ep->tickets)
        ep->tickets = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, held_free);
    g_hash_table_replace(ep->tickets, &t->peer, t); /* the key lives in the value: replace both */
    ike_event ev = {.now = now, .count = r.lifetime_s, .len = r.ticket.len};
    ep_emit(ep, IKE_EV_TICKET_GRANTED, sa, &ev);
}

void resume_sa_gone(ike_sa *sa, ike_del_reason why)
{
    ike_held_ticket *t = sa->initiator ? held_lookup(sa->ep, sa->peer) : NULL;
    /* kept when the peer lost its state: that is what the ticket is for */
    if (t && t->spi_i == sa->spi_i && t->spi_r == sa->spi_r && !ike_del_peer_dead(why) &&
        why != IKE_DEL_SHUTDOWN)
        g_hash_table_remove(sa->ep->tickets, &t->peer);
}

void resume_tickets_free(ike_ep *ep)
{
    if (ep->tickets)
        g_hash_table_destroy(ep->tickets);
    ep->tickets = NULL;
}

void resuming_free(ike_resuming *r)
{
    if (!r)
        return;
    if (r->ticket)
        held_free(r->ticket);
    g_free(r);
}

/* --- the gateway's tickets --- */

/* A new ticket key once the current one is roll_s old (§9.5: "changed regularly"). */
static void keys_roll_due(ike_ep *ep, uint64_t now)
{
    const ike_resume_cfg *rc = &ep->cfg->resume;
    ike_ticket_keys *k = rc->keys;
    if (!rc->roll_s || now < k->cur_since + (uint64_t)rc->roll_s * NS_PER_S)
        return;
    uint8_t id[IKE_TICKET_KEY_ID_LEN], key[IKE_TICKET_KEY_LEN];
    ep_random(ep, id, sizeof id);
    ep_random(ep, key, sizeof key);
    ike_ticket_keys_roll(k, id, key, now, (uint64_t)rc->grace_s * NS_PER_S);
    OPENSSL_cleanse(key, sizeof key);
}

/* The state a ticket for sa carries (§5 "from the ticket"). */
static bool ticket_state(const ike_sa *sa, uint64_t now, ike_ticket_state *st)
{
    const ike_ep *ep = sa->ep;
    if (!sa->peer_key || sa->suite.prf != IKE_PRF_HMAC_SHA2_256 || ep->id_len > IKE_TICKET_ID_MAX)
        return false;
    gsize key_len;
    const uint8_t *key = g_bytes_get_data(sa->peer_key, &key_len);
    *st = (ike_ticket_state){.spi_i = sa->spi_i, .spi_r = sa->spi_r, .suite = sa->suite,
                             .auth_method = IKE_AUTH_SHARED_KEY, .id_i_type = key[0],
                             .id_i_len = (uint8_t)(key_len - 1), .id_r_type = ep->cfg->id_type,
                             .id_r_len = (uint8_t)ep->id_len,
                             .expires = now + (uint64_t)ep->cfg->resume.lifetime_s * NS_PER_S};
    memcpy(st->id_i, key + 1, key_len - 1);
    memcpy(st->id_r, ep->id, ep->id_len);
    memcpy(st->sk_d, sa->keys.d, IKE_PRF_LEN);
    return true;
}

size_t resume_ticket_answer(ike_sa *sa, uint64_t now, const ike_msg *m, size_t first, uint8_t *buf,
                            size_t cap, ike_payload *pl)
{
    ike_ep *ep = sa->ep;
    const ike_resume_cfg *rc = &ep->cfg->resume;
    if (!rc->keys || sa->initiator || !ike_ticket_requested(m, first))
        return 0; /* without keys: as an implementation without RFC 5723, silent */
    ike_ticket_state st;
    uint8_t nonce[IKE_TICKET_NONCE_LEN], ticket[IKE_TICKET_MAX];
    size_t len = 0;
    bool ok = ticket_state(sa, now, &st);
    if (ok) {
        keys_roll_due(ep, now);
        ep_random(ep, nonce, sizeof nonce);
        ok = ike_ticket_seal(rc->keys, &st, nonce, ticket, sizeof ticket, &len) == IKE_OK &&
             ike_ticket_lt_payload(rc->lifetime_s, ticket, len, buf, cap, pl) == IKE_OK;
        OPENSSL_cleanse(&st, sizeof st);
    }
    if (!ok) { /* refused "for some reason" (§4.1): a suite or an ID a ticket cannot carry */
        *pl = ike_pl_notify(IKE_PROTO_NONE, IKE_N_TICKET_NACK, NULL, 0);
        return 1;
    }
    ike_event ev = {.now = now, .count = rc->lifetime_s, .len = len};
    ep_emit(ep, IKE_EV_TICKET_GRANTED, sa, &ev);
    return 1;
}

/* --- IKE_AUTH after IKE_SESSION_RESUME --- */

bool resume_peer_id_ok(const ike_sa *sa, uint8_t type, const uint8_t *id, size_t len)
{
    const ike_resuming *r = sa->hs ? sa->hs->resuming : NULL;
    if (!r)
        return true;
    /* §4.3.3: IDi and IDr are the ticket's */
    return len + 1 == r->peer_id_len && type == r->peer_id[0] && memcmp(id, r->peer_id + 1, len) == 0;
}

void resume_supersede(ike_sa *sa, uint64_t now)
{
    const ike_resuming *r = sa->hs ? sa->hs->resuming : NULL;
    ike_sa *old = r && !sa->initiator ? ike_ep_find(sa->ep, r->old_spi_r) : NULL;
    if (old && old != sa && !old->initiator && old->spi_i == r->old_spi_i)
        ep_sa_destroy(sa->ep, old, now, IKE_DEL_RESUMED); /* silently: no Delete (§4.3.4) */
}

/* --- TASK_RESUME, initiator --- */

static int send_request(ike_sa *sa, uint64_t now)
{
    ike_hs *hs = sa->hs;
    const ike_held_ticket *t = hs->resuming->ticket;
    ike_resume_msg r = {.cookie = {hs->cookie, hs->cookie_len}, .nonce = {hs->ni, hs->ni_len},
                        .ticket = {t->ticket, t->len}};
    ike_msg *m = g_new(ike_msg, 1); /* ike_resume_request sets the header and chain */
    int rc = ike_resume_request(sa->spi_i, &r, m);
    if (rc != IKE_OK) {
        g_free(m);
        return rc;
    }
    if ((rc = sa_send_opening(sa, now, TASK_RESUME, m)) != IKE_OK)
        return rc;
    uint32_t timeout = sa->ep->cfg->resume.timeout_ms;
    if (timeout) {
        sa->req.give_up_at = now + (uint64_t)timeout * 1000000u;
        if (sa->req.deadline > sa->req.give_up_at)
            sa->req.deadline = sa->req.give_up_at;
        ep_rearm(sa->ep, sa);
    }
    return IKE_OK;
}

ike_sa *ike_ep_resume(ike_ep *ep, uint64_t now, uint64_t peer)
{
    ike_held_ticket *t = ep->cfg->resume.client ? held_take(ep, now, peer) : NULL;
    if (!t)
        return NULL;
    ike_sa *sa = ep_sa_new(ep, now, peer, true);
    ike_resuming *r = g_new0(ike_resuming, 1);
    memcpy(r->peer_id, t->id_r, t->id_r_len);
    r->peer_id_len = t->id_r_len;
    r->old_spi_i = t->spi_i;
    r->old_spi_r = t->spi_r;
    r->ticket = t;
    sa->hs->resuming = r;
    sa->suite = t->suite;
    sa->state = SA_INIT_SENT;
    if (ep_sa_set_local_spi(ep, sa) != IKE_OK) {
        ep_sa_destroy(ep, sa, now, IKE_DEL_NEGOTIATION);
        return NULL;
    }
    ep_random(ep, hs_nonce(&sa->hs->ni, &sa->hs->ni_len, IKE_NONCE_LEN), IKE_NONCE_LEN);
    ike_event ev = {.now = now, .len = t->len};
    ep_emit(ep, IKE_EV_RESUME_SENT, sa, &ev);
    if (send_request(sa, now) != IKE_OK) {
        ep_sa_destroy(ep, sa, now, IKE_DEL_NEGOTIATION);
        return NULL;
    }
    return sa;
}

/* The resumption failed: a full handshake on the same SA, under a new SPIi
 * (a gateway may hold a half-open resumed SA under the old one). */
static void fall_back(ike_sa *sa, uint64_t now, uint16_t notify)
{
    ike_ep *ep = sa->ep;
    ike_hs *hs = sa->hs;
    ike_event ev = {.now = now, .notify = notify, .count = sa->req.sends};
    sa_request_done(sa, now);
    ep_emit(ep, IKE_EV_RESUME_REFUSED, sa, &ev);
    resuming_free(hs->resuming);
    hs->resuming = NULL;
    hs->cookie_len = 0;
    hs->retries = 0;
    sa->suite = ep->cfg->ike;
    sa->spi_r = 0;
    if (ep_sa_new_local_spi(ep, sa) != IKE_OK || init_start(sa, now) != IKE_OK) {
        ep_sa_destroy(ep, sa, now, IKE_DEL_NEGOTIATION);
        return;
    }
    ep_rearm(ep, sa);
}

void resume_give_up(ike_sa *sa, uint64_t now)
{
    fall_back(sa, now, 0);
}

static void fail(ike_sa *sa, uint64_t now, int err)
{
    ike_event ev = {.now = now, .err = err};
    ep_emit(sa->ep, IKE_EV_MSG_DROPPED, sa, &ev);
    ep_sa_destroy(sa->ep, sa, now, IKE_DEL_NEGOTIATION);
}

void resume_on_response(ike_sa *sa, uint64_t now, const ike_rx *rx)
{
    ike_hs *hs = sa->hs;
    ike_resume_msg r;
    int rc = ike_resume_read(rx->m, &r);
    if (rc != IKE_OK) { /* unauthenticated junk: keep waiting for the real answer */
        sa_dropped(sa, now, rx->h, rx->len, rc);
        return;
    }
    if (r.nack) {
        fall_back(sa, now, IKE_N_TICKET_NACK);
        return;
    }
    if (r.cookie.len) {
        if (r.cookie.len > sizeof hs->cookie || ++hs->retries > MAX_COOKIE_RETRIES) {
            fail(sa, now, IKE_E_SYNTAX);
            return;
        }
        memcpy(hs->cookie, r.cookie.p, r.cookie.len);
        hs->cookie_len = r.cookie.len;
        if (send_request(sa, now) != IKE_OK)
            fail(sa, now, IKE_E_CRYPTO);
        return;
    }
    const ike_held_ticket *t = hs->resuming->ticket;
    sa->spi_r = rx->h->spi_r;
    memcpy(hs_nonce(&hs->nr, &hs->nr_len, r.nonce.len), r.nonce.p, r.nonce.len);
    rc = ike_resume_keys(&t->suite, t->sk_d, hs->ni, hs->ni_len, hs->nr, hs->nr_len, sa->spi_i, sa->spi_r,
                         &sa->keys);
    if (rc != IKE_OK) {
        fail(sa, now, rc);
        return;
    }
    hs->init_resp = g_memdup2(rx->msg, rx->len); /* RealMessage2, signed by the gateway */
    hs->init_resp_len = rx->len;
    sa_request_done(sa, now);
    ike_event ev = {.now = now};
    ep_emit(sa->ep, IKE_EV_RESUME_ACCEPTED, sa, &ev);
    sa->next_mid_out = 1;
    sa->state = SA_AUTH_SENT;
    if ((rc = auth_start(sa, now)) != IKE_OK)
        fail(sa, now, rc);
}

/* --- TASK_RESUME, responder --- */

static void refuse(ike_ep *ep, uint64_t now, uint64_t peer, const ike_hdr *h, int why)
{
    ike_resume_msg nack = {.nack = true};
    ike_msg r;
    uint8_t out[64];
    size_t len;
    if (ike_resume_response(h->spi_i, 0, &nack, &r) == IKE_OK && ike_encode(&r, out, sizeof out, &len) == IKE_OK)
        ep_send_raw(ep, now, NULL, peer, out, len);
    ike_event ev = {.now = now, .peer = peer, .spi_i = h->spi_i, .exchange = h->exchange, .err = why,
                    .notify = IKE_N_TICKET_NACK};
    ep_emit(ep, IKE_EV_RESUME_REFUSED, NULL, &ev);
}

/* Opens the ticket and checks it is ours to resume: IKE_OK or why not. */
static int take_ticket(const ike_ep *ep, uint64_t now, const ike_resume_msg *req, ike_ticket_state *st)
{
    int rc = ike_ticket_open(ep->cfg->resume.keys, req->ticket.p, req->ticket.len, now, st);
    if (rc != IKE_OK)
        return rc;
    if (st->suite.prf != IKE_PRF_HMAC_SHA2_256 || ike_cipher_check(&st->suite) != IKE_OK)
        return IKE_E_UNSUPPORTED;
    if (st->id_r_type != ep->cfg->id_type || st->id_r_len != ep->id_len || memcmp(st->id_r, ep->id, ep->id_len))
        return IKE_E_STATE; /* sealed for another gateway sharing the key */
    return IKE_OK;
}

/* Nr, the keys and the half-open SA for an accepted ticket. */
static void accept(ike_ep *ep, uint64_t now, uint64_t peer, const ike_rx *rx, const ike_resume_msg *req,
                   const ike_ticket_state *st)
{
    const ike_hdr *h = rx->h;
    ike_sa *sa = ep_sa_new(ep, now, peer, false);
    ike_hs *hs = sa->hs;
    sa->spi_i = h->spi_i;
    sa->suite = st->suite;
    memcpy(hs_nonce(&hs->ni, &hs->ni_len, req->nonce.len), req->nonce.p, req->nonce.len);
    ike_resuming *r = hs->resuming = g_new0(ike_resuming, 1);
    r->peer_id[0] = st->id_i_type;
    memcpy(r->peer_id + 1, st->id_i, st->id_i_len);
    r->peer_id_len = 1u + st->id_i_len;
    r->old_spi_i = st->spi_i;
    r->old_spi_r = st->spi_r;
    int rc = ep_sa_set_local_spi(ep, sa);
    if (rc == IKE_OK) {
        ep_random(ep, hs_nonce(&hs->nr, &hs->nr_len, IKE_NONCE_LEN), IKE_NONCE_LEN);
        rc = ike_resume_keys(&st->suite, st->sk_d, hs->ni, hs->ni_len, hs->nr, hs->nr_len, sa->spi_i,
                             sa->spi_r, &sa->keys);
    }
    ike_resume_msg ans = {.nonce = {hs->nr, hs->nr_len}};
    ike_msg resp;
    uint8_t buf[IKE_MAX_MSG];
    size_t len;
    if (rc == IKE_OK)
        rc = ike_resume_response(sa->spi_i, sa->spi_r, &ans, &resp);
    if (rc == IKE_OK)
        rc = ike_encode(&resp, buf, sizeof buf, &len);
    if (rc != IKE_OK) {
        ep_sa_destroy(ep, sa, now, IKE_DEL_NEGOTIATION);
        return;
    }
    hs->init_req = g_memdup2(rx->msg, rx->len);
    hs->init_req_len = rx->len;
    hs->init_resp = g_memdup2(buf, len);
    hs->init_resp_len = len;
    ep_sa_set_state(sa, SA_HALF_OPEN);
    sa->next_mid_in = 1; /* Message IDs as after IKE_SA_INIT (§4.3.2) */
    sa->expire_at = now + (uint64_t)ep->cfg->half_open_ms * 1000000u;
    ep_responder_index(ep, sa);
    ike_event ev = {.now = now};
    ep_emit(ep, IKE_EV_RESUME_ACCEPTED, sa, &ev);
    ep_send_raw(ep, now, sa, peer, buf, len);
    ep_rearm(ep, sa);
}

void resume_on_request(ike_ep *ep, uint64_t now, uint64_t peer, const ike_rx *rx)
{
    const ike_msg *m = rx->m;
    const ike_hdr *h = &m->hdr;
    ike_event ev = {.now = now, .peer = peer, .spi_i = h->spi_i, .exchange = h->exchange,
                    .msg_id = h->msg_id, .len = rx->len};
    if (!ep->cfg->resume.keys) { /* as charon: no RFC 5723, no answer */
        ev.err = IKE_E_UNSUPPORTED;
        ep_emit(ep, IKE_EV_MSG_DROPPED, NULL, &ev);
        return;
    }
    if (m->critical_type) {
        ep_answer_clear(ep, now, peer, h, IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD, &m->critical_type, 1);
        return;
    }
    ike_resume_msg req;
    int rc = ike_resume_read(m, &req);
    ike_sa *old = ep_responder_lookup(ep, peer, h->spi_i);
    if (old) { /* the same request again gets the same answer (as IKE_SA_INIT, RFC 7296 §2.1) */
        if (rc == IKE_OK && old->state == SA_HALF_OPEN && old->hs && req.nonce.len == old->hs->ni_len &&
            memcmp(req.nonce.p, old->hs->ni, old->hs->ni_len) == 0)
            ep_send_raw(ep, now, old, peer, old->hs->init_resp, old->hs->init_resp_len);
        else {
            ev.err = IKE_E_STATE;
            ep_emit(ep, IKE_EV_MSG_DROPPED, old, &ev);
        }
        return;
    }
    if (rc != IKE_OK) {
        ev.err = rc;
        ep_emit(ep, IKE_EV_MSG_DROPPED, NULL, &ev);
        return;
    }
    if (cookie_required(ep) && !cookie_valid(ep, peer, m)) {
        cookie_send(ep, now, peer, m);
        return;
    }
    if (half_open_full(ep)) {
        ev.err = IKE_E_BUSY;
        ep_emit(ep, IKE_EV_MSG_DROPPED, NULL, &ev);
        return;
    }
    ike_ticket_state st;
    rc = take_ticket(ep, now, &req, &st);
    if (rc != IKE_OK)
        refuse(ep, now, peer, h, rc);
    else {
        ep_emit(ep, IKE_EV_MSG_RECEIVED, NULL, &ev);
        accept(ep, now, peer, rx, &req, &st);
    }
    OPENSSL_cleanse(&st, sizeof st);
}
