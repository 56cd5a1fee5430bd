/* The IKEv2 endpoint driven in-process with hand-picked times: handshakes,
 * the exact retransmission schedule, cached responses, liveness timing,
 * hints, Delete, and bad input that must change nothing. */
#include <string.h>

#include "ike_internal.h"
#include "ikepair.h"

static GBytes *sent_bytes(ike_pair *p, int side, guint i)
{
    g_assert_cmpuint(i, <, p->sent[side]->len);
    return g_ptr_array_index(p->sent[side], i);
}

static void parse_bytes(GBytes *b, ike_msg *m)
{
    gsize len;
    const uint8_t *d = g_bytes_get_data(b, &len);
    g_assert_cmpint(ike_parse(d, len, m), ==, IKE_OK);
}

static void test_handshake_gcm_x25519(void)
{
    ike_cfg a, b;
    ike_test_cfg(&a, "a.example");
    ike_test_cfg(&b, "b.example");
    ike_pair p;
    pair_init(&p, &a, &b, 1);
    pair_establish(&p);

    /* IKE_SA_INIT request: MID 0, I flag, SPIr 0, SA + KE(31, 32 octets) + Ni */
    ike_msg m;
    parse_bytes(sent_bytes(&p, 0, 0), &m);
    g_assert_cmpuint(m.hdr.exchange, ==, IKE_SA_INIT);
    g_assert_cmpuint(m.hdr.flags, ==, IKE_FLAG_I);
    g_assert_cmpuint(m.hdr.msg_id, ==, 0);
    g_assert_cmpuint(m.hdr.spi_r, ==, 0);
    g_assert_cmpuint(m.n, ==, 3);
    g_assert_cmpuint(m.pl[1].type, ==, IKE_PL_KE);
    g_assert_cmpuint(m.pl[1].u.ke.group, ==, IKE_DH_CURVE25519);
    g_assert_cmpuint(m.pl[1].u.ke.data.len, ==, 32);
    g_assert_cmpuint(m.pl[2].u.nonce.len, ==, 32);
    /* IKE_AUTH request: MID 1, protected */
    parse_bytes(sent_bytes(&p, 0, 1), &m);
    g_assert_cmpuint(m.hdr.exchange, ==, IKE_AUTH);
    g_assert_cmpuint(m.hdr.msg_id, ==, 1);
    g_assert_cmpuint(m.hdr.next_payload, ==, IKE_PL_SK);
    /* IKE_AUTH response: R flag, no I flag, MID 1 */
    parse_bytes(sent_bytes(&p, 1, 1), &m);
    g_assert_cmpuint(m.hdr.flags, ==, IKE_FLAG_R);
    g_assert_cmpuint(m.hdr.msg_id, ==, 1);

    /* 1 ms hops: the responder is up when IKE_AUTH arrives (3 ms), the
     * initiator when the answer does (4 ms) */
    g_assert_cmpuint(last_event(&p, 1, IKE_EV_SA_ESTABLISHED)->ev.now, ==, 3 * MS);
    g_assert_cmpuint(last_event(&p, 0, IKE_EV_SA_ESTABLISHED)->ev.now, ==, 4 * MS);

    ike_sa *sa = pair_sa(&p, 0), *sb = pair_sa(&p, 1);
    g_assert_true(ike_sa_is_initiator(sa));
    g_assert_false(ike_sa_is_initiator(sb));
    g_assert_cmpuint(ike_sa_spi_i(sa), ==, ike_sa_spi_i(sb));
    g_assert_cmpuint(ike_sa_spi_r(sa), ==, ike_sa_spi_r(sb));
    g_assert_cmpmem(ike_sa_keys(sa), sizeof(ike_keys), ike_sa_keys(sb), sizeof(ike_keys));
    g_assert_cmpuint(ike_sa_keys(sa)->encr_len, ==, 36); /* AES-256 + salt */
    const ike_child *ca = ike_sa_child(sa), *cb = ike_sa_child(sb);
    g_assert_nonnull(ca);
    g_assert_nonnull(cb);
    g_assert_cmpuint(ca->spi_out, ==, cb->spi_in);
    g_assert_cmpuint(ca->spi_in, ==, cb->spi_out);
    g_assert_cmpuint(ca->spi_in, >=, 256);
    g_assert_cmpmem(ca->key_out, 36, cb->key_in, 36);
    g_assert_cmpmem(ca->key_in, 36, cb->key_out, 36);
    g_assert_true(memcmp(ca->key_in, ca->key_out, 36) != 0);
    pair_free(&p);
}

