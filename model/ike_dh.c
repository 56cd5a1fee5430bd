/* ike_dh.c — the key exchange groups of IKE_SA_INIT over OpenSSL: MODP
 * (RFC 3526), ECP (RFC 5903) and the Montgomery curves (RFC 8031).
 *
 * Private keys are made from the caller's random octets, so a seed
 * reproduces every public value.  Peer values are checked as RFC 7296
 * §2.12 and RFC 5903 §7 ask: MODP values in 2..p-2, ECP points on the
 * curve (the curves have cofactor 1); X25519 and X448 accept any value but
 * OpenSSL refuses an all-zero result. */
#include "ike_crypto.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/dh.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

typedef enum { KIND_MODP, KIND_ECP, KIND_MONT } group_kind;

typedef struct group {
    uint16_t id;
    group_kind kind;
    uint16_t ke_len;   /* KE data: the modulus, x | y, or u */
    uint8_t priv_len;  /* random octets a private key is made from */
    const char *name;  /* OpenSSL's group name */
    int nid;           /* ECP curve, or EVP_PKEY_X25519 / X448 */
    BIGNUM *(*prime)(BIGNUM *);
} group;

/* MODP exponents of 256 bits (2048, 3072) and 384 bits (4096): at least
 * twice the group's strength.  ECP scalars take 8 octets more than the
 * order, so their reduction mod n-1 is uniform to 2^-64. */
static const group groups[] = {
    {IKE_DH_MODP2048, KIND_MODP, 256, 32, "modp_2048", 0, BN_get_rfc3526_prime_2048},
    {IKE_DH_MODP3072, KIND_MODP, 384, 32, "modp_3072", 0, BN_get_rfc3526_prime_3072},
    {IKE_DH_MODP4096, KIND_MODP, 512, 48, "modp_4096", 0, BN_get_rfc3526_prime_4096},
    {IKE_DH_ECP256, KIND_ECP, 64, 40, "P-256", NID_X9_62_prime256v1, NULL},
    {IKE_DH_ECP384, KIND_ECP, 96, 56, "P-384", NID_secp384r1, NULL},
    {IKE_DH_ECP521, KIND_ECP, 132, 74, "P-521", NID_secp521r1, NULL},
    {IKE_DH_CURVE25519, KIND_MONT, 32, 32, NULL, EVP_PKEY_X25519, NULL},
    {IKE_DH_CURVE448, KIND_MONT, 56, 56, NULL, EVP_PKEY_X448, NULL},
};

static const group *group_find(uint16_t id)
{
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
        if (groups[i].id == id)
            return &groups[i];
    return NULL;
}

struct ike_dh {
    const group *g;
    EVP_PKEY *key;          /* own key pair */
    uint8_t pub[IKE_MAX_KE];
};

size_t ike_dh_ke_len(uint16_t id)
{
    const group *g = group_find(id);
    return g ? g->ke_len : 0;
}

size_t ike_dh_priv_len(uint16_t id)
{
    const group *g = group_find(id);
    return g ? g->priv_len : 0;
}

/* A key of a MODP or ECP group from its parameters; priv may be NULL (a
 * peer).  pub is a BIGNUM for MODP, an uncompressed point for ECP. */
static EVP_PKEY *key_from(const group *g, const BIGNUM *priv, const BIGNUM *pub_bn,
                          const uint8_t *pub_oct, size_t pub_len)
{
    OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *pc = NULL;
    EVP_PKEY *key = NULL;
    int ok = b != NULL &&
             OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME, g->name, 0) == 1 &&
             (pub_bn ? OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_PUB_KEY, pub_bn)
                     : OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, pub_oct,
                                                        pub_len)) == 1 &&
             (priv == NULL || OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_PRIV_KEY, priv) == 1) &&
             (params = OSSL_PARAM_BLD_to_param(b)) != NULL &&
             (pc = EVP_PKEY_CTX_new_from_name(NULL, g->kind == KIND_MODP ? "DH" : "EC", NULL)) != NULL &&
             EVP_PKEY_fromdata_init(pc) == 1;
    if (ok)
        EVP_PKEY_fromdata(pc, &key, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params);
    EVP_PKEY_CTX_free(pc);
    OSSL_PARAM_free(params); /* the secure part holding priv is wiped */
    OSSL_PARAM_BLD_free(b);
    return key;
}

