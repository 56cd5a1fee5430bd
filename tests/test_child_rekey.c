/* test_child_rekey.c — rekeying a Child SA with CREATE_CHILD_SA (RFC 7296
 * §1.3.3, §2.8), both ends of the model at exact times: the request names
 * the replaced SA by the initiator's inbound SPI, both sides derive KEYMAT =
 * prf+(SK_d, Ni | Nr) from this exchange's nonces (checked here against the
 * nonces read off the wire), the responder switches before answering, the
 * initiator then deletes the replaced SA and the responder answers with its
 * half; with ike_cfg.child_life, at the rekey time.  Refusals: an unknown
 * SA, PFS, an IKE SA rekey (its own task answers: INVALID_KE_PAYLOAD here),
 * a second Child SA, and a rekey while the IKE SA is being closed.  A rekey
 * the peer answers CHILD_SA_NOT_FOUND is followed by a new Child SA. */
#include <string.h>

#include "ike_ccsa.h"
#include "ike_rekey_keys.h"
#include "ikepair.h"

/* Opens the nth datagram side `from` sent; its views live in plain. */
static void open_sent(ike_pair *p, int from, guint nth, const ike_sa *sa, ike_msg *m, uint8_t *plain)
{
    g_assert_cmpuint(p->sent[from]->len, >, nth);
    gsize len;
    const uint8_t *b = g_bytes_get_data(g_ptr_array_index(p->sent[from], nth), &len);
    g_assert_cmpint(ike_parse(b, len, m), ==, IKE_OK);
    bool by_initiator = (m->hdr.flags & IKE_FLAG_I) != 0;
    const ike_keys *k = ike_sa_keys(sa);
    g_assert_cmpint(ike_sk_open(ike_sa_suite(sa), by_initiator ? k->ei : k->er, by_initiator ? k->ai : k->ar,
                                b, len, m, plain, IKE_MAX_MSG), ==, IKE_OK);
}

/* The first inner payload of a type (after the SK payload). */
static const ike_payload *inner(const ike_msg *m, uint8_t type)
{
    size_t from = 1;
    return ike_find(m, type, &from);
}

static const ike_ev_rec *sent_event(const ike_pair *p, int side, uint8_t exchange, uint32_t mid)
{
    for (guint i = 0; i < p->events->len; i++) {
        const ike_ev_rec *r = &g_array_index(p->events, ike_ev_rec, i);
        if (r->side == side && r->ev.type == IKE_EV_MSG_SENT && r->ev.exchange == exchange && r->ev.msg_id == mid)
            return r;
    }
    return NULL;
}

static void pair_up(ike_pair *p)
{
    ike_cfg a, b;
    ike_test_cfg(&a, "a.example");
    ike_test_cfg(&b, "b.example");
    a.dpd_delay_ms = b.dpd_delay_ms = 0;
    pair_init(p, &a, &b, 7);
    pair_establish(p);
}

static void test_rekey(void)
{
    ike_pair p;
    pair_up(&p);
    ike_sa *s0 = pair_sa(&p, 0), *s1 = pair_sa(&p, 1);
    ike_child old0 = *ike_sa_child(s0), old1 = *ike_sa_child(s1);
    const uint64_t T = 3600 * SEC;
    pair_advance(&p, T);
    g_assert_cmpint(ike_ep_rekey_child(p.ep[0], s0, p.now), ==, IKE_OK);
    g_assert_cmpint(ike_ep_rekey_child(p.ep[0], s0, p.now), ==, IKE_E_STATE); /* one at a time */
    g_assert_cmpint(pair_deliver(&p, 5 * MS), ==, 4);

    /* request at T, answered at T+5 ms; Delete of the old SA at T+10 ms, answered at T+15 ms */
    const ike_ev_rec *e;
    g_assert_nonnull(e = sent_event(&p, 0, IKE_CREATE_CHILD_SA, 2));
    g_assert_cmpuint(e->ev.now, ==, T);
    g_assert_nonnull(e = sent_event(&p, 1, IKE_CREATE_CHILD_SA, 2));
    g_assert_cmpuint(e->ev.now, ==, T + 5 * MS);
    g_assert_nonnull(e = sent_event(&p, 0, IKE_INFORMATIONAL, 3));
    g_assert_cmpuint(e->ev.now, ==, T + 10 * MS);
    g_assert_nonnull(e = sent_event(&p, 1, IKE_INFORMATIONAL, 3));
    g_assert_cmpuint(e->ev.now, ==, T + 15 * MS);
    g_assert_cmpuint(count_events(&p, 1, IKE_EV_CHILD_ESTABLISHED), ==, 1);
    g_assert_cmpuint(count_events(&p, 1, IKE_EV_CHILD_REKEYED), ==, 1);
    g_assert_cmpuint(last_event(&p, 1, IKE_EV_CHILD_REKEYED)->ev.now, ==, T + 5 * MS);
    g_assert_cmpuint(last_event(&p, 0, IKE_EV_CHILD_REKEYED)->ev.now, ==, T + 10 * MS);
    /* the old Child SAs go when the Delete is done: the responder's when it answers, ours at the answer */
    g_assert_cmpuint(last_event(&p, 1, IKE_EV_CHILD_REMOVED)->ev.now, ==, T + 15 * MS);
    g_assert_cmpuint(last_event(&p, 0, IKE_EV_CHILD_REMOVED)->ev.now, ==, T + 20 * MS);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_SA_DELETED) + count_events(&p, 1, IKE_EV_SA_DELETED), ==, 0);

    /* the exchange on the wire */
    static ike_msg req, resp, del, del_resp;
    static uint8_t pr[IKE_MAX_MSG], ps[IKE_MAX_MSG], pd[IKE_MAX_MSG], pe[IKE_MAX_MSG];
    open_sent(&p, 0, 2, s0, &req, pr);
    open_sent(&p, 1, 2, s0, &resp, ps);
    ike_ccsa rq, rs;
    g_assert_cmpint(ike_ccsa_read(&req, 1, false, &rq), ==, IKE_OK);
    g_assert_cmpint(ike_ccsa_read(&resp, 1, true, &rs), ==, IKE_OK);
    g_assert_cmpint(rq.kind, ==, IKE_CCSA_REKEY_CHILD);
    g_assert_cmphex(rq.rekey_spi, ==, old0.spi_in); /* §1.3.3: as the initiator receives on it */
    g_assert_cmpuint(rs.error, ==, 0);

    const ike_child *c0 = ike_sa_child(s0), *c1 = ike_sa_child(s1);
    uint8_t spi[4];
    memcpy(spi, rq.sa->p[0].spi, 4);
    g_assert_cmphex(c0->spi_in, ==, (uint32_t)spi[0] << 24 | spi[1] << 16 | spi[2] << 8 | spi[3]);
    memcpy(spi, rs.sa->p[0].spi, 4);
    g_assert_cmphex(c1->spi_in, ==, (uint32_t)spi[0] << 24 | spi[1] << 16 | spi[2] << 8 | spi[3]);
    g_assert_cmphex(c0->spi_out, ==, c1->spi_in);
    g_assert_cmphex(c1->spi_out, ==, c0->spi_in);
    g_assert_cmphex(c0->spi_in, !=, old0.spi_in);
    g_assert_cmphex(c1->spi_in, !=, old1.spi_in);

    /* KEYMAT = prf+(SK_d, Ni | Nr): initiator to responder first (§2.17) */
    size_t ek = ike_encr_key_len(&c0->suite), ik = ike_integ_key_len(&c0->suite);
    uint8_t km[2 * (IKE_MAX_KEY + IKE_PRF_LEN)];
    g_assert_cmpint(ike_child_keymat(IKE_PRF_HMAC_SHA2_256, ike_sa_keys(s0)->d, rq.nonce.p, rq.nonce.len, rs.nonce.p, rs.nonce.len, km,
                                     2 * (ek + ik)), ==, IKE_OK);
    g_assert_cmpmem(c0->key_out, ek, km, ek);
    g_assert_cmpmem(c1->key_in, ek, km, ek);
    g_assert_cmpmem(c0->key_in, ek, km + ek + ik, ek);
    g_assert_cmpmem(c1->key_out, ek, km + ek + ik, ek);
    g_assert_cmpint(memcmp(c0->key_out, old0.key_out, ek), !=, 0);

    /* the Delete names the old SA by our inbound SPI, the answer by the peer's */
    open_sent(&p, 0, 3, s0, &del, pd);
    open_sent(&p, 1, 3, s0, &del_resp, pe);
    const ike_payload *d = inner(&del, IKE_PL_DELETE), *dr = inner(&del_resp, IKE_PL_DELETE);
    g_assert_nonnull(d);
    g_assert_nonnull(dr);
    g_assert_cmpuint(d->u.del.proto, ==, IKE_PROTO_ESP);
    g_assert_cmpuint(d->u.del.n_spi, ==, 1);
    memcpy(spi, d->u.del.spis.p, 4);
    g_assert_cmphex((uint32_t)spi[0] << 24 | spi[1] << 16 | spi[2] << 8 | spi[3], ==, old0.spi_in);
    memcpy(spi, dr->u.del.spis.p, 4);
    g_assert_cmphex((uint32_t)spi[0] << 24 | spi[1] << 16 | spi[2] << 8 | spi[3], ==, old1.spi_in);

    /* both ends are done: a second rekey, now from the responder's side, runs with MIDs 0 and 1 of its own */
    ike_child mid0 = *c0;
    pair_advance(&p, 2 * T);
    g_assert_cmpint(ike_ep_rekey_child(p.ep[1], s1, p.now), ==, IKE_OK);
    g_assert_cmpint(pair_deliver(&p, 5 * MS), ==, 4);
    g_assert_nonnull(sent_event(&p, 1, IKE_CREATE_CHILD_SA, 0));
    g_assert_nonnull(sent_event(&p, 1, IKE_INFORMATIONAL, 1));
    g_assert_cmphex(ike_sa_child(s0)->spi_out, ==, ike_sa_child(s1)->spi_in);
    g_assert_cmphex(ike_sa_child(s1)->spi_out, ==, ike_sa_child(s0)->spi_in);
    g_assert_cmphex(ike_sa_child(s0)->spi_in, !=, mid0.spi_in);
    g_assert_cmpmem(ike_sa_child(s1)->key_out, ek, ike_sa_child(s0)->key_in, ek);
    pair_free(&p);
}