static void test_handshake_cbc_modp(void)
{
    ike_cfg a, b;
    ike_test_cfg(&a, "a.example");
    ike_test_cfg(&b, "b.example");
    ike_suite cbc = {IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA2_256_128, IKE_PRF_HMAC_SHA2_256,
                     IKE_DH_MODP2048};
    a.ike = b.ike = cbc;
    a.esp = b.esp = cbc;
    a.esp.dh = b.esp.dh = 0;
    ike_pair p;
    pair_init(&p, &a, &b, 2);
    pair_establish(&p);
    ike_msg m;
    parse_bytes(sent_bytes(&p, 0, 0), &m);
    g_assert_cmpuint(m.pl[1].u.ke.group, ==, IKE_DH_MODP2048);
    g_assert_cmpuint(m.pl[1].u.ke.data.len, ==, 256);
    ike_sa *sa = pair_sa(&p, 0);
    g_assert_cmpuint(ike_sa_keys(sa)->integ_len, ==, 32);
    g_assert_cmpuint(ike_sa_keys(sa)->encr_len, ==, 16);
    g_assert_cmpmem(ike_sa_keys(sa), sizeof(ike_keys), ike_sa_keys(pair_sa(&p, 1)), sizeof(ike_keys));
    /* an empty liveness check is 80 octets with AES-CBC + HMAC-SHA2-256-128 */
    g_assert_cmpint(ike_ep_liveness(p.ep[0], sa, p.now), ==, IKE_OK);
    guint n = p.sent[0]->len;
    g_assert_cmpuint(g_bytes_get_size(sent_bytes(&p, 0, n - 1)), ==, 80);
    pair_deliver(&p, MS);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_LIVENESS_ANSWERED), ==, 1);
    g_assert_cmpuint(g_bytes_get_size(sent_bytes(&p, 1, p.sent[1]->len - 1)), ==, 80);
    pair_free(&p);
}

static void test_invalid_ke_retry(void)
{
    ike_cfg a, b;
    ike_test_cfg(&a, "a.example");
    ike_test_cfg(&b, "b.example");
    a.ike_dh_alt = IKE_DH_MODP2048; /* prefers X25519, accepts MODP-2048 */
    b.ike.dh = IKE_DH_MODP2048;
    ike_pair p;
    pair_init(&p, &a, &b, 3);
    g_assert_nonnull(ike_ep_initiate(p.ep[0], 0, 1));
    g_assert_cmpint(pair_deliver(&p, MS), ==, 6);
    ike_msg m;
    parse_bytes(sent_bytes(&p, 1, 0), &m); /* N(INVALID_KE_PAYLOAD, 14) */
    const ike_payload *n = ike_find_notify(&m, IKE_N_INVALID_KE_PAYLOAD);
    g_assert_nonnull(n);
    g_assert_cmpuint(n->u.notify.data.len, ==, 2);
    g_assert_cmpuint(get_be16(n->u.notify.data.p), ==, 14);
    ike_msg first, second;
    parse_bytes(sent_bytes(&p, 0, 0), &first);
    parse_bytes(sent_bytes(&p, 0, 1), &second); /* the retry: MID 0, same SPIi, KE 14 */
    g_assert_cmpuint(second.hdr.msg_id, ==, 0);
    g_assert_cmpuint(second.hdr.spi_i, ==, first.hdr.spi_i);
    g_assert_cmpuint(second.pl[1].u.ke.group, ==, 14);
    g_assert_cmpuint(ike_sa_suite(pair_sa(&p, 0))->dh, ==, IKE_DH_MODP2048);
    g_assert_cmpuint(count_events(&p, 1, IKE_EV_SA_ESTABLISHED), ==, 1);
    g_assert_cmpuint(ike_ep_sa_count(p.ep[1]), ==, 1); /* the refused try left no SA */
    pair_free(&p);
}

