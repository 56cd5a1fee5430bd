/* Admission control of a responder (RFC 7296 §2.6): the COOKIE is demanded
 * exactly while cookie_threshold or more SAs are half-open, costs the
 * responder no state, and an initiator that echoes it gets its SA; and
 * INITIAL_CONTACT still clears exactly one peer's stale SAs. */
#include <string.h>

#include "ikepair.h"

enum { THRESHOLD = 3 };

/* Moves every datagram in flight: side 0's requests to side 1; side 1's
 * answers back to side 0 only if `answers`. */
static void shuttle(ike_pair *p, bool answers)
{
    ike_dgram *d;
    GQueue later = G_QUEUE_INIT;
    while ((d = pair_pop(p))) {
        gsize len;
        const uint8_t *b = g_bytes_get_data(d->bytes, &len);
        if (d->from == 0)
            pair_inject(p, 1, b, len);
        else if (answers)
            g_queue_push_tail(&later, d), d = NULL;
        dgram_free(d);
    }
    while ((d = g_queue_pop_head(&later))) {
        gsize len;
        const uint8_t *b = g_bytes_get_data(d->bytes, &len);
        pair_inject(p, 0, b, len);
        dgram_free(d);
    }
}

static void setup(ike_pair *p, uint32_t threshold)
{
    ike_cfg a, b;
    ike_test_cfg(&a, "client.test");
    ike_test_cfg(&b, "headend.test");
    b.cookie_threshold = threshold;
    pair_init(p, &a, &b, 7);
}

static void test_cookie_exactly_at_threshold(void)
{
    ike_pair p;
    setup(&p, THRESHOLD);
    /* THRESHOLD new SAs without a cookie: each one half-open */
    for (int i = 0; i < THRESHOLD; i++) {
        g_assert_nonnull(ike_ep_initiate(p.ep[0], p.now, 1));
        shuttle(&p, false);
        g_assert_cmpuint(ike_ep_half_open(p.ep[1]), ==, (size_t)i + 1);
        g_assert_cmpuint(count_events(&p, 1, IKE_EV_COOKIE_SENT), ==, 0);
    }
    /* the next one is answered with a COOKIE and leaves no state */
    g_assert_nonnull(ike_ep_initiate(p.ep[0], p.now, 1));
    shuttle(&p, false);
    g_assert_cmpuint(count_events(&p, 1, IKE_EV_COOKIE_SENT), ==, 1);
    g_assert_cmpuint(ike_ep_half_open(p.ep[1]), ==, THRESHOLD);
    g_assert_cmpuint(ike_ep_sa_count(p.ep[1]), ==, THRESHOLD);
    pair_free(&p);
}

static void test_cookie_echoed_gets_the_sa(void)
{
    ike_pair p;
    setup(&p, 1);
    g_assert_nonnull(ike_ep_initiate(p.ep[0], p.now, 1));
    shuttle(&p, false); /* one half-open SA: the threshold is reached */
    g_assert_nonnull(ike_ep_initiate(p.ep[0], p.now, 1));
    /* the classification a CPU-limited caller does answers it cheaply */
    ike_dgram *d = pair_pop(&p);
    gsize len;
    const uint8_t *b = g_bytes_get_data(d->bytes, &len);
    g_assert_cmpint(ike_ep_admit(p.ep[1], p.now, 0, b, len), ==, IKE_ADMIT_ANSWERED);
    dgram_free(d);
    g_assert_cmpuint(count_events(&p, 1, IKE_EV_COOKIE_SENT), ==, 1);
    /* the initiator repeats IKE_SA_INIT with the COOKIE first: admitted */
    d = pair_pop(&p);
    g_assert_cmpint(d->from, ==, 1);
    b = g_bytes_get_data(d->bytes, &len);
    pair_inject(&p, 0, b, len);
    dgram_free(d);
    d = pair_pop(&p);
    g_assert_cmpint(d->from, ==, 0);
    b = g_bytes_get_data(d->bytes, &len);
    g_assert_cmpint(ike_ep_admit(p.ep[1], p.now, 0, b, len), ==, IKE_ADMIT_HANDSHAKE);
    /* a forged or foreign cookie is not: the same request from another address */
    g_assert_cmpint(ike_ep_admit(p.ep[1], p.now, 99, b, len), ==, IKE_ADMIT_ANSWERED);
    dgram_free(g_queue_pop_tail(&p.wire)); /* that cookie went to address 99 */
    pair_inject(&p, 1, b, len);
    dgram_free(d);
    g_assert_cmpuint(ike_ep_half_open(p.ep[1]), ==, 2);
    /* the rest of the handshakes completes both SAs; nothing is half-open */
    pair_deliver(&p, 1 * MS);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_CHILD_ESTABLISHED), ==, 1);
    g_assert_cmpuint(ike_ep_half_open(p.ep[1]), ==, 1); /* the first one's answer was dropped */
    pair_free(&p);
}