/* Forges a CREATE_CHILD_SA request from side 0 with Message ID mid, hands it
 * to side 1 and returns what side 1 answered, read as a response. */
static ike_ccsa answer_to(ike_pair *p, ike_sa *s0, const ike_ccsa *c, uint32_t mid, ike_msg *m, uint8_t *plain)
{
    ike_payload pl[IKE_CCSA_MAX_PAYLOADS];
    size_t n;
    g_assert_cmpint(ike_ccsa_build(c, false, pl, IKE_CCSA_MAX_PAYLOADS, &n), ==, IKE_OK);
    GBytes *forged = pair_forge(s0, IKE_CREATE_CHILD_SA, false, mid, pl, n, 1000 + mid);
    gsize len;
    const uint8_t *b = g_bytes_get_data(forged, &len);
    guint sent = p->sent[1]->len;
    pair_inject(p, 1, b, len);
    g_bytes_unref(forged);
    pair_drop_all(p);
    g_assert_cmpuint(p->sent[1]->len, ==, sent + 1);
    open_sent(p, 1, sent, s0, m, plain);
    ike_ccsa r;
    g_assert_cmpint(ike_ccsa_read(m, 1, true, &r), ==, IKE_OK);
    return r;
}

/* §2.25: a rekey of an SA the responder does not have is answered
 * CHILD_SA_NOT_FOUND with the SPI; one with a key exchange (no PFS here)
 * NO_PROPOSAL_CHOSEN; a new Child SA beside it NO_ADDITIONAL_SAS; the
 * Child SA stays. */