/* strongSwan's default: sends at 0, 4, 11.2, 24.16, 47.488, 89.478 s;
 * gives up at 165.06 s. */
static const uint64_t schedule_ms[] = {0, 4000, 11200, 24160, 47488, 89478};
#define GIVE_UP_MS 165060ull

static void test_retransmission_schedule(void)
{
    ike_cfg a, b;
    ike_test_cfg(&a, "a.example");
    ike_test_cfg(&b, "b.example");
    g_assert_cmpuint(ike_retx_total_ns(&a.retx), ==, GIVE_UP_MS * MS);
    ike_pair p;
    pair_init(&p, &a, &b, 4);
    g_assert_nonnull(ike_ep_initiate(p.ep[0], 0, 1));
    for (guint i = 1; i < G_N_ELEMENTS(schedule_ms); i++) {
        uint64_t t = schedule_ms[i] * MS;
        pair_advance(&p, t - 1);
        g_assert_cmpuint(p.sent[0]->len, ==, i); /* deadline - 1: nothing */
        pair_advance(&p, t);
        g_assert_cmpuint(p.sent[0]->len, ==, i + 1);
        g_assert_true(g_bytes_equal(sent_bytes(&p, 0, i), sent_bytes(&p, 0, 0))); /* bit for bit */
        g_assert_cmpuint(last_event(&p, 0, IKE_EV_RETRANSMIT)->ev.count, ==, i);
    }
    pair_advance(&p, GIVE_UP_MS * MS - 1);
    g_assert_cmpuint(ike_ep_sa_count(p.ep[0]), ==, 1);
    pair_advance(&p, GIVE_UP_MS * MS);
    g_assert_cmpuint(ike_ep_sa_count(p.ep[0]), ==, 0);
    const ike_ev_rec *del = last_event(&p, 0, IKE_EV_SA_DELETED);
    g_assert_nonnull(del);
    g_assert_cmpuint(del->ev.now, ==, GIVE_UP_MS * MS);
    g_assert_cmpint(del->ev.reason, ==, IKE_DEL_TIMEOUT);
    g_assert_cmpuint(p.sent[0]->len, ==, 6);
    g_assert_cmpuint(ike_ep_next_deadline(p.ep[0]), ==, UINT64_MAX);
    pair_drop_all(&p);
    pair_free(&p);
}

static void test_liveness_exact_and_give_up(void)
{
    ike_cfg a, b;
    ike_test_cfg(&a, "a.example");
    ike_test_cfg(&b, "b.example");
    a.dpd_delay_ms = 10000;
    ike_pair p;
    pair_init(&p, &a, &b, 5);
    pair_establish(&p); /* A established at 4 ms, its last inbound */
    guint sent = p.sent[0]->len;
    uint64_t first = 4 * MS + 10 * SEC;
    pair_advance(&p, first - 1);
    g_assert_cmpuint(p.sent[0]->len, ==, sent);
    pair_advance(&p, first);
    g_assert_cmpuint(p.sent[0]->len, ==, sent + 1);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_LIVENESS_SENT), ==, 1);
    ike_msg m;
    parse_bytes(sent_bytes(&p, 0, sent), &m);
    g_assert_cmpuint(m.hdr.exchange, ==, IKE_INFORMATIONAL);
    g_assert_cmpuint(m.hdr.msg_id, ==, 2);
    g_assert_cmpuint(m.n, ==, 1); /* only the SK payload... */
    g_assert_cmpuint(m.pl[0].next, ==, IKE_PL_NONE); /* ...and nothing inside */
    g_assert_cmpuint(g_bytes_get_size(sent_bytes(&p, 0, sent)), ==, 57);
    /* answered: the next check is dpd_delay after the answer */
    pair_deliver(&p, MS);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_LIVENESS_ANSWERED), ==, 1);
    uint64_t second = first + 2 * MS + 10 * SEC;
    pair_advance(&p, second - 1);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_LIVENESS_SENT), ==, 1);
    pair_advance(&p, second);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_LIVENESS_SENT), ==, 2);
    /* the peer is gone: the check runs the whole schedule, then the SA dies */
    pair_drop_all(&p);
    pair_advance(&p, second + GIVE_UP_MS * MS - 1);
    g_assert_cmpuint(ike_ep_sa_count(p.ep[0]), ==, 1);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_RETRANSMIT), ==, 5);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_LIVENESS_SENT), ==, 2); /* busy: no new check */
    pair_advance(&p, second + GIVE_UP_MS * MS);
    g_assert_cmpuint(ike_ep_sa_count(p.ep[0]), ==, 0);
    g_assert_cmpint(last_event(&p, 0, IKE_EV_SA_DELETED)->ev.reason, ==, IKE_DEL_TIMEOUT);
    g_assert_cmpuint(ike_ep_sa_count(p.ep[1]), ==, 1); /* the silent peer still holds it */
    pair_drop_all(&p);
    pair_free(&p);
}

