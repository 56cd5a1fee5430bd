/* test_ike_rekey.c — rekeying the IKE SA with CREATE_CHILD_SA (RFC 7296
 * §1.3.2, §2.18), both ends of the model at exact times: SK{SA, Ni, KEi} with
 * the initiator's new 8-octet SPI in the proposal, answered SK{SA, Nr, KEr}
 * with the responder's; both switch to the new SPIs and keys, Message IDs
 * start at 0 on the new SA, the Child SA moves over unchanged, the rekey's
 * initiator deletes the old SA; the ike_sa objects go on (no
 * IKE_EV_SA_DELETED).  The keys are checked against SKEYSEED =
 * prf(SK_d(old), g^ir | Ni | Nr) computed here with OpenSSL's HMAC and
 * X25519 directly, the payloads byte for byte. */
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "esp.h"
#include "hex.h"
#include "ike_ccsa.h"
#include "ike_ha.h"
#include "ike_retx.h"
#include "ikepair.h"

typedef struct {
    ike_suite suite;
    ike_keys keys;
    bool initiator;
} sa_keys;

static sa_keys keys_of(const ike_sa *sa)
{
    return (sa_keys){*ike_sa_suite(sa), *ike_sa_keys(sa), ike_sa_is_initiator(sa)};
}

/* Opens the nth datagram side `from` sent with the keys k of its SA; the
 * views of m live in plain. */
static void open_with(ike_pair *p, int from, guint nth, const sa_keys *k, ike_msg *m, uint8_t *plain)
{
    g_assert_cmpuint(p->sent[from]->len, >, nth);
    gsize len;
    const uint8_t *b = g_bytes_get_data(g_ptr_array_index(p->sent[from], nth), &len);
    g_assert_cmpint(ike_parse(b, len, m), ==, IKE_OK);
    bool by_initiator = (m->hdr.flags & IKE_FLAG_I) != 0;
    g_assert_cmpint(ike_sk_open(&k->suite, by_initiator ? k->keys.ei : k->keys.er,
                                by_initiator ? k->keys.ai : k->keys.ar, b, len, m, plain, IKE_MAX_MSG), ==, IKE_OK);
}

static const ike_ev_rec *sent_event(const ike_pair *p, int side, uint8_t exchange, uint32_t mid, uint64_t spi_i)
{
    for (guint i = 0; i < p->events->len; i++) {
        const ike_ev_rec *r = &g_array_index(p->events, ike_ev_rec, i);
        if (r->side == side && r->ev.type == IKE_EV_MSG_SENT && r->ev.exchange == exchange && r->ev.msg_id == mid &&
            r->ev.spi_i == spi_i)
            return r;
    }
    return NULL;
}

static uint64_t be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

static void pair_up(ike_pair *p, uint64_t seed)
{
    ike_cfg a, b;
    ike_test_cfg(&a, "a.example");
    ike_test_cfg(&b, "b.example");
    pair_init(p, &a, &b, seed);
    pair_establish(p);
}

/* The inner payload chain of an opened message as it was on the wire:
 * from the first inner payload's header to the end of the last. */
static GBytes *inner_chain(const ike_msg *m, size_t first)
{
    const uint8_t *start = m->pl[first].body.p - 4;
    const ike_payload *last = &m->pl[m->n - 1];
    return g_bytes_new(start, (size_t)(last->body.p + last->body.len - start));
}

/* parse∘encode: the inner payloads encode to the very octets they were read from. */
static void assert_reencodes(const ike_msg *m, size_t first)
{
    uint8_t out[IKE_MAX_MSG];
    size_t len;
    g_assert_cmpint(ike_encode_chain(m->pl + first, m->n - first, out, sizeof out, &len), ==, IKE_OK);
    GBytes *want = inner_chain(m, first);
    gsize wlen;
    const uint8_t *w = g_bytes_get_data(want, &wlen);
    g_assert_cmpmem(out, len, w, wlen);
    g_bytes_unref(want);
}

/* The SA payload of the default suite (AES-GCM-16-256, PRF-HMAC-SHA2-256,
 * X25519) with an 8-octet SPI, as §3.3 lays it out. */
static void assert_sa_payload(const ike_msg *m, size_t first, uint64_t spi, uint8_t next)
{
    size_t from = first;
    const ike_payload *sa = ike_find(m, IKE_PL_SA, &from);
    g_assert_nonnull(sa);
    char want[256];
    g_snprintf(want, sizeof want,
               "%02x000030"                 /* next payload, C, length 48 */
               "0000002c01010803"           /* last, length 44, #1, IKE, SPI size 8, 3 transforms */
               "%016" G_GINT64_MODIFIER "x" /* the new SPI */
               "0300000c0100001480 0e0100"  /* ENCR AES-GCM-16, Key Length 256 */
               "0300000802000005"           /* PRF HMAC-SHA2-256 */
               "000000080400001f",          /* DH 31 (X25519) */
               next, spi);
    char compact[256];
    size_t k = 0;
    for (const char *c = want; *c; c++)
        if (*c != ' ')
            compact[k++] = *c;
    compact[k] = 0;
    uint8_t bytes[64];
    size_t n = unhex(compact, bytes, sizeof bytes);
    g_assert_cmpmem(sa->body.p - 4, sa->body.len + 4, bytes, n);
}

