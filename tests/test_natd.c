/* test_natd.c — NAT detection hashes (RFC 7296 §2.23) against a real peer:
 * the IKE_SA_INIT of strongSwan charon 5.9.8 (127.0.0.1:6500, kernel-libipsec)
 * to a responder at 127.0.0.1:5600, and the response charon accepted as
 * "no NAT" before faking one to force UDP encapsulation. */
#include <glib.h>
#include <string.h>

#include "hex.h"
#include "ike.h"
#include "ike_natd.h"

static const uint64_t SPI_I = 0xef09098cfa5d6292u, SPI_R = 0x6ce0a8bc0dc00f76u;
static const ike_endpoint CHARON = { { 127, 0, 0, 1 }, 4, 6500 }, RESPONDER = { { 127, 0, 0, 1 }, 4, 5600 };

/* charon's request: a faked source (a random address) and our address as destination */
#define REQ_SRC "09cee6c50b04ad8d81342b432fcb7916cfea4bc4"
#define REQ_DST "72162bbecbd9e28b8af3f76825fce9f56c3bcef3"
/* the response charon accepted: our address, then charon's */
#define RESP_SRC "49520f8f613d75977bad666746447da2451b113e"
#define RESP_DST "0f9223d2e6e151d88ebe3403dc074b300cba576e"

static void assert_hash(uint64_t spi_r, const ike_endpoint *e, const char *want_hex)
{
    uint8_t got[IKE_NATD_LEN], want[IKE_NATD_LEN];
    unhex(want_hex, want, sizeof want);
    g_assert_cmpint(ike_natd_hash(SPI_I, spi_r, e, got), ==, IKE_OK);
    g_assert_cmpmem(got, sizeof got, want, sizeof want);
}

static void test_hashes(void)
{
    assert_hash(0, &RESPONDER, REQ_DST);
    assert_hash(SPI_R, &RESPONDER, RESP_SRC);
    assert_hash(SPI_R, &CHARON, RESP_DST);
    uint8_t hashes[2][IKE_NATD_LEN], out[128], want[128];
    ike_payload pl[2];
    size_t len;
    g_assert_cmpint(ike_natd_payloads(SPI_I, SPI_R, &RESPONDER, &CHARON, hashes, pl), ==, IKE_OK);
    g_assert_cmpint(ike_encode_chain(pl, 2, out, sizeof out, &len), ==, IKE_OK);
    size_t wlen = unhex("2900001c00004004" RESP_SRC "0000001c00004005" RESP_DST, want, sizeof want);
    g_assert_cmpmem(out, len, want, wlen);
    ike_endpoint bad = { { 0 }, 5, 1 }, v6 = { { 0x20, 0x01, 0x0d, 0xb8 }, 16, 500 };
    g_assert_cmpint(ike_natd_hash(SPI_I, 0, &bad, hashes[0]), ==, IKE_E_SYNTAX);
    g_assert_cmpint(ike_natd_hash(SPI_I, 0, &v6, hashes[0]), ==, IKE_OK);
}

static int check(const char *chain_hex, uint64_t spi_r, uint8_t flags, ike_natd_result *r)
{
    static ike_msg m;
    uint8_t buf[256];
    size_t len = unhex(chain_hex, buf, sizeof buf);
    uint8_t *copy = g_memdup2(buf, len);
    m = (ike_msg){ .hdr = { .spi_i = SPI_I, .spi_r = spi_r, .exchange = IKE_SA_INIT, .flags = flags } };
    g_assert_cmpint(ike_parse_chain(IKE_PL_NOTIFY, copy, len, &m), ==, IKE_OK);
    const ike_endpoint *local = flags & IKE_FLAG_R ? &CHARON : &RESPONDER;
    const ike_endpoint *peer = flags & IKE_FLAG_R ? &RESPONDER : &CHARON;
    int rc = ike_natd_check(&m, local, peer, r);
    g_free(copy);
    return rc;
}

