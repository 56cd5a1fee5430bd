/* ESP data plane (RFC 4303, RFC 4106, RFC 4868, RFC 3948): packet layout and
 * known answers, round trips for both suites with and without ESN, the
 * anti-replay window and its RFC 4303 processing order, ESN high-half
 * reconstruction (App. A2 cases A and B), the never-wrapping counter and
 * RFC 6311's skip, the inner IPv4/UDP packet and port-4500 framing. */
#include <glib.h>
#include <string.h>

#include "child_mirror.h"
#include "esp.h"
#include "esp_inner.h"
#include "esp_replay.h"
#include "esp_udp.h"
#include "ike_cipher.h"
#include "ikepair.h"
#include "rng.h"
#include "hex.h"

/* ---------- helpers ---------- */

enum { SPI_A = 0x12345678, SPI_B = 0x9abcdef0, BUF = 70000 };
#define TWO32 (UINT64_C(1) << 32)

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const uint8_t *p)
{
    return (uint64_t)be32(p) << 32 | be32(p + 4);
}

static const ike_suite GCM = { IKE_ENCR_AES_GCM_16, 128, IKE_INTEG_NONE, 0, 0 };
static const ike_suite CBC = { IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA2_256_128, 0, 0 };

/* The sending side's child: outbound SPI_A with keys 00 01 02 ... (GCM: then
 * the salt ca fe ba be) or 10 11 ... / integ 20 21 ...; inbound SPI_B with
 * other keys, so a mix-up of directions cannot pass. */
static ike_child make_child(const ike_suite *s, uint16_t bits, bool esn)
{
    ike_child c;
    memset(&c, 0, sizeof c);
    c.suite = *s;
    c.suite.encr_bits = bits;
    c.esn = esn;
    c.spi_out = SPI_A;
    c.spi_in = SPI_B;
    size_t k = bits / 8u;
    bool gcm = s->encr == IKE_ENCR_AES_GCM_16;
    for (size_t i = 0; i < k; i++) {
        c.key_out[i] = (uint8_t)((gcm ? 0x00 : 0x10) + i);
        c.key_in[i] = (uint8_t)(0x80 + i);
    }
    if (gcm) {
        static const uint8_t salt_out[4] = {0xca, 0xfe, 0xba, 0xbe};
        static const uint8_t salt_in[4] = {0xde, 0xad, 0xbe, 0xef};
        memcpy(c.key_out + k, salt_out, 4);
        memcpy(c.key_in + k, salt_in, 4);
    } else {
        for (size_t i = 0; i < IKE_PRF_LEN; i++) {
            c.integ_out[i] = (uint8_t)(0x20 + i);
            c.integ_in[i] = (uint8_t)(0xc0 + i);
        }
    }
    return c;
}

/* CBC IVs a0 a1 ... af, the value the known answers assume. */
static void fixed_iv(void *ctx, uint8_t *out, size_t len)
{
    (void)ctx;
    for (size_t i = 0; i < len; i++)
        out[i] = (uint8_t)(0xa0 + i);
}

static void rng_cb(void *ctx, uint8_t *out, size_t len)
{
    g_assert_cmpint(sim_rng_bytes(ctx, out, len), ==, 0);
}

static esp_sa *sa_with(const ike_child *c, uint32_t window, bool anti_replay)
{
    esp_cfg cfg;
    esp_cfg_defaults(&cfg);
    cfg.window = window;
    cfg.anti_replay = anti_replay;
    cfg.random = fixed_iv;
    esp_sa *sa = NULL;
    g_assert_cmpint(esp_sa_new(c, &cfg, &sa), ==, ESP_OK);
    g_assert_nonnull(sa);
    return sa;
}

static esp_sa *sa_new(const ike_child *c)
{
    return sa_with(c, ESP_WINDOW_DEFAULT, true);
}

static const esp_app_pkt APP = { 0x0a010001, 0x0a020001, 5001, 5002, 7, 1, 1500000000 };

static size_t inner(uint64_t seq, size_t total, uint8_t *out)
{
    esp_app_pkt a = APP;
    a.seq = seq;
    g_assert_cmpint(esp_inner_build(&a, total, out, total), ==, ESP_OK);
    return total;
}

/* A packet carrying number seq under c's outbound keys, made by a fresh
 * sender (tests may thus send any number in any order). */
static GBytes *pkt_at(const ike_child *c, uint64_t seq)
{
    esp_sa *tx = sa_new(c);
    g_assert_cmpint(esp_sa_skip(tx, seq - 1), ==, ESP_OK);
    g_assert_cmpuint(esp_sa_next_seq(tx), ==, seq);
    uint8_t in[64], out[128];
    size_t n = inner(seq, 60, in), len = 0;
    g_assert_cmpint(esp_sa_seal(tx, ESP_NH_IPV4, in, n, out, sizeof out, &len), ==, ESP_OK);
    esp_sa_free(tx);
    return g_bytes_new(out, len);
}

static int deliver(esp_sa *rx, GBytes *b, esp_rx *r)
{
    static uint8_t plain[BUF];
    gsize n;
    const uint8_t *p = g_bytes_get_data(b, &n);
    esp_rx tmp;
    return esp_sa_open(rx, p, n, plain, sizeof plain, r != NULL ? r : &tmp);
}

/* Opens a fresh packet seq; asserts rc. */
static void expect(esp_sa *rx, const ike_child *c, uint64_t seq, int want)
{
    GBytes *b = pkt_at(c, seq);
    esp_rx r;
    int rc = deliver(rx, b, &r);
    if (rc != want)
        g_test_message("seq %" G_GUINT64_FORMAT ": got %s, want %s", seq, esp_strerror(rc),
                       esp_strerror(want));
    g_assert_cmpint(rc, ==, want);
    if (want == ESP_OK)
        g_assert_cmpuint(r.seq, ==, seq);
    g_bytes_unref(b);
}

static GBytes *corrupt(GBytes *b, size_t at_from_end)
{
    gsize n;
    const uint8_t *p = g_bytes_get_data(b, &n);
    uint8_t *q = g_memdup2(p, n);
    q[n - 1 - at_from_end] ^= 0x01;
    return g_bytes_new_take(q, n);
}

