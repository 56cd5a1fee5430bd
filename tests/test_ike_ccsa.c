/* test_ike_ccsa.c — the payload sets of CREATE_CHILD_SA (RFC 7296 §1.3)
 * against bytes derived by hand from the §3 layouts, parse∘encode identity,
 * and typed refusals of sets that do not fit their kind.  Every parse runs
 * on a heap copy of exactly the given length (AddressSanitizer sees overreads).
 */
#include <glib.h>
#include <string.h>

#include "hex.h"
#include "ike_ccsa.h"

static uint8_t NONCE[32], KE[32];

/* N(REKEY_SA) for ESP SPI c0ffee01: next SA, length 12; ESP, SPI size 4, type 16393. */
#define REKEY_SA_HEX "2100000c" "03044009" "c0ffee01"
/* SA: one ESP proposal, SPI 11223344, AES-GCM-16/256, no ESN; 4 + 32 octets. */
#define SA_CHILD_BODY_HEX "00000020" "01030402" "11223344" \
    "0300000c" "01000014" "800e0100" "00000008" "05000000"
/* TSi 10.0.0.0-10.0.0.255 and TSr 10.0.1.0-10.0.1.255, all ports, any protocol. */
#define TSI_HEX "2d000018" "01000000" "07000010" "0000ffff" "0a000000" "0a0000ff"
#define TSR_HEX "00000018" "01000000" "07000010" "0000ffff" "0a000100" "0a0001ff"
#define NONCE_HEX "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define KE_HEX "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"

/* §1.3.3 without PFS: N(REKEY_SA), SA, Ni, TSi, TSr. */
static const char CHILD_REKEY_REQ[] = REKEY_SA_HEX "28000024" SA_CHILD_BODY_HEX
    "2c000024" NONCE_HEX TSI_HEX TSR_HEX;
/* §1.3.3 with PFS, the response: SA, Nr, KEr(31), TSi, TSr. */
static const char CHILD_REKEY_PFS_RESP[] = "28000024" SA_CHILD_BODY_HEX "22000024" NONCE_HEX
    "2c000028" "001f0000" KE_HEX TSI_HEX TSR_HEX;
/* §1.3.2: SA{IKE, SPI 0102030405060708, AES-GCM-16/256, PRF-HMAC-SHA2-256, DH 31}, Ni, KEi. */
static const char IKE_REKEY_REQ[] = "28000030" "0000002c" "01010803" "0102030405060708"
    "0300000c" "01000014" "800e0100" "03000008" "02000005" "00000008" "0400001f"
    "22000024" NONCE_HEX "00000028" "001f0000" KE_HEX;

/* A real Child SA rekey request from strongSwan charon 5.9.8 (kernel-libipsec, against
 * an IKE responder at 127.0.0.1), decrypted by tshark: the SA it replaces has charon's
 * inbound SPI 65592327, the new one ca4f487f; TS 10.202.0.0/24 === 10.201.0.0/24. */
static const char CHARON_CHILD_REKEY_REQ[] = "2100000c030440096559232728000024"
    "0000002001030402ca4f487f0300000c" "01000014800e01000000000805000000"
    "2c000024cb6d2d1b001fac338226a246" "60db77a3538cded64e91174c682c5c84"
    "7651e2882d0000180100000007000010" "0000ffff0aca00000aca00ff00000018"
    "01000000070000100000ffff0ac90000" "0ac900ff";

/* charon 5.9.8 rekeying the IKE SA (same setup), decrypted by tshark: the new SPIi
 * df71cc7cd6d643e0 in the proposal, KE for X25519. */
static const char CHARON_IKE_REKEY_REQ[] = "280000300000002c01010803df71cc7c"
    "d6d643e00300000c01000014800e0100" "0300000802000005000000080400001f"
    "2200002485ff26c290b02444755187ff" "97f3ec8be40d1e7927a6ffc675d28f98"
    "08c344b300000028001f000015d7729d" "1725a49965dd5423f35ff4c141a1207a"
    "ad25550ae99762a21b56d871";