static void test_exact_times(void)
{
    ike_pair p;
    pair_up(&p, 7);
    ike_sa *s0 = pair_sa(&p, 0), *s1 = pair_sa(&p, 1);
    const uint64_t old_i = ike_sa_spi_i(s0), old_r = ike_sa_spi_r(s0);
    const ike_child child0 = *ike_sa_child(s0), child1 = *ike_sa_child(s1);
    const sa_keys k_old = keys_of(s0);
    const uint64_t T = 4 * 3600 * SEC;
    pair_advance(&p, T);
    g_assert_cmpint(ike_ep_rekey_ike(p.ep[0], s0, p.now), ==, IKE_OK);
    g_assert_cmpint(ike_ep_rekey_ike(p.ep[0], s0, p.now), ==, IKE_E_STATE); /* one at a time */
    g_assert_cmpint(pair_deliver(&p, 5 * MS), ==, 4);

    /* the same objects, new SPIs; the old ones are gone from the SA tables */
    const uint64_t new_i = ike_sa_spi_i(s0), new_r = ike_sa_spi_r(s0);
    g_assert_cmphex(new_i, !=, old_i);
    g_assert_cmphex(new_r, !=, old_r);
    g_assert_cmphex(ike_sa_spi_i(s1), ==, new_i);
    g_assert_cmphex(ike_sa_spi_r(s1), ==, new_r);
    g_assert_true(ike_ep_find(p.ep[0], new_i) == s0);
    g_assert_true(ike_ep_find(p.ep[1], new_r) == s1);
    g_assert_null(ike_ep_find(p.ep[0], old_i));
    g_assert_null(ike_ep_find(p.ep[1], old_r));
    g_assert_cmpuint(ike_ep_sa_count(p.ep[0]), ==, 1);
    g_assert_cmpuint(ike_ep_sa_count(p.ep[1]), ==, 1);
    g_assert_true(ike_sa_is_initiator(s0));
    g_assert_false(ike_sa_is_initiator(s1));

    /* on the old SA: request at T (MID 2), answer at T+5 ms, its Delete (MID 3) at T+10 ms, answered at T+15 ms */
    const ike_ev_rec *e;
    g_assert_nonnull(e = sent_event(&p, 0, IKE_CREATE_CHILD_SA, 2, old_i));
    g_assert_cmpuint(e->ev.now, ==, T);
    g_assert_nonnull(e = sent_event(&p, 1, IKE_CREATE_CHILD_SA, 2, old_i));
    g_assert_cmpuint(e->ev.now, ==, T + 5 * MS);
    g_assert_nonnull(e = sent_event(&p, 0, IKE_INFORMATIONAL, 3, old_i));
    g_assert_cmpuint(e->ev.now, ==, T + 10 * MS);
    g_assert_cmpuint(e->ev.spi_r, ==, old_r);
    g_assert_nonnull(e = sent_event(&p, 1, IKE_INFORMATIONAL, 3, old_i));
    g_assert_cmpuint(e->ev.now, ==, T + 15 * MS);
    g_assert_nonnull(e = last_event(&p, 1, IKE_EV_SA_REKEYED));
    g_assert_cmpuint(e->ev.now, ==, T + 5 * MS);
    g_assert_cmphex(e->ev.old_spi_i, ==, old_i);
    g_assert_cmphex(e->ev.old_spi_r, ==, old_r);
    g_assert_cmphex(e->ev.spi_i, ==, new_i);
    g_assert_cmphex(e->ev.spi_r, ==, new_r);
    g_assert_nonnull(e = last_event(&p, 0, IKE_EV_SA_REKEYED));
    g_assert_cmpuint(e->ev.now, ==, T + 10 * MS);
    g_assert_cmphex(e->ev.old_spi_i, ==, old_i);
    g_assert_cmphex(e->ev.spi_r, ==, new_r);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_SA_DELETED) + count_events(&p, 1, IKE_EV_SA_DELETED), ==, 0);
    g_assert_cmpuint(ike_ep_next_deadline(p.ep[0]), ==, UINT64_MAX); /* the old SA left no timer */
    g_assert_cmpuint(ike_ep_next_deadline(p.ep[1]), ==, UINT64_MAX);

    /* the Child SA moved over as it was: same SPIs, same keys */
    g_assert_cmpmem(ike_sa_child(s0), sizeof child0, &child0, sizeof child0);
    g_assert_cmpmem(ike_sa_child(s1), sizeof child1, &child1, sizeof child1);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_CHILD_ESTABLISHED), ==, 1);

    /* the exchange on the wire, opened with the old keys */
    static ike_msg req, resp, del;
    static uint8_t pr[IKE_MAX_MSG], ps[IKE_MAX_MSG], pd[IKE_MAX_MSG];
    open_with(&p, 0, 2, &k_old, &req, pr);
    open_with(&p, 1, 2, &k_old, &resp, ps);
    open_with(&p, 0, 3, &k_old, &del, pd);
    g_assert_cmphex(req.hdr.spi_i, ==, old_i); /* §2.18: the old SA's header */
    ike_ccsa rq, rs;
    g_assert_cmpint(ike_ccsa_read(&req, 1, false, &rq), ==, IKE_OK);
    g_assert_cmpint(ike_ccsa_read(&resp, 1, true, &rs), ==, IKE_OK);
    g_assert_cmpint(rq.kind, ==, IKE_CCSA_REKEY_IKE);
    g_assert_cmpint(rs.kind, ==, IKE_CCSA_REKEY_IKE);
    g_assert_cmpuint(rs.error, ==, 0);
    g_assert_cmpuint(req.n, ==, 4); /* SK, then SA, Ni, KEi and nothing else */
    g_assert_cmpuint(resp.n, ==, 4);
    g_assert_cmpuint(req.pl[1].type, ==, IKE_PL_SA);
    g_assert_cmpuint(req.pl[2].type, ==, IKE_PL_NONCE);
    g_assert_cmpuint(req.pl[3].type, ==, IKE_PL_KE);
    g_assert_cmpuint(rq.ke_group, ==, IKE_DH_CURVE25519);
    g_assert_cmpuint(rq.ke.len, ==, 32);
    g_assert_cmpuint(rs.ke.len, ==, 32);
    g_assert_cmphex(be64(rq.sa->p[0].spi), ==, new_i);
    g_assert_cmphex(be64(rs.sa->p[0].spi), ==, new_r);
    assert_sa_payload(&req, 1, new_i, IKE_PL_NONCE);
    assert_sa_payload(&resp, 1, new_r, IKE_PL_NONCE);
    assert_reencodes(&req, 1);
    assert_reencodes(&resp, 1);
    const ike_payload *d = ike_find(&del, IKE_PL_DELETE, &(size_t){1});
    g_assert_nonnull(d);
    g_assert_cmpuint(d->u.del.proto, ==, IKE_PROTO_IKE);
    g_assert_cmpuint(d->u.del.n_spi, ==, 0);

    /* the new SA counts from 0 both ways, the rekey's initiator as original initiator */
    pair_advance(&p, 2 * T);
    g_assert_cmpint(ike_ep_liveness(p.ep[1], s1, p.now), ==, IKE_OK);
    g_assert_cmpint(ike_ep_liveness(p.ep[0], s0, p.now), ==, IKE_OK);
    g_assert_cmpint(pair_deliver(&p, MS), ==, 4);
    g_assert_nonnull(e = sent_event(&p, 1, IKE_INFORMATIONAL, 0, new_i));
    g_assert_cmpuint(e->ev.spi_r, ==, new_r);
    g_assert_nonnull(sent_event(&p, 0, IKE_INFORMATIONAL, 0, new_i));
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_LIVENESS_ANSWERED), ==, 1);
    g_assert_cmpuint(count_events(&p, 1, IKE_EV_LIVENESS_ANSWERED), ==, 1);
    const sa_keys k_new = keys_of(s1);
    static ike_msg live1;
    open_with(&p, 1, p.sent[1]->len - 2, &k_new, &live1, pr);
    g_assert_cmpuint(live1.hdr.flags & IKE_FLAG_I, ==, 0); /* side 1 is now the responder */

    /* the other way round: the new responder rekeys and becomes the initiator */
    pair_advance(&p, 3 * T);
    g_assert_cmpint(ike_ep_rekey_ike(p.ep[1], s1, p.now), ==, IKE_OK);
    g_assert_cmpint(pair_deliver(&p, MS), ==, 4);
    g_assert_nonnull(sent_event(&p, 1, IKE_CREATE_CHILD_SA, 1, new_i));
    g_assert_nonnull(sent_event(&p, 1, IKE_INFORMATIONAL, 2, new_i));
    g_assert_true(ike_sa_is_initiator(s1));
    g_assert_false(ike_sa_is_initiator(s0));
    g_assert_cmphex(ike_sa_spi_i(s0), ==, ike_sa_spi_i(s1));
    g_assert_cmphex(ike_sa_spi_r(s0), ==, ike_sa_spi_r(s1));
    g_assert_cmphex(ike_sa_spi_i(s1), !=, new_i);
    g_assert_cmpmem(ike_sa_keys(s0)->ei, 36, ike_sa_keys(s1)->ei, 36);
    g_assert_cmpmem(ike_sa_child(s0), sizeof child0, &child0, sizeof child0);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_SA_REKEYED), ==, 2);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_SA_DELETED) + count_events(&p, 1, IKE_EV_SA_DELETED), ==, 0);
    pair_free(&p);
}

