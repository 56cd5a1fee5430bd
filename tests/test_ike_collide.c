/* test_ike_collide.c — both ends rekey the IKE SA at once (RFC 7296 §2.8.2),
 * at exact times.  Each answers the other's CREATE_CHILD_SA; of the two new
 * IKE SAs the one whose exchange holds the lowest of the four nonces is
 * redundant and its initiator deletes it, the other exchange's initiator
 * deletes the old SA, and the Child SA goes on under the surviving one.
 * The nonces and SPIs are read off the wire here (opened with the old SA's
 * keys) and compared octet by octet, independently of the model's
 * ike_collide.c.  Then: offsets and one-way delays that still make both
 * requests cross, the loss of each of the four messages, a Delete of the
 * old SA (or of the redundant one) overtaking a late response, a crash of
 * one end in the middle. */
#include <string.h>

#include "ike_ccsa.h"
#include "ike_retx.h"
#include "ikepair.h"

enum { MAX_DROPS = 4 };

/* The wire: one-way delay per sender, datagrams dropped by (sender, index
 * in p->sent[sender]); timers and arrivals in time order. */
typedef struct {
    uint64_t delay[2];
    struct {
        int side;
        guint index;
    } drop[MAX_DROPS];
    int n_drop;
    GQueue flight; /* of ike_dgram*, arrival time in sent_at */
    guint seen[2]; /* datagrams taken off p->wire, per sender */
} net;

static void net_init(net *n, const ike_pair *p, uint64_t d0, uint64_t d1)
{
    memset(n, 0, sizeof *n);
    n->delay[0] = d0;
    n->delay[1] = d1;
    g_queue_init(&n->flight);
    n->seen[0] = p->sent[0]->len;
    n->seen[1] = p->sent[1]->len;
}

static void net_drop(net *n, int side, guint index)
{
    g_assert_cmpint(n->n_drop, <, MAX_DROPS);
    n->drop[n->n_drop].side = side;
    n->drop[n->n_drop++].index = index;
}

static gint by_arrival(gconstpointer a, gconstpointer b, gpointer u)
{
    (void)u;
    const ike_dgram *x = a, *y = b;
    return x->sent_at < y->sent_at ? -1 : x->sent_at > y->sent_at;
}

static void net_absorb(net *n, ike_pair *p)
{
    ike_dgram *d;
    while ((d = pair_pop(p))) {
        guint index = n->seen[d->from]++;
        bool dropped = false;
        for (int k = 0; k < n->n_drop; k++)
            dropped |= n->drop[k].side == d->from && n->drop[k].index == index;
        if (dropped) {
            dgram_free(d);
            continue;
        }
        d->sent_at += n->delay[d->from]; /* now its arrival */
        g_queue_insert_sorted(&n->flight, d, by_arrival, NULL);
    }
}

/* Runs timers and deliveries up to t. */
static void net_run(net *n, ike_pair *p, uint64_t t)
{
    for (;;) {
        net_absorb(n, p);
        ike_dgram *d = g_queue_peek_head(&n->flight);
        uint64_t timer = MIN(ike_ep_next_deadline(p->ep[0]), ike_ep_next_deadline(p->ep[1]));
        uint64_t next = d ? MIN(d->sent_at, timer) : timer;
        if (next > t)
            break;
        if (d && d->sent_at <= timer) {
            g_queue_pop_head(&n->flight);
            pair_advance(p, d->sent_at);
            gsize len;
            const uint8_t *b = g_bytes_get_data(d->bytes, &len);
            ike_ep_receive(p->ep[1 - d->from], p->now, (uint64_t)d->from, b, len);
            dgram_free(d);
        } else {
            pair_advance(p, timer);
        }
    }
    pair_advance(p, t);
}

static void net_free(net *n)
{
    g_queue_clear_full(&n->flight, (GDestroyNotify)dgram_free);
}

/* --- the exchanges as they were on the wire --- */

