#include "ike_crypto.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/dh.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

enum {
    MODP_LEN = 256,  /* group 14 modulus, public value and g^ir */
    X25519_LEN = 32,
    SALT_LEN = 4,    /* RFC 5282 §7.1: the tail of SK_e for GCM */
    NONCE_MAX = 256, /* RFC 7296 §3.9 */
    PRF_BLOCKS = 255,
};

/* --- Suites --- */

/* The encryption half of a suite, all that the SK payload needs (an ESP or
 * rekeyed suite may leave dh or prf unset). */
static int cipher_ok(const ike_suite *s)
{
    if (s->encr_bits != 128 && s->encr_bits != 192 && s->encr_bits != 256)
        return 0;
    return (s->encr == IKE_ENCR_AES_GCM_16 && s->integ == IKE_INTEG_NONE) ||
           (s->encr == IKE_ENCR_AES_CBC && s->integ == IKE_INTEG_HMAC_SHA2_256_128);
}

int ike_suite_check(const ike_suite *s)
{
    if (!cipher_ok(s) || s->prf != IKE_PRF_HMAC_SHA2_256 || ike_dh_ke_len(s->dh) == 0)
        return IKE_E_UNSUPPORTED;
    return IKE_OK;
}

size_t ike_encr_key_len(const ike_suite *s)
{
    if (!cipher_ok(s))
        return 0;
    return s->encr_bits / 8u + (s->encr == IKE_ENCR_AES_GCM_16 ? SALT_LEN : 0);
}

size_t ike_integ_key_len(const ike_suite *s)
{
    return cipher_ok(s) && s->integ == IKE_INTEG_HMAC_SHA2_256_128 ? IKE_PRF_LEN : 0;
}

size_t ike_iv_len(const ike_suite *s)
{
    if (!cipher_ok(s))
        return 0;
    return s->encr == IKE_ENCR_AES_GCM_16 ? 8 : 16;
}

size_t ike_icv_len(const ike_suite *s)
{
    return cipher_ok(s) ? 16 : 0;
}

/* --- Diffie-Hellman --- */

struct ike_dh {
    uint16_t group;
    EVP_PKEY *key;          /* own key pair */
    uint8_t pub[IKE_MAX_KE];
};

size_t ike_dh_ke_len(uint16_t group)
{
    switch (group) {
    case IKE_DH_CURVE25519: return X25519_LEN;
    case IKE_DH_MODP2048: return MODP_LEN;
    }
    return 0;
}

/* A group 14 key from OpenSSL's named group; priv may be NULL (a peer). */
static EVP_PKEY *modp_key(const BIGNUM *priv, const BIGNUM *pub)
{
    char group[] = "modp_2048";
    OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *pc = NULL;
    EVP_PKEY *key = NULL;
    if (b != NULL &&
        OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME, group, 0) == 1 &&
        OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_PUB_KEY, pub) == 1 &&
        (priv == NULL || OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_PRIV_KEY, priv) == 1) &&
        (params = OSSL_PARAM_BLD_to_param(b)) != NULL &&
        (pc = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL)) != NULL &&
        EVP_PKEY_fromdata_init(pc) == 1)
        EVP_PKEY_fromdata(pc, &key, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params);
    EVP_PKEY_CTX_free(pc);
    OSSL_PARAM_free(params); /* the secure part holding priv is wiped */
    OSSL_PARAM_BLD_free(b);
    return key;
}

static int modp_new(ike_dh *dh, const uint8_t rand[IKE_DH_PRIV_RAND])
{
    /* A 256-bit exponent with its top bit set: never zero, and every key
     * takes the same time to exponentiate. */
    uint8_t x_oct[IKE_DH_PRIV_RAND];
    memcpy(x_oct, rand, sizeof x_oct);
    x_oct[0] |= 0x80;

    BIGNUM *x = BN_secure_new(), *g = BN_new(), *y = BN_new();
    BIGNUM *p = BN_get_rfc3526_prime_2048(NULL);
    BN_CTX *bc = BN_CTX_new();
    int rc = IKE_E_CRYPTO;
    if (x != NULL && g != NULL && y != NULL && p != NULL && bc != NULL &&
        BN_bin2bn(x_oct, sizeof x_oct, x) != NULL && BN_set_word(g, 2) == 1) {
        BN_set_flags(x, BN_FLG_CONSTTIME);
        if (BN_mod_exp(y, g, x, p, bc) == 1 && BN_bn2binpad(y, dh->pub, MODP_LEN) == MODP_LEN &&
            (dh->key = modp_key(x, y)) != NULL)
            rc = IKE_OK;
    }
    OPENSSL_cleanse(x_oct, sizeof x_oct);
    BN_clear_free(x);
    BN_free(g);
    BN_free(y);
    BN_free(p);
    BN_CTX_free(bc);
    return rc;
}