static void test_refusals(void)
{
    ike_pair p;
    pair_up(&p);
    ike_sa *s0 = pair_sa(&p, 0), *s1 = pair_sa(&p, 1);
    ike_child before = *ike_sa_child(s1);
    static const uint8_t nonce[32] = {1}, ke[32] = {9};
    ike_sa_pl child = {.n = 1}, ike = {.n = 1};
    child.p[0] = (ike_proposal){.num = 1, .proto = IKE_PROTO_ESP, .spi_size = 4, .spi = {1, 2, 3, 4}, .n_transforms = 2,
                                .t = {{IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, 256, false}, {IKE_TT_ESN, IKE_ESN_NO, 0, false}}};
    ike.p[0] = (ike_proposal){.num = 1, .proto = IKE_PROTO_IKE, .spi_size = 8, .spi = {1, 2, 3, 4, 5, 6, 7, 8},
                              .n_transforms = 3,
                              .t = {{IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, 256, false},
                                    {IKE_TT_PRF, IKE_PRF_HMAC_SHA2_256, 0, false},
                                    {IKE_TT_DH, IKE_DH_CURVE25519, 0, false}}};
    ike_ts_pl ts = {.n = 1};
    ts.s[0] = (ike_ts_sel){.type = IKE_TS_IPV4_RANGE, .end_port = 0xffff, .end = {255, 255, 255, 255}};
    ike_ccsa c = {.kind = IKE_CCSA_REKEY_CHILD, .rekey_proto = IKE_PROTO_ESP, .rekey_spi = 0xdeadbeef, .sa = &child,
                  .nonce = {nonce, 32}, .tsi = &ts, .tsr = &ts};
    static ike_msg m;
    static uint8_t plain[IKE_MAX_MSG];
    ike_ccsa r = answer_to(&p, s0, &c, 2, &m, plain);
    g_assert_cmpuint(r.error, ==, IKE_N_CHILD_SA_NOT_FOUND);
    const ike_payload *n = inner(&m, IKE_PL_NOTIFY);
    g_assert_cmpuint(n->u.notify.proto, ==, IKE_PROTO_ESP);
    g_assert_cmpmem(n->u.notify.spi, n->u.notify.spi_size, "\xde\xad\xbe\xef", 4);

    c.rekey_spi = before.spi_out; /* the right SA, but with PFS */
    c.ke_group = IKE_DH_CURVE25519;
    c.ke = (ike_bytes){ke, 32};
    r = answer_to(&p, s0, &c, 3, &m, plain);
    g_assert_cmpuint(r.error, ==, IKE_N_NO_PROPOSAL_CHOSEN);

    /* an IKE SA rekey is not this task's: its own answers a KE in a group it does not want */
    c = (ike_ccsa){.kind = IKE_CCSA_REKEY_IKE, .sa = &ike, .nonce = {nonce, 32}, .ke_group = IKE_DH_ECP256,
                   .ke = {ke, 32}};
    r = answer_to(&p, s0, &c, 4, &m, plain);
    g_assert_cmpuint(r.error, ==, IKE_N_INVALID_KE_PAYLOAD);
    g_assert_cmpuint(r.error_group, ==, IKE_DH_CURVE25519);
    /* a new Child SA beside the one it has: one per IKE SA in this model */
    c = (ike_ccsa){.kind = IKE_CCSA_NEW_CHILD, .sa = &child, .nonce = {nonce, 32}, .tsi = &ts, .tsr = &ts};
    r = answer_to(&p, s0, &c, 5, &m, plain);
    g_assert_cmpuint(r.error, ==, IKE_N_NO_ADDITIONAL_SAS);
    g_assert_cmpmem(ike_sa_child(s1), sizeof before, &before, sizeof before);
    g_assert_cmpuint(count_events(&p, 1, IKE_EV_CHILD_ESTABLISHED), ==, 1);

    /* §2.25.2: a rekey of the SA while the responder closes the IKE SA */
    g_assert_cmpint(ike_ep_delete(p.ep[1], s1, p.now), ==, IKE_OK);
    c = (ike_ccsa){.kind = IKE_CCSA_REKEY_CHILD, .rekey_proto = IKE_PROTO_ESP, .rekey_spi = before.spi_out,
                   .sa = &child, .nonce = {nonce, 32}, .tsi = &ts, .tsr = &ts};
    r = answer_to(&p, s0, &c, 6, &m, plain);
    g_assert_cmpuint(r.error, ==, IKE_N_TEMPORARY_FAILURE);
    pair_free(&p);
}

/* cfg->child_life drives the rekey: side 0 every hour, side 1 every two,
 * without jitter first (exact times), then with strongSwan's 360 s. */
static void test_at_rekey_time(void)
{
    static const uint32_t rands[] = {0, 360};
    for (size_t i = 0; i < G_N_ELEMENTS(rands); i++) {
        ike_cfg a, b;
        ike_test_cfg(&a, "a.example");
        ike_test_cfg(&b, "b.example");
        a.dpd_delay_ms = b.dpd_delay_ms = 0;
        a.child_life = (ike_child_lifetime){3600, 3960, rands[i]};
        b.child_life = (ike_child_lifetime){7200, 7920, 0};
        ike_pair p;
        pair_init(&p, &a, &b, 11);
        pair_establish(&p);
        uint64_t t0 = last_event(&p, 0, IKE_EV_CHILD_ESTABLISHED)->ev.now;
        uint64_t t1 = last_event(&p, 1, IKE_EV_CHILD_ESTABLISHED)->ev.now;
        g_assert_cmpuint(t0, ==, t1 + MS);
        uint64_t due = ike_ep_next_deadline(p.ep[0]);
        if (rands[i] == 0)
            g_assert_cmpuint(due, ==, t0 + 3600 * SEC);
        else /* 3600 s less up to 361 s, in whole seconds */
            g_assert_true(due >= t0 + 3239 * SEC && due <= t0 + 3600 * SEC && (due - t0) % SEC == 0);
        g_assert_cmpuint(ike_ep_next_deadline(p.ep[1]), ==, t1 + 7200 * SEC);
        pair_advance(&p, due - 1);
        g_assert_cmpuint(p.sent[0]->len, ==, 2);
        pair_advance(&p, due);
        g_assert_cmpuint(p.sent[0]->len, ==, 3);
        g_assert_cmpuint(sent_event(&p, 0, IKE_CREATE_CHILD_SA, 2)->ev.now, ==, due);
        g_assert_cmpint(pair_deliver(&p, MS), ==, 4);
        g_assert_cmpuint(last_event(&p, 1, IKE_EV_CHILD_REKEYED)->ev.now, ==, due + MS);
        g_assert_cmpuint(last_event(&p, 0, IKE_EV_CHILD_REKEYED)->ev.now, ==, due + 2 * MS);
        g_assert_cmphex(ike_sa_child(pair_sa(&p, 0))->spi_out, ==, ike_sa_child(pair_sa(&p, 1))->spi_in);
        /* each end counts again from its new Child SA */
        g_assert_cmpuint(ike_ep_next_deadline(p.ep[1]), ==, due + MS + 7200 * SEC);
        if (rands[i] == 0)
            g_assert_cmpuint(ike_ep_next_deadline(p.ep[0]), ==, due + 2 * MS + 3600 * SEC);
        pair_free(&p);
    }
}

/* The request's Ni (or the response's Nr) and its proposed SPI, of every
 * CREATE_CHILD_SA side `from` sent. */
typedef struct {
    bool response;
    uint8_t nonce[256];
    size_t nonce_len;
    uint32_t spi;
} ccsa_seen;

static guint ccsa_sent(ike_pair *p, int from, const ike_sa *sa, ccsa_seen *out, guint cap)
{
    static ike_msg m;
    static uint8_t plain[IKE_MAX_MSG];
    guint n = 0;
    for (guint i = 0; i < p->sent[from]->len && n < cap; i++) {
        gsize len;
        const uint8_t *b = g_bytes_get_data(g_ptr_array_index(p->sent[from], i), &len);
        ike_hdr h;
        if (ike_parse_header(b, len, &h) != IKE_OK || h.exchange != IKE_CREATE_CHILD_SA)
            continue;
        open_sent(p, from, i, sa, &m, plain);
        ike_ccsa c;
        bool response = (m.hdr.flags & IKE_FLAG_R) != 0;
        g_assert_cmpint(ike_ccsa_read(&m, 1, response, &c), ==, IKE_OK);
        out[n].response = response;
        memcpy(out[n].nonce, c.nonce.p, c.nonce.len);
        out[n].nonce_len = c.nonce.len;
        const uint8_t *q = c.sa->p[0].spi;
        out[n].spi = (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3];
        n++;
    }
    return n;
}

