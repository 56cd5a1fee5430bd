/* Quick Crash Detection (RFC 6290) in the IKE model: tokens in IKE_AUTH,
 * the rebooted maker's INVALID_IKE_SPI + QCD_TOKEN answer, the taker's
 * silent delete, and everything that must NOT delete an SA. */
#include <string.h>

#include "ike_internal.h"
#include "ikepair.h"

static qcd_secrets secrets_a, secrets_b;

static void qcd_cfgs(ike_cfg *a, ike_cfg *b, unsigned role_a, unsigned role_b)
{
    uint8_t s[QCD_SECRET_LEN];
    ike_test_cfg(a, "a.example");
    ike_test_cfg(b, "b.example");
    memset(s, 0xa5, sizeof s);
    qcd_secrets_init(&secrets_a, s);
    memset(s, 0x5b, sizeof s);
    qcd_secrets_init(&secrets_b, s);
    a->qcd.role = role_a;
    a->qcd.secrets = &secrets_a;
    b->qcd.role = role_b;
    b->qcd.secrets = &secrets_b;
}

static const ike_payload *inner_payload(ike_pair *p, int side, guint i, ike_msg *m, uint8_t *plain,
                                        uint16_t notify)
{
    /* open a protected message with the keys of the side that received it */
    gsize len;
    const uint8_t *b = g_bytes_get_data(g_ptr_array_index(p->sent[side], i), &len);
    g_assert_cmpint(ike_parse(b, len, m), ==, IKE_OK);
    ike_sa *rx = pair_sa(p, 1 - side);
    g_assert_cmpint(sa_open(rx, b, len, m, plain), ==, IKE_OK);
    return ike_find_notify(m, notify);
}

static void test_token_known_answer(void)
{
    uint8_t secret[32], t[32];
    for (int i = 0; i < 32; i++)
        secret[i] = (uint8_t)i;
    /* HMAC-SHA256(00..1f, 0102030405060708 1112131415161718), from Python's hmac */
    static const uint8_t want[32] = {
        0x07, 0x21, 0x5b, 0x99, 0x8b, 0x9a, 0x99, 0x0c, 0x5c, 0xc6, 0xa1, 0x60, 0xe9, 0x18, 0x0b, 0x48,
        0x7d, 0xc8, 0x0d, 0x13, 0xa7, 0xe4, 0x64, 0xed, 0x0d, 0x12, 0x98, 0xcf, 0xbf, 0x65, 0x24, 0x67};
    g_assert_cmpint(qcd_token(secret, 0x0102030405060708ull, 0x1112131415161718ull, t), ==, IKE_OK);
    g_assert_cmpmem(t, 32, want, 32);
}

static void test_token_in_ike_auth(void)
{
    ike_cfg a, b;
    qcd_cfgs(&a, &b, IKE_QCD_MAKER | IKE_QCD_TAKER, IKE_QCD_MAKER | IKE_QCD_TAKER);
    ike_pair p;
    pair_init(&p, &a, &b, 31);
    pair_establish(&p);
    ike_sa *sa = pair_sa(&p, 0), *sb = pair_sa(&p, 1);
    uint8_t want_a[32], want_b[32];
    qcd_token(secrets_a.cur, ike_sa_spi_i(sa), ike_sa_spi_r(sa), want_a);
    qcd_token(secrets_b.cur, ike_sa_spi_i(sa), ike_sa_spi_r(sa), want_b);
    /* the initiator's IKE_AUTH request and the responder's response carry
     * N(QCD_TOKEN), Protocol ID 0, right after AUTH and before SA */
    ike_msg m;
    uint8_t plain[IKE_MAX_MSG];
    for (int side = 0; side < 2; side++) {
        const ike_payload *n = inner_payload(&p, side, 1, &m, plain, IKE_N_QCD_TOKEN);
        g_assert_nonnull(n);
        g_assert_cmpuint(n->u.notify.proto, ==, 0);
        g_assert_cmpuint(n->u.notify.spi_size, ==, 0);
        g_assert_cmpmem(n->u.notify.data.p, n->u.notify.data.len, side ? want_b : want_a, 32);
        g_assert_cmpuint(n[-1].type, ==, IKE_PL_AUTH);
        if (side == 0)
            g_assert_cmpuint(n[1].type, ==, IKE_PL_SA);
    }
    /* each taker stored its peer's token */
    g_assert_cmpmem(sa->peer_token, sa->peer_token_len, want_b, 32);
    g_assert_cmpmem(sb->peer_token, sb->peer_token_len, want_a, 32);
    pair_free(&p);
}

