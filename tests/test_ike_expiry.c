/* test_ike_expiry.c — an IKE SA's hard expiry as strongSwan 5.9.8 has it
 * (model/ike_expiry.c), at exact times: an SA not rekeyed by its first
 * rekey time + over_time is deleted with an INFORMATIONAL Delete, its Child
 * SA with it, and reported as IKE_DEL_EXPIRED, which is no verdict on the
 * peer; a rekey that succeeds starts the count again; a rekey lost in flight
 * ends the SA as a dead peer first (the Delete waits for the exchange, as
 * charon's task queue does); an imported SA counts from its import. */
#include <string.h>

#include "ike_ha.h"
#include "ike_retx.h"
#include "ikepair.h"

enum { REKEY_S = 600, OVER_S = 60 };

/* Side 0 rekeys every REKEY_S (no random part) with over_time OVER_S;
 * side 1 has no lifetimes of its own. */
static void pair_up(ike_pair *p, uint32_t over_s, uint64_t seed)
{
    ike_cfg a, b;
    ike_test_cfg(&a, "a.example");
    ike_test_cfg(&b, "b.example");
    a.ike_life = (ike_sa_lifetime){REKEY_S, 0, over_s, 0};
    pair_init(p, &a, &b, seed);
    pair_establish(p);
}

static bool is_request(const ike_dgram *d)
{
    gsize len;
    const uint8_t *b = g_bytes_get_data(d->bytes, &len);
    static ike_msg m;
    g_assert_cmpint(ike_parse(b, len, &m), ==, IKE_OK);
    return !(m.hdr.flags & IKE_FLAG_R);
}

/* Runs both sides to t, every datagram one 1 ms hop, except that side 1's
 * own requests are lost: once it has started one (a Child SA rekey), it
 * answers side 0's IKE SA rekeys with TEMPORARY_FAILURE (RFC 7296 §2.25.2,
 * as charon with an exchange of its own in flight) until that request runs
 * out.  What is sent at t stays on the wire. */
static void run_until(ike_pair *p, uint64_t t)
{
    for (;;) {
        uint64_t due = MIN(ike_ep_next_deadline(p->ep[0]), ike_ep_next_deadline(p->ep[1]));
        ike_dgram *d = g_queue_peek_head(&p->wire);
        uint64_t arrive = d ? d->sent_at + MS : UINT64_MAX;
        if (MIN(due, arrive) > t)
            break;
        if (due < arrive) {
            pair_advance(p, due);
            continue;
        }
        pair_pop(p);
        pair_advance(p, arrive);
        if (d->from == 0 || !is_request(d)) {
            gsize len;
            const uint8_t *b = g_bytes_get_data(d->bytes, &len);
            ike_ep_receive(p->ep[1 - d->from], p->now, (uint64_t)d->from, b, len);
        }
        dgram_free(d);
    }
    pair_advance(p, t);
}

static void take_sa(void *arg, ike_sa *sa) { *(ike_sa **)arg = sa; }

/* Side 1 starts a Child SA rekey at `at` (whose messages are lost). */
static void peer_busy_from(ike_pair *p, uint64_t at)
{
    run_until(p, at);
    g_assert_cmpuint(ike_ep_sa_count(p->ep[1]), ==, 1);
    ike_sa *sa = NULL;
    ike_ep_foreach(p->ep[1], take_sa, &sa);
    g_assert_cmpint(ike_ep_rekey_child(p->ep[1], sa, p->now), ==, IKE_OK);
}

static guint sent_of(const ike_pair *p, int side, uint8_t exchange, uint64_t from, uint64_t to)
{
    guint n = 0;
    for (guint i = 0; i < p->events->len; i++) {
        const ike_ev_rec *r = &g_array_index(p->events, ike_ev_rec, i);
        n += r->side == side && r->ev.type == IKE_EV_MSG_SENT && r->ev.exchange == exchange && !r->ev.is_response &&
             r->ev.now >= from && r->ev.now <= to;
    }
    return n;
}

/* Every rekey refused: the first at exactly REKEY_S, retries 6 to 15 s
 * apart, then at exactly REKEY_S + OVER_S the Delete; the peer answers it
 * one hop later and the SA and its Child SA are gone one more hop later. */
/* Gateway 0's last SA deletion: there is one, at `at`, for `reason`. */
static const ike_ev_rec *deleted_at(const ike_pair *p, uint64_t at, int reason)
{
    const ike_ev_rec *del = last_event(p, 0, IKE_EV_SA_DELETED);
    g_assert_nonnull(del);
    g_assert_cmpuint(del->ev.now, ==, at);
    g_assert_cmpint(del->ev.reason, ==, reason);
    return del;
}

