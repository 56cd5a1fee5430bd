/* The algorithms beyond AES-GCM-16 / AES-CBC + HMAC-SHA2-256 / X25519 /
 * MODP-2048: known answers from the RFCs and NIST for every primitive, then
 * the SK payload and ESP packet of every suite laid out as the RFCs say,
 * and refused with a wrong key or one flipped bit. */
#include <glib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/evp.h>

#include "aes_ctx.h"
#include "esp.h"
#include "hex.h"
#include "ike_algs.h"
#include "ike_cipher.h"
#include "ike_crypto.h"
#include "ike_proposal.h"
#include "ikepair.h"

/* Hex with spaces, as the RFCs print it. */
static size_t unhex_sp(const char *s, uint8_t *out, size_t cap)
{
    g_autofree char *t = g_strdup(s);
    char *w = t;
    for (const char *r = s; *r; r++)
        if (*r != ' ')
            *w++ = *r;
    *w = 0;
    return unhex(t, out, cap);
}

/* ---------- HMAC: PRFs (RFC 2202, RFC 4231) and INTEG (RFC 2404, RFC 4868) ---------- */

static void test_prf_kat(void)
{
    const struct {
        uint16_t prf;
        const char *mac;
    } cases[] = { /* key 0x0b x 20, "Hi There": RFC 2202 / RFC 4231 test case 1 */
        { IKE_PRF_HMAC_SHA1, "b617318655057264e28bc0b6fb378c8ef146be00" },
        { IKE_PRF_HMAC_SHA2_384, "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
                                 "faea9ea9076ede7f4af152e8b2fa9cb6" },
        { IKE_PRF_HMAC_SHA2_512, "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
                                 "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854" },
    };
    uint8_t key[20], want[64], got[64];
    memset(key, 0x0b, sizeof key);
    const ike_iov seg = { (const uint8_t *)"Hi There", 8 };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        size_t n = unhex(cases[i].mac, want, sizeof want);
        g_assert_cmpuint(ike_prf_len(cases[i].prf), ==, n);
        g_assert_cmpint(ike_prf_with(cases[i].prf, key, sizeof key, &seg, 1, got), ==, IKE_OK);
        g_assert_cmpmem(got, n, want, n);
    }
    g_assert_cmpuint(ike_prf_len(4), ==, 0); /* AES128-XCBC: not implemented */
    g_assert_cmpint(ike_prf_with(4, key, sizeof key, &seg, 1, got), ==, IKE_E_UNSUPPORTED);
}

/* prf+ with a 64-octet PRF: T1 = prf(K, S | 0x01), T2 = prf(K, T1 | S | 0x02). */
static void test_prf_plus_sha512(void)
{
    uint8_t k[64], s[5] = "seed!", out[100], t1[64], t2[64], in[64 + 5 + 1];
    memset(k, 0x42, sizeof k);
    g_assert_cmpint(ike_prf_plus_with(IKE_PRF_HMAC_SHA2_512, k, 64, s, 5, out, 100), ==, IKE_OK);
    memcpy(in, s, 5);
    in[5] = 1;
    ike_iov seg = { in, 6 };
    g_assert_cmpint(ike_prf_with(IKE_PRF_HMAC_SHA2_512, k, 64, &seg, 1, t1), ==, IKE_OK);
    memcpy(in, t1, 64);
    memcpy(in + 64, s, 5);
    in[69] = 2;
    seg = (ike_iov){ in, 70 };
    g_assert_cmpint(ike_prf_with(IKE_PRF_HMAC_SHA2_512, k, 64, &seg, 1, t2), ==, IKE_OK);
    g_assert_cmpmem(out, 64, t1, 64);
    g_assert_cmpmem(out + 64, 36, t2, 36);
}

static void test_integ_kat(void)
{
    const struct {
        uint16_t integ;
        uint8_t key_byte;
        const char *data, *icv;
    } cases[] = {
        /* RFC 2202 test case 5, the RFC 2404 truncation */
        { IKE_INTEG_HMAC_SHA1_96, 0x0c, "Test With Truncation", "4c1a03424b55e07fe7f27be1" },
        /* RFC 4868 §2.7.2 AUTH256-1, AUTH384-1, AUTH512-1 (key 0x0b x key length) */
        { IKE_INTEG_HMAC_SHA2_256_128, 0x0b, "Hi There", "198a607eb44bfbc69903a0f1cf2bbdc5" },
        { IKE_INTEG_HMAC_SHA2_384_192, 0x0b, "Hi There",
          "b6a8d5636f5c6a7224f9977dcf7ee6c7fb6d0c48cbdee973" },
        { IKE_INTEG_HMAC_SHA2_512_256, 0x0b, "Hi There",
          "637edc6e01dce7e6742a99451aae82df23da3e92439e590e43e761b33e910fb8" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        const ike_hmac_alg *a = ike_integ_alg_find(cases[i].integ);
        uint8_t key[64], want[32], got[32];
        memset(key, cases[i].key_byte, sizeof key);
        size_t n = unhex(cases[i].icv, want, sizeof want);
        g_assert_nonnull(a);
        g_assert_cmpuint(a->out_len, ==, n);
        const ike_iov seg = { (const uint8_t *)cases[i].data, strlen(cases[i].data) };
        g_assert_cmpint(ike_integ(cases[i].integ, key, &seg, 1, got), ==, IKE_OK);
        g_assert_cmpmem(got, n, want, n);
    }
}

/* ---------- AEADs ---------- */

/* GCM's shorter tags are the leading octets of the full one (NIST SP
 * 800-38D §5.2.1.2): test case 4 of the GCM spec, cut to 8 and 12. */
static void test_gcm_short_tags(void)
{
    uint8_t k[16], iv[12], a[20], p[60], c[60], t16[16], out[60], tag[16];
    unhex("feffe9928665731c6d6a8f9467308308", k, sizeof k);
    unhex("cafebabefacedbaddecaf888", iv, sizeof iv);
    unhex("feedfacedeadbeeffeedfacedeadbeefabaddad2", a, sizeof a);
    unhex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
          "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39", p, sizeof p);
    unhex("42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
          "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091", c, sizeof c);
    unhex("5bc94fbc3221a5db94fae95ae7121a47", t16, sizeof t16);
    for (size_t tl = 8; tl <= 12; tl += 4) {
        g_assert_cmpint(ike_aead_seal(IKE_MODE_GCM, k, 16, iv, 12, a, 20, p, 60, out, tag, tl), ==, IKE_OK);
        g_assert_cmpmem(out, 60, c, 60);
        g_assert_cmpmem(tag, tl, t16, tl);
        g_assert_cmpint(ike_aead_open(IKE_MODE_GCM, k, 16, iv, 12, a, 20, c, 60, t16, tl, out), ==, IKE_OK);
        g_assert_cmpmem(out, 60, p, 60);
        t16[tl - 1] ^= 0x80;
        g_assert_cmpint(ike_aead_open(IKE_MODE_GCM, k, 16, iv, 12, a, 20, c, 60, t16, tl, out), ==, IKE_E_ICV);
        t16[tl - 1] ^= 0x80;
    }
    g_assert_cmpint(ike_aead_seal(IKE_MODE_GCM, k, 16, iv, 12, a, 20, p, 60, out, tag, 10), ==,
                    IKE_E_UNSUPPORTED);
}

typedef struct {
    ike_mode mode;
    const char *key, *nonce, *aad, *pt, *ct, *tag;
} aead_kat;

