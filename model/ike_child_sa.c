/* ike_child_sa.c — CREATE_CHILD_SA (RFC 7296 §1.3): rekeying the Child SA,
 * both sides, and deleting the SA it replaced (§2.8).  No PFS: KEYMAT =
 * prf+(SK_d, Ni | Nr) with this exchange's nonces, the keys from its
 * initiator to its responder first (§2.17).  Any other request (a new Child
 * SA, an IKE SA rekey, one that does not read as a payload set) is still
 * refused with NO_PROPOSAL_CHOSEN: the SA it asked for is not created, the
 * IKE SA stays up.  Not yet: rekey collisions (a peer's rekey while ours is
 * under way is answered TEMPORARY_FAILURE, not resolved by §2.8.1's nonces),
 * the replaced SA's Delete lost for good, the Child SA's hard lifetime.
 * With cfg->child_life set, each end rekeys at its jittered rekey time. */
#include <string.h>

#include "ike_ccsa.h"
#include "ike_internal.h"
#include "ike_rekey_keys.h"

/* The new Child SA's keys; we_initiated: of this CREATE_CHILD_SA exchange. */
static int rekey_keys(ike_sa *sa, ike_child *c, bool we_initiated, const uint8_t *ni, size_t ni_len,
                      const uint8_t *nr, size_t nr_len)
{
    size_t e = ike_encr_key_len(&c->suite), i = ike_integ_key_len(&c->suite);
    uint8_t km[2 * (IKE_MAX_KEY + IKE_PRF_MAX)];
    int rc = ike_child_keymat(sa->suite.prf, sa->keys.d, ni, ni_len, nr, nr_len, km, 2 * (e + i));
    if (rc != IKE_OK)
        return rc;
    const uint8_t *out = we_initiated ? km : km + e + i, *in = we_initiated ? km + e + i : km;
    memcpy(c->key_out, out, e);
    memcpy(c->integ_out, out + e, i);
    memcpy(c->key_in, in, e);
    memcpy(c->integ_in, in + e, i);
    memset(km, 0, sizeof km);
    return IKE_OK;
}

/* The new Child SA takes the place of the old, which stays indexed inbound. */
static void install(ike_sa *sa, uint64_t now, const ike_child *fresh)
{
    ike_rekey *r = sa->rekey;
    r->old = sa->child;
    r->has_old = true;
    sa->child = *fresh;
    ep_child_index(sa->ep, sa, true);
    ike_event ev = {.now = now, .child = &sa->child};
    ep_emit(sa->ep, IKE_EV_CHILD_ESTABLISHED, sa, &ev);
    child_rekey_schedule(sa, now);
}

static uint32_t draw(ike_sa *sa)
{
    uint8_t b[4];
    ep_random(sa->ep, b, sizeof b);
    return get_be32(b);
}

void child_rekey_schedule(ike_sa *sa, uint64_t now)
{
    const ike_child_lifetime *l = &sa->ep->cfg->child_life;
    if (l->rekey_s == 0 || ep_minimal(sa->ep))
        return;
    uint32_t in = draw(sa), out = draw(sa);
    uint64_t at = ike_child_times_at(l, now, in, out).rekey_at;
    sa->rekey_at = at ? at : IKE_NEVER;
    ep_rearm(sa->ep, sa);
}

/* strongSwan retries a failed rekey after 15 s less up to 9 (ike_sa.h
 * RETRY_INTERVAL, RETRY_JITTER). */
static void retry_later(ike_sa *sa, uint64_t now)
{
    if (sa->ep->cfg->child_life.rekey_s != 0)
        sa->rekey_at = now + (uint64_t)(15 - draw(sa) % 10) * 1000000000u;
}

void child_rekey_due(ike_sa *sa, uint64_t now)
{
    sa->rekey_at = IKE_NEVER;
    if (ike_ep_rekey_child(sa->ep, sa, now) != IKE_OK)
        retry_later(sa, now);
}

static void forget_old(ike_sa *sa)
{
    ike_rekey *r = sa->rekey;
    gpointer key = GUINT_TO_POINTER(r->old.spi_in);
    if (r->has_old && r->old.spi_in != sa->child.spi_in && ep_map_lookup(&sa->ep->child_in, key) == sa)
        ep_map_remove(&sa->ep->child_in, key);
    memset(r, 0, sizeof *r);
    g_free(r);
    sa->rekey = NULL;
}

