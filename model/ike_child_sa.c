/* ike_child_sa.c — CREATE_CHILD_SA (RFC 7296 §1.3): rekeying the Child SA,
 * both sides, and deleting the SA it replaced (§2.8).  KEYMAT =
 * prf+(SK_d, [g^ir |] Ni | Nr) with this exchange's nonces (g^ir with
 * cfg->child_pfs: KEi/KEr in the esp suite's group, an INVALID_KE_PAYLOAD
 * answer retried at once in the group it names), the keys from its
 * initiator to its responder first (§2.17).  A rekey answered
 * CHILD_SA_NOT_FOUND (§2.25: the peer lost the SA, say deleted it and its
 * Delete was lost) removes the Child SA and asks at once for a new one
 * with the same traffic selectors, a CREATE_CHILD_SA without REKEY_SA
 * (strongSwan's child_rekey does so); TEMPORARY_FAILURE to that is retried
 * 6 to 15 s later, any other refusal leaves the IKE SA without a Child SA.
 * This model keeps one Child SA per IKE SA: a request for a new one is
 * served while there is none and refused with NO_ADDITIONAL_SAS otherwise;
 * one that does not read as a payload set gets NO_PROPOSAL_CHOSEN, and the
 * IKE SA stays up either way.
 *
 * The initiator sends on the new SA once it has the answer; the responder
 * installs it inbound before answering and keeps sending on the old one
 * until the old one's Delete arrives (strongSwan since 5.8).  The replaced
 * SA stays inbound until that Delete is done.  Both ends rekeying at once
 * (§2.8.1): each answers the other's request, ike_queue.c weighs the two
 * exchanges by their nonces, and the side whose exchange holds the lowest
 * nonce deletes the SA its own exchange made (never used), the other side
 * deletes the old one.  With cfg->child_life set, each end rekeys at its
 * jittered rekey time and deletes a Child SA still unrekeyed at its hard
 * lifetime. */
#include <string.h>

#include "ike_ccsa.h"
#include "ike_internal.h"
#include "ike_rekey_keys.h"

/* The new Child SA's keys; we_initiated: of this CREATE_CHILD_SA exchange;
 * gir: g^ir of its key exchange (gir_len 0: none). */
