#include "ike_cipher.h"

#include <limits.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

static const EVP_CIPHER *gcm_cipher(size_t key_len)
{
    switch (key_len) {
    case 16: return EVP_aes_128_gcm();
    case 24: return EVP_aes_192_gcm();
    case 32: return EVP_aes_256_gcm();
    }
    return NULL;
}

static const EVP_CIPHER *cbc_cipher(size_t key_len)
{
    switch (key_len) {
    case 16: return EVP_aes_128_cbc();
    case 24: return EVP_aes_192_cbc();
    case 32: return EVP_aes_256_cbc();
    }
    return NULL;
}

/* One GCM pass; enc selects seal or open.  On open the tag is set before
 * Final, which is where EVP compares it. */
static int gcm(int enc, const uint8_t *key, size_t key_len, const uint8_t *nonce,
               const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
               uint8_t *out, uint8_t *tag)
{
    const EVP_CIPHER *c = gcm_cipher(key_len);
    if (c == NULL)
        return IKE_E_UNSUPPORTED;
    if (len > INT_MAX || aad_len > INT_MAX)
        return IKE_E_LIMIT;

    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL)
        return IKE_E_CRYPTO;
    int rc = IKE_E_CRYPTO, n = 0;
    uint8_t rest[IKE_AES_BLOCK]; /* Final emits nothing for GCM */
    if (EVP_CipherInit_ex(ctx, c, NULL, NULL, NULL, enc) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, IKE_GCM_NONCE_LEN, NULL) != 1 ||
        EVP_CipherInit_ex(ctx, NULL, NULL, key, nonce, enc) != 1)
        goto done;
    if (aad_len > 0 && EVP_CipherUpdate(ctx, NULL, &n, aad, (int)aad_len) != 1)
        goto done;
    if (len > 0 && EVP_CipherUpdate(ctx, out, &n, in, (int)len) != 1)
        goto done;
    if (!enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, IKE_GCM_TAG_LEN, tag) != 1)
        goto done;
    if (EVP_CipherFinal_ex(ctx, rest, &n) != 1) {
        rc = enc ? IKE_E_CRYPTO : IKE_E_ICV;
        goto done;
    }
    if (enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, IKE_GCM_TAG_LEN, tag) != 1)
        goto done;
    rc = IKE_OK;
done:
    EVP_CIPHER_CTX_free(ctx);
    return rc;
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
    const EVP_CIPHER *c = cbc_cipher(key_len);
    if (c == NULL)
        return IKE_E_UNSUPPORTED;
    if (len % IKE_AES_BLOCK != 0)
        return IKE_E_BAD_LENGTH;
    if (len > INT_MAX)
        return IKE_E_LIMIT;

    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL)
        return IKE_E_CRYPTO;
    int rc = IKE_E_CRYPTO, n = 0;
    uint8_t rest[IKE_AES_BLOCK]; /* Final emits nothing without padding */
    /* IKE carries its own padding, so EVP must add or strip none. */
    if (EVP_CipherInit_ex(ctx, c, NULL, key, iv, enc) == 1 &&
        EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
        (len == 0 || EVP_CipherUpdate(ctx, out, &n, in, (int)len) == 1) &&
        EVP_CipherFinal_ex(ctx, rest, &n) == 1)
        rc = IKE_OK;
    EVP_CIPHER_CTX_free(ctx);
    return rc;
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