static int lower(const ccsa_seen *a, const ccsa_seen *b)
{
    int c = memcmp(a->nonce, b->nonce, MIN(a->nonce_len, b->nonce_len));
    return c ? c : (int)a->nonce_len - (int)b->nonce_len;
}

/* §2.8.1: both ends rekey at the same instant.  Both exchanges complete;
 * the one holding the lowest of the four nonces made a redundant SA, which
 * its initiator deletes (never having sent on it), and the other exchange's
 * initiator deletes the old SA: exactly one new Child SA per side, the
 * mirror of the other's.  Over seeds, both sides lose. */
static void test_collision(void)
{
    bool lost[2] = {false, false};
    for (uint64_t seed = 1; seed <= 16 && !(lost[0] && lost[1]); seed++) {
        ike_cfg a, b;
        ike_test_cfg(&a, "a.example");
        ike_test_cfg(&b, "b.example");
        a.dpd_delay_ms = b.dpd_delay_ms = 0;
        ike_pair p;
        pair_init(&p, &a, &b, seed);
        pair_establish(&p);
        ike_sa *s[2] = {pair_sa(&p, 0), pair_sa(&p, 1)};
        ike_child old0 = *ike_sa_child(s[0]);
        const uint64_t T = 600 * SEC;
        pair_advance(&p, T);
        g_assert_cmpint(ike_ep_rekey_child(p.ep[0], s[0], p.now), ==, IKE_OK);
        g_assert_cmpint(ike_ep_rekey_child(p.ep[1], s[1], p.now), ==, IKE_OK);
        /* two CREATE_CHILD_SA exchanges, then two Deletes (one each) */
        g_assert_cmpint(pair_deliver(&p, 5 * MS), ==, 8);
        ccsa_seen x[2][4];
        g_assert_cmpuint(ccsa_sent(&p, 0, s[0], x[0], 4), ==, 2);
        g_assert_cmpuint(ccsa_sent(&p, 1, s[0], x[1], 4), ==, 2);
        /* exchange k: side k's request and the other's response */
        const ccsa_seen *req[2], *resp[2];
        for (int k = 0; k < 2; k++) {
            req[k] = x[k][0].response ? &x[k][1] : &x[k][0];
            resp[1 - k] = x[k][0].response ? &x[k][0] : &x[k][1];
        }
        const ccsa_seen *low[2];
        for (int k = 0; k < 2; k++)
            low[k] = lower(req[k], resp[k]) <= 0 ? req[k] : resp[k];
        int loser = lower(low[0], low[1]) < 0 ? 0 : 1, winner = 1 - loser;
        lost[loser] = true;
        /* the winner's exchange made the SA both keep: its initiator's
         * inbound SPI is the one it proposed, the other's the one it answered */
        const ike_child *c[2] = {ike_sa_child(s[0]), ike_sa_child(s[1])};
        g_assert_cmphex(c[winner]->spi_in, ==, req[winner]->spi);
        g_assert_cmphex(c[loser]->spi_in, ==, resp[winner]->spi);
        g_assert_cmphex(c[0]->spi_out, ==, c[1]->spi_in);
        g_assert_cmphex(c[1]->spi_out, ==, c[0]->spi_in);
        g_assert_cmphex(c[0]->spi_in, !=, old0.spi_in);
        /* the winner saw two new SAs and kept its own; the loser only
         * reported the peer's (its own was never used) */
        g_assert_cmpuint(count_events(&p, winner, IKE_EV_CHILD_REKEYED), ==, 2);
        g_assert_cmpuint(count_events(&p, winner, IKE_EV_CHILD_REMOVED), ==, 2);
        g_assert_cmpuint(count_events(&p, loser, IKE_EV_CHILD_REKEYED), ==, 1);
        g_assert_cmpuint(count_events(&p, loser, IKE_EV_CHILD_REMOVED), ==, 1);
        g_assert_true(last_event(&p, winner, IKE_EV_CHILD_REKEYED)->ev.child_outbound);
        g_assert_false(last_event(&p, loser, IKE_EV_CHILD_REKEYED)->ev.child_outbound);
        g_assert_cmpuint(count_events(&p, 0, IKE_EV_SA_DELETED) + count_events(&p, 1, IKE_EV_SA_DELETED), ==, 0);
        /* nothing left over: a new rekey may start */
        g_assert_cmpint(ike_ep_rekey_child(p.ep[winner], s[winner], p.now), ==, IKE_OK);
        g_assert_cmpint(pair_deliver(&p, 5 * MS), ==, 4);
        g_assert_cmphex(ike_sa_child(s[0])->spi_out, ==, ike_sa_child(s[1])->spi_in);
        pair_free(&p);
    }
    g_assert_true(lost[0] && lost[1]);
}

/* The Delete of the replaced SA is lost: it is retransmitted (4 s, then
 * 1.8 times longer), and the old SA is accepted inbound until the Delete
 * is answered. */
static void test_delete_lost(void)
{
    ike_pair p;
    pair_up(&p);
    ike_sa *s0 = pair_sa(&p, 0);
    ike_child old0 = *ike_sa_child(s0);
    const uint64_t T = 3600 * SEC;
    pair_advance(&p, T);
    g_assert_cmpint(ike_ep_rekey_child(p.ep[0], s0, p.now), ==, IKE_OK);
    /* the CREATE_CHILD_SA exchange, 5 ms each way; then the Delete is lost */
    for (int k = 0; k < 2; k++) {
        ike_dgram *d = pair_pop(&p);
        gsize len;
        const uint8_t *b = g_bytes_get_data(d->bytes, &len);
        pair_advance(&p, T + (uint64_t)(k + 1) * 5 * MS);
        pair_inject(&p, 1 - k, b, len);
        dgram_free(d);
    }
    pair_drop_all(&p);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_CHILD_REMOVED), ==, 0);
    ike_ep_esp_seen(p.ep[0], p.now, old0.spi_in);
    g_assert_true(ike_ep_find(p.ep[0], ike_sa_spi_i(s0)) == s0);
    pair_advance(&p, T + 10 * MS + 4 * SEC);
    g_assert_cmpint(pair_deliver(&p, 5 * MS), ==, 2); /* the retransmission, answered */
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_RETRANSMIT), ==, 1);
    const ike_ev_rec *r = last_event(&p, 0, IKE_EV_CHILD_REMOVED);
    g_assert_nonnull(r);
    g_assert_cmphex(r->child_spi_in, ==, old0.spi_in);
    g_assert_cmpuint(r->ev.now, ==, T + 10 * MS + 4 * SEC + 10 * MS);
    pair_free(&p);
}