/* prf = HMAC-SHA-256 and prf+ as §2.13 writes them, with OpenSSL's HMAC */
static void hmac(const uint8_t *key, size_t key_len, const uint8_t *data, size_t len, uint8_t out[32])
{
    unsigned int n = 32;
    g_assert_nonnull(HMAC(EVP_sha256(), key, (int)key_len, data, len, out, &n));
}

static void prf_plus(const uint8_t *key, size_t key_len, const uint8_t *seed, size_t seed_len, uint8_t *out,
                     size_t out_len)
{
    uint8_t t[32 + 512 + 1];
    size_t tl = 0;
    for (uint8_t i = 1; out_len > 0; i++) {
        memmove(t + tl, seed, seed_len);
        t[tl + seed_len] = i;
        uint8_t block[32];
        hmac(key, key_len, t, tl + seed_len + 1, block);
        size_t k = MIN(out_len, 32u);
        memcpy(out, block, k);
        out += k;
        out_len -= k;
        memcpy(t, block, 32);
        tl = 32;
    }
}

/* Side 1's answer is written here with a known X25519 key; side 0's new keys
 * must be those computed from the octets on the wire. */
static void test_keys(void)
{
    ike_pair p;
    pair_up(&p, 11);
    ike_sa *s0 = pair_sa(&p, 0), *s1 = pair_sa(&p, 1);
    const sa_keys k_old = keys_of(s0);
    g_assert_cmpint(ike_ep_rekey_ike(p.ep[0], s0, p.now), ==, IKE_OK);
    static ike_msg req;
    static uint8_t plain[IKE_MAX_MSG];
    open_with(&p, 0, p.sent[0]->len - 1, &k_old, &req, plain);
    pair_drop_all(&p);
    ike_ccsa rq;
    g_assert_cmpint(ike_ccsa_read(&req, 1, false, &rq), ==, IKE_OK);

    uint8_t priv[32], pub[32], gir[32], nr[32];
    for (int i = 0; i < 32; i++) {
        priv[i] = (uint8_t)(0x77 + i);
        nr[i] = (uint8_t)(0x20 + i);
    }
    EVP_PKEY *mine = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv, 32);
    EVP_PKEY *theirs = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, rq.ke.p, rq.ke.len);
    size_t n = 32;
    g_assert_true(EVP_PKEY_get_raw_public_key(mine, pub, &n) == 1 && n == 32);
    EVP_PKEY_CTX *dctx = EVP_PKEY_CTX_new(mine, NULL);
    g_assert_true(EVP_PKEY_derive_init(dctx) == 1 && EVP_PKEY_derive_set_peer(dctx, theirs) == 1);
    g_assert_true(EVP_PKEY_derive(dctx, gir, &n) == 1 && n == 32);
    EVP_PKEY_CTX_free(dctx);
    EVP_PKEY_free(mine);
    EVP_PKEY_free(theirs);

    const uint64_t spi_r = 0xb1b2b3b4b5b6b7b8u, spi_i = be64(rq.sa->p[0].spi);
    ike_payload prop = ike_props_answer(IKE_PROTO_IKE, ike_sa_suite(s1), false, 1, 0);
    prop.u.sa.p[0].spi_size = 8;
    for (int i = 0; i < 8; i++)
        prop.u.sa.p[0].spi[i] = (uint8_t)(spi_r >> (56 - 8 * i));
    ike_ccsa rs = {.kind = IKE_CCSA_REKEY_IKE, .sa = &prop.u.sa, .nonce = {nr, 32}, .ke_group = IKE_DH_CURVE25519,
                   .ke = {pub, 32}};
    ike_payload pl[IKE_CCSA_MAX_PAYLOADS];
    g_assert_cmpint(ike_ccsa_build(&rs, true, pl, IKE_CCSA_MAX_PAYLOADS, &n), ==, IKE_OK);
    GBytes *answer = pair_forge(s1, IKE_CREATE_CHILD_SA, true, req.hdr.msg_id, pl, n, 5000);
    gsize len;
    const uint8_t *b = g_bytes_get_data(answer, &len);
    pair_inject(&p, 0, b, len);
    g_bytes_unref(answer);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_SA_REKEYED), ==, 1);
    g_assert_cmphex(ike_sa_spi_i(s0), ==, spi_i);
    g_assert_cmphex(ike_sa_spi_r(s0), ==, spi_r);

    /* SKEYSEED = prf(SK_d(old), g^ir | Ni | Nr); {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr}
     * = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr), no SK_a with AES-GCM, SK_e 32 + 4 octets of salt */
    uint8_t in[32 + 32 + 32 + 16], skeyseed[32], km[32 + 36 + 36 + 32 + 32];
    memcpy(in, gir, 32);
    memcpy(in + 32, rq.nonce.p, 32);
    memcpy(in + 64, nr, 32);
    hmac(k_old.keys.d, 32, in, 96, skeyseed);
    memcpy(in, rq.nonce.p, 32);
    memcpy(in + 32, nr, 32);
    for (int i = 0; i < 8; i++) {
        in[64 + i] = (uint8_t)(spi_i >> (56 - 8 * i));
        in[72 + i] = (uint8_t)(spi_r >> (56 - 8 * i));
    }
    prf_plus(skeyseed, 32, in, 80, km, sizeof km);
    const ike_keys *k = ike_sa_keys(s0);
    g_assert_cmpmem(k->d, 32, km, 32);
    g_assert_cmpmem(k->ei, 36, km + 32, 36);
    g_assert_cmpmem(k->er, 36, km + 68, 36);
    g_assert_cmpmem(k->pi, 32, km + 104, 32);
    g_assert_cmpmem(k->pr, 32, km + 136, 32);
    pair_drop_all(&p);
    pair_free(&p);
}