/* A (maker) reboots; B (taker) runs a liveness check; A answers in the
 * clear with INVALID_IKE_SPI + QCD_TOKEN; B deletes one round trip later. */
static void test_reboot_detected_in_one_round_trip(void)
{
    ike_cfg a, b;
    qcd_cfgs(&a, &b, IKE_QCD_MAKER, IKE_QCD_TAKER);
    ike_pair p;
    pair_init(&p, &a, &b, 32);
    pair_establish(&p);
    ike_sa *sb = pair_sa(&p, 1);
    uint64_t spi_i = ike_sa_spi_i(sb), spi_r = ike_sa_spi_r(sb);
    pair_advance(&p, 10 * SEC);
    pair_reboot(&p, 0, &a); /* same secret: it is non-volatile */
    pair_advance(&p, 20 * SEC);
    g_assert_cmpint(ike_ep_liveness(p.ep[1], sb, p.now), ==, IKE_OK);
    guint a_sent = p.sent[0]->len;
    pair_deliver(&p, MS);
    g_assert_cmpuint(ike_ep_sa_count(p.ep[1]), ==, 0);
    const ike_ev_rec *del = last_event(&p, 1, IKE_EV_SA_DELETED);
    g_assert_cmpint(del->ev.reason, ==, IKE_DEL_QCD);
    g_assert_cmpuint(del->ev.now, ==, 20 * SEC + 2 * MS);
    /* the answer: request SPIs, exchange and MID; R set; I inverted */
    ike_msg m;
    gsize len;
    const uint8_t *ans = g_bytes_get_data(g_ptr_array_index(p.sent[0], a_sent), &len);
    g_assert_cmpint(ike_parse(ans, len, &m), ==, IKE_OK);
    g_assert_cmpuint(m.hdr.spi_i, ==, spi_i);
    g_assert_cmpuint(m.hdr.spi_r, ==, spi_r);
    g_assert_cmpuint(m.hdr.exchange, ==, IKE_INFORMATIONAL);
    g_assert_cmpuint(m.hdr.flags, ==, IKE_FLAG_R | IKE_FLAG_I); /* B was responder: I=0 in its request */
    g_assert_cmpuint(m.hdr.msg_id, ==, 0);
    g_assert_cmpuint(m.n, ==, 2);
    g_assert_cmpuint(m.pl[0].u.notify.type, ==, IKE_N_INVALID_IKE_SPI);
    g_assert_cmpuint(m.pl[1].u.notify.type, ==, IKE_N_QCD_TOKEN);
    /* silently: B sent nothing after the check */
    g_assert_cmpuint(p.sent[1]->len, ==, 3);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_QCD_ANSWERED), ==, 1);
    pair_free(&p);
}

static ike_pair *crashed_pair(ike_pair *p, ike_cfg *a, ike_cfg *b, ike_sa **sb)
{
    pair_init(p, a, b, 33);
    pair_establish(p);
    *sb = pair_sa(p, 1);
    pair_reboot(p, 0, a);
    return p;
}

