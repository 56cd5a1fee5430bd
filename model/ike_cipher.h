/* ike_cipher.h — the AES modes under the SK payload (internal to model/).
 *
 * Thin EVP wrappers with IKE's fixed choices: GCM with a 12-octet nonce and a
 * 16-octet tag (RFC 5282), CBC without padding (ike_sk pads itself, RFC 7296
 * §3.14).  key_len is 16, 24 or 32; anything else is IKE_E_UNSUPPORTED.
 * in and out may be the same buffer.
 */
#ifndef IKESIM_IKE_CIPHER_H
#define IKESIM_IKE_CIPHER_H

#include <stddef.h>
#include <stdint.h>

#include "ike_err.h"

enum {
    IKE_GCM_NONCE_LEN = 12, /* 4-octet salt | 8-octet IV */
    IKE_GCM_TAG_LEN = 16,
    IKE_AES_BLOCK = 16,
};

int ike_gcm_seal(const uint8_t *key, size_t key_len, const uint8_t nonce[IKE_GCM_NONCE_LEN],
                 const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
                 uint8_t *out, uint8_t tag[IKE_GCM_TAG_LEN]);
/* IKE_E_ICV if the tag does not verify; out is then wiped. */
int ike_gcm_open(const uint8_t *key, size_t key_len, const uint8_t nonce[IKE_GCM_NONCE_LEN],
                 const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
                 const uint8_t tag[IKE_GCM_TAG_LEN], uint8_t *out);

/* len must be a multiple of IKE_AES_BLOCK (IKE_E_BAD_LENGTH otherwise). */
int ike_cbc_encrypt(const uint8_t *key, size_t key_len, const uint8_t iv[IKE_AES_BLOCK],
                    const uint8_t *in, size_t len, uint8_t *out);
int ike_cbc_decrypt(const uint8_t *key, size_t key_len, const uint8_t iv[IKE_AES_BLOCK],
                    const uint8_t *in, size_t len, uint8_t *out);

#endif
