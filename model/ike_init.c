/* ike_init.c — the IKE_SA_INIT task (RFC 7296 §1.2): proposals (chosen by
 * ike_proposal.c), KE and nonces, the INVALID_KE_PAYLOAD and COOKIE retries,
 * and the derivation of the IKE SA's keys on both sides. */
#include <string.h>

#include "ike_internal.h"

enum { MAX_INIT_RETRIES = 3 }; /* COOKIE / INVALID_KE round trips */

/* --- initiator --- */

static int send_init_request(ike_sa *sa, uint64_t now)
{
    ike_hs *hs = sa->hs;
    uint8_t rand[IKE_DH_PRIV_RAND], ke[IKE_MAX_KE];
    ike_dh_free(hs->dh);
    hs->dh = NULL;
    ep_random(sa->ep, rand, ike_dh_priv_len(hs->dh_group));
    size_t ke_len = ike_dh_ke_len(hs->dh_group);
    int rc = ike_dh_new(hs->dh_group, rand, &hs->dh);
    if (rc == IKE_OK)
        rc = ike_dh_public(hs->dh, ke, ke_len);
    if (rc != IKE_OK)
        return rc;

    ike_msg *m = g_new0(ike_msg, 1);
    m->hdr = (ike_hdr){.spi_i = sa->spi_i, .version = IKE_VERSION, .exchange = IKE_SA_INIT,
                       .flags = IKE_FLAG_I};
    if (hs->cookie_len) /* the COOKIE goes first (§2.6) */
        m->pl[m->n++] = ike_pl_notify(IKE_PROTO_NONE, IKE_N_COOKIE, hs->cookie, hs->cookie_len);
    ike_props tmp; /* the group KEi carries goes first (as after INVALID_KE_PAYLOAD) */
    m->pl[m->n++] = ike_props_payload(ep_ike_props(sa->ep, &tmp), hs->dh_group, 0);
    ike_payload kp = {.type = IKE_PL_KE, .u.ke = {hs->dh_group, {ke, ke_len}}};
    m->pl[m->n++] = kp;
    m->pl[m->n++] = ike_pl_bytes(IKE_PL_NONCE, hs->ni, hs->ni_len);
    uint8_t natd[2][IKE_NATD_LEN];
    m->n += natd_add(sa->ep, sa->peer, sa->spi_i, 0, natd, m->pl + m->n);

    return sa_send_opening(sa, now, TASK_SA_INIT, m);
}

int init_start(ike_sa *sa, uint64_t now)
{
    sa->state = SA_INIT_SENT;
    ep_random(sa->ep, hs_nonce(&sa->hs->ni, &sa->hs->ni_len, IKE_NONCE_LEN), IKE_NONCE_LEN);
    return send_init_request(sa, now);
}

static int derive(ike_sa *sa, const ike_payload *ke)
{
    ike_hs *hs = sa->hs;
    uint8_t gir[IKE_MAX_SHARED];
    size_t gir_len;
    int rc = ike_dh_shared(hs->dh, ke->u.ke.data.p, ke->u.ke.data.len, gir, sizeof gir, &gir_len);
    if (rc == IKE_OK)
        rc = ike_derive_keys(&sa->suite, hs->ni, hs->ni_len, hs->nr, hs->nr_len, gir, gir_len,
                             sa->spi_i, sa->spi_r, &sa->keys);
    memset(gir, 0, sizeof gir);
    ike_dh_free(hs->dh); /* the private key is no longer needed */
    hs->dh = NULL;
    return rc;
}

static void fail(ike_sa *sa, uint64_t now, int err)
{
    ike_event ev = {.now = now, .err = err};
    ep_emit(sa->ep, IKE_EV_MSG_DROPPED, sa, &ev);
    ep_sa_destroy(sa->ep, sa, now, IKE_DEL_NEGOTIATION);
}

