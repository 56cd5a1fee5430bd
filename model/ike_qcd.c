/* ike_qcd.c — Quick Crash Detection (RFC 6290) in the endpoint, and the
 * other unprotected notifies.
 *
 * Maker: its token rides in IKE_AUTH; after a crash it answers protected
 * requests and ESP of SAs it lost with INVALID_IKE_SPI / INVALID_SPI plus
 * the tokens of every secret generation, rate-limited and only where it may
 * reveal them.  Taker: keeps the peer's token with the IKE SA and deletes
 * the SA at once when a presented token matches.  Without a verified token
 * such a notify is a hint (it may start a liveness check, rate-limited). */
#include "ike_internal.h"


bool ep_qcd_maker(const ike_ep *ep)
{
    return (ep->cfg->qcd.role & IKE_QCD_MAKER) != 0;
}

/* The maker's token for sa, as the notify that IKE_AUTH carries. */
size_t ep_qcd_own_token(ike_ep *ep, const ike_sa *sa, uint8_t *token, ike_payload *pl)
{
    if (!ep_qcd_maker(ep) || qcd_token(ep->cfg->qcd.secrets->cur, sa->spi_i, sa->spi_r, token) != IKE_OK)
        return 0;
    *pl = ike_pl_notify(IKE_PROTO_NONE, IKE_N_QCD_TOKEN, token, QCD_TOKEN_LEN);
    return 1;
}

/* A taker keeps the peer's token with the IKE SA (RFC 6290 §4.2). */
void ep_qcd_store_peer_token(ike_sa *sa, const ike_msg *m, size_t first)
{
    if (!(sa->ep->cfg->qcd.role & IKE_QCD_TAKER))
        return;
    for (size_t i = first; i < m->n; i++)
        if (qcd_notify_ok(&m->pl[i])) {
            g_free(sa->peer_token);
            sa->peer_token_len = (uint8_t)m->pl[i].u.notify.data.len;
            sa->peer_token = g_memdup2(m->pl[i].u.notify.data.p, sa->peer_token_len);
            return;
        }
}

/* May this maker reveal the tokens of (spi_i, spi_r) in the clear now?
 * Never for an SA alive on another cluster member (§9.2). */
static bool may_reveal(ike_ep *ep, uint64_t now, uint64_t spi_i, uint64_t spi_r)
{
    const ike_qcd_cfg *q = &ep->cfg->qcd;
    if (!ep_qcd_maker(ep))
        return false;
    if (q->answer_window_ns && now - q->boot_ns > q->answer_window_ns)
        return false;
    if (ep->io.sa_alive_elsewhere && ep->io.sa_alive_elsewhere(ep->io.ctx, spi_i, spi_r))
        return false;
    return rate_limit_take(&ep->maker_lim, now);
}

/* An unprotected message (no SK) naming notify: INVALID_IKE_SPI or
 * INVALID_SPI, each followed by this maker's tokens when it may reveal them. */
static void send_unprotected(ike_ep *ep, uint64_t now, uint64_t peer, const ike_hdr *h,
                             ike_payload first, bool tokens)
{
    ike_msg *r = g_new0(ike_msg, 1);
    uint8_t t[QCD_MAX_PRESENTED * QCD_TOKEN_LEN];
    r->hdr = *h;
    r->pl[0] = first;
    r->n = 1;
    if (tokens && may_reveal(ep, now, h->spi_i, h->spi_r))
        r->n += qcd_token_payloads(ep->cfg->qcd.secrets, h->spi_i, h->spi_r, t, &r->pl[1]);
    uint8_t out[512];
    size_t len;
    if (ike_encode(r, out, sizeof out, &len) == IKE_OK) {
        ep_send_raw(ep, now, NULL, peer, out, len);
        if (r->n > 1) {
            ike_event ev = {.now = now, .peer = peer, .spi_i = h->spi_i, .spi_r = h->spi_r,
                            .notify = first.u.notify.type, .count = (uint32_t)(r->n - 1)};
            ep_emit(ep, IKE_EV_QCD_ANSWERED, NULL, &ev);
        }
    }
    g_free(r);
}

/* A protected request for an SA we do not have: a one-way, unprotected
 * INVALID_IKE_SPI with the request's SPIs, exchange and message ID, the R
 * flag, and I inverted; a maker adds its tokens (§4.5). */
