/* test_reauth.c — reauthentication (RFC 7296 §2.8.3) in the model at exact
 * times, as strongSwan 5.9.8 does it: break-before-make deletes the IKE SA
 * and then sets up a new one (with INITIAL_CONTACT: none is left), also when
 * the Delete goes unanswered; make-before-break sets up the new IKE SA and
 * Child SA first, its IKE_AUTH without INITIAL_CONTACT (the peer would drop
 * the old SA), then deletes the old one, whose Delete leaves the new one
 * alone; a failed new SA leaves the old one; the reauth time with its
 * jitter; QCD works on the new SA. */
#include <string.h>

#include "ike_internal.h"
#include "ikepair.h"

static qcd_secrets secrets_b;

static void cfgs(ike_cfg *a, ike_cfg *b, ike_reauth_mode mode)
{
    ike_test_cfg(a, "a.example");
    ike_test_cfg(b, "b.example");
    a->dpd_delay_ms = b->dpd_delay_ms = 0;
    a->reauth_mode = b->reauth_mode = mode;
    /* b makes QCD tokens, a takes them */
    uint8_t s[QCD_SECRET_LEN];
    memset(s, 0x5b, sizeof s);
    qcd_secrets_init(&secrets_b, s);
    b->qcd.role = IKE_QCD_MAKER;
    b->qcd.secrets = &secrets_b;
    a->qcd.role = IKE_QCD_TAKER;
}

/* The IKE SA of side with these SPIs (its local SPI is one of them). */
static ike_sa *find(const ike_pair *p, int side, uint64_t spi_i, uint64_t spi_r)
{
    ike_sa *sa = ike_ep_find(p->ep[side], spi_i);
    if (!sa || ike_sa_spi_r(sa) != spi_r)
        sa = ike_ep_find(p->ep[side], spi_r);
    return sa && ike_sa_spi_i(sa) == spi_i && ike_sa_spi_r(sa) == spi_r ? sa : NULL;
}

/* The nth event of a type at side (0: the first), or NULL. */
static const ike_ev_rec *nth_event(const ike_pair *p, int side, ike_event_type type, guint nth)
{
    for (guint i = 0; i < p->events->len; i++) {
        const ike_ev_rec *r = &g_array_index(p->events, ike_ev_rec, i);
        if (r->side == side && r->ev.type == type && nth-- == 0)
            return r;
    }
    return NULL;
}

/* Does the nth datagram side sent, an IKE_AUTH request of sa, say INITIAL_CONTACT? */
static bool auth_has_initial_contact(const ike_pair *p, int side, guint nth, const ike_sa *sa)
{
    gsize len;
    const uint8_t *b = g_bytes_get_data(g_ptr_array_index(p->sent[side], nth), &len);
    static ike_msg m;
    static uint8_t plain[IKE_MAX_MSG];
    g_assert_cmpint(ike_parse(b, len, &m), ==, IKE_OK);
    g_assert_cmpuint(m.hdr.exchange, ==, IKE_AUTH);
    g_assert_cmphex(m.hdr.spi_i, ==, ike_sa_spi_i(sa));
    const ike_keys *k = ike_sa_keys(sa);
    g_assert_cmpint(ike_sk_open(ike_sa_suite(sa), k->ei, k->ai, b, len, &m, plain, IKE_MAX_MSG), ==, IKE_OK);
    return ike_find_notify(&m, IKE_N_INITIAL_CONTACT) != NULL;
}

/* make-before-break at T with 5 ms hops: IKE_SA_INIT T..T+10, IKE_AUTH
 * T+10..T+20 (without INITIAL_CONTACT), then the old SA's Delete
 * T+20..T+30; the new SAs live on both sides, with the maker's token. */
