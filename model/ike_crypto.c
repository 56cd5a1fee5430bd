#include "ike_crypto.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "hmac_ctx.h"
#include "ike_algs.h"

enum {
    NONCE_MAX = 256, /* RFC 7296 §3.9 */
    PRF_BLOCKS = 255,
};

/* --- Suites --- */

/* The encryption half of a suite, all that the SK payload needs (an ESP or
 * rekeyed suite may leave dh or prf unset): an AEAD alone, or CBC with an
 * HMAC. */
static const ike_encr_alg *cipher_of(const ike_suite *s)
{
    const ike_encr_alg *e = ike_encr_alg_find(s->encr);
    if (e == NULL)
        return NULL;
    if (e->fixed_256 ? s->encr_bits != 256
                     : s->encr_bits != 128 && s->encr_bits != 192 && s->encr_bits != 256)
        return NULL;
    bool aead = e->mode != IKE_MODE_CBC;
    if (aead ? s->integ != IKE_INTEG_NONE : ike_integ_alg_find(s->integ) == NULL)
        return NULL;
    return e;
}

int ike_cipher_check(const ike_suite *s)
{
    return cipher_of(s) ? IKE_OK : IKE_E_UNSUPPORTED;
}

int ike_suite_check(const ike_suite *s)
{
    if (!cipher_of(s) || !ike_prf_alg_find(s->prf) || ike_dh_ke_len(s->dh) == 0)
        return IKE_E_UNSUPPORTED;
    return IKE_OK;
}

size_t ike_encr_key_len(const ike_suite *s)
{
    const ike_encr_alg *e = cipher_of(s);
    return e ? s->encr_bits / 8u + e->salt : 0;
}

size_t ike_integ_key_len(const ike_suite *s)
{
    const ike_hmac_alg *i = cipher_of(s) ? ike_integ_alg_find(s->integ) : NULL;
    return i ? i->key_len : 0;
}

size_t ike_iv_len(const ike_suite *s)
{
    const ike_encr_alg *e = cipher_of(s);
    return e ? e->iv : 0;
}

size_t ike_icv_len(const ike_suite *s)
{
    const ike_encr_alg *e = cipher_of(s);
    if (e == NULL)
        return 0;
    return e->mode != IKE_MODE_CBC ? e->icv : ike_integ_alg_find(s->integ)->out_len;
}

size_t ike_prf_len(uint16_t prf)
{
    const ike_hmac_alg *p = ike_prf_alg_find(prf);
    return p ? p->out_len : 0;
}

/* --- HMAC: the PRFs, prf+ and the integrity transforms --- */

/* HMAC-digest(key, the n segments) in the thread's context for digest,
 * out_len octets of it; key_again false keys it anew, true reuses the key
 * it was last given (prf+'s blocks: the key pads are hashed once). */
static int hmac(const char *digest, bool key_again, const uint8_t *key, size_t key_len,
                const ike_iov *seg, size_t n, uint8_t *out, size_t out_len)
{
    static const uint8_t no_key[1]; /* EVP_MAC_init reads a NULL key as "keep the old one" */
    if (key == NULL && key_len > 0)
        return IKE_E_SYNTAX;
    EVP_MAC_CTX *ctx = hmac_ctx(digest);
    uint8_t full[IKE_PRF_MAX];
    size_t outl = 0;
    int ok = ctx != NULL && (key_again ? EVP_MAC_init(ctx, NULL, 0, NULL)
                                       : EVP_MAC_init(ctx, key != NULL ? key : no_key, key_len, NULL)) == 1;
    for (size_t i = 0; ok && i < n; i++)
        ok = seg[i].len == 0 || EVP_MAC_update(ctx, seg[i].p, seg[i].len) == 1;
    ok = ok && EVP_MAC_final(ctx, full, &outl, sizeof full) == 1 && outl >= out_len;
    if (ok)
        memcpy(out, full, out_len);
    OPENSSL_cleanse(full, sizeof full);
    return ok ? IKE_OK : IKE_E_CRYPTO;
}

int ike_prf(const uint8_t *key, size_t key_len, const ike_iov *seg, size_t n,
            uint8_t out[IKE_PRF_LEN])
{
    return hmac("SHA256", false, key, key_len, seg, n, out, IKE_PRF_LEN);
}

int ike_prf_with(uint16_t prf, const uint8_t *key, size_t key_len, const ike_iov *seg, size_t n,
                 uint8_t *out)
{
    const ike_hmac_alg *p = ike_prf_alg_find(prf);
    return p ? hmac(p->digest, false, key, key_len, seg, n, out, p->out_len) : IKE_E_UNSUPPORTED;
}