static ike_sa_pl child_sa(void)
{
    ike_sa_pl sa = { .n = 1 };
    sa.p[0] = (ike_proposal){ .num = 1, .proto = IKE_PROTO_ESP, .spi_size = 4,
                              .spi = { 0x11, 0x22, 0x33, 0x44 }, .n_transforms = 2,
                              .t = { { .type = IKE_TT_ENCR, .id = IKE_ENCR_AES_GCM_16, .key_bits = 256 },
                                     { .type = IKE_TT_ESN, .id = IKE_ESN_NO, .key_bits = 0 } } };
    return sa;
}

static ike_sa_pl ike_sa(void)
{
    ike_sa_pl sa = { .n = 1 };
    sa.p[0] = (ike_proposal){ .num = 1, .proto = IKE_PROTO_IKE, .spi_size = 8,
                              .spi = { 1, 2, 3, 4, 5, 6, 7, 8 }, .n_transforms = 3,
                              .t = { { .type = IKE_TT_ENCR, .id = IKE_ENCR_AES_GCM_16, .key_bits = 256 },
                                     { .type = IKE_TT_PRF, .id = IKE_PRF_HMAC_SHA2_256, .key_bits = 0 },
                                     { .type = IKE_TT_DH, .id = IKE_DH_CURVE25519, .key_bits = 0 } } };
    return sa;
}

static ike_ts_pl ts(uint8_t third)
{
    ike_ts_pl t = { .n = 1 };
    t.s[0] = (ike_ts_sel){ .type = IKE_TS_IPV4_RANGE, .end_port = 0xffff,
                           .start = { 10, 0, third, 0 }, .end = { 10, 0, third, 255 } };
    return t;
}

static ike_sa_pl SA_CHILD, SA_IKE;
static ike_ts_pl TSI, TSR;

static ike_ccsa child_rekey(void)
{
    return (ike_ccsa){ .kind = IKE_CCSA_REKEY_CHILD, .rekey_proto = IKE_PROTO_ESP,
                       .rekey_spi = 0xc0ffee01, .sa = &SA_CHILD, .nonce = { NONCE, sizeof NONCE },
                       .tsi = &TSI, .tsr = &TSR };
}

static ike_ccsa ike_rekey(void)
{
    return (ike_ccsa){ .kind = IKE_CCSA_REKEY_IKE, .sa = &SA_IKE, .nonce = { NONCE, sizeof NONCE },
                       .ke_group = IKE_DH_CURVE25519, .ke = { KE, sizeof KE } };
}

/* Builds c, encodes it and compares with want (hex). */
static void assert_encodes(const ike_ccsa *c, bool response, const char *want_hex)
{
    uint8_t want[1024], got[1024];
    size_t wlen = unhex(want_hex, want, sizeof want), glen = 0, n = 0;
    ike_payload pl[IKE_CCSA_MAX_PAYLOADS];
    g_assert_cmpint(ike_ccsa_build(c, response, pl, G_N_ELEMENTS(pl), &n), ==, IKE_OK);
    g_assert_cmpint(ike_encode_chain(pl, n, got, sizeof got, &glen), ==, IKE_OK);
    g_assert_cmpmem(got, glen, want, wlen);
}

/* Parses hex (first payload type first) from a heap copy and reads it. */
static int read_hex(uint8_t first, const char *hex, bool response, ike_msg *m, uint8_t **copy,
                    ike_ccsa *c)
{
    uint8_t buf[1024];
    size_t len = unhex(hex, buf, sizeof buf);
    *copy = g_memdup2(buf, len);
    m->n = 0;
    int rc = ike_parse_chain(first, *copy, len, m);
    return rc ? rc : ike_ccsa_read(m, 0, response, c);
}

/* The read set, built and encoded again, gives back the same octets. */
static void assert_identity(uint8_t first, const char *hex, bool response, ike_ccsa_kind kind)
{
    static ike_msg m;
    uint8_t *copy, want[1024], again[1024];
    ike_ccsa c;
    g_assert_cmpint(read_hex(first, hex, response, &m, &copy, &c), ==, IKE_OK);
    g_assert_cmpint(c.kind, ==, kind);
    ike_payload pl[IKE_CCSA_MAX_PAYLOADS];
    size_t n = 0, len = 0, wlen = unhex(hex, want, sizeof want);
    g_assert_cmpint(ike_ccsa_build(&c, response, pl, G_N_ELEMENTS(pl), &n), ==, IKE_OK);
    g_assert_cmpint(ike_encode_chain(pl, n, again, sizeof again, &len), ==, IKE_OK);
    g_assert_cmpmem(again, len, want, wlen);
    g_free(copy);
}

