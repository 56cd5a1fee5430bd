/* ike_ike_rekey.c — rekeying the IKE SA with CREATE_CHILD_SA (RFC 7296
 * §1.3.2, §2.18), both sides.  The request carries an IKE proposal whose
 * 8-octet SPI is the initiator's new SPI, Ni and KEi in the SA's group; the
 * answer the chosen proposal with the responder's new SPI, Nr and KEr, and a
 * QCD maker's token for the new SPIs (RFC 6290 §4.3).  Both derive
 * SKEYSEED = prf(SK_d(old), g^ir | Ni | Nr), then the keys with the new
 * SPIs.
 *
 * The ike_sa object goes on as the new SA (ike.h): the rekey's initiator
 * becomes its original initiator, Message IDs start at 0, the Child SA and
 * the tasks waiting for the window stay with it.  The old SPIs move to a
 * retired object in ep->retired that finishes the old SA: the initiator
 * sends its Delete (the last request on it, §2.8); the responder answers
 * retransmissions from its cache and the Delete, and drops it after 90 s if
 * none comes (strongSwan's ike_rekey.c does the same).  A maker that
 * initiated the rekey sends its token for the new SPIs in an INFORMATIONAL
 * right after (TASK_QCD_TOKEN, §4.3).
 *
 * Refused with TEMPORARY_FAILURE while another exchange changes the SA
 * (§2.25.2): a Child SA rekey or its Delete under way, a reauthentication
 * (as strongSwan), or any request of ours in flight other than our own IKE
 * SA rekey.  That one collides (§2.8.2, ike_queue.c's table): we answer,
 * and the peer's new SA waits as a retired object (it answers a Delete,
 * refuses other exchanges) until our response weighs both exchanges by
 * their nonces (ike_collide.h).  Won: the object goes on as our new SA, we
 * delete the old one, the peer's new SA waits 30 s for its Delete
 * (strongSwan's HALF_OPEN_IKE_SA_TIMEOUT).  Lost: our new SA is a retired
 * object we delete at once, the object goes on as the peer's new SA, the
 * old one waits for the peer's Delete.  That Delete coming before our
 * response (the peer saw no collision, or ours is late) settles it too:
 * ours is forgotten, the peer's new SA goes on; a refusal of ours does the
 * same.  INVALID_KE_PAYLOAD names the group we
 * want when KEi is in another or missing; the initiator retries with it.
 * With cfg->ike_life set, each end rekeys at its jittered rekey time and a
 * failed rekey is retried 6 to 15 s later; ike_expiry.c deletes an SA
 * that is not rekeyed by its hard expiry (over_time). */
#include <string.h>

#include "ike_ccsa.h"
#include "ike_internal.h"
#include "ike_rekey_keys.h"

#define NS_PER_S 1000000000ull

enum {
    MAX_KE_RETRIES = 2,   /* INVALID_KE_PAYLOAD round trips */
    OLD_SA_WAIT_S = 90,   /* responder: the old SA without its Delete */
    REDUNDANT_WAIT_S = 30, /* a collision's winner: the peer's redundant SA without its Delete */
};

static uint32_t draw(ike_sa *sa)
{
    uint8_t b[4];
    ep_random(sa->ep, b, sizeof b);
    return get_be32(b);
}

static uint64_t spi_of(const ike_proposal *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p->spi[i];
    return v;
}

/* An IKE SA payload with every proposal's SPI set to spi (8 octets). */
static void set_spi(ike_sa_pl *pl, uint64_t spi)
{
    for (size_t i = 0; i < pl->n; i++) {
        pl->p[i].spi_size = IKE_SPI_LEN;
        put_be64(pl->p[i].spi, spi);
    }
}

/* The proposals as ike_proposal.c reads those of IKE_SA_INIT (no SPI). */
static void without_spi(const ike_sa_pl *in, ike_sa_pl *out)
{
    *out = *in;
    for (size_t i = 0; i < out->n; i++)
        out->p[i].spi_size = 0;
}