typedef struct {
    bool seen;
    uint64_t spi; /* the proposal's new IKE SPI */
    uint16_t error;
    size_t nonce_len;
    uint8_t nonce[256];
} half;

typedef struct {
    ike_suite suite;
    ike_keys keys;
    uint64_t spi_i, spi_r;
} old_sa;

/* The first CREATE_CHILD_SA request and response side `side` sent on the
 * old SA, opened with its keys. */
static void halves(const ike_pair *p, int side, const old_sa *o, half *req, half *resp)
{
    memset(req, 0, sizeof *req);
    memset(resp, 0, sizeof *resp);
    for (guint i = 0; i < p->sent[side]->len; i++) {
        gsize len;
        const uint8_t *b = g_bytes_get_data(g_ptr_array_index(p->sent[side], i), &len);
        static ike_msg m;
        static uint8_t plain[IKE_MAX_MSG];
        g_assert_cmpint(ike_parse(b, len, &m), ==, IKE_OK);
        if (m.hdr.exchange != IKE_CREATE_CHILD_SA || m.hdr.spi_i != o->spi_i || m.hdr.spi_r != o->spi_r)
            continue;
        bool response = (m.hdr.flags & IKE_FLAG_R) != 0, by_i = (m.hdr.flags & IKE_FLAG_I) != 0;
        half *h = response ? resp : req;
        if (h->seen)
            continue; /* a retransmission: the same octets */
        g_assert_cmpint(ike_sk_open(&o->suite, by_i ? o->keys.ei : o->keys.er, by_i ? o->keys.ai : o->keys.ar, b,
                                    len, &m, plain, IKE_MAX_MSG),
                        ==, IKE_OK);
        ike_ccsa c;
        g_assert_cmpint(ike_ccsa_read(&m, 1, response, &c), ==, IKE_OK);
        h->seen = true;
        h->error = c.error;
        if (c.error)
            continue;
        g_assert_cmpint(c.kind, ==, IKE_CCSA_REKEY_IKE);
        for (int k = 0; k < 8; k++)
            h->spi = h->spi << 8 | c.sa->p[0].spi[k];
        g_assert_cmpuint(c.nonce.len, <=, sizeof h->nonce);
        memcpy(h->nonce, c.nonce.p, c.nonce.len);
        h->nonce_len = c.nonce.len;
    }
}

/* §2.8.1: octet by octet from the first; a nonce that ends first is the lower. */
static int nonce_cmp(const half *a, const half *b)
{
    for (size_t i = 0; i < a->nonce_len && i < b->nonce_len; i++)
        if (a->nonce[i] != b->nonce[i])
            return a->nonce[i] < b->nonce[i] ? -1 : 1;
    return a->nonce_len < b->nonce_len ? -1 : a->nonce_len > b->nonce_len;
}

static const half *lower(const half *a, const half *b)
{
    return nonce_cmp(a, b) <= 0 ? a : b;
}

static const ike_ev_rec *sent_on(const ike_pair *p, int side, uint8_t exchange, bool response, uint64_t spi_i,
                                 uint64_t spi_r)
{
    for (guint i = 0; i < p->events->len; i++) {
        const ike_ev_rec *r = &g_array_index(p->events, ike_ev_rec, i);
        if (r->side == side && r->ev.type == IKE_EV_MSG_SENT && r->ev.exchange == exchange &&
            r->ev.is_response == response && r->ev.spi_i == spi_i && r->ev.spi_r == spi_r)
            return r;
    }
    return NULL;
}

static void cfgs(ike_cfg *a, ike_cfg *b)
{
    ike_test_cfg(a, "a.example");
    ike_test_cfg(b, "b.example");
    a->dpd_delay_ms = b->dpd_delay_ms = 0;
}

typedef struct {
    ike_pair p;
    net n;
    ike_sa *s[2];
    old_sa old;
    ike_child child[2];
    uint64_t T;
} scene;