void child_rekey_free(ike_sa *sa)
{
    if (sa->rekey)
        forget_old(sa);
}

int ike_ep_rekey_child(ike_ep *ep, ike_sa *sa, uint64_t now)
{
    if (!ike_sa_established(sa) || !sa->has_child || sa->rekey || !minimal_may_initiate(ep, TASK_CHILD_SA))
        return IKE_E_STATE;
    sa->rekey = g_new0(ike_rekey, 1);
    return queue_add(sa, now, TASK_CHILD_SA);
}

/* --- initiator --- */

int child_rekey_start(ike_sa *sa, uint64_t now)
{
    ike_rekey *r = sa->rekey;
    if (r == NULL || !sa->has_child)
        return IKE_E_STATE;
    ep_random(sa->ep, r->nonce, IKE_NONCE_LEN);
    r->spi_in = new_child_spi(sa);
    ike_props tmp;
    ike_payload prop = ike_props_payload(ep_esp_props(sa->ep, &tmp), 0, r->spi_in);
    ike_payload tsi = ts_payload(IKE_PL_TSI, &sa->child.ts_local);
    ike_payload tsr = ts_payload(IKE_PL_TSR, &sa->child.ts_remote);
    /* §1.3.3: REKEY_SA names the SA by the SPI we receive on */
    ike_ccsa c = {.kind = IKE_CCSA_REKEY_CHILD, .rekey_proto = IKE_PROTO_ESP, .rekey_spi = sa->child.spi_in,
                  .sa = &prop.u.sa, .nonce = {r->nonce, IKE_NONCE_LEN}, .tsi = &tsi.u.ts, .tsr = &tsr.u.ts};
    ike_payload pl[IKE_CCSA_MAX_PAYLOADS];
    size_t n;
    int rc = ike_ccsa_build(&c, false, pl, IKE_CCSA_MAX_PAYLOADS, &n);
    return rc ? rc : sa_start_request(sa, now, TASK_CHILD_SA, IKE_CREATE_CHILD_SA, pl, n);
}

void child_sa_on_response(ike_sa *sa, uint64_t now, const ike_rx *rx)
{
    ike_rekey *r = sa->rekey;
    sa_request_done(sa, now);
    ike_ccsa c;
    const ike_proposal *p;
    ike_props tmp;
    ike_suite suite;
    bool esn;
    ike_child fresh = sa->child;
    bool ok = r != NULL && sa->has_child && ike_ccsa_read(rx->m, rx->first, true, &c) == IKE_OK &&
              c.error == 0 && c.kind == IKE_CCSA_NEW_CHILD && c.ke.len == 0 &&
              ike_props_accept(ep_esp_props(sa->ep, &tmp), c.sa, &suite, &esn, &p);
    if (ok) {
        fresh.suite = suite;
        fresh.esn = esn;
        fresh.spi_in = r->spi_in;
        fresh.spi_out = get_be32(p->spi);
        ok = rekey_keys(sa, &fresh, true, r->nonce, IKE_NONCE_LEN, c.nonce.p, c.nonce.len) == IKE_OK;
    }
    if (!ok) { /* refused or unusable: the old Child SA stays (§1.3.1) */
        child_rekey_free(sa);
        retry_later(sa, now);
    } else {
        install(sa, now, &fresh);
        queue_add(sa, now, TASK_CHILD_DELETE); /* §2.8: the rekey's initiator deletes the old SA */
    }
    memset(&fresh, 0, sizeof fresh);
    queue_run(sa, now);
    ep_rearm(sa->ep, sa);
}

int child_delete_start(ike_sa *sa, uint64_t now)
{
    ike_rekey *r = sa->rekey;
    if (r == NULL || !r->has_old)
        return IKE_E_STATE;
    uint8_t spi[4];
    put_be32(spi, r->old.spi_in); /* §3.11: the SPI we receive on */
    ike_payload d = {.type = IKE_PL_DELETE, .u.del = {IKE_PROTO_ESP, 4, 1, {spi, 4}}};
    return sa_start_request(sa, now, TASK_CHILD_DELETE, IKE_INFORMATIONAL, &d, 1);
}