/* The peer's new SA that crossed our rekey, if it is still there. */
static ike_sa *crossed_sa(const ike_sa *sa)
{
    const ike_sa_rekey *r = sa->ike_rekey;
    if (!r || !r->crossed || !sa->ep->retired)
        return NULL;
    return g_hash_table_lookup(sa->ep->retired, &r->crossed);
}

void ike_rekey_free(ike_sa *sa, uint64_t now)
{
    ike_sa *crossed = crossed_sa(sa);
    if (crossed) { /* goes with ours at its next timer (not here: the caller may be walking ep->retired) */
        crossed->expire_at = now;
        ep_rearm(sa->ep, crossed);
    }
    if (!sa->ike_rekey)
        return;
    ike_dh_free(sa->ike_rekey->dh);
    memset(sa->ike_rekey, 0, sizeof *sa->ike_rekey);
    g_free(sa->ike_rekey);
    sa->ike_rekey = NULL;
}

void ike_rekey_schedule(ike_sa *sa, uint64_t now)
{
    const ike_sa_lifetime *l = &sa->ep->cfg->ike_life;
    if (l->rekey_s == 0 || ep_minimal(sa->ep)) /* RFC 7815 §1: a minimal initiator never rekeys */
        return;
    uint64_t at = ike_sa_times_at(l, now, draw(sa), 0).rekey_at;
    sa->ike_rekey_at = at ? at : IKE_NEVER;
    ep_rearm(sa->ep, sa);
}

/* strongSwan retries a failed rekey after 15 s less up to 9 (ike_sa.h
 * RETRY_INTERVAL, RETRY_JITTER). */
static void retry_later(ike_sa *sa, uint64_t now)
{
    if (sa->ep->cfg->ike_life.rekey_s != 0)
        sa->ike_rekey_at = now + (uint64_t)(15 - draw(sa) % 10) * NS_PER_S;
}

void ike_rekey_due(ike_sa *sa, uint64_t now)
{
    sa->ike_rekey_at = IKE_NEVER;
    if (ike_ep_rekey_ike(sa->ep, sa, now) != IKE_OK)
        retry_later(sa, now);
}

int ike_ep_rekey_ike(ike_ep *ep, ike_sa *sa, uint64_t now)
{
    (void)ep;
    if (sa->state != SA_ESTABLISHED || sa->retired || sa->reauthing || sa->ike_rekey ||
        (sa->pending & 1u << TASK_IKE_REKEY))
        return IKE_E_STATE;
    return queue_add(sa, now, TASK_IKE_REKEY);
}

/* --- the switch to the new SA, both sides --- */

/* An SA of sa's peer that only finishes (a Delete to send or to wait for):
 * in ep->retired under our SPI, every timer unset. */
static ike_sa *retired_new(ike_sa *sa, uint64_t now, bool initiator, uint64_t spi_i, uint64_t spi_r,
                           const ike_suite *suite, const ike_keys *keys)
{
    ike_ep *ep = sa->ep;
    ike_sa *old = ep_sa_new(ep, now, sa->peer, initiator);
    hs_free(old->hs);
    old->hs = NULL;
    old->spi_i = spi_i;
    old->spi_r = spi_r;
    old->local_spi = initiator ? spi_i : spi_r;
    old->state = SA_ESTABLISHED;
    old->suite = *suite;
    old->keys = *keys;
    old->retired = true;
    old->user = sa->user;
    if (!ep->retired)
        ep->retired = g_hash_table_new(g_int64_hash, g_int64_equal);
    g_hash_table_insert(ep->retired, &old->local_spi, old);
    return old;
}

/* The old SA's identity, keys, counters and cached response move to a
 * retired object; it is in ep->retired under the old local SPI. */