/* ike_cfg.ike_life: side 0 every 4 h (strongSwan's rekey_time) less a draw
 * below rand_time, side 1 every 8 h; the Child SA carries ESP across. */
static void test_at_rekey_time(void)
{
    static const uint32_t rands[] = {0, 1440};
    for (size_t i = 0; i < G_N_ELEMENTS(rands); i++) {
        ike_cfg a, b;
        ike_test_cfg(&a, "a.example");
        ike_test_cfg(&b, "b.example");
        a.ike_life = (ike_sa_lifetime){14400, 0, 1440, rands[i]};
        b.ike_life = (ike_sa_lifetime){28800, 0, 2880, 0};
        ike_pair p;
        pair_init(&p, &a, &b, 13 + i);
        pair_establish(&p);
        ike_sa *s0 = pair_sa(&p, 0), *s1 = pair_sa(&p, 1);
        uint64_t t0 = last_event(&p, 0, IKE_EV_SA_ESTABLISHED)->ev.now;
        uint64_t t1 = last_event(&p, 1, IKE_EV_SA_ESTABLISHED)->ev.now;
        uint64_t due = ike_ep_next_deadline(p.ep[0]);
        if (rands[i] == 0)
            g_assert_cmpuint(due, ==, t0 + 14400 * SEC);
        else /* 14400 s less draw % 1440 s, whole seconds */
            g_assert_true(due > t0 + 12960 * SEC && due <= t0 + 14400 * SEC && (due - t0) % SEC == 0);
        g_assert_cmpuint(ike_ep_next_deadline(p.ep[1]), ==, t1 + 28800 * SEC);

        /* ESP on the Child SA before, through and after the rekey */
        esp_cfg ec;
        esp_cfg_defaults(&ec);
        esp_sa *out0, *in1;
        g_assert_cmpint(esp_sa_new(ike_sa_child(s0), &ec, &out0), ==, ESP_OK);
        g_assert_cmpint(esp_sa_new(ike_sa_child(s1), &ec, &in1), ==, ESP_OK);
        const uint32_t spi_out = ike_sa_child(s0)->spi_out;

        const uint64_t old_i = ike_sa_spi_i(s0);
        pair_advance(&p, due - 1);
        g_assert_cmpuint(p.sent[0]->len, ==, 2);
        pair_advance(&p, due);
        g_assert_cmpuint(p.sent[0]->len, ==, 3);
        g_assert_nonnull(sent_event(&p, 0, IKE_CREATE_CHILD_SA, 2, old_i));
        g_assert_cmpint(pair_deliver(&p, MS), ==, 4);
        g_assert_cmpuint(last_event(&p, 1, IKE_EV_SA_REKEYED)->ev.now, ==, due + MS);
        g_assert_cmpuint(last_event(&p, 0, IKE_EV_SA_REKEYED)->ev.now, ==, due + 2 * MS);
        g_assert_cmphex(ike_sa_spi_i(s0), !=, old_i);
        g_assert_cmphex(ike_sa_child(s0)->spi_out, ==, spi_out);
        uint8_t pkt[256], plainp[256];
        size_t len;
        esp_rx rx;
        g_assert_cmpint(esp_sa_seal(out0, ESP_NH_NONE, (const uint8_t *)"ping", 4, pkt, sizeof pkt, &len), ==, ESP_OK);
        g_assert_cmpint(esp_sa_open(in1, pkt, len, plainp, sizeof plainp, &rx), ==, ESP_OK);
        g_assert_cmpmem(rx.payload, rx.len, "ping", 4);
        esp_sa_free(out0);
        esp_sa_free(in1);

        /* both count again from the new SA; no SA was deleted */
        g_assert_cmpuint(ike_ep_next_deadline(p.ep[1]), ==, due + MS + 28800 * SEC);
        if (rands[i] == 0)
            g_assert_cmpuint(ike_ep_next_deadline(p.ep[0]), ==, due + 2 * MS + 14400 * SEC);
        g_assert_cmpuint(count_events(&p, 0, IKE_EV_SA_DELETED) + count_events(&p, 1, IKE_EV_SA_DELETED), ==, 0);
        pair_free(&p);
    }
}