static void test_make_before_break(void)
{
    ike_cfg a, b;
    cfgs(&a, &b, IKE_REAUTH_MBB);
    ike_pair p;
    pair_init(&p, &a, &b, 41);
    pair_establish(&p);
    ike_sa *old0 = pair_sa(&p, 0);
    uint64_t old_i = ike_sa_spi_i(old0), old_r = ike_sa_spi_r(old0);
    const uint64_t T = 600 * SEC;
    pair_advance(&p, T);
    guint sent0 = p.sent[0]->len;
    g_assert_cmpint(ike_ep_reauth(p.ep[0], old0, p.now), ==, IKE_OK);
    g_assert_cmpint(ike_ep_reauth(p.ep[0], old0, p.now), ==, IKE_E_STATE); /* one at a time */
    const ike_ev_rec *st = last_event(&p, 0, IKE_EV_REAUTH_STARTED);
    g_assert_nonnull(st);
    g_assert_cmpuint(st->ev.count, ==, IKE_REAUTH_MBB);
    g_assert_cmphex(st->ev.spi_i, ==, old_i);
    g_assert_nonnull(last_event(&p, 0, IKE_EV_REAUTH_INITIATED));
    uint64_t in_spi = last_event(&p, 0, IKE_EV_REAUTH_INITIATED)->ev.spi_i; /* records move as events come */
    g_assert_cmphex(in_spi, !=, old_i);
    g_assert_cmpuint(ike_ep_sa_count(p.ep[0]), ==, 2);
    pair_deliver(&p, 5 * MS);

    /* the new SA: established at T+15 (responder) and T+20 (initiator) */
    const ike_ev_rec *up0 = nth_event(&p, 0, IKE_EV_SA_ESTABLISHED, 1), *up1 = nth_event(&p, 1, IKE_EV_SA_ESTABLISHED, 1);
    g_assert_nonnull(up0);
    g_assert_nonnull(up1);
    g_assert_cmpuint(up1->ev.now, ==, T + 15 * MS);
    g_assert_cmpuint(up0->ev.now, ==, T + 20 * MS);
    uint64_t new_i = up0->ev.spi_i, new_r = up0->ev.spi_r;
    g_assert_cmphex(new_i, ==, in_spi);
    ike_sa *new0 = find(&p, 0, new_i, new_r), *new1 = find(&p, 1, new_i, new_r);
    g_assert_nonnull(new0);
    g_assert_nonnull(new1);
    g_assert_false(auth_has_initial_contact(&p, 0, sent0 + 1, new0));
    /* then the old SA's Delete: sent at T+20, answered at T+25, gone at T+30 */
    const ike_ev_rec *d0 = last_event(&p, 0, IKE_EV_SA_DELETED), *d1 = last_event(&p, 1, IKE_EV_SA_DELETED);
    g_assert_nonnull(d0);
    g_assert_nonnull(d1);
    g_assert_cmphex(d0->ev.spi_i, ==, old_i);
    g_assert_cmphex(d1->ev.spi_i, ==, old_i);
    g_assert_cmpint(d0->ev.reason, ==, IKE_DEL_LOCAL);
    g_assert_cmpint(d1->ev.reason, ==, IKE_DEL_PEER_DELETE);
    g_assert_cmpuint(d1->ev.now, ==, T + 25 * MS);
    g_assert_cmpuint(d0->ev.now, ==, T + 30 * MS);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_SA_DELETED) + count_events(&p, 1, IKE_EV_SA_DELETED), ==, 2);
    /* the old SA's Delete did not touch the new one: both ends hold it with its Child SA */
    g_assert_null(find(&p, 0, old_i, old_r));
    g_assert_null(find(&p, 1, old_i, old_r));
    g_assert_cmpuint(ike_ep_sa_count(p.ep[0]), ==, 1);
    g_assert_cmpuint(ike_ep_sa_count(p.ep[1]), ==, 1);
    g_assert_true(ike_sa_established(new0) && ike_sa_established(new1));
    g_assert_nonnull(ike_sa_child(new0));
    g_assert_cmphex(ike_sa_child(new0)->spi_out, ==, ike_sa_child(new1)->spi_in);
    g_assert_cmphex(ike_sa_child(new1)->spi_out, ==, ike_sa_child(new0)->spi_in);

    /* QCD on the new SA: b reboots, a's request draws the token, a deletes it */
    pair_advance(&p, T + 10 * SEC);
    pair_reboot(&p, 1, &b);
    g_assert_cmpint(ike_ep_liveness(p.ep[0], new0, p.now), ==, IKE_OK);
    pair_deliver(&p, MS);
    const ike_ev_rec *q = last_event(&p, 0, IKE_EV_SA_DELETED);
    g_assert_cmphex(q->ev.spi_i, ==, new_i);
    g_assert_cmpint(q->ev.reason, ==, IKE_DEL_QCD);
    g_assert_cmpuint(q->ev.now, ==, T + 10 * SEC + 2 * MS);
    pair_free(&p);
}

