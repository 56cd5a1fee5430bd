/* ike_rekey_keys.h — the keys of SAs that replace or resume others:
 *
 *   IKE SA rekey (RFC 7296 §2.18)   SKEYSEED = prf(SK_d(old), g^ir(new) | Ni | Nr)
 *   resumption (RFC 5723 §5.1)      SKEYSEED = prf(SK_d(old), "Resumption" | Ni | Nr)
 *   then both                       {SK_d ... SK_pr} = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr)
 *                                   with the new exchange's nonces and the new SPIs;
 *   Child SA (§2.17)                KEYMAT = prf+(SK_d, [g^ir(new) |] Ni | Nr)
 *
 * Ni and Nr are the nonces of the CREATE_CHILD_SA or IKE_SESSION_RESUME
 * exchange, Ni the one of its initiator (who becomes the original initiator
 * of a rekeyed IKE SA, §2.18).  The model's only PRF is PRF_HMAC_SHA2_256,
 * so the old and the new IKE SA's PRF are the same here.
 */
#ifndef IKESIM_IKE_REKEY_KEYS_H
#define IKESIM_IKE_REKEY_KEYS_H

#include "ike_crypto.h"

/* SKEYSEED of a rekeyed IKE SA (gir_len > 0) or of a resumed one (gir NULL,
 * gir_len 0: the "Resumption" label in its place). */
int ike_skeyseed_from_sk_d(const uint8_t sk_d_old[IKE_PRF_LEN], const uint8_t *gir, size_t gir_len,
                           const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
                           uint8_t skeyseed[IKE_PRF_LEN]);

/* The keys of the IKE SA that a CREATE_CHILD_SA rekey makes (§2.18); a
 * rekey always exchanges keys, so gir is required. */
int ike_rekey_ike_keys(const ike_suite *s, const uint8_t sk_d_old[IKE_PRF_LEN],
                       const uint8_t *gir, size_t gir_len, const uint8_t *ni, size_t ni_len,
                       const uint8_t *nr, size_t nr_len, uint64_t spi_i, uint64_t spi_r,
                       ike_keys *out);

/* The same with any PRF: SKEYSEED with the old SA's PRF old_prf (SK_d of
 * ike_prf_len(old_prf) octets), the split with the new suite's PRF, whose
 * output must be as long (IKE_E_UNSUPPORTED otherwise: SKEYSEED keys it). */
int ike_rekey_ike_keys_with(uint16_t old_prf, const ike_suite *s, const uint8_t *sk_d_old,
                            const uint8_t *gir, size_t gir_len, const uint8_t *ni, size_t ni_len,
                            const uint8_t *nr, size_t nr_len, uint64_t spi_i, uint64_t spi_r,
                            ike_keys *out);

/* The keys of an IKE SA resumed from a ticket holding sk_d_old (RFC 5723 §5.1). */
int ike_resume_keys(const ike_suite *s, const uint8_t sk_d_old[IKE_PRF_LEN], const uint8_t *ni,
                    size_t ni_len, const uint8_t *nr, size_t nr_len, uint64_t spi_i, uint64_t spi_r,
                    ike_keys *out);

/* KEYMAT of a Child SA made or rekeyed by CREATE_CHILD_SA; gir_len 0: no
 * PFS (the same octets as ike_child_keymat). */
int ike_child_keymat_pfs(const uint8_t sk_d[IKE_PRF_LEN], const uint8_t *gir, size_t gir_len,
                         const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
                         uint8_t *out, size_t out_len);

#endif