/* Forges a CREATE_CHILD_SA request with these payloads from side 0 and
 * returns side 1's answer, read as a response. */
static ike_ccsa answer_to(ike_pair *p, ike_sa *s0, const ike_payload *pl, size_t n, uint32_t mid, ike_msg *m,
                          uint8_t *plain)
{
    GBytes *forged = pair_forge(s0, IKE_CREATE_CHILD_SA, false, mid, pl, n, 1000 + mid);
    gsize len;
    const uint8_t *b = g_bytes_get_data(forged, &len);
    guint sent = p->sent[1]->len;
    pair_inject(p, 1, b, len);
    g_bytes_unref(forged);
    pair_drop_all(p);
    g_assert_cmpuint(p->sent[1]->len, ==, sent + 1);
    sa_keys k = keys_of(s0);
    open_with(p, 1, sent, &k, m, plain);
    ike_ccsa r;
    g_assert_cmpint(ike_ccsa_read(m, 1, true, &r), ==, IKE_OK);
    return r;
}

/* §1.3.2 and §2.25.2: a KE in another group or none at all gets
 * INVALID_KE_PAYLOAD naming the group wanted; an IKE SA rekey while a Child
 * SA rekey is under way TEMPORARY_FAILURE, and a Child SA rekey while our
 * IKE SA rekey is in flight too.  The SA stays as it was. */