/* break-before-make at T with 5 ms hops: the Delete T..T+10, then
 * IKE_SA_INIT T+10..T+20, IKE_AUTH (with INITIAL_CONTACT) T+20..T+30. */
static void test_break_before_make(void)
{
    ike_cfg a, b;
    cfgs(&a, &b, IKE_REAUTH_BBM);
    ike_pair p;
    pair_init(&p, &a, &b, 42);
    pair_establish(&p);
    ike_sa *old0 = pair_sa(&p, 0);
    uint64_t old_i = ike_sa_spi_i(old0);
    const uint64_t T = 600 * SEC;
    pair_advance(&p, T);
    guint sent0 = p.sent[0]->len;
    g_assert_cmpint(ike_ep_reauth(p.ep[0], old0, p.now), ==, IKE_OK);
    g_assert_cmpuint(last_event(&p, 0, IKE_EV_REAUTH_STARTED)->ev.count, ==, IKE_REAUTH_BBM);
    g_assert_null(last_event(&p, 0, IKE_EV_REAUTH_INITIATED)); /* not before the old SA is gone */
    pair_deliver(&p, 5 * MS);
    const ike_ev_rec *d0 = last_event(&p, 0, IKE_EV_SA_DELETED), *d1 = last_event(&p, 1, IKE_EV_SA_DELETED);
    g_assert_cmphex(d0->ev.spi_i, ==, old_i);
    g_assert_cmpuint(d1->ev.now, ==, T + 5 * MS);
    g_assert_cmpuint(d0->ev.now, ==, T + 10 * MS);
    const ike_ev_rec *in = last_event(&p, 0, IKE_EV_REAUTH_INITIATED);
    g_assert_nonnull(in);
    g_assert_cmpuint(in->ev.now, ==, T + 10 * MS);
    const ike_ev_rec *up0 = nth_event(&p, 0, IKE_EV_SA_ESTABLISHED, 1), *up1 = nth_event(&p, 1, IKE_EV_SA_ESTABLISHED, 1);
    g_assert_cmpuint(up1->ev.now, ==, T + 25 * MS);
    g_assert_cmpuint(up0->ev.now, ==, T + 30 * MS);
    g_assert_cmphex(up0->ev.spi_i, ==, in->ev.spi_i);
    ike_sa *new0 = find(&p, 0, up0->ev.spi_i, up0->ev.spi_r);
    g_assert_nonnull(new0);
    g_assert_nonnull(find(&p, 1, up0->ev.spi_i, up0->ev.spi_r));
    /* sent: Delete, IKE_SA_INIT, IKE_AUTH: no SA with the peer is left, so INITIAL_CONTACT */
    g_assert_cmpuint(p.sent[0]->len, ==, sent0 + 3);
    g_assert_true(auth_has_initial_contact(&p, 0, sent0 + 2, new0));
    g_assert_cmpuint(count_events(&p, 1, IKE_EV_SA_DELETED), ==, 1); /* it deleted nothing more */
    pair_free(&p);
}

/* break-before-make whose Delete is never answered: strongSwan sets up the
 * new SA anyway once the retransmissions ran out (165.06 s). */
static void test_break_before_make_unanswered(void)
{
    ike_cfg a, b;
    cfgs(&a, &b, IKE_REAUTH_BBM);
    ike_pair p;
    pair_init(&p, &a, &b, 43);
    pair_establish(&p);
    const uint64_t T = 600 * SEC, GIVE_UP = 165060 * MS;
    pair_advance(&p, T);
    g_assert_cmpint(ike_ep_reauth(p.ep[0], pair_sa(&p, 0), p.now), ==, IKE_OK);
    pair_drop_all(&p);
    for (uint64_t t = T + SEC; t < T + GIVE_UP; t += SEC) {
        pair_advance(&p, t);
        pair_drop_all(&p);
    }
    pair_advance(&p, T + GIVE_UP - 1);
    g_assert_null(last_event(&p, 0, IKE_EV_REAUTH_INITIATED));
    pair_advance(&p, T + GIVE_UP);
    g_assert_cmpint(last_event(&p, 0, IKE_EV_SA_DELETED)->ev.reason, ==, IKE_DEL_LOCAL);
    const ike_ev_rec *in = last_event(&p, 0, IKE_EV_REAUTH_INITIATED);
    g_assert_nonnull(in);
    g_assert_cmpuint(in->ev.now, ==, T + GIVE_UP);
    pair_free(&p);
}