int ike_integ(uint16_t integ, const uint8_t *key, const ike_iov *seg, size_t n, uint8_t *icv)
{
    const ike_hmac_alg *i = ike_integ_alg_find(integ);
    return i ? hmac(i->digest, false, key, i->key_len, seg, n, icv, i->out_len) : IKE_E_UNSUPPORTED;
}

int ike_prf_plus_with(uint16_t prf, const uint8_t *key, size_t key_len, const uint8_t *seed,
                      size_t seed_len, uint8_t *out, size_t out_len)
{
    const ike_hmac_alg *p = ike_prf_alg_find(prf);
    if (p == NULL)
        return IKE_E_UNSUPPORTED;
    size_t len = p->out_len;
    if (out_len > PRF_BLOCKS * len)
        return IKE_E_SYNTAX; /* the block counter is one octet */
    uint8_t t[IKE_PRF_MAX];
    int rc = IKE_OK;
    for (size_t done = 0, i = 1; done < out_len; i++) {
        uint8_t ctr = (uint8_t)i;
        /* Tn = prf(K, T(n-1) | S | n), with T0 empty; T is read before it is overwritten. */
        ike_iov seg[3] = { { t, i > 1 ? len : 0 }, { seed, seed_len }, { &ctr, 1 } };
        rc = hmac(p->digest, i > 1, key, key_len, seg, 3, t, len);
        if (rc != IKE_OK)
            break;
        size_t k = out_len - done < len ? out_len - done : len;
        memcpy(out + done, t, k);
        done += k;
    }
    OPENSSL_cleanse(t, sizeof t);
    if (rc != IKE_OK && out_len > 0)
        OPENSSL_cleanse(out, out_len);
    return rc;
}

int ike_prf_plus(const uint8_t *key, size_t key_len, const uint8_t *seed, size_t seed_len,
                 uint8_t *out, size_t out_len)
{
    return ike_prf_plus_with(IKE_PRF_HMAC_SHA2_256, key, key_len, seed, seed_len, out, out_len);
}

/* --- Keys --- */

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

/* Ni | Nr into buf; the caller has checked both against NONCE_MAX. */
static size_t nonces(uint8_t *buf, const uint8_t *ni, size_t ni_len, const uint8_t *nr,
                     size_t nr_len)
{
    if (ni_len > 0)
        memcpy(buf, ni, ni_len);
    if (nr_len > 0)
        memcpy(buf + ni_len, nr, nr_len);
    return ni_len + nr_len;
}

/* Takes the next len octets of the prf+ stream. */
static void take(const uint8_t **p, uint8_t *dst, size_t len)
{
    memcpy(dst, *p, len);
    *p += len;
}

int ike_keys_split(const ike_suite *s, const uint8_t *skeyseed, const uint8_t *ni,
                   size_t ni_len, const uint8_t *nr, size_t nr_len, uint64_t spi_i, uint64_t spi_r,
                   ike_keys *out)
{
    size_t pl = ike_prf_len(s->prf);
    if (!cipher_of(s) || pl == 0)
        return IKE_E_UNSUPPORTED;
    if (ni_len > NONCE_MAX || nr_len > NONCE_MAX)
        return IKE_E_SYNTAX;
    uint8_t seed[2 * NONCE_MAX + 16];
    size_t nn = nonces(seed, ni, ni_len, nr, nr_len);
    put64(seed + nn, spi_i);
    put64(seed + nn + 8, spi_r);

    size_t il = ike_integ_key_len(s), el = ike_encr_key_len(s);
    size_t total = 3 * pl + 2 * il + 2 * el;
    uint8_t km[3 * IKE_PRF_MAX + 2 * IKE_PRF_MAX + 2 * IKE_MAX_KEY];
    int rc = ike_prf_plus_with(s->prf, skeyseed, pl, seed, nn + 16, km, total);
    if (rc == IKE_OK) {
        memset(out, 0, sizeof *out);
        out->prf_len = (uint8_t)pl;
        out->integ_len = (uint8_t)il;
        out->encr_len = (uint8_t)el;
        const uint8_t *p = km;
        take(&p, out->d, pl);
        take(&p, out->ai, il);
        take(&p, out->ar, il);
        take(&p, out->ei, el);
        take(&p, out->er, el);
        take(&p, out->pi, pl);
        take(&p, out->pr, pl);
    }
    OPENSSL_cleanse(km, sizeof km);
    return rc;
}