static ike_sa *retire(ike_sa *sa, uint64_t now)
{
    ike_ep *ep = sa->ep;
    g_hash_table_remove(ep->sas, &sa->local_spi);
    ike_sa *old = retired_new(sa, now, sa->initiator, sa->spi_i, sa->spi_r, &sa->suite, &sa->keys);
    old->next_mid_out = sa->next_mid_out;
    old->next_mid_in = sa->next_mid_in;
    old->resp = sa->resp;
    old->resp_len = sa->resp_len;
    old->resp_valid = sa->resp_valid;
    old->iv_counter = sa->iv_counter;
    old->last_in = sa->last_in;
    sa->resp = NULL;
    sa->resp_len = 0;
    sa->resp_valid = false;
    if (!old->initiator && ep_responder_lookup(ep, old->peer, old->spi_i) == sa)
        ep_responder_index(ep, old); /* IKE_SA_INIT duplicates name the old SPIs */
    return old;
}

/* sa becomes the new SA: we_initiated (this rekey) makes us its original
 * initiator (§2.18); our_spi is already drawn, peer_spi the peer's; the new
 * SA's retired object `answered` (a crossed rekey's), if any, hands over
 * what it answered meanwhile.  Returns the old SA's retired object. */
static ike_sa *become_new(ike_sa *sa, uint64_t now, bool we_initiated, uint64_t our_spi, uint64_t peer_spi,
                       const ike_suite *suite, const ike_keys *keys, ike_sa *answered)
{
    ike_ep *ep = sa->ep;
    ike_event ev = {.now = now, .old_spi_i = sa->spi_i, .old_spi_r = sa->spi_r,
                    .child = sa->has_child ? &sa->child : NULL};
    ike_sa *old = retire(sa, now);
    sa->initiator = we_initiated;
    sa->spi_i = we_initiated ? our_spi : peer_spi;
    sa->spi_r = we_initiated ? peer_spi : our_spi;
    sa->local_spi = our_spi;
    g_hash_table_insert(ep->sas, &sa->local_spi, sa);
    sa->suite = *suite;
    sa->keys = *keys;
    sa->next_mid_out = sa->next_mid_in = 0; /* §2.18 */
    sa->iv_counter = 0;                     /* a new key: GCM IVs start afresh */
    sa->last_in = now;
    /* RFC 6311: the capabilities carry over, the counters of the old SA do not */
    sa->ha = (ike_ha){.m_seen = -1, .mid_sync = sa->ha.mid_sync, .replay_sync = sa->ha.replay_sync};
    /* a QCD token belongs to the old SPIs (RFC 6290 §4.3): the new one comes with the rekey */
    g_free(sa->peer_token);
    sa->peer_token = NULL;
    sa->peer_token_len = 0;
    if (answered) { /* its Message IDs, GCM IVs, cached answer and the peer's QCD token */
        sa->next_mid_in = answered->next_mid_in;
        sa->iv_counter = answered->iv_counter;
        sa->resp = answered->resp;
        sa->resp_len = answered->resp_len;
        sa->resp_valid = answered->resp_valid;
        answered->resp = NULL;
        sa->peer_token = answered->peer_token;
        sa->peer_token_len = answered->peer_token_len;
        answered->peer_token = NULL;
    }
    ep_emit(ep, IKE_EV_SA_REKEYED, sa, &ev);
    if (we_initiated) {
        delete_start(old, now); /* the old SA's last request */
    } else {
        old->expire_at = now + OLD_SA_WAIT_S * NS_PER_S;
    }
    ep_rearm(ep, old);
    ike_rekey_schedule(sa, now);
    ike_expiry_schedule(sa, now);
    return old;
}

/* sa becomes the peer's new SA that crossed our rekey (§2.8.2), its
 * retired object peer_new goes; returns the old SA's, which waits for the
 * peer's Delete. */
