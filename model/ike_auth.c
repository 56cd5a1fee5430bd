/* ike_auth.c — IKE_AUTH with a pre-shared key (RFC 7296 §1.2, §2.15) and
 * the first Child SA (§1.3, §2.17), both sides. */
#include <string.h>

#include "ike_internal.h"

/* The ID payload body: type, three reserved octets, data. */
static size_t id_body(uint8_t type, const uint8_t *data, size_t len, uint8_t *out)
{
    out[0] = type;
    out[1] = out[2] = out[3] = 0;
    memcpy(out + 4, data, len);
    return len + 4;
}

static int auth_value(ike_sa *sa, bool ours, const uint8_t *idb, size_t idb_len, uint8_t out[IKE_PRF_MAX])
{
    /* The initiator signs RealMessage1 | Nr, the responder RealMessage2 | Ni. */
    ike_hs *hs = sa->hs;
    const ike_cfg *cfg = sa->ep->cfg;
    bool by_initiator = ours == sa->initiator;
    const uint8_t *msg = by_initiator ? hs->init_req : hs->init_resp;
    size_t msg_len = by_initiator ? hs->init_req_len : hs->init_resp_len;
    const uint8_t *nonce = by_initiator ? hs->nr : hs->ni;
    size_t nonce_len = by_initiator ? hs->nr_len : hs->ni_len;
    const uint8_t *skp = by_initiator ? sa->keys.pi : sa->keys.pr;
    if (hs->resuming) /* RFC 5723 §4.3.3: keyed with SK_p, no PSK */
        return ike_resumed_auth(msg, msg_len, nonce, nonce_len, skp, idb, idb_len, out);
    return ike_psk_auth(sa->suite.prf, cfg->psk, cfg->psk_len, msg, msg_len, nonce, nonce_len, skp, idb,
                        idb_len, out);
}

static bool auth_verifies(ike_sa *sa, const ike_payload *id, const ike_payload *auth)
{
    uint8_t idb[4 + 256], want[IKE_PRF_MAX];
    size_t len = sa->keys.prf_len; /* the AUTH value is one PRF output */
    if (!id || !auth || auth->u.auth.method != IKE_AUTH_SHARED_KEY ||
        auth->u.auth.data.len != len || id->u.id.data.len > 256 ||
        !resume_peer_id_ok(sa, id->u.id.type, id->u.id.data.p, id->u.id.data.len))
        return false;
    size_t n = id_body(id->u.id.type, id->u.id.data.p, id->u.id.data.len, idb);
    return auth_value(sa, false, idb, n, want) == IKE_OK &&
           ike_ct_equal(want, auth->u.auth.data.p, len);
}

static void remember_peer_id(ike_sa *sa, const ike_payload *id)
{
    ep_sa_set_peer_id(sa, id->u.id.type, id->u.id.data.p, id->u.id.data.len);
}

/* KEYMAT = prf+(SK_d, Ni | Nr): encryption then integrity key for I->R,
 * then the same for R->I (§2.17). */
static int child_keys(ike_sa *sa, ike_child *c)
{
    ike_hs *hs = sa->hs;
    size_t e = ike_encr_key_len(&c->suite), i = ike_integ_key_len(&c->suite);
    uint8_t km[2 * (IKE_MAX_KEY + IKE_PRF_MAX)];
    int rc = ike_child_keymat(sa->suite.prf, sa->keys.d, hs->ni, hs->ni_len, hs->nr, hs->nr_len, km,
                              2 * (e + i));
    if (rc != IKE_OK)
        return rc;
    const uint8_t *i2r = km, *r2i = km + e + i;
    memcpy(c->key_out, sa->initiator ? i2r : r2i, e);
    memcpy(c->integ_out, (sa->initiator ? i2r : r2i) + e, i);
    memcpy(c->key_in, sa->initiator ? r2i : i2r, e);
    memcpy(c->integ_in, (sa->initiator ? r2i : i2r) + e, i);
    memset(km, 0, sizeof km);
    return IKE_OK;
}

ike_ts_range ts_from(const ike_ts_sel *s)
{
    return (ike_ts_range){get_be32(s->start), get_be32(s->end), s->start_port, s->end_port, s->ip_proto};
}

ike_payload ts_payload(uint8_t type, const ike_ts_range *r)
{
    ike_payload p = {.type = type};
    p.u.ts.n = 1;
    ike_ts_sel *s = &p.u.ts.s[0];
    s->type = IKE_TS_IPV4_RANGE;
    s->ip_proto = r->ip_proto;
    s->start_port = r->start_port;
    s->end_port = r->end_port;
    put_be32(s->start, r->start_addr);
    put_be32(s->end, r->end_addr);
    return p;
}

uint32_t new_child_spi(ike_sa *sa)
{
    uint8_t b[4];
    uint32_t spi;
    do { /* 0 and 1..255 are reserved (RFC 4303 §2.1) */
        ep_random(sa->ep, b, 4);
        spi = get_be32(b);
    } while (spi < 256);
    return spi;
}