static int x25519_new(ike_dh *dh, const uint8_t rand[IKE_DH_PRIV_RAND])
{
    size_t n = X25519_LEN;
    dh->key = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, rand, X25519_LEN);
    if (dh->key == NULL || EVP_PKEY_get_raw_public_key(dh->key, dh->pub, &n) != 1 ||
        n != X25519_LEN)
        return IKE_E_CRYPTO;
    return IKE_OK;
}

int ike_dh_new(uint16_t group, const uint8_t rand[IKE_DH_PRIV_RAND], ike_dh **out)
{
    *out = NULL;
    if (ike_dh_ke_len(group) == 0)
        return IKE_E_UNSUPPORTED;
    ike_dh *dh = calloc(1, sizeof *dh);
    if (dh == NULL)
        return IKE_E_CRYPTO;
    dh->group = group;
    int rc = group == IKE_DH_CURVE25519 ? x25519_new(dh, rand) : modp_new(dh, rand);
    if (rc != IKE_OK) {
        ike_dh_free(dh);
        return rc;
    }
    *out = dh;
    return IKE_OK;
}

void ike_dh_free(ike_dh *dh)
{
    if (dh == NULL)
        return;
    EVP_PKEY_free(dh->key);
    free(dh);
}

int ike_dh_public(const ike_dh *dh, uint8_t *out, size_t len)
{
    if (len != ike_dh_ke_len(dh->group))
        return IKE_E_SPACE;
    memcpy(out, dh->pub, len);
    return IKE_OK;
}

/* OpenSSL's own peer validation is off: for MODP the range check below is
 * what RFC 7296 asks, and X25519 accepts any u-coordinate (RFC 7748 §5). */
static int derive(EVP_PKEY *own, EVP_PKEY *peer, int pad, uint8_t *out, size_t want)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, own, NULL);
    size_t n = want;
    int ok = c != NULL && EVP_PKEY_derive_init(c) == 1 &&
             (!pad || EVP_PKEY_CTX_set_dh_pad(c, 1) == 1) &&
             EVP_PKEY_derive_set_peer_ex(c, peer, 0) == 1 &&
             EVP_PKEY_derive(c, out, &n) == 1 && n == want;
    EVP_PKEY_CTX_free(c);
    if (!ok)
        OPENSSL_cleanse(out, want);
    return ok ? IKE_OK : IKE_E_CRYPTO;
}

static int modp_shared(const ike_dh *dh, const uint8_t *peer, uint8_t *out)
{
    BIGNUM *y = BN_bin2bn(peer, MODP_LEN, NULL);
    BIGNUM *pm1 = BN_get_rfc3526_prime_2048(NULL);
    EVP_PKEY *pk = NULL;
    int rc = IKE_E_CRYPTO;
    /* 0, 1 and p-1 would force g^ir into a subgroup of order <= 2. */
    if (y != NULL && pm1 != NULL && BN_sub_word(pm1, 1) == 1 &&
        BN_cmp(y, BN_value_one()) > 0 && BN_cmp(y, pm1) < 0 &&
        (pk = modp_key(NULL, y)) != NULL)
        rc = derive(dh->key, pk, 1, out, MODP_LEN); /* pad: g^ir keeps its leading zeros */
    EVP_PKEY_free(pk);
    BN_free(y);
    BN_free(pm1);
    return rc;
}

int ike_dh_shared(const ike_dh *dh, const uint8_t *peer, size_t peer_len,
                  uint8_t *out, size_t cap, size_t *out_len)
{
    size_t len = ike_dh_ke_len(dh->group);
    if (peer_len != len)
        return IKE_E_SYNTAX;
    if (cap < len)
        return IKE_E_SPACE;
    int rc;
    if (dh->group == IKE_DH_MODP2048) {
        rc = modp_shared(dh, peer, out);
    } else {
        /* OpenSSL refuses an all-zero X25519 result (a low-order peer point). */
        EVP_PKEY *pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, peer, len);
        rc = pk != NULL ? derive(dh->key, pk, 0, out, len) : IKE_E_CRYPTO;
        EVP_PKEY_free(pk);
    }
    if (rc == IKE_OK)
        *out_len = len;
    return rc;
}