static int modp_new(ike_dh *dh, const uint8_t *rand)
{
    /* The exponent's top bit is set: never zero, and every key takes the
     * same time to exponentiate. */
    size_t n = dh->g->priv_len;
    uint8_t x_oct[IKE_DH_PRIV_RAND];
    memcpy(x_oct, rand, n);
    x_oct[0] |= 0x80;

    BIGNUM *x = BN_secure_new(), *g = BN_new(), *y = BN_new();
    BIGNUM *p = dh->g->prime(NULL);
    BN_CTX *bc = BN_CTX_new();
    int rc = IKE_E_CRYPTO;
    if (x != NULL && g != NULL && y != NULL && p != NULL && bc != NULL &&
        BN_bin2bn(x_oct, (int)n, x) != NULL && BN_set_word(g, 2) == 1) {
        BN_set_flags(x, BN_FLG_CONSTTIME);
        if (BN_mod_exp(y, g, x, p, bc) == 1 &&
            BN_bn2binpad(y, dh->pub, dh->g->ke_len) == dh->g->ke_len &&
            (dh->key = key_from(dh->g, x, y, NULL, 0)) != NULL)
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

/* d = 1 + (rand mod (n - 1)), Q = d·G; KE = x | y (RFC 5903 §7). */
static int ecp_new(ike_dh *dh, const uint8_t *rand)
{
    EC_GROUP *eg = EC_GROUP_new_by_curve_name(dh->g->nid);
    BN_CTX *bc = BN_CTX_new();
    BIGNUM *r = BN_secure_new(), *d = BN_secure_new(), *nm1 = BN_new();
    EC_POINT *q = eg ? EC_POINT_new(eg) : NULL;
    uint8_t oct[1 + IKE_MAX_KE];
    int rc = IKE_E_CRYPTO;
    if (eg != NULL && bc != NULL && r != NULL && d != NULL && nm1 != NULL && q != NULL &&
        BN_bin2bn(rand, dh->g->priv_len, r) != NULL && BN_copy(nm1, EC_GROUP_get0_order(eg)) &&
        BN_sub_word(nm1, 1) == 1 && BN_mod(d, r, nm1, bc) == 1 && BN_add_word(d, 1) == 1) {
        BN_set_flags(d, BN_FLG_CONSTTIME);
        size_t len = dh->g->ke_len + 1u;
        if (EC_POINT_mul(eg, q, d, NULL, NULL, bc) == 1 &&
            EC_POINT_point2oct(eg, q, POINT_CONVERSION_UNCOMPRESSED, oct, len, bc) == len &&
            (dh->key = key_from(dh->g, d, NULL, oct, len)) != NULL) {
            memcpy(dh->pub, oct + 1, dh->g->ke_len); /* without the 0x04 prefix */
            rc = IKE_OK;
        }
    }
    EC_POINT_free(q);
    BN_clear_free(r);
    BN_clear_free(d);
    BN_free(nm1);
    BN_CTX_free(bc);
    EC_GROUP_free(eg);
    return rc;
}

static int mont_new(ike_dh *dh, const uint8_t *rand)
{
    size_t n = dh->g->ke_len;
    dh->key = EVP_PKEY_new_raw_private_key(dh->g->nid, NULL, rand, n);
    if (dh->key == NULL || EVP_PKEY_get_raw_public_key(dh->key, dh->pub, &n) != 1 ||
        n != dh->g->ke_len)
        return IKE_E_CRYPTO;
    return IKE_OK;
}

int ike_dh_new(uint16_t id, const uint8_t *rand, ike_dh **out)
{
    *out = NULL;
    const group *g = group_find(id);
    if (g == NULL)
        return IKE_E_UNSUPPORTED;
    ike_dh *dh = calloc(1, sizeof *dh);
    if (dh == NULL)
        return IKE_E_CRYPTO;
    dh->g = g;
    int rc = g->kind == KIND_MONT ? mont_new(dh, rand)
             : g->kind == KIND_ECP ? ecp_new(dh, rand)
                                   : modp_new(dh, rand);
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
    OPENSSL_cleanse(dh, sizeof *dh);
    free(dh);
}

int ike_dh_public(const ike_dh *dh, uint8_t *out, size_t len)
{
    if (len != dh->g->ke_len)
        return IKE_E_SPACE;
    memcpy(out, dh->pub, len);
    return IKE_OK;
}

/* OpenSSL's own peer validation is off: the checks before this call are
 * the ones RFC 7296 and RFC 5903 ask for. */
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
    size_t len = dh->g->ke_len;
    BIGNUM *y = BN_bin2bn(peer, (int)len, NULL);
    BIGNUM *pm1 = dh->g->prime(NULL);
    EVP_PKEY *pk = NULL;
    int rc = IKE_E_CRYPTO;
    /* 0, 1 and p-1 would force g^ir into a subgroup of order <= 2. */
    if (y != NULL && pm1 != NULL && BN_sub_word(pm1, 1) == 1 &&
        BN_cmp(y, BN_value_one()) > 0 && BN_cmp(y, pm1) < 0 &&
        (pk = key_from(dh->g, NULL, y, NULL, 0)) != NULL)
        rc = derive(dh->key, pk, 1, out, len); /* pad: g^ir keeps its leading zeros */
    EVP_PKEY_free(pk);
    BN_free(y);
    BN_free(pm1);
    return rc;
}

/* The peer's x | y as a point on the curve (the import checks that), and
 * the shared secret its x coordinate (RFC 5903 §7). */
static int ecp_shared(const ike_dh *dh, const uint8_t *peer, uint8_t *out)
{
    size_t len = dh->g->ke_len;
    uint8_t oct[1 + IKE_MAX_KE];
    oct[0] = POINT_CONVERSION_UNCOMPRESSED;
    memcpy(oct + 1, peer, len);
    EVP_PKEY *pk = key_from(dh->g, NULL, NULL, oct, len + 1);
    EVP_PKEY_CTX *pc = pk ? EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL) : NULL;
    int rc = IKE_E_CRYPTO;
    if (pc != NULL && EVP_PKEY_public_check_quick(pc) == 1)
        rc = derive(dh->key, pk, 0, out, len / 2);
    EVP_PKEY_CTX_free(pc);
    EVP_PKEY_free(pk);
    return rc;
}

int ike_dh_shared(const ike_dh *dh, const uint8_t *peer, size_t peer_len,
                  uint8_t *out, size_t cap, size_t *out_len)
{
    const group *g = dh->g;
    size_t len = g->kind == KIND_ECP ? g->ke_len / 2u : g->ke_len;
    if (peer_len != g->ke_len)
        return IKE_E_SYNTAX;
    if (cap < len)
        return IKE_E_SPACE;
    int rc;
    if (g->kind == KIND_MODP) {
        rc = modp_shared(dh, peer, out);
    } else if (g->kind == KIND_ECP) {
        rc = ecp_shared(dh, peer, out);
    } else {
        EVP_PKEY *pk = EVP_PKEY_new_raw_public_key(g->nid, NULL, peer, len);
        rc = pk != NULL ? derive(dh->key, pk, 0, out, len) : IKE_E_CRYPTO;
        EVP_PKEY_free(pk);
    }
    if (rc == IKE_OK)
        *out_len = len;
    return rc;
}