static void test_what_does_not_delete(void)
{
    ike_cfg a, b;
    ike_pair p;
    ike_sa *sb;
    /* B is no taker: the token is ignored, the answer is a hint only */
    qcd_cfgs(&a, &b, IKE_QCD_MAKER, 0);
    crashed_pair(&p, &a, &b, &sb);
    ike_ep_liveness(p.ep[1], sb, p.now);
    pair_deliver(&p, MS);
    g_assert_cmpuint(ike_ep_sa_count(p.ep[1]), ==, 1);
    g_assert_cmpuint(count_events(&p, 1, IKE_EV_HINT), ==, 1);
    pair_drop_all(&p);
    pair_free(&p);
    /* the maker lost its secret: the new token does not verify */
    qcd_cfgs(&a, &b, IKE_QCD_MAKER, IKE_QCD_TAKER);
    crashed_pair(&p, &a, &b, &sb);
    uint8_t other[QCD_SECRET_LEN] = {1};
    qcd_secrets_init(&secrets_a, other);
    ike_ep_liveness(p.ep[1], sb, p.now);
    pair_deliver(&p, MS);
    g_assert_cmpuint(ike_ep_sa_count(p.ep[1]), ==, 1);
    g_assert_cmpint(last_event(&p, 1, IKE_EV_QCD_REJECTED)->ev.err, ==, IKE_E_AUTH);
    pair_drop_all(&p);
    pair_free(&p);
    /* the maker answers only within 10 s of booting */
    qcd_cfgs(&a, &b, IKE_QCD_MAKER, IKE_QCD_TAKER);
    a.qcd.answer_window_ns = 10 * SEC;
    crashed_pair(&p, &a, &b, &sb);
    pair_advance(&p, 11 * SEC);
    ike_ep_liveness(p.ep[1], sb, p.now);
    pair_deliver(&p, MS);
    g_assert_cmpuint(ike_ep_sa_count(p.ep[1]), ==, 1);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_QCD_ANSWERED), ==, 0);
    g_assert_cmpuint(count_events(&p, 1, IKE_EV_HINT), ==, 1); /* plain INVALID_IKE_SPI */
    pair_drop_all(&p);
    pair_free(&p);
}

static bool alive_everywhere(void *ctx, uint64_t spi_i, uint64_t spi_r)
{
    (void)ctx, (void)spi_i, (void)spi_r;
    return true;
}

static void test_cluster_knowledge_withholds_token(void)
{
    ike_cfg a, b;
    ike_pair p;
    ike_sa *sb;
    qcd_cfgs(&a, &b, IKE_QCD_MAKER, IKE_QCD_TAKER);
    crashed_pair(&p, &a, &b, &sb);
    /* A now learns that the SA lives on another member */
    p.ep[0]->io.sa_alive_elsewhere = alive_everywhere;
    ike_ep_liveness(p.ep[1], sb, p.now);
    pair_deliver(&p, MS);
    g_assert_cmpuint(ike_ep_sa_count(p.ep[1]), ==, 1);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_QCD_ANSWERED), ==, 0);
    pair_drop_all(&p);
    pair_free(&p);
}

static void test_rollover_tokens(void)
{
    ike_cfg a, b;
    ike_pair p;
    ike_sa *sb;
    qcd_cfgs(&a, &b, IKE_QCD_MAKER, IKE_QCD_TAKER);
    pair_init(&p, &a, &b, 34);
    pair_establish(&p);
    sb = pair_sa(&p, 1);
    for (uint8_t g = 1; g <= 2; g++) { /* two rollovers since the token was made */
        uint8_t s[QCD_SECRET_LEN];
        memset(s, g, sizeof s);
        qcd_rollover(&secrets_a, s);
    }
    pair_reboot(&p, 0, &a);
    guint a_sent = p.sent[0]->len;
    ike_ep_liveness(p.ep[1], sb, p.now);
    pair_deliver(&p, MS);
    ike_msg m;
    gsize len;
    const uint8_t *ans = g_bytes_get_data(g_ptr_array_index(p.sent[0], a_sent), &len);
    g_assert_cmpint(ike_parse(ans, len, &m), ==, IKE_OK);
    g_assert_cmpuint(m.n, ==, 4); /* INVALID_IKE_SPI + current + two old */
    g_assert_cmpint(last_event(&p, 1, IKE_EV_SA_DELETED)->ev.reason, ==, IKE_DEL_QCD);
    /* a fourth rollover forgets the generation the token came from */
    for (uint8_t g = 3; g <= 6; g++) {
        uint8_t s[QCD_SECRET_LEN];
        memset(s, g, sizeof s);
        qcd_rollover(&secrets_a, s);
    }
    g_assert_cmpuint(secrets_a.n_old, ==, 3);
    pair_free(&p);
}