/* --- PRF_HMAC_SHA2_256 and prf+ --- */

static EVP_MAC *hmac_fetch(void)
{
    return EVP_MAC_fetch(NULL, "HMAC", NULL);
}

static int prf_with(EVP_MAC *mac, const uint8_t *key, size_t key_len, const ike_iov *seg,
                    size_t n, uint8_t out[IKE_PRF_LEN])
{
    static const uint8_t no_key[1]; /* EVP_MAC_init reads a NULL key as "keep the old one" */
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    if (key == NULL && key_len > 0)
        return IKE_E_SYNTAX;
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(mac);
    size_t outl = 0;
    int ok = ctx != NULL && EVP_MAC_init(ctx, key != NULL ? key : no_key, key_len, params) == 1;
    for (size_t i = 0; ok && i < n; i++)
        ok = seg[i].len == 0 || EVP_MAC_update(ctx, seg[i].p, seg[i].len) == 1;
    ok = ok && EVP_MAC_final(ctx, out, &outl, IKE_PRF_LEN) == 1 && outl == IKE_PRF_LEN;
    EVP_MAC_CTX_free(ctx);
    return ok ? IKE_OK : IKE_E_CRYPTO;
}

int ike_prf(const uint8_t *key, size_t key_len, const ike_iov *seg, size_t n,
            uint8_t out[IKE_PRF_LEN])
{
    EVP_MAC *mac = hmac_fetch();
    int rc = mac != NULL ? prf_with(mac, key, key_len, seg, n, out) : IKE_E_CRYPTO;
    EVP_MAC_free(mac);
    return rc;
}