/* Liveness times with whole-second idle bookkeeping (brief §5.1b). */
static GArray *whole_second_checks(uint64_t phase_ns, uint64_t until)
{
    ike_cfg a, b;
    ike_test_cfg(&a, "a.example");
    ike_test_cfg(&b, "b.example");
    a.dpd_delay_ms = 10000;
    a.dpd_clock = IKE_DPD_WHOLE_SECONDS;
    a.dpd_clock_phase_ns = phase_ns;
    ike_pair p;
    pair_init(&p, &a, &b, 6);
    pair_establish(&p);
    GArray *at = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    guint seen = 0;
    while (p.now < until) {
        uint64_t next = ike_ep_next_deadline(p.ep[0]);
        pair_advance(&p, MIN(next, until));
        if (count_events(&p, 0, IKE_EV_LIVENESS_SENT) > seen) {
            seen++;
            g_array_append_val(at, p.now);
            pair_deliver(&p, MS); /* answered 2 ms later */
        }
    }
    pair_free(&p);
    return at;
}

static void test_liveness_whole_seconds(void)
{
    /* phase 0.3 s: no answer crosses a second boundary, checks every 10 s */
    GArray *at = whole_second_checks(300 * MS, 45 * SEC);
    g_assert_cmpuint(at->len, ==, 4);
    for (guint i = 0; i < at->len; i++)
        g_assert_cmpuint(g_array_index(at, uint64_t, i), ==, 4 * MS + (i + 1) * 10 * SEC);
    g_array_free(at, TRUE);
    /* phase 0.995 s: each answer lands in the next whole second, so the
     * idle count is one short at +10 s and the check waits one more second */
    at = whole_second_checks(995 * MS, 45 * SEC);
    g_assert_cmpuint(at->len, ==, 4);
    g_assert_cmpuint(g_array_index(at, uint64_t, 0), ==, 4 * MS + 10 * SEC);
    g_assert_cmpuint(g_array_index(at, uint64_t, 1), ==, 4 * MS + 21 * SEC);
    g_assert_cmpuint(g_array_index(at, uint64_t, 2), ==, 4 * MS + 32 * SEC);
    g_assert_cmpuint(g_array_index(at, uint64_t, 3), ==, 4 * MS + 43 * SEC);
    g_array_free(at, TRUE);
}