static void scene_init(scene *x, uint64_t seed, uint64_t d0, uint64_t d1)
{
    ike_cfg a, b;
    cfgs(&a, &b);
    pair_init(&x->p, &a, &b, seed);
    pair_establish(&x->p);
    for (int k = 0; k < 2; k++) {
        x->s[k] = pair_sa(&x->p, k);
        x->child[k] = *ike_sa_child(x->s[k]);
    }
    x->old = (old_sa){*ike_sa_suite(x->s[0]), *ike_sa_keys(x->s[0]), ike_sa_spi_i(x->s[0]), ike_sa_spi_r(x->s[0])};
    x->T = 1000 * SEC;
    pair_advance(&x->p, x->T);
    net_init(&x->n, &x->p, d0, d1);
}

/* Side 0 rekeys at T, side 1 at T + offset. */
static void scene_start(scene *x, uint64_t offset)
{
    g_assert_cmpint(ike_ep_rekey_ike(x->p.ep[0], x->s[0], x->p.now), ==, IKE_OK);
    net_run(&x->n, &x->p, x->T + offset);
    g_assert_cmphex(ike_sa_spi_i(x->s[1]), ==, x->old.spi_i); /* side 0's request is not there yet */
    g_assert_cmpint(ike_ep_rekey_ike(x->p.ep[1], x->s[1], x->p.now), ==, IKE_OK);
}

static void scene_free(scene *x)
{
    net_free(&x->n);
    pair_free(&x->p);
}

/* One new IKE SA per side, the same on both, the Child SAs as they were,
 * nothing left over once the waits are over, and it works both ways. */
static void assert_settled(scene *x)
{
    ike_pair *p = &x->p;
    net_run(&x->n, p, x->T + 200 * SEC);
    for (int k = 0; k < 2; k++) {
        g_assert_cmpuint(ike_ep_sa_count(p->ep[k]), ==, 1);
        g_assert_true(ike_ep_find(p->ep[k], ike_sa_is_initiator(x->s[k]) ? ike_sa_spi_i(x->s[k])
                                                                         : ike_sa_spi_r(x->s[k])) == x->s[k]);
        g_assert_cmpuint(count_events(p, k, IKE_EV_SA_REKEYED), ==, 1);
        g_assert_cmpuint(count_events(p, k, IKE_EV_SA_DELETED), ==, 0);
        g_assert_cmpuint(count_events(p, k, IKE_EV_CHILD_REMOVED), ==, 0);
        g_assert_cmpmem(ike_sa_child(x->s[k]), sizeof x->child[k], &x->child[k], sizeof x->child[k]);
        g_assert_cmpuint(ike_ep_next_deadline(p->ep[k]), ==, UINT64_MAX); /* no retired SA waits */
    }
    g_assert_cmphex(ike_sa_spi_i(x->s[0]), ==, ike_sa_spi_i(x->s[1]));
    g_assert_cmphex(ike_sa_spi_r(x->s[0]), ==, ike_sa_spi_r(x->s[1]));
    g_assert_cmphex(ike_sa_spi_i(x->s[0]), !=, x->old.spi_i);
    g_assert_true(ike_sa_is_initiator(x->s[0]) != ike_sa_is_initiator(x->s[1]));
    g_assert_cmpmem(ike_sa_keys(x->s[0])->ei, sizeof ike_sa_keys(x->s[0])->ei, ike_sa_keys(x->s[1])->ei,
                    sizeof ike_sa_keys(x->s[1])->ei);
    /* liveness both ways on the new SA: each end opens the other's messages */
    for (int k = 0; k < 2; k++) {
        guint before = count_events(p, k, IKE_EV_LIVENESS_ANSWERED);
        g_assert_cmpint(ike_ep_liveness(p->ep[k], x->s[k], p->now), ==, IKE_OK);
        net_run(&x->n, p, p->now + SEC);
        g_assert_cmpuint(count_events(p, k, IKE_EV_LIVENESS_ANSWERED), ==, before + 1);
    }
}