/* strongSwan's life_time: a Child SA not rekeyed (the peer refuses: no
 * ESP proposal in common) is deleted at its hard lifetime; the IKE SA stays. */
static void test_hard_lifetime(void)
{
    ike_cfg a, b;
    ike_test_cfg(&a, "a.example");
    ike_test_cfg(&b, "b.example");
    a.dpd_delay_ms = b.dpd_delay_ms = 0;
    a.child_life = (ike_child_lifetime){100, 130, 0};
    ike_pair p;
    pair_init(&p, &a, &b, 3);
    pair_establish(&p);
    uint64_t t0 = last_event(&p, 0, IKE_EV_CHILD_ESTABLISHED)->ev.now;
    ike_sa *s0 = pair_sa(&p, 0);
    /* the peer drops every CREATE_CHILD_SA: retransmissions until 130 s */
    for (uint64_t t = t0; t < t0 + 131 * SEC; t += 100 * MS) {
        pair_advance(&p, t);
        pair_drop_all(&p);
    }
    const ike_ev_rec *r = last_event(&p, 0, IKE_EV_CHILD_REMOVED);
    g_assert_nonnull(r);
    g_assert_cmpuint(r->ev.now, ==, t0 + 130 * SEC);
    g_assert_null(ike_sa_child(s0));
    g_assert_true(ike_sa_established(s0));
    pair_free(&p);
}

/* PFS (cfg.child_pfs): KEi and KEr in the esp suite's group (X25519
 * here) and every proposal offering it; both ends derive KEYMAT =
 * prf+(SK_d, g^ir | Ni | Nr), which differs from the one without g^ir. */
static void test_pfs(void)
{
    ike_cfg a, b;
    ike_test_cfg(&a, "a.example");
    ike_test_cfg(&b, "b.example");
    a.dpd_delay_ms = b.dpd_delay_ms = 0;
    a.child_pfs = b.child_pfs = true;
    ike_pair p;
    pair_init(&p, &a, &b, 9);
    pair_establish(&p);
    ike_sa *s0 = pair_sa(&p, 0), *s1 = pair_sa(&p, 1);
    pair_advance(&p, 100 * SEC);
    g_assert_cmpint(ike_ep_rekey_child(p.ep[0], s0, p.now), ==, IKE_OK);
    g_assert_cmpint(pair_deliver(&p, 5 * MS), ==, 4);
    static ike_msg req, resp;
    static uint8_t pr[IKE_MAX_MSG], ps[IKE_MAX_MSG];
    open_sent(&p, 0, 2, s0, &req, pr);
    open_sent(&p, 1, 2, s0, &resp, ps);
    ike_ccsa rq, rs;
    g_assert_cmpint(ike_ccsa_read(&req, 1, false, &rq), ==, IKE_OK);
    g_assert_cmpint(ike_ccsa_read(&resp, 1, true, &rs), ==, IKE_OK);
    g_assert_cmpuint(rq.ke_group, ==, IKE_DH_CURVE25519);
    g_assert_cmpuint(rq.ke.len, ==, 32);
    g_assert_cmpuint(rs.ke_group, ==, IKE_DH_CURVE25519);
    g_assert_cmpuint(rs.ke.len, ==, 32);
    const ike_proposal *q = &rs.sa->p[0];
    g_assert_cmpuint(q->t[q->n_transforms - 1].type, ==, IKE_TT_DH); /* the answer names the group */
    g_assert_cmpuint(q->t[q->n_transforms - 1].id, ==, IKE_DH_CURVE25519);
    const ike_child *c0 = ike_sa_child(s0), *c1 = ike_sa_child(s1);
    size_t ek = ike_encr_key_len(&c0->suite);
    g_assert_cmpmem(c0->key_out, ek, c1->key_in, ek);
    g_assert_cmpmem(c0->key_in, ek, c1->key_out, ek);
    uint8_t km[2 * (IKE_MAX_KEY + IKE_PRF_LEN)];
    g_assert_cmpint(ike_child_keymat(IKE_PRF_HMAC_SHA2_256, ike_sa_keys(s0)->d, rq.nonce.p, rq.nonce.len, rs.nonce.p,
                                     rs.nonce.len, km, 2 * ek), ==, IKE_OK);
    g_assert_cmpint(memcmp(c0->key_out, km, ek), !=, 0); /* g^ir is in it */
    pair_free(&p);
}

/* The KEYMAT of a PFS rekey against an independent computation: the test
 * is the initiator with its own X25519 key, Python (hmac, cryptography)
 * computes g^ir and prf+(SK_d, g^ir | Ni | Nr) with HMAC-SHA-256. */