static void test_child_rekey_request(void)
{
    ike_ccsa c = child_rekey();
    assert_encodes(&c, false, CHILD_REKEY_REQ);
    static ike_msg m;
    uint8_t *copy;
    ike_ccsa r;
    g_assert_cmpint(read_hex(IKE_PL_NOTIFY, CHILD_REKEY_REQ, false, &m, &copy, &r), ==, IKE_OK);
    g_assert_cmpint(r.kind, ==, IKE_CCSA_REKEY_CHILD);
    g_assert_cmpuint(r.rekey_proto, ==, IKE_PROTO_ESP);
    g_assert_cmphex(r.rekey_spi, ==, 0xc0ffee01);
    g_assert_cmpmem(r.sa->p[0].spi, 4, SA_CHILD.p[0].spi, 4);
    g_assert_cmpmem(r.nonce.p, r.nonce.len, NONCE, sizeof NONCE);
    g_assert_cmpuint(r.ke.len, ==, 0);
    g_assert_cmpmem(r.tsr->s[0].start, 4, TSR.s[0].start, 4);
    g_assert_cmpuint(r.error, ==, 0);
    g_free(copy);
    assert_identity(IKE_PL_NOTIFY, CHILD_REKEY_REQ, false, IKE_CCSA_REKEY_CHILD);
}

static void test_child_rekey_pfs_response(void)
{
    ike_ccsa c = child_rekey();
    c.ke_group = IKE_DH_CURVE25519;
    c.ke = (ike_bytes){ KE, sizeof KE };
    assert_encodes(&c, true, CHILD_REKEY_PFS_RESP); /* no REKEY_SA in a response */
    assert_identity(IKE_PL_SA, CHILD_REKEY_PFS_RESP, true, IKE_CCSA_NEW_CHILD);
}

static void test_ike_rekey_request(void)
{
    ike_ccsa c = ike_rekey();
    assert_encodes(&c, false, IKE_REKEY_REQ);
    static ike_msg m;
    uint8_t *copy;
    ike_ccsa r;
    g_assert_cmpint(read_hex(IKE_PL_SA, IKE_REKEY_REQ, false, &m, &copy, &r), ==, IKE_OK);
    g_assert_cmpint(r.kind, ==, IKE_CCSA_REKEY_IKE);
    g_assert_cmpuint(r.sa->p[0].spi_size, ==, 8);
    g_assert_cmpmem(r.sa->p[0].spi, 8, SA_IKE.p[0].spi, 8);
    g_assert_cmpuint(r.ke_group, ==, IKE_DH_CURVE25519);
    g_assert_cmpmem(r.ke.p, r.ke.len, KE, sizeof KE);
    g_assert_null(r.tsi);
    g_free(copy);
    assert_identity(IKE_PL_SA, IKE_REKEY_REQ, false, IKE_CCSA_REKEY_IKE);
}

static void test_charon_request(void)
{
    static ike_msg m;
    uint8_t *copy;
    ike_ccsa r;
    g_assert_cmpint(read_hex(IKE_PL_NOTIFY, CHARON_CHILD_REKEY_REQ, false, &m, &copy, &r), ==, IKE_OK);
    g_assert_cmpint(r.kind, ==, IKE_CCSA_REKEY_CHILD);
    g_assert_cmpuint(r.rekey_proto, ==, IKE_PROTO_ESP);
    g_assert_cmphex(r.rekey_spi, ==, 0x65592327);
    g_assert_cmpuint(r.sa->n, ==, 1);
    g_assert_cmpmem(r.sa->p[0].spi, 4, "\xca\x4f\x48\x7f", 4);
    g_assert_cmpuint(r.sa->p[0].t[0].id, ==, IKE_ENCR_AES_GCM_16);
    g_assert_cmpuint(r.sa->p[0].t[0].key_bits, ==, 256);
    g_assert_cmpuint(r.nonce.len, ==, 32);
    g_assert_cmpuint(r.ke.len, ==, 0); /* no PFS: strongSwan's default ESP proposals carry no DH */
    g_assert_cmpmem(r.tsi->s[0].start, 4, "\x0a\xca\x00\x00", 4);
    g_assert_cmpmem(r.tsr->s[0].end, 4, "\x0a\xc9\x00\xff", 4);
    g_free(copy);
    assert_identity(IKE_PL_NOTIFY, CHARON_CHILD_REKEY_REQ, false, IKE_CCSA_REKEY_CHILD);
}