/* Both exchanges complete without loss: the nonces choose. Returns the loser. */
static int assert_nonces_chose(scene *x)
{
    ike_pair *p = &x->p;
    half req[2], resp[2]; /* exchange k: side k's request, the other side's response */
    for (int k = 0; k < 2; k++)
        halves(p, k, &x->old, &req[k], &resp[1 - k]);
    for (int k = 0; k < 2; k++) {
        g_assert_true(req[k].seen && resp[k].seen);
        g_assert_cmpuint(resp[k].error, ==, 0); /* both answered: no TEMPORARY_FAILURE */
    }
    const half *low[2] = {lower(&req[0], &resp[0]), lower(&req[1], &resp[1])};
    int loser = nonce_cmp(low[0], low[1]) < 0 ? 0 : 1, winner = 1 - loser;
    /* the winner's exchange made the SA both keep, the winner its original initiator */
    for (int k = 0; k < 2; k++) {
        g_assert_cmphex(ike_sa_spi_i(x->s[k]), ==, req[winner].spi);
        g_assert_cmphex(ike_sa_spi_r(x->s[k]), ==, resp[winner].spi);
    }
    g_assert_true(ike_sa_is_initiator(x->s[winner]));
    g_assert_false(ike_sa_is_initiator(x->s[loser]));
    /* the loser deletes its redundant SA (MID 0 on it), the peer answers it;
     * the winner deletes the old SA */
    const ike_ev_rec *d = sent_on(p, loser, IKE_INFORMATIONAL, false, req[loser].spi, resp[loser].spi);
    g_assert_nonnull(d);
    g_assert_cmpuint(d->ev.msg_id, ==, 0);
    g_assert_nonnull(sent_on(p, winner, IKE_INFORMATIONAL, true, req[loser].spi, resp[loser].spi));
    g_assert_nonnull(sent_on(p, winner, IKE_INFORMATIONAL, false, x->old.spi_i, x->old.spi_r));
    g_assert_nonnull(sent_on(p, loser, IKE_INFORMATIONAL, true, x->old.spi_i, x->old.spi_r));
    g_assert_null(sent_on(p, loser, IKE_INFORMATIONAL, false, x->old.spi_i, x->old.spi_r));
    /* nothing was said on the surviving SA yet */
    g_assert_null(sent_on(p, winner, IKE_INFORMATIONAL, false, req[winner].spi, resp[winner].spi));
    return loser;
}

/* At the same instant, 5 ms each way: 8 messages (two exchanges, two
 * Deletes), at exact times; over seeds each side loses. */
static void test_same_instant(void)
{
    bool lost[2] = {false, false};
    for (uint64_t seed = 1; seed <= 16 && !(lost[0] && lost[1]); seed++) {
        scene x;
        scene_init(&x, seed, 5 * MS, 5 * MS);
        scene_start(&x, 0);
        net_run(&x.n, &x.p, x.T + 20 * MS);
        g_assert_cmpuint(x.p.sent[0]->len + x.p.sent[1]->len, ==, 4 + 8);
        int loser = assert_nonces_chose(&x), winner = 1 - loser;
        lost[loser] = true;
        /* both answered at T+5 ms, both responses in at T+10 ms: each side
         * then has its verdict and sends its Delete, answered at T+15 ms */
        const ike_ev_rec *e;
        for (int k = 0; k < 2; k++) {
            g_assert_nonnull(e = last_event(&x.p, k, IKE_EV_SA_REKEYED));
            g_assert_cmpuint(e->ev.now, ==, x.T + 10 * MS);
            g_assert_cmphex(e->ev.old_spi_i, ==, x.old.spi_i);
            g_assert_cmphex(e->ev.old_spi_r, ==, x.old.spi_r);
        }
        g_assert_nonnull(e = sent_on(&x.p, winner, IKE_INFORMATIONAL, false, x.old.spi_i, x.old.spi_r));
        g_assert_cmpuint(e->ev.now, ==, x.T + 10 * MS);
        g_assert_nonnull(e = sent_on(&x.p, loser, IKE_INFORMATIONAL, true, x.old.spi_i, x.old.spi_r));
        g_assert_cmpuint(e->ev.now, ==, x.T + 15 * MS);
        assert_settled(&x);
        scene_free(&x);
    }
    g_assert_true(lost[0] && lost[1]);
}