static void test_refusals(void)
{
    ike_pair p;
    pair_up(&p, 17);
    ike_sa *s0 = pair_sa(&p, 0), *s1 = pair_sa(&p, 1);
    const uint64_t spi_i = ike_sa_spi_i(s1);
    static const uint8_t nonce[32] = {1}, ke[32] = {9};
    ike_sa_pl ike = {.n = 1};
    ike.p[0] = (ike_proposal){.num = 1, .proto = IKE_PROTO_IKE, .spi_size = 8, .spi = {1, 2, 3, 4, 5, 6, 7, 8},
                              .n_transforms = 3,
                              .t = {{IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, 256, false},
                                    {IKE_TT_PRF, IKE_PRF_HMAC_SHA2_256, 0, false},
                                    {IKE_TT_DH, IKE_DH_CURVE25519, 0, false}}};
    static ike_msg m;
    static uint8_t plain[IKE_MAX_MSG];
    ike_payload pl[3] = {{.type = IKE_PL_SA, .u.sa = ike}, ike_pl_bytes(IKE_PL_NONCE, nonce, 32),
                         {.type = IKE_PL_KE, .u.ke = {IKE_DH_ECP256, {ke, 32}}}};
    ike_ccsa r = answer_to(&p, s0, pl, 3, 2, &m, plain);
    g_assert_cmpuint(r.error, ==, IKE_N_INVALID_KE_PAYLOAD);
    g_assert_cmpuint(r.error_group, ==, IKE_DH_CURVE25519);
    r = answer_to(&p, s0, pl, 2, 3, &m, plain); /* no KE */
    g_assert_cmpuint(r.error, ==, IKE_N_INVALID_KE_PAYLOAD);
    g_assert_cmpuint(r.error_group, ==, IKE_DH_CURVE25519);

    /* side 1 rekeys its Child SA: the peer's IKE SA rekey must wait */
    g_assert_cmpint(ike_ep_rekey_child(p.ep[1], s1, p.now), ==, IKE_OK);
    pl[2].u.ke.group = IKE_DH_CURVE25519;
    r = answer_to(&p, s0, pl, 3, 4, &m, plain);
    g_assert_cmpuint(r.error, ==, IKE_N_TEMPORARY_FAILURE);
    g_assert_cmphex(ike_sa_spi_i(s1), ==, spi_i);
    g_assert_cmpuint(count_events(&p, 1, IKE_EV_SA_REKEYED), ==, 0);
    pair_free(&p);

    /* a Child SA rekey that meets our IKE SA rekey in flight */
    pair_up(&p, 19);
    s0 = pair_sa(&p, 0);
    s1 = pair_sa(&p, 1);
    g_assert_cmpint(ike_ep_rekey_ike(p.ep[1], s1, p.now), ==, IKE_OK);
    pair_drop_all(&p);
    ike_sa_pl child = {.n = 1};
    child.p[0] = (ike_proposal){.num = 1, .proto = IKE_PROTO_ESP, .spi_size = 4, .spi = {1, 2, 3, 4}, .n_transforms = 2,
                                .t = {{IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, 256, false}, {IKE_TT_ESN, IKE_ESN_NO, 0, false}}};
    ike_ts_pl ts = {.n = 1};
    ts.s[0] = (ike_ts_sel){.type = IKE_TS_IPV4_RANGE, .end_port = 0xffff, .end = {255, 255, 255, 255}};
    ike_ccsa c = {.kind = IKE_CCSA_REKEY_CHILD, .rekey_proto = IKE_PROTO_ESP, .rekey_spi = ike_sa_child(s1)->spi_out,
                  .sa = &child, .nonce = {nonce, 32}, .tsi = &ts, .tsr = &ts};
    ike_payload cp[IKE_CCSA_MAX_PAYLOADS];
    size_t n;
    g_assert_cmpint(ike_ccsa_build(&c, false, cp, IKE_CCSA_MAX_PAYLOADS, &n), ==, IKE_OK);
    r = answer_to(&p, s0, cp, n, 2, &m, plain);
    g_assert_cmpuint(r.error, ==, IKE_N_TEMPORARY_FAILURE);
    pair_free(&p);
}

/* A crash of the responder between the rekey request and its answer: the
 * survivor's request goes unanswered and the SA ends as a dead peer when its
 * retransmissions run out, at exactly the schedule's end. */
