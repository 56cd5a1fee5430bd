/* The minimal initiator of RFC 7815 (ike_cfg.minimal), both ends of the
 * model at exact times: over a day with a peer that checks liveness every
 * 30 s, tries to rekey the Child SA every hour and deletes the IKE SA every
 * six hours, every message the minimal side sends is an IKE_SA_INIT or
 * IKE_AUTH request, an empty INFORMATIONAL response or a CREATE_CHILD_SA
 * response holding only N(NO_ADDITIONAL_SAS) (§2.2), although its own
 * configuration asks for liveness checks and Child SA rekeys; each SA costs
 * exactly four messages; a Delete is answered and deletes nothing; hints
 * are ignored; a QCD taker deletes at the token's arrival; starting over
 * sends nothing. */
#include <string.h>

#include "ikepair.h"
#include "qcd.h"

enum { HOP_MS = 5 };
static qcd_secrets secrets;

/* a: the minimal client, which would check liveness and rekey if it were
 * not minimal; b: a full peer with liveness checks every 30 s. */
static void cfgs(ike_cfg *a, ike_cfg *b)
{
    ike_test_cfg(a, "sensor.example");
    ike_test_cfg(b, "headend.example");
    a->minimal = true;
    a->dpd_delay_ms = 30000;
    a->child_life = (ike_child_lifetime){3600, 3960, 360};
    a->ike_life = (ike_sa_lifetime){0, 4 * 3600, 360, 360}; /* reauthentication: never, being minimal */
    a->hint_starts_dpd = true;
    b->dpd_delay_ms = 30000;
    uint8_t s[QCD_SECRET_LEN];
    memset(s, 0x3c, sizeof s);
    qcd_secrets_init(&secrets, s);
    b->qcd.secrets = &secrets;
}

/* The keys of every SA the minimal side had, to open what it sent. */
typedef struct {
    uint64_t spi_i;
    ike_suite suite;
    ike_keys keys;
} sa_keys;

static void remember(GArray *known, const ike_sa *sa)
{
    sa_keys k = {ike_sa_spi_i(sa), *ike_sa_suite(sa), *ike_sa_keys(sa)};
    g_array_append_val(known, k);
}

static const sa_keys *keys_of(const GArray *known, uint64_t spi_i)
{
    for (guint i = 0; i < known->len; i++)
        if (g_array_index(known, sa_keys, i).spi_i == spi_i)
            return &g_array_index(known, sa_keys, i);
    return NULL;
}

typedef struct {
    guint init, auth, empty_info, no_additional;
} minimal_sent;

/* Every message side 0 sent must be one a minimal initiator may send. */
static minimal_sent check_sent(const ike_pair *p, const GArray *known)
{
    minimal_sent n = {0};
    static ike_msg m;
    static uint8_t plain[IKE_MAX_MSG];
    for (guint i = 0; i < p->sent[0]->len; i++) {
        gsize len;
        const uint8_t *b = g_bytes_get_data(g_ptr_array_index(p->sent[0], i), &len);
        g_assert_cmpint(ike_parse(b, len, &m), ==, IKE_OK);
        g_assert_true(m.hdr.flags & IKE_FLAG_I); /* always the original initiator */
        if (!(m.hdr.flags & IKE_FLAG_R)) { /* a request: only the initial exchanges */
            if (m.hdr.exchange == IKE_SA_INIT) {
                g_assert_cmpuint(m.hdr.msg_id, ==, 0);
                n.init++;
            } else {
                g_assert_cmpuint(m.hdr.exchange, ==, IKE_AUTH);
                g_assert_cmpuint(m.hdr.msg_id, ==, 1);
                n.auth++;
            }
            continue;
        }
        const sa_keys *k = keys_of(known, m.hdr.spi_i);
        g_assert_nonnull(k);
        g_assert_cmpint(ike_sk_open(&k->suite, k->keys.ei, k->keys.ai, b, len, &m, plain, sizeof plain), ==,
                        IKE_OK);
        size_t inner = m.n - 1; /* the payloads inside SK */
        if (m.hdr.exchange == IKE_INFORMATIONAL) {
            g_assert_cmpuint(inner, ==, 0);
            n.empty_info++;
        } else {
            g_assert_cmpuint(m.hdr.exchange, ==, IKE_CREATE_CHILD_SA);
            g_assert_cmpuint(inner, ==, 1);
            g_assert_nonnull(ike_find_notify(&m, IKE_N_NO_ADDITIONAL_SAS));
            n.no_additional++;
        }
    }
    return n;
}