static void test_cached_response_replay(void)
{
    ike_cfg a, b;
    ike_test_cfg(&a, "a.example");
    ike_test_cfg(&b, "b.example");
    ike_pair p;
    pair_init(&p, &a, &b, 7);
    g_assert_nonnull(ike_ep_initiate(p.ep[0], 0, 1));
    /* IKE_SA_INIT both ways, IKE_AUTH request to B; B's answer is lost */
    for (int i = 0; i < 3; i++) {
        ike_dgram *d = pair_pop(&p);
        pair_advance(&p, d->sent_at + MS);
        gsize len;
        const uint8_t *bytes = g_bytes_get_data(d->bytes, &len);
        pair_inject(&p, 1 - d->from, bytes, len);
        dgram_free(d);
    }
    g_assert_cmpuint(count_events(&p, 1, IKE_EV_SA_ESTABLISHED), ==, 1);
    ike_dgram *lost = pair_pop(&p);
    g_assert_cmpint(lost->from, ==, 1);
    guint received = count_events(&p, 1, IKE_EV_MSG_RECEIVED);
    /* A retransmits IKE_AUTH at +4 s; B answers from its cache */
    pair_advance(&p, 2 * MS + 4 * SEC);
    g_assert_cmpuint(p.sent[0]->len, ==, 3);
    g_assert_cmpint(pair_deliver(&p, MS), ==, 2);
    g_assert_cmpuint(p.sent[1]->len, ==, 3);
    g_assert_true(g_bytes_equal(sent_bytes(&p, 1, 2), lost->bytes)); /* the same bytes */
    g_assert_cmpuint(count_events(&p, 1, IKE_EV_MSG_RECEIVED), ==, received); /* not processed again */
    g_assert_cmpuint(count_events(&p, 1, IKE_EV_SA_ESTABLISHED), ==, 1);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_SA_ESTABLISHED), ==, 1);
    dgram_free(lost);
    pair_free(&p);
}

static void test_responder_init_duplicates(void)
{
    ike_cfg a, b;
    ike_test_cfg(&a, "a.example");
    ike_test_cfg(&b, "b.example");
    ike_pair p;
    pair_init(&p, &a, &b, 8);
    g_assert_nonnull(ike_ep_initiate(p.ep[0], 0, 1));
    ike_dgram *req = pair_pop(&p);
    gsize len;
    const uint8_t *bytes = g_bytes_get_data(req->bytes, &len);
    pair_inject(&p, 1, bytes, len);
    pair_inject(&p, 1, bytes, len); /* a retransmission: same answer, no new SA */
    g_assert_cmpuint(ike_ep_sa_count(p.ep[1]), ==, 1);
    g_assert_cmpuint(p.sent[1]->len, ==, 2);
    g_assert_true(g_bytes_equal(sent_bytes(&p, 1, 0), sent_bytes(&p, 1, 1)));
    pair_drop_all(&p);
    /* the half-open SA is dropped after half_open_ms */
    pair_advance(&p, 30 * SEC - 1);
    g_assert_cmpuint(ike_ep_sa_count(p.ep[1]), ==, 1);
    pair_advance(&p, 30 * SEC);
    g_assert_cmpuint(ike_ep_sa_count(p.ep[1]), ==, 0);
    g_assert_cmpint(last_event(&p, 1, IKE_EV_SA_DELETED)->ev.reason, ==, IKE_DEL_HALF_OPEN);
    dgram_free(req);
    pair_drop_all(&p);
    pair_free(&p);
}

/* An unprotected notify from "the peer", with the given header SPIs. */
static size_t unprotected_notify(uint64_t spi_i, uint64_t spi_r, uint16_t type, const uint8_t *data,
                                 size_t dlen, uint8_t *out)
{
    ike_msg m = {0};
    m.hdr = (ike_hdr){.spi_i = spi_i, .spi_r = spi_r, .version = IKE_VERSION,
                      .exchange = IKE_INFORMATIONAL};
    m.pl[0] = ike_pl_notify(IKE_PROTO_NONE, type, data, dlen);
    m.n = 1;
    size_t len;
    g_assert_cmpint(ike_encode(&m, out, 256, &len), ==, IKE_OK);
    return len;
}