static void test_crash_mid_rekey(void)
{
    ike_cfg a, b;
    ike_test_cfg(&a, "a.example");
    ike_test_cfg(&b, "b.example");
    ike_pair p;
    pair_init(&p, &a, &b, 23);
    pair_establish(&p);
    ike_sa *s0 = pair_sa(&p, 0);
    const uint64_t old_i = ike_sa_spi_i(s0);
    const uint64_t T = 100 * SEC;
    pair_advance(&p, T);
    g_assert_cmpint(ike_ep_rekey_ike(p.ep[0], s0, p.now), ==, IKE_OK);
    pair_reboot(&p, 1, &b);
    uint64_t end = T;
    for (uint32_t k = 0; k <= a.retx.tries; k++)
        end += ike_retx_wait_ns(&a.retx, k, 0.0);
    pair_advance(&p, end - 1);
    pair_drop_all(&p);
    g_assert_cmpuint(ike_ep_sa_count(p.ep[0]), ==, 1);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_RETRANSMIT), ==, a.retx.tries);
    pair_advance(&p, end);
    const ike_ev_rec *del = last_event(&p, 0, IKE_EV_SA_DELETED);
    g_assert_nonnull(del);
    g_assert_cmpuint(del->ev.now, ==, end);
    g_assert_cmpint(del->ev.reason, ==, IKE_DEL_TIMEOUT);
    g_assert_true(ike_del_peer_dead(del->ev.reason));
    g_assert_cmphex(del->ev.spi_i, ==, old_i); /* it never left the old SPIs */
    g_assert_cmpuint(ike_ep_sa_count(p.ep[0]), ==, 0);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_SA_REKEYED), ==, 0);
    pair_free(&p);
}

/* RFC 6290 §4.3: the token follows the new SPIs.  Side 1 is a maker, side 0
 * a taker.  Rekeyed by the taker, the maker's answer carries the token for
 * the new SPIs; rekeyed by the maker, an INFORMATIONAL right after does.
 * After a crash of the maker, its token for the new SPIs deletes the SA in
 * one round trip; a token for the old SPIs does not verify. */
static qcd_secrets maker_secrets;

static void test_qcd(void)
{
    for (int rekeyer = 0; rekeyer < 2; rekeyer++) {
        ike_cfg a, b;
        ike_test_cfg(&a, "a.example");
        ike_test_cfg(&b, "b.example");
        uint8_t secret[QCD_SECRET_LEN];
        memset(secret, 0x5c, sizeof secret);
        qcd_secrets_init(&maker_secrets, secret);
        a.qcd.role = IKE_QCD_TAKER;
        b.qcd.role = IKE_QCD_MAKER;
        b.qcd.secrets = &maker_secrets;
        ike_pair p;
        pair_init(&p, &a, &b, 29 + (uint64_t)rekeyer);
        pair_establish(&p);
        ike_sa *s0 = pair_sa(&p, 0), *s1 = pair_sa(&p, 1);
        const uint64_t old_i = ike_sa_spi_i(s0), old_r = ike_sa_spi_r(s0);
        pair_advance(&p, 60 * SEC);
        g_assert_cmpint(ike_ep_rekey_ike(p.ep[rekeyer], rekeyer ? s1 : s0, p.now), ==, IKE_OK);
        /* CREATE_CHILD_SA, Delete of the old SA; the maker's INFORMATIONAL with its token */
        g_assert_cmpint(pair_deliver(&p, MS), ==, rekeyer ? 6 : 4);
        const uint64_t new_i = ike_sa_spi_i(s0), new_r = ike_sa_spi_r(s0);
        g_assert_cmphex(new_i, !=, old_i);
        if (rekeyer) {
            const ike_ev_rec *e = sent_event(&p, 1, IKE_INFORMATIONAL, 0, new_i);
            g_assert_nonnull(e);
            g_assert_false(e->ev.is_response);
            g_assert_cmpuint(e->ev.now, ==, 60 * SEC + 2 * MS); /* with the answer, beside the old SA's Delete */
        }

        /* a token for the old SPIs, presented for the new SA, does not verify */
        uint8_t tok[QCD_TOKEN_LEN];
        g_assert_cmpint(qcd_token(maker_secrets.cur, old_i, old_r, tok), ==, IKE_OK);
        ike_msg *m = g_new0(ike_msg, 1);
        m->hdr = (ike_hdr){.spi_i = new_i, .spi_r = new_r, .version = IKE_VERSION, .exchange = IKE_INFORMATIONAL,
                           .flags = rekeyer ? IKE_FLAG_R | IKE_FLAG_I : IKE_FLAG_R};
        m->pl[0] = ike_pl_notify(IKE_PROTO_NONE, IKE_N_INVALID_IKE_SPI, NULL, 0);
        m->pl[1] = ike_pl_notify(IKE_PROTO_NONE, IKE_N_QCD_TOKEN, tok, QCD_TOKEN_LEN);
        m->n = 2;
        uint8_t buf[256];
        size_t len;
        g_assert_cmpint(ike_encode(m, buf, sizeof buf, &len), ==, IKE_OK);
        pair_inject(&p, 0, buf, len);
        const ike_ev_rec *rej = last_event(&p, 0, IKE_EV_QCD_REJECTED);
        g_assert_nonnull(rej);
        g_assert_cmpint(rej->ev.err, ==, IKE_E_AUTH);
        g_assert_cmpuint(ike_ep_sa_count(p.ep[0]), ==, 1);

        /* the maker crashes; the taker's next request draws the token for the new SPIs */
        pair_advance(&p, 120 * SEC);
        pair_reboot(&p, 1, &b);
        pair_advance(&p, 130 * SEC);
        g_assert_cmpint(ike_ep_liveness(p.ep[0], s0, p.now), ==, IKE_OK);
        pair_deliver(&p, MS);
        const ike_ev_rec *del = last_event(&p, 0, IKE_EV_SA_DELETED);
        g_assert_nonnull(del);
        g_assert_cmpint(del->ev.reason, ==, IKE_DEL_QCD);
        g_assert_cmpuint(del->ev.now, ==, 130 * SEC + 2 * MS);
        g_assert_cmphex(del->ev.spi_i, ==, new_i);
        g_free(m);
        pair_free(&p);
    }
}