static void test_refused_rekeys(void)
{
    ike_pair p;
    pair_up(&p, OVER_S, 3);
    const uint64_t t0 = last_event(&p, 0, IKE_EV_SA_ESTABLISHED)->ev.now;
    const uint64_t rekey = t0 + REKEY_S * SEC, hard = rekey + OVER_S * SEC;
    const uint64_t spi_i = ike_sa_spi_i(pair_sa(&p, 0));
    const uint32_t child_in = ike_sa_child(pair_sa(&p, 0))->spi_in;
    g_assert_cmpuint(ike_ep_next_deadline(p.ep[0]), ==, rekey);
    peer_busy_from(&p, rekey - SEC);
    run_until(&p, hard - 1);
    guint refused = sent_of(&p, 0, IKE_CREATE_CHILD_SA, rekey, hard);
    g_assert_cmpuint(sent_of(&p, 0, IKE_CREATE_CHILD_SA, rekey, rekey), ==, 1);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_SA_REKEYED), ==, 0);
    g_assert_cmpuint(refused, >=, 1 + OVER_S / 15);
    g_assert_cmpuint(refused, <=, 1 + (OVER_S - 1) / 6);
    g_assert_cmpuint(sent_of(&p, 0, IKE_INFORMATIONAL, 0, hard - 1), ==, 0);

    run_until(&p, hard);
    g_assert_cmpuint(sent_of(&p, 0, IKE_INFORMATIONAL, hard, hard), ==, 1);
    g_assert_cmpuint(sent_of(&p, 0, IKE_CREATE_CHILD_SA, hard, UINT64_MAX), ==, 0);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_SA_DELETED), ==, 0);
    run_until(&p, hard + 2 * MS);
    const ike_ev_rec *peer = last_event(&p, 1, IKE_EV_SA_DELETED);
    g_assert_nonnull(peer);
    g_assert_cmpuint(peer->ev.now, ==, hard + MS);
    g_assert_cmpint(peer->ev.reason, ==, IKE_DEL_PEER_DELETE); /* a Delete of the IKE SA */
    const ike_ev_rec *del = deleted_at(&p, hard + 2 * MS, IKE_DEL_EXPIRED);
    g_assert_false(ike_del_peer_dead(del->ev.reason));
    g_assert_cmpstr(ike_del_reason_name(del->ev.reason), ==, "expired");
    g_assert_cmphex(del->ev.spi_i, ==, spi_i);
    g_assert_cmpuint(del->child_spi_in, ==, child_in); /* the Child SA went with it */
    g_assert_cmpuint(ike_ep_sa_count(p.ep[0]) + ike_ep_sa_count(p.ep[1]), ==, 0);
    g_assert_cmpuint(ike_ep_next_deadline(p.ep[0]), ==, UINT64_MAX);
    pair_free(&p);
}

/* A Delete that goes unanswered ends the SA when its retransmissions run
 * out, still as expired; over_time 0 means no hard expiry at all. */
static void test_unanswered_delete_and_off(void)
{
    ike_pair p;
    pair_up(&p, OVER_S, 5);
    const uint64_t t0 = last_event(&p, 0, IKE_EV_SA_ESTABLISHED)->ev.now;
    const uint64_t hard = t0 + (REKEY_S + OVER_S) * SEC;
    peer_busy_from(&p, hard - OVER_S * SEC - SEC);
    run_until(&p, hard);
    g_assert_cmpuint(sent_of(&p, 0, IKE_INFORMATIONAL, hard, hard), ==, 1);
    pair_drop_all(&p);
    ike_retx retx = IKE_RETX_STRONGSWAN;
    const uint64_t end = hard + ike_retx_total_ns(&retx);
    pair_advance(&p, end - 1);
    pair_drop_all(&p);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_SA_DELETED), ==, 0);
    pair_advance(&p, end);
    deleted_at(&p, end, IKE_DEL_EXPIRED);
    pair_free(&p);

    pair_up(&p, 0, 7);
    const uint64_t rekey = last_event(&p, 0, IKE_EV_SA_ESTABLISHED)->ev.now + REKEY_S * SEC;
    peer_busy_from(&p, rekey - SEC);
    run_until(&p, rekey + 2 * OVER_S * SEC);
    g_assert_cmpuint(sent_of(&p, 0, IKE_CREATE_CHILD_SA, rekey, p.now), >=, 1 + 2 * OVER_S / 15);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_SA_DELETED), ==, 0);
    g_assert_cmpuint(sent_of(&p, 0, IKE_INFORMATIONAL, 0, p.now), ==, 0);
    pair_free(&p);
}

/* A rekey that succeeds starts the count again from the new SA: its own
 * rekey REKEY_S after, its hard expiry OVER_S after that. */