static void establish(ike_pair *p, GArray *known)
{
    guint before = p->sent[0]->len + p->sent[1]->len;
    g_assert_nonnull(ike_ep_initiate(p->ep[0], p->now, 1));
    g_assert_cmpint(pair_deliver(p, HOP_MS * MS), ==, 4);
    g_assert_cmpuint(p->sent[0]->len + p->sent[1]->len - before, ==, 4); /* the wire cost of an SA */
    remember(known, pair_sa(p, 0));
}

static void test_a_day(void)
{
    ike_cfg a, b;
    cfgs(&a, &b);
    ike_pair p;
    pair_init(&p, &a, &b, 18);
    GArray *known = g_array_new(FALSE, FALSE, sizeof(sa_keys));
    establish(&p, known);
    guint sas = 1, rekeys = 0, deletes = 0;
    const uint64_t DAY = 86400 * SEC;
    uint64_t start_over_at = 0;
    for (uint64_t t = SEC; t < DAY; t += SEC) {
        pair_advance(&p, t);
        if (t % (6 * 3600 * SEC) == 0) { /* the peer deletes the IKE SA */
            g_assert_cmpint(ike_ep_delete(p.ep[1], pair_sa(&p, 1), p.now), ==, IKE_OK);
            g_assert_cmpint(pair_deliver(&p, HOP_MS * MS), >=, 2); /* a check may be under way */
            g_assert_cmpuint(ike_ep_sa_count(p.ep[1]), ==, 0);
            g_assert_true(ike_sa_established(pair_sa(&p, 0))); /* answered, deleted nothing */
            deletes++;
            start_over_at = t + 120 * SEC; /* its application notices in two minutes */
        } else if (t == start_over_at) {
            g_assert_cmpint(ike_ep_start_over(p.ep[0], pair_sa(&p, 0), p.now), ==, IKE_OK);
            establish(&p, known);
            sas++;
        } else if (t % (3600 * SEC) == 1800 * SEC) { /* and tries to rekey the Child SA */
            g_assert_cmpint(ike_ep_rekey_child(p.ep[1], pair_sa(&p, 1), p.now), ==, IKE_OK);
            rekeys++;
        }
        pair_deliver(&p, HOP_MS * MS);
    }
    minimal_sent n = check_sent(&p, known);
    g_assert_cmpuint(n.init, ==, sas);
    g_assert_cmpuint(n.auth, ==, sas);
    g_assert_cmpuint(n.no_additional, ==, rekeys);
    guint checks = count_events(&p, 1, IKE_EV_LIVENESS_SENT);
    g_assert_cmpuint(n.empty_info, ==, checks + deletes); /* every request answered */
    g_assert_cmpuint(count_events(&p, 1, IKE_EV_LIVENESS_ANSWERED), ==, checks);
    g_test_message("%u SAs, %u liveness checks, %u rekeys refused, %u Deletes answered", sas, checks, rekeys,
                   deletes);
    g_assert_cmpuint(sas, ==, 4);
    g_assert_cmpuint(rekeys, ==, 24);
    g_assert_cmpuint(checks, >, 2000);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_LIVENESS_SENT), ==, 0);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_RETRANSMIT), ==, 0);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_CHILD_ESTABLISHED), ==, sas); /* no rekey took */
    g_array_free(known, TRUE);
    pair_free(&p);
}

/* The peer's check at T is answered at T + one hop, empty; the peer sees
 * it answered at T + two hops. */