static void test_charon_ike_request(void)
{
    static ike_msg m;
    uint8_t *copy;
    ike_ccsa r;
    g_assert_cmpint(read_hex(IKE_PL_SA, CHARON_IKE_REKEY_REQ, false, &m, &copy, &r), ==, IKE_OK);
    g_assert_cmpint(r.kind, ==, IKE_CCSA_REKEY_IKE);
    g_assert_cmpuint(r.sa->p[0].spi_size, ==, 8);
    g_assert_cmpmem(r.sa->p[0].spi, 8, "\xdf\x71\xcc\x7c\xd6\xd6\x43\xe0", 8);
    g_assert_cmpuint(r.ke_group, ==, IKE_DH_CURVE25519);
    g_assert_cmpuint(r.ke.len, ==, 32);
    g_assert_null(r.tsi);
    g_free(copy);
    assert_identity(IKE_PL_SA, CHARON_IKE_REKEY_REQ, false, IKE_CCSA_REKEY_IKE);
}

/* §2.5: any order is accepted. */
static void test_any_order(void)
{
    static const char shuffled[] = "2c000024" NONCE_HEX TSI_HEX "21000018" "01000000" "07000010"
        "0000ffff" "0a000100" "0a0001ff" "29000024" SA_CHILD_BODY_HEX "0000000c03044009c0ffee01";
    static ike_msg m;
    uint8_t *copy;
    ike_ccsa r;
    g_assert_cmpint(read_hex(IKE_PL_NONCE, shuffled, false, &m, &copy, &r), ==, IKE_OK);
    g_assert_cmpint(r.kind, ==, IKE_CCSA_REKEY_CHILD);
    g_assert_cmphex(r.rekey_spi, ==, 0xc0ffee01);
    g_assert_cmpuint(r.tsr->s[0].start[2], ==, 1);
    g_free(copy);
}

static void test_refusals(void)
{
    uint8_t buf[2], out[64];
    size_t len;
    /* §2.25: CHILD_SA_NOT_FOUND copies REKEY_SA's protocol and SPI. */
    ike_payload p = ike_ccsa_refusal(IKE_N_CHILD_SA_NOT_FOUND, 0, IKE_PROTO_ESP, 0xc0ffee01, buf);
    g_assert_cmpint(ike_encode_chain(&p, 1, out, sizeof out, &len), ==, IKE_OK);
    uint8_t want[32];
    size_t wlen = unhex("0000000c0304002cc0ffee01", want, sizeof want);
    g_assert_cmpmem(out, len, want, wlen);
    /* §1.3: INVALID_KE_PAYLOAD with the wanted group, two octets. */
    p = ike_ccsa_refusal(IKE_N_INVALID_KE_PAYLOAD, IKE_DH_MODP2048, 0, 0, buf);
    g_assert_cmpint(ike_encode_chain(&p, 1, out, sizeof out, &len), ==, IKE_OK);
    wlen = unhex("0000000a00000011000e", want, sizeof want);
    g_assert_cmpmem(out, len, want, wlen);

    static ike_msg m;
    uint8_t *copy;
    ike_ccsa r;
    g_assert_cmpint(read_hex(IKE_PL_NOTIFY, "0000000a00000011000e", true, &m, &copy, &r), ==, IKE_OK);
    g_assert_cmpuint(r.error, ==, IKE_N_INVALID_KE_PAYLOAD);
    g_assert_cmpuint(r.error_group, ==, IKE_DH_MODP2048);
    g_free(copy);
    /* TEMPORARY_FAILURE beside a status notify */
    g_assert_cmpint(read_hex(IKE_PL_NOTIFY, "290000080000400700000008" "0000002b", true, &m, &copy, &r),
                    ==, IKE_OK);
    g_assert_cmpuint(r.error, ==, IKE_N_TEMPORARY_FAILURE);
    g_free(copy);
    /* a group of three octets is no group */
    g_assert_cmpint(read_hex(IKE_PL_NOTIFY, "0000000b00000011000e00", true, &m, &copy, &r), ==,
                    IKE_E_SYNTAX);
    g_free(copy);
}