static void test_rekey_renews(void)
{
    ike_pair p;
    pair_up(&p, OVER_S, 9);
    const uint64_t t0 = last_event(&p, 0, IKE_EV_SA_ESTABLISHED)->ev.now;
    const uint64_t rekey = t0 + REKEY_S * SEC;
    pair_advance(&p, rekey);
    g_assert_cmpint(pair_deliver(&p, MS), ==, 4); /* the rekey, then the old SA's Delete */
    const uint64_t t1 = last_event(&p, 0, IKE_EV_SA_REKEYED)->ev.now;
    g_assert_cmpuint(t1, ==, rekey + 2 * MS);
    const ike_ev_rec *rk = last_event(&p, 0, IKE_EV_SA_REKEYED);
    const uint64_t spi_i = rk->ev.spi_i;
    g_assert_cmphex(spi_i, !=, rk->ev.old_spi_i);
    const uint64_t hard = t1 + (REKEY_S + OVER_S) * SEC;
    peer_busy_from(&p, t1 + (REKEY_S - 1) * SEC);
    run_until(&p, hard - 1);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_SA_DELETED), ==, 0);
    g_assert_cmpuint(sent_of(&p, 0, IKE_CREATE_CHILD_SA, t1 + REKEY_S * SEC, t1 + REKEY_S * SEC), ==, 1);
    run_until(&p, hard + 2 * MS);
    const ike_ev_rec *del = deleted_at(&p, hard + 2 * MS, IKE_DEL_EXPIRED);
    g_assert_cmphex(del->ev.spi_i, ==, spi_i);
    pair_free(&p);
}

/* The rekey is lost with every retransmission: the hard expiry comes while
 * it is in flight, so no Delete goes out then; the exchange runs out first
 * and the SA ends as a dead peer at the rekey + 165.06 s, as in charon. */
static void test_lost_rekey(void)
{
    ike_pair p;
    pair_up(&p, OVER_S, 11);
    const uint64_t t0 = last_event(&p, 0, IKE_EV_SA_ESTABLISHED)->ev.now;
    const uint64_t rekey = t0 + REKEY_S * SEC, hard = rekey + OVER_S * SEC;
    ike_retx retx = IKE_RETX_STRONGSWAN;
    const uint64_t end = rekey + ike_retx_total_ns(&retx);
    g_assert_cmpuint(end, ==, rekey + 165060 * MS);
    for (uint64_t t = rekey; t < end; t += SEC) {
        pair_advance(&p, t);
        pair_drop_all(&p);
    }
    g_assert_cmpuint(sent_of(&p, 0, IKE_INFORMATIONAL, hard, end), ==, 0);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_SA_DELETED), ==, 0);
    pair_advance(&p, end);
    deleted_at(&p, end, IKE_DEL_TIMEOUT);
    pair_free(&p);
}

/* An imported SA (an HA replica made active, a provisioned client) counts
 * its lifetimes from the import, as charon's HA plugin does on activation:
 * rekey at the import + REKEY_S, hard expiry OVER_S after. */
static void test_import(void)
{
    ike_pair p;
    pair_up(&p, OVER_S, 13);
    static ike_sa_state st;
    g_assert_cmpint(ike_sa_export(pair_sa(&p, 0), &st), ==, IKE_OK);
    ike_cfg a;
    ike_test_cfg(&a, "a.example");
    a.ike_life = (ike_sa_lifetime){REKEY_S, 0, OVER_S, 0};
    const uint64_t T = 100 * SEC;
    pair_advance(&p, T);
    pair_reboot(&p, 0, &a);
    g_assert_nonnull(ike_ep_import(p.ep[0], T, 1, &st));
    g_assert_cmpuint(ike_ep_next_deadline(p.ep[0]), ==, T + REKEY_S * SEC);
    peer_busy_from(&p, T + (REKEY_S - 1) * SEC);
    run_until(&p, T + (REKEY_S + OVER_S) * SEC);
    g_assert_cmpuint(sent_of(&p, 0, IKE_CREATE_CHILD_SA, T + REKEY_S * SEC, T + REKEY_S * SEC), ==, 1);
    g_assert_cmpuint(sent_of(&p, 0, IKE_INFORMATIONAL, T + (REKEY_S + OVER_S) * SEC, p.now), ==, 1);
    memset(&st, 0, sizeof st);
    pair_free(&p);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ike-expiry/refused-rekeys", test_refused_rekeys);
    g_test_add_func("/ike-expiry/unanswered-delete-and-off", test_unanswered_delete_and_off);
    g_test_add_func("/ike-expiry/rekey-renews", test_rekey_renews);
    g_test_add_func("/ike-expiry/lost-rekey", test_lost_rekey);
    g_test_add_func("/ike-expiry/import", test_import);
    return g_test_run();
}