static void test_check(void)
{
    ike_natd_result r;
    /* charon's request as the responder reads it: the faked source shows as a NAT there */
    g_assert_cmpint(check("2900001c00004004" REQ_SRC "0000001c00004005" REQ_DST, SPI_R, IKE_FLAG_I, &r),
                    ==, IKE_OK);
    g_assert_true(r.seen);
    g_assert_true(r.nat_there);
    g_assert_false(r.nat_here);
    /* our response as charon reads it: no NAT on either side */
    g_assert_cmpint(check("2900001c00004004" RESP_SRC "0000001c00004005" RESP_DST, SPI_R, IKE_FLAG_R, &r),
                    ==, IKE_OK);
    g_assert_true(r.seen);
    g_assert_false(r.nat_there);
    g_assert_false(r.nat_here);
    /* a second source hash that matches is enough (several may be sent) */
    g_assert_cmpint(check("2900001c00004004" REQ_SRC "2900001c00004004" RESP_SRC "0000001c00004005" RESP_DST,
                          SPI_R, IKE_FLAG_R, &r), ==, IKE_OK);
    g_assert_false(r.nat_there);
    /* only one kind: no NAT-T; a hash of 19 octets: refused */
    g_assert_cmpint(check("0000001c00004004" RESP_SRC, SPI_R, IKE_FLAG_R, &r), ==, IKE_OK);
    g_assert_false(r.seen);
    g_assert_false(r.nat_there);
    g_assert_cmpint(check("0000001b00004004" "49520f8f613d75977bad666746447da2451b11", SPI_R, IKE_FLAG_R, &r),
                    ==, IKE_E_SYNTAX);
}

/* --- the endpoint with ike_io.addresses: a NAT in front of the initiator --- */

enum { TO_R = 1, I_VIA_NAT = 100, I_REBOUND = 101 }; /* peer tokens */
static const ike_endpoint I_LOCAL = { { 10, 0, 0, 2 }, 4, 500 }, R_LOCAL = { { 192, 0, 2, 1 }, 4, 500 },
                          I_MAPPED = { { 198, 51, 100, 7 }, 4, 4500 }, I_REMAPPED = { { 198, 51, 100, 7 }, 4, 4501 };

typedef struct nat_side {
    int side;
    bool nat;             /* the responder sees the initiator through a NAT */
    GQueue *wire;         /* of sent_dgram* */
    uint32_t rng;
} nat_side;

typedef struct sent_dgram {
    int from;
    uint64_t to;          /* the token the sender named */
    GBytes *bytes;
} sent_dgram;

static void nat_send(void *ctx, uint64_t peer, const uint8_t *msg, size_t len)
{
    nat_side *s = ctx;
    sent_dgram *d = g_new(sent_dgram, 1);
    *d = (sent_dgram){ s->side, peer, g_bytes_new(msg, len) };
    g_queue_push_tail(s->wire, d);
}

static void nat_random(void *ctx, uint8_t *out, size_t len)
{
    nat_side *s = ctx;
    for (size_t i = 0; i < len; i++)
        out[i] = (uint8_t)((s->rng = s->rng * 1103515245u + 12345u) >> 16);
}

static bool nat_addresses(void *ctx, uint64_t peer, ike_endpoint *local, ike_endpoint *remote)
{
    nat_side *s = ctx;
    if (s->side == 0) {
        *local = I_LOCAL;
        *remote = R_LOCAL;
        return peer == TO_R;
    }
    *local = R_LOCAL;
    *remote = !s->nat ? I_LOCAL : peer == I_REBOUND ? I_REMAPPED : I_MAPPED;
    return peer == I_VIA_NAT || peer == I_REBOUND;
}

typedef struct nat_pair {
    GQueue wire;
    nat_side sides[2];
    ike_ep *ep[2];
    uint64_t now;
} nat_pair;