static int rekey_keys(ike_sa *sa, ike_child *c, bool we_initiated, const uint8_t *gir, size_t gir_len,
                      const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len)
{
    size_t e = ike_encr_key_len(&c->suite), i = ike_integ_key_len(&c->suite);
    uint8_t km[2 * (IKE_MAX_KEY + IKE_PRF_MAX)];
    int rc = gir_len ? ike_child_keymat_pfs(sa->keys.d, gir, gir_len, ni, ni_len, nr, nr_len, km, 2 * (e + i))
                     : ike_child_keymat(sa->suite.prf, sa->keys.d, ni, ni_len, nr, nr_len, km, 2 * (e + i));
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

static uint32_t draw(ike_sa *sa)
{
    uint8_t b[4];
    ep_random(sa->ep, b, sizeof b);
    return get_be32(b);
}

/* --- PFS --- */

static uint16_t pfs_group(const ike_ep *ep)
{
    return ep->cfg->esp.dh ? ep->cfg->esp.dh : ep->cfg->ike.dh;
}

/* A fresh key pair of group; its public value into ke (ike_dh_ke_len). */
static ike_dh *key_pair(ike_sa *sa, uint16_t group, uint8_t *ke)
{
    uint8_t rnd[IKE_MAX_KE];
    size_t n = ike_dh_priv_len(group);
    ike_dh *dh = NULL;
    if (n == 0 || n > sizeof rnd)
        return NULL;
    ep_random(sa->ep, rnd, n);
    if (ike_dh_new(group, rnd, &dh) != IKE_OK || ike_dh_public(dh, ke, ike_dh_ke_len(group)) != IKE_OK) {
        ike_dh_free(dh);
        dh = NULL;
    }
    memset(rnd, 0, sizeof rnd);
    return dh;
}

/* Every proposal of an ESP SA payload offers (or the answer names) group. */
static void add_group(ike_sa_pl *sa, uint16_t group)
{
    for (size_t i = 0; i < sa->n; i++)
        if (sa->p[i].n_transforms < IKE_MAX_TRANSFORMS)
            sa->p[i].t[sa->p[i].n_transforms++] = (ike_transform){IKE_TT_DH, group, 0, false};
}

static bool lists_group(const ike_proposal *p, uint16_t group)
{
    for (size_t i = 0; i < p->n_transforms; i++)
        if (p->t[i].type == IKE_TT_DH && p->t[i].id == group)
            return true;
    return false;
}

static void drop_key_pair(ike_rekey *r)
{
    if (r && r->dh) {
        ike_dh_free(r->dh);
        r->dh = NULL;
    }
}

static void timer_set(ike_sa *sa)
{
    sa->rekey_at = sa->child_rekey_at < sa->child_expire_at ? sa->child_rekey_at : sa->child_expire_at;
    ep_rearm(sa->ep, sa);
}

void child_rekey_schedule(ike_sa *sa, uint64_t now)
{
    const ike_child_lifetime *l = &sa->ep->cfg->child_life;
    if ((l->rekey_s == 0 && l->life_s == 0) || ep_minimal(sa->ep))
        return;
    uint32_t in = draw(sa), out = draw(sa);
    ike_sa_times t = ike_child_times_at(l, now, in, out);
    sa->child_rekey_at = t.rekey_at ? t.rekey_at : IKE_NEVER;
    sa->child_expire_at = t.expire_at ? t.expire_at : IKE_NEVER;
    timer_set(sa);
}

/* strongSwan retries a failed rekey (and a new Child SA refused with
 * TEMPORARY_FAILURE) after 15 s less up to 9 (ike_sa.h RETRY_INTERVAL,
 * RETRY_JITTER). */
static void retry_at(ike_sa *sa, uint64_t now)
{
    sa->child_rekey_at = now + (uint64_t)(15 - draw(sa) % 10) * 1000000000u;
    timer_set(sa);
}

static void retry_later(ike_sa *sa, uint64_t now)
{
    if (sa->ep->cfg->child_life.rekey_s != 0)
        retry_at(sa, now);
}

static ike_rekey *rekey_state(ike_sa *sa)
{
    if (!sa->rekey)
        sa->rekey = g_new0(ike_rekey, 1);
    return sa->rekey;
}

/* Nothing left to do: the state goes. */
static void settle(ike_sa *sa)
{
    ike_rekey *r = sa->rekey;
    if (r && !r->sent && !r->delete_spi && !r->n_retiring) {
        drop_key_pair(r);
        memset(r, 0, sizeof *r);
        g_free(r);
        sa->rekey = NULL;
    }
}

static void index_spi(ike_sa *sa, uint32_t spi, bool add)
{
    gpointer key = GUINT_TO_POINTER(spi);
    if (add)
        ep_map_replace(&sa->ep->child_in, key, sa);
    else if (ep_map_lookup(&sa->ep->child_in, key) == sa)
        ep_map_remove(&sa->ep->child_in, key);
}

static void removed(ike_sa *sa, uint64_t now, const ike_child *c, ike_del_reason why)
{
    ike_event ev = {.now = now, .child = c, .reason = why};
    ep_emit(sa->ep, IKE_EV_CHILD_REMOVED, sa, &ev);
}

/* The retiring SA the peer sends on with spi_out (or we receive on with
 * spi_in), or -1. */
static int retiring_find(const ike_rekey *r, uint32_t spi_out, uint32_t spi_in)
{
    for (int k = 0; r && k < r->n_retiring; k++)
        if ((spi_out && r->retiring[k].spi_out == spi_out) || (spi_in && r->retiring[k].spi_in == spi_in))
            return k;
    return -1;
}

static void retiring_remove(ike_sa *sa, uint64_t now, int k, ike_del_reason why)
{
    ike_rekey *r = sa->rekey;
    ike_child gone = r->retiring[k];
    if (gone.spi_in != sa->child.spi_in)
        index_spi(sa, gone.spi_in, false);
    r->n_retiring--;
    memmove(&r->retiring[k], &r->retiring[k + 1], (size_t)(r->n_retiring - k) * sizeof gone);
    removed(sa, now, &gone, why);
    memset(&gone, 0, sizeof gone);
}

/* The new Child SA takes the place of the current one, which stays indexed
 * inbound (retiring) until deleted; old: the SA the rekey replaced. */
static void install(ike_sa *sa, uint64_t now, const ike_child *fresh, bool outbound, const ike_child *old)
{
    ike_rekey *r = rekey_state(sa);
    r->retiring[r->n_retiring++] = sa->child;
    if (old == NULL)
        old = &r->retiring[r->n_retiring - 1];
    sa->child = *fresh;
    ep_child_index(sa->ep, sa, true);
    ike_event ev = {.now = now, .child = &sa->child, .old_child = old, .child_outbound = outbound};
    ep_emit(sa->ep, IKE_EV_CHILD_REKEYED, sa, &ev);
    child_rekey_schedule(sa, now);
}

/* A new Child SA where there was none (CREATE_CHILD_SA without REKEY_SA). */
static void establish(ike_sa *sa, uint64_t now, const ike_child *fresh)
{
    sa->child = *fresh;
    sa->has_child = true;
    sa->child_coming = false;
    sa->child_rekey_at = sa->child_expire_at = IKE_NEVER; /* a retry of ours is moot */
    timer_set(sa);
    ep_child_index(sa->ep, sa, true);
    ike_event ev = {.now = now, .child = &sa->child};
    ep_emit(sa->ep, IKE_EV_CHILD_ESTABLISHED, sa, &ev);
    child_rekey_schedule(sa, now);
}

/* The current Child SA is gone (deleted by the peer, expired, or unknown to
 * the peer); the IKE SA stays. */
static void current_removed(ike_sa *sa, uint64_t now, ike_del_reason why)
{
    ike_child gone = sa->child;
    ep_child_index(sa->ep, sa, false);
    sa->has_child = false;
    memset(&sa->child, 0, sizeof sa->child);
    sa->child_rekey_at = sa->child_expire_at = IKE_NEVER;
    timer_set(sa);
    removed(sa, now, &gone, why);
    memset(&gone, 0, sizeof gone);
}

/* Our Delete of the Child SA we receive on with spi_in, after the window. */
static void delete_later(ike_sa *sa, uint64_t now, uint32_t spi_in)
{
    rekey_state(sa)->delete_spi = spi_in;
    queue_add(sa, now, TASK_CHILD_DELETE);
}

/* The hard lifetime came before a rekey finished: the Child SA goes
 * (strongSwan: expire, then Delete). */
static void expire(ike_sa *sa, uint64_t now)
{
    uint32_t spi = sa->child.spi_in;
    current_removed(sa, now, IKE_DEL_LOCAL);
    delete_later(sa, now, spi);
}

/* A new Child SA with the traffic selectors left in sa->child, asked for
 * now (or when the window is free). */
static void create_anew(ike_sa *sa, uint64_t now)
{
    ike_rekey *r = rekey_state(sa);
    sa->child_coming = r->create = r->sent = true;
    queue_add(sa, now, TASK_CHILD_SA);
}

void child_rekey_due(ike_sa *sa, uint64_t now)
{
    if (!sa->has_child && sa->child_coming) { /* refused for the moment: time to ask again */
        if (sa->child_rekey_at <= now) {
            sa->child_rekey_at = IKE_NEVER;
            timer_set(sa);
            create_anew(sa, now);
        }
        return;
    }
    if (!sa->has_child) {
        sa->child_rekey_at = sa->child_expire_at = IKE_NEVER;
        timer_set(sa);
        return;
    }
    if (sa->child_expire_at <= now) {
        expire(sa, now);
        return;
    }
    if (sa->child_rekey_at > now)
        return;
    sa->child_rekey_at = IKE_NEVER;
    timer_set(sa);
    if (ike_ep_rekey_child(sa->ep, sa, now) != IKE_OK)
        retry_later(sa, now);
}

void child_rekey_free(ike_sa *sa, uint64_t now, ike_del_reason why)
{
    while (sa->rekey && sa->rekey->n_retiring)
        retiring_remove(sa, now, sa->rekey->n_retiring - 1, why);
    if (sa->rekey) {
        drop_key_pair(sa->rekey);
        memset(sa->rekey, 0, sizeof *sa->rekey);
        g_free(sa->rekey);
        sa->rekey = NULL;
    }
}

bool ike_ep_child_coming(ike_ep *ep, uint64_t peer)
{
    GHashTableIter it;
    gpointer sa;
    g_hash_table_iter_init(&it, ep->sas);
    while (g_hash_table_iter_next(&it, NULL, &sa))
        if (((ike_sa *)sa)->peer == peer && ((ike_sa *)sa)->child_coming)
            return true;
    return false;
}

int ike_ep_rekey_child(ike_ep *ep, ike_sa *sa, uint64_t now)
{
    if (!ike_sa_established(sa) || !sa->has_child || sa->rekey || !minimal_may_initiate(ep, TASK_CHILD_SA))
        return IKE_E_STATE;
    rekey_state(sa)->sent = true; /* reserved; the request goes when the window is free */
    return queue_add(sa, now, TASK_CHILD_SA);
}

/* --- initiator --- */

int child_rekey_start(ike_sa *sa, uint64_t now)
{
    ike_rekey *r = sa->rekey;
    /* the peer rekeyed it while ours waited (or made a new one while our
     * new one waited): nothing left to do */
    if (r == NULL || (r->create ? sa->has_child : !sa->has_child || r->n_retiring)) {
        if (r)
            r->sent = r->create = false;
        settle(sa);
        return IKE_E_STATE;
    }
    r->target = r->create ? 0 : sa->child.spi_in;
    ep_random(sa->ep, r->nonce, IKE_NONCE_LEN);
    r->spi_in = new_child_spi(sa);
    ike_props tmp;
    ike_payload prop = ike_props_payload(ep_esp_props(sa->ep, &tmp), 0, r->spi_in);
    ike_payload tsi = ts_payload(IKE_PL_TSI, &sa->child.ts_local);
    ike_payload tsr = ts_payload(IKE_PL_TSR, &sa->child.ts_remote);
    /* §1.3.3: REKEY_SA names the SA by the SPI we receive on */
    ike_ccsa c = {.kind = r->create ? IKE_CCSA_NEW_CHILD : IKE_CCSA_REKEY_CHILD, .rekey_proto = IKE_PROTO_ESP,
                  .rekey_spi = r->target, .sa = &prop.u.sa, .nonce = {r->nonce, IKE_NONCE_LEN},
                  .tsi = &tsi.u.ts, .tsr = &tsr.u.ts};
    uint8_t ke[IKE_MAX_KE];
    int rc = IKE_OK;
    if (sa->ep->cfg->child_pfs) {
        if (!r->group)
            r->group = pfs_group(sa->ep);
        drop_key_pair(r);
        r->dh = key_pair(sa, r->group, ke);
        rc = r->dh ? IKE_OK : IKE_E_UNSUPPORTED;
        /* KEi's group first, then the esp suite's and the IKE SA's */
        uint16_t offer[3] = {r->group, pfs_group(sa->ep), sa->ep->cfg->ike.dh};
        for (int k = 0; k < 3; k++)
            if (offer[k] && (k == 0 || (offer[k] != offer[0] && (k < 2 || offer[k] != offer[1]))))
                add_group(&prop.u.sa, offer[k]);
        c.ke_group = r->group;
        c.ke = (ike_bytes){ke, ike_dh_ke_len(r->group)};
    }
    ike_payload pl[IKE_CCSA_MAX_PAYLOADS];
    size_t n;
    if (rc == IKE_OK)
        rc = ike_ccsa_build(&c, false, pl, IKE_CCSA_MAX_PAYLOADS, &n);
    if (rc == IKE_OK)
        rc = sa_start_request(sa, now, TASK_CHILD_SA, IKE_CREATE_CHILD_SA, pl, n);
    if (rc != IKE_OK) {
        sa->child_coming &= !r->create;
        r->sent = r->create = false;
        settle(sa);
    }
    return rc;
}

/* Our exchange made fresh; what becomes of it and of the SA it rekeyed. */
static void conclude(ike_sa *sa, uint64_t now, const ike_child *fresh, bool collided, ike_collision verdict)
{
    ike_rekey *r = sa->rekey;
    bool target_current = sa->has_child && sa->child.spi_in == r->target;
    int old = retiring_find(r, 0, r->target);
    if (!target_current && !(collided && verdict == IKE_COLLISION_WON && old >= 0)) {
        /* lost the collision, or the SA went meanwhile: ours is redundant,
         * never used, and we delete it (§2.8.1) */
        delete_later(sa, now, fresh->spi_in);
        return;
    }
    if (target_current) {
        install(sa, now, fresh, true, NULL);
    } else { /* won: the peer's new SA (current) retires too; the peer deletes it */
        ike_child replaced = r->retiring[old];
        install(sa, now, fresh, true, &replaced);
        memset(&replaced, 0, sizeof replaced);
    }
    delete_later(sa, now, r->target); /* §2.8: the rekey's initiator deletes the old SA */
}

/* Our request still has something to act on: the Child SA it rekeys, or
 * none yet in place of the one the peer lost. */
static bool still_wanted(const ike_sa *sa, const ike_rekey *r)
{
    return r->create ? !sa->has_child : sa->has_child && sa->child.spi_in == r->target;
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
    ike_child fresh = sa->child; /* a new one's: the traffic selectors only */
    bool read = r != NULL && ike_ccsa_read(rx->m, rx->first, true, &c) == IKE_OK;
    ike_collision verdict = IKE_COLLISION_WON;
    bool collided = read && c.error == 0 &&
                    queue_collision(sa, TASK_CHILD_SA, r->nonce, IKE_NONCE_LEN, c.nonce.p, c.nonce.len, &verdict);
    queue_free(sa);
    /* PFS: KEr in the group of our KEi (§1.3: else the answer is unusable) */
    uint8_t gir[IKE_MAX_KE];
    size_t gir_len = 0;
    bool ok = read && c.error == 0 && c.kind == IKE_CCSA_NEW_CHILD &&
              (r->dh ? c.ke_group == r->group &&
                           ike_dh_shared(r->dh, c.ke.p, c.ke.len, gir, sizeof gir, &gir_len) == IKE_OK
                     : c.ke.len == 0) &&
              ike_props_accept(ep_esp_props(sa->ep, &tmp), c.sa, &suite, &esn, &p);
    if (ok) {
        fresh.suite = suite;
        fresh.esn = esn;
        fresh.spi_in = r->spi_in;
        fresh.spi_out = get_be32(p->spi);
        ok = rekey_keys(sa, &fresh, true, gir, gir_len, r->nonce, IKE_NONCE_LEN, c.nonce.p, c.nonce.len) == IKE_OK;
    }
    memset(gir, 0, sizeof gir);
    drop_key_pair(r);
    bool regroup = !ok && read && r->group && c.error == IKE_N_INVALID_KE_PAYLOAD && c.error_group != r->group &&
                   ike_dh_ke_len(c.error_group) && still_wanted(sa, r);
    if (regroup) { /* §1.3: again at once, in the group the responder wants */
        r->group = c.error_group;
        queue_add(sa, now, TASK_CHILD_SA);
        ep_rearm(sa->ep, sa);
        return;
    }
    bool wanted = r && still_wanted(sa, r), create = r && r->create;
    if (r) {
        r->sent = r->create = false;
        r->group = 0;
    }
    if (ok && create) {
        if (wanted)
            establish(sa, now, &fresh);
        else /* one came meanwhile: ours is redundant */
            delete_later(sa, now, fresh.spi_in);
    } else if (ok) {
        conclude(sa, now, &fresh, collided, verdict);
    } else if (create) {
        if (wanted && read && c.error == IKE_N_TEMPORARY_FAILURE)
            retry_at(sa, now); /* §2.25: the peer's own exchange was in the way */
        else /* refused: the IKE SA stays without a Child SA */
            sa->child_coming = false;
    } else if (wanted && read && c.error == IKE_N_CHILD_SA_NOT_FOUND) {
        ike_child gone = sa->child; /* §2.25: the peer has it no more; a new one takes its place */
        current_removed(sa, now, IKE_DEL_LOCAL);
        sa->child.ts_local = gone.ts_local;
        sa->child.ts_remote = gone.ts_remote;
        memset(&gone, 0, sizeof gone);
        create_anew(sa, now);
    } else if (wanted) {
        retry_later(sa, now); /* refused or unusable: the old Child SA stays (§1.3.1) */
    } /* else the SA was replaced or deleted meanwhile: nothing to retry */
    memset(&fresh, 0, sizeof fresh);
    settle(sa);
    queue_run(sa, now);
    ep_rearm(sa->ep, sa);
}

int child_delete_start(ike_sa *sa, uint64_t now)
{
    ike_rekey *r = sa->rekey;
    if (r == NULL || !r->delete_spi)
        return IKE_E_STATE;
    uint8_t spi[4];
    put_be32(spi, r->delete_spi); /* §3.11: the SPI we receive on */
    ike_payload d = {.type = IKE_PL_DELETE, .u.del = {IKE_PROTO_ESP, 4, 1, {spi, 4}}};
    return sa_start_request(sa, now, TASK_CHILD_DELETE, IKE_INFORMATIONAL, &d, 1);
}

void child_delete_on_response(ike_sa *sa, uint64_t now, const ike_rx *rx)
{
    (void)rx; /* with or without the peer's half (§1.4.1), the SA is gone */
    sa_request_done(sa, now);
    ike_rekey *r = sa->rekey;
    if (r) {
        int k = retiring_find(r, 0, r->delete_spi);
        r->delete_spi = 0;
        if (k >= 0)
            retiring_remove(sa, now, k, IKE_DEL_LOCAL);
        settle(sa);
    }
    queue_run(sa, now);
    ep_rearm(sa->ep, sa);
}

/* --- responder --- */

bool child_deleted_by_peer(ike_sa *sa, uint64_t now, uint32_t spi_out, uint32_t *spi_in)
{
    int k = retiring_find(sa->rekey, spi_out, 0);
    if (k >= 0) {
        *spi_in = sa->rekey->retiring[k].spi_in;
        retiring_remove(sa, now, k, IKE_DEL_PEER_DELETE);
        settle(sa);
        return true;
    }
    if (!sa->has_child || sa->child.spi_out != spi_out)
        return false;
    *spi_in = sa->child.spi_in;
    current_removed(sa, now, IKE_DEL_PEER_DELETE);
    return true;
}

static task_verdict refuse(ike_reply *reply, uint16_t type, uint32_t spi)
{
    uint8_t *buf = reply->data[reply->n];
    reply->pl[reply->n] = ike_ccsa_refusal(type, 0, IKE_PROTO_ESP, spi, buf);
    reply->n++;
    return TASK_CONTINUE;
}

/* Why the request cannot go on, or 0: it rekeys the Child SA we have, or
 * asks for a new one while we have none. */
static uint16_t refusal(const ike_sa *sa, const ike_ccsa *c, queue_cross cross)
{
    const ike_rekey *r = sa->rekey;
    if (sa->retired) /* §2.25.2: the IKE SA is being rekeyed (a crossed rekey's new SA not yet settled) */
        return IKE_N_TEMPORARY_FAILURE;
    if (c->kind == IKE_CCSA_NEW_CHILD) {
        if (sa->has_child) /* one per IKE SA here */
            return IKE_N_NO_ADDITIONAL_SAS;
        /* our own new one, a Delete or an IKE SA rekey is in flight: later (§2.25) */
        if (cross != QUEUE_INDEPENDENT)
            return IKE_N_TEMPORARY_FAILURE;
        if (!c->tsi->n || !c->tsr->n || c->tsi->s[0].type != IKE_TS_IPV4_RANGE ||
            c->tsr->s[0].type != IKE_TS_IPV4_RANGE)
            return IKE_N_TS_UNACCEPTABLE;
        return 0;
    }
    /* §2.25.1: one we are closing (a replaced one, or ours at its Delete) */
    if (c->rekey_proto == IKE_PROTO_ESP && retiring_find(r, c->rekey_spi, 0) >= 0)
        return IKE_N_TEMPORARY_FAILURE;
    /* §2.25: one we do not have */
    if (!sa->has_child || c->rekey_proto != IKE_PROTO_ESP || c->rekey_spi != sa->child.spi_out)
        return IKE_N_CHILD_SA_NOT_FOUND;
    if (cross == QUEUE_REFUSE || (r && r->n_retiring == G_N_ELEMENTS(r->retiring)))
        return IKE_N_TEMPORARY_FAILURE;
    return 0;
}

task_verdict child_sa_on_request(ike_sa *sa, uint64_t now, const ike_rx *rx, ike_reply *reply)
{
    const ike_cfg *cfg = sa->ep->cfg;
    ike_ccsa c;
    if (ike_ccsa_rekeys_ike(rx->m, rx->first))
        return TASK_CONTINUE; /* TASK_IKE_REKEY's */
    /* what reads as neither a Child SA rekey nor a new Child SA is not served */
    if (ike_ccsa_read(rx->m, rx->first, false, &c) != IKE_OK ||
        (c.kind != IKE_CCSA_REKEY_CHILD && c.kind != IKE_CCSA_NEW_CHILD))
        return refuse(reply, IKE_N_NO_PROPOSAL_CHOSEN, 0);
    queue_cross cross = queue_crossing(sa, TASK_CHILD_SA);
    uint16_t why = refusal(sa, &c, cross);
    if (why) /* CHILD_SA_NOT_FOUND names the SA (§2.25) */
        return refuse(reply, why, why == IKE_N_CHILD_SA_NOT_FOUND ? c.rekey_spi : 0);
    ike_rekey *r = sa->rekey;
    const ike_proposal *p;
    ike_props tmp;
    ike_suite suite;
    bool esn;
    if (!ike_props_select(ep_esp_props(sa->ep, &tmp), c.sa, cfg->prefer_supplied, 0, true, &suite, &esn, &p))
        return refuse(reply, IKE_N_NO_PROPOSAL_CHOSEN, 0);
    /* PFS: our group offered and KEi in it (else INVALID_KE_PAYLOAD naming it, §1.3) */
    uint16_t group = cfg->child_pfs ? pfs_group(sa->ep) : 0;
    if (group ? !lists_group(p, group) : c.ke.len > 0)
        return refuse(reply, IKE_N_NO_PROPOSAL_CHOSEN, 0);
    if (group && c.ke_group != group) {
        uint8_t *buf = reply->data[reply->n];
        reply->pl[reply->n++] = ike_ccsa_refusal(IKE_N_INVALID_KE_PAYLOAD, group, 0, 0, buf);
        return TASK_CONTINUE;
    }
    /* Nr and KEr in the reply: it is encoded after this returns */
    uint8_t *ke = reply->ke, *nr = reply->nonce, gir[IKE_MAX_KE];
    _Static_assert(sizeof reply->nonce == IKE_NONCE_LEN, "Nr fits the reply");
    size_t gir_len = 0;
    if (group) {
        ike_dh *dh = key_pair(sa, group, ke);
        int rc = dh ? ike_dh_shared(dh, c.ke.p, c.ke.len, gir, sizeof gir, &gir_len) : IKE_E_UNSUPPORTED;
        ike_dh_free(dh);
        if (rc != IKE_OK)
            return refuse(reply, IKE_N_NO_PROPOSAL_CHOSEN, 0);
    }
    ep_random(sa->ep, nr, IKE_NONCE_LEN);
    ike_child fresh = sa->child;
    if (c.kind == IKE_CCSA_NEW_CHILD) /* the initiator's TSr is our side */
        fresh = (ike_child){.ts_local = ts_from(&c.tsr->s[0]), .ts_remote = ts_from(&c.tsi->s[0])};
    fresh.suite = suite;
    fresh.esn = esn;
    fresh.spi_in = new_child_spi(sa);
    fresh.spi_out = get_be32(p->spi);
    int krc = rekey_keys(sa, &fresh, false, gir, gir_len, c.nonce.p, c.nonce.len, nr, IKE_NONCE_LEN);
    memset(gir, 0, sizeof gir);
    if (krc != IKE_OK)
        return refuse(reply, IKE_N_NO_PROPOSAL_CHOSEN, 0);
    if (c.kind == IKE_CCSA_NEW_CHILD) {
        establish(sa, now, &fresh); /* both ways at once: nothing to replace */
    } else {
        /* our own rekey of this SA is in flight: both exchanges complete, the
         * nonces decide which new SA stays (§2.8.1) */
        if (cross == QUEUE_COLLIDE && r && r->sent && r->target == sa->child.spi_in)
            queue_collided(sa, TASK_CHILD_SA, c.nonce.p, c.nonce.len, nr, IKE_NONCE_LEN);
        /* §2.8: inbound on the new SA before the response leaves; outbound
         * waits for the old one's Delete */
        install(sa, now, &fresh, false, NULL);
    }
    memset(&fresh, 0, sizeof fresh);
    ike_payload prop = ike_props_answer(IKE_PROTO_ESP, &sa->child.suite, sa->child.esn, p->num, sa->child.spi_in);
    ike_payload tsi = ts_payload(IKE_PL_TSI, &sa->child.ts_remote);
    ike_payload tsr = ts_payload(IKE_PL_TSR, &sa->child.ts_local);
    ike_ccsa answer = {.kind = c.kind, .sa = &prop.u.sa, .nonce = {nr, IKE_NONCE_LEN},
                       .tsi = &tsi.u.ts, .tsr = &tsr.u.ts};
    if (group) {
        add_group(&prop.u.sa, group);
        answer.ke_group = group;
        answer.ke = (ike_bytes){ke, ike_dh_ke_len(group)};
    }
    size_t n;
    if (reply->n + IKE_CCSA_MAX_PAYLOADS > IKE_REPLY_MAX ||
        ike_ccsa_build(&answer, true, reply->pl + reply->n, IKE_CCSA_MAX_PAYLOADS, &n) != IKE_OK)
        return TASK_CONTINUE;
    reply->n += n;
    return TASK_CONTINUE;
}