static void test_no_threshold_no_cookie(void)
{
    ike_pair p;
    setup(&p, 0);
    for (int i = 0; i < 50; i++) {
        g_assert_nonnull(ike_ep_initiate(p.ep[0], p.now, 1));
        shuttle(&p, false);
    }
    g_assert_cmpuint(count_events(&p, 1, IKE_EV_COOKIE_SENT), ==, 0);
    g_assert_cmpuint(ike_ep_half_open(p.ep[1]), ==, 50);
    /* half-open SAs expire: the count follows */
    pair_advance(&p, p.now + 31 * SEC);
    g_assert_cmpuint(ike_ep_half_open(p.ep[1]), ==, 0);
    pair_free(&p);
}

/* The cap holds with or without COOKIEs: a request beyond it gets no answer
 * and no SA, even with a valid COOKIE; once one half-open SA expires, the
 * next request is admitted again. */
static void test_half_open_cap(void)
{
    enum { CAP = 4 };
    ike_pair p;
    ike_cfg a, b;
    ike_test_cfg(&a, "client.test");
    ike_test_cfg(&b, "headend.test");
    b.half_open_max = CAP;
    pair_init(&p, &a, &b, 7);
    for (int i = 0; i < CAP + 3; i++) {
        g_assert_nonnull(ike_ep_initiate(p.ep[0], p.now, 1));
        shuttle(&p, false);
    }
    g_assert_cmpuint(ike_ep_half_open(p.ep[1]), ==, CAP);
    g_assert_cmpuint(ike_ep_sa_count(p.ep[1]), ==, CAP);
    g_assert_cmpuint(count_events(&p, 1, IKE_EV_MSG_SENT), ==, CAP); /* nothing else answered */
    const ike_ev_rec *r = last_event(&p, 1, IKE_EV_MSG_DROPPED);
    g_assert_nonnull(r);
    g_assert_cmpint(r->ev.err, ==, IKE_E_BUSY);
    g_assert_cmpstr(ike_strerror(IKE_E_BUSY), ==, "too many half-open SAs");
    /* the classification says so too: no DH will be spent on it */
    g_assert_nonnull(ike_ep_initiate(p.ep[0], p.now, 1));
    ike_dgram *d = pair_pop(&p);
    gsize len;
    const uint8_t *bytes = g_bytes_get_data(d->bytes, &len);
    g_assert_cmpint(ike_ep_admit(p.ep[1], p.now, 0, bytes, len), ==, IKE_ADMIT_OTHER);
    dgram_free(d);
    /* the first SAs expire after half_open_ms: room again */
    pair_advance(&p, p.now + 30 * SEC);
    g_assert_cmpuint(ike_ep_half_open(p.ep[1]), ==, 0);
    pair_drop_all(&p); /* the initiator's retransmissions meanwhile */
    g_assert_nonnull(ike_ep_initiate(p.ep[0], p.now, 1));
    shuttle(&p, false);
    g_assert_cmpuint(ike_ep_half_open(p.ep[1]), ==, 1);
    pair_free(&p);

    /* with COOKIEs below the cap: an echoed COOKIE does not pass the cap */
    b.cookie_threshold = 1;
    b.half_open_max = 1;
    pair_init(&p, &a, &b, 7);
    g_assert_nonnull(ike_ep_initiate(p.ep[0], p.now, 1));
    shuttle(&p, false);
    g_assert_nonnull(ike_ep_initiate(p.ep[0], p.now, 1));
    shuttle(&p, true); /* COOKIE, then the request with it */
    shuttle(&p, false);
    g_assert_cmpuint(count_events(&p, 1, IKE_EV_COOKIE_SENT), ==, 1);
    g_assert_cmpint(last_event(&p, 1, IKE_EV_MSG_DROPPED)->ev.err, ==, IKE_E_BUSY);
    g_assert_cmpuint(ike_ep_half_open(p.ep[1]), ==, 1);
    pair_free(&p);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/admit/cookie-exactly-at-threshold", test_cookie_exactly_at_threshold);
    g_test_add_func("/admit/cookie-echoed-gets-the-sa", test_cookie_echoed_gets_the_sa);
    g_test_add_func("/admit/no-threshold-no-cookie", test_no_threshold_no_cookie);
    g_test_add_func("/admit/half-open-cap", test_half_open_cap);
    return g_test_run();
}