static ike_sa *adopt(ike_sa *sa, uint64_t now, ike_sa *peer_new)
{
    ike_ep *ep = sa->ep;
    sa->ike_rekey->crossed = 0;
    g_hash_table_remove(ep->retired, &peer_new->local_spi);
    ike_sa *old = become_new(sa, now, false, peer_new->local_spi, peer_new->spi_i, &peer_new->suite, &peer_new->keys,
                             peer_new);
    ep_sa_destroy(ep, peer_new, now, IKE_DEL_LOCAL); /* in no table: no event */
    ike_rekey_free(sa, now);
    return old;
}

bool ike_rekey_crossed_delete(ike_sa *sa, uint64_t now)
{
    ike_sa *peer_new = crossed_sa(sa);
    if (!peer_new)
        return false;
    queue_abandon(sa, now); /* §2.8.2: our rekey is forgotten */
    ep_sa_destroy(sa->ep, adopt(sa, now, peer_new), now, IKE_DEL_PEER_DELETE);
    queue_run(sa, now);
    ep_rearm(sa->ep, sa);
    return true;
}

/* --- initiator --- */

static int send_request(ike_sa *sa, uint64_t now)
{
    ike_sa_rekey *r = sa->ike_rekey;
    uint8_t rand[IKE_DH_PRIV_RAND], ke[IKE_MAX_KE];
    size_t ke_len = ike_dh_ke_len(r->group);
    ike_dh_free(r->dh);
    r->dh = NULL;
    ep_random(sa->ep, rand, ike_dh_priv_len(r->group));
    int rc = ike_dh_new(r->group, rand, &r->dh);
    memset(rand, 0, sizeof rand);
    if (rc == IKE_OK)
        rc = ike_dh_public(r->dh, ke, ke_len);
    if (rc != IKE_OK)
        return rc;
    ike_props tmp;
    ike_payload prop = ike_props_payload(ep_ike_props(sa->ep, &tmp), r->group, 0);
    set_spi(&prop.u.sa, r->spi);
    ike_ccsa c = {.kind = IKE_CCSA_REKEY_IKE, .sa = &prop.u.sa, .nonce = {r->nonce, IKE_NONCE_LEN},
                  .ke_group = r->group, .ke = {ke, ke_len}};
    ike_payload pl[IKE_CCSA_MAX_PAYLOADS];
    size_t n;
    rc = ike_ccsa_build(&c, false, pl, IKE_CCSA_MAX_PAYLOADS, &n);
    return rc ? rc : sa_start_request(sa, now, TASK_IKE_REKEY, IKE_CREATE_CHILD_SA, pl, n);
}

static void give_up(ike_sa *sa, uint64_t now)
{
    ike_rekey_free(sa, now);
    retry_later(sa, now);
    queue_run(sa, now);
    ep_rearm(sa->ep, sa);
}

int ike_rekey_start(ike_sa *sa, uint64_t now)
{
    /* §2.25.2: not while a Child SA rekey waits for its Delete */
    uint64_t spi = sa->rekey || sa->state != SA_ESTABLISHED ? 0 : ep_draw_spi(sa->ep);
    if (spi == 0) {
        give_up(sa, now);
        return IKE_E_STATE;
    }
    sa->ike_rekey = g_new0(ike_sa_rekey, 1);
    ike_sa_rekey *r = sa->ike_rekey;
    r->spi = spi;
    r->group = sa->suite.dh;
    ep_random(sa->ep, r->nonce, IKE_NONCE_LEN);
    int rc = send_request(sa, now);
    if (rc != IKE_OK)
        give_up(sa, now);
    return rc;
}