void ep_answer_unknown_spi(ike_ep *ep, uint64_t now, uint64_t peer, const ike_hdr *h)
{
    bool maker = ep_qcd_maker(ep);
    if ((!maker && !ep->cfg->answer_unknown_spi) || ep_minimal(ep))
        return;
    if (!rate_limit_take(&ep->unknown_ike_spi_lim, now))
        return;
    ike_hdr r = {.spi_i = h->spi_i, .spi_r = h->spi_r, .version = IKE_VERSION,
                 .exchange = h->exchange, .msg_id = h->msg_id,
                 .flags = (uint8_t)(IKE_FLAG_R | ((h->flags & IKE_FLAG_I) ? 0 : IKE_FLAG_I))};
    send_unprotected(ep, now, peer, &r, ike_pl_notify(IKE_PROTO_NONE, IKE_N_INVALID_IKE_SPI, NULL, 0),
                     maker);
}

int ike_ep_invalid_spi(ike_ep *ep, uint64_t now, uint64_t peer, uint32_t spi, const uint64_t parent[2])
{
    if (ep_minimal(ep) || !rate_limit_take(&ep->unknown_spi_lim, now))
        return IKE_OK;
    /* IKE SPIs of the parent SA when a persisted map knows them (the QCD
     * fast path, §8.2), else zero as RFC 7296 §1.5 allows. */
    ike_hdr h = {.spi_i = parent ? parent[0] : 0, .spi_r = parent ? parent[1] : 0,
                 .version = IKE_VERSION, .exchange = IKE_INFORMATIONAL, .flags = IKE_FLAG_I};
    uint8_t data[4];
    put_be32(data, spi);
    send_unprotected(ep, now, peer, &h, ike_pl_notify(IKE_PROTO_ESP, IKE_N_INVALID_SPI, data, 4),
                     parent != NULL);
    return IKE_OK;
}

/* A taker checks the presented tokens; true if the SA was deleted. */
static bool qcd_check(ike_ep *ep, uint64_t now, ike_sa *sa, const ike_msg *m)
{
    if (!sa || !(ep->cfg->qcd.role & IKE_QCD_TAKER) || !ike_find_notify(m, IKE_N_QCD_TOKEN))
        return false;
    ike_event ev = {.now = now, .err = IKE_OK};
    if (sa->peer_token_len == 0 || !ike_sa_established(sa))
        ev.err = IKE_E_STATE;
    else if (ep->cfg->qcd.taker_needs_request && !sa->req.active)
        ev.err = IKE_E_STATE;
    else if (!rate_limit_take(&ep->taker_lim, now))
        ev.err = IKE_E_LIMIT;
    else if (qcd_match(m, sa->peer_token, sa->peer_token_len)) {
        /* verified: delete silently, no Delete, no answer (§4.5) */
        ep_sa_destroy(ep, sa, now, IKE_DEL_QCD);
        return true;
    } else
        ev.err = IKE_E_AUTH;
    ep_emit(ep, IKE_EV_QCD_REJECTED, sa, &ev);
    return false;
}

/* An unprotected INVALID_IKE_SPI or INVALID_SPI without a verified token is
 * a hint that the peer lost its state.  It deletes nothing; at most it
 * starts a (rate-limited) liveness check. */
static void on_hint(ike_ep *ep, uint64_t now, ike_sa *sa, uint16_t type)
{
    ike_event ev = {.now = now, .notify = type};
    ep_emit(ep, IKE_EV_HINT, sa, &ev);
    if (sa && ep->cfg->hint_starts_dpd && sa->state == SA_ESTABLISHED && !sa->req.active &&
        rate_limit_take(&ep->hint_lim, now))
        ike_ep_liveness(ep, sa, now);
}

static ike_sa *sa_by_child_out(ike_ep *ep, uint64_t peer, uint32_t spi)
{
    GHashTableIter it;
    gpointer k, v;
    (void)peer; /* QCD answers may come from any address (§3) */
    g_hash_table_iter_init(&it, ep->sas);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        ike_sa *sa = v;
        if (sa->has_child && sa->child.spi_out == spi)
            return sa;
    }
    return NULL;
}

void ep_unprotected_info(ike_ep *ep, uint64_t now, uint64_t peer, ike_sa *sa, const ike_msg *m)
{
    const ike_payload *n = ike_find_notify(m, IKE_N_INVALID_SPI);
    uint16_t type = 0;
    if (n && n->u.notify.data.len == 4) {
        /* the child SPI names the SA, whatever the header says */
        sa = sa_by_child_out(ep, peer, get_be32(n->u.notify.data.p));
        type = IKE_N_INVALID_SPI;
    } else if (ike_find_notify(m, IKE_N_INVALID_IKE_SPI)) {
        type = IKE_N_INVALID_IKE_SPI;
    }
    if (type && qcd_check(ep, now, sa, m))
        return;
    if (type && !ep_minimal(ep)) /* a minimal node takes no hints (RFC 7815 §2.1) */
        on_hint(ep, now, sa, type);
    else
        ep_drop(ep, now, sa, peer, &m->hdr, m->hdr.length, IKE_E_STATE);
}