/* A protected INITIAL_CONTACT: every other SA with this peer identity is stale. */
static void initial_contact(ike_sa *sa, uint64_t now)
{
    ike_ep *ep = sa->ep;
    GSList *stale = NULL;
    for (GSList *l = ep_peer_sas(ep, sa); l; l = l->next) {
        ike_sa *o = l->data;
        if (o != sa && ike_sa_established(o))
            stale = g_slist_prepend(stale, o);
    }
    for (GSList *l = stale; l; l = l->next)
        ep_sa_destroy(ep, l->data, now, IKE_DEL_INITIAL_CONTACT);
    g_slist_free(stale);
}

void sa_established(ike_sa *sa, uint64_t now)
{
    ep_sa_set_state(sa, SA_ESTABLISHED);
    sa->expire_at = IKE_NEVER;
    ike_event ev = {.now = now};
    ep_emit(sa->ep, IKE_EV_SA_ESTABLISHED, sa, &ev);
    if (sa->has_child) {
        ep_child_index(sa->ep, sa, true);
        ev.child = &sa->child;
        ep_emit(sa->ep, IKE_EV_CHILD_ESTABLISHED, sa, &ev);
    }
    sa_lifetimes_start(sa, now);
    hs_free(sa->hs);
    sa->hs = NULL;
    dpd_arm(sa, now);
    queue_run(sa, now);
    ep_rearm(sa->ep, sa);
    reauth_established(sa, now);
}

/* --- initiator --- */

int auth_start(ike_sa *sa, uint64_t now)
{
    const ike_cfg *cfg = sa->ep->cfg;
    uint8_t idb[4 + sizeof cfg->id], auth[IKE_PRF_MAX];
    size_t idb_len = id_body(cfg->id_type, sa->ep->id, sa->ep->id_len, idb);
    int rc = auth_value(sa, true, idb, idb_len, auth);
    if (rc != IKE_OK)
        return rc;
    ike_payload pl[12];
    size_t n = 0;
    pl[n++] = (ike_payload){.type = IKE_PL_IDI, .u.id = {cfg->id_type, {sa->ep->id, sa->ep->id_len}}};
    if (reauth_initial_contact(sa) && !sa->hs->resuming) /* a resumed SA replaces the old one silently */
        pl[n++] = ike_pl_notify(IKE_PROTO_NONE, IKE_N_INITIAL_CONTACT, NULL, 0);
    pl[n++] = (ike_payload){.type = IKE_PL_AUTH, .u.auth = {IKE_AUTH_SHARED_KEY, {auth, sa->keys.prf_len}}};
    uint8_t token[QCD_TOKEN_LEN]; /* a maker's token follows AUTH (RFC 6290 §4.2) */
    n += ep_qcd_own_token(sa->ep, sa, token, &pl[n]);
    n += ha_caps_offer(sa->ep, &pl[n]); /* then RFC 6311 capabilities, as in its §5 figure */
    if (!cfg->childless) {
        sa->hs->child_spi = new_child_spi(sa);
        ike_props tmp;
        pl[n++] = ike_props_payload(ep_esp_props(sa->ep, &tmp), 0, sa->hs->child_spi);
        pl[n++] = ts_payload(IKE_PL_TSI, &cfg->ts_local);
        pl[n++] = ts_payload(IKE_PL_TSR, &cfg->ts_remote);
    }
    if (cfg->resume.client) /* RFC 5723 §4.1, also after a resumption (§4.3.3) */
        pl[n++] = ike_pl_notify(IKE_PROTO_NONE, IKE_N_TICKET_REQUEST, NULL, 0);
    return sa_start_request(sa, now, TASK_AUTH, IKE_AUTH, pl, n);
}

void auth_on_response(ike_sa *sa, uint64_t now, const ike_rx *rx)
{
    ike_ep *ep = sa->ep;
    const ike_msg *m = rx->m;
    size_t first = rx->first;
    size_t from = first;
    const ike_payload *id = ike_find(m, IKE_PL_IDR, &from);
    from = first;
    const ike_payload *auth = ike_find(m, IKE_PL_AUTH, &from);
    sa_request_done(sa, now);
    if (!auth_verifies(sa, id, auth)) {
        ep_sa_destroy(ep, sa, now, IKE_DEL_AUTH_FAILED);
        return;
    }
    remember_peer_id(sa, id);
    ep_qcd_store_peer_token(sa, m, first);
    ha_caps_negotiate(sa, m, first);
    const ike_cfg *cfg = ep->cfg;
    from = first;
    const ike_payload *sap = ike_find(m, IKE_PL_SA, &from);
    const ike_proposal *p;
    ike_props tmp;
    ike_suite suite;
    bool esn;
    if (!cfg->childless && sap && sap->u.sa.n == 1 &&
        ike_props_accept(ep_esp_props(ep, &tmp), &sap->u.sa, &suite, &esn, &p)) {
        ike_child *c = &sa->child;
        c->suite = suite;
        c->esn = esn;
        c->spi_in = sa->hs->child_spi;
        c->spi_out = get_be32(p->spi);
        c->ts_local = cfg->ts_local;
        c->ts_remote = cfg->ts_remote;
        sa->has_child = child_keys(sa, c) == IKE_OK;
    }
    bool ic = ike_find_notify(m, IKE_N_INITIAL_CONTACT) != NULL;
    sa_established(sa, now);
    resume_keep_ticket(sa, now, m, first);
    if (ic)
        initial_contact(sa, now);
}