/* The new SA's keys from the response c; false if it is no usable answer. */
static bool accept(ike_sa *sa, const ike_ccsa *c, ike_suite *suite, uint64_t *peer_spi, ike_keys *keys)
{
    ike_sa_rekey *r = sa->ike_rekey;
    ike_props tmp;
    ike_sa_pl bare;
    const ike_proposal *p;
    bool esn;
    if (c->kind != IKE_CCSA_REKEY_IKE)
        return false;
    without_spi(c->sa, &bare);
    if (!ike_props_accept(ep_ike_props(sa->ep, &tmp), &bare, suite, &esn, &p) || suite->dh != r->group ||
        c->ke_group != r->group || c->ke.len != ike_dh_ke_len(r->group))
        return false;
    *peer_spi = spi_of(&c->sa->p[0]);
    if (*peer_spi == 0)
        return false;
    uint8_t gir[IKE_MAX_SHARED];
    size_t gir_len;
    int rc = ike_dh_shared(r->dh, c->ke.p, c->ke.len, gir, sizeof gir, &gir_len);
    if (rc == IKE_OK)
        rc = ike_rekey_ike_keys_with(sa->suite.prf, suite, sa->keys.d, gir, gir_len, r->nonce, IKE_NONCE_LEN,
                                     c->nonce.p, c->nonce.len, r->spi, *peer_spi, keys);
    memset(gir, 0, sizeof gir);
    return rc == IKE_OK;
}

/* The peer's new SA goes on (its rekey crossed ours, which failed or lost). */
static void adopt_crossed(ike_sa *sa, uint64_t now, ike_sa *peer_new)
{
    ike_sa *old = adopt(sa, now, peer_new);
    old->expire_at = now + OLD_SA_WAIT_S * NS_PER_S;
    ep_rearm(sa->ep, old);
    queue_run(sa, now);
    ep_rearm(sa->ep, sa);
}

void ike_rekey_on_response(ike_sa *sa, uint64_t now, const ike_rx *rx)
{
    ike_sa_rekey *r = sa->ike_rekey;
    sa_request_done(sa, now);
    ike_sa *peer_new = crossed_sa(sa);
    ike_ccsa c;
    if (r == NULL || ike_ccsa_read(rx->m, rx->first, true, &c) != IKE_OK) {
        queue_free(sa);
        if (peer_new)
            adopt_crossed(sa, now, peer_new);
        else
            give_up(sa, now);
        return;
    }
    ike_props tmp;
    if (!peer_new && c.error == IKE_N_INVALID_KE_PAYLOAD && c.error_group != r->group &&
        ike_props_has_dh(ep_ike_props(sa->ep, &tmp), c.error_group) && ++r->retries <= MAX_KE_RETRIES) {
        r->group = c.error_group; /* §1.3.2: again with the group the responder wants */
        if (send_request(sa, now) != IKE_OK)
            give_up(sa, now);
        return;
    }
    ike_suite suite;
    ike_keys keys;
    uint64_t peer_spi;
    uint64_t our_spi = r->spi;
    bool ok = c.error == 0 && accept(sa, &c, &suite, &peer_spi, &keys) &&
              !g_hash_table_contains(sa->ep->sas, &our_spi); /* still free (a race of 2^-64) */
    ike_collision verdict = IKE_COLLISION_WON;
    bool lost = ok && queue_collision(sa, TASK_IKE_REKEY, r->nonce, IKE_NONCE_LEN, c.nonce.p, c.nonce.len, &verdict) &&
                peer_new && verdict == IKE_COLLISION_LOST;
    queue_free(sa);
    if (peer_new && (!ok || lost)) {
        /* §2.8.2: the peer's new SA goes on; ours, if made, was never used and we delete it */
        if (ok) {
            ike_sa *ours = retired_new(sa, now, true, our_spi, peer_spi, &suite, &keys);
            delete_start(ours, now);
            ep_rearm(sa->ep, ours);
        }
        memset(&keys, 0, sizeof keys);
        adopt_crossed(sa, now, peer_new);
        return;
    }
    if (!ok) { /* refused or unusable: the old SA stays */
        give_up(sa, now);
        return;
    }
    if (peer_new) { /* won: the peer deletes its new SA */
        r->crossed = 0;
        peer_new->expire_at = now + REDUNDANT_WAIT_S * NS_PER_S;
        ep_rearm(sa->ep, peer_new);
    }
    ike_rekey_free(sa, now);
    become_new(sa, now, true, our_spi, peer_spi, &suite, &keys, NULL);
    ep_qcd_store_peer_token(sa, rx->m, rx->first);
    memset(&keys, 0, sizeof keys);
    if (ep_qcd_maker(sa->ep))
        sa->pending |= 1u << TASK_QCD_TOKEN; /* our token for the new SPIs */
    queue_run(sa, now);
    ep_rearm(sa->ep, sa);
}