static gboolean stats_equal(const esp_stats *a, const esp_stats *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

/* ---------- layout and known answers ----------
 *
 * The expected bytes below were computed independently with Python's
 * `cryptography` 38.0.4 (/usr/bin/python3), not with this code:
 *   inner(seq, total) = IPv4 (45 00 len id=seq 4000 40 11 csum 10.1.0.1 10.2.0.1)
 *                       | UDP (5001 5002 total-20 0) | !IQQ(7, seq, 1500000000) | zeros
 *   trailer(p, b)     = p | 01 02 .. n | n | 04, with n = -(len(p)+2) mod b
 *   GCM: AESGCM(00..0f).encrypt(cafebabe | seq as !Q, trailer(p, 4),
 *        !II(SPI, seq32) or, with ESN, !IQ(SPI, seq)); packet = !II(SPI, seq32) | !Q(seq) | ct+tag
 *   CBC: AES-CBC(10..1f, iv a0..af) over trailer(p, 16); packet = !II(SPI, seq32) | iv | ct;
 *        ICV = HMAC-SHA256(20..3f, packet [| !I(seq >> 32) with ESN])[:16]
 * with SPI 0x12345678. */

static const char INNER51[] =
    "4500003300014000401126b50a0100010a0200011389138a001f0000000000070000000000000001"
    "0000000059682f00000000";
static const char KAT_GCM[] =
    "12345678000000010000000000000001f70519aa4a7e11f4db0ae7a84c7ea936d96a8141aa7e5b0f"
    "feaa1ff477ed293c8487b7fc4ffa3a6649af631027a0b6e31b0294709c853a1a0671d0c96e2f8edd"
    "c7f5c97790805ac4";
static const char KAT_GCM_ESN[] =
    "12345678000000020000000100000002af6460c363044dd75a91084e6ae719b342e261b4f93e6ae4"
    "464ef7d9752552b1143b47c2f8324213a5273497c5b2168cfa30f089770517471e77f729c8e27f67"
    "60a2a420e4ffe146552eb8fcfd357b65";
static const char KAT_CBC[] =
    "1234567800000001a0a1a2a3a4a5a6a7a8a9aaabacadaeaf99bf80c2083a05059a53ac6ef48899a0"
    "c6ebb66ed149fe4dde2ddd0480b949853109a8d455db223c67338cac2f98a9577a51cce0820b588e"
    "328fd6ccadcd801f072372e59b9bd4443251adcc36b37d61";
static const char KAT_CBC_ESN[] =
    "1234567800000002a0a1a2a3a4a5a6a7a8a9aaabacadaeafed396757e318d9e0aec1a730d629ce39"
    "c79863ddc1dff2b4ef55def61880874ed17262d62169217b257e67fc02a60e27016e1a28ce7a52c5"
    "e844504d0657ec4bf9a7bad923bc35d9424f82e5446347a1";

static void test_layout_gcm(void)
{
    ike_child c = make_child(&GCM, 128, false), m = child_mirror(&c);
    esp_sa *tx = sa_new(&c), *rx = sa_new(&m);
    uint8_t in[51], want_in[51], out[256], want[256];
    inner(1, sizeof in, in);
    unhex(INNER51, want_in, sizeof want_in);
    g_assert_cmpmem(in, sizeof in, want_in, sizeof want_in);

    g_assert_cmpuint(esp_sa_next_seq(tx), ==, 1); /* counter 0, first packet carries 1 */
    size_t len = 0;
    g_assert_cmpint(esp_sa_seal(tx, ESP_NH_IPV4, in, sizeof in, out, sizeof out, &len), ==, ESP_OK);
    /* SPI 4 + Seq 4 + IV 8 + (51 + 3 pad + 2) + ICV 16 */
    g_assert_cmpuint(len, ==, 8 + 8 + 56 + 16);
    g_assert_cmpuint(len, ==, esp_sa_sealed_len(tx, sizeof in));
    g_assert_cmpuint(be32(out), ==, SPI_A);
    g_assert_cmpuint(be32(out + 4), ==, 1);
    g_assert_cmpuint(be64(out + 8), ==, 1); /* IV = the 64-bit sequence number */
    size_t n = unhex(KAT_GCM, want, sizeof want);
    g_assert_cmpmem(out, len, want, n);

    /* Decrypting by hand with the salt from the key material's tail and
     * AAD = SPI | Seq shows the trailer: 01 02 03, Pad Length 3, Next Header 4. */
    uint8_t nonce[12], aad[8], pt[56];
    memcpy(nonce, c.key_out + 16, 4);
    memcpy(nonce + 4, out + 8, 8);
    memcpy(aad, out, 8);
    g_assert_cmpint(ike_gcm_open(c.key_out, 16, nonce, aad, sizeof aad, out + 16, 56,
                                 out + 16 + 56, pt), ==, IKE_OK);
    g_assert_cmpmem(pt, 51, in, 51);
    static const uint8_t trailer[] = {1, 2, 3, 3, ESP_NH_IPV4};
    g_assert_cmpmem(pt + 51, 5, trailer, 5);

    uint8_t plain[256];
    esp_rx r;
    g_assert_cmpint(esp_sa_open(rx, out, len, plain, sizeof plain, &r), ==, ESP_OK);
    g_assert_cmpuint(r.seq, ==, 1);
    g_assert_cmpuint(r.next_header, ==, ESP_NH_IPV4);
    g_assert_cmpmem(r.payload, r.len, in, sizeof in);
    g_assert_cmpuint(esp_sa_stats(tx)->sent, ==, 1);
    g_assert_cmpuint(esp_sa_stats(rx)->accepted, ==, 1);
    g_assert_cmpuint(esp_sa_rx_highest(rx), ==, 1);
    esp_sa_free(tx);
    esp_sa_free(rx);
}

/* One known answer: sender at seq, inner packet (seq_in, total). */
static void kat(const ike_suite *s, bool esn, uint64_t seq, size_t total, const char *hex,
                size_t iv_len, size_t ct_len)
{
    ike_child c = make_child(s, 128, esn), m = child_mirror(&c);
    esp_sa *tx = sa_new(&c), *rx = sa_with(&m, 64, true);
    g_assert_cmpint(esp_sa_skip(tx, seq - 1), ==, ESP_OK);
    uint8_t in[64], out[256], want[256], plain[256];
    inner(seq & 0xffffffff, total, in);
    size_t len = 0, n = unhex(hex, want, sizeof want);
    g_assert_cmpint(esp_sa_seal(tx, ESP_NH_IPV4, in, total, out, sizeof out, &len), ==, ESP_OK);
    g_assert_cmpuint(len, ==, 8 + iv_len + ct_len + 16);
    g_assert_cmpuint(be32(out + 4), ==, (uint32_t)seq); /* only the low half is sent */
    g_assert_cmpmem(out, len, want, n);

    /* The receiver must know the high half to verify; move it into seq's
     * epoch first (a packet at seq - 8 from the same keys). */
    if (seq > TWO32) {
        GBytes *b = pkt_at(&c, 0x80000000u);
        g_assert_cmpint(deliver(rx, b, NULL), ==, ESP_OK);
        g_bytes_unref(b);
        b = pkt_at(&c, seq - 8);
        g_assert_cmpint(deliver(rx, b, NULL), ==, ESP_OK);
        g_bytes_unref(b);
    }
    esp_rx r;
    g_assert_cmpint(esp_sa_open(rx, out, len, plain, sizeof plain, &r), ==, ESP_OK);
    g_assert_cmpuint(r.seq, ==, seq);
    g_assert_cmpmem(r.payload, r.len, in, total);
    esp_sa_free(tx);
    esp_sa_free(rx);
}

static void test_kat_gcm_esn(void)
{
    /* 64-bit number 2^32 + 2: Seq field 00000002, IV 00000001 00000002, AAD
     * SPI | 00000001 | 00000002; 60 + 2 pad + 2 = 64 */
    kat(&GCM, true, TWO32 + 2, 60, KAT_GCM_ESN, 8, 64);
}

static void test_kat_cbc(void)
{
    /* 51 + 11 pad + 2 = 64, random IV from the caller's callback */
    kat(&CBC, false, 1, 51, KAT_CBC, 16, 64);
}

static void test_kat_cbc_esn(void)
{
    /* the ICV covers the high half 00000001, appended after the ciphertext */
    kat(&CBC, true, TWO32 + 2, 60, KAT_CBC_ESN, 16, 64);
}

/* Padding for every small payload: GCM to 4 octets (0..3 pad), CBC to the
 * 16-octet block (0..15), contents 1, 2, 3, ... (RFC 4303 §2.4). */
static void test_padding(void)
{
    for (int suite = 0; suite < 2; suite++) {
        const ike_suite *s = suite == 0 ? &GCM : &CBC;
        size_t iv = suite == 0 ? 8 : 16, block = suite == 0 ? 4 : 16;
        ike_child c = make_child(s, 128, false);
        esp_sa *tx = sa_new(&c);
        for (size_t len = 0; len <= 40; len++) {
            uint8_t in[64], out[128], pt[128];
            memset(in, 0xee, sizeof in);
            size_t n = 0;
            g_assert_cmpint(esp_sa_seal(tx, 41, in, len, out, sizeof out, &n), ==, ESP_OK);
            size_t ct = n - 8 - iv - 16;
            g_assert_cmpuint(ct % block, ==, 0);
            g_assert_cmpuint(ct, >=, len + 2);
            g_assert_cmpuint(ct - len - 2, <, block);
            if (suite == 0) {
                uint8_t nonce[12];
                memcpy(nonce, c.key_out + 16, 4);
                memcpy(nonce + 4, out + 8, 8);
                g_assert_cmpint(ike_gcm_open(c.key_out, 16, nonce, out, 8, out + 16, ct,
                                             out + 16 + ct, pt), ==, IKE_OK);
            } else {
                g_assert_cmpint(ike_cbc_decrypt(c.key_out, 16, out + 8, out + 24, ct, pt),
                                ==, IKE_OK);
            }
            size_t pad = ct - len - 2;
            for (size_t i = 0; i < pad; i++)
                g_assert_cmpuint(pt[len + i], ==, i + 1);
            g_assert_cmpuint(pt[ct - 2], ==, pad);
            g_assert_cmpuint(pt[ct - 1], ==, 41);
        }
        esp_sa_free(tx);
    }
}

/* ---------- round trips ---------- */

static void roundtrip(const ike_suite *s, bool esn)
{
    static const uint16_t bits[] = {128, 192, 256};
    static const size_t sizes[] = {48, 49, 50, 51, 64, 100, 1400, 1500};
    for (size_t b = 0; b < G_N_ELEMENTS(bits); b++) {
        ike_child c = make_child(s, bits[b], esn), m = child_mirror(&c);
        sim_rng *rng = sim_rng_new(7, 0, b);
        esp_cfg cfg;
        esp_cfg_defaults(&cfg);
        cfg.random = rng_cb;
        cfg.rand_ctx = rng;
        esp_sa *ab = NULL, *ba = NULL;
        g_assert_cmpint(esp_sa_new(&c, &cfg, &ab), ==, ESP_OK);
        g_assert_cmpint(esp_sa_new(&m, &cfg, &ba), ==, ESP_OK);
        g_assert_cmpuint(esp_sa_esn(ab), ==, esn);
        g_assert_cmpuint(esp_sa_spi_out(ab), ==, esp_sa_spi_in(ba));
        g_assert_cmpuint(esp_sa_spi_in(ab), ==, esp_sa_spi_out(ba));
        if (esn) /* exercise the high half: both directions start in epoch 0 */
            g_assert_cmpint(esp_sa_skip(ab, 1000), ==, ESP_OK);
        for (size_t k = 0; k < G_N_ELEMENTS(sizes); k++) {
            for (int dir = 0; dir < 2; dir++) {
                esp_sa *tx = dir == 0 ? ab : ba, *rx = dir == 0 ? ba : ab;
                uint64_t seq = esp_sa_next_seq(tx);
                uint8_t in[1500], out[1600], plain[1600];
                esp_app_pkt a = APP, got;
                a.flow = (uint32_t)(dir + 1);
                a.seq = k;
                a.sent_ns = 1000000ull * k;
                g_assert_cmpint(esp_inner_build(&a, sizes[k], in, sizeof in), ==, ESP_OK);
                size_t n = 0, tot = 0;
                g_assert_cmpint(esp_sa_seal(tx, ESP_NH_IPV4, in, sizes[k], out, sizeof out, &n),
                                ==, ESP_OK);
                g_assert_cmpuint(n, ==, esp_sa_sealed_len(tx, sizes[k]));
                g_assert_cmpuint(n % 4, ==, 0);
                esp_rx r;
                g_assert_cmpint(esp_sa_open(rx, out, n, plain, sizeof plain, &r), ==, ESP_OK);
                g_assert_cmpuint(r.seq, ==, seq);
                g_assert_cmpuint(r.next_header, ==, ESP_NH_IPV4);
                g_assert_cmpmem(r.payload, r.len, in, sizes[k]);
                g_assert_cmpint(esp_inner_parse(r.payload, r.len, &got, &tot), ==, ESP_OK);
                g_assert_cmpuint(tot, ==, sizes[k]);
                g_assert_cmpuint(got.flow, ==, a.flow);
                g_assert_cmpuint(got.seq, ==, a.seq);
                g_assert_cmpuint(got.sent_ns, ==, a.sent_ns);
                /* a second delivery is a replay */
                g_assert_cmpint(esp_sa_open(rx, out, n, plain, sizeof plain, &r), ==, ESP_E_REPLAY);
            }
        }
        /* a dummy packet (Next Header 59, no payload) is processed like any other */
        uint8_t out[64], plain[64];
        size_t n = 0;
        g_assert_cmpint(esp_sa_seal(ab, ESP_NH_NONE, NULL, 0, out, sizeof out, &n), ==, ESP_OK);
        esp_rx r;
        g_assert_cmpint(esp_sa_open(ba, out, n, plain, sizeof plain, &r), ==, ESP_OK);
        g_assert_cmpuint(r.next_header, ==, ESP_NH_NONE);
        g_assert_cmpuint(r.len, ==, 0);

        const esp_stats *st = esp_sa_stats(ba);
        g_assert_cmpuint(st->accepted, ==, G_N_ELEMENTS(sizes) + 1);
        g_assert_cmpuint(st->replay_drops, ==, G_N_ELEMENTS(sizes));
        g_assert_cmpuint(esp_sa_stats(ab)->sent, ==, G_N_ELEMENTS(sizes) + 1);
        esp_sa_free(ab);
        esp_sa_free(ba);
        sim_rng_free(rng);
    }
}

static void test_roundtrip_gcm(void) { roundtrip(&GCM, false); }
static void test_roundtrip_gcm_esn(void) { roundtrip(&GCM, true); }
static void test_roundtrip_cbc(void) { roundtrip(&CBC, false); }
static void test_roundtrip_cbc_esn(void) { roundtrip(&CBC, true); }

/* The Child SA the IKE model negotiates: each side's outbound SA opens at
 * the other side's inbound SA, for both ESP suites. */
static void test_roundtrip_ike_child(void)
{
    for (int suite = 0; suite < 2; suite++) {
        ike_cfg a, b;
        ike_test_cfg(&a, "a.example");
        ike_test_cfg(&b, "b.example");
        if (suite == 1) {
            a.esp.encr = b.esp.encr = IKE_ENCR_AES_CBC;
            a.esp.integ = b.esp.integ = IKE_INTEG_HMAC_SHA2_256_128;
            a.esp_esn = b.esp_esn = true;
        }
        ike_pair p;
        pair_init(&p, &a, &b, 11);
        pair_establish(&p);
        const ike_child *c[2] = { ike_sa_child(pair_sa(&p, 0)), ike_sa_child(pair_sa(&p, 1)) };
        g_assert_nonnull(c[0]);
        g_assert_nonnull(c[1]);
        g_assert_cmpuint(c[0]->spi_out, ==, c[1]->spi_in);
        esp_cfg cfg;
        esp_cfg_defaults(&cfg);
        cfg.random = rng_cb;
        cfg.rand_ctx = p.rng[0];
        esp_sa *sa[2];
        for (int i = 0; i < 2; i++)
            g_assert_cmpint(esp_sa_new(c[i], &cfg, &sa[i]), ==, ESP_OK);
        for (int from = 0; from < 2; from++) {
            uint8_t in[100], out[200], plain[200];
            size_t n = 0;
            inner(9, sizeof in, in);
            g_assert_cmpint(esp_sa_seal(sa[from], ESP_NH_IPV4, in, sizeof in, out, sizeof out, &n),
                            ==, ESP_OK);
            esp_rx r;
            g_assert_cmpint(esp_sa_open(sa[!from], out, n, plain, sizeof plain, &r), ==, ESP_OK);
            g_assert_cmpmem(r.payload, r.len, in, sizeof in);
            /* the sender's own inbound half does not take it */
            g_assert_cmpint(esp_sa_open(sa[from], out, n, plain, sizeof plain, &r), ==, ESP_E_SPI);
        }
        esp_sa_free(sa[0]);
        esp_sa_free(sa[1]);
        pair_free(&p);
    }
}

/* Same inputs and random bytes give the same packets. */
static void test_determinism(void)
{
    ike_child c = make_child(&CBC, 256, true);
    GBytes *run[3][20];
    for (int k = 0; k < 3; k++) {
        sim_rng *rng = sim_rng_new(k < 2 ? 5 : 6, 0, 0);
        esp_cfg cfg;
        esp_cfg_defaults(&cfg);
        cfg.random = rng_cb;
        cfg.rand_ctx = rng;
        esp_sa *tx = NULL;
        g_assert_cmpint(esp_sa_new(&c, &cfg, &tx), ==, ESP_OK);
        for (int i = 0; i < 20; i++) {
            uint8_t in[80], out[200];
            size_t n = 0;
            inner((uint64_t)i, sizeof in, in);
            g_assert_cmpint(esp_sa_seal(tx, 4, in, sizeof in, out, sizeof out, &n), ==, ESP_OK);
            run[k][i] = g_bytes_new(out, n);
        }
        esp_sa_free(tx);
        sim_rng_free(rng);
    }
    for (int i = 0; i < 20; i++) {
        g_assert_true(g_bytes_equal(run[0][i], run[1][i]));
        g_assert_false(g_bytes_equal(run[0][i], run[2][i])); /* other seed, other IVs */
        for (int k = 0; k < 3; k++)
            g_bytes_unref(run[k][i]);
    }
}

/* ---------- anti-replay (RFC 4303 §3.4.3, window 64 unless said) ---------- */

static void test_replay_in_order(void)
{
    ike_child c = make_child(&GCM, 128, false), m = child_mirror(&c);
    esp_sa *tx = sa_new(&c), *rx = sa_new(&m);
    for (int i = 1; i <= 300; i++) {
        uint8_t in[48], out[128], plain[128];
        size_t n = 0;
        inner((uint64_t)i, sizeof in, in);
        g_assert_cmpint(esp_sa_seal(tx, 4, in, sizeof in, out, sizeof out, &n), ==, ESP_OK);
        esp_rx r;
        g_assert_cmpint(esp_sa_open(rx, out, n, plain, sizeof plain, &r), ==, ESP_OK);
        g_assert_cmpuint(r.seq, ==, (uint64_t)i);
    }
    g_assert_cmpuint(esp_sa_stats(rx)->accepted, ==, 300);
    g_assert_cmpuint(esp_sa_rx_highest(rx), ==, 300);
    esp_sa_free(tx);
    esp_sa_free(rx);
}

static void test_replay_duplicate(void)
{
    ike_child c = make_child(&GCM, 128, false), m = child_mirror(&c);
    esp_sa *rx = sa_new(&m);
    for (uint64_t s = 1; s <= 5; s++)
        expect(rx, &c, s, ESP_OK);
    expect(rx, &c, 3, ESP_E_REPLAY);
    expect(rx, &c, 5, ESP_E_REPLAY);
    expect(rx, &c, 6, ESP_OK);
    const esp_stats *st = esp_sa_stats(rx);
    g_assert_cmpuint(st->accepted, ==, 6);
    g_assert_cmpuint(st->replay_drops, ==, 2);
    g_assert_cmpuint(st->stale_drops, ==, 0);
    esp_sa_free(rx);
}

static void test_replay_edges(void)
{
    ike_child c = make_child(&GCM, 128, false), m = child_mirror(&c);
    esp_sa *rx = sa_new(&m);
    expect(rx, &c, 100, ESP_OK);
    expect(rx, &c, 100 - 63, ESP_OK);     /* the left edge, unseen */
    expect(rx, &c, 100 - 64, ESP_E_STALE);/* one left of it */
    expect(rx, &c, 100 - 63, ESP_E_REPLAY);
    expect(rx, &c, 99, ESP_OK);
    expect(rx, &c, 1, ESP_E_STALE);
    g_assert_cmpuint(esp_sa_stats(rx)->stale_drops, ==, 2);
    g_assert_cmpuint(esp_sa_stats(rx)->replay_drops, ==, 1);
    esp_sa_free(rx);
}

static void test_replay_out_of_order(void)
{
    static const uint64_t order[] = {10, 5, 8, 9, 1, 7, 6, 2, 3, 4};
    ike_child c = make_child(&CBC, 128, false), m = child_mirror(&c);
    esp_sa *rx = sa_new(&m);
    for (size_t i = 0; i < G_N_ELEMENTS(order); i++)
        expect(rx, &c, order[i], ESP_OK);
    for (size_t i = 0; i < G_N_ELEMENTS(order); i++)
        expect(rx, &c, order[i], ESP_E_REPLAY);
    g_assert_cmpuint(esp_sa_rx_highest(rx), ==, 10);
    g_assert_cmpuint(esp_sa_stats(rx)->accepted, ==, 10);
    g_assert_cmpuint(esp_sa_stats(rx)->replay_drops, ==, 10);
    esp_sa_free(rx);
}

static void test_replay_slide(void)
{
    ike_child c = make_child(&GCM, 128, false), m = child_mirror(&c);
    esp_sa *rx = sa_new(&m);
    for (uint64_t s = 1; s <= 10; s++)
        expect(rx, &c, s, ESP_OK);
    expect(rx, &c, 200, ESP_OK);          /* a big jump: the window slides */
    expect(rx, &c, 10, ESP_E_STALE);
    expect(rx, &c, 137, ESP_OK);
    expect(rx, &c, 136, ESP_E_STALE);
    expect(rx, &c, 230, ESP_OK);          /* slide by 30: marks move with it */
    expect(rx, &c, 200, ESP_E_REPLAY);
    expect(rx, &c, 201, ESP_OK);
    expect(rx, &c, 167, ESP_OK);          /* 230 - 63 */
    expect(rx, &c, 166, ESP_E_STALE);
    expect(rx, &c, 294, ESP_OK);          /* slide by exactly 64: all marks fall off */
    expect(rx, &c, 230, ESP_E_STALE);
    expect(rx, &c, 231, ESP_OK);
    g_assert_cmpuint(esp_sa_rx_highest(rx), ==, 294);
    esp_sa_free(rx);
}

/* A forged packet (bad ICV) does not move the window: the real packet of the
 * same number and older numbers are still accepted.  And the quick check
 * comes first: a forged copy of an accepted number is a replay, not an ICV
 * failure. */
static void test_replay_bad_icv_no_advance(void)
{
    for (int suite = 0; suite < 2; suite++) {
        ike_child c = make_child(suite == 0 ? &GCM : &CBC, 128, false), m = child_mirror(&c);
        esp_sa *rx = sa_new(&m);
        for (uint64_t s = 1; s <= 5; s++)
            expect(rx, &c, s, ESP_OK);
        GBytes *good = pkt_at(&c, 1000), *bad = corrupt(good, 0); /* last ICV octet */
        GBytes *bad_ct = corrupt(good, 20);                        /* a ciphertext octet */
        g_assert_cmpint(deliver(rx, bad, NULL), ==, ESP_E_ICV);
        g_assert_cmpint(deliver(rx, bad_ct, NULL), ==, ESP_E_ICV);
        g_assert_cmpuint(esp_sa_rx_highest(rx), ==, 5);
        expect(rx, &c, 10, ESP_OK);
        g_assert_cmpint(deliver(rx, good, NULL), ==, ESP_OK);
        g_assert_cmpint(deliver(rx, good, NULL), ==, ESP_E_REPLAY);
        g_assert_cmpint(deliver(rx, bad, NULL), ==, ESP_E_REPLAY); /* before integrity */
        GBytes *old = pkt_at(&c, 3), *old_bad = corrupt(old, 0);
        g_assert_cmpint(deliver(rx, old_bad, NULL), ==, ESP_E_STALE); /* before integrity */
        const esp_stats *st = esp_sa_stats(rx);
        g_assert_cmpuint(st->icv_failures, ==, 2);
        g_assert_cmpuint(st->accepted, ==, 7);
        g_assert_cmpuint(st->replay_drops, ==, 2);
        g_assert_cmpuint(st->stale_drops, ==, 1);
        g_bytes_unref(good);
        g_bytes_unref(bad);
        g_bytes_unref(bad_ct);
        g_bytes_unref(old);
        g_bytes_unref(old_bad);
        esp_sa_free(rx);
    }
}

static void window_edges(uint32_t w)
{
    ike_child c = make_child(&GCM, 128, false), m = child_mirror(&c);
    esp_sa *rx = sa_with(&m, w, true);
    uint64_t t = 5000;
    expect(rx, &c, t, ESP_OK);
    expect(rx, &c, t - (w - 1), ESP_OK);
    expect(rx, &c, t - w, ESP_E_STALE);
    expect(rx, &c, t - (w - 1), ESP_E_REPLAY);
    /* slide by amounts that cross word boundaries; the old marks must follow */
    uint64_t marks[] = {t, t - (w - 1)};
    uint64_t steps[] = {1, 63, 65, 100, 129};
    for (size_t i = 0; i < G_N_ELEMENTS(steps); i++) {
        t += steps[i];
        expect(rx, &c, t, ESP_OK);
        for (size_t k = 0; k < G_N_ELEMENTS(marks); k++)
            expect(rx, &c, marks[k], t - marks[k] < w ? ESP_E_REPLAY : ESP_E_STALE);
    }
    expect(rx, &c, t - (w - 1), t - (w - 1) == marks[0] ? ESP_E_REPLAY : ESP_OK);
    expect(rx, &c, t - w, ESP_E_STALE);
    esp_sa_free(rx);
}

static void test_replay_window_32(void) { window_edges(32); }
static void test_replay_window_1024(void) { window_edges(1024); }

/* The bitmap against a plain set of seen numbers, over random walks, for
 * window sizes on and off 64-bit word boundaries. */
static void test_replay_bitmap_model(void)
{
    static const uint32_t sizes[] = {32, 64, 100, 128, 1024, 4096};
    for (size_t z = 0; z < G_N_ELEMENTS(sizes); z++) {
        uint32_t w = sizes[z];
        esp_replay r;
        g_assert_cmpint(esp_replay_init(&r, w), ==, ESP_OK);
        GHashTable *seen = g_hash_table_new(g_int64_hash, g_int64_equal);
        GRand *g = g_rand_new_with_seed((guint32)w);
        gint64 *keys = g_new(gint64, 20000);
        uint64_t top = 0;
        for (int i = 0; i < 20000; i++) {
            uint64_t s;
            int kind = g_rand_int_range(g, 0, 10);
            if (kind < 3)
                s = top + (uint64_t)g_rand_int_range(g, 1, (gint32)(2 * w));
            else if (kind == 3)
                s = top + 1;
            else
                s = top > 0 ? top - (uint64_t)g_rand_int_range(g, 0, (gint32)(w + 8)) : 1;
            if (s == 0 || s > top + 10 * (uint64_t)w)
                s = top + 1;
            int want;
            keys[i] = (gint64)s;
            if (s + w <= top)
                want = ESP_E_STALE;
            else if (g_hash_table_contains(seen, &keys[i]))
                want = ESP_E_REPLAY;
            else
                want = ESP_OK;
            g_assert_cmpint(esp_replay_check(&r, s), ==, want);
            if (want == ESP_OK && g_rand_int_range(g, 0, 8) != 0) { /* some fail integrity */
                esp_replay_accept(&r, s);
                g_hash_table_add(seen, &keys[i]);
                if (s > top)
                    top = s;
            }
            g_assert_cmpuint(r.top, ==, top);
        }
        g_assert_cmpint(esp_replay_check(&r, 0), ==, ESP_E_STALE);
        g_free(keys);
        g_rand_free(g);
        g_hash_table_destroy(seen);
        esp_replay_fini(&r);
    }
}

static void test_replay_disabled(void)
{
    ike_child c = make_child(&GCM, 128, false), m = child_mirror(&c);
    esp_sa *rx = sa_with(&m, 64, false);
    expect(rx, &c, 5, ESP_OK);
    expect(rx, &c, 5, ESP_OK);
    expect(rx, &c, 5, ESP_OK);
    expect(rx, &c, 500, ESP_OK);
    expect(rx, &c, 1, ESP_OK);           /* far left of where a window would be */
    GBytes *b = pkt_at(&c, 7), *bad = corrupt(b, 0);
    g_assert_cmpint(deliver(rx, bad, NULL), ==, ESP_E_ICV); /* integrity still applies */
    const esp_stats *st = esp_sa_stats(rx);
    g_assert_cmpuint(st->accepted, ==, 5);
    g_assert_cmpuint(st->replay_drops + st->stale_drops, ==, 0);
    g_assert_cmpuint(st->icv_failures, ==, 1);
    g_bytes_unref(b);
    g_bytes_unref(bad);
    esp_sa_free(rx);
}

static void test_replay_window_config(void)
{
    ike_child c = make_child(&GCM, 128, false);
    static const struct { uint32_t w; int rc; } cases[] = {
        {0, ESP_E_ARG}, {31, ESP_E_ARG}, {32, ESP_OK}, {64, ESP_OK}, {100, ESP_OK},
        {1024, ESP_OK}, {ESP_WINDOW_MAX, ESP_OK}, {ESP_WINDOW_MAX + 1, ESP_E_ARG},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        esp_cfg cfg;
        esp_cfg_defaults(&cfg);
        cfg.window = cases[i].w;
        static char sentinel;
        esp_sa *sa = (esp_sa *)(void *)&sentinel; /* must be reset to NULL on failure */
        g_assert_cmpint(esp_sa_new(&c, &cfg, &sa), ==, cases[i].rc);
        g_assert_true((sa != NULL) == (cases[i].rc == ESP_OK));
        esp_sa_free(sa);
    }
    esp_cfg def;
    esp_cfg_defaults(&def);
    g_assert_cmpuint(def.window, ==, 64);
    g_assert_true(def.anti_replay);

    /* other configuration errors */
    esp_sa *sa = NULL;
    ike_child cbc = make_child(&CBC, 128, false);
    g_assert_cmpint(esp_sa_new(&cbc, NULL, &sa), ==, ESP_E_ARG); /* CBC needs random */
    ike_child zero = c;
    zero.spi_out = 0;
    g_assert_cmpint(esp_sa_new(&zero, NULL, &sa), ==, ESP_E_ARG); /* SPI 0 is never sent */
    ike_child bad = c;
    bad.suite.encr_bits = 100;
    g_assert_cmpint(esp_sa_new(&bad, NULL, &sa), ==, ESP_E_UNSUPPORTED);
    bad = c;
    bad.suite.integ = IKE_INTEG_HMAC_SHA2_256_128; /* GCM with an INTEG transform */
    g_assert_cmpint(esp_sa_new(&bad, NULL, &sa), ==, ESP_E_UNSUPPORTED);
    g_assert_null(sa);
    g_assert_cmpint(esp_sa_new(&c, NULL, &sa), ==, ESP_OK); /* defaults */
    esp_sa_free(sa);
    esp_sa_free(NULL);
}

/* ---------- ESN (RFC 4303 App. A2) ---------- */

static uint32_t high(esp_replay *r, uint64_t top, uint32_t seql, int want_rc)
{
    r->top = top;
    uint32_t h = 0xdeadbeef;
    g_assert_cmpint(esp_replay_esn_high(r, seql, &h), ==, want_rc);
    return h;
}

static void test_esn_cases(void)
{
    esp_replay r;
    g_assert_cmpint(esp_replay_init(&r, 64), ==, ESP_OK);
    /* Case A: Tl = 0x1000 >= W - 1; Bl = 0x1000 - 63 = 0xfc1 */
    uint64_t t = 5 * TWO32 + 0x1000;
    g_assert_cmpuint(high(&r, t, 0xfc1, ESP_OK), ==, 5);        /* Seql = Bl: Th */
    g_assert_cmpuint(high(&r, t, 0x1000, ESP_OK), ==, 5);       /* Seql = Tl */
    g_assert_cmpuint(high(&r, t, 0xffffffff, ESP_OK), ==, 5);   /* ahead, same epoch */
    g_assert_cmpuint(high(&r, t, 0xfc0, ESP_OK), ==, 6);        /* Seql < Bl: Th + 1 */
    g_assert_cmpuint(high(&r, t, 0, ESP_OK), ==, 6);
    /* Case A at the boundary Tl = W - 1 = 63: Bl = 0, the window is 0..63 */
    g_assert_cmpuint(high(&r, 5 * TWO32 + 63, 0, ESP_OK), ==, 5);
    g_assert_cmpuint(high(&r, 5 * TWO32 + 63, 0xffffffff, ESP_OK), ==, 5);
    /* Tl = 64: Bl = 1 */
    g_assert_cmpuint(high(&r, 5 * TWO32 + 64, 1, ESP_OK), ==, 5);
    g_assert_cmpuint(high(&r, 5 * TWO32 + 64, 0, ESP_OK), ==, 6);
    /* Case B: Tl = 0x10 < W - 1; Bl = 0x10 - 63 (mod 2^32) = 0xffffffd1 */
    t = 5 * TWO32 + 0x10;
    g_assert_cmpuint(high(&r, t, 0xffffffd1, ESP_OK), ==, 4);   /* Seql >= Bl: Th - 1 */
    g_assert_cmpuint(high(&r, t, 0xfffffff0, ESP_OK), ==, 4);
    g_assert_cmpuint(high(&r, t, 0xffffffd0, ESP_OK), ==, 5);   /* Seql < Bl: Th */
    g_assert_cmpuint(high(&r, t, 0x10, ESP_OK), ==, 5);
    g_assert_cmpuint(high(&r, t, 0x20, ESP_OK), ==, 5);
    g_assert_cmpuint(high(&r, 5 * TWO32 + 62, 0xffffffff, ESP_OK), ==, 4);
    /* Case B in epoch 0: Th - 1 would be below 0 */
    high(&r, 0x10, 0xfffffff0, ESP_E_STALE);
    g_assert_cmpuint(high(&r, 0, 1, ESP_OK), ==, 0);            /* a fresh SA */
    /* W = 1024 moves the case boundary */
    esp_replay_fini(&r);
    g_assert_cmpint(esp_replay_init(&r, 1024), ==, ESP_OK);
    /* case B, Tl = 1000: Bl = 1000 - 1023 = 0xffffffe9 */
    g_assert_cmpuint(high(&r, 7 * TWO32 + 1000, 0xffffffe9, ESP_OK), ==, 6);
    g_assert_cmpuint(high(&r, 7 * TWO32 + 1000, 0xffffffe8, ESP_OK), ==, 7);
    /* case A, Tl = 1023: Bl = 0 */
    g_assert_cmpuint(high(&r, 7 * TWO32 + 1023, 0xffffffe9, ESP_OK), ==, 7);
    g_assert_cmpuint(high(&r, 7 * TWO32 + 1023, 0, ESP_OK), ==, 7);
    g_assert_cmpuint(high(&r, 7 * TWO32 + 1024, 0, ESP_OK), ==, 8);
    esp_replay_fini(&r);
}

/* The sender's counter crosses 2^32; the receiver reconstructs the high half
 * for in-order and late packets, for both suites. */
static void test_esn_wrap(void)
{
    for (int suite = 0; suite < 2; suite++) {
        ike_child c = make_child(suite == 0 ? &GCM : &CBC, 128, true), m = child_mirror(&c);
        esp_sa *tx = sa_new(&c), *rx = sa_new(&m);
        g_assert_cmpint(esp_sa_skip(tx, 0x80000000u - 1), ==, ESP_OK);
        GBytes *pk[8];
        uint64_t seqs[8];
        for (int i = 0; i < 8; i++) {
            uint8_t in[60], out[200];
            size_t n = 0;
            if (i == 1) /* jump to just below the boundary */
                g_assert_cmpint(esp_sa_skip(tx, TWO32 - 4 - esp_sa_next_seq(tx)), ==, ESP_OK);
            seqs[i] = esp_sa_next_seq(tx);
            inner(seqs[i], sizeof in, in);
            g_assert_cmpint(esp_sa_seal(tx, 4, in, sizeof in, out, sizeof out, &n), ==, ESP_OK);
            g_assert_cmpuint(be32(out + 4), ==, (uint32_t)seqs[i]);
            pk[i] = g_bytes_new(out, n);
        }
        /* 2^31, 2^32-4 .. 2^32+2 */
        g_assert_cmpuint(seqs[1], ==, TWO32 - 4);
        g_assert_cmpuint(seqs[7], ==, TWO32 + 2);
        static const int order[] = {0, 1, 2, 4, 5, 6, 3, 7}; /* 2^32 - 1 arrives late */
        for (size_t k = 0; k < G_N_ELEMENTS(order); k++) {
            esp_rx r;
            g_assert_cmpint(deliver(rx, pk[order[k]], &r), ==, ESP_OK);
            g_assert_cmpuint(r.seq, ==, seqs[order[k]]);
        }
        g_assert_cmpuint(esp_sa_rx_highest(rx), ==, TWO32 + 2);
        g_assert_cmpint(deliver(rx, pk[5], NULL), ==, ESP_E_REPLAY); /* 2^32 again */
        g_assert_cmpint(deliver(rx, pk[3], NULL), ==, ESP_E_REPLAY); /* 2^32 - 1 again: case B */
        for (int i = 0; i < 8; i++)
            g_bytes_unref(pk[i]);
        esp_sa_free(tx);
        esp_sa_free(rx);
    }
}

/* The ICV covers the high half although it is never sent: a receiver that
 * guesses another epoch fails integrity. */
static void test_esn_wrong_high_fails_icv(void)
{
    for (int suite = 0; suite < 2; suite++) {
        ike_child c = make_child(suite == 0 ? &GCM : &CBC, 128, true), m = child_mirror(&c);
        esp_sa *rx = sa_new(&m);
        /* a fresh receiver (T = 0) takes Seql = 5 to be 5, the sender meant 2^32 + 5 */
        expect(rx, &c, TWO32 + 5, ESP_E_ICV);
        g_assert_cmpuint(esp_sa_stats(rx)->icv_failures, ==, 1);
        g_assert_cmpuint(esp_sa_rx_highest(rx), ==, 0);
        /* the same low half in epoch 0 is fine */
        expect(rx, &c, 5, ESP_OK);
        /* the receiver in epoch 1 (via 2^31 and 2^32 + 100): 2^33 + 200 is
         * read as 2^32 + 200 and fails */
        expect(rx, &c, 0x80000000u, ESP_OK);
        expect(rx, &c, TWO32 + 100, ESP_OK);
        expect(rx, &c, 2 * TWO32 + 200, ESP_E_ICV);
        expect(rx, &c, TWO32 + 200, ESP_OK);
        /* RFC 4303 App. A2: just left of the window in case A means "next
         * epoch" — the packet fails integrity instead of counting as stale */
        uint64_t t = esp_sa_rx_highest(rx);
        expect(rx, &c, t - 64, ESP_E_ICV);
        expect(rx, &c, t - 63, ESP_OK);
        const esp_stats *st = esp_sa_stats(rx);
        g_assert_cmpuint(st->icv_failures, ==, 3);
        g_assert_cmpuint(st->stale_drops, ==, 0);
        g_assert_cmpuint(st->accepted, ==, 5);
        esp_sa_free(rx);
    }
}

/* ---------- the outbound counter ---------- */

static void test_seq_exhaustion_32(void)
{
    ike_child c = make_child(&GCM, 128, false), m = child_mirror(&c);
    esp_sa *tx = sa_new(&c), *rx = sa_new(&m);
    g_assert_cmpint(esp_sa_skip(tx, 0xfffffffdu), ==, ESP_OK);
    g_assert_cmpuint(esp_sa_next_seq(tx), ==, 0xfffffffeu);
    uint8_t in[48], out[128], plain[128];
    inner(1, sizeof in, in);
    for (uint32_t want = 0xfffffffeu; want != 0; want++) { /* 2^32 - 2, 2^32 - 1 */
        size_t n = 0;
        g_assert_cmpint(esp_sa_seal(tx, 4, in, sizeof in, out, sizeof out, &n), ==, ESP_OK);
        g_assert_cmpuint(be32(out + 4), ==, want);
        esp_rx r;
        g_assert_cmpint(esp_sa_open(rx, out, n, plain, sizeof plain, &r), ==, ESP_OK);
        g_assert_cmpuint(r.seq, ==, want);
    }
    g_assert_cmpuint(esp_sa_next_seq(tx), ==, 0); /* spent */
    size_t n = 99;
    g_assert_cmpint(esp_sa_seal(tx, 4, in, sizeof in, out, sizeof out, &n), ==,
                    ESP_E_SEQ_EXHAUSTED);
    g_assert_cmpuint(n, ==, 0);
    g_assert_cmpint(esp_sa_skip(tx, 1), ==, ESP_E_SEQ_EXHAUSTED);
    g_assert_cmpint(esp_sa_skip(tx, 0), ==, ESP_OK);
    g_assert_cmpuint(esp_sa_stats(tx)->sent, ==, 2);
    esp_sa_free(tx);

    /* skip checks its bound without moving */
    tx = sa_new(&c);
    g_assert_cmpint(esp_sa_skip(tx, (uint64_t)UINT32_MAX + 1), ==, ESP_E_SEQ_EXHAUSTED);
    g_assert_cmpint(esp_sa_skip(tx, UINT64_MAX), ==, ESP_E_SEQ_EXHAUSTED);
    g_assert_cmpuint(esp_sa_next_seq(tx), ==, 1);
    g_assert_cmpint(esp_sa_skip(tx, UINT32_MAX), ==, ESP_OK); /* lands on the last: spent */
    g_assert_cmpuint(esp_sa_next_seq(tx), ==, 0);
    g_assert_cmpint(esp_sa_seal(tx, 4, in, sizeof in, out, sizeof out, &n), ==,
                    ESP_E_SEQ_EXHAUSTED);
    esp_sa_free(tx);
    esp_sa_free(rx);
}

static void test_seq_exhaustion_esn(void)
{
    ike_child c = make_child(&GCM, 128, true);
    esp_sa *tx = sa_new(&c);
    g_assert_cmpint(esp_sa_skip(tx, (uint64_t)UINT32_MAX + 10), ==, ESP_OK); /* no 32-bit limit */
    g_assert_cmpint(esp_sa_skip(tx, UINT64_MAX - esp_sa_next_seq(tx)), ==, ESP_OK);
    g_assert_cmpuint(esp_sa_next_seq(tx), ==, UINT64_MAX);
    uint8_t in[48], out[128];
    size_t n = 0;
    inner(1, sizeof in, in);
    g_assert_cmpint(esp_sa_seal(tx, 4, in, sizeof in, out, sizeof out, &n), ==, ESP_OK);
    g_assert_cmpuint(be32(out + 4), ==, 0xffffffffu);
    g_assert_cmpuint(be64(out + 8), ==, UINT64_MAX);
    g_assert_cmpuint(esp_sa_next_seq(tx), ==, 0);
    g_assert_cmpint(esp_sa_seal(tx, 4, in, sizeof in, out, sizeof out, &n), ==,
                    ESP_E_SEQ_EXHAUSTED);
    esp_sa_free(tx);
}

static void test_seq_skip(void)
{
    ike_child c = make_child(&CBC, 128, false), m = child_mirror(&c);
    esp_sa *tx = sa_new(&c), *rx = sa_new(&m);
    uint8_t in[48], out[128], plain[128];
    inner(1, sizeof in, in);
    size_t n = 0;
    esp_rx r;
    for (int i = 0; i < 3; i++) {
        g_assert_cmpint(esp_sa_seal(tx, 4, in, sizeof in, out, sizeof out, &n), ==, ESP_OK);
        g_assert_cmpint(esp_sa_open(rx, out, n, plain, sizeof plain, &r), ==, ESP_OK);
    }
    g_assert_cmpuint(esp_sa_next_seq(tx), ==, 4);
    g_assert_cmpint(esp_sa_skip(tx, 10), ==, ESP_OK); /* 4..13 never used */
    g_assert_cmpuint(esp_sa_next_seq(tx), ==, 14);
    g_assert_cmpint(esp_sa_seal(tx, 4, in, sizeof in, out, sizeof out, &n), ==, ESP_OK);
    g_assert_cmpuint(be32(out + 4), ==, 14);
    g_assert_cmpint(esp_sa_open(rx, out, n, plain, sizeof plain, &r), ==, ESP_OK);
    g_assert_cmpuint(r.seq, ==, 14);
    /* a failed seal for lack of space spends no number */
    g_assert_cmpint(esp_sa_seal(tx, 4, in, sizeof in, out, 10, &n), ==, ESP_E_SPACE);
    g_assert_cmpint(esp_sa_seal(tx, 4, in, ESP_MAX_PAYLOAD + 1, out, sizeof out, &n), ==,
                    ESP_E_BAD_LENGTH);
    g_assert_cmpuint(esp_sa_next_seq(tx), ==, 15);
    g_assert_cmpuint(esp_sa_stats(tx)->sent, ==, 4);
    esp_sa_free(tx);
    esp_sa_free(rx);
}

/* ---------- bad input ---------- */

/* A GCM packet under c's outbound keys with a hand-made plaintext (valid
 * tag, so the trailer checks run). */
static size_t craft_gcm(const ike_child *c, uint32_t seq, const uint8_t *pt, size_t pt_len,
                        uint8_t *out)
{
    uint8_t nonce[12];
    out[0] = SPI_A >> 24; out[1] = (SPI_A >> 16) & 0xff; out[2] = (SPI_A >> 8) & 0xff;
    out[3] = SPI_A & 0xff;
    for (int i = 0; i < 4; i++)
        out[4 + i] = (uint8_t)(seq >> (24 - 8 * i));
    memset(out + 8, 0, 8);
    memcpy(out + 12, out + 4, 4); /* IV = the number */
    memcpy(nonce, c->key_out + 16, 4);
    memcpy(nonce + 4, out + 8, 8);
    g_assert_cmpint(ike_gcm_seal(c->key_out, 16, nonce, out, 8, pt, pt_len, out + 16,
                                 out + 16 + pt_len), ==, IKE_OK);
    return 16 + pt_len + 16;
}

static void test_bad_input(void)
{
    ike_child c = make_child(&GCM, 128, false), m = child_mirror(&c);
    esp_sa *rx = sa_new(&m);
    expect(rx, &c, 50, ESP_OK);
    expect(rx, &c, 48, ESP_OK);
    GBytes *good = pkt_at(&c, 49);
    gsize glen;
    const uint8_t *g = g_bytes_get_data(good, &glen);
    uint8_t buf[256], plain[256];
    esp_rx r;
    esp_stats before = *esp_sa_stats(rx), want;

    /* truncated: shorter than the ESP header, then than IV + trailer + ICV */
    for (size_t n = 0; n < 16 + 2 + 16; n++) {
        want = *esp_sa_stats(rx);
        want.malformed++;
        g_assert_cmpint(esp_sa_open(rx, g, n, plain, sizeof plain, &r), ==, ESP_E_TRUNCATED);
        g_assert_true(stats_equal(esp_sa_stats(rx), &want));
    }
    /* a cut that keeps the minimum length breaks the tag */
    want = *esp_sa_stats(rx);
    want.icv_failures++;
    g_assert_cmpint(esp_sa_open(rx, g, glen - 1, plain, sizeof plain, &r), ==, ESP_E_ICV);
    g_assert_true(stats_equal(esp_sa_stats(rx), &want));

    /* wrong SPI, including 0 */
    static const uint32_t spis[] = {0, SPI_B, SPI_A + 1};
    for (size_t i = 0; i < G_N_ELEMENTS(spis); i++) {
        memcpy(buf, g, glen);
        buf[0] = (uint8_t)(spis[i] >> 24);
        buf[1] = (uint8_t)(spis[i] >> 16);
        buf[2] = (uint8_t)(spis[i] >> 8);
        buf[3] = (uint8_t)spis[i];
        want = *esp_sa_stats(rx);
        want.spi_mismatch++;
        g_assert_cmpint(esp_sa_open(rx, buf, glen, plain, sizeof plain, &r), ==, ESP_E_SPI);
        g_assert_true(stats_equal(esp_sa_stats(rx), &want));
    }

    /* authentic packets with a bad trailer */
    uint8_t pt[56];
    memset(pt, 0xab, sizeof pt);
    struct { size_t len; uint8_t pad_len; uint8_t pad[3]; uint32_t seq; } bad[] = {
        {56, 55, {0}, 30},         /* Pad Length exceeds the 54 octets before it */
        {56, 255, {0}, 31},
        {56, 3, {1, 2, 4}, 32},    /* not 1, 2, 3 */
        {56, 3, {0, 0, 0}, 33},
        {8, 7, {0}, 34},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        size_t len = bad[i].len;
        memcpy(pt + len - 5, bad[i].pad, 3);
        pt[len - 2] = bad[i].pad_len;
        pt[len - 1] = 4;
        size_t n = craft_gcm(&c, bad[i].seq, pt, len, buf);
        want = *esp_sa_stats(rx);
        want.malformed++;
        g_assert_cmpint(esp_sa_open(rx, buf, n, plain, sizeof plain, &r), ==, ESP_E_BAD_PAD);
        g_assert_true(stats_equal(esp_sa_stats(rx), &want));
    }
    /* the largest valid Pad Length: nothing but padding */
    uint8_t allpad[8] = {1, 2, 3, 4, 5, 6, 6, ESP_NH_NONE};
    size_t n = craft_gcm(&c, 35, allpad, sizeof allpad, buf);
    g_assert_cmpint(esp_sa_open(rx, buf, n, plain, sizeof plain, &r), ==, ESP_OK);
    g_assert_cmpuint(r.len, ==, 0);
    g_assert_cmpuint(r.seq, ==, 35);
    /* output too small: an argument error, nothing counted */
    want = *esp_sa_stats(rx);
    g_assert_cmpint(esp_sa_open(rx, g, glen, plain, 10, &r), ==, ESP_E_SPACE);
    g_assert_true(stats_equal(esp_sa_stats(rx), &want));

    /* the window did not move for any failure: 49 (unseen) and the bad-pad
     * numbers are still takeable, 48 and 50 still replays */
    g_assert_cmpuint(esp_sa_rx_highest(rx), ==, 50);
    const esp_stats *st = esp_sa_stats(rx);
    g_assert_cmpuint(st->accepted, ==, before.accepted + 1);
    g_assert_cmpuint(st->replay_drops, ==, before.replay_drops);
    g_assert_cmpuint(st->stale_drops, ==, before.stale_drops);
    g_assert_cmpint(deliver(rx, good, &r), ==, ESP_OK);
    expect(rx, &c, 30, ESP_OK);
    expect(rx, &c, 34, ESP_OK);
    expect(rx, &c, 48, ESP_E_REPLAY);
    expect(rx, &c, 50, ESP_E_REPLAY);
    g_bytes_unref(good);
    esp_sa_free(rx);

    /* CBC: a ciphertext that is not a whole number of blocks */
    ike_child cc = make_child(&CBC, 128, false), cm = child_mirror(&cc);
    rx = sa_new(&cm);
    good = pkt_at(&cc, 1);
    g = g_bytes_get_data(good, &glen);
    memcpy(buf, g, glen);
    want = *esp_sa_stats(rx);
    want.malformed++;
    g_assert_cmpint(esp_sa_open(rx, buf, glen - 1, plain, sizeof plain, &r), ==, ESP_E_BAD_LENGTH);
    g_assert_true(stats_equal(esp_sa_stats(rx), &want));
    want.malformed++;
    g_assert_cmpint(esp_sa_open(rx, buf, 8 + 16 + 15 + 16, plain, sizeof plain, &r), ==,
                    ESP_E_TRUNCATED);
    g_assert_true(stats_equal(esp_sa_stats(rx), &want));
    buf[30] ^= 0x80; /* a ciphertext bit: the ICV catches it before decryption */
    want.icv_failures++;
    g_assert_cmpint(esp_sa_open(rx, buf, glen, plain, sizeof plain, &r), ==, ESP_E_ICV);
    g_assert_true(stats_equal(esp_sa_stats(rx), &want));
    g_assert_cmpuint(esp_sa_rx_highest(rx), ==, 0);
    g_assert_cmpint(deliver(rx, good, &r), ==, ESP_OK);
    g_bytes_unref(good);
    esp_sa_free(rx);

    uint32_t spi = 0;
    g_assert_cmpint(esp_peek_spi(buf, 7, &spi), ==, ESP_E_TRUNCATED);
    g_assert_cmpint(esp_peek_spi(buf, 8, &spi), ==, ESP_OK);
    g_assert_cmpuint(spi, ==, SPI_A);
    g_assert_cmpstr(esp_strerror(ESP_E_REPLAY), ==, "replayed sequence number");
}

/* ---------- the inner packet ---------- */

static void set_ip_checksum(uint8_t *ip)
{
    ip[10] = ip[11] = 0;
    uint16_t s = esp_inet_checksum(ip, 20);
    ip[10] = (uint8_t)(s >> 8);
    ip[11] = (uint8_t)s;
}

static void test_inner_build_parse(void)
{
    uint8_t pkt[BUF], want[64];
    esp_app_pkt a = APP, got;
    size_t tot = 0;
    g_assert_cmpint(esp_inner_build(&a, 51, pkt, sizeof pkt), ==, ESP_OK);
    g_assert_cmpmem(pkt, 51, want, unhex(INNER51, want, sizeof want)); /* the Python bytes */
    g_assert_cmpuint(pkt[0], ==, 0x45);
    g_assert_cmpuint(pkt[9], ==, 17);
    g_assert_cmpuint(esp_inet_checksum(pkt, 20), ==, 0);  /* header checksum verifies */
    g_assert_cmpuint(pkt[10] << 8 | pkt[11], ==, 0x26b5);
    g_assert_cmpuint(pkt[24] << 8 | pkt[25], ==, 31);     /* UDP length */
    g_assert_cmpint(esp_inner_parse(pkt, 51, &got, &tot), ==, ESP_OK);
    g_assert_cmpmem(&got, sizeof got, &a, sizeof a);
    g_assert_cmpuint(tot, ==, 51);

    /* RFC 1071 example: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2, checksum 220d */
    static const uint8_t ex[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    g_assert_cmpuint(esp_inet_checksum(ex, sizeof ex), ==, 0x220d);

    /* sizes */
    a.seq = 0x123456789abcull;
    a.sent_ns = UINT64_MAX - 1;
    a.flow = UINT32_MAX;
    static const size_t sizes[] = {ESP_INNER_MIN, 49, 1400, ESP_INNER_MAX};
    for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++) {
        memset(pkt, 0x77, sizes[i]);
        g_assert_cmpint(esp_inner_build(&a, sizes[i], pkt, sizeof pkt), ==, ESP_OK);
        g_assert_cmpuint(esp_inet_checksum(pkt, 20), ==, 0);
        g_assert_cmpint(esp_inner_parse(pkt, sizes[i], &got, &tot), ==, ESP_OK);
        g_assert_cmpmem(&got, sizeof got, &a, sizeof a);
        g_assert_cmpuint(tot, ==, sizes[i]);
        g_assert_cmpuint(pkt[4] << 8 | pkt[5], ==, 0x9abc); /* Identification */
        for (size_t k = ESP_INNER_MIN; k < sizes[i]; k++)
            g_assert_cmpuint(pkt[k], ==, 0);
    }
    g_assert_cmpint(esp_inner_build(&a, ESP_INNER_MIN - 1, pkt, sizeof pkt), ==, ESP_E_ARG);
    g_assert_cmpint(esp_inner_build(&a, ESP_INNER_MAX + 1, pkt, sizeof pkt), ==, ESP_E_ARG);
    g_assert_cmpint(esp_inner_build(&a, 100, pkt, 99), ==, ESP_E_SPACE);
    /* trailing octets after Total Length are ignored */
    g_assert_cmpint(esp_inner_build(&a, 60, pkt, sizeof pkt), ==, ESP_OK);
    g_assert_cmpint(esp_inner_parse(pkt, 64, &got, &tot), ==, ESP_OK);
    g_assert_cmpuint(tot, ==, 60);
}

static void test_inner_bad(void)
{
    uint8_t good[100], p[100];
    esp_app_pkt a = APP, got;
    g_assert_cmpint(esp_inner_build(&a, sizeof good, good, sizeof good), ==, ESP_OK);
#define RESET() memcpy(p, good, sizeof p)
    for (size_t n = 0; n < 20; n++)
        g_assert_cmpint(esp_inner_parse(good, n, &got, NULL), ==, ESP_E_TRUNCATED);
    g_assert_cmpint(esp_inner_parse(good, 99, &got, NULL), ==, ESP_E_TRUNCATED); /* < Total Length */
    RESET();
    p[0] = 0x65; set_ip_checksum(p);                    /* IPv6 version nibble */
    g_assert_cmpint(esp_inner_parse(p, 100, &got, NULL), ==, ESP_E_SYNTAX);
    RESET();
    p[0] = 0x44; set_ip_checksum(p);                    /* IHL 4 */
    g_assert_cmpint(esp_inner_parse(p, 100, &got, NULL), ==, ESP_E_SYNTAX);
    RESET();
    p[15] ^= 1;                                         /* source address, stale checksum */
    g_assert_cmpint(esp_inner_parse(p, 100, &got, NULL), ==, ESP_E_CHECKSUM);
    RESET();
    p[9] = 6; set_ip_checksum(p);                       /* TCP */
    g_assert_cmpint(esp_inner_parse(p, 100, &got, NULL), ==, ESP_E_SYNTAX);
    RESET();
    p[6] |= 0x20; set_ip_checksum(p);                   /* More Fragments */
    g_assert_cmpint(esp_inner_parse(p, 100, &got, NULL), ==, ESP_E_SYNTAX);
    RESET();
    p[7] = 1; set_ip_checksum(p);                       /* fragment offset */
    g_assert_cmpint(esp_inner_parse(p, 100, &got, NULL), ==, ESP_E_SYNTAX);
    RESET();
    p[2] = 0; p[3] = 19; set_ip_checksum(p);            /* Total Length below the header */
    g_assert_cmpint(esp_inner_parse(p, 100, &got, NULL), ==, ESP_E_BAD_LENGTH);
    RESET();
    p[2] = 0; p[3] = 25; set_ip_checksum(p);            /* no room for UDP */
    g_assert_cmpint(esp_inner_parse(p, 100, &got, NULL), ==, ESP_E_TRUNCATED);
    RESET();
    p[25] = 79;                                         /* UDP Length disagrees */
    g_assert_cmpint(esp_inner_parse(p, 100, &got, NULL), ==, ESP_E_BAD_LENGTH);
    RESET();
    p[2] = 0; p[3] = 40; set_ip_checksum(p); p[25] = 20; /* UDP fits, application header not */
    g_assert_cmpint(esp_inner_parse(p, 100, &got, NULL), ==, ESP_E_BAD_LENGTH);

    /* a non-zero UDP checksum is verified: right passes, wrong fails */
    RESET();
    uint8_t ps[12 + 80];
    memcpy(ps, p + 12, 8);
    ps[8] = 0; ps[9] = 17; ps[10] = 0; ps[11] = 80;
    memcpy(ps + 12, p + 20, 80);
    uint16_t cs = esp_inet_checksum(ps, sizeof ps);
    p[26] = (uint8_t)(cs >> 8);
    p[27] = (uint8_t)cs;
    g_assert_cmpint(esp_inner_parse(p, 100, &got, NULL), ==, ESP_OK);
    p[60] ^= 0x10;
    g_assert_cmpint(esp_inner_parse(p, 100, &got, NULL), ==, ESP_E_CHECKSUM);
#undef RESET
}

/* ---------- port 4500 (RFC 3948) ---------- */

static void test_udp_classify(void)
{
    esp_udp_kind kind;
    const uint8_t *body;
    size_t len;
    static const uint8_t ike[] = {0, 0, 0, 0, 0x11, 0x22, 0x33, 0x44, 0x55};
    g_assert_cmpint(esp_udp_classify(ike, sizeof ike, &kind, &body, &len), ==, ESP_OK);
    g_assert_cmpint(kind, ==, ESP_UDP_IKE);
    g_assert_true(body == ike + 4); /* marker stripped */
    g_assert_cmpuint(len, ==, 5);

    ike_child c = make_child(&GCM, 128, false);
    GBytes *b = pkt_at(&c, 1);
    gsize n;
    const uint8_t *esp = g_bytes_get_data(b, &n);
    g_assert_cmpint(esp_udp_classify(esp, n, &kind, &body, &len), ==, ESP_OK);
    g_assert_cmpint(kind, ==, ESP_UDP_ESP);
    g_assert_true(body == esp);
    g_assert_cmpuint(len, ==, n);
    g_bytes_unref(b);

    static const uint8_t one_spi_octet[] = {0, 0, 0, 1, 0, 0, 0, 1};
    g_assert_cmpint(esp_udp_classify(one_spi_octet, 8, &kind, &body, &len), ==, ESP_OK);
    g_assert_cmpint(kind, ==, ESP_UDP_ESP);

    static const uint8_t ka[] = {0xff};
    g_assert_cmpint(esp_udp_classify(ka, 1, &kind, &body, &len), ==, ESP_OK);
    g_assert_cmpint(kind, ==, ESP_UDP_KEEPALIVE);
    g_assert_cmpuint(len, ==, 0);

    static const uint8_t shorts[] = {0x12, 0x34, 0x56, 0x78, 0, 0, 0};
    for (size_t k = 0; k < 4; k++)
        if (!(k == 1 && shorts[0] == 0xff))
            g_assert_cmpint(esp_udp_classify(shorts, k, &kind, &body, &len), ==, ESP_E_TRUNCATED);
    g_assert_cmpint(esp_udp_classify(shorts, 7, &kind, &body, &len), ==, ESP_E_TRUNCATED);
    g_assert_cmpint(esp_udp_classify(ike, 3, &kind, &body, &len), ==, ESP_E_TRUNCATED);
    g_assert_cmpint(esp_udp_classify(ike, 4, &kind, &body, &len), ==, ESP_OK);
    g_assert_cmpint(kind, ==, ESP_UDP_IKE);
    g_assert_cmpuint(len, ==, 0);

    /* framing: marker | message, and back */
    uint8_t out[16];
    size_t on = 0;
    g_assert_cmpint(esp_udp_frame_ike(ike + 4, 5, out, sizeof out, &on), ==, ESP_OK);
    g_assert_cmpmem(out, on, ike, sizeof ike);
    g_assert_cmpint(esp_udp_classify(out, on, &kind, &body, &len), ==, ESP_OK);
    g_assert_cmpint(kind, ==, ESP_UDP_IKE);
    g_assert_cmpmem(body, len, ike + 4, 5);
    g_assert_cmpint(esp_udp_frame_ike(ike + 4, 5, out, 8, &on), ==, ESP_E_SPACE);
    g_assert_cmpint(esp_udp_frame_ike(ike + 4, 5, out, 3, &on), ==, ESP_E_SPACE);
    g_assert_cmpuint(ESP_NATT_PORT, ==, 4500);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/esp/layout/gcm-first-packet", test_layout_gcm);
    g_test_add_func("/esp/kat/gcm-esn", test_kat_gcm_esn);
    g_test_add_func("/esp/kat/cbc", test_kat_cbc);
    g_test_add_func("/esp/kat/cbc-esn", test_kat_cbc_esn);
    g_test_add_func("/esp/layout/padding", test_padding);
    g_test_add_func("/esp/roundtrip/gcm", test_roundtrip_gcm);
    g_test_add_func("/esp/roundtrip/gcm-esn", test_roundtrip_gcm_esn);
    g_test_add_func("/esp/roundtrip/cbc", test_roundtrip_cbc);
    g_test_add_func("/esp/roundtrip/cbc-esn", test_roundtrip_cbc_esn);
    g_test_add_func("/esp/roundtrip/ike-child", test_roundtrip_ike_child);
    g_test_add_func("/esp/roundtrip/determinism", test_determinism);
    g_test_add_func("/esp/replay/in-order", test_replay_in_order);
    g_test_add_func("/esp/replay/duplicate", test_replay_duplicate);
    g_test_add_func("/esp/replay/edges-64", test_replay_edges);
    g_test_add_func("/esp/replay/out-of-order", test_replay_out_of_order);
    g_test_add_func("/esp/replay/slide", test_replay_slide);
    g_test_add_func("/esp/replay/bad-icv-no-advance", test_replay_bad_icv_no_advance);
    g_test_add_func("/esp/replay/window-32", test_replay_window_32);
    g_test_add_func("/esp/replay/window-1024", test_replay_window_1024);
    g_test_add_func("/esp/replay/bitmap-model", test_replay_bitmap_model);
    g_test_add_func("/esp/replay/disabled", test_replay_disabled);
    g_test_add_func("/esp/replay/config", test_replay_window_config);
    g_test_add_func("/esp/esn/cases-a-b", test_esn_cases);
    g_test_add_func("/esp/esn/wrap", test_esn_wrap);
    g_test_add_func("/esp/esn/wrong-high-fails-icv", test_esn_wrong_high_fails_icv);
    g_test_add_func("/esp/seq/exhaustion-32", test_seq_exhaustion_32);
    g_test_add_func("/esp/seq/exhaustion-esn", test_seq_exhaustion_esn);
    g_test_add_func("/esp/seq/skip", test_seq_skip);
    g_test_add_func("/esp/bad-input", test_bad_input);
    g_test_add_func("/esp/inner/build-parse", test_inner_build_parse);
    g_test_add_func("/esp/inner/bad", test_inner_bad);
    g_test_add_func("/esp/udp/classify", test_udp_classify);
    return g_test_run();
}
