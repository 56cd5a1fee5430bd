/* ike_rekey_keys.c — SKEYSEED from an old SK_d, and Child SA KEYMAT with PFS. */
#include "ike_rekey_keys.h"

#include <string.h>

#include <openssl/crypto.h>

enum { NONCE_MAX = 256, GIR_MAX = 256 /* MODP-2048 */ };

static const char RESUMPTION[] = "Resumption"; /* 10 octets, no NUL (RFC 5723 §5.1) */

int ike_skeyseed_from_sk_d(const uint8_t sk_d_old[IKE_PRF_LEN], const uint8_t *gir, size_t gir_len,
                           const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
                           uint8_t skeyseed[IKE_PRF_LEN])
{
    if (ni_len > NONCE_MAX || nr_len > NONCE_MAX || gir_len > GIR_MAX || (gir == NULL) != (gir_len == 0))
        return IKE_E_SYNTAX;
    ike_iov first = gir_len > 0 ? (ike_iov){ gir, gir_len }
                                : (ike_iov){ (const uint8_t *)RESUMPTION, sizeof RESUMPTION - 1 };
    const ike_iov seg[3] = { first, { ni, ni_len }, { nr, nr_len } };
    return ike_prf(sk_d_old, IKE_PRF_LEN, seg, 3, skeyseed);
}

/* SKEYSEED from the old SK_d, then the §2.14 split with the new SPIs. */
static int keys_from_sk_d(const ike_suite *s, const uint8_t sk_d_old[IKE_PRF_LEN],
                          const uint8_t *gir, size_t gir_len, const uint8_t *ni, size_t ni_len,
                          const uint8_t *nr, size_t nr_len, uint64_t spi_i, uint64_t spi_r,
                          ike_keys *out)
{
    if (s->prf != IKE_PRF_HMAC_SHA2_256)
        return IKE_E_UNSUPPORTED; /* SK_d and SKEYSEED here are PRF-HMAC-SHA2-256's 32 octets */
    uint8_t skeyseed[IKE_PRF_LEN];
    int rc = ike_skeyseed_from_sk_d(sk_d_old, gir, gir_len, ni, ni_len, nr, nr_len, skeyseed);
    if (rc == IKE_OK)
        rc = ike_keys_split(s, skeyseed, ni, ni_len, nr, nr_len, spi_i, spi_r, out);
    OPENSSL_cleanse(skeyseed, sizeof skeyseed);
    return rc;
}

int ike_rekey_ike_keys(const ike_suite *s, const uint8_t sk_d_old[IKE_PRF_LEN],
                       const uint8_t *gir, size_t gir_len, const uint8_t *ni, size_t ni_len,
                       const uint8_t *nr, size_t nr_len, uint64_t spi_i, uint64_t spi_r,
                       ike_keys *out)
{
    if (gir_len == 0)
        return IKE_E_SYNTAX; /* §2.18: never without a key exchange */
    return keys_from_sk_d(s, sk_d_old, gir, gir_len, ni, ni_len, nr, nr_len, spi_i, spi_r, out);
}

int ike_rekey_ike_keys_with(uint16_t old_prf, const ike_suite *s, const uint8_t *sk_d_old,
                            const uint8_t *gir, size_t gir_len, const uint8_t *ni, size_t ni_len,
                            const uint8_t *nr, size_t nr_len, uint64_t spi_i, uint64_t spi_r,
                            ike_keys *out)
{
    size_t pl = ike_prf_len(old_prf);
    if (pl == 0 || pl != ike_prf_len(s->prf))
        return IKE_E_UNSUPPORTED;
    if (gir_len == 0 || gir_len > IKE_MAX_SHARED || ni_len > NONCE_MAX || nr_len > NONCE_MAX)
        return IKE_E_SYNTAX;
    uint8_t skeyseed[IKE_PRF_MAX];
    const ike_iov seg[3] = { { gir, gir_len }, { ni, ni_len }, { nr, nr_len } };
    int rc = ike_prf_with(old_prf, sk_d_old, pl, seg, 3, skeyseed);
    if (rc == IKE_OK)
        rc = ike_keys_split(s, skeyseed, ni, ni_len, nr, nr_len, spi_i, spi_r, out);
    OPENSSL_cleanse(skeyseed, sizeof skeyseed);
    return rc;
}

int ike_resume_keys(const ike_suite *s, const uint8_t sk_d_old[IKE_PRF_LEN], const uint8_t *ni,
                    size_t ni_len, const uint8_t *nr, size_t nr_len, uint64_t spi_i, uint64_t spi_r,
                    ike_keys *out)
{
    return keys_from_sk_d(s, sk_d_old, NULL, 0, ni, ni_len, nr, nr_len, spi_i, spi_r, out);
}

int ike_child_keymat_pfs(const uint8_t sk_d[IKE_PRF_LEN], const uint8_t *gir, size_t gir_len,
                         const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
                         uint8_t *out, size_t out_len)
{
    if (ni_len > NONCE_MAX || nr_len > NONCE_MAX || gir_len > GIR_MAX)
        return IKE_E_SYNTAX;
    uint8_t seed[GIR_MAX + 2 * NONCE_MAX];
    const ike_iov parts[3] = { { gir, gir_len }, { ni, ni_len }, { nr, nr_len } };
    size_t len = 0;
    for (int i = 0; i < 3; i++) {
        if (parts[i].len > 0)
            memcpy(seed + len, parts[i].p, parts[i].len);
        len += parts[i].len;
    }
    int rc = ike_prf_plus(sk_d, IKE_PRF_LEN, seed, len, out, out_len);
    OPENSSL_cleanse(seed, len);
    return rc;
}