static void test_fast_path_invalid_spi(void)
{
    ike_cfg a, b;
    ike_pair p;
    ike_sa *sb;
    qcd_cfgs(&a, &b, IKE_QCD_MAKER, IKE_QCD_TAKER);
    crashed_pair(&p, &a, &b, &sb);
    /* A's persisted map names B's outbound SPI and its parent IKE SA */
    uint64_t parent[2] = {ike_sa_spi_i(sb), ike_sa_spi_r(sb)};
    g_assert_cmpint(ike_ep_invalid_spi(p.ep[0], p.now, 1, ike_sa_child(sb)->spi_out, parent), ==, IKE_OK);
    g_assert_cmpint(pair_deliver(&p, MS), ==, 1); /* one message, no answer */
    g_assert_cmpint(last_event(&p, 1, IKE_EV_SA_DELETED)->ev.reason, ==, IKE_DEL_QCD);
    g_assert_cmpuint(last_event(&p, 1, IKE_EV_SA_DELETED)->ev.now, ==, 5 * MS); /* sent at 4 ms */
    pair_free(&p);
    /* without the map: a plain INVALID_SPI, a hint that starts a check */
    qcd_cfgs(&a, &b, IKE_QCD_MAKER, IKE_QCD_TAKER);
    b.hint_starts_dpd = true;
    crashed_pair(&p, &a, &b, &sb);
    ike_ep_invalid_spi(p.ep[0], p.now, 1, ike_sa_child(sb)->spi_out, NULL);
    pair_deliver(&p, MS); /* INVALID_SPI -> liveness check -> INVALID_IKE_SPI + token */
    g_assert_cmpuint(count_events(&p, 1, IKE_EV_HINT), ==, 1);
    g_assert_cmpuint(count_events(&p, 1, IKE_EV_LIVENESS_SENT), ==, 1);
    const ike_ev_rec *del = last_event(&p, 1, IKE_EV_SA_DELETED);
    g_assert_cmpint(del->ev.reason, ==, IKE_DEL_QCD);
    g_assert_cmpuint(del->ev.now, ==, 7 * MS); /* INVALID_SPI, check, answer: three hops */
    pair_free(&p);
}

static void test_forged_tokens_never_delete(void)
{
    ike_cfg a, b;
    qcd_cfgs(&a, &b, IKE_QCD_MAKER, IKE_QCD_TAKER);
    b.hint_starts_dpd = true;
    b.hint_rate = 1.0; /* at most one hint-started check per second */
    b.hint_burst = 1.0;
    ike_pair p;
    pair_init(&p, &a, &b, 35);
    pair_establish(&p);
    ike_sa *sb = pair_sa(&p, 1);
    sim_rng *forger = sim_rng_new(99, 1, 0);
    uint8_t msg[256], tok[32];
    const guint n = 100000;
    uint64_t start = p.now;
    for (guint i = 0; i < n; i++) {
        pair_advance(&p, MAX(p.now, start + (uint64_t)i * MS)); /* 1,000 forgeries per second */
        sim_rng_bytes(forger, tok, sizeof tok);
        ike_msg f = {0};
        f.hdr = (ike_hdr){.spi_i = ike_sa_spi_i(sb), .spi_r = ike_sa_spi_r(sb), .version = IKE_VERSION,
                          .exchange = IKE_INFORMATIONAL, .flags = IKE_FLAG_R | IKE_FLAG_I};
        f.pl[0] = ike_pl_notify(0, IKE_N_INVALID_IKE_SPI, NULL, 0);
        f.pl[1] = ike_pl_notify(0, IKE_N_QCD_TOKEN, tok, sizeof tok);
        f.n = 2;
        size_t len;
        g_assert_cmpint(ike_encode(&f, msg, sizeof msg, &len), ==, IKE_OK);
        pair_inject(&p, 1, msg, len);
        pair_deliver(&p, MS); /* A is alive and answers B's checks */
    }
    g_assert_cmpuint(ike_ep_sa_count(p.ep[1]), ==, 1);
    g_assert_cmpuint(count_events(&p, 1, IKE_EV_SA_DELETED), ==, 0);
    guint checks = count_events(&p, 1, IKE_EV_LIVENESS_SENT);
    uint64_t secs = (p.now - start) / SEC;
    g_test_message("%u forged tokens over %" G_GUINT64_FORMAT " s: %u liveness checks", n, secs, checks);
    g_assert_cmpuint(checks, >=, 1);
    g_assert_cmpuint(checks, <=, secs + 1); /* the rate limit held */
    sim_rng_free(forger);
    pair_free(&p);
}