static void check_aead(const aead_kat *v)
{
    uint8_t k[32], n[13], a[64], p[128], c[128], t[16], out[128], tag[16];
    size_t kl = unhex_sp(v->key, k, sizeof k), nl = unhex_sp(v->nonce, n, sizeof n);
    size_t al = unhex_sp(v->aad, a, sizeof a), pl = unhex_sp(v->pt, p, sizeof p);
    size_t cl = unhex_sp(v->ct, c, sizeof c), tl = unhex_sp(v->tag, t, sizeof t);
    g_assert_cmpuint(cl, ==, pl);
    g_assert_cmpint(ike_aead_seal(v->mode, k, kl, n, nl, a, al, p, pl, out, tag, tl), ==, IKE_OK);
    g_assert_cmpmem(out, cl, c, cl);
    g_assert_cmpmem(tag, tl, t, tl);
    g_assert_cmpint(ike_aead_open(v->mode, k, kl, n, nl, a, al, c, cl, t, tl, out), ==, IKE_OK);
    g_assert_cmpmem(out, pl, p, pl);
    /* one flipped bit anywhere (ciphertext, tag, AAD, key) is refused and
     * leaves no plaintext */
    static const uint8_t zero[128];
    c[cl / 2] ^= 0x04;
    g_assert_cmpint(ike_aead_open(v->mode, k, kl, n, nl, a, al, c, cl, t, tl, out), ==, IKE_E_ICV);
    g_assert_cmpmem(out, pl, zero, pl);
    c[cl / 2] ^= 0x04;
    t[0] ^= 1;
    g_assert_cmpint(ike_aead_open(v->mode, k, kl, n, nl, a, al, c, cl, t, tl, out), ==, IKE_E_ICV);
    t[0] ^= 1;
    if (al > 0) {
        a[al - 1] ^= 0x10;
        g_assert_cmpint(ike_aead_open(v->mode, k, kl, n, nl, a, al, c, cl, t, tl, out), ==, IKE_E_ICV);
        a[al - 1] ^= 0x10;
    }
    k[kl - 1] ^= 1;
    g_assert_cmpint(ike_aead_open(v->mode, k, kl, n, nl, a, al, c, cl, t, tl, out), ==, IKE_E_ICV);
}

static void test_ccm_kat(void)
{
    static const aead_kat v[] = {
        /* RFC 3610 packet vector #1: AES-128, 13-octet nonce, 8-octet tag */
        { IKE_MODE_CCM, "c0c1c2c3c4c5c6c7c8c9cacbcccdcecf", "00000003020100a0a1a2a3a4a5",
          "0001020304050607", "08090a0b0c0d0e0f101112131415161718191a1b1c1d1e",
          "588c979a61c663d2f066d0c2c0f989806d5f6b61dac384", "17e8d12cfdf926e0" },
        /* NIST CAVS DVPT256: AES-256, 7-octet nonce, 16-octet tag */
        { IKE_MODE_CCM, "705334e30f53dd2f92d190d2c1437c8772f940c55aa35e562214ed45bd458ffe",
          "a544218dadd3c1", "d3d5424e20fbec43ae495353ed830271515ab104f8860c988d15b6d36c038eab",
          "78c46e3249ca28e1ef0531d80fd37c124d9aecb7be6668e3",
          "3341168eb8c48468c414347fb08f71d2086f7c2d1bd581ce", "1ac68bd42f5ec7fa7e068cc0ecd79c2a" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(v); i++)
        check_aead(&v[i]);
}

static void test_chacha_kat(void)
{
    /* RFC 8439 §2.8.2 */
    static const aead_kat v = {
        IKE_MODE_CHACHA, "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f",
        "070000004041424344454647", "50515253c0c1c2c3c4c5c6c7",
        "4c616469657320616e642047656e746c656d656e206f662074686520636c6173"
        "73206f66202739393a204966204920636f756c64206f6666657220796f75206f"
        "6e6c79206f6e652074697020666f7220746865206675747572652c2073756e73"
        "637265656e20776f756c642062652069742e",
        "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
        "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
        "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
        "3ff4def08e4b7a9de576d26586cec64b6116",
        "1ae10b594f09e26a7e902ecbd0600691",
    };
    check_aead(&v);
    uint8_t k[16] = { 0 }, n[12] = { 0 }, t[16];
    g_assert_cmpint(ike_aead_seal(IKE_MODE_CHACHA, k, 16, n, 12, NULL, 0, NULL, 0, NULL, t, 16), ==,
                    IKE_E_UNSUPPORTED); /* 256-bit keys only */
}

/* The contexts the packets run on (OpenSSL's built-in cipher methods, see
 * model/aes_ctx.c) give the octets of its default provider, a context made
 * afresh for each message: every mode and key size, tag lengths, lengths
 * around the block size, two keys taking turns (one held, one keyed anew),
 * and a flipped tag refused. */
static int provider_aead(const char *name, int enc, const uint8_t *k, const uint8_t *n, const uint8_t *a,
                         size_t al, const uint8_t *in, size_t len, uint8_t *out, uint8_t *tag, size_t tl)
{
    EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, name, NULL);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int outl = 0, ok = c && ctx && EVP_CipherInit_ex2(ctx, c, k, n, enc, NULL) == 1 &&
                         (al == 0 || EVP_CipherUpdate(ctx, NULL, &outl, a, (int)al) == 1) &&
                         (len == 0 || EVP_CipherUpdate(ctx, out, &outl, in, (int)len) == 1) &&
                         (enc || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, (int)tl, tag) == 1) &&
                         EVP_CipherFinal_ex(ctx, out + len, &outl) == 1 &&
                         (!enc || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, (int)tl, tag) == 1);
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(c);
    return ok;
}