/* Offsets smaller than the time a request takes to cross: both requests
 * are out before either arrives, on a symmetric link (offset below the
 * one-way delay) and on an asymmetric one (9 ms one way, 1 ms back: an
 * offset of 8 ms, most of the 10 ms round trip). */
static void test_offsets(void)
{
    static const struct {
        uint64_t d0, d1, offset;
    } cases[] = {{5 * MS, 5 * MS, 1 * MS}, {5 * MS, 5 * MS, 4 * MS}, {9 * MS, 1 * MS, 8 * MS}, {1 * MS, 9 * MS, 1}};
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        for (uint64_t seed = 1; seed <= 4; seed++) {
            scene x;
            scene_init(&x, 100 * i + seed, cases[i].d0, cases[i].d1);
            scene_start(&x, cases[i].offset);
            net_run(&x.n, &x.p, x.T + SEC);
            g_assert_cmpuint(x.p.sent[0]->len + x.p.sent[1]->len, ==, 4 + 8);
            assert_nonces_chose(&x);
            assert_settled(&x);
            scene_free(&x);
        }
    }
}

/* The first transmission of each message of the two crossing exchanges
 * lost (and of each Delete after): retransmissions, a Delete overtaking a
 * late response, a refusal from an SA already closing; one SA in the end. */
static void test_losses(void)
{
    /* index 2 of each side is its request, 3 its answer, 4 its Delete */
    for (int side = 0; side < 2; side++) {
        for (guint index = 2; index <= 4; index++) {
            for (uint64_t seed = 1; seed <= 4; seed++) {
                scene x;
                scene_init(&x, 10 * seed + index, 5 * MS, 5 * MS);
                net_drop(&x.n, side, index);
                scene_start(&x, 0);
                assert_settled(&x);
                /* a lost request makes a one-sided collision: no redundant
                 * SA, the peer's exchange wins whatever the nonces */
                if (index == 2)
                    g_assert_true(ike_sa_is_initiator(x.s[1 - side]));
                scene_free(&x);
            }
        }
    }
}

/* The winner's Delete of the old SA overtakes the loser's late response
 * (it went the slow way round): the loser forgets its rekey and takes the
 * winner's new SA.  And the loser's Delete of its redundant SA reaching the
 * winner before the winner's own response: that SA is just gone. */
static void test_delete_overtakes(void)
{
    bool seen[2] = {false, false};
    for (uint64_t seed = 1; seed <= 16 && !(seen[0] && seen[1]); seed++) {
        scene x;
        scene_init(&x, 200 + seed, 5 * MS, 5 * MS);
        net_drop(&x.n, 1, 3); /* side 1's answer to side 0's request */
        scene_start(&x, 0);
        net_run(&x.n, &x.p, x.T + 20 * MS);
        /* side 1 has its verdict, side 0 still waits for its answer */
        g_assert_cmpuint(count_events(&x.p, 1, IKE_EV_SA_REKEYED), ==, 1);
        bool side1_won = ike_sa_is_initiator(x.s[1]);
        if (side1_won) { /* its Delete of the old SA came: side 0 took side 1's SA */
            g_assert_cmpuint(count_events(&x.p, 0, IKE_EV_SA_REKEYED), ==, 1);
            g_assert_cmpuint(count_events(&x.p, 0, IKE_EV_REQUEST_ABANDONED), ==, 1);
            g_assert_cmphex(ike_sa_spi_i(x.s[0]), ==, ike_sa_spi_i(x.s[1]));
        } else { /* its Delete of its redundant SA came: side 0 waits on */
            g_assert_cmpuint(count_events(&x.p, 0, IKE_EV_SA_REKEYED), ==, 0);
            g_assert_cmphex(ike_sa_spi_i(x.s[0]), ==, x.old.spi_i);
        }
        seen[side1_won] = true;
        assert_settled(&x);
        /* either way the pair agrees on the SA of the exchange the nonces chose */
        half req[2], resp[2];
        for (int k = 0; k < 2; k++)
            halves(&x.p, k, &x.old, &req[k], &resp[1 - k]);
        int loser = nonce_cmp(lower(&req[0], &resp[0]), lower(&req[1], &resp[1])) < 0 ? 0 : 1;
        g_assert_cmphex(ike_sa_spi_i(x.s[0]), ==, req[1 - loser].spi);
        g_assert_cmpint(loser, ==, side1_won ? 0 : 1);
        g_assert_cmpuint(count_events(&x.p, 0, IKE_EV_SA_DELETED) + count_events(&x.p, 1, IKE_EV_SA_DELETED), ==,
                         0);
        scene_free(&x);
    }
    g_assert_true(seen[0] && seen[1]);
}