int ike_derive_keys(const ike_suite *s, const uint8_t *ni, size_t ni_len,
                    const uint8_t *nr, size_t nr_len, const uint8_t *gir, size_t gir_len,
                    uint64_t spi_i, uint64_t spi_r, ike_keys *out)
{
    if (!cipher_of(s) || ike_prf_len(s->prf) == 0)
        return IKE_E_UNSUPPORTED;
    if (ni_len > NONCE_MAX || nr_len > NONCE_MAX)
        return IKE_E_SYNTAX;
    uint8_t key[2 * NONCE_MAX], skeyseed[IKE_PRF_MAX];
    size_t nn = nonces(key, ni, ni_len, nr, nr_len);
    ike_iov g = { gir, gir_len };
    int rc = ike_prf_with(s->prf, key, nn, &g, 1, skeyseed); /* the key is Ni | Nr */
    if (rc == IKE_OK)
        rc = ike_keys_split(s, skeyseed, ni, ni_len, nr, nr_len, spi_i, spi_r, out);
    OPENSSL_cleanse(skeyseed, sizeof skeyseed);
    return rc;
}

int ike_child_keymat(uint16_t prf, const uint8_t *sk_d, const uint8_t *ni, size_t ni_len,
                     const uint8_t *nr, size_t nr_len, uint8_t *out, size_t out_len)
{
    if (ni_len > NONCE_MAX || nr_len > NONCE_MAX)
        return IKE_E_SYNTAX;
    uint8_t seed[2 * NONCE_MAX];
    size_t nn = nonces(seed, ni, ni_len, nr, nr_len);
    return ike_prf_plus_with(prf, sk_d, ike_prf_len(prf), seed, nn, out, out_len);
}

/* prf(key, RealMessage | PeerNonce | prf(SK_p, RestOfID)): the octets RFC 7296 §2.15 signs. */
static int auth_over(uint16_t prf, const uint8_t *key, size_t key_len, const uint8_t *real_msg,
                     size_t msg_len, const uint8_t *peer_nonce, size_t nonce_len, const uint8_t *sk_p,
                     const uint8_t *id_body, size_t id_len, uint8_t *out)
{
    const ike_iov id_seg = { id_body, id_len };
    size_t pl = ike_prf_len(prf);
    uint8_t id_mac[IKE_PRF_MAX];
    int rc = ike_prf_with(prf, sk_p, pl, &id_seg, 1, id_mac);
    if (rc == IKE_OK) {
        const ike_iov signed_octets[3] = {
            { real_msg, msg_len }, { peer_nonce, nonce_len }, { id_mac, pl },
        };
        rc = ike_prf_with(prf, key, key_len, signed_octets, 3, out);
    }
    return rc;
}

int ike_psk_auth(uint16_t prf, const uint8_t *psk, size_t psk_len, const uint8_t *real_msg,
                 size_t msg_len, const uint8_t *peer_nonce, size_t nonce_len, const uint8_t *sk_p,
                 const uint8_t *id_body, size_t id_len, uint8_t *out)
{
    static const char pad[] = "Key Pad for IKEv2";
    const ike_iov pad_seg = { (const uint8_t *)pad, sizeof pad - 1 }; /* no NUL */
    uint8_t key[IKE_PRF_MAX];
    int rc = ike_prf_with(prf, psk, psk_len, &pad_seg, 1, key);
    if (rc == IKE_OK)
        rc = auth_over(prf, key, ike_prf_len(prf), real_msg, msg_len, peer_nonce, nonce_len, sk_p,
                       id_body, id_len, out);
    OPENSSL_cleanse(key, sizeof key);
    return rc;
}

int ike_resumed_auth(const uint8_t *real_msg, size_t msg_len, const uint8_t *peer_nonce,
                     size_t nonce_len, const uint8_t sk_p[IKE_PRF_LEN], const uint8_t *id_body,
                     size_t id_len, uint8_t out[IKE_PRF_LEN])
{
    return auth_over(IKE_PRF_HMAC_SHA2_256, sk_p, IKE_PRF_LEN, real_msg, msg_len, peer_nonce,
                     nonce_len, sk_p, id_body, id_len, out);
}

int ike_ct_equal(const uint8_t *a, const uint8_t *b, size_t len)
{
    return len == 0 || CRYPTO_memcmp(a, b, len) == 0;
}