void init_on_response(ike_sa *sa, uint64_t now, const ike_rx *rx)
{
    const uint8_t *msg = rx->msg;
    size_t len = rx->len;
    const ike_msg *m = rx->m;
    ike_hs *hs = sa->hs;
    ike_props tmp;
    const ike_props *own = ep_ike_props(sa->ep, &tmp);
    const ike_payload *n;
    if ((n = ike_find_notify(m, IKE_N_COOKIE))) {
        if (n->u.notify.data.len < 1 || n->u.notify.data.len > 64 || ++hs->retries > MAX_INIT_RETRIES)
            {
            fail(sa, now, IKE_E_SYNTAX);
            return;
        }
        memcpy(hs->cookie, n->u.notify.data.p, n->u.notify.data.len);
        hs->cookie_len = n->u.notify.data.len;
        if (send_init_request(sa, now) != IKE_OK)
            fail(sa, now, IKE_E_CRYPTO);
        return;
    }
    if ((n = ike_find_notify(m, IKE_N_INVALID_KE_PAYLOAD))) {
        uint16_t g = n->u.notify.data.len == 2 ? get_be16(n->u.notify.data.p) : 0;
        bool acceptable = g != hs->dh_group && ike_props_has_dh(own, g);
        if (!acceptable || ++hs->retries > MAX_INIT_RETRIES)
            {
            fail(sa, now, IKE_E_PROPOSAL);
            return;
        }
        hs->dh_group = g;
        sa->suite.dh = g;
        if (send_init_request(sa, now) != IKE_OK)
            fail(sa, now, IKE_E_CRYPTO);
        return;
    }
    for (size_t i = 0; i < m->n; i++)
        if (m->pl[i].type == IKE_PL_NOTIFY && m->pl[i].u.notify.type <= IKE_N_ERROR_MAX)
            {
            fail(sa, now, IKE_E_PROPOSAL);
            return;
        }

    const ike_payload *sap = ike_find(m, IKE_PL_SA, NULL), *ke = ike_find(m, IKE_PL_KE, NULL),
                      *nr = ike_find(m, IKE_PL_NONCE, NULL);
    const ike_proposal *chosen;
    ike_suite suite;
    bool esn;
    if (!sap || !ke || !nr || m->hdr.spi_r == 0 || sap->u.sa.n != 1)
        {
            fail(sa, now, IKE_E_SYNTAX);
            return;
        }
    if (!ike_props_accept(own, &sap->u.sa, &suite, &esn, &chosen) || suite.dh != hs->dh_group ||
        ke->u.ke.group != hs->dh_group || ke->u.ke.data.len != ike_dh_ke_len(hs->dh_group))
        {
            fail(sa, now, IKE_E_PROPOSAL);
            return;
        }
    sa->suite = suite;
    sa->spi_r = m->hdr.spi_r;
    natd_seen(sa->ep, sa, sa->peer, m);
    memcpy(hs_nonce(&hs->nr, &hs->nr_len, nr->u.nonce.len), nr->u.nonce.p, nr->u.nonce.len);
    int rc = derive(sa, ke);
    if (rc != IKE_OK)
        {
            fail(sa, now, rc);
            return;
        }
    hs->init_resp = g_memdup2(msg, len); /* RealMessage2, signed by the peer */
    hs->init_resp_len = len;
    sa_request_done(sa, now);
    sa->next_mid_out = 1;
    sa->state = SA_AUTH_SENT;
    if ((rc = auth_start(sa, now)) != IKE_OK)
        fail(sa, now, rc);
}

/* --- responder --- */