static void nat_pair_init(nat_pair *p, bool nat, bool natd)
{
    memset(p, 0, sizeof *p);
    g_queue_init(&p->wire);
    for (int i = 0; i < 2; i++) {
        p->sides[i] = (nat_side){ i, nat, &p->wire, 7u + (uint32_t)i };
        ike_cfg cfg;
        ike_cfg_defaults(&cfg);
        memcpy(cfg.psk, "natd test psk", cfg.psk_len = 13);
        cfg.id_type = IKE_ID_FQDN;
        memcpy(cfg.id, i ? "r.example" : "i.example", cfg.id_len = 9);
        cfg.childless = true;
        ike_io io = { .ctx = &p->sides[i], .send = nat_send, .random = nat_random,
                      .addresses = natd ? nat_addresses : NULL };
        p->ep[i] = ike_ep_new(&cfg, &io);
        g_assert_nonnull(p->ep[i]);
    }
}

static void nat_pair_free(nat_pair *p)
{
    sent_dgram *d;
    while ((d = g_queue_pop_head(&p->wire))) {
        g_bytes_unref(d->bytes);
        g_free(d);
    }
    for (int i = 0; i < 2; i++)
        ike_ep_free(p->ep[i], p->now);
}

/* Delivers the oldest datagram; the responder sees the initiator as `from_i`.
 * Returns the token its sender named. */
static uint64_t nat_deliver(nat_pair *p, uint64_t from_i, ike_msg *m, uint8_t *copy)
{
    sent_dgram *d = g_queue_pop_head(&p->wire);
    g_assert_nonnull(d);
    gsize len;
    const uint8_t *b = g_bytes_get_data(d->bytes, &len);
    if (m) {
        memcpy(copy, b, len);
        g_assert_cmpint(ike_parse(copy, len, m), ==, IKE_OK);
    }
    p->now += 1000000;
    ike_ep_receive(p->ep[1 - d->from], p->now, d->from == 0 ? from_i : TO_R, b, len);
    uint64_t to = d->to;
    g_bytes_unref(d->bytes);
    g_free(d);
    return to;
}

/* The NAT-D notifies of m, in order: "SRC DST" hashes must be these. */
static void assert_natd(const ike_msg *m, uint64_t spi_r, const ike_endpoint *src, const ike_endpoint *dst)
{
    uint8_t want[2][IKE_NATD_LEN];
    g_assert_cmpint(ike_natd_hash(m->hdr.spi_i, spi_r, src, want[0]), ==, IKE_OK);
    g_assert_cmpint(ike_natd_hash(m->hdr.spi_i, spi_r, dst, want[1]), ==, IKE_OK);
    const ike_payload *s = ike_find_notify(m, IKE_N_NAT_DETECTION_SOURCE_IP);
    const ike_payload *d = ike_find_notify(m, IKE_N_NAT_DETECTION_DESTINATION_IP);
    g_assert_nonnull(s);
    g_assert_nonnull(d);
    g_assert_cmpmem(s->u.notify.data.p, s->u.notify.data.len, want[0], IKE_NATD_LEN);
    g_assert_cmpmem(d->u.notify.data.p, d->u.notify.data.len, want[1], IKE_NATD_LEN);
}

static void take_sa(void *arg, ike_sa *sa) { *(ike_sa **)arg = sa; }

static ike_sa *only_sa(ike_ep *ep)
{
    ike_sa *sa = NULL;
    g_assert_cmpuint(ike_ep_sa_count(ep), ==, 1);
    ike_ep_foreach(ep, take_sa, &sa);
    return sa;
}

/* Both IKE_SA_INIT messages carry NAT-D for the addresses as each side
 * sees them; the responder, finding the initiator behind a NAT, follows it
 * when the NAT maps it to a new port, and answers there. */