/* Sets that do not fit their kind, built or read: each with its typed error. */
static void test_bad_build(void)
{
    ike_payload pl[IKE_CCSA_MAX_PAYLOADS];
    size_t n;
    ike_ccsa c = ike_rekey();
    c.ke = (ike_bytes){ NULL, 0 };
    g_assert_cmpint(ike_ccsa_build(&c, false, pl, 6, &n), ==, IKE_E_PAYLOADS); /* §2.18: KE needed */
    c = ike_rekey();
    c.tsi = &TSI, c.tsr = &TSR;
    g_assert_cmpint(ike_ccsa_build(&c, false, pl, 6, &n), ==, IKE_E_PAYLOADS); /* no TS */
    c = child_rekey();
    c.sa = &SA_IKE; /* a Child SA with an IKE proposal */
    g_assert_cmpint(ike_ccsa_build(&c, false, pl, 6, &n), ==, IKE_E_SYNTAX);
    c = child_rekey();
    c.tsr = NULL;
    g_assert_cmpint(ike_ccsa_build(&c, false, pl, 6, &n), ==, IKE_E_PAYLOADS);
    c = child_rekey();
    c.rekey_proto = IKE_PROTO_IKE;
    g_assert_cmpint(ike_ccsa_build(&c, false, pl, 6, &n), ==, IKE_E_SYNTAX);
    c = child_rekey();
    c.nonce.len = 15;
    g_assert_cmpint(ike_ccsa_build(&c, false, pl, 6, &n), ==, IKE_E_SYNTAX);
    c = child_rekey();
    ike_sa_pl two = child_sa();
    two.n = 2;
    two.p[1] = two.p[0];
    c.sa = &two;
    g_assert_cmpint(ike_ccsa_build(&c, false, pl, 6, &n), ==, IKE_OK);
    g_assert_cmpint(ike_ccsa_build(&c, true, pl, 6, &n), ==, IKE_E_SYNTAX); /* one in a response */
    c = child_rekey();
    g_assert_cmpint(ike_ccsa_build(&c, false, pl, 5, &n), ==, IKE_E_SPACE);
    c.sa = NULL;
    g_assert_cmpint(ike_ccsa_build(&c, false, pl, 6, &n), ==, IKE_E_PAYLOADS);
}