static void test_hints_change_nothing(void)
{
    for (int starts_dpd = 0; starts_dpd <= 1; starts_dpd++) {
        ike_cfg a, b;
        ike_test_cfg(&a, "a.example");
        ike_test_cfg(&b, "b.example");
        a.hint_starts_dpd = starts_dpd;
        ike_pair p;
        pair_init(&p, &a, &b, 9);
        pair_establish(&p);
        ike_sa *sa = pair_sa(&p, 0);
        guint sent = p.sent[0]->len;
        uint8_t msg[256], spi[4];
        size_t len = unprotected_notify(ike_sa_spi_i(sa), ike_sa_spi_r(sa), IKE_N_INVALID_IKE_SPI,
                                        NULL, 0, msg);
        pair_inject(&p, 0, msg, len);
        put_be32(spi, ike_sa_child(sa)->spi_out);
        len = unprotected_notify(0, 0, IKE_N_INVALID_SPI, spi, 4, msg);
        pair_inject(&p, 0, msg, len);
        g_assert_cmpuint(count_events(&p, 0, IKE_EV_HINT), ==, 2);
        g_assert_true(last_event(&p, 0, IKE_EV_HINT)->ev.sa == sa);
        g_assert_cmpuint(ike_ep_sa_count(p.ep[0]), ==, 1); /* nothing deleted */
        g_assert_true(ike_sa_established(sa));
        if (starts_dpd) { /* one check; the second hint finds it in flight */
            g_assert_cmpuint(p.sent[0]->len, ==, sent + 1);
            g_assert_cmpuint(count_events(&p, 0, IKE_EV_LIVENESS_SENT), ==, 1);
        } else {
            g_assert_cmpuint(p.sent[0]->len, ==, sent);
        }
        pair_drop_all(&p);
        pair_free(&p);
    }
}

static void test_delete(void)
{
    ike_cfg a, b;
    ike_test_cfg(&a, "a.example");
    ike_test_cfg(&b, "b.example");
    ike_pair p;
    pair_init(&p, &a, &b, 10);
    pair_establish(&p);
    g_assert_cmpint(ike_ep_delete(p.ep[0], pair_sa(&p, 0), p.now), ==, IKE_OK);
    pair_deliver(&p, MS);
    g_assert_cmpuint(ike_ep_sa_count(p.ep[0]), ==, 0);
    g_assert_cmpuint(ike_ep_sa_count(p.ep[1]), ==, 0);
    g_assert_cmpint(last_event(&p, 0, IKE_EV_SA_DELETED)->ev.reason, ==, IKE_DEL_LOCAL);
    g_assert_cmpint(last_event(&p, 1, IKE_EV_SA_DELETED)->ev.reason, ==, IKE_DEL_PEER_DELETE);
    g_assert_nonnull(last_event(&p, 1, IKE_EV_SA_DELETED)->ev.child); /* its Child SA went too */
    pair_free(&p);
}

static void test_wrong_psk(void)
{
    ike_cfg a, b;
    ike_test_cfg(&a, "a.example");
    ike_test_cfg(&b, "b.example");
    b.psk[0] ^= 1;
    ike_pair p;
    pair_init(&p, &a, &b, 11);
    g_assert_nonnull(ike_ep_initiate(p.ep[0], 0, 1));
    pair_deliver(&p, MS);
    g_assert_cmpuint(ike_ep_sa_count(p.ep[0]), ==, 0);
    g_assert_cmpuint(ike_ep_sa_count(p.ep[1]), ==, 0);
    g_assert_cmpint(last_event(&p, 0, IKE_EV_SA_DELETED)->ev.reason, ==, IKE_DEL_AUTH_FAILED);
    g_assert_cmpint(last_event(&p, 1, IKE_EV_SA_DELETED)->ev.reason, ==, IKE_DEL_AUTH_FAILED);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_SA_ESTABLISHED), ==, 0);
    pair_free(&p);
}