void init_on_request(ike_ep *ep, uint64_t now, uint64_t peer, const ike_rx *rx)
{
    const uint8_t *msg = rx->msg;
    size_t len = rx->len;
    const ike_msg *m = rx->m;
    const ike_hdr *h = &m->hdr;
    if (m->critical_type) {
        ep_answer_clear(ep, now, peer, h, IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD, &m->critical_type, 1);
        return;
    }
    const ike_payload *sap = ike_find(m, IKE_PL_SA, NULL), *ke = ike_find(m, IKE_PL_KE, NULL),
                      *ni = ike_find(m, IKE_PL_NONCE, NULL);
    ike_event ev = {.now = now, .peer = peer, .spi_i = h->spi_i, .exchange = h->exchange,
                    .msg_id = h->msg_id, .len = len};
    ike_sa *old = ep_responder_lookup(ep, peer, h->spi_i);
    if (old) {
        /* The same request again gets the same answer; a request for an SA
         * that already went on to IKE_AUTH is ignored (§2.1). */
        if (old->state == SA_HALF_OPEN && old->hs && ni && ni->u.nonce.len == old->hs->ni_len &&
            memcmp(ni->u.nonce.p, old->hs->ni, old->hs->ni_len) == 0)
            ep_send_raw(ep, now, old, peer, old->hs->init_resp, old->hs->init_resp_len);
        else {
            ev.err = IKE_E_STATE;
            ep_emit(ep, IKE_EV_MSG_DROPPED, old, &ev);
        }
        return;
    }
    if (!sap || !ke || !ni) {
        ev.err = IKE_E_SYNTAX;
        ep_emit(ep, IKE_EV_MSG_DROPPED, NULL, &ev);
        return;
    }
    if (cookie_required(ep) && !cookie_valid(ep, peer, m)) {
        cookie_send(ep, now, peer, m); /* no state, no DH until the peer proves its address */
        return;
    }
    if (half_open_full(ep)) { /* no answer: one would only invite a retransmission */
        ev.err = IKE_E_BUSY;
        ep_emit(ep, IKE_EV_MSG_DROPPED, NULL, &ev);
        return;
    }
    const ike_cfg *cfg = ep->cfg;
    const ike_proposal *chosen;
    ike_props tmp;
    ike_suite suite;
    bool esn;
    if (!ike_props_select(ep_ike_props(ep, &tmp), &sap->u.sa, cfg->prefer_supplied, ke->u.ke.group,
                          false, &suite, &esn, &chosen)) {
        ep_answer_clear(ep, now, peer, h, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
        return;
    }
    if (ke->u.ke.group != suite.dh) {
        uint8_t g[2];
        put_be16(g, suite.dh);
        ep_answer_clear(ep, now, peer, h, IKE_N_INVALID_KE_PAYLOAD, g, 2);
        return;
    }
    if (ke->u.ke.data.len != ike_dh_ke_len(suite.dh)) {
        ep_answer_clear(ep, now, peer, h, IKE_N_INVALID_SYNTAX, NULL, 0);
        return;
    }
    ep_emit(ep, IKE_EV_MSG_RECEIVED, NULL, &ev);

    ike_sa *sa = ep_sa_new(ep, now, peer, false);
    ike_hs *hs = sa->hs;
    sa->spi_i = h->spi_i;
    sa->suite = suite;
    uint8_t rand[IKE_DH_PRIV_RAND], kr[IKE_MAX_KE];
    size_t ke_len = ike_dh_ke_len(suite.dh);
    memcpy(hs_nonce(&hs->ni, &hs->ni_len, ni->u.nonce.len), ni->u.nonce.p, ni->u.nonce.len);
    int rc = ep_sa_set_local_spi(ep, sa);
    if (rc == IKE_OK) {
        ep_random(ep, hs_nonce(&hs->nr, &hs->nr_len, IKE_NONCE_LEN), IKE_NONCE_LEN);
        ep_random(ep, rand, ike_dh_priv_len(suite.dh));
        rc = ike_dh_new(suite.dh, rand, &hs->dh);
    }
    if (rc == IKE_OK)
        rc = ike_dh_public(hs->dh, kr, ke_len);
    if (rc == IKE_OK)
        rc = derive(sa, ke);
    if (rc != IKE_OK) {
        ep_sa_destroy(ep, sa, now, IKE_DEL_NEGOTIATION);
        return;
    }

    ike_msg *r = g_new0(ike_msg, 1);
    r->hdr = (ike_hdr){.spi_i = sa->spi_i, .spi_r = sa->spi_r, .version = IKE_VERSION,
                       .exchange = IKE_SA_INIT, .flags = IKE_FLAG_R};
    r->pl[r->n++] = ike_props_answer(IKE_PROTO_IKE, &suite, false, chosen->num, 0);
    ike_payload kp = {.type = IKE_PL_KE, .u.ke = {suite.dh, {kr, ke_len}}};
    r->pl[r->n++] = kp;
    r->pl[r->n++] = ike_pl_bytes(IKE_PL_NONCE, hs->nr, hs->nr_len);
    /* IKE_AUTH without a Child SA is accepted here (RFC 6023) */
    r->pl[r->n++] = ike_pl_notify(IKE_PROTO_NONE, IKE_N_CHILDLESS_IKEV2_SUPPORTED, NULL, 0);
    uint8_t natd[2][IKE_NATD_LEN];
    if (natd_seen(ep, sa, peer, m))
        r->n += natd_add(ep, peer, sa->spi_i, sa->spi_r, natd, r->pl + r->n);
    uint8_t buf[IKE_MAX_MSG];
    size_t out_len;
    rc = ike_encode(r, buf, sizeof buf, &out_len);
    g_free(r);
    if (rc != IKE_OK) {
        ep_sa_destroy(ep, sa, now, IKE_DEL_NEGOTIATION);
        return;
    }
    hs->init_req = g_memdup2(msg, len);
    hs->init_req_len = len;
    hs->init_resp = g_memdup2(buf, out_len);
    hs->init_resp_len = out_len;
    ep_sa_set_state(sa, SA_HALF_OPEN);
    sa->next_mid_in = 1;
    sa->expire_at = now + (uint64_t)cfg->half_open_ms * 1000000u;
    ep_responder_index(ep, sa);
    ep_send_raw(ep, now, sa, peer, buf, out_len);
    ep_rearm(ep, sa);
}
