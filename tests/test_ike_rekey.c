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

#include "hex.h"
#include "ike_ccsa.h"
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

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ike-rekey/exact-times", test_exact_times);
    return g_test_run();
}