static void test_pfs_keymat_python(void)
{
    ike_cfg a, b;
    ike_test_cfg(&a, "a.example");
    ike_test_cfg(&b, "b.example");
    a.dpd_delay_ms = b.dpd_delay_ms = 0;
    b.child_pfs = true;
    ike_pair p;
    pair_init(&p, &a, &b, 4);
    pair_establish(&p);
    ike_sa *s0 = pair_sa(&p, 0), *s1 = pair_sa(&p, 1);
    ike_child before = *ike_sa_child(s1);
    static const uint8_t priv[32] = {0x77, 0x07, 0x6d, 0x0a, 0x73, 0x18, 0xa5, 0x7d, 0x3c, 0x16, 0xc1,
                                     0x72, 0x51, 0xb2, 0x66, 0x45, 0xdf, 0x4c, 0x2f, 0x87, 0xeb, 0xc0,
                                     0x99, 0x2a, 0xb1, 0x77, 0xfb, 0xa5, 0x1d, 0xb9, 0x2c, 0x2a};
    static const uint8_t nonce[32] = {0x4e, 1, 2, 3};
    ike_dh *dh;
    uint8_t ke[32];
    g_assert_cmpint(ike_dh_new(IKE_DH_CURVE25519, priv, &dh), ==, IKE_OK);
    g_assert_cmpint(ike_dh_public(dh, ke, 32), ==, IKE_OK);
    ike_dh_free(dh);
    ike_sa_pl child = {.n = 1};
    child.p[0] = (ike_proposal){.num = 1, .proto = IKE_PROTO_ESP, .spi_size = 4, .spi = {0x0a, 0x0b, 0x0c, 0x0d},
                                .n_transforms = 3,
                                .t = {{IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, 256, false},
                                      {IKE_TT_DH, IKE_DH_CURVE25519, 0, false},
                                      {IKE_TT_ESN, IKE_ESN_NO, 0, false}}};
    ike_ts_pl ts = {.n = 1};
    ts.s[0] = (ike_ts_sel){.type = IKE_TS_IPV4_RANGE, .end_port = 0xffff, .end = {255, 255, 255, 255}};
    ike_ccsa c = {.kind = IKE_CCSA_REKEY_CHILD, .rekey_proto = IKE_PROTO_ESP, .rekey_spi = before.spi_out,
                  .sa = &child, .nonce = {nonce, 32}, .ke_group = IKE_DH_CURVE25519, .ke = {ke, 32},
                  .tsi = &ts, .tsr = &ts};
    static ike_msg m;
    static uint8_t plain[IKE_MAX_MSG];
    ike_ccsa r = answer_to(&p, s0, &c, 2, &m, plain);
    g_assert_cmpuint(r.error, ==, 0);
    g_assert_cmpuint(r.ke.len, ==, 32);
    GString *g = g_string_new(NULL);
    const uint8_t *parts[4] = {priv, r.ke.p, nonce, r.nonce.p};
    size_t lens[4] = {32, 32, 32, r.nonce.len};
    for (int k = 0; k < 4; k++) {
        for (size_t j = 0; j < lens[k]; j++)
            g_string_append_printf(g, "%02x", parts[k][j]);
        g_string_append_c(g, ' ');
    }
    for (size_t j = 0; j < IKE_PRF_LEN; j++)
        g_string_append_printf(g, "%02x", ike_sa_keys(s1)->d[j]);
    static const char py[] =
        "import sys, hmac, hashlib\n"
        "from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey\n"
        "priv, ker, ni, nr, skd = (bytes.fromhex(x) for x in sys.argv[1:6])\n"
        "gir = X25519PrivateKey.from_private_bytes(priv).exchange(X25519PublicKey.from_public_bytes(ker))\n"
        "s, t, out = gir + ni + nr, b'', b''\n"
        "for n in range(1, 4):\n"
        "    t = hmac.new(skd, t + s + bytes([n]), hashlib.sha256).digest(); out += t\n"
        "print(out[:72].hex())\n";
    g_auto(GStrv) argv = g_strsplit(g->str, " ", -1);
    g_string_free(g, TRUE);
    const char *cmd[9] = {"python3", "-c", py, argv[0], argv[1], argv[2], argv[3], argv[4], NULL};
    g_autofree char *out = NULL, *err = NULL;
    int status;
    g_assert_true(g_spawn_sync(NULL, (char **)cmd, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, NULL));
    if (!g_spawn_check_wait_status(status, NULL)) {
        g_test_skip("python3 with the cryptography module is needed");
        pair_free(&p);
        return;
    }
    /* side 1 answered: the initiator-to-responder keys (its inbound) first */
    const ike_child *c1 = ike_sa_child(s1);
    size_t ek = ike_encr_key_len(&c1->suite);
    g_assert_cmpuint(ek, ==, 36);
    GString *mine = g_string_new(NULL);
    for (size_t j = 0; j < ek; j++)
        g_string_append_printf(mine, "%02x", c1->key_in[j]);
    for (size_t j = 0; j < ek; j++)
        g_string_append_printf(mine, "%02x", c1->key_out[j]);
    g_strstrip(out);
    g_assert_cmpstr(mine->str, ==, out);
    g_string_free(mine, TRUE);
    pair_free(&p);
}

/* §1.3: the responder wants another group (INVALID_KE_PAYLOAD naming it,
 * which the initiator offered beside KEi's); the initiator retries at once
 * in that group. */
static void test_pfs_invalid_ke(void)
{
    ike_cfg a, b;
    ike_test_cfg(&a, "a.example");
    ike_test_cfg(&b, "b.example");
    a.dpd_delay_ms = b.dpd_delay_ms = 0;
    a.child_pfs = b.child_pfs = true;
    a.esp.dh = IKE_DH_MODP2048; /* offered first, with the IKE SA's X25519 after it */
    b.esp.dh = IKE_DH_CURVE25519;
    ike_pair p;
    pair_init(&p, &a, &b, 5);
    pair_establish(&p);
    ike_sa *s0 = pair_sa(&p, 0), *s1 = pair_sa(&p, 1);
    const uint64_t T = 50 * SEC;
    pair_advance(&p, T);
    g_assert_cmpint(ike_ep_rekey_child(p.ep[0], s0, p.now), ==, IKE_OK);
    /* request, INVALID_KE_PAYLOAD, request again, answer, Delete both ways */
    g_assert_cmpint(pair_deliver(&p, 5 * MS), ==, 6);
    static ike_msg m;
    static uint8_t plain[IKE_MAX_MSG];
    ike_ccsa c;
    open_sent(&p, 0, 2, s0, &m, plain);
    g_assert_cmpint(ike_ccsa_read(&m, 1, false, &c), ==, IKE_OK);
    g_assert_cmpuint(c.ke_group, ==, IKE_DH_MODP2048);
    g_assert_cmpuint(c.ke.len, ==, 256);
    open_sent(&p, 1, 2, s0, &m, plain);
    g_assert_cmpint(ike_ccsa_read(&m, 1, true, &c), ==, IKE_OK);
    g_assert_cmpuint(c.error, ==, IKE_N_INVALID_KE_PAYLOAD);
    g_assert_cmpuint(c.error_group, ==, IKE_DH_CURVE25519);
    open_sent(&p, 0, 3, s0, &m, plain);
    g_assert_cmpint(ike_ccsa_read(&m, 1, false, &c), ==, IKE_OK);
    g_assert_cmpuint(m.hdr.msg_id, ==, 3);
    g_assert_cmpuint(c.ke_group, ==, IKE_DH_CURVE25519);
    g_assert_cmpuint(sent_event(&p, 0, IKE_CREATE_CHILD_SA, 3)->ev.now, ==, T + 10 * MS);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_CHILD_REKEYED), ==, 1);
    g_assert_cmphex(ike_sa_child(s0)->spi_out, ==, ike_sa_child(s1)->spi_in);
    g_assert_cmpmem(ike_sa_child(s0)->key_out, 36, ike_sa_child(s1)->key_in, 36);
    pair_free(&p);
}