static void test_bad_input_changes_nothing(void)
{
    ike_cfg a, b;
    ike_test_cfg(&a, "a.example");
    ike_test_cfg(&b, "b.example");
    ike_pair p;
    pair_init(&p, &a, &b, 12);
    pair_establish(&p);
    ike_sa *sa = pair_sa(&p, 0);
    GBytes *auth_req = g_bytes_ref(sent_bytes(&p, 0, 1));
    g_assert_cmpint(ike_ep_liveness(p.ep[0], sa, p.now), ==, IKE_OK);
    ike_dgram *live = pair_pop(&p);
    gsize len;
    const uint8_t *bytes = g_bytes_get_data(live->bytes, &len);
    guint b_sent = p.sent[1]->len, dropped = count_events(&p, 1, IKE_EV_MSG_DROPPED);

    /* every truncation, and every single flipped octet */
    uint8_t buf[IKE_MAX_MSG];
    for (size_t cut = 0; cut < len; cut++)
        pair_inject(&p, 1, bytes, cut);
    for (size_t i = 0; i < len; i++) {
        memcpy(buf, bytes, len);
        buf[i] ^= 0x40;
        pair_inject(&p, 1, buf, len);
    }
    g_assert_cmpuint(p.sent[1]->len, ==, b_sent);
    g_assert_cmpuint(count_events(&p, 1, IKE_EV_MSG_DROPPED), ==, dropped + len + len);
    g_assert_cmpuint(ike_ep_sa_count(p.ep[1]), ==, 1);

    /* the genuine request still works afterwards */
    pair_inject(&p, 1, bytes, len);
    g_assert_cmpuint(p.sent[1]->len, ==, b_sent + 1);
    pair_deliver(&p, MS);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_LIVENESS_ANSWERED), ==, 1);

    /* now IKE_AUTH (MID 1) is older than the last request: neither
     * processed nor answered */
    gsize alen;
    const uint8_t *ab = g_bytes_get_data(auth_req, &alen);
    pair_inject(&p, 1, ab, alen);
    g_assert_cmpuint(p.sent[1]->len, ==, b_sent + 1);
    g_assert_cmpint(last_event(&p, 1, IKE_EV_MSG_DROPPED)->ev.err, ==, IKE_E_MSG_ID);
    dgram_free(live);
    g_bytes_unref(auth_req);
    pair_free(&p);
}

static void test_bad_icv_is_typed(void)
{
    ike_cfg a, b;
    ike_test_cfg(&a, "a.example");
    ike_test_cfg(&b, "b.example");
    ike_pair p;
    pair_init(&p, &a, &b, 13);
    pair_establish(&p);
    ike_ep_liveness(p.ep[0], pair_sa(&p, 0), p.now);
    ike_dgram *live = pair_pop(&p);
    gsize len;
    const uint8_t *orig = g_bytes_get_data(live->bytes, &len);
    uint8_t *bytes = g_memdup2(orig, len);
    bytes[len - 1] ^= 1; /* last ICV octet */
    pair_inject(&p, 1, bytes, len);
    g_assert_cmpint(last_event(&p, 1, IKE_EV_MSG_DROPPED)->ev.err, ==, IKE_E_ICV);
    g_free(bytes);
    dgram_free(live);
    pair_free(&p);
}

static void test_unknown_critical_payload(void)
{
    ike_cfg a, b;
    ike_test_cfg(&a, "a.example");
    ike_test_cfg(&b, "b.example");
    ike_pair p;
    pair_init(&p, &a, &b, 14);
    ike_msg m = {0};
    m.hdr = (ike_hdr){.spi_i = 0x1122334455667788ull, .version = IKE_VERSION,
                      .exchange = IKE_SA_INIT, .flags = IKE_FLAG_I};
    m.pl[0] = ike_pl_bytes(200, (const uint8_t *)"xyz", 3);
    m.pl[0].critical = true;
    m.n = 1;
    uint8_t out[128];
    size_t len;
    g_assert_cmpint(ike_encode(&m, out, sizeof out, &len), ==, IKE_OK);
    pair_inject(&p, 1, out, len);
    g_assert_cmpuint(p.sent[1]->len, ==, 1);
    ike_msg r;
    parse_bytes(sent_bytes(&p, 1, 0), &r);
    const ike_payload *n = ike_find_notify(&r, IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD);
    g_assert_nonnull(n);
    g_assert_cmpuint(n->u.notify.data.len, ==, 1);
    g_assert_cmpuint(n->u.notify.data.p[0], ==, 200);
    g_assert_cmpuint(r.hdr.spi_i, ==, 0x1122334455667788ull);
    g_assert_cmpuint(ike_ep_sa_count(p.ep[1]), ==, 0);
    pair_drop_all(&p);
    pair_free(&p);
}