static void test_same_as_provider(void)
{
#ifndef OPENSSL_NO_DEPRECATED_3_0
    for (int enc = 0; enc < 2; enc++) /* the built-in methods, not a provider's */
        g_assert_null(EVP_CIPHER_get0_provider(EVP_CIPHER_CTX_get0_cipher(aes_ctx(IKE_MODE_GCM, 256, NULL, NULL, enc))));
#endif
    static const struct {
        ike_mode mode;
        const char *name;
        size_t key_len, tag_len;
    } ciphers[] = {
        { IKE_MODE_GCM, "AES-128-GCM", 16, 16 }, { IKE_MODE_GCM, "AES-192-GCM", 24, 12 },
        { IKE_MODE_GCM, "AES-256-GCM", 32, 8 },  { IKE_MODE_GCM, "AES-256-GCM", 32, 16 },
        { IKE_MODE_CHACHA, "ChaCha20-Poly1305", 32, 16 },
    };
    static const size_t lens[] = { 0, 1, 15, 16, 17, 64, 204, 1400 };
    uint8_t key[2][32], n[12], a[12], p[1400], got[1400 + 16], want[1400 + 16], t_got[16], t_want[16];
    for (size_t i = 0; i < sizeof p; i++)
        p[i] = (uint8_t)(i * 13 + 5);
    for (size_t c = 0; c < G_N_ELEMENTS(ciphers); c++) {
        size_t kl = ciphers[c].key_len, tl = ciphers[c].tag_len;
        for (size_t l = 0; l < G_N_ELEMENTS(lens); l++) {
            for (int turn = 0; turn < 4; turn++) {
                uint8_t *k = key[turn % 2];
                for (size_t i = 0; i < 32; i++)
                    k[i] = (uint8_t)(c * 31 + turn % 2 * 101 + i);
                for (size_t i = 0; i < sizeof n; i++)
                    n[i] = (uint8_t)(l * 7 + turn + i);
                size_t al = turn % 2 ? 12 : 8, len = lens[l];
                memcpy(a, n, al);
                g_assert_cmpint(ike_aead_seal(ciphers[c].mode, k, kl, n, 12, a, al, p, len, got, t_got, tl), ==,
                                IKE_OK);
                g_assert_true(provider_aead(ciphers[c].name, 1, k, n, a, al, p, len, want, t_want, tl));
                g_assert_cmpmem(got, len, want, len);
                g_assert_cmpmem(t_got, tl, t_want, tl);
                g_assert_cmpint(ike_aead_open(ciphers[c].mode, k, kl, n, 12, a, al, want, len, t_want, tl, got), ==,
                                IKE_OK);
                g_assert_cmpmem(got, len, p, len);
                t_want[tl - 1] ^= 1;
                g_assert_false(provider_aead(ciphers[c].name, 0, k, n, a, al, want, len, got, t_want, tl));
                g_assert_cmpint(ike_aead_open(ciphers[c].mode, k, kl, n, 12, a, al, want, len, t_want, tl, got), ==,
                                IKE_E_ICV);
            }
        }
    }
    /* CBC without padding (IKE and ESP pad themselves) */
    static const char *const cbc[] = { "AES-128-CBC", "AES-192-CBC", "AES-256-CBC" };
    for (size_t c = 0; c < G_N_ELEMENTS(cbc); c++) {
        size_t kl = 16 + 8 * c;
        for (int turn = 0; turn < 4; turn++) {
            uint8_t *k = key[turn % 2], iv[16];
            for (size_t i = 0; i < 32; i++)
                k[i] = (uint8_t)(c * 17 + turn % 2 * 59 + i);
            memset(iv, turn, sizeof iv);
            size_t len = 16 * (size_t)(1 + turn * 20);
            g_assert_cmpint(ike_cbc_encrypt(k, kl, iv, p, len, got), ==, IKE_OK);
            EVP_CIPHER *ci = EVP_CIPHER_fetch(NULL, cbc[c], NULL);
            EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
            int outl = 0;
            g_assert_true(EVP_CipherInit_ex2(ctx, ci, k, iv, 1, NULL) == 1 && EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
                          EVP_CipherUpdate(ctx, want, &outl, p, (int)len) == 1 && (size_t)outl == len);
            EVP_CIPHER_CTX_free(ctx);
            EVP_CIPHER_free(ci);
            g_assert_cmpmem(got, len, want, len);
            g_assert_cmpint(ike_cbc_decrypt(k, kl, iv, want, len, got), ==, IKE_OK);
            g_assert_cmpmem(got, len, p, len);
        }
    }
}

/* ---------- key exchange ---------- */

/* The private value d of ike_dh_new() is 1 + (rand mod (n - 1)): rand =
 * d - 1, left-padded, gives the RFC's d. */
static void ecp_rand(uint16_t group, const char *d_hex, uint8_t *rand)
{
    uint8_t d[66];
    size_t n = unhex_sp(d_hex, d, sizeof d), len = ike_dh_priv_len(group);
    BIGNUM *b = BN_bin2bn(d, (int)n, NULL);
    g_assert_true(BN_sub_word(b, 1));
    g_assert_cmpint(BN_bn2binpad(b, rand, (int)len), ==, (int)len);
    BN_free(b);
}