/* make-before-break whose new SA never gets an answer: the old SA stays,
 * and may be reauthenticated again. */
static void test_make_before_break_new_fails(void)
{
    ike_cfg a, b;
    cfgs(&a, &b, IKE_REAUTH_MBB);
    ike_pair p;
    pair_init(&p, &a, &b, 44);
    pair_establish(&p);
    ike_sa *old0 = pair_sa(&p, 0);
    const uint64_t T = 600 * SEC, GIVE_UP = 165060 * MS;
    pair_advance(&p, T);
    g_assert_cmpint(ike_ep_reauth(p.ep[0], old0, p.now), ==, IKE_OK);
    for (uint64_t t = T; t < T + GIVE_UP; t += SEC) {
        pair_advance(&p, t);
        pair_drop_all(&p);
    }
    g_assert_cmpuint(ike_ep_sa_count(p.ep[0]), ==, 2);
    pair_advance(&p, T + GIVE_UP);
    const ike_ev_rec *d = last_event(&p, 0, IKE_EV_SA_DELETED);
    g_assert_nonnull(d);
    g_assert_cmphex(d->ev.spi_i, !=, ike_sa_spi_i(old0));
    g_assert_cmpint(d->ev.reason, ==, IKE_DEL_TIMEOUT);
    g_assert_cmpuint(ike_ep_sa_count(p.ep[0]), ==, 1);
    g_assert_true(pair_sa(&p, 0) == old0 && ike_sa_established(old0));
    g_assert_cmpint(ike_ep_reauth(p.ep[0], old0, p.now), ==, IKE_OK);
    pair_free(&p);
}

/* With ike_life.reauth_s, each SA reauthenticates at establishment +
 * reauth_time - draw % rand_time: within (reauth - rand, reauth]; one ns
 * before that instant nothing happens, at it the reauthentication starts;
 * the new SA draws its own time. */
static void test_reauth_time(void)
{
    ike_cfg a, b;
    cfgs(&a, &b, IKE_REAUTH_MBB);
    a.ike_life = (ike_sa_lifetime){.reauth_s = 3600, .rand_s = 360};
    ike_pair p;
    pair_init(&p, &a, &b, 45);
    pair_establish(&p);
    uint64_t est = last_event(&p, 0, IKE_EV_SA_ESTABLISHED)->ev.now;
    uint64_t at = ike_ep_next_deadline(p.ep[0]);
    g_assert_cmpuint(at, >, est + 3240 * SEC);
    g_assert_cmpuint(at, <=, est + 3600 * SEC);
    g_assert_cmpuint((at - est) % SEC, ==, 0); /* whole seconds, as strongSwan */
    g_assert_cmpuint(ike_ep_next_deadline(p.ep[1]), ==, UINT64_MAX); /* b: reauth off */
    pair_advance(&p, at - 1);
    g_assert_null(last_event(&p, 0, IKE_EV_REAUTH_STARTED));
    pair_advance(&p, at);
    g_assert_cmpuint(last_event(&p, 0, IKE_EV_REAUTH_STARTED)->ev.now, ==, at);
    pair_deliver(&p, 5 * MS);
    uint64_t est2 = last_event(&p, 0, IKE_EV_SA_ESTABLISHED)->ev.now;
    g_assert_cmpuint(est2, ==, at + 20 * MS);
    uint64_t at2 = ike_ep_next_deadline(p.ep[0]);
    g_assert_cmpuint(at2, >, est2 + 3240 * SEC);
    g_assert_cmpuint(at2, <=, est2 + 3600 * SEC);
    pair_free(&p);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/reauth/make-before-break", test_make_before_break);
    g_test_add_func("/reauth/break-before-make", test_break_before_make);
    g_test_add_func("/reauth/break-before-make-unanswered", test_break_before_make_unanswered);
    g_test_add_func("/reauth/make-before-break-new-fails", test_make_before_break_new_fails);
    g_test_add_func("/reauth/reauth-time", test_reauth_time);
    return g_test_run();
}