static void test_endpoint_behind_nat(void)
{
    nat_pair p;
    nat_pair_init(&p, true, true);
    ike_msg m;
    uint8_t buf[IKE_MAX_MSG];
    g_assert_nonnull(ike_ep_initiate(p.ep[0], p.now, TO_R));
    g_assert_cmpuint(nat_deliver(&p, I_VIA_NAT, &m, buf), ==, TO_R);
    assert_natd(&m, 0, &I_LOCAL, &R_LOCAL);
    g_assert_cmpuint(nat_deliver(&p, I_VIA_NAT, &m, buf), ==, I_VIA_NAT);
    assert_natd(&m, m.hdr.spi_r, &R_LOCAL, &I_MAPPED);
    nat_deliver(&p, I_VIA_NAT, NULL, NULL); /* IKE_AUTH */
    nat_deliver(&p, I_VIA_NAT, NULL, NULL);
    ike_sa *i = only_sa(p.ep[0]), *r = only_sa(p.ep[1]);
    g_assert_true(ike_sa_established(i) && ike_sa_established(r));
    g_assert_cmpuint(ike_sa_peer(r), ==, I_VIA_NAT);

    /* the NAT's mapping changes: the next request comes from a new port */
    g_assert_cmpint(ike_ep_liveness(p.ep[0], i, p.now), ==, IKE_OK);
    nat_deliver(&p, I_REBOUND, &m, buf);
    g_assert_cmpuint(ike_sa_peer(r), ==, I_REBOUND);
    g_assert_cmpuint(nat_deliver(&p, I_REBOUND, NULL, NULL), ==, I_REBOUND);
    /* that request again from the old port, its ICV broken: it does not move the SA */
    buf[m.hdr.length - 1] ^= 1;
    p.now += 1000000;
    ike_ep_receive(p.ep[1], p.now, I_VIA_NAT, buf, m.hdr.length);
    g_assert_cmpuint(ike_sa_peer(r), ==, I_REBOUND);
    g_assert_true(g_queue_is_empty(&p.wire));
    nat_pair_free(&p);
}

/* Without a NAT the SA stays with the address it was made with, and
 * without ike_io.addresses (the simulator) no NAT-D is sent at all. */
static void test_endpoint_no_nat(void)
{
    nat_pair p;
    nat_pair_init(&p, false, true);
    ike_msg m;
    uint8_t buf[IKE_MAX_MSG];
    g_assert_nonnull(ike_ep_initiate(p.ep[0], p.now, TO_R));
    for (int k = 0; k < 4; k++)
        nat_deliver(&p, I_VIA_NAT, k == 1 ? &m : NULL, buf);
    assert_natd(&m, m.hdr.spi_r, &R_LOCAL, &I_LOCAL);
    ike_sa *i = only_sa(p.ep[0]), *r = only_sa(p.ep[1]);
    g_assert_cmpint(ike_ep_liveness(p.ep[0], i, p.now), ==, IKE_OK);
    nat_deliver(&p, I_REBOUND, NULL, NULL);
    g_assert_cmpuint(ike_sa_peer(r), ==, I_VIA_NAT);
    g_assert_cmpuint(nat_deliver(&p, I_REBOUND, NULL, NULL), ==, I_VIA_NAT);
    nat_pair_free(&p);

    nat_pair_init(&p, true, false);
    g_assert_nonnull(ike_ep_initiate(p.ep[0], p.now, TO_R));
    nat_deliver(&p, I_VIA_NAT, &m, buf);
    g_assert_null(ike_find_notify(&m, IKE_N_NAT_DETECTION_SOURCE_IP));
    nat_deliver(&p, I_VIA_NAT, &m, buf);
    g_assert_null(ike_find_notify(&m, IKE_N_NAT_DETECTION_DESTINATION_IP));
    nat_pair_free(&p);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/natd/hashes", test_hashes);
    g_test_add_func("/natd/check", test_check);
    g_test_add_func("/natd/endpoint-behind-nat", test_endpoint_behind_nat);
    g_test_add_func("/natd/endpoint-no-nat", test_endpoint_no_nat);
    return g_test_run();
}
