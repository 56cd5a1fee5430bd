/* ike_cipher.h — the ciphers under the SK payload and ESP (internal to
 * model/).
 *
 * Thin EVP wrappers.  AEAD: AES-GCM and ChaCha20-Poly1305 with a 12-octet
 * nonce, AES-CCM with a 7..13-octet nonce (11 in IKE and ESP: RFC 4309,
 * RFC 5282); tags of 8, 12 or 16 octets (ChaCha20-Poly1305: 16).  CBC
 * without padding (ike_sk and ESP pad themselves, RFC 7296 §3.14).  AES
 * key_len is 16, 24 or 32, ChaCha20's 32; anything else is
 * IKE_E_UNSUPPORTED.  in and out may be the same buffer.
 */
#ifndef IKESIM_IKE_CIPHER_H
#define IKESIM_IKE_CIPHER_H

#include <stddef.h>
#include <stdint.h>

#include "ike_algs.h"
#include "ike_err.h"

enum {
    IKE_GCM_NONCE_LEN = 12, /* 4-octet salt | 8-octet IV */
    IKE_GCM_TAG_LEN = 16,
    IKE_AES_BLOCK = 16,
    IKE_AEAD_MAX_NONCE = 13,
};

int ike_aead_seal(ike_mode mode, const uint8_t *key, size_t key_len, const uint8_t *nonce,
                  size_t nonce_len, const uint8_t *aad, size_t aad_len, const uint8_t *in,
                  size_t len, uint8_t *out, uint8_t *tag, size_t tag_len);
/* IKE_E_ICV if the tag does not verify; out is then wiped. */
int ike_aead_open(ike_mode mode, const uint8_t *key, size_t key_len, const uint8_t *nonce,
                  size_t nonce_len, const uint8_t *aad, size_t aad_len, const uint8_t *in,
                  size_t len, const uint8_t *tag, size_t tag_len, uint8_t *out);

/* AES-GCM with a 16-octet tag. */
int ike_gcm_seal(const uint8_t *key, size_t key_len, const uint8_t nonce[IKE_GCM_NONCE_LEN],
                 const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
                 uint8_t *out, uint8_t tag[IKE_GCM_TAG_LEN]);
int ike_gcm_open(const uint8_t *key, size_t key_len, const uint8_t nonce[IKE_GCM_NONCE_LEN],
                 const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
                 const uint8_t tag[IKE_GCM_TAG_LEN], uint8_t *out);

/* len must be a multiple of IKE_AES_BLOCK (IKE_E_BAD_LENGTH otherwise). */
int ike_cbc_encrypt(const uint8_t *key, size_t key_len, const uint8_t iv[IKE_AES_BLOCK],
                    const uint8_t *in, size_t len, uint8_t *out);
int ike_cbc_decrypt(const uint8_t *key, size_t key_len, const uint8_t iv[IKE_AES_BLOCK],
                    const uint8_t *in, size_t len, uint8_t *out);

#endif