/* RFC 6311 assumes a standby holds the SA state except its counters; a
 * rekey changes SPIs and keys, so a replica taken before it is of an SA the
 * peer no longer has.  Side 1 fails over to such a replica after the rekey:
 * its sync on the old SPIs finds nothing at the peer, goes unanswered and the
 * replica ends when retransmissions run out; the peer's SA stays untouched.
 * A replica taken after the rekey takes over. */
static void test_ha_replica(void)
{
    for (int fresh = 0; fresh < 2; fresh++) {
        ike_cfg a, b;
        ike_test_cfg(&a, "a.example");
        ike_test_cfg(&b, "b.example");
        a.mid_sync = b.mid_sync = true;
        ike_pair p;
        pair_init(&p, &a, &b, 37 + (uint64_t)fresh);
        pair_establish(&p);
        ike_sa *s0 = pair_sa(&p, 0), *s1 = pair_sa(&p, 1);
        static ike_sa_state st;
        g_assert_cmpint(ike_sa_export(s1, &st), ==, IKE_OK);
        pair_advance(&p, 10 * SEC);
        g_assert_cmpint(ike_ep_rekey_ike(p.ep[0], s0, p.now), ==, IKE_OK);
        g_assert_cmpint(pair_deliver(&p, MS), ==, 4);
        g_assert_true(ike_sa_mid_sync(s0) && ike_sa_mid_sync(s1)); /* the capability carries over */
        if (fresh)
            g_assert_cmpint(ike_sa_export(s1, &st), ==, IKE_OK);
        const ike_keys k0 = *ike_sa_keys(s0);
        const uint64_t spi_i = ike_sa_spi_i(s0);

        const uint64_t T = 20 * SEC;
        pair_advance(&p, T);
        pair_reboot(&p, 1, &b); /* the active member is gone; the standby takes over */
        ike_sa *m1 = ike_ep_import(p.ep[1], p.now, 0, &st);
        g_assert_nonnull(m1);
        g_assert_cmpint(ike_ep_ha_takeover(p.ep[1], m1, p.now, 0, false), ==, IKE_OK);
        uint64_t end = T;
        for (uint32_t k = 0; k <= b.retx.tries; k++)
            end += ike_retx_wait_ns(&b.retx, k, 0.0);
        for (uint64_t t = T; t < end; t += SEC) {
            pair_advance(&p, t);
            pair_deliver(&p, MS);
        }
        pair_advance(&p, end);
        pair_drop_all(&p);
        if (fresh) {
            g_assert_cmpuint(count_events(&p, 1, IKE_EV_HA_SYNC_ANSWERED), ==, 1);
            g_assert_cmpuint(ike_ep_sa_count(p.ep[1]), ==, 1);
        } else {
            g_assert_cmpuint(count_events(&p, 1, IKE_EV_HA_SYNC_ANSWERED), ==, 0);
            const ike_ev_rec *del = last_event(&p, 1, IKE_EV_SA_DELETED);
            g_assert_nonnull(del);
            g_assert_cmpuint(del->ev.now, ==, end);
            g_assert_cmpint(del->ev.reason, ==, IKE_DEL_TIMEOUT);
            g_assert_cmphex(del->ev.spi_i, ==, st.spi_i);
            g_assert_cmpuint(ike_ep_sa_count(p.ep[1]), ==, 0);
        }
        /* the peer went on with the new SA either way */
        g_assert_cmpuint(ike_ep_sa_count(p.ep[0]), ==, 1);
        g_assert_cmphex(ike_sa_spi_i(s0), ==, spi_i);
        g_assert_cmpmem(ike_sa_keys(s0)->ei, 36, k0.ei, 36);
        g_assert_cmpuint(count_events(&p, 0, IKE_EV_SA_DELETED), ==, 0);
        memset(&st, 0, sizeof st);
        pair_free(&p);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ike-rekey/exact-times", test_exact_times);
    g_test_add_func("/ike-rekey/keys", test_keys);
    g_test_add_func("/ike-rekey/at-rekey-time", test_at_rekey_time);
    g_test_add_func("/ike-rekey/refusals", test_refusals);
    g_test_add_func("/ike-rekey/crash-mid-rekey", test_crash_mid_rekey);
    g_test_add_func("/ike-rekey/qcd", test_qcd);
    g_test_add_func("/ike-rekey/ha-replica", test_ha_replica);
    return g_test_run();
}