static void test_bad_read(void)
{
    static const struct {
        uint8_t first;
        bool response;
        const char *hex;
        int want;
    } cases[] = {
        /* no SA */
        { IKE_PL_NONCE, false, "2c000024" NONCE_HEX TSI_HEX TSR_HEX, IKE_E_PAYLOADS },
        /* two Nonces */
        { IKE_PL_SA, false, "28000024" SA_CHILD_BODY_HEX "28000024" NONCE_HEX "2c000024" NONCE_HEX
          TSI_HEX TSR_HEX, IKE_E_PAYLOADS },
        /* no TSr */
        { IKE_PL_SA, false, "28000024" SA_CHILD_BODY_HEX "2c000024" NONCE_HEX
          "00000018" "01000000" "07000010" "0000ffff" "0a000000" "0a0000ff", IKE_E_PAYLOADS },
        /* IKE rekey without KE */
        { IKE_PL_SA, false, "28000030" "0000002c" "01010803" "0102030405060708" "0300000c" "01000014"
          "800e0100" "03000008" "02000005" "00000008" "0400001f" "00000024" NONCE_HEX, IKE_E_PAYLOADS },
        /* IKE rekey with REKEY_SA */
        { IKE_PL_NOTIFY, false, REKEY_SA_HEX "28000030" "0000002c" "01010803" "0102030405060708"
          "0300000c" "01000014" "800e0100" "03000008" "02000005" "00000008" "0400001f" "22000024"
          NONCE_HEX "00000028" "001f0000" KE_HEX, IKE_E_PAYLOADS },
        /* IKE proposal with a 4-octet SPI */
        { IKE_PL_SA, false, "2800002c" "00000028" "01010403" "01020304" "0300000c" "01000014"
          "800e0100" "03000008" "02000005" "00000008" "0400001f" "22000024" NONCE_HEX "00000028"
          "001f0000" KE_HEX, IKE_E_SYNTAX },
        /* REKEY_SA for protocol IKE with an 8-octet SPI */
        { IKE_PL_NOTIFY, false, "21000010" "01084009" "0102030405060708" "28000024" SA_CHILD_BODY_HEX
          "2c000024" NONCE_HEX TSI_HEX TSR_HEX, IKE_E_SYNTAX },
        /* REKEY_SA with data */
        { IKE_PL_NOTIFY, false, "2100000d" "03044009" "c0ffee01" "00" "28000024" SA_CHILD_BODY_HEX
          "2c000024" NONCE_HEX TSI_HEX TSR_HEX, IKE_E_SYNTAX },
        /* two REKEY_SA */
        { IKE_PL_NOTIFY, false, "2900000c" "03044009" "c0ffee01" REKEY_SA_HEX "28000024"
          SA_CHILD_BODY_HEX "2c000024" NONCE_HEX TSI_HEX TSR_HEX, IKE_E_PAYLOADS },
        /* a response with two proposals */
        { IKE_PL_SA, true, "28000044" "02000020" "01030402" "11223344" "0300000c" "01000014" "800e0100"
          "00000008" "05000000" SA_CHILD_BODY_HEX "2c000024" NONCE_HEX TSI_HEX TSR_HEX, IKE_E_SYNTAX },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        static ike_msg m;
        uint8_t *copy;
        ike_ccsa r;
        g_test_message("case %zu", i);
        g_assert_cmpint(read_hex(cases[i].first, cases[i].hex, cases[i].response, &m, &copy, &r), ==,
                        cases[i].want);
        g_free(copy);
    }
}

/* Every cut of a valid request is refused by the parser or by the reader,
 * with a typed error and no read past the cut. */
static void test_cuts(void)
{
    uint8_t buf[1024];
    size_t len = unhex(IKE_REKEY_REQ, buf, sizeof buf);
    for (size_t cut = 0; cut < len; cut++) {
        static ike_msg m;
        uint8_t *copy = g_memdup2(buf, cut);
        m.n = 0;
        ike_ccsa c;
        int rc = ike_parse_chain(IKE_PL_SA, copy, cut, &m);
        if (rc == IKE_OK)
            rc = ike_ccsa_read(&m, 0, false, &c);
        g_assert_cmpint(rc, <, 0);
        g_assert_cmpint(rc, >=, IKE_E_TICKET_KEY);
        g_free(copy);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    unhex(NONCE_HEX, NONCE, sizeof NONCE);
    unhex(KE_HEX, KE, sizeof KE);
    SA_CHILD = child_sa();
    SA_IKE = ike_sa();
    TSI = ts(0);
    TSR = ts(1);
    g_test_add_func("/ike-ccsa/child-rekey/request", test_child_rekey_request);
    g_test_add_func("/ike-ccsa/child-rekey/pfs-response", test_child_rekey_pfs_response);
    g_test_add_func("/ike-ccsa/ike-rekey/request", test_ike_rekey_request);
    g_test_add_func("/ike-ccsa/child-rekey/charon-request", test_charon_request);
    g_test_add_func("/ike-ccsa/ike-rekey/charon-request", test_charon_ike_request);
    g_test_add_func("/ike-ccsa/read/any-order", test_any_order);
    g_test_add_func("/ike-ccsa/refusals", test_refusals);
    g_test_add_func("/ike-ccsa/bad/build", test_bad_build);
    g_test_add_func("/ike-ccsa/bad/read", test_bad_read);
    g_test_add_func("/ike-ccsa/bad/cuts", test_cuts);
    return g_test_run();
}
