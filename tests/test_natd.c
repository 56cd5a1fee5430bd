/* test_natd.c — NAT detection hashes (RFC 7296 §2.23) against a real peer:
 * the IKE_SA_INIT of strongSwan charon 5.9.8 (127.0.0.1:6500, kernel-libipsec)
 * to a responder at 127.0.0.1:5600, and the response charon accepted as
 * "no NAT" before faking one to force UDP encapsulation. */
#include <glib.h>
#include <string.h>

#include "hex.h"
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

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/natd/hashes", test_hashes);
    g_test_add_func("/natd/check", test_check);
    return g_test_run();
}