static void test_liveness_answered(void)
{
    ike_cfg a, b;
    cfgs(&a, &b);
    ike_pair p;
    pair_init(&p, &a, &b, 3);
    GArray *known = g_array_new(FALSE, FALSE, sizeof(sa_keys));
    establish(&p, known);
    g_assert_cmpuint(p.now, ==, 4 * HOP_MS * MS); /* the peer got our IKE_AUTH request at 15 ms */
    pair_advance(&p, 30 * SEC + 3 * HOP_MS * MS); /* the check is due now, not yet delivered */
    g_assert_nonnull(last_event(&p, 1, IKE_EV_LIVENESS_SENT));
    const ike_ev_rec sent_rec = *last_event(&p, 1, IKE_EV_LIVENESS_SENT), *sent = &sent_rec;
    g_assert_cmpuint(sent->ev.now, ==, 3 * HOP_MS * MS + 30 * SEC);
    g_assert_cmpuint(count_events(&p, 1, IKE_EV_LIVENESS_SENT), ==, 1);
    pair_deliver(&p, HOP_MS * MS);
    const ike_ev_rec *resp = last_event(&p, 0, IKE_EV_MSG_SENT);
    g_assert_true(resp->ev.is_response);
    g_assert_cmpuint(resp->ev.exchange, ==, IKE_INFORMATIONAL);
    g_assert_cmpuint(resp->ev.now, ==, sent->ev.now + HOP_MS * MS);
    g_assert_cmpuint(last_event(&p, 1, IKE_EV_LIVENESS_ANSWERED)->ev.now, ==, sent->ev.now + 2 * HOP_MS * MS);
    minimal_sent n = check_sent(&p, known);
    g_assert_cmpuint(n.empty_info, ==, 1);
    g_array_free(known, TRUE);
    pair_free(&p);
}

/* The minimal side never opens an SA as responder nor answers for an SA it
 * lacks, and its own liveness, Delete and rekey calls are refused. */
static void test_initiator_only(void)
{
    ike_cfg a, b;
    cfgs(&a, &b);
    ike_pair p;
    pair_init(&p, &b, &a, 5); /* the full side initiates to the minimal one */
    g_assert_nonnull(ike_ep_initiate(p.ep[0], p.now, 1));
    g_assert_cmpint(pair_deliver(&p, MS), ==, 1);
    g_assert_cmpuint(p.sent[1]->len, ==, 0);
    g_assert_cmpint(last_event(&p, 1, IKE_EV_MSG_DROPPED)->ev.err, ==, IKE_E_STATE);
    g_assert_cmpuint(ike_ep_sa_count(p.ep[1]), ==, 0);
    pair_free(&p);

    cfgs(&a, &b);
    pair_init(&p, &a, &b, 5);
    GArray *known = g_array_new(FALSE, FALSE, sizeof(sa_keys));
    establish(&p, known);
    ike_sa *sa = pair_sa(&p, 0);
    g_assert_cmpint(ike_ep_liveness(p.ep[0], sa, p.now), ==, IKE_E_STATE);
    g_assert_cmpint(ike_ep_delete(p.ep[0], sa, p.now), ==, IKE_E_STATE);
    g_assert_cmpint(ike_ep_rekey_child(p.ep[0], sa, p.now), ==, IKE_E_STATE);
    g_assert_cmpint(ike_ep_reauth(p.ep[0], sa, p.now), ==, IKE_E_STATE);
    g_assert_cmpuint(ike_ep_next_deadline(p.ep[0]), ==, UINT64_MAX); /* no timer of its own */
    g_assert_cmpint(ike_ep_invalid_spi(p.ep[0], p.now, 1, 0x1234, NULL), ==, IKE_OK);
    g_assert_cmpuint(p.sent[0]->len, ==, 2);
    /* a protected request for an SA it does not have: no INVALID_IKE_SPI */
    ike_sa *peer = pair_sa(&p, 1);
    GBytes *req = pair_forge(peer, IKE_INFORMATIONAL, false, 2, NULL, 0, 1000);
    ike_ep_start_over(p.ep[0], sa, p.now);
    gsize len;
    const uint8_t *bytes = g_bytes_get_data(req, &len);
    pair_inject(&p, 0, bytes, len);
    g_bytes_unref(req);
    g_assert_cmpuint(p.sent[0]->len, ==, 2);
    g_array_free(known, TRUE);
    pair_free(&p);
}

/* Unprotected INVALID_IKE_SPI / INVALID_SPI change nothing, even with
 * hint_starts_dpd set; with the QCD taker addition a verified token deletes
 * the SA at the token's arrival, silently. */