void child_delete_on_response(ike_sa *sa, uint64_t now, const ike_rx *rx)
{
    (void)rx; /* with or without the peer's half (§1.4.1), the old SA is gone */
    sa_request_done(sa, now);
    child_rekey_free(sa);
    queue_run(sa, now);
    ep_rearm(sa->ep, sa);
}

/* --- responder --- */

bool child_rekey_deleted(ike_sa *sa, uint32_t spi_out, uint32_t *spi_in)
{
    ike_rekey *r = sa->rekey;
    if (r == NULL || !r->has_old || r->old.spi_out != spi_out)
        return false;
    *spi_in = r->old.spi_in;
    forget_old(sa);
    return true;
}

static task_verdict refuse(ike_reply *reply, uint16_t type, uint32_t spi)
{
    uint8_t *buf = reply->data[reply->n];
    reply->pl[reply->n] = ike_ccsa_refusal(type, 0, IKE_PROTO_ESP, spi, buf);
    reply->n++;
    return TASK_CONTINUE;
}

task_verdict child_sa_on_request(ike_sa *sa, uint64_t now, const ike_rx *rx, ike_reply *reply)
{
    const ike_cfg *cfg = sa->ep->cfg;
    ike_ccsa c;
    /* what is not a Child SA rekey (or does not read as one) is not served */
    if (ike_ccsa_read(rx->m, rx->first, false, &c) != IKE_OK || c.kind != IKE_CCSA_REKEY_CHILD)
        return refuse(reply, IKE_N_NO_PROPOSAL_CHOSEN, 0);
    /* §2.25: an SA we do not have; one whose rekey is already under way */
    if (!sa->has_child || c.rekey_proto != IKE_PROTO_ESP || c.rekey_spi != sa->child.spi_out)
        return refuse(reply, IKE_N_CHILD_SA_NOT_FOUND, c.rekey_spi);
    if (sa->rekey)
        return refuse(reply, IKE_N_TEMPORARY_FAILURE, 0);
    const ike_proposal *p;
    ike_props tmp;
    ike_suite suite;
    bool esn;
    if (c.ke.len > 0 || !ike_props_select(ep_esp_props(sa->ep, &tmp), c.sa, cfg->prefer_supplied, 0, true,
                                          &suite, &esn, &p))
        return refuse(reply, IKE_N_NO_PROPOSAL_CHOSEN, 0);
    sa->rekey = g_new0(ike_rekey, 1);
    ike_rekey *r = sa->rekey;
    ep_random(sa->ep, r->nonce, IKE_NONCE_LEN);
    ike_child fresh = sa->child;
    fresh.suite = suite;
    fresh.esn = esn;
    fresh.spi_in = new_child_spi(sa);
    fresh.spi_out = get_be32(p->spi);
    if (rekey_keys(sa, &fresh, false, c.nonce.p, c.nonce.len, r->nonce, IKE_NONCE_LEN) != IKE_OK) {
        child_rekey_free(sa);
        return refuse(reply, IKE_N_NO_PROPOSAL_CHOSEN, 0);
    }
    /* §2.8: inbound on the new SA before the response leaves */
    install(sa, now, &fresh);
    memset(&fresh, 0, sizeof fresh);
    ike_payload prop = ike_props_answer(IKE_PROTO_ESP, &sa->child.suite, sa->child.esn, p->num, sa->child.spi_in);
    ike_payload tsi = ts_payload(IKE_PL_TSI, &sa->child.ts_remote);
    ike_payload tsr = ts_payload(IKE_PL_TSR, &sa->child.ts_local);
    ike_ccsa answer = {.kind = IKE_CCSA_REKEY_CHILD, .sa = &prop.u.sa, .nonce = {r->nonce, IKE_NONCE_LEN},
                       .tsi = &tsi.u.ts, .tsr = &tsr.u.ts};
    size_t n;
    if (reply->n + IKE_CCSA_MAX_PAYLOADS > IKE_REPLY_MAX ||
        ike_ccsa_build(&answer, true, reply->pl + reply->n, IKE_CCSA_MAX_PAYLOADS, &n) != IKE_OK)
        return TASK_CONTINUE;
    reply->n += n;
    return TASK_CONTINUE;
}