int ike_prf_plus(const uint8_t *key, size_t key_len, const uint8_t *seed, size_t seed_len,
                 uint8_t *out, size_t out_len)
{
    if (out_len > PRF_BLOCKS * IKE_PRF_LEN)
        return IKE_E_SYNTAX; /* the block counter is one octet */
    EVP_MAC *mac = hmac_fetch();
    if (mac == NULL)
        return IKE_E_CRYPTO;
    uint8_t t[IKE_PRF_LEN];
    int rc = IKE_OK;
    for (size_t done = 0, i = 1; done < out_len; i++) {
        uint8_t ctr = (uint8_t)i;
        /* Tn = prf(K, T(n-1) | S | n), with T0 empty; T is read before it is overwritten. */
        ike_iov seg[3] = { { t, i > 1 ? IKE_PRF_LEN : 0 }, { seed, seed_len }, { &ctr, 1 } };
        rc = prf_with(mac, key, key_len, seg, 3, t);
        if (rc != IKE_OK)
            break;
        size_t k = out_len - done < IKE_PRF_LEN ? out_len - done : IKE_PRF_LEN;
        memcpy(out + done, t, k);
        done += k;
    }
    OPENSSL_cleanse(t, sizeof t);
    EVP_MAC_free(mac);
    if (rc != IKE_OK && out_len > 0)
        OPENSSL_cleanse(out, out_len);
    return rc;
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

int ike_keys_split(const ike_suite *s, const uint8_t skeyseed[IKE_PRF_LEN], const uint8_t *ni,
                   size_t ni_len, const uint8_t *nr, size_t nr_len, uint64_t spi_i, uint64_t spi_r,
                   ike_keys *out)
{
    if (!cipher_ok(s) || s->prf != IKE_PRF_HMAC_SHA2_256)
        return IKE_E_UNSUPPORTED;
    if (ni_len > NONCE_MAX || nr_len > NONCE_MAX)
        return IKE_E_SYNTAX;
    uint8_t seed[2 * NONCE_MAX + 16];
    size_t nn = nonces(seed, ni, ni_len, nr, nr_len);
    put64(seed + nn, spi_i);
    put64(seed + nn + 8, spi_r);

    size_t il = ike_integ_key_len(s), el = ike_encr_key_len(s);
    size_t total = 3 * IKE_PRF_LEN + 2 * il + 2 * el;
    uint8_t km[3 * IKE_PRF_LEN + 2 * IKE_PRF_LEN + 2 * IKE_MAX_KEY];
    int rc = ike_prf_plus(skeyseed, IKE_PRF_LEN, seed, nn + 16, km, total);
    if (rc == IKE_OK) {
        memset(out, 0, sizeof *out);
        out->integ_len = il;
        out->encr_len = el;
        const uint8_t *p = km;
        take(&p, out->d, IKE_PRF_LEN);
        take(&p, out->ai, il);
        take(&p, out->ar, il);
        take(&p, out->ei, el);
        take(&p, out->er, el);
        take(&p, out->pi, IKE_PRF_LEN);
        take(&p, out->pr, IKE_PRF_LEN);
    }
    OPENSSL_cleanse(km, sizeof km);
    return rc;
}

int ike_derive_keys(const ike_suite *s, const uint8_t *ni, size_t ni_len,
                    const uint8_t *nr, size_t nr_len, const uint8_t *gir, size_t gir_len,
                    uint64_t spi_i, uint64_t spi_r, ike_keys *out)
{
    if (!cipher_ok(s) || s->prf != IKE_PRF_HMAC_SHA2_256)
        return IKE_E_UNSUPPORTED;
    if (ni_len > NONCE_MAX || nr_len > NONCE_MAX)
        return IKE_E_SYNTAX;
    uint8_t key[2 * NONCE_MAX], skeyseed[IKE_PRF_LEN];
    size_t nn = nonces(key, ni, ni_len, nr, nr_len);
    ike_iov g = { gir, gir_len };
    int rc = ike_prf(key, nn, &g, 1, skeyseed); /* the key is Ni | Nr */
    if (rc == IKE_OK)
        rc = ike_keys_split(s, skeyseed, ni, ni_len, nr, nr_len, spi_i, spi_r, out);
    OPENSSL_cleanse(skeyseed, sizeof skeyseed);
    return rc;
}

int ike_child_keymat(const uint8_t sk_d[IKE_PRF_LEN], const uint8_t *ni, size_t ni_len,
                     const uint8_t *nr, size_t nr_len, uint8_t *out, size_t out_len)
{
    if (ni_len > NONCE_MAX || nr_len > NONCE_MAX)
        return IKE_E_SYNTAX;
    uint8_t seed[2 * NONCE_MAX];
    size_t nn = nonces(seed, ni, ni_len, nr, nr_len);
    return ike_prf_plus(sk_d, IKE_PRF_LEN, seed, nn, out, out_len);
}

/* prf(key, RealMessage | PeerNonce | prf(SK_p, RestOfID)): the octets RFC 7296 §2.15 signs. */
static int auth_over(const uint8_t *key, size_t key_len, const uint8_t *real_msg, size_t msg_len,
                     const uint8_t *peer_nonce, size_t nonce_len, const uint8_t sk_p[IKE_PRF_LEN],
                     const uint8_t *id_body, size_t id_len, uint8_t out[IKE_PRF_LEN])
{
    const ike_iov id_seg = { id_body, id_len };
    uint8_t id_mac[IKE_PRF_LEN];
    int rc = ike_prf(sk_p, IKE_PRF_LEN, &id_seg, 1, id_mac);
    if (rc == IKE_OK) {
        const ike_iov signed_octets[3] = {
            { real_msg, msg_len }, { peer_nonce, nonce_len }, { id_mac, IKE_PRF_LEN },
        };
        rc = ike_prf(key, key_len, signed_octets, 3, out);
    }
    return rc;
}

int ike_psk_auth(const uint8_t *psk, size_t psk_len, const uint8_t *real_msg, size_t msg_len,
                 const uint8_t *peer_nonce, size_t nonce_len, const uint8_t sk_p[IKE_PRF_LEN],
                 const uint8_t *id_body, size_t id_len, uint8_t out[IKE_PRF_LEN])
{
    static const char pad[] = "Key Pad for IKEv2";
    const ike_iov pad_seg = { (const uint8_t *)pad, sizeof pad - 1 }; /* no NUL */
    uint8_t key[IKE_PRF_LEN];
    int rc = ike_prf(psk, psk_len, &pad_seg, 1, key);
    if (rc == IKE_OK)
        rc = auth_over(key, IKE_PRF_LEN, real_msg, msg_len, peer_nonce, nonce_len, sk_p, id_body,
                       id_len, out);
    OPENSSL_cleanse(key, sizeof key);
    return rc;
}

int ike_resumed_auth(const uint8_t *real_msg, size_t msg_len, const uint8_t *peer_nonce,
                     size_t nonce_len, const uint8_t sk_p[IKE_PRF_LEN], const uint8_t *id_body,
                     size_t id_len, uint8_t out[IKE_PRF_LEN])
{
    return auth_over(sk_p, IKE_PRF_LEN, real_msg, msg_len, peer_nonce, nonce_len, sk_p, id_body,
                     id_len, out);
}

int ike_ct_equal(const uint8_t *a, const uint8_t *b, size_t len)
{
    return len == 0 || CRYPTO_memcmp(a, b, len) == 0;
}