static uint32_t be32(const uint8_t *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* A TS payload of one IPv4 range that is r. */
static void assert_ts(const ike_ts_pl *ts, const ike_ts_range *r)
{
    g_assert_cmpuint(ts->n, ==, 1);
    const ike_ts_sel *s = &ts->s[0];
    g_assert_cmpuint(s->type, ==, IKE_TS_IPV4_RANGE);
    g_assert_cmphex(be32(s->start), ==, r->start_addr);
    g_assert_cmphex(be32(s->end), ==, r->end_addr);
    g_assert_cmpuint(s->start_port, ==, r->start_port);
    g_assert_cmpuint(s->end_port, ==, r->end_port);
    g_assert_cmpuint(s->ip_proto, ==, r->ip_proto);
}

/* Two ends up, side 1 holding its Child SA 100 s and never rekeying it
 * (with b_pfs: side 1 wants PFS, side 0 offers none). */
static void pair_forgetful(ike_pair *p, uint64_t seed, bool b_pfs)
{
    ike_cfg a, b;
    ike_test_cfg(&a, "a.example");
    ike_test_cfg(&b, "b.example");
    a.dpd_delay_ms = b.dpd_delay_ms = 0;
    b.child_life = (ike_child_lifetime){0, 100, 0};
    b.child_pfs = b_pfs;
    pair_init(p, &a, &b, seed);
    pair_establish(p);
}

/* Side 1 forgot the Child SA: its hard lifetime (100 s, no rekey) ended it
 * and its Delete was lost.  Side 0 rekeys at T, one hop 5 ms: CHILD_SA_NOT_FOUND
 * at T+10 ms removes the Child SA and sends at once a CREATE_CHILD_SA
 * without REKEY_SA for the same traffic selectors (§2.25, as strongSwan);
 * side 1 makes the new Child SA at T+15 ms and answers SA, Nr, TSi, TSr;
 * side 0 has it at T+20 ms, two round trips after T, with new SPIs both
 * ways and KEYMAT from this exchange's nonces.  Side 1's Delete, sent
 * again, then finds nothing to delete: both keep the new Child SA. */
static void test_not_found_creates_anew(void)
{
    ike_pair p;
    pair_forgetful(&p, 5, false);
    ike_sa *s0 = pair_sa(&p, 0), *s1 = pair_sa(&p, 1);
    ike_child old0 = *ike_sa_child(s0), old1 = *ike_sa_child(s1);
    uint64_t t1 = last_event(&p, 1, IKE_EV_CHILD_ESTABLISHED)->ev.now;
    pair_advance(&p, t1 + 100 * SEC);
    g_assert_null(ike_sa_child(s1));
    g_assert_cmpuint(last_event(&p, 1, IKE_EV_CHILD_REMOVED)->ev.now, ==, t1 + 100 * SEC);
    pair_drop_all(&p); /* side 1's Delete */
    const uint64_t T = t1 + 101 * SEC;
    pair_advance(&p, T);
    guint sent0 = p.sent[0]->len, sent1 = p.sent[1]->len;
    g_assert_cmpint(ike_ep_rekey_child(p.ep[0], s0, p.now), ==, IKE_OK);
    g_assert_cmpint(pair_deliver(&p, 5 * MS), ==, 4);

    const ike_ev_rec *e = last_event(&p, 0, IKE_EV_CHILD_REMOVED);
    g_assert_nonnull(e);
    g_assert_cmpuint(e->ev.now, ==, T + 10 * MS);
    g_assert_cmphex(e->child_spi_in, ==, old0.spi_in);
    g_assert_cmpuint(last_event(&p, 1, IKE_EV_CHILD_ESTABLISHED)->ev.now, ==, T + 15 * MS);
    g_assert_cmpuint(last_event(&p, 0, IKE_EV_CHILD_ESTABLISHED)->ev.now, ==, T + 20 * MS);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_CHILD_ESTABLISHED), ==, 2);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_CHILD_REKEYED) + count_events(&p, 1, IKE_EV_CHILD_REKEYED), ==, 0);
    g_assert_cmpuint(sent_event(&p, 0, IKE_CREATE_CHILD_SA, 2)->ev.now, ==, T);
    g_assert_cmpuint(sent_event(&p, 0, IKE_CREATE_CHILD_SA, 3)->ev.now, ==, T + 10 * MS);

    /* the wire: the rekey refused with the SPI it named, then a new Child SA asked for */
    static ike_msg rk, nf, req, resp;
    static uint8_t p1[IKE_MAX_MSG], p2[IKE_MAX_MSG], p3[IKE_MAX_MSG], p4[IKE_MAX_MSG];
    g_assert_cmpuint(p.sent[0]->len, ==, sent0 + 2);
    g_assert_cmpuint(p.sent[1]->len, ==, sent1 + 2);
    open_sent(&p, 0, sent0, s0, &rk, p1);
    open_sent(&p, 1, sent1, s0, &nf, p2);
    open_sent(&p, 0, sent0 + 1, s0, &req, p3);
    open_sent(&p, 1, sent1 + 1, s0, &resp, p4);
    ike_ccsa r;
    g_assert_cmpint(ike_ccsa_read(&rk, 1, false, &r), ==, IKE_OK);
    g_assert_cmpint(r.kind, ==, IKE_CCSA_REKEY_CHILD);
    g_assert_cmpint(ike_ccsa_read(&nf, 1, true, &r), ==, IKE_OK);
    g_assert_cmpuint(r.error, ==, IKE_N_CHILD_SA_NOT_FOUND);
    g_assert_cmpmem(inner(&nf, IKE_PL_NOTIFY)->u.notify.spi, 4, inner(&rk, IKE_PL_NOTIFY)->u.notify.spi, 4);
    ike_ccsa rq, rs;
    g_assert_cmpint(ike_ccsa_read(&req, 1, false, &rq), ==, IKE_OK);
    g_assert_cmpint(rq.kind, ==, IKE_CCSA_NEW_CHILD);
    g_assert_null(ike_find_notify(&req, IKE_N_REKEY_SA));
    g_assert_cmpuint(req.n, ==, 5); /* SK, SA, Ni, TSi, TSr */
    g_assert_cmpuint(rq.ke.len, ==, 0);
    assert_ts(rq.tsi, &old0.ts_local);
    assert_ts(rq.tsr, &old0.ts_remote);
    g_assert_cmpint(ike_ccsa_read(&resp, 1, true, &rs), ==, IKE_OK);
    g_assert_cmpuint(rs.error, ==, 0);
    g_assert_cmpuint(resp.n, ==, 5); /* SK, SA, Nr, TSi, TSr */
    assert_ts(rs.tsi, &old0.ts_local);
    assert_ts(rs.tsr, &old0.ts_remote);

    const ike_child *c0 = ike_sa_child(s0), *c1 = ike_sa_child(s1);
    g_assert_nonnull(c0);
    g_assert_nonnull(c1);
    g_assert_cmphex(c0->spi_in, ==, be32(rq.sa->p[0].spi));
    g_assert_cmphex(c1->spi_in, ==, be32(rs.sa->p[0].spi));
    g_assert_cmphex(c0->spi_out, ==, c1->spi_in);
    g_assert_cmphex(c1->spi_out, ==, c0->spi_in);
    g_assert_cmphex(c0->spi_in, !=, old0.spi_in);
    g_assert_cmphex(c1->spi_in, !=, old1.spi_in);
    g_assert_cmpmem(&c0->ts_local, sizeof c0->ts_local, &old0.ts_local, sizeof old0.ts_local);
    g_assert_cmpmem(&c1->ts_local, sizeof c1->ts_local, &old1.ts_local, sizeof old1.ts_local);
    size_t ek = ike_encr_key_len(&c0->suite), ik = ike_integ_key_len(&c0->suite);
    uint8_t km[2 * (IKE_MAX_KEY + IKE_PRF_LEN)];
    g_assert_cmpint(ike_child_keymat(IKE_PRF_HMAC_SHA2_256, ike_sa_keys(s0)->d, rq.nonce.p, rq.nonce.len, rs.nonce.p,
                                     rs.nonce.len, km, 2 * (ek + ik)), ==, IKE_OK);
    g_assert_cmpmem(c0->key_out, ek, km, ek);
    g_assert_cmpmem(c1->key_in, ek, km, ek);
    g_assert_cmpmem(c0->key_in, ek, km + ek + ik, ek);
    g_assert_cmpmem(c1->key_out, ek, km + ek + ik, ek);

    /* side 1's Delete again (4 s after the first): it names nothing either side holds now */
    ike_child new0 = *c0, new1 = *c1;
    pair_advance(&p, t1 + 104 * SEC);
    g_assert_cmpint(pair_deliver(&p, 5 * MS), ==, 2);
    g_assert_cmpmem(ike_sa_child(s0), sizeof new0, &new0, sizeof new0);
    g_assert_cmpmem(ike_sa_child(s1), sizeof new1, &new1, sizeof new1);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_SA_DELETED) + count_events(&p, 1, IKE_EV_SA_DELETED), ==, 0);
    pair_free(&p);
}