/* --- responder --- */

static task_verdict refuse(ike_reply *reply, uint16_t type, uint16_t group)
{
    if (reply->n < IKE_REPLY_MAX) {
        reply->pl[reply->n] = ike_ccsa_refusal(type, group, IKE_PROTO_NONE, 0, reply->data[reply->n]);
        reply->n++;
    }
    return TASK_CONTINUE;
}

task_verdict ike_rekey_on_request(ike_sa *sa, uint64_t now, const ike_rx *rx, ike_reply *reply)
{
    if (!ike_ccsa_rekeys_ike(rx->m, rx->first))
        return TASK_CONTINUE; /* a Child SA's: TASK_CHILD_SA's */
    /* crossing our own rekey: answered once, weighed when our response comes */
    bool collide = queue_crossing(sa, TASK_IKE_REKEY) == QUEUE_COLLIDE && sa->ike_rekey && !sa->ike_rekey->crossed;
    if (queue_crossing(sa, TASK_IKE_REKEY) == QUEUE_REFUSE || (sa->req.active && !collide) || sa->retired ||
        sa->state != SA_ESTABLISHED || sa->reauthing || sa->rekey)
        return refuse(reply, IKE_N_TEMPORARY_FAILURE, 0);
    const ike_cfg *cfg = sa->ep->cfg;
    ike_ccsa c;
    int rc = ike_ccsa_read(rx->m, rx->first, false, &c);
    ike_props tmp;
    ike_sa_pl bare;
    const ike_proposal *p;
    ike_suite suite;
    bool esn;
    const ike_payload *sap = ike_find(rx->m, IKE_PL_SA, &(size_t){rx->first});
    without_spi(&sap->u.sa, &bare);
    uint16_t ke_group = rc == IKE_OK ? c.ke_group : 0;
    if (!ike_props_select(ep_ike_props(sa->ep, &tmp), &bare, cfg->prefer_supplied, ke_group, false, &suite, &esn,
                          &p))
        return refuse(reply, IKE_N_NO_PROPOSAL_CHOSEN, 0);
    bool has_ke = ike_find(rx->m, IKE_PL_KE, &(size_t){rx->first}) != NULL;
    if (!has_ke || (rc == IKE_OK && c.ke_group != suite.dh))
        return refuse(reply, IKE_N_INVALID_KE_PAYLOAD, suite.dh); /* §1.3.2 */
    uint64_t peer_spi = rc == IKE_OK ? spi_of(&c.sa->p[p - bare.p]) : 0;
    if (rc != IKE_OK || peer_spi == 0)
        return refuse(reply, IKE_N_NO_PROPOSAL_CHOSEN, 0);
    if (c.ke.len != ike_dh_ke_len(suite.dh))
        return refuse(reply, IKE_N_INVALID_SYNTAX, 0);

    uint64_t our_spi = ep_draw_spi(sa->ep);
    uint8_t nr[IKE_NONCE_LEN], rand[IKE_DH_PRIV_RAND], ke[IKE_MAX_KE], gir[IKE_MAX_SHARED];
    size_t ke_len = ike_dh_ke_len(suite.dh), gir_len = 0;
    ike_dh *dh = NULL;
    ike_keys keys;
    ep_random(sa->ep, nr, sizeof nr);
    ep_random(sa->ep, rand, ike_dh_priv_len(suite.dh));
    rc = our_spi == 0 ? IKE_E_CRYPTO : ike_dh_new(suite.dh, rand, &dh);
    if (rc == IKE_OK)
        rc = ike_dh_public(dh, ke, ke_len);
    if (rc == IKE_OK)
        rc = ike_dh_shared(dh, c.ke.p, c.ke.len, gir, sizeof gir, &gir_len);
    if (rc == IKE_OK)
        rc = ike_rekey_ike_keys_with(sa->suite.prf, &suite, sa->keys.d, gir, gir_len, c.nonce.p, c.nonce.len, nr,
                                     sizeof nr, peer_spi, our_spi, &keys);
    ike_dh_free(dh);
    memset(rand, 0, sizeof rand);
    memset(gir, 0, sizeof gir);
    if (rc != IKE_OK)
        return refuse(reply, IKE_N_NO_PROPOSAL_CHOSEN, 0);

    ike_payload prop = ike_props_answer(IKE_PROTO_IKE, &suite, false, p->num, 0);
    set_spi(&prop.u.sa, our_spi);
    ike_ccsa answer = {.kind = IKE_CCSA_REKEY_IKE, .sa = &prop.u.sa, .nonce = {nr, sizeof nr},
                       .ke_group = suite.dh, .ke = {ke, ke_len}};
    size_t n;
    uint8_t token[QCD_TOKEN_LEN];
    if (reply->n + IKE_CCSA_MAX_PAYLOADS + 1 > IKE_REPLY_MAX ||
        ike_ccsa_build(&answer, true, reply->pl + reply->n, IKE_CCSA_MAX_PAYLOADS, &n) != IKE_OK) {
        memset(&keys, 0, sizeof keys);
        return refuse(reply, IKE_N_NO_PROPOSAL_CHOSEN, 0);
    }
    reply->n += n;
    if (ep_qcd_maker(sa->ep) && qcd_token(cfg->qcd.secrets->cur, peer_spi, our_spi, token) == IKE_OK)
        reply->pl[reply->n++] = ike_pl_notify(IKE_PROTO_NONE, IKE_N_QCD_TOKEN, token, QCD_TOKEN_LEN);
    /* the answer goes out on the old SA, then the object is the new one */
    sa_respond(sa, now, IKE_CREATE_CHILD_SA, rx->h->msg_id, reply->pl, reply->n);
    if (collide) {
        retired_new(sa, now, false, peer_spi, our_spi, &suite, &keys);
        sa->ike_rekey->crossed = our_spi;
        queue_collided(sa, TASK_IKE_REKEY, c.nonce.p, c.nonce.len, nr, sizeof nr);
        memset(&keys, 0, sizeof keys);
        return TASK_DONE;
    }
    become_new(sa, now, false, our_spi, peer_spi, &suite, &keys, NULL);
    memset(&keys, 0, sizeof keys);
    queue_run(sa, now);
    ep_rearm(sa->ep, sa);
    return TASK_DONE;
}

/* --- TASK_QCD_TOKEN: the rekey initiator's token for the new SPIs --- */

int qcd_token_start(ike_sa *sa, uint64_t now)
{
    uint8_t token[QCD_TOKEN_LEN];
    ike_payload n;
    if (ep_qcd_own_token(sa->ep, sa, token, &n) == 0) {
        queue_run(sa, now);
        return IKE_E_STATE;
    }
    return sa_start_request(sa, now, TASK_QCD_TOKEN, IKE_INFORMATIONAL, &n, 1);
}

void qcd_token_on_response(ike_sa *sa, uint64_t now, const ike_rx *rx)
{
    (void)rx;
    sa_request_done(sa, now);
    queue_run(sa, now);
    ep_rearm(sa->ep, sa);
}

/* A taker keeps a token an INFORMATIONAL brings (RFC 6290 §4.3). */
task_verdict qcd_token_on_request(ike_sa *sa, uint64_t now, const ike_rx *rx, ike_reply *reply)
{
    (void)now, (void)reply;
    ep_qcd_store_peer_token(sa, rx->m, rx->first); /* a crossed rekey's new SA may get it before it goes on */
    return TASK_CONTINUE;
}