static void crash_peer(ike_pair *p, bool taker, ike_sa **sa)
{
    ike_cfg a, b;
    cfgs(&a, &b);
    b.qcd.role = IKE_QCD_MAKER;
    a.qcd.role = taker ? IKE_QCD_TAKER : 0;
    pair_init(p, &a, &b, 9);
    pair_establish(p);
    *sa = pair_sa(p, 0);
    pair_advance(p, 10 * SEC);
    pair_reboot(p, 1, &b); /* the secret is non-volatile */
}

static void test_hints_ignored_tokens_taken(void)
{
    ike_pair p;
    ike_sa *sa;
    crash_peer(&p, false, &sa);
    uint64_t parent[2] = {ike_sa_spi_i(sa), ike_sa_spi_r(sa)};
    guint sent = p.sent[0]->len;
    g_assert_cmpint(ike_ep_invalid_spi(p.ep[1], p.now, 0, ike_sa_child(sa)->spi_out, parent), ==, IKE_OK);
    g_assert_cmpint(pair_deliver(&p, HOP_MS * MS), ==, 1);
    g_assert_cmpint(ike_ep_invalid_spi(p.ep[1], p.now, 0, ike_sa_child(sa)->spi_out, NULL), ==, IKE_OK);
    g_assert_cmpint(pair_deliver(&p, HOP_MS * MS), ==, 1);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_HINT), ==, 0);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_SA_DELETED), ==, 0);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_MSG_DROPPED), ==, 2);
    g_assert_cmpuint(p.sent[0]->len, ==, sent); /* no check started */
    g_assert_true(ike_sa_established(sa));
    pair_free(&p);

    crash_peer(&p, true, &sa);
    parent[0] = ike_sa_spi_i(sa);
    parent[1] = ike_sa_spi_r(sa);
    uint64_t sent_at = p.now;
    g_assert_cmpint(ike_ep_invalid_spi(p.ep[1], p.now, 0, ike_sa_child(sa)->spi_out, parent), ==, IKE_OK);
    g_assert_cmpint(pair_deliver(&p, HOP_MS * MS), ==, 1); /* nothing in return */
    const ike_ev_rec *del = last_event(&p, 0, IKE_EV_SA_DELETED);
    g_assert_nonnull(del);
    g_assert_cmpint(del->ev.reason, ==, IKE_DEL_QCD);
    g_assert_cmpuint(del->ev.now, ==, sent_at + HOP_MS * MS);
    g_assert_cmpuint(ike_ep_sa_count(p.ep[0]), ==, 0);
    pair_free(&p);
}

/* Starting over forgets the SA without a message, as a dead peer. */
static void test_start_over(void)
{
    ike_cfg a, b;
    cfgs(&a, &b);
    ike_pair p;
    pair_init(&p, &a, &b, 11);
    pair_establish(&p);
    ike_sa *sa = pair_sa(&p, 0);
    pair_advance(&p, 100 * SEC);
    guint sent = p.sent[0]->len;
    g_assert_cmpint(ike_ep_start_over(p.ep[0], sa, p.now), ==, IKE_OK);
    g_assert_cmpuint(p.sent[0]->len, ==, sent);
    const ike_ev_rec *del = last_event(&p, 0, IKE_EV_SA_DELETED);
    g_assert_cmpint(del->ev.reason, ==, IKE_DEL_APP_TIMEOUT);
    g_assert_cmpuint(del->ev.now, ==, 100 * SEC);
    g_assert_true(ike_del_peer_dead(IKE_DEL_APP_TIMEOUT));
    g_assert_cmpstr(ike_del_reason_name(IKE_DEL_APP_TIMEOUT), ==, "app_timeout");
    g_assert_cmpuint(ike_ep_sa_count(p.ep[0]), ==, 0);
    pair_free(&p);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/minimal/a-day-of-requests", test_a_day);
    g_test_add_func("/minimal/liveness-answered", test_liveness_answered);
    g_test_add_func("/minimal/initiator-only", test_initiator_only);
    g_test_add_func("/minimal/hints-ignored-tokens-taken", test_hints_ignored_tokens_taken);
    g_test_add_func("/minimal/start-over", test_start_over);
    return g_test_run();
}