/* The new Child SA refused with TEMPORARY_FAILURE: side 1's IKE SA rekey is
 * in flight (its first request lost; its Child SA expired meanwhile, the
 * Delete waiting behind the rekey).  Side 0 asks again 15 s less up to 9
 * after the refusal, in whole seconds, on the rekeyed IKE SA, and has the
 * Child SA one round trip later.  Refused otherwise (side 1 wants PFS,
 * side 0 offers none), the IKE SA stays without a Child SA. */
static void test_not_found_retry(void)
{
    for (int k = 0; k < 2; k++) {
        ike_pair p;
        pair_forgetful(&p, 9, k == 1);
        ike_sa *s0 = pair_sa(&p, 0), *s1 = pair_sa(&p, 1);
        uint64_t t1 = last_event(&p, 1, IKE_EV_CHILD_ESTABLISHED)->ev.now;
        if (k == 0) {
            pair_advance(&p, t1 + 100 * SEC - MS);
            g_assert_cmpint(ike_ep_rekey_ike(p.ep[1], s1, p.now), ==, IKE_OK);
        }
        pair_advance(&p, t1 + 100 * SEC);
        g_assert_null(ike_sa_child(s1));
        pair_drop_all(&p);
        const uint64_t T = t1 + 101 * SEC;
        pair_advance(&p, T);
        guint sent1 = p.sent[1]->len;
        g_assert_cmpint(ike_ep_rekey_child(p.ep[0], s0, p.now), ==, IKE_OK);
        g_assert_cmpint(pair_deliver(&p, 5 * MS), ==, 4);
        g_assert_null(ike_sa_child(s0));
        g_assert_cmpuint(last_event(&p, 0, IKE_EV_CHILD_REMOVED)->ev.now, ==, T + 10 * MS);
        static ike_msg m;
        static uint8_t plain[IKE_MAX_MSG];
        open_sent(&p, 1, sent1 + 1, s0, &m, plain);
        ike_ccsa r;
        g_assert_cmpint(ike_ccsa_read(&m, 1, true, &r), ==, IKE_OK);
        g_assert_cmpuint(r.error, ==, k == 0 ? IKE_N_TEMPORARY_FAILURE : IKE_N_NO_PROPOSAL_CHOSEN);
        guint sent0 = p.sent[0]->len;
        if (k == 1) { /* given up: nothing more is sent, a rekey has nothing to act on */
            pair_advance(&p, T + 60 * SEC);
            g_assert_cmpuint(p.sent[0]->len, ==, sent0);
            g_assert_cmpint(ike_ep_rekey_child(p.ep[0], s0, p.now), ==, IKE_E_STATE);
            g_assert_true(ike_sa_established(s0));
            g_assert_null(ike_sa_child(s1));
            pair_free(&p);
            continue;
        }
        uint64_t due = ike_ep_next_deadline(p.ep[0]), refused = T + 20 * MS;
        g_assert_true(due >= refused + 6 * SEC && due <= refused + 15 * SEC && (due - refused) % SEC == 0);
        /* side 1's rekey, sent again 4 s after the first, completes; then its Delete of the expired Child SA */
        pair_advance(&p, T + 3 * SEC);
        pair_deliver(&p, 5 * MS);
        g_assert_cmpuint(count_events(&p, 0, IKE_EV_SA_REKEYED), ==, 1);
        g_assert_cmpuint(count_events(&p, 1, IKE_EV_SA_REKEYED), ==, 1);
        sent0 = p.sent[0]->len;
        pair_advance(&p, due - 1);
        g_assert_cmpuint(p.sent[0]->len, ==, sent0);
        pair_advance(&p, due);
        g_assert_cmpuint(p.sent[0]->len, ==, sent0 + 1);
        g_assert_cmpint(pair_deliver(&p, 5 * MS), ==, 2);
        g_assert_cmpuint(last_event(&p, 1, IKE_EV_CHILD_ESTABLISHED)->ev.now, ==, due + 5 * MS);
        g_assert_cmpuint(last_event(&p, 0, IKE_EV_CHILD_ESTABLISHED)->ev.now, ==, due + 10 * MS);
        const ike_child *c0 = ike_sa_child(s0), *c1 = ike_sa_child(s1);
        g_assert_cmphex(c0->spi_out, ==, c1->spi_in);
        g_assert_cmphex(c1->spi_out, ==, c0->spi_in);
        size_t ek = ike_encr_key_len(&c0->suite);
        g_assert_cmpmem(c0->key_out, ek, c1->key_in, ek);
        g_assert_cmpmem(c0->key_in, ek, c1->key_out, ek);
        g_assert_cmpuint(count_events(&p, 0, IKE_EV_SA_DELETED) + count_events(&p, 1, IKE_EV_SA_DELETED), ==, 0);
        pair_free(&p);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/child-rekey/exact-times", test_rekey);
    g_test_add_func("/child-rekey/refusals", test_refusals);
    g_test_add_func("/child-rekey/at-rekey-time", test_at_rekey_time);
    g_test_add_func("/child-rekey/collision", test_collision);
    g_test_add_func("/child-rekey/delete-lost", test_delete_lost);
    g_test_add_func("/child-rekey/hard-lifetime", test_hard_lifetime);
    g_test_add_func("/child-rekey/pfs", test_pfs);
    g_test_add_func("/child-rekey/pfs-keymat-python", test_pfs_keymat_python);
    g_test_add_func("/child-rekey/pfs-invalid-ke", test_pfs_invalid_ke);
    g_test_add_func("/child-rekey/not-found-creates-anew", test_not_found_creates_anew);
    g_test_add_func("/child-rekey/not-found-retry", test_not_found_retry);
    return g_test_run();
}