static void test_keylog_line(void)
{
    ike_cfg a, b;
    ike_test_cfg(&a, "a.example");
    ike_test_cfg(&b, "b.example");
    ike_pair p;
    pair_init(&p, &a, &b, 15);
    pair_establish(&p);
    char line[512];
    ike_sa *sa = pair_sa(&p, 0);
    g_assert_cmpint(ike_keylog_line(sa, line, sizeof line), >, 0);
    g_autofree char *want_prefix = g_strdup_printf("%016llx,%016llx,", (unsigned long long)ike_sa_spi_i(sa),
                                                   (unsigned long long)ike_sa_spi_r(sa));
    g_assert_true(g_str_has_prefix(line, want_prefix));
    g_assert_true(g_regex_match_simple("^[0-9a-f]{16},[0-9a-f]{16},[0-9a-f]{72},[0-9a-f]{72},"
                                       "\"AES-GCM-256 with 16 octet ICV \\[RFC5282\\]\",,,"
                                       "\"NONE \\[RFC4306\\]\"$", line, 0, 0));
    g_assert_cmpint(ike_keylog_line(sa, line, 40), ==, IKE_E_SPACE);
    pair_free(&p);
}

static GPtrArray *all_bytes(uint64_t seed)
{
    ike_cfg a, b;
    ike_test_cfg(&a, "a.example");
    ike_test_cfg(&b, "b.example");
    ike_pair p;
    pair_init(&p, &a, &b, seed);
    pair_establish(&p);
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    for (int s = 0; s < 2; s++)
        for (guint i = 0; i < p.sent[s]->len; i++)
            g_ptr_array_add(out, g_bytes_ref(sent_bytes(&p, s, i)));
    pair_free(&p);
    return out;
}

static void test_seed_reproduces_bytes(void)
{
    GPtrArray *x = all_bytes(21), *y = all_bytes(21), *z = all_bytes(22);
    g_assert_cmpuint(x->len, ==, 4);
    for (guint i = 0; i < x->len; i++) {
        g_assert_true(g_bytes_equal(x->pdata[i], y->pdata[i]));
        g_assert_false(g_bytes_equal(x->pdata[i], z->pdata[i]));
    }
    g_ptr_array_free(x, TRUE);
    g_ptr_array_free(y, TRUE);
    g_ptr_array_free(z, TRUE);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ike/handshake/gcm-x25519", test_handshake_gcm_x25519);
    g_test_add_func("/ike/handshake/cbc-modp2048", test_handshake_cbc_modp);
    g_test_add_func("/ike/handshake/invalid-ke-retry", test_invalid_ke_retry);
    g_test_add_func("/ike/handshake/wrong-psk", test_wrong_psk);
    g_test_add_func("/ike/retransmit/schedule-and-give-up", test_retransmission_schedule);
    g_test_add_func("/ike/retransmit/cached-response-replay", test_cached_response_replay);
    g_test_add_func("/ike/retransmit/responder-init-duplicates", test_responder_init_duplicates);
    g_test_add_func("/ike/liveness/exact-and-give-up", test_liveness_exact_and_give_up);
    g_test_add_func("/ike/liveness/whole-seconds", test_liveness_whole_seconds);
    g_test_add_func("/ike/liveness/hints-change-nothing", test_hints_change_nothing);
    g_test_add_func("/ike/delete", test_delete);
    g_test_add_func("/ike/bad-input/changes-nothing", test_bad_input_changes_nothing);
    g_test_add_func("/ike/bad-input/bad-icv", test_bad_icv_is_typed);
    g_test_add_func("/ike/bad-input/unknown-critical-payload", test_unknown_critical_payload);
    g_test_add_func("/ike/keylog-line", test_keylog_line);
    g_test_add_func("/ike/seed-reproduces-bytes", test_seed_reproduces_bytes);
    return g_test_run();
}