/* Someone replays to the rebooted maker a protected request captured before
 * the crash and forwards the token answer to the taker, which has nothing
 * in flight.  A taker that accepts tokens at any time acts on it; one that
 * needs its own outstanding request ignores it (the guard against tokens
 * elicited by a third party, which matters where the SA is alive elsewhere). */
static void replayed_request_attack(bool needs_request, int *deleted)
{
    ike_cfg a, b;
    qcd_cfgs(&a, &b, IKE_QCD_MAKER, IKE_QCD_TAKER);
    b.qcd.taker_needs_request = needs_request;
    ike_pair p;
    pair_init(&p, &a, &b, 36);
    pair_establish(&p);
    ike_sa *sb = pair_sa(&p, 1);
    ike_ep_liveness(p.ep[1], sb, p.now);
    ike_dgram *captured = pair_pop(&p);
    gsize len;
    const uint8_t *bytes = g_bytes_get_data(captured->bytes, &len);
    pair_inject(&p, 0, bytes, len);
    pair_deliver(&p, MS); /* answered while A is alive */
    g_assert_cmpuint(count_events(&p, 1, IKE_EV_LIVENESS_ANSWERED), ==, 1);

    pair_reboot(&p, 0, &a);
    pair_inject(&p, 0, bytes, len); /* the replay elicits a token */
    ike_dgram *answer = pair_pop(&p);
    g_assert_nonnull(answer);
    const uint8_t *ab = g_bytes_get_data(answer->bytes, &len);
    pair_inject(&p, 1, ab, len);
    *deleted = (int)count_events(&p, 1, IKE_EV_SA_DELETED);
    if (needs_request)
        g_assert_cmpint(last_event(&p, 1, IKE_EV_QCD_REJECTED)->ev.err, ==, IKE_E_STATE);
    dgram_free(captured);
    dgram_free(answer);
    pair_drop_all(&p);
    pair_free(&p);
}

static void test_taker_needs_own_request(void)
{
    int deleted;
    replayed_request_attack(false, &deleted);
    g_assert_cmpint(deleted, ==, 1); /* accepted at any time */
    replayed_request_attack(true, &deleted);
    g_assert_cmpint(deleted, ==, 0);
}

static void test_maker_rate_limit(void)
{
    ike_cfg a, b;
    ike_pair p;
    ike_sa *sb;
    qcd_cfgs(&a, &b, IKE_QCD_MAKER, 0);
    a.qcd.maker_rate = 1.0;
    a.qcd.maker_burst = 2.0;
    crashed_pair(&p, &a, &b, &sb);
    ike_ep_liveness(p.ep[1], sb, p.now);
    ike_dgram *check = pair_pop(&p);
    gsize len;
    const uint8_t *bytes = g_bytes_get_data(check->bytes, &len);
    for (int i = 0; i < 5; i++) /* five copies at once */
        pair_inject(&p, 0, bytes, len);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_QCD_ANSWERED), ==, 2);
    g_assert_cmpuint(g_queue_get_length(&p.wire), ==, 5); /* the rest without a token */
    pair_advance(&p, p.now + SEC);
    pair_inject(&p, 0, bytes, len);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_QCD_ANSWERED), ==, 3);
    dgram_free(check);
    pair_drop_all(&p);
    pair_free(&p);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qcd/token-known-answer", test_token_known_answer);
    g_test_add_func("/qcd/token-in-ike-auth", test_token_in_ike_auth);
    g_test_add_func("/qcd/reboot-detected-in-one-round-trip", test_reboot_detected_in_one_round_trip);
    g_test_add_func("/qcd/what-does-not-delete", test_what_does_not_delete);
    g_test_add_func("/qcd/cluster-knowledge-withholds-token", test_cluster_knowledge_withholds_token);
    g_test_add_func("/qcd/rollover-tokens", test_rollover_tokens);
    g_test_add_func("/qcd/fast-path-invalid-spi", test_fast_path_invalid_spi);
    g_test_add_func("/qcd/forged-tokens-never-delete", test_forged_tokens_never_delete);
    g_test_add_func("/qcd/taker-needs-own-request", test_taker_needs_own_request);
    g_test_add_func("/qcd/maker-rate-limit", test_maker_rate_limit);
    return g_test_run();
}
