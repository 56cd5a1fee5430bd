/* IKEv2 cryptography: known answers from the RFCs and the GCM spec, the
 * structure of prf+ and the key split, DH agreement and peer-value checks,
 * and the SK payload's layout, sizes and integrity. */
#include <glib.h>
#include <string.h>

#include <openssl/bn.h>

#include "ike_cipher.h"
#include "ike_crypto.h"
#include "hex.h"

/* ---------- helpers ---------- */

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(seed + 7 * i + (i >> 3));
}

static gboolean typed_err(int rc)
{
    return rc <= IKE_E_TRUNCATED && rc >= IKE_E_UNKNOWN_SA;
}

static const ike_suite GCM128 = { IKE_ENCR_AES_GCM_16, 128, IKE_INTEG_NONE,
                                  IKE_PRF_HMAC_SHA2_256, IKE_DH_CURVE25519 };
static const ike_suite GCM256 = { IKE_ENCR_AES_GCM_16, 256, IKE_INTEG_NONE,
                                  IKE_PRF_HMAC_SHA2_256, IKE_DH_CURVE25519 };
static const ike_suite CBC128 = { IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA2_256_128,
                                  IKE_PRF_HMAC_SHA2_256, IKE_DH_MODP2048 };
static const ike_suite CBC256 = { IKE_ENCR_AES_CBC, 256, IKE_INTEG_HMAC_SHA2_256_128,
                                  IKE_PRF_HMAC_SHA2_256, IKE_DH_MODP2048 };

/* ---------- PRF ---------- */