static void test_ecp_rfc5903(void)
{
    const struct {
        uint16_t group;
        const char *i, *gix, *giy, *grx, *gry, *girx;
    } v[] = {
        { IKE_DH_ECP256, /* §8.1 */
          "C88F01F5 10D9AC3F 70A292DA A2316DE5 44E9AAB8 AFE84049 C62A9C57 862D1433",
          "DAD0B653 94221CF9 B051E1FE CA5787D0 98DFE637 FC90B9EF 945D0C37 72581180",
          "5271A046 1CDB8252 D61F1C45 6FA3E59A B1F45B33 ACCF5F58 389E0577 B8990BB3",
          "D12DFB52 89C8D4F8 1208B702 70398C34 2296970A 0BCCB74C 736FC755 4494BF63",
          "56FBF3CA 366CC23E 8157854C 13C58D6A AC23F046 ADA30F83 53E74F33 039872AB",
          "D6840F6B 42F6EDAF D13116E0 E1256520 2FEF8E9E CE7DCE03 812464D0 4B9442DE" },
        { IKE_DH_ECP384, /* §8.2 */
          "099F3C70 34D4A2C6 99884D73 A375A67F 7624EF7C 6B3C0F16 0647B674 14DCE655 E35B5380 41E649EE 3FAEF896 783AB194",
          "667842D7 D180AC2C DE6F74F3 7551F557 55C7645C 20EF73E3 1634FE72 B4C55EE6 DE3AC808 ACB4BDB4 C88732AE E95F41AA",
          "9482ED1F C0EEB9CA FC498462 5CCFC23F 65032149 E0E144AD A0241815 35A0F38E EB9FCFF3 C2C947DA E69B4C63 4573A81C",
          "E558DBEF 53EECDE3 D3FCCFC1 AEA08A89 A987475D 12FD950D 83CFA417 32BC509D 0D1AC43A 0336DEF9 6FDA41D0 774A3571",
          "DCFBEC7A ACF31964 72169E83 8430367F 66EEBE3C 6E70C416 DD5F0C68 759DD1FF F83FA401 42209DFF 5EAAD96D B9E6386C",
          "11187331 C279962D 93D60424 3FD592CB 9D0A926F 422E4718 7521287E 7156C5C4 D6031355 69B9E9D0 9CF5D4A2 70F59746" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(v); i++) {
        uint16_t g = v[i].group;
        size_t ke = ike_dh_ke_len(g), half = ke / 2;
        uint8_t rand[IKE_DH_PRIV_RAND], gi[132], gr[132], pub[132], girx[66], out[IKE_MAX_SHARED];
        ecp_rand(g, v[i].i, rand);
        unhex_sp(v[i].gix, gi, half);
        unhex_sp(v[i].giy, gi + half, half);
        unhex_sp(v[i].grx, gr, half);
        unhex_sp(v[i].gry, gr + half, half);
        unhex_sp(v[i].girx, girx, half);
        ike_dh *dh;
        size_t n = 0;
        g_assert_cmpint(ike_dh_new(g, rand, &dh), ==, IKE_OK);
        g_assert_cmpint(ike_dh_public(dh, pub, ke), ==, IKE_OK);
        g_assert_cmpmem(pub, ke, gi, ke); /* KE data is x | y, no 0x04 (§7) */
        g_assert_cmpint(ike_dh_shared(dh, gr, ke, out, sizeof out, &n), ==, IKE_OK);
        g_assert_cmpmem(out, n, girx, half); /* the shared secret is x alone */
        /* off the curve, the SEC 1 form, or a wrong length: refused */
        gr[ke - 1] ^= 1;
        g_assert_cmpint(ike_dh_shared(dh, gr, ke, out, sizeof out, &n), ==, IKE_E_CRYPTO);
        uint8_t sec1[133] = { 4 };
        memcpy(sec1 + 1, gi, ke);
        g_assert_cmpint(ike_dh_shared(dh, sec1, ke + 1, out, sizeof out, &n), ==, IKE_E_SYNTAX);
        memset(sec1, 0, sizeof sec1); /* (0, 0) is not on the curve */
        g_assert_cmpint(ike_dh_shared(dh, sec1, ke, out, sizeof out, &n), ==, IKE_E_CRYPTO);
        ike_dh_free(dh);
    }
}

static void test_x448_rfc7748(void)
{
    /* RFC 7748 §6.2 */
    uint8_t a[56], ap[56], bp[56], k[56], pub[56], out[56];
    unhex("9a8f4925d1519f5775cf46b04b5800d4ee9ee8bae8bc5565d498c28dd9c9baf574a9419744897391006382a6f127ab1d9ac2d8c0a598726b", a, 56);
    unhex("9b08f7cc31b7e3e67d22d5aea121074a273bd2b83de09c63faa73d2c22c5d9bbc836647241d953d40c5b12da88120d53177f80e532c41fa0", ap, 56);
    unhex("3eb7a829b0cd20f5bcfc0b599b6feccf6da4627107bdb0d4f345b43027d8b972fc3e34fb4232a13ca706dcb57aec3dae07bdc1c67bf33609", bp, 56);
    unhex("07fff4181ac6cc95ec1c16a94a0f74d12da232ce40a77552281d282bb60c0b56fd2464c335543936521c24403085d59a449a5037514a879d", k, 56);
    ike_dh *dh;
    size_t n = 0;
    g_assert_cmpuint(ike_dh_ke_len(IKE_DH_CURVE448), ==, 56);
    g_assert_cmpuint(ike_dh_priv_len(IKE_DH_CURVE448), ==, 56);
    g_assert_cmpint(ike_dh_new(IKE_DH_CURVE448, a, &dh), ==, IKE_OK);
    g_assert_cmpint(ike_dh_public(dh, pub, 56), ==, IKE_OK);
    g_assert_cmpmem(pub, 56, ap, 56);
    g_assert_cmpint(ike_dh_shared(dh, bp, 56, out, sizeof out, &n), ==, IKE_OK);
    g_assert_cmpmem(out, n, k, 56);
    uint8_t zero[56] = { 0 }; /* a low-order point: all-zero result refused */
    g_assert_cmpint(ike_dh_shared(dh, zero, 56, out, sizeof out, &n), ==, IKE_E_CRYPTO);
    g_assert_cmpint(ike_dh_shared(dh, bp, 32, out, sizeof out, &n), ==, IKE_E_SYNTAX);
    ike_dh_free(dh);
}

/* Every group: both sides agree on g^ir of the RFC's length; MODP peer
 * values 1 and p-1 are refused. */
static void test_dh_agree_all(void)
{
    const struct {
        uint16_t g;
        size_t ke, shared;
    } groups[] = {
        { IKE_DH_MODP2048, 256, 256 }, { IKE_DH_MODP3072, 384, 384 }, { IKE_DH_MODP4096, 512, 512 },
        { IKE_DH_ECP256, 64, 32 },     { IKE_DH_ECP384, 96, 48 },     { IKE_DH_ECP521, 132, 66 },
        { IKE_DH_CURVE25519, 32, 32 }, { IKE_DH_CURVE448, 56, 56 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(groups); i++) {
        uint16_t g = groups[i].g;
        uint8_t ra[IKE_DH_PRIV_RAND], rb[IKE_DH_PRIV_RAND], pa[IKE_MAX_KE], pb[IKE_MAX_KE];
        uint8_t sa[IKE_MAX_SHARED], sb[IKE_MAX_SHARED];
        for (size_t j = 0; j < sizeof ra; j++) {
            ra[j] = (uint8_t)(j * 13 + 7 + g);
            rb[j] = (uint8_t)(j * 29 + 1 + g);
        }
        g_assert_cmpuint(ike_dh_ke_len(g), ==, groups[i].ke);
        ike_dh *a, *b;
        size_t na = 0, nb = 0;
        g_assert_cmpint(ike_dh_new(g, ra, &a), ==, IKE_OK);
        g_assert_cmpint(ike_dh_new(g, rb, &b), ==, IKE_OK);
        g_assert_cmpint(ike_dh_public(a, pa, groups[i].ke), ==, IKE_OK);
        g_assert_cmpint(ike_dh_public(b, pb, groups[i].ke), ==, IKE_OK);
        g_assert_cmpint(ike_dh_shared(a, pb, groups[i].ke, sa, sizeof sa, &na), ==, IKE_OK);
        g_assert_cmpint(ike_dh_shared(b, pa, groups[i].ke, sb, sizeof sb, &nb), ==, IKE_OK);
        g_assert_cmpuint(na, ==, groups[i].shared);
        g_assert_cmpmem(sa, na, sb, nb);
        /* the same random octets give the same key pair */
        ike_dh *a2;
        uint8_t pa2[IKE_MAX_KE];
        g_assert_cmpint(ike_dh_new(g, ra, &a2), ==, IKE_OK);
        g_assert_cmpint(ike_dh_public(a2, pa2, groups[i].ke), ==, IKE_OK);
        g_assert_cmpmem(pa2, groups[i].ke, pa, groups[i].ke);
        if (groups[i].ke == groups[i].shared && g != IKE_DH_CURVE25519 && g != IKE_DH_CURVE448) {
            uint8_t v[IKE_MAX_KE] = { 0 };
            v[groups[i].ke - 1] = 1;
            g_assert_cmpint(ike_dh_shared(a, v, groups[i].ke, sa, sizeof sa, &na), ==, IKE_E_CRYPTO);
            memset(v, 0xff, groups[i].ke); /* every MODP prime is 2^N - ... - 1: all ones > p - 1 */
            g_assert_cmpint(ike_dh_shared(a, v, groups[i].ke, sa, sizeof sa, &na), ==, IKE_E_CRYPTO);
        }
        ike_dh_free(a);
        ike_dh_free(a2);
        ike_dh_free(b);
    }
}

/* ---------- every suite: SK payloads and ESP packets ---------- */

typedef struct {
    uint16_t encr, bits, integ;
    size_t iv, icv, salt;
} suite_row;

static const suite_row ROWS[] = {
    { IKE_ENCR_AES_GCM_8, 128, 0, 8, 8, 4 },    { IKE_ENCR_AES_GCM_12, 192, 0, 8, 12, 4 },
    { IKE_ENCR_AES_GCM_16, 256, 0, 8, 16, 4 },  { IKE_ENCR_AES_CCM_8, 128, 0, 8, 8, 3 },
    { IKE_ENCR_AES_CCM_12, 192, 0, 8, 12, 3 },  { IKE_ENCR_AES_CCM_16, 256, 0, 8, 16, 3 },
    { IKE_ENCR_CHACHA20_POLY1305, 256, 0, 8, 16, 4 },
    { IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA1_96, 16, 12, 0 },
    { IKE_ENCR_AES_CBC, 192, IKE_INTEG_HMAC_SHA2_384_192, 16, 24, 0 },
    { IKE_ENCR_AES_CBC, 256, IKE_INTEG_HMAC_SHA2_512_256, 16, 32, 0 },
};

static ike_suite suite_of(const suite_row *r)
{
    return (ike_suite){ r->encr, r->bits, r->integ, IKE_PRF_HMAC_SHA2_384, IKE_DH_ECP384 };
}

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(seed + 11 * i);
}

/* The sealed message against the RFC's layout, computed with the primitives
 * the known answers above cover: an AEAD over header | SK header with nonce
 * salt | IV (RFC 5282 §5, RFC 7634 §3), or HMAC over everything before the
 * ICV (RFC 7296 §3.14). */
static void test_sk_every_suite(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(ROWS); i++) {
        const suite_row *r = &ROWS[i];
        ike_suite s = suite_of(r);
        g_assert_cmpint(ike_suite_check(&s), ==, IKE_OK);
        g_assert_cmpuint(ike_iv_len(&s), ==, r->iv);
        g_assert_cmpuint(ike_icv_len(&s), ==, r->icv);
        g_assert_cmpuint(ike_encr_key_len(&s), ==, r->bits / 8 + r->salt);
        uint8_t ke[IKE_MAX_KEY], ka[IKE_PRF_MAX], iv[16], msg[256], plain[256], body[64];
        fill(ke, sizeof ke, (uint8_t)i);
        fill(ka, sizeof ka, (uint8_t)(i + 100));
        fill(iv, sizeof iv, (uint8_t)(i + 200));
        ike_hdr h = { .spi_i = 0x0102030405060708ull, .spi_r = 0x1112131415161718ull,
                      .version = IKE_VERSION, .exchange = IKE_INFORMATIONAL, .flags = IKE_FLAG_I,
                      .msg_id = 7 };
        ike_payload pl = ike_pl_notify(IKE_PROTO_NONE, IKE_N_INITIAL_CONTACT, NULL, 0);
        size_t len = 0, n = 0;
        g_assert_cmpint(ike_sk_seal(&s, ke, ka, &h, &pl, 1, iv, msg, sizeof msg, &len), ==, IKE_OK);
        g_assert_cmpint(ike_encode_chain(&pl, 1, body, sizeof body, &n), ==, IKE_OK);
        size_t ct = r->integ ? 16 : n + 1, at = 32 + r->iv;
        g_assert_cmpuint(len, ==, at + ct + r->icv);
        g_assert_cmpuint(msg[28], ==, IKE_PL_NOTIFY);
        g_assert_cmpuint((size_t)(msg[30] << 8 | msg[31]), ==, len - 28);
        g_assert_cmpmem(msg + 32, r->iv, iv, r->iv);
        const ike_encr_alg *e = ike_encr_alg_find(r->encr);
        if (r->integ == IKE_INTEG_NONE) {
            uint8_t nonce[13];
            memcpy(nonce, ke + r->bits / 8, r->salt);
            memcpy(nonce + r->salt, iv, 8);
            g_assert_cmpint(ike_aead_open(e->mode, ke, r->bits / 8, nonce, r->salt + 8, msg, 32,
                                          msg + at, ct, msg + at + ct, r->icv, plain), ==, IKE_OK);
            body[n] = 0; /* no padding: Pad Length 0 */
            g_assert_cmpmem(plain, ct, body, n + 1);
        } else {
            uint8_t icv[32];
            ike_iov seg = { msg, at + ct };
            g_assert_cmpint(ike_integ(r->integ, ka, &seg, 1, icv), ==, IKE_OK);
            g_assert_cmpmem(msg + at + ct, r->icv, icv, r->icv);
            g_assert_cmpint(ike_cbc_decrypt(ke, r->bits / 8, iv, msg + at, ct, plain), ==, IKE_OK);
            g_assert_cmpmem(plain, n, body, n);
            g_assert_cmpuint(plain[15], ==, 16 - n - 1);
        }

        /* it opens; every single flipped bit and a wrong key are refused */
        ike_msg m;
        g_assert_cmpint(ike_parse(msg, len, &m), ==, IKE_OK);
        g_assert_cmpint(ike_sk_open(&s, ke, ka, msg, len, &m, plain, sizeof plain), ==, IKE_OK);
        g_assert_cmpuint(m.n, ==, 2);
        g_assert_cmpuint(m.pl[1].u.notify.type, ==, IKE_N_INITIAL_CONTACT);
        for (size_t bit = 0; bit < 8 * len; bit += 7) {
            if (bit / 8 < 28) /* header fields the parser itself checks */
                continue;
            uint8_t bad[256];
            memcpy(bad, msg, len);
            bad[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            ike_msg bm;
            if (ike_parse(bad, len, &bm) != IKE_OK)
                continue; /* the SK header's length field: refused earlier */
            int rc = ike_sk_open(&s, ke, ka, bad, len, &bm, plain, sizeof plain);
            g_assert_cmpint(rc, !=, IKE_OK);
        }
        uint8_t wrong[IKE_MAX_KEY];
        memcpy(wrong, ke, sizeof wrong);
        wrong[0] ^= 1;
        ike_msg wm;
        g_assert_cmpint(ike_parse(msg, len, &wm), ==, IKE_OK);
        if (r->integ == IKE_INTEG_NONE) {
            g_assert_cmpint(ike_sk_open(&s, wrong, ka, msg, len, &wm, plain, sizeof plain), ==, IKE_E_ICV);
            memcpy(wrong, ke, sizeof wrong);
            wrong[r->bits / 8] ^= 1; /* the salt is key material too */
            g_assert_cmpint(ike_sk_open(&s, wrong, ka, msg, len, &wm, plain, sizeof plain), ==, IKE_E_ICV);
        } else {
            uint8_t wka[IKE_PRF_MAX];
            memcpy(wka, ka, sizeof wka);
            wka[ike_integ_key_len(&s) - 1] ^= 1;
            g_assert_cmpint(ike_sk_open(&s, ke, wka, msg, len, &wm, plain, sizeof plain), ==, IKE_E_ICV);
        }
        g_assert_cmpuint(wm.n, ==, 1);
    }
    /* an AEAD with an INTEG transform, CBC without, ChaCha20 at 128 bits */
    ike_suite bad[] = {
        { IKE_ENCR_AES_CCM_16, 128, IKE_INTEG_HMAC_SHA2_256_128, IKE_PRF_HMAC_SHA1, IKE_DH_ECP256 },
        { IKE_ENCR_AES_CBC, 128, IKE_INTEG_NONE, IKE_PRF_HMAC_SHA1, IKE_DH_ECP256 },
        { IKE_ENCR_CHACHA20_POLY1305, 128, IKE_INTEG_NONE, IKE_PRF_HMAC_SHA1, IKE_DH_ECP256 },
        { IKE_ENCR_AES_GCM_16, 128, IKE_INTEG_NONE, 4, IKE_DH_ECP256 },
        { IKE_ENCR_AES_GCM_16, 128, IKE_INTEG_NONE, IKE_PRF_HMAC_SHA1, 17 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
        g_assert_cmpint(ike_suite_check(&bad[i]), ==, IKE_E_UNSUPPORTED);
}

/* Keys from a PRF other than SHA2-256: lengths follow the PRF (RFC 7296
 * §2.14: SK_d, SK_pi, SK_pr are its output length) and the integrity key
 * the INTEG transform's. */
static void test_keys_lengths(void)
{
    const struct {
        uint16_t prf, integ;
        size_t pl, il;
    } v[] = {
        { IKE_PRF_HMAC_SHA1, IKE_INTEG_HMAC_SHA1_96, 20, 20 },
        { IKE_PRF_HMAC_SHA2_384, IKE_INTEG_HMAC_SHA2_384_192, 48, 48 },
        { IKE_PRF_HMAC_SHA2_512, IKE_INTEG_HMAC_SHA2_512_256, 64, 64 },
    };
    uint8_t ni[32], nr[32], gir[48];
    fill(ni, 32, 1);
    fill(nr, 32, 2);
    fill(gir, 48, 3);
    for (size_t i = 0; i < G_N_ELEMENTS(v); i++) {
        ike_suite s = { IKE_ENCR_AES_CBC, 256, v[i].integ, v[i].prf, IKE_DH_ECP384 };
        ike_keys k;
        g_assert_cmpint(ike_derive_keys(&s, ni, 32, nr, 32, gir, 48, 1, 2, &k), ==, IKE_OK);
        g_assert_cmpuint(k.prf_len, ==, v[i].pl);
        g_assert_cmpuint(k.integ_len, ==, v[i].il);
        g_assert_cmpuint(k.encr_len, ==, 32);
        /* the stream is SKEYSEED's prf+: SK_d first, SK_pr last */
        uint8_t seed[80], skeyseed[64], km[3 * 64 + 2 * 64 + 2 * 32];
        memcpy(seed, ni, 32);
        memcpy(seed + 32, nr, 32);
        memset(seed + 64, 0, 16);
        seed[71] = 1;
        seed[79] = 2;
        ike_iov g = { gir, 48 };
        g_assert_cmpint(ike_prf_with(v[i].prf, seed, 64, &g, 1, skeyseed), ==, IKE_OK);
        size_t total = 3 * v[i].pl + 2 * v[i].il + 64;
        g_assert_cmpint(ike_prf_plus_with(v[i].prf, skeyseed, v[i].pl, seed, 80, km, total), ==, IKE_OK);
        g_assert_cmpmem(k.d, v[i].pl, km, v[i].pl);
        g_assert_cmpmem(k.ai, v[i].il, km + v[i].pl, v[i].il);
        g_assert_cmpmem(k.pr, v[i].pl, km + total - v[i].pl, v[i].pl);
    }
}

static void esp_random(void *ctx, uint8_t *out, size_t len)
{
    (void)ctx;
    fill(out, len, 0x5a);
}

static void test_esp_every_suite(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(ROWS); i++) {
        const suite_row *r = &ROWS[i];
        ike_child c = { .spi_in = 0x1001, .spi_out = 0x1001, .suite = suite_of(r) };
        c.suite.dh = 0;
        fill(c.key_out, sizeof c.key_out, (uint8_t)i);
        memcpy(c.key_in, c.key_out, sizeof c.key_in);
        fill(c.integ_out, sizeof c.integ_out, (uint8_t)(i + 9));
        memcpy(c.integ_in, c.integ_out, sizeof c.integ_in);
        esp_cfg cfg;
        esp_cfg_defaults(&cfg);
        cfg.random = esp_random;
        esp_sa *sa;
        g_assert_cmpint(esp_sa_new(&c, &cfg, &sa), ==, ESP_OK);
        g_assert_cmpuint(esp_sa_icv_len(sa), ==, r->icv);
        uint8_t payload[37], pkt[128], plain[128];
        fill(payload, sizeof payload, 3);
        size_t len = 0;
        g_assert_cmpint(esp_sa_seal(sa, ESP_NH_IPV4, payload, sizeof payload, pkt, sizeof pkt, &len), ==, ESP_OK);
        /* 37 + 2 trailer octets padded to 40 (AEAD, 4-octet alignment) or 48 (CBC) */
        size_t ct = r->integ ? 48 : 40;
        g_assert_cmpuint(len, ==, 8 + r->iv + ct + r->icv);
        g_assert_cmpuint(len, ==, esp_sa_sealed_len(sa, sizeof payload));
        if (!r->integ) { /* AEAD: nonce = salt | IV, AAD = SPI | Seq, IV = the sequence number */
            const ike_encr_alg *e = ike_encr_alg_find(r->encr);
            uint8_t nonce[13];
            memcpy(nonce, c.key_out + r->bits / 8, r->salt);
            memcpy(nonce + r->salt, pkt + 8, 8);
            g_assert_cmpmem(pkt + 8, 8, "\0\0\0\0\0\0\0\1", 8);
            g_assert_cmpint(ike_aead_open(e->mode, c.key_out, r->bits / 8, nonce, r->salt + 8, pkt, 8,
                                          pkt + 16, ct, pkt + 16 + ct, r->icv, plain), ==, IKE_OK);
            g_assert_cmpmem(plain, sizeof payload, payload, sizeof payload);
        } else {
            uint8_t icv[32];
            ike_iov seg = { pkt, len - r->icv };
            g_assert_cmpint(ike_integ(r->integ, c.integ_out, &seg, 1, icv), ==, IKE_OK);
            g_assert_cmpmem(pkt + len - r->icv, r->icv, icv, r->icv);
        }
        /* one flipped bit anywhere after the SPI is refused, and the packet
         * still opens afterwards (nothing moved the window) */
        for (size_t bit = 32; bit < 8 * len; bit += 5) {
            uint8_t bad[128];
            esp_rx rx;
            memcpy(bad, pkt, len);
            bad[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            g_assert_cmpint(esp_sa_open(sa, bad, len, plain, sizeof plain, &rx), !=, ESP_OK);
        }
        esp_rx rx;
        g_assert_cmpint(esp_sa_open(sa, pkt, len, plain, sizeof plain, &rx), ==, ESP_OK);
        g_assert_cmpuint(rx.len, ==, sizeof payload);
        g_assert_cmpmem(rx.payload, rx.len, payload, sizeof payload);
        esp_sa_free(sa);

        /* the other end with a wrong key refuses it */
        c.key_in[1] ^= 1;
        c.integ_in[1] ^= 1;
        g_assert_cmpint(esp_sa_new(&c, &cfg, &sa), ==, ESP_OK);
        g_assert_cmpint(esp_sa_open(sa, pkt, len, plain, sizeof plain, &rx), ==, ESP_E_ICV);
        g_assert_cmpuint(esp_sa_stats(sa)->icv_failures, ==, 1);
        esp_sa_free(sa);
    }
}


/* ---------- proposals and their choice ---------- */

static void props(const char *text, uint8_t proto, ike_props *out)
{
    size_t at = 0;
    int rc = ike_props_parse(text, proto, out, &at);
    if (rc != IKE_OK)
        g_error("%s: %d at %zu", text, rc, at);
}

static void test_props_parse(void)
{
    ike_props p;
    props("aes256gcm16-prfsha384-ecp384, aes128-sha256-sha1-modp3072-x25519", IKE_PROTO_IKE, &p);
    g_assert_cmpuint(p.n, ==, 2);
    g_assert_cmpuint(p.p[0].n[0], ==, 1); /* ENCR */
    g_assert_cmpuint(p.p[0].n[2], ==, 0); /* no INTEG with an AEAD */
    g_assert_cmpuint(p.p[1].n[1], ==, 2); /* PRFs from the integrity algorithms */
    g_assert_cmpuint(p.p[1].a[1][0].id, ==, IKE_PRF_HMAC_SHA2_256);
    g_assert_cmpuint(p.p[1].a[1][1].id, ==, IKE_PRF_HMAC_SHA1);
    ike_suite f = ike_props_first(&p);
    g_assert_cmpuint(f.encr, ==, IKE_ENCR_AES_GCM_16);
    g_assert_cmpuint(f.encr_bits, ==, 256);
    g_assert_cmpuint(f.dh, ==, IKE_DH_ECP384);
    props("chacha20poly1305-esn", IKE_PROTO_ESP, &p);
    g_assert_cmpuint(ike_props_first(&p).encr_bits, ==, 256);
    g_assert_cmpuint(p.p[0].a[4][0].id, ==, IKE_ESN_YES);

    /* strongSwan 5.9's defaults as far as implemented: 19 and 31 transforms */
    props("strongswan", IKE_PROTO_IKE, &p);
    g_assert_cmpuint(p.n, ==, 2);
    ike_payload pl = ike_props_payload(&p, IKE_DH_CURVE25519, 0);
    g_assert_cmpuint(pl.u.sa.p[0].n_transforms, ==, 3 + 4 + 4 + 8);
    g_assert_cmpuint(pl.u.sa.p[1].n_transforms, ==, 19 + 4 + 8);
    g_assert_cmpuint(ike_props_first(&p).dh, ==, IKE_DH_CURVE25519);
    uint8_t buf[IKE_MAX_MSG];
    size_t len = 0;
    g_assert_cmpint(ike_encode_chain(&pl, 1, buf, sizeof buf, &len), ==, IKE_OK);
    props("strongswan", IKE_PROTO_ESP, &p);
    g_assert_cmpuint(p.n, ==, 2);
    g_assert_cmpuint(ike_props_first(&p).encr, ==, IKE_ENCR_AES_GCM_16); /* AEAD first for ESP */

    const struct {
        const char *text;
        uint8_t proto;
        int rc;
    } bad[] = {
        { "aes256gcm16-x25519", IKE_PROTO_IKE, IKE_E_SYNTAX },        /* AEAD needs a PRF */
        { "aes256-prfsha256-x25519", IKE_PROTO_IKE, IKE_E_SYNTAX },   /* CBC needs integrity */
        { "aes256-aes256gcm16-sha256-x25519", IKE_PROTO_IKE, IKE_E_SYNTAX }, /* mixed */
        { "aes256-sha256", IKE_PROTO_IKE, IKE_E_SYNTAX },             /* no group */
        { "aes256-sha256-modp1024", IKE_PROTO_IKE, IKE_E_SYNTAX },    /* unknown name */
        { "aes256-sha256-modp2048", IKE_PROTO_ESP, IKE_E_UNSUPPORTED }, /* no PFS */
        { "aes256gcm16-prfsha256", IKE_PROTO_ESP, IKE_E_UNSUPPORTED },
        { "aes512-sha256-x25519", IKE_PROTO_IKE, IKE_E_SYNTAX },
        { "aes128gcm10-prfsha256-x25519", IKE_PROTO_IKE, IKE_E_SYNTAX },
        { "", IKE_PROTO_IKE, IKE_E_SYNTAX },
        { "a,b,c,d,e", IKE_PROTO_IKE, IKE_E_SYNTAX },
        { "aes128-sha1-x25519,aes128-sha1-x25519,aes128-sha1-x25519,aes128-sha1-x25519,aes128-sha1-x25519",
          IKE_PROTO_IKE, IKE_E_LIMIT },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
        g_assert_cmpint(ike_props_parse(bad[i].text, bad[i].proto, &p, NULL), ==, bad[i].rc);
    size_t at = 0;
    g_assert_cmpint(ike_props_parse("aes128-sha1-bogus", IKE_PROTO_IKE, &p, &at), ==, IKE_E_SYNTAX);
    g_assert_cmpuint(at, ==, 12);
}

/* The SA payload the initiator would send for text, as the responder parses it. */
static ike_sa_pl offer_of(const char *text, uint16_t ke)
{
    ike_props p;
    props(text, IKE_PROTO_IKE, &p);
    ike_payload pl = ike_props_payload(&p, ke, 0);
    uint8_t buf[IKE_MAX_MSG];
    size_t len = 0;
    g_assert_cmpint(ike_encode_chain(&pl, 1, buf, sizeof buf, &len), ==, IKE_OK);
    ike_msg m;
    memset(&m, 0, sizeof m);
    g_assert_cmpint(ike_parse_chain(IKE_PL_SA, buf, len, &m), ==, IKE_OK);
    return m.pl[0].u.sa;
}

static void test_props_select(void)
{
    ike_props own;
    ike_suite s;
    bool esn;
    const ike_proposal *chosen;
    /* strongSwan's default: the responder's own order decides */
    props("aes256-sha384-ecp384-x25519", IKE_PROTO_IKE, &own);
    ike_sa_pl peer = offer_of("aes128-aes256-sha256-sha384-x25519-ecp384", IKE_DH_CURVE25519);
    g_assert_true(ike_props_select(&own, &peer, false, IKE_DH_CURVE25519, false, &s, &esn, &chosen));
    g_assert_cmpuint(s.encr_bits, ==, 256);
    g_assert_cmpuint(s.integ, ==, IKE_INTEG_HMAC_SHA2_384_192);
    g_assert_cmpuint(s.prf, ==, IKE_PRF_HMAC_SHA2_384);
    /* ECP-384 is preferred, but KEi's X25519 is acceptable to both: taken */
    g_assert_cmpuint(s.dh, ==, IKE_DH_CURVE25519);
    /* a KEi group the responder does not list: the preferred one, so the
     * caller answers INVALID_KE_PAYLOAD(ECP-384) */
    peer = offer_of("aes128-aes256-sha256-sha384-modp3072-ecp384", IKE_DH_MODP3072);
    g_assert_true(ike_props_select(&own, &peer, false, IKE_DH_MODP3072, false, &s, &esn, &chosen));
    g_assert_cmpuint(s.dh, ==, IKE_DH_ECP384);
    /* prefer_supplied: the initiator's order */
    peer = offer_of("aes128-aes256-sha256-sha384-x25519-ecp384", IKE_DH_CURVE25519);
    props("aes128-aes256-sha384-sha256-ecp384-x25519", IKE_PROTO_IKE, &own);
    g_assert_true(ike_props_select(&own, &peer, true, IKE_DH_CURVE25519, false, &s, &esn, &chosen));
    g_assert_cmpuint(s.encr_bits, ==, 128);
    g_assert_cmpuint(s.integ, ==, IKE_INTEG_HMAC_SHA2_256_128);
    g_assert_cmpuint(s.dh, ==, IKE_DH_CURVE25519);
    /* proposals: our first that matches any of theirs, their number kept */
    props("aes256gcm16-prfsha256-ecp256, aes128-sha256-x25519", IKE_PROTO_IKE, &own);
    peer = offer_of("aes128-sha256-x25519, aes256gcm16-prfsha256-ecp256", IKE_DH_CURVE25519);
    g_assert_true(ike_props_select(&own, &peer, false, IKE_DH_CURVE25519, false, &s, &esn, &chosen));
    g_assert_cmpuint(s.encr, ==, IKE_ENCR_AES_GCM_16);
    g_assert_cmpuint(s.dh, ==, IKE_DH_ECP256);
    g_assert_cmpuint(chosen->num, ==, 2);
    g_assert_true(ike_props_select(&own, &peer, true, IKE_DH_CURVE25519, false, &s, &esn, &chosen));
    g_assert_cmpuint(s.encr, ==, IKE_ENCR_AES_CBC);
    g_assert_cmpuint(chosen->num, ==, 1);
    /* nothing in common */
    props("aes256gcm16-prfsha512-ecp521", IKE_PROTO_IKE, &own);
    g_assert_false(ike_props_select(&own, &peer, false, IKE_DH_CURVE25519, false, &s, &esn, &chosen));

    /* the initiator accepts one algorithm per type out of what it offered */
    props("aes128-aes256-sha256-sha384-x25519-ecp384", IKE_PROTO_IKE, &own);
    ike_suite want = { IKE_ENCR_AES_CBC, 256, IKE_INTEG_HMAC_SHA2_384_192, IKE_PRF_HMAC_SHA2_384, IKE_DH_ECP384 };
    ike_payload ans = ike_props_answer(IKE_PROTO_IKE, &want, false, 1, 0);
    g_assert_true(ike_props_accept(&own, &ans.u.sa, &s, &esn, &chosen));
    g_assert_cmpmem(&s, sizeof s, &want, sizeof want);
    want.prf = IKE_PRF_HMAC_SHA2_512; /* never offered */
    ans = ike_props_answer(IKE_PROTO_IKE, &want, false, 1, 0);
    g_assert_false(ike_props_accept(&own, &ans.u.sa, &s, &esn, &chosen));
    ans = ike_props_payload(&own, IKE_DH_CURVE25519, 0); /* several per type: not an answer */
    g_assert_false(ike_props_accept(&own, &ans.u.sa, &s, &esn, &chosen));
}

/* Two endpoints with the given proposals (NULL: the defaults) establish an
 * IKE SA and a Child SA; returns what the responder chose. */
static void handshake(const char *ike_i, const char *esp_i, const char *ike_r, const char *esp_r,
                      ike_suite *ike, ike_suite *esp)
{
    ike_cfg a, b;
    ike_test_cfg(&a, "initiator.test");
    ike_test_cfg(&b, "responder.test");
    if (ike_i)
        props(ike_i, IKE_PROTO_IKE, &a.ike_props);
    if (esp_i)
        props(esp_i, IKE_PROTO_ESP, &a.esp_props);
    if (ike_r)
        props(ike_r, IKE_PROTO_IKE, &b.ike_props);
    if (esp_r)
        props(esp_r, IKE_PROTO_ESP, &b.esp_props);
    ike_pair p;
    pair_init(&p, &a, &b, 77);
    pair_establish(&p);
    ike_sa *si = pair_sa(&p, 0), *sr = pair_sa(&p, 1);
    g_assert_cmpmem(ike_sa_suite(si), sizeof(ike_suite), ike_sa_suite(sr), sizeof(ike_suite));
    g_assert_cmpmem(ike_sa_keys(si), sizeof(ike_keys), ike_sa_keys(sr), sizeof(ike_keys));
    g_assert_nonnull(ike_sa_child(si));
    g_assert_nonnull(ike_sa_child(sr));
    g_assert_cmpmem(&ike_sa_child(si)->suite, sizeof(ike_suite), &ike_sa_child(sr)->suite, sizeof(ike_suite));
    g_assert_cmpmem(ike_sa_child(si)->key_out, IKE_MAX_KEY, ike_sa_child(sr)->key_in, IKE_MAX_KEY);
    *ike = *ike_sa_suite(sr);
    *esp = ike_sa_child(sr)->suite;
    /* liveness over the new SA: both directions seal and open */
    g_assert_cmpint(ike_ep_liveness(p.ep[0], si, p.now), ==, IKE_OK);
    g_assert_cmpint(pair_deliver(&p, 1 * MS), ==, 2);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_LIVENESS_ANSWERED), ==, 1);
    pair_free(&p);
}

static void test_handshake_every_suite(void)
{
    static const char *const ike[] = {
        "aes128gcm8-prfsha1-modp3072", "aes192gcm12-prfsha384-modp4096", "aes256ccm8-prfsha512-ecp256",
        "aes128ccm12-prfsha256-ecp384", "aes192ccm16-prfsha384-ecp521", "chacha20poly1305-prfsha256-x448",
        "aes128-sha1-x25519", "aes192-sha384-ecp384", "aes256-sha512-ecp256",
    };
    static const char *const esp[] = {
        "aes128gcm8", "aes192gcm12-esn", "aes256ccm8", "aes128ccm12", "aes192ccm16", "chacha20poly1305",
        "aes128-sha1", "aes192-sha384", "aes256-sha512-esn",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(ike); i++) {
        ike_suite si, se, want_i, want_e;
        ike_props p;
        props(ike[i], IKE_PROTO_IKE, &p);
        want_i = ike_props_first(&p);
        props(esp[i], IKE_PROTO_ESP, &p);
        want_e = ike_props_first(&p);
        handshake(ike[i], esp[i], ike[i], esp[i], &si, &se);
        g_assert_cmpmem(&si, sizeof si, &want_i, sizeof want_i);
        g_assert_cmpmem(&se, sizeof se, &want_e, sizeof want_e);
    }
}

/* Two strongSwan 5.9 defaults pick AES_CBC_128/HMAC_SHA2_256_128/
 * PRF_HMAC_SHA2_256/CURVE_25519 and ESP AES_GCM_16_128, as two charons do;
 * a default initiator meets a responder that wants ECP-384 with AEAD:
 * INVALID_KE_PAYLOAD, then the responder's choice. */
static void test_handshake_strongswan_preset(void)
{
    ike_suite si, se;
    handshake("strongswan", "strongswan", "strongswan", "strongswan", &si, &se);
    ike_suite want_i = { IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA2_256_128, IKE_PRF_HMAC_SHA2_256, IKE_DH_CURVE25519 };
    ike_suite want_e = { IKE_ENCR_AES_GCM_16, 128, 0, 0, 0 };
    g_assert_cmpmem(&si, sizeof si, &want_i, sizeof want_i);
    g_assert_cmpmem(&se, sizeof se, &want_e, sizeof want_e);

    ike_cfg a, b;
    ike_test_cfg(&a, "initiator.test");
    ike_test_cfg(&b, "responder.test");
    props("strongswan", IKE_PROTO_IKE, &a.ike_props);
    props("strongswan", IKE_PROTO_ESP, &a.esp_props);
    props("aes256gcm16-prfsha384-ecp384", IKE_PROTO_IKE, &b.ike_props);
    props("aes256-sha384", IKE_PROTO_ESP, &b.esp_props);
    ike_pair p;
    pair_init(&p, &a, &b, 78);
    g_assert_nonnull(ike_ep_initiate(p.ep[0], p.now, 1));
    g_assert_cmpint(pair_deliver(&p, 1 * MS), ==, 6); /* INIT, INVALID_KE, INIT, INIT, AUTH, AUTH */
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_SA_ESTABLISHED), ==, 1);
    ike_suite want_r = { IKE_ENCR_AES_GCM_16, 256, 0, IKE_PRF_HMAC_SHA2_384, IKE_DH_ECP384 };
    g_assert_cmpmem(ike_sa_suite(pair_sa(&p, 0)), sizeof want_r, &want_r, sizeof want_r);
    g_assert_cmpuint(ike_sa_child(pair_sa(&p, 0))->suite.integ, ==, IKE_INTEG_HMAC_SHA2_384_192);
    pair_free(&p);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/suites/prf/rfc2202-rfc4231", test_prf_kat);
    g_test_add_func("/suites/prf/plus-sha512", test_prf_plus_sha512);
    g_test_add_func("/suites/integ/rfc2202-rfc4868", test_integ_kat);
    g_test_add_func("/suites/aead/gcm-short-tags", test_gcm_short_tags);
    g_test_add_func("/suites/aead/ccm-rfc3610-nist", test_ccm_kat);
    g_test_add_func("/suites/aead/chacha20-poly1305-rfc8439", test_chacha_kat);
    g_test_add_func("/suites/aead/same-as-provider", test_same_as_provider);
    g_test_add_func("/suites/dh/ecp-rfc5903", test_ecp_rfc5903);
    g_test_add_func("/suites/dh/x448-rfc7748", test_x448_rfc7748);
    g_test_add_func("/suites/dh/agree-every-group", test_dh_agree_all);
    g_test_add_func("/suites/keys/lengths", test_keys_lengths);
    g_test_add_func("/suites/sk/every-suite", test_sk_every_suite);
    g_test_add_func("/suites/esp/every-suite", test_esp_every_suite);
    g_test_add_func("/suites/proposals/parse", test_props_parse);
    g_test_add_func("/suites/proposals/select", test_props_select);
    g_test_add_func("/suites/handshake/every-suite", test_handshake_every_suite);
    g_test_add_func("/suites/handshake/strongswan-preset", test_handshake_strongswan_preset);
    return g_test_run();
}
