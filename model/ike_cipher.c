#include "ike_cipher.h"

#include "aes_ctx.h"

#include <limits.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

/* AES key sizes in octets -> bits; 0 if not AES. */
static uint16_t aes_bits(size_t key_len)
{
    return key_len == 16 || key_len == 24 || key_len == 32 ? (uint16_t)(key_len * 8) : 0;
}

/* One GCM pass; enc selects seal or open.  On open the tag is set before
 * Final, which is where EVP compares it. */
static int gcm(int enc, const uint8_t *key, size_t key_len, const uint8_t *nonce,
               const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
               uint8_t *out, uint8_t *tag)
{
    if (aes_bits(key_len) == 0)
        return IKE_E_UNSUPPORTED;
    if (len > INT_MAX || aad_len > INT_MAX)
        return IKE_E_LIMIT;

    EVP_CIPHER_CTX *ctx = aes_ctx(true, aes_bits(key_len), key, nonce, enc);
    int n = 0;
    uint8_t rest[IKE_AES_BLOCK]; /* Final emits nothing for GCM */
    if (ctx == NULL)
        return IKE_E_CRYPTO;
    if (aad_len > 0 && EVP_CipherUpdate(ctx, NULL, &n, aad, (int)aad_len) != 1)
        return IKE_E_CRYPTO;
    if (len > 0 && EVP_CipherUpdate(ctx, out, &n, in, (int)len) != 1)
        return IKE_E_CRYPTO;
    if (!enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, IKE_GCM_TAG_LEN, tag) != 1)
        return IKE_E_CRYPTO;
    if (EVP_CipherFinal_ex(ctx, rest, &n) != 1)
        return enc ? IKE_E_CRYPTO : IKE_E_ICV;
    if (enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, IKE_GCM_TAG_LEN, tag) != 1)
        return IKE_E_CRYPTO;
    return IKE_OK;
}

int ike_gcm_seal(const uint8_t *key, size_t key_len, const uint8_t nonce[IKE_GCM_NONCE_LEN],
                 const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
                 uint8_t *out, uint8_t tag[IKE_GCM_TAG_LEN])
{
    return gcm(1, key, key_len, nonce, aad, aad_len, in, len, out, tag);
}

int ike_gcm_open(const uint8_t *key, size_t key_len, const uint8_t nonce[IKE_GCM_NONCE_LEN],
                 const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
                 const uint8_t tag[IKE_GCM_TAG_LEN], uint8_t *out)
{
    uint8_t t[IKE_GCM_TAG_LEN]; /* EVP's ctrl takes a non-const pointer */
    memcpy(t, tag, sizeof t);
    int rc = gcm(0, key, key_len, nonce, aad, aad_len, in, len, out, t);
    if (rc != IKE_OK && len > 0)
        OPENSSL_cleanse(out, len); /* never hand out unauthenticated plaintext */
    return rc;
}

static int cbc(int enc, const uint8_t *key, size_t key_len, const uint8_t *iv,
               const uint8_t *in, size_t len, uint8_t *out)
{
    if (aes_bits(key_len) == 0)
        return IKE_E_UNSUPPORTED;
    if (len % IKE_AES_BLOCK != 0)
        return IKE_E_BAD_LENGTH;
    if (len > INT_MAX)
        return IKE_E_LIMIT;

    /* IKE carries its own padding: the context adds or strips none. */
    EVP_CIPHER_CTX *ctx = aes_ctx(false, aes_bits(key_len), key, iv, enc);
    int n = 0;
    uint8_t rest[IKE_AES_BLOCK]; /* Final emits nothing without padding */
    return ctx != NULL &&
                   (len == 0 || EVP_CipherUpdate(ctx, out, &n, in, (int)len) == 1) &&
                   EVP_CipherFinal_ex(ctx, rest, &n) == 1
               ? IKE_OK
               : IKE_E_CRYPTO;
}

int ike_cbc_encrypt(const uint8_t *key, size_t key_len, const uint8_t iv[IKE_AES_BLOCK],
                    const uint8_t *in, size_t len, uint8_t *out)
{
    return cbc(1, key, key_len, iv, in, len, out);
}

int ike_cbc_decrypt(const uint8_t *key, size_t key_len, const uint8_t iv[IKE_AES_BLOCK],
                    const uint8_t *in, size_t len, uint8_t *out)
{
    return cbc(0, key, key_len, iv, in, len, out);
}