/* --- responder --- */

bool auth_takes(const ike_sa *sa, const ike_hdr *h)
{
    return sa->state == SA_HALF_OPEN && h->msg_id == 1;
}

/* Answers itself: the response carries our AUTH and the Child SA. */
task_verdict auth_on_request(ike_sa *sa, uint64_t now, const ike_rx *rx, ike_reply *reply)
{
    (void)reply;
    ike_ep *ep = sa->ep;
    const ike_msg *m = rx->m;
    size_t first = rx->first;
    const ike_cfg *cfg = ep->cfg;
    size_t from = first;
    const ike_payload *id = ike_find(m, IKE_PL_IDI, &from);
    from = first;
    const ike_payload *auth = ike_find(m, IKE_PL_AUTH, &from);
    uint32_t mid = m->hdr.msg_id;
    if (!auth_verifies(sa, id, auth)) {
        ike_payload n = ike_pl_notify(IKE_PROTO_NONE, IKE_N_AUTHENTICATION_FAILED, NULL, 0);
        sa_respond(sa, now, IKE_AUTH, mid, &n, 1);
        ep_sa_destroy(ep, sa, now, IKE_DEL_AUTH_FAILED);
        return TASK_DONE;
    }
    remember_peer_id(sa, id);
    ep_qcd_store_peer_token(sa, m, first);
    ha_caps_negotiate(sa, m, first);

    uint8_t idb[4 + sizeof cfg->id], mine[IKE_PRF_MAX], token[QCD_TOKEN_LEN];
    uint8_t ticket[IKE_TICKET_LIFETIME_LEN + IKE_TICKET_MAX];
    size_t idb_len = id_body(cfg->id_type, ep->id, ep->id_len, idb);
    if (auth_value(sa, true, idb, idb_len, mine) != IKE_OK) {
        ep_sa_destroy(ep, sa, now, IKE_DEL_NEGOTIATION);
        return TASK_DONE;
    }
    ike_payload pl[12];
    size_t n = 0;
    pl[n++] = (ike_payload){.type = IKE_PL_IDR, .u.id = {cfg->id_type, {ep->id, ep->id_len}}};
    pl[n++] = (ike_payload){.type = IKE_PL_AUTH, .u.auth = {IKE_AUTH_SHARED_KEY, {mine, sa->keys.prf_len}}};
    n += ep_qcd_own_token(ep, sa, token, &pl[n]);
    n += ha_caps_echo(sa, &pl[n]);

    from = first;
    const ike_payload *sap = ike_find(m, IKE_PL_SA, &from);
    from = first;
    const ike_payload *tsi = ike_find(m, IKE_PL_TSI, &from);
    from = first;
    const ike_payload *tsr = ike_find(m, IKE_PL_TSR, &from);
    const ike_proposal *p;
    ike_props tmp;
    ike_suite suite;
    bool esn;
    if (sap && tsi && tsr && tsi->u.ts.n && tsr->u.ts.n && !cfg->childless) {
        if (ike_props_select(ep_esp_props(ep, &tmp), &sap->u.sa, cfg->prefer_supplied, 0, true, &suite,
                             &esn, &p) &&
            tsi->u.ts.s[0].type == IKE_TS_IPV4_RANGE && tsr->u.ts.s[0].type == IKE_TS_IPV4_RANGE) {
            ike_child *c = &sa->child;
            c->suite = suite;
            c->esn = esn;
            c->spi_in = new_child_spi(sa);
            c->spi_out = get_be32(p->spi);
            c->ts_local = ts_from(&tsr->u.ts.s[0]); /* the initiator's TSr is our side */
            c->ts_remote = ts_from(&tsi->u.ts.s[0]);
            sa->has_child = child_keys(sa, c) == IKE_OK;
        }
        if (sa->has_child) {
            pl[n++] = ike_props_answer(IKE_PROTO_ESP, &sa->child.suite, sa->child.esn, p->num,
                                       sa->child.spi_in);
            pl[n++] = ts_payload(IKE_PL_TSI, &sa->child.ts_remote);
            pl[n++] = ts_payload(IKE_PL_TSR, &sa->child.ts_local);
        } else {
            pl[n++] = ike_pl_notify(IKE_PROTO_NONE, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
        }
    }
    n += resume_ticket_answer(sa, now, m, first, ticket, sizeof ticket, &pl[n]);
    bool ic = ike_find_notify(m, IKE_N_INITIAL_CONTACT) != NULL;
    if (sa_respond(sa, now, IKE_AUTH, mid, pl, n) != IKE_OK) {
        ep_sa_destroy(ep, sa, now, IKE_DEL_NEGOTIATION);
        return TASK_DONE;
    }
    resume_supersede(sa, now);
    sa_established(sa, now);
    if (ic)
        initial_contact(sa, now);
    return TASK_DONE;
}