static void test_prf_rfc4231(void)
{
    static const char case7[] =
        "This is a test using a larger than block-size key and a larger than block-size "
        "data. The key needs to be hashed before being used by the HMAC algorithm.";
    static const char case6[] = "Test Using Larger Than Block-Size Key - Hash Key First";
    uint8_t k1[20], k3[20], k4[25], k6[131], d3[50], d4[50];
    memset(k1, 0x0b, sizeof k1);
    memset(k3, 0xaa, sizeof k3);
    for (size_t i = 0; i < sizeof k4; i++)
        k4[i] = (uint8_t)(i + 1);
    memset(k6, 0xaa, sizeof k6);
    memset(d3, 0xdd, sizeof d3);
    memset(d4, 0xcd, sizeof d4);
    const struct {
        const uint8_t *key;
        size_t key_len;
        const void *data;
        size_t data_len;
        const char *mac;
    } cases[] = {
        { k1, 20, "Hi There", 8,
          "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
        { (const uint8_t *)"Jefe", 4, "what do ya want for nothing?", 28,
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
        { k3, 20, d3, 50, "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe" },
        { k4, 25, d4, 50, "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b" },
        { k6, 131, case6, sizeof case6 - 1,
          "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54" },
        { k6, 131, case7, sizeof case7 - 1,
          "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        uint8_t want[IKE_PRF_LEN], got[IKE_PRF_LEN];
        unhex(cases[i].mac, want, sizeof want);
        ike_iov seg = { cases[i].data, cases[i].data_len };
        g_assert_cmpint(ike_prf(cases[i].key, cases[i].key_len, &seg, 1, got), ==, IKE_OK);
        g_assert_cmpmem(got, sizeof got, want, sizeof want);
        /* Split into three segments (one empty), the answer is the same. */
        size_t h = cases[i].data_len / 2;
        const uint8_t *d = cases[i].data;
        ike_iov segs[3] = { { d, h }, { NULL, 0 }, { d + h, cases[i].data_len - h } };
        g_assert_cmpint(ike_prf(cases[i].key, cases[i].key_len, segs, 3, got), ==, IKE_OK);
        g_assert_cmpmem(got, sizeof got, want, sizeof want);
    }
}

static void test_prf_plus_structure(void)
{
    uint8_t k[IKE_PRF_LEN], s[40], out[80], t1[IKE_PRF_LEN], t2[IKE_PRF_LEN], t3[IKE_PRF_LEN];
    fill(k, sizeof k, 1);
    fill(s, sizeof s, 2);
    g_assert_cmpint(ike_prf_plus(k, sizeof k, s, sizeof s, out, sizeof out), ==, IKE_OK);

    uint8_t one = 1, two = 2, three = 3;
    ike_iov a[2] = { { s, sizeof s }, { &one, 1 } };
    g_assert_cmpint(ike_prf(k, sizeof k, a, 2, t1), ==, IKE_OK);
    ike_iov b[3] = { { t1, sizeof t1 }, { s, sizeof s }, { &two, 1 } };
    g_assert_cmpint(ike_prf(k, sizeof k, b, 3, t2), ==, IKE_OK);
    ike_iov c[3] = { { t2, sizeof t2 }, { s, sizeof s }, { &three, 1 } };
    g_assert_cmpint(ike_prf(k, sizeof k, c, 3, t3), ==, IKE_OK);
    g_assert_cmpmem(out, 32, t1, 32);
    g_assert_cmpmem(out + 32, 32, t2, 32);
    g_assert_cmpmem(out + 64, 16, t3, 16); /* a partial last block is its prefix */

    /* A shorter request is a prefix of a longer one. */
    uint8_t shorter[33];
    g_assert_cmpint(ike_prf_plus(k, sizeof k, s, sizeof s, shorter, sizeof shorter), ==, IKE_OK);
    g_assert_cmpmem(shorter, sizeof shorter, out, sizeof shorter);
}

static void test_prf_plus_limit(void)
{
    enum { MAX = 255 * IKE_PRF_LEN };
    uint8_t k[IKE_PRF_LEN], s[8];
    uint8_t *out = g_malloc(MAX + 1);
    fill(k, sizeof k, 3);
    fill(s, sizeof s, 4);
    g_assert_cmpint(ike_prf_plus(k, sizeof k, s, sizeof s, out, MAX), ==, IKE_OK);
    /* The 255th block uses counter 0xff and chains from block 254. */
    uint8_t ff = 0xff, t[IKE_PRF_LEN];
    ike_iov seg[3] = { { out + 253 * 32, 32 }, { s, sizeof s }, { &ff, 1 } };
    g_assert_cmpint(ike_prf(k, sizeof k, seg, 3, t), ==, IKE_OK);
    g_assert_cmpmem(out + 254 * 32, 32, t, 32);
    g_assert_cmpint(ike_prf_plus(k, sizeof k, s, sizeof s, out, MAX + 1), ==, IKE_E_SYNTAX);
    g_free(out);
}

/* ---------- Diffie-Hellman ---------- */

static void test_x25519_rfc7748(void)
{
    uint8_t a_priv[32], b_priv[32], a_pub[32], b_pub[32], k[32], got[32];
    unhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a", a_priv, 32);
    unhex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", a_pub, 32);
    unhex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb", b_priv, 32);
    unhex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f", b_pub, 32);
    unhex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742", k, 32);

    ike_dh *a, *b;
    g_assert_cmpuint(ike_dh_ke_len(IKE_DH_CURVE25519), ==, 32);
    g_assert_cmpint(ike_dh_new(IKE_DH_CURVE25519, a_priv, &a), ==, IKE_OK);
    g_assert_cmpint(ike_dh_new(IKE_DH_CURVE25519, b_priv, &b), ==, IKE_OK);
    g_assert_cmpint(ike_dh_public(a, got, 32), ==, IKE_OK);
    g_assert_cmpmem(got, 32, a_pub, 32);
    g_assert_cmpint(ike_dh_public(b, got, 32), ==, IKE_OK);
    g_assert_cmpmem(got, 32, b_pub, 32);

    size_t n = 0;
    g_assert_cmpint(ike_dh_shared(a, b_pub, 32, got, sizeof got, &n), ==, IKE_OK);
    g_assert_cmpuint(n, ==, 32);
    g_assert_cmpmem(got, 32, k, 32);
    memset(got, 0, sizeof got);
    g_assert_cmpint(ike_dh_shared(b, a_pub, 32, got, sizeof got, &n), ==, IKE_OK);
    g_assert_cmpmem(got, 32, k, 32);

    /* RFC 7748 §5: the top bit of the u-coordinate is masked. */
    b_pub[31] |= 0x80;
    memset(got, 0, sizeof got);
    g_assert_cmpint(ike_dh_shared(a, b_pub, 32, got, sizeof got, &n), ==, IKE_OK);
    g_assert_cmpmem(got, 32, k, 32);
    ike_dh_free(a);
    ike_dh_free(b);
}

static void test_x25519_bad_peer(void)
{
    uint8_t r[IKE_DH_PRIV_RAND], peer[33] = { 0 }, out[64];
    size_t n = 0;
    fill(r, sizeof r, 5);
    ike_dh *dh;
    g_assert_cmpint(ike_dh_new(IKE_DH_CURVE25519, r, &dh), ==, IKE_OK);
    g_assert_cmpint(ike_dh_shared(dh, peer, 31, out, sizeof out, &n), ==, IKE_E_SYNTAX);
    g_assert_cmpint(ike_dh_shared(dh, peer, 33, out, sizeof out, &n), ==, IKE_E_SYNTAX);
    /* u = 0 and u = 1 are low-order points: the result would be all zero. */
    g_assert_cmpint(ike_dh_shared(dh, peer, 32, out, sizeof out, &n), ==, IKE_E_CRYPTO);
    peer[0] = 1;
    g_assert_cmpint(ike_dh_shared(dh, peer, 32, out, sizeof out, &n), ==, IKE_E_CRYPTO);
    peer[0] = 9; /* the base point is a fine peer value */
    g_assert_cmpint(ike_dh_shared(dh, peer, 32, out, 31, &n), ==, IKE_E_SPACE);
    g_assert_cmpint(ike_dh_shared(dh, peer, 32, out, 32, &n), ==, IKE_OK);
    g_assert_cmpint(ike_dh_public(dh, out, 31), ==, IKE_E_SPACE);
    ike_dh_free(dh);
}

/* g^x mod p and y^x mod p computed with BIGNUM directly, x being the caller's
 * octets with the top bit set (the documented private-key rule). */
static void modp_expect(const uint8_t r[32], const uint8_t *base, size_t base_len,
                        uint8_t out[256])
{
    uint8_t xo[32];
    memcpy(xo, r, 32);
    xo[0] |= 0x80;
    BIGNUM *x = BN_bin2bn(xo, 32, NULL), *y = BN_new();
    BIGNUM *b = base ? BN_bin2bn(base, (int)base_len, NULL) : BN_new();
    BIGNUM *p = BN_get_rfc3526_prime_2048(NULL);
    BN_CTX *bc = BN_CTX_new();
    if (!base)
        BN_set_word(b, 2);
    g_assert_true(BN_mod_exp(y, b, x, p, bc) == 1);
    g_assert_cmpint(BN_bn2binpad(y, out, 256), ==, 256);
    BN_free(x);
    BN_free(y);
    BN_free(b);
    BN_free(p);
    BN_CTX_free(bc);
}

static void test_modp_agree(void)
{
    uint8_t ra[32], rb[32], pa[256], pb[256], ka[256], kb[256], want[256];
    size_t na = 0, nb = 0;
    fill(ra, 32, 10);
    fill(rb, 32, 20);
    ike_dh *a, *b;
    g_assert_cmpuint(ike_dh_ke_len(IKE_DH_MODP2048), ==, 256);
    g_assert_cmpint(ike_dh_new(IKE_DH_MODP2048, ra, &a), ==, IKE_OK);
    g_assert_cmpint(ike_dh_new(IKE_DH_MODP2048, rb, &b), ==, IKE_OK);
    g_assert_cmpint(ike_dh_public(a, pa, sizeof pa), ==, IKE_OK);
    g_assert_cmpint(ike_dh_public(b, pb, sizeof pb), ==, IKE_OK);
    modp_expect(ra, NULL, 0, want);
    g_assert_cmpmem(pa, 256, want, 256);

    g_assert_cmpint(ike_dh_shared(a, pb, 256, ka, sizeof ka, &na), ==, IKE_OK);
    g_assert_cmpint(ike_dh_shared(b, pa, 256, kb, sizeof kb, &nb), ==, IKE_OK);
    g_assert_cmpuint(na, ==, 256);
    g_assert_cmpuint(nb, ==, 256);
    g_assert_cmpmem(ka, 256, kb, 256);
    modp_expect(ra, pb, 256, want);
    g_assert_cmpmem(ka, 256, want, 256);

    /* An all-zero caller value still yields a usable (nonzero) exponent. */
    uint8_t z[32] = { 0 };
    ike_dh *c;
    g_assert_cmpint(ike_dh_new(IKE_DH_MODP2048, z, &c), ==, IKE_OK);
    g_assert_cmpint(ike_dh_shared(c, pa, 256, kb, sizeof kb, &nb), ==, IKE_OK);
    g_assert_cmpint(ike_dh_shared(a, pb, 256, ka, 255, &na), ==, IKE_E_SPACE);
    ike_dh_free(a);
    ike_dh_free(b);
    ike_dh_free(c);
}

/* g^ir keeps its leading zero octets: find a pair whose secret starts with
 * 0x00 (about 1 in 256) and compare with the padded BIGNUM result. */
static void test_modp_padding(void)
{
    uint8_t ra[32], rb[32], pb[256], k[256], want[256];
    size_t n = 0;
    fill(ra, 32, 30);
    ike_dh *a;
    g_assert_cmpint(ike_dh_new(IKE_DH_MODP2048, ra, &a), ==, IKE_OK);
    gboolean found = FALSE;
    for (unsigned i = 0; i < 4096 && !found; i++) {
        fill(rb, 32, 40);
        rb[30] = (uint8_t)(i >> 8);
        rb[31] = (uint8_t)i;
        ike_dh *b;
        g_assert_cmpint(ike_dh_new(IKE_DH_MODP2048, rb, &b), ==, IKE_OK);
        g_assert_cmpint(ike_dh_public(b, pb, sizeof pb), ==, IKE_OK);
        ike_dh_free(b);
        g_assert_cmpint(ike_dh_shared(a, pb, 256, k, sizeof k, &n), ==, IKE_OK);
        g_assert_cmpuint(n, ==, 256);
        found = k[0] == 0;
    }
    g_assert_true(found);
    modp_expect(ra, pb, 256, want);
    g_assert_cmpmem(k, 256, want, 256);
    ike_dh_free(a);
}

static void test_modp_bad_peer(void)
{
    uint8_t r[32], v[257], out[256];
    size_t n = 0;
    fill(r, 32, 50);
    ike_dh *dh;
    g_assert_cmpint(ike_dh_new(IKE_DH_MODP2048, r, &dh), ==, IKE_OK);
    BIGNUM *p = BN_get_rfc3526_prime_2048(NULL);

    memset(v, 0, sizeof v); /* 0 */
    g_assert_cmpint(ike_dh_shared(dh, v, 256, out, sizeof out, &n), ==, IKE_E_CRYPTO);
    v[255] = 1; /* 1 */
    g_assert_cmpint(ike_dh_shared(dh, v, 256, out, sizeof out, &n), ==, IKE_E_CRYPTO);
    v[255] = 2; /* 2 = g is a legitimate value */
    g_assert_cmpint(ike_dh_shared(dh, v, 256, out, sizeof out, &n), ==, IKE_OK);
    BN_sub_word(p, 1); /* p - 1 */
    g_assert_cmpint(BN_bn2binpad(p, v, 256), ==, 256);
    g_assert_cmpint(ike_dh_shared(dh, v, 256, out, sizeof out, &n), ==, IKE_E_CRYPTO);
    BN_add_word(p, 1); /* p */
    g_assert_cmpint(BN_bn2binpad(p, v, 256), ==, 256);
    g_assert_cmpint(ike_dh_shared(dh, v, 256, out, sizeof out, &n), ==, IKE_E_CRYPTO);
    BN_sub_word(p, 2); /* p - 2 is in range */
    g_assert_cmpint(BN_bn2binpad(p, v, 256), ==, 256);
    g_assert_cmpint(ike_dh_shared(dh, v, 256, out, sizeof out, &n), ==, IKE_OK);
    memset(v, 0xff, sizeof v); /* 2^2048 - 1 > p */
    g_assert_cmpint(ike_dh_shared(dh, v, 256, out, sizeof out, &n), ==, IKE_E_CRYPTO);

    v[0] = 0x12;
    g_assert_cmpint(ike_dh_shared(dh, v, 255, out, sizeof out, &n), ==, IKE_E_SYNTAX);
    g_assert_cmpint(ike_dh_shared(dh, v, 257, out, sizeof out, &n), ==, IKE_E_SYNTAX);
    g_assert_cmpint(ike_dh_shared(dh, v, 32, out, sizeof out, &n), ==, IKE_E_SYNTAX);
    BN_free(p);
    ike_dh_free(dh);
}

static void test_dh_unsupported(void)
{
    uint8_t r[32] = { 1 };
    ike_dh *dh = (ike_dh *)&r; /* must be overwritten with NULL */
    g_assert_cmpint(ike_dh_new(17, r, &dh), ==, IKE_E_UNSUPPORTED); /* MODP-6144 */
    g_assert_null(dh);
    g_assert_cmpint(ike_dh_new(0, r, &dh), ==, IKE_E_UNSUPPORTED);
    g_assert_cmpuint(ike_dh_ke_len(17), ==, 0);
    g_assert_cmpuint(ike_dh_ke_len(22), ==, 0);
    g_assert_cmpuint(ike_dh_priv_len(22), ==, 0);
    ike_dh_free(NULL);
}

/* ---------- suites and keys ---------- */

static void test_suite_lengths(void)
{
    const struct {
        ike_suite s;
        size_t encr, integ, iv, icv;
    } ok[] = {
        { GCM128, 20, 0, 8, 16 },
        { { IKE_ENCR_AES_GCM_16, 192, 0, 5, 14 }, 28, 0, 8, 16 },
        { GCM256, 36, 0, 8, 16 },
        { CBC128, 16, 32, 16, 16 },
        { { IKE_ENCR_AES_CBC, 192, 12, 5, 31 }, 24, 32, 16, 16 },
        { CBC256, 32, 32, 16, 16 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(ok); i++) {
        g_assert_cmpint(ike_suite_check(&ok[i].s), ==, IKE_OK);
        g_assert_cmpuint(ike_encr_key_len(&ok[i].s), ==, ok[i].encr);
        g_assert_cmpuint(ike_integ_key_len(&ok[i].s), ==, ok[i].integ);
        g_assert_cmpuint(ike_iv_len(&ok[i].s), ==, ok[i].iv);
        g_assert_cmpuint(ike_icv_len(&ok[i].s), ==, ok[i].icv);
    }
    const ike_suite bad[] = {
        { IKE_ENCR_AES_GCM_16, 128, IKE_INTEG_HMAC_SHA2_256_128, 5, 31 }, /* AEAD + INTEG */
        { IKE_ENCR_AES_CBC, 128, IKE_INTEG_NONE, 5, 31 },                 /* CBC needs INTEG */
        { IKE_ENCR_AES_CBC, 0, 12, 5, 31 },
        { IKE_ENCR_AES_GCM_16, 512, 0, 5, 31 },
        { 23, 128, 0, 5, 31 },                                             /* Camellia-CBC */
        { IKE_ENCR_AES_GCM_16, 128, 0, 4, 31 },                            /* PRF AES-XCBC */
        { IKE_ENCR_AES_GCM_16, 128, 0, 5, 17 },                            /* MODP-6144 */
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
        g_assert_cmpint(ike_suite_check(&bad[i]), ==, IKE_E_UNSUPPORTED);
    g_assert_cmpuint(ike_encr_key_len(&bad[0]), ==, 0);
    g_assert_cmpuint(ike_iv_len(&bad[1]), ==, 0);
}

/* Derives with the suite and checks the split against one prf+ call
 * computed from ike_prf / ike_prf_plus by hand. */
static void check_split(const ike_suite *s, size_t total, size_t il, size_t el)
{
    uint8_t ni[32], nr[48], gir[256], key[80], seed[80 + 16], skeyseed[32], km[256];
    fill(ni, sizeof ni, 60);
    fill(nr, sizeof nr, 70);
    fill(gir, sizeof gir, 80);
    const uint64_t spi_i = 0x0102030405060708u, spi_r = 0xf1e2d3c4b5a69788u;
    ike_keys k;
    memset(&k, 0xee, sizeof k);
    g_assert_cmpint(ike_derive_keys(s, ni, sizeof ni, nr, sizeof nr, gir, sizeof gir, spi_i,
                                    spi_r, &k), ==, IKE_OK);
    g_assert_cmpuint(k.integ_len, ==, il);
    g_assert_cmpuint(k.encr_len, ==, el);
    g_assert_cmpuint(32 + 2 * il + 2 * el + 64, ==, total);

    memcpy(key, ni, sizeof ni);
    memcpy(key + sizeof ni, nr, sizeof nr);
    ike_iov g = { gir, sizeof gir };
    g_assert_cmpint(ike_prf(key, sizeof ni + sizeof nr, &g, 1, skeyseed), ==, IKE_OK);
    memcpy(seed, key, 80);
    static const uint8_t spis[16] = { 1, 2, 3, 4, 5, 6, 7, 8, /* big-endian */
                                      0xf1, 0xe2, 0xd3, 0xc4, 0xb5, 0xa6, 0x97, 0x88 };
    memcpy(seed + 80, spis, 16);
    g_assert_cmpint(ike_prf_plus(skeyseed, 32, seed, sizeof seed, km, total), ==, IKE_OK);

    /* SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr, in that order. */
    const struct {
        const uint8_t *key;
        size_t len;
    } parts[] = { { k.d, 32 }, { k.ai, il }, { k.ar, il }, { k.ei, el },
                  { k.er, el }, { k.pi, 32 }, { k.pr, 32 } };
    const uint8_t *p = km;
    for (size_t i = 0; i < G_N_ELEMENTS(parts); i++) {
        g_assert_cmpmem(parts[i].key, parts[i].len, p, parts[i].len);
        p += parts[i].len;
    }
    g_assert_cmpuint((size_t)(p - km), ==, total);
}

static void test_keys_gcm256(void)
{
    check_split(&GCM256, 168, 0, 36);
}

static void test_keys_cbc128(void)
{
    check_split(&CBC128, 192, 32, 16);
}

static void test_keys_rejects(void)
{
    uint8_t n[257] = { 0 }, gir[32] = { 0 };
    ike_keys k;
    const ike_suite camellia = { 23, 128, 0, 5, 31 };
    g_assert_cmpint(ike_derive_keys(&camellia, n, 32, n, 32, gir, 32, 1, 2, &k), ==,
                    IKE_E_UNSUPPORTED);
    g_assert_cmpint(ike_derive_keys(&GCM128, n, 257, n, 32, gir, 32, 1, 2, &k), ==,
                    IKE_E_SYNTAX);
    g_assert_cmpint(ike_derive_keys(&GCM128, n, 256, n, 256, gir, 32, 1, 2, &k), ==, IKE_OK);
}

static void test_child_keymat(void)
{
    uint8_t skd[32], ni[32], nr[32], seed[64], got[2 * (32 + 16 + 32)], want[sizeof got];
    fill(skd, 32, 90);
    fill(ni, 32, 91);
    fill(nr, 32, 92);
    memcpy(seed, ni, 32);
    memcpy(seed + 32, nr, 32);
    g_assert_cmpint(ike_child_keymat(IKE_PRF_HMAC_SHA2_256, skd, ni, 32, nr, 32, got, sizeof got), ==, IKE_OK);
    g_assert_cmpint(ike_prf_plus(skd, 32, seed, 64, want, sizeof want), ==, IKE_OK);
    g_assert_cmpmem(got, sizeof got, want, sizeof want);
    /* Order matters: Ni | Nr, not Nr | Ni. */
    g_assert_cmpint(ike_child_keymat(IKE_PRF_HMAC_SHA2_256, skd, nr, 32, ni, 32, want, sizeof want), ==, IKE_OK);
    g_assert_true(memcmp(got, want, sizeof got) != 0);
    g_assert_cmpint(ike_child_keymat(IKE_PRF_HMAC_SHA2_256, skd, ni, 32, nr, 32, got, 255 * 32 + 1), ==, IKE_E_SYNTAX);
}

static void test_psk_auth(void)
{
    static const char psk[] = "interop-test-psk-0123456789";
    uint8_t msg[300], nonce[32], skp[32], id[4 + 14], got[32], want[32];
    fill(msg, sizeof msg, 100);
    fill(nonce, sizeof nonce, 101);
    fill(skp, sizeof skp, 102);
    id[0] = IKE_ID_FQDN;
    id[1] = id[2] = id[3] = 0;
    memcpy(id + 4, "initiator@test", 14);
    g_assert_cmpint(ike_psk_auth(IKE_PRF_HMAC_SHA2_256, (const uint8_t *)psk, strlen(psk), msg, sizeof msg, nonce,
                                 sizeof nonce, skp, id, sizeof id, got), ==, IKE_OK);

    /* By hand: prf(prf(PSK, "Key Pad for IKEv2"), msg | nonce | prf(SK_p, id)). */
    static const uint8_t pad[17] = { 'K', 'e', 'y', ' ', 'P', 'a', 'd', ' ', 'f',
                                     'o', 'r', ' ', 'I', 'K', 'E', 'v', '2' };
    uint8_t kpad[32], idm[32];
    ike_iov s1 = { pad, sizeof pad }, s2 = { id, sizeof id };
    g_assert_cmpint(ike_prf((const uint8_t *)psk, strlen(psk), &s1, 1, kpad), ==, IKE_OK);
    g_assert_cmpint(ike_prf(skp, 32, &s2, 1, idm), ==, IKE_OK);
    ike_iov s3[3] = { { msg, sizeof msg }, { nonce, sizeof nonce }, { idm, 32 } };
    g_assert_cmpint(ike_prf(kpad, 32, s3, 3, want), ==, IKE_OK);
    g_assert_cmpmem(got, 32, want, 32);

    /* With a NUL after the pad string the answer would differ. */
    uint8_t padnul[18];
    memcpy(padnul, pad, 17);
    padnul[17] = 0;
    ike_iov s4 = { padnul, sizeof padnul };
    g_assert_cmpint(ike_prf((const uint8_t *)psk, strlen(psk), &s4, 1, kpad), ==, IKE_OK);
    g_assert_cmpint(ike_prf(kpad, 32, s3, 3, want), ==, IKE_OK);
    g_assert_true(memcmp(got, want, 32) != 0);
}

static void test_ct_equal(void)
{
    uint8_t a[16], b[16];
    fill(a, 16, 1);
    memcpy(b, a, 16);
    g_assert_cmpint(ike_ct_equal(a, b, 16), ==, 1);
    g_assert_cmpint(ike_ct_equal(a, b, 0), ==, 1);
    for (size_t i = 0; i < 16; i++) {
        b[i] ^= 0x01;
        g_assert_cmpint(ike_ct_equal(a, b, 16), ==, 0);
        b[i] ^= 0x01;
    }
}

/* ---------- cipher known answers ---------- */

/* McGrew & Viega, "The Galois/Counter Mode of Operation", test cases 4
 * (AES-128) and 16 (AES-256): 96-bit IV, 20 octets of AAD, 60 of text.
 * The IV splits as IKE does: salt cafebabe | IV facedbaddecaf888. */
static void test_gcm_kat(void)
{
    static const char *P = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
                           "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";
    static const char *A = "feedfacedeadbeeffeedfacedeadbeefabaddad2";
    static const char *IV = "cafebabefacedbaddecaf888";
    const struct {
        const char *k, *c, *t;
    } cases[] = {
        { "feffe9928665731c6d6a8f9467308308",
          "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
          "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
          "5bc94fbc3221a5db94fae95ae7121a47" },
        { "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
          "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
          "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
          "76fc6ece0f4e1768cddf8853bb2d551b" },
    };
    uint8_t p[60], a[20], iv[12];
    unhex(P, p, sizeof p);
    unhex(A, a, sizeof a);
    unhex(IV, iv, sizeof iv);
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        uint8_t k[32], c[60], t[16], out[60], tag[16];
        size_t kl = unhex(cases[i].k, k, sizeof k);
        unhex(cases[i].c, c, sizeof c);
        unhex(cases[i].t, t, sizeof t);
        g_assert_cmpint(ike_gcm_seal(k, kl, iv, a, sizeof a, p, sizeof p, out, tag), ==, IKE_OK);
        g_assert_cmpmem(out, 60, c, 60);
        g_assert_cmpmem(tag, 16, t, 16);
        g_assert_cmpint(ike_gcm_open(k, kl, iv, a, sizeof a, c, sizeof c, t, out), ==, IKE_OK);
        g_assert_cmpmem(out, 60, p, 60);
        /* A wrong tag or AAD is refused and no plaintext is left. */
        t[15] ^= 1;
        g_assert_cmpint(ike_gcm_open(k, kl, iv, a, sizeof a, c, sizeof c, t, out), ==, IKE_E_ICV);
        static const uint8_t zero[60];
        g_assert_cmpmem(out, 60, zero, 60);
        t[15] ^= 1;
        a[0] ^= 1;
        g_assert_cmpint(ike_gcm_open(k, kl, iv, a, sizeof a, c, sizeof c, t, out), ==, IKE_E_ICV);
        a[0] ^= 1;
    }
    uint8_t k[20] = { 0 }, tag[16];
    g_assert_cmpint(ike_gcm_seal(k, 20, iv, a, 0, p, 16, p, tag), ==, IKE_E_UNSUPPORTED);
}

/* RFC 3602 §4 test cases 1 and 2 (AES-128-CBC). */
static void test_cbc_kat(void)
{
    const struct {
        const char *k, *iv, *p, *c;
    } cases[] = {
        { "06a9214036b8a15b512e03d534120006", "3dafba429d9eb430b422da802c9fac41",
          "53696e676c6520626c6f636b206d7367", /* "Single block msg" */
          "e353779c1079aeb82708942dbe77181a" },
        { "c286696d887c9aa0611bbb3e2025a45a", "562e17996d093d28ddb3ba695a2e6f58",
          "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
          "d296cd94c2cccf8a3a863028b5e1dc0a7586602d253cfff91b8266bea6d61ab1" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        uint8_t k[16], iv[16], p[32], c[32], out[32];
        unhex(cases[i].k, k, sizeof k);
        unhex(cases[i].iv, iv, sizeof iv);
        size_t n = unhex(cases[i].p, p, sizeof p);
        unhex(cases[i].c, c, sizeof c);
        g_assert_cmpint(ike_cbc_encrypt(k, 16, iv, p, n, out), ==, IKE_OK);
        g_assert_cmpmem(out, n, c, n);
        g_assert_cmpint(ike_cbc_decrypt(k, 16, iv, c, n, out), ==, IKE_OK);
        g_assert_cmpmem(out, n, p, n);
        g_assert_cmpint(ike_cbc_encrypt(k, 16, iv, p, n - 1, out), ==, IKE_E_BAD_LENGTH);
        g_assert_cmpint(ike_cbc_encrypt(k, 15, iv, p, n, out), ==, IKE_E_UNSUPPORTED);
    }
}

/* ---------- SK payload ---------- */

typedef struct keyset {
    uint8_t e[IKE_MAX_KEY], a[IKE_PRF_LEN];
} keyset;

static keyset keys_for(uint8_t seed)
{
    keyset k;
    fill(k.e, sizeof k.e, seed);
    fill(k.a, sizeof k.a, (uint8_t)(seed + 1));
    return k;
}

static const ike_hdr HDR = {
    .spi_i = 0x1122334455667788u, .spi_r = 0x99aabbccddeeff00u, .version = IKE_VERSION,
    .exchange = IKE_INFORMATIONAL, .flags = IKE_FLAG_I, .msg_id = 7,
};

static const uint8_t IV16[16] = { 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
                                  0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf };

static size_t seal(const ike_suite *s, const keyset *k, const ike_payload *pl, size_t n,
                   uint8_t *out, size_t cap)
{
    size_t len = 0;
    g_assert_cmpint(ike_sk_seal(s, k->e, k->a, &HDR, pl, n, IV16, out, cap, &len), ==, IKE_OK);
    return len;
}

/* Parses and opens; returns ike_sk_open's result, or ike_parse's if that failed. */
static int parse_open(const ike_suite *s, const keyset *k, const uint8_t *msg, size_t len,
                      ike_msg *m, uint8_t *plain, size_t plain_cap, gboolean *parsed)
{
    int rc = ike_parse(msg, len, m);
    *parsed = rc == IKE_OK;
    if (rc != IKE_OK)
        return rc;
    return ike_sk_open(s, k->e, k->a, msg, len, m, plain, plain_cap);
}

static const ike_suite *const SUITES[] = { &GCM128, &GCM256, &CBC128, &CBC256 };

static void test_sk_roundtrip(void)
{
    static const uint8_t token[32] = { 0x51, 0x43, 0x44 };
    uint8_t nonce[32], vend[40];
    fill(nonce, sizeof nonce, 7);
    fill(vend, sizeof vend, 8);
    for (size_t si = 0; si < G_N_ELEMENTS(SUITES); si++) {
        const ike_suite *s = SUITES[si];
        keyset k = keys_for((uint8_t)(11 * si));
        /* Vendor IDs of every length 0..17 give every CBC padding length. */
        for (size_t vlen = 0; vlen <= 18; vlen++) {
            ike_payload pl[4];
            size_t n = 0;
            if (vlen == 18) {
                n = 0; /* the empty liveness message */
            } else {
                pl[n++] = ike_pl_notify(IKE_PROTO_NONE, IKE_N_QCD_TOKEN, token, sizeof token);
                if (vlen % 2)
                    pl[n++] = ike_pl_bytes(IKE_PL_NONCE, nonce, sizeof nonce);
                pl[n++] = ike_pl_bytes(IKE_PL_VENDOR, vend, vlen);
                if (vlen % 3 == 0)
                    pl[n++] = ike_pl_notify(IKE_PROTO_NONE, IKE_N_INITIAL_CONTACT, NULL, 0);
            }
            uint8_t msg[512], plain[512], enc_in[512], enc_out[512];
            size_t len = seal(s, &k, pl, n, msg, sizeof msg);
            size_t in_len = 0;
            g_assert_cmpint(ike_encode_chain(pl, n, enc_in, sizeof enc_in, &in_len), ==, IKE_OK);
            size_t ct = in_len + 1;
            if (s->encr == IKE_ENCR_AES_CBC)
                ct = (ct + 15) / 16 * 16;
            g_assert_cmpuint(len, ==, 32 + ike_iv_len(s) + ct + 16);

            ike_msg m;
            gboolean parsed;
            g_assert_cmpint(parse_open(s, &k, msg, len, &m, plain, sizeof plain, &parsed), ==,
                            IKE_OK);
            g_assert_cmpuint(m.hdr.spi_i, ==, HDR.spi_i);
            g_assert_cmpuint(m.hdr.spi_r, ==, HDR.spi_r);
            g_assert_cmpuint(m.hdr.msg_id, ==, 7);
            g_assert_cmpuint(m.hdr.next_payload, ==, IKE_PL_SK);
            g_assert_cmpuint(m.hdr.length, ==, len);
            g_assert_cmpuint(m.n, ==, 1 + n);
            g_assert_cmpuint(m.pl[0].next, ==, n ? pl[0].type : 0);
            for (size_t i = 0; i < n; i++)
                g_assert_cmpuint(m.pl[1 + i].type, ==, pl[i].type);
            size_t out_len = 0;
            g_assert_cmpint(ike_encode_chain(m.pl + 1, n, enc_out, sizeof enc_out, &out_len), ==,
                            IKE_OK);
            g_assert_cmpmem(enc_out, out_len, enc_in, in_len);
            const ike_payload *q = ike_find_notify(&m, IKE_N_QCD_TOKEN);
            if (n > 0) {
                g_assert_nonnull(q);
                g_assert_cmpmem(q->u.notify.data.p, q->u.notify.data.len, token, sizeof token);
            }
        }
    }
}

static void test_sk_liveness_size(void)
{
    const struct {
        const ike_suite *s;
        size_t len;
    } cases[] = { { &GCM128, 57 }, { &GCM256, 57 }, { &CBC128, 80 }, { &CBC256, 80 } };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        keyset k = keys_for(3);
        uint8_t msg[128];
        size_t len = seal(cases[i].s, &k, NULL, 0, msg, sizeof msg);
        g_assert_cmpuint(len, ==, cases[i].len);
        g_assert_cmpuint((size_t)msg[24] << 24 | msg[25] << 16 | msg[26] << 8 | msg[27], ==,
                         len);
        g_assert_cmpuint(msg[16], ==, IKE_PL_SK);
        g_assert_cmpuint(msg[28], ==, IKE_PL_NONE);
        g_assert_cmpuint((size_t)msg[30] << 8 | msg[31], ==, len - 28);
        g_assert_cmpmem(msg + 32, ike_iv_len(cases[i].s), IV16, ike_iv_len(cases[i].s));
    }
}

/* The GCM layout checked with the bare cipher: nonce = last 4 octets of SK_e
 * | IV, AAD = the 32 octets before the IV, no padding. */
static void test_sk_gcm_layout(void)
{
    keyset k = keys_for(21);
    ike_payload pl = ike_pl_notify(IKE_PROTO_NONE, IKE_N_INITIAL_CONTACT, NULL, 0);
    uint8_t msg[128], plain[64], want[64], nonce[12];
    size_t len = seal(&GCM256, &k, &pl, 1, msg, sizeof msg);
    size_t ct = len - 32 - 8 - 16;
    g_assert_cmpuint(ct, ==, 8 + 1); /* N(INITIAL_CONTACT) is 8 octets, plus pad length */
    memcpy(nonce, k.e + 32, 4);
    memcpy(nonce + 4, IV16, 8);
    g_assert_cmpint(ike_gcm_open(k.e, 32, nonce, msg, 32, msg + 40, ct, msg + 40 + ct, plain),
                    ==, IKE_OK);
    size_t n = 0;
    g_assert_cmpint(ike_encode_chain(&pl, 1, want, sizeof want, &n), ==, IKE_OK);
    want[n] = 0; /* Pad Length */
    g_assert_cmpmem(plain, ct, want, n + 1);
}

/* The CBC layout checked by hand: ICV = HMAC-SHA-256(SK_a, header .. end of
 * ciphertext) cut to 16, the header Length already counting the ICV. */
static void test_sk_cbc_layout(void)
{
    keyset k = keys_for(22);
    ike_payload pl = ike_pl_notify(IKE_PROTO_NONE, IKE_N_INITIAL_CONTACT, NULL, 0);
    uint8_t msg[128], plain[64], mac[32];
    size_t len = seal(&CBC128, &k, &pl, 1, msg, sizeof msg);
    g_assert_cmpuint(len, ==, 28 + 4 + 16 + 16 + 16);
    ike_iov seg = { msg, len - 16 };
    g_assert_cmpint(ike_prf(k.a, 32, &seg, 1, mac), ==, IKE_OK);
    g_assert_cmpmem(msg + len - 16, 16, mac, 16);
    g_assert_cmpint(ike_cbc_decrypt(k.e, 16, msg + 32, msg + 48, 16, plain), ==, IKE_OK);
    g_assert_cmpuint(plain[15], ==, 16 - 8 - 1); /* 7 octets of padding */
    g_assert_cmpuint(plain[0], ==, IKE_PL_NONE);
    g_assert_cmpuint(plain[3], ==, 8);
}

static void test_sk_tamper(void)
{
    static const uint8_t flips[] = { 0x01, 0x80, 0xff };
    for (size_t si = 0; si < G_N_ELEMENTS(SUITES); si++) {
        const ike_suite *s = SUITES[si];
        keyset k = keys_for(31);
        ike_payload pl[2] = {
            ike_pl_notify(IKE_PROTO_NONE, IKE_N_INITIAL_CONTACT, NULL, 0),
            ike_pl_notify(IKE_PROTO_NONE, IKE_N_SET_WINDOW_SIZE, (const uint8_t *)"\0\0\0\4", 4),
        };
        for (size_t n = 0; n <= 2; n += 2) {
            uint8_t msg[256], plain[256];
            size_t len = seal(s, &k, pl, n, msg, sizeof msg);
            size_t iv_end = 32 + ike_iv_len(s);
            for (size_t at = 0; at < len; at++) {
                for (size_t f = 0; f < G_N_ELEMENTS(flips); f++) {
                    msg[at] ^= flips[f];
                    ike_msg m;
                    gboolean parsed;
                    int rc = parse_open(s, &k, msg, len, &m, plain, sizeof plain, &parsed);
                    g_assert_true(typed_err(rc));
                    if (parsed)
                        g_assert_cmpuint(m.n, ==, 1);
                    /* SPIs, exchange, flags, Message ID, SK Next Payload, IV,
                     * ciphertext and ICV are covered only by the ICV. */
                    gboolean icv_only = at < 16 || (at >= 18 && at < 24) || at == 28 ||
                                        at >= iv_end;
                    if (icv_only) {
                        g_assert_true(parsed);
                        g_assert_cmpint(rc, ==, IKE_E_ICV);
                    }
                    msg[at] ^= flips[f];
                }
            }
            ike_msg m;
            gboolean parsed;
            g_assert_cmpint(parse_open(s, &k, msg, len, &m, plain, sizeof plain, &parsed), ==,
                            IKE_OK);
        }
    }
}

static void test_sk_wrong_key(void)
{
    for (size_t si = 0; si < G_N_ELEMENTS(SUITES); si++) {
        const ike_suite *s = SUITES[si];
        keyset k = keys_for(41), bad = k;
        ike_payload pl = ike_pl_notify(IKE_PROTO_NONE, IKE_N_INITIAL_CONTACT, NULL, 0);
        uint8_t msg[128], plain[128];
        size_t len = seal(s, &k, &pl, 1, msg, sizeof msg);
        ike_msg m;
        gboolean parsed;
        /* GCM: a changed key or salt; CBC: a changed integrity key. */
        uint8_t *wrong = s->encr == IKE_ENCR_AES_GCM_16 ? bad.e : bad.a;
        for (size_t at = 0; at < ike_encr_key_len(s); at += ike_encr_key_len(s) - 1) {
            bad = k;
            wrong[at] ^= 0x40;
            g_assert_cmpint(parse_open(s, &bad, msg, len, &m, plain, sizeof plain, &parsed), ==,
                            IKE_E_ICV);
            g_assert_cmpuint(m.n, ==, 1);
        }
        /* The other direction's keys do not open it either. */
        keyset other = keys_for(42);
        g_assert_cmpint(parse_open(s, &other, msg, len, &m, plain, sizeof plain, &parsed), ==,
                        IKE_E_ICV);
    }
}

/* Shortens the SK payload to body_len octets and fixes both length fields,
 * so the parser accepts it and ike_sk_open must judge the sizes. */
static size_t shorten(uint8_t *msg, size_t body_len)
{
    size_t len = 32 + body_len;
    msg[24] = (uint8_t)(len >> 24);
    msg[25] = (uint8_t)(len >> 16);
    msg[26] = (uint8_t)(len >> 8);
    msg[27] = (uint8_t)len;
    msg[30] = (uint8_t)((body_len + 4) >> 8);
    msg[31] = (uint8_t)(body_len + 4);
    return len;
}

static void test_sk_truncated(void)
{
    for (size_t si = 0; si < G_N_ELEMENTS(SUITES); si++) {
        const ike_suite *s = SUITES[si];
        keyset k = keys_for(51);
        uint8_t msg[128], plain[128];
        size_t len = seal(s, &k, NULL, 0, msg, sizeof msg);
        size_t iv = ike_iv_len(s);
        ike_msg m;
        gboolean parsed;
        /* Cut datagrams: the header Length no longer matches. */
        for (size_t cut = 1; cut < len; cut++) {
            int rc = parse_open(s, &k, msg, len - cut, &m, plain, sizeof plain, &parsed);
            g_assert_true(typed_err(rc));
            g_assert_false(parsed);
        }
        /* Consistent lengths, but too short for IV + 1 + ICV. */
        for (size_t body = 0; body < iv + 1 + 16; body++) {
            uint8_t t[128];
            memcpy(t, msg, len);
            size_t tl = shorten(t, body);
            g_assert_cmpint(parse_open(s, &k, t, tl, &m, plain, sizeof plain, &parsed), ==,
                            IKE_E_BAD_LENGTH);
            g_assert_true(parsed);
            g_assert_cmpuint(m.n, ==, 1);
        }
        if (s->encr == IKE_ENCR_AES_CBC) {
            /* A CBC ciphertext that is not whole blocks. */
            uint8_t t[128];
            memcpy(t, msg, len);
            size_t tl = shorten(t, iv + 15 + 16);
            g_assert_cmpint(parse_open(s, &k, t, tl, &m, plain, sizeof plain, &parsed), ==,
                            IKE_E_BAD_LENGTH);
        } else {
            /* One octet of ciphertext is enough for GCM to try (and fail). */
            ike_payload pl = ike_pl_notify(IKE_PROTO_NONE, IKE_N_INITIAL_CONTACT, NULL, 0);
            uint8_t t[128];
            seal(s, &k, &pl, 1, t, sizeof t);
            size_t tl = shorten(t, iv + 1 + 16);
            g_assert_cmpint(parse_open(s, &k, t, tl, &m, plain, sizeof plain, &parsed), ==,
                            IKE_E_ICV);
        }
        /* A plain buffer smaller than the ciphertext. */
        g_assert_cmpint(parse_open(s, &k, msg, len, &m, plain, len - 32 - iv - 16 - 1, &parsed),
                        ==, IKE_E_SPACE);
    }
}

static void test_sk_space(void)
{
    for (size_t si = 0; si < G_N_ELEMENTS(SUITES); si++) {
        const ike_suite *s = SUITES[si];
        keyset k = keys_for(61);
        uint8_t nonce[32];
        fill(nonce, sizeof nonce, 62);
        ike_payload pl[2] = {
            ike_pl_bytes(IKE_PL_NONCE, nonce, sizeof nonce),
            ike_pl_notify(IKE_PROTO_NONE, IKE_N_INITIAL_CONTACT, NULL, 0),
        };
        uint8_t full[256];
        size_t need = seal(s, &k, pl, 2, full, sizeof full);
        for (size_t cap = 0; cap < need; cap++) {
            uint8_t out[256];
            memset(out, 0xa5, sizeof out);
            size_t len = 12345;
            g_assert_cmpint(ike_sk_seal(s, k.e, k.a, &HDR, pl, 2, IV16, out, cap, &len), ==,
                            IKE_E_SPACE);
            g_assert_cmpuint(len, ==, 12345);
            for (size_t i = cap; i < sizeof out; i++)
                g_assert_cmpuint(out[i], ==, 0xa5);
        }
    }
}

/* A GCM message built by hand: header, SK header, IV, then seal(plaintext). */
static size_t hand_gcm(const keyset *k, uint8_t next, const uint8_t *pt, size_t pt_len,
                       uint8_t *out)
{
    size_t len = 32 + 8 + pt_len + 16;
    uint8_t nonce[12];
    ike_encode_header(&HDR, IKE_PL_SK, (uint32_t)len, out);
    out[28] = next;
    out[29] = 0;
    out[30] = (uint8_t)((len - 28) >> 8);
    out[31] = (uint8_t)(len - 28);
    memcpy(out + 32, IV16, 8);
    memcpy(nonce, k->e + 16, 4);
    memcpy(nonce + 4, IV16, 8);
    g_assert_cmpint(ike_gcm_seal(k->e, 16, nonce, out, 32, pt, pt_len, out + 40,
                                 out + 40 + pt_len), ==, IKE_OK);
    return len;
}

static void test_sk_padding_rules(void)
{
    keyset k = keys_for(71);
    uint8_t pt[64], msg[128], plain[128];
    ike_msg m;
    gboolean parsed;
    size_t n = 0;
    ike_payload pl = ike_pl_notify(IKE_PROTO_NONE, IKE_N_INITIAL_CONTACT, NULL, 0);
    g_assert_cmpint(ike_encode_chain(&pl, 1, pt, sizeof pt, &n), ==, IKE_OK);

    /* A receiver accepts padding it did not ask for (RFC 5282: 0-255 octets). */
    memset(pt + n, 0x5c, 3);
    pt[n + 3] = 3;
    size_t len = hand_gcm(&k, IKE_PL_NOTIFY, pt, n + 4, msg);
    g_assert_cmpint(parse_open(&GCM128, &k, msg, len, &m, plain, sizeof plain, &parsed), ==,
                    IKE_OK);
    g_assert_cmpuint(m.n, ==, 2);
    g_assert_cmpuint(m.pl[1].u.notify.type, ==, IKE_N_INITIAL_CONTACT);

    /* A Pad Length reaching past the start of the plaintext. */
    pt[n + 3] = (uint8_t)(n + 4);
    len = hand_gcm(&k, IKE_PL_NOTIFY, pt, n + 4, msg);
    g_assert_cmpint(parse_open(&GCM128, &k, msg, len, &m, plain, sizeof plain, &parsed), ==,
                    IKE_E_SYNTAX);
    g_assert_cmpuint(m.n, ==, 1);

    /* Authentic but malformed inner chain: m is left as it was. */
    pt[n + 3] = 0;
    pt[3] = 9; /* the notify claims 9 octets, 8 remain */
    len = hand_gcm(&k, IKE_PL_NOTIFY, pt, n + 1, msg);
    int rc = parse_open(&GCM128, &k, msg, len, &m, plain, sizeof plain, &parsed);
    g_assert_true(parsed);
    g_assert_true(typed_err(rc) && rc != IKE_E_ICV);
    g_assert_cmpuint(m.n, ==, 1);

    /* An SK payload inside SK is refused. */
    uint8_t inner[8] = { 0, 0, 0, 8, 1, 2, 3, 4 };
    memcpy(pt, inner, 8);
    pt[8] = 0;
    len = hand_gcm(&k, IKE_PL_SK, pt, 9, msg);
    g_assert_cmpint(parse_open(&GCM128, &k, msg, len, &m, plain, sizeof plain, &parsed), ==,
                    IKE_E_SYNTAX);
    g_assert_cmpuint(m.n, ==, 1);
}

static void test_sk_not_sk(void)
{
    keyset k = keys_for(81);
    uint8_t msg[128] = { 0 }, plain[128];
    ike_msg m = { .n = 0 };
    size_t len = 0;
    g_assert_cmpint(ike_sk_open(&GCM128, k.e, k.a, msg, 0, &m, plain, sizeof plain), ==,
                    IKE_E_SYNTAX);
    /* An unprotected N(INITIAL_CONTACT) message: the last payload is not SK. */
    m.hdr = HDR;
    m.n = 1;
    m.pl[0] = ike_pl_notify(IKE_PROTO_NONE, IKE_N_INITIAL_CONTACT, NULL, 0);
    g_assert_cmpint(ike_encode(&m, msg, sizeof msg, &len), ==, IKE_OK);
    g_assert_cmpint(ike_parse(msg, len, &m), ==, IKE_OK);
    g_assert_cmpint(ike_sk_open(&GCM128, k.e, k.a, msg, len, &m, plain, sizeof plain), ==,
                    IKE_E_SYNTAX);
    g_assert_cmpuint(m.n, ==, 1);
}

static void test_sk_unsupported(void)
{
    const ike_suite gcm12 = { 23, 128, 0, 5, 31 }; /* Camellia-CBC */
    keyset k = keys_for(91);
    uint8_t msg[128], plain[128];
    size_t len = 0;
    g_assert_cmpint(ike_sk_seal(&gcm12, k.e, k.a, &HDR, NULL, 0, IV16, msg, sizeof msg, &len),
                    ==, IKE_E_UNSUPPORTED);
    len = seal(&GCM128, &k, NULL, 0, msg, sizeof msg);
    ike_msg m;
    g_assert_cmpint(ike_parse(msg, len, &m), ==, IKE_OK);
    g_assert_cmpint(ike_sk_open(&gcm12, k.e, k.a, msg, len, &m, plain, sizeof plain), ==,
                    IKE_E_UNSUPPORTED);
    /* An ESP-style suite without DH or PRF still seals (only the cipher matters). */
    ike_suite esp = { IKE_ENCR_AES_GCM_16, 128, IKE_INTEG_NONE, 0, 0 };
    g_assert_cmpint(ike_suite_check(&esp), ==, IKE_E_UNSUPPORTED);
    g_assert_cmpint(ike_sk_seal(&esp, k.e, k.a, &HDR, NULL, 0, IV16, msg, sizeof msg, &len), ==,
                    IKE_OK);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ike-crypto/prf/rfc4231", test_prf_rfc4231);
    g_test_add_func("/ike-crypto/prf-plus/structure", test_prf_plus_structure);
    g_test_add_func("/ike-crypto/prf-plus/limit", test_prf_plus_limit);
    g_test_add_func("/ike-crypto/dh/x25519-rfc7748", test_x25519_rfc7748);
    g_test_add_func("/ike-crypto/dh/x25519-bad-peer", test_x25519_bad_peer);
    g_test_add_func("/ike-crypto/dh/modp2048-agree", test_modp_agree);
    g_test_add_func("/ike-crypto/dh/modp2048-padding", test_modp_padding);
    g_test_add_func("/ike-crypto/dh/modp2048-bad-peer", test_modp_bad_peer);
    g_test_add_func("/ike-crypto/dh/unsupported", test_dh_unsupported);
    g_test_add_func("/ike-crypto/suite/lengths", test_suite_lengths);
    g_test_add_func("/ike-crypto/keys/gcm256", test_keys_gcm256);
    g_test_add_func("/ike-crypto/keys/cbc128", test_keys_cbc128);
    g_test_add_func("/ike-crypto/keys/rejects", test_keys_rejects);
    g_test_add_func("/ike-crypto/keys/child-keymat", test_child_keymat);
    g_test_add_func("/ike-crypto/auth/psk", test_psk_auth);
    g_test_add_func("/ike-crypto/ct-equal", test_ct_equal);
    g_test_add_func("/ike-crypto/cipher/gcm-kat", test_gcm_kat);
    g_test_add_func("/ike-crypto/cipher/cbc-kat", test_cbc_kat);
    g_test_add_func("/ike-crypto/sk/roundtrip", test_sk_roundtrip);
    g_test_add_func("/ike-crypto/sk/liveness-size", test_sk_liveness_size);
    g_test_add_func("/ike-crypto/sk/gcm-layout", test_sk_gcm_layout);
    g_test_add_func("/ike-crypto/sk/cbc-layout", test_sk_cbc_layout);
    g_test_add_func("/ike-crypto/sk/tamper", test_sk_tamper);
    g_test_add_func("/ike-crypto/sk/wrong-key", test_sk_wrong_key);
    g_test_add_func("/ike-crypto/sk/truncated", test_sk_truncated);
    g_test_add_func("/ike-crypto/sk/space", test_sk_space);
    g_test_add_func("/ike-crypto/sk/padding-rules", test_sk_padding_rules);
    g_test_add_func("/ike-crypto/sk/not-sk", test_sk_not_sk);
    g_test_add_func("/ike-crypto/sk/unsupported", test_sk_unsupported);
    return g_test_run();
}