/* Side 1 crashes in the middle.  Before it answered: side 0 answered side
 * 1's request, its own goes unanswered, and the SA ends as a dead peer at
 * the end of the retransmissions, the peer's new SA with it.  After it
 * answered: side 0 settles the collision alone, ends with one SA, and its
 * leftovers (Deletes to a dead peer, waits) are gone by then too. */
static void test_crash(void)
{
    ike_cfg a, b;
    cfgs(&a, &b);
    uint64_t schedule = 0;
    for (uint32_t k = 0; k <= a.retx.tries; k++)
        schedule += ike_retx_wait_ns(&a.retx, k, 0.0);
    for (int after_answer = 0; after_answer < 2; after_answer++) {
        scene x;
        scene_init(&x, 300 + (uint64_t)after_answer, 5 * MS, 5 * MS);
        scene_start(&x, 0);
        net_run(&x.n, &x.p, x.T + (after_answer ? 7 : 3) * MS);
        pair_reboot(&x.p, 1, &b);
        net_run(&x.n, &x.p, x.T + schedule + SEC);
        ike_pair *p = &x.p;
        if (!after_answer) {
            const ike_ev_rec *del = last_event(p, 0, IKE_EV_SA_DELETED);
            g_assert_nonnull(del);
            g_assert_cmpuint(del->ev.now, ==, x.T + schedule);
            g_assert_cmpint(del->ev.reason, ==, IKE_DEL_TIMEOUT);
            g_assert_cmphex(del->ev.spi_i, ==, x.old.spi_i);
            g_assert_cmpuint(ike_ep_sa_count(p->ep[0]), ==, 0);
            g_assert_cmpuint(count_events(p, 0, IKE_EV_SA_REKEYED), ==, 0);
        } else {
            g_assert_cmpuint(ike_ep_sa_count(p->ep[0]), ==, 1);
            g_assert_cmpuint(count_events(p, 0, IKE_EV_SA_REKEYED), ==, 1);
            g_assert_cmpuint(count_events(p, 0, IKE_EV_SA_DELETED), ==, 0);
            g_assert_cmphex(ike_sa_spi_i(x.s[0]), !=, x.old.spi_i);
            g_assert_cmpmem(ike_sa_child(x.s[0]), sizeof x.child[0], &x.child[0], sizeof x.child[0]);
        }
        g_assert_cmpuint(ike_ep_next_deadline(p->ep[0]), ==, UINT64_MAX); /* nothing retired left */
        scene_free(&x);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ike-collide/same-instant", test_same_instant);
    g_test_add_func("/ike-collide/offsets", test_offsets);
    g_test_add_func("/ike-collide/losses", test_losses);
    g_test_add_func("/ike-collide/delete-overtakes", test_delete_overtakes);
    g_test_add_func("/ike-collide/crash", test_crash);
    return g_test_run();
}
