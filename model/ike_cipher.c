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

static bool tag_ok(ike_mode mode, size_t tag_len)
{
    if (mode == IKE_MODE_CHACHA)
        return tag_len == 16;
    return tag_len == 8 || tag_len == 12 || tag_len == 16;
}

/* GCM or ChaCha20-Poly1305 on the thread's cached context: the tag is set
 * before Final on open, which is where EVP compares it. */
static int stream_aead(int enc, ike_mode mode, const uint8_t *key, size_t key_len,
                       const uint8_t *nonce, const uint8_t *aad, size_t aad_len,
                       const uint8_t *in, size_t len, uint8_t *out, uint8_t *tag, size_t tag_len)
{
    EVP_CIPHER_CTX *ctx = aes_ctx(mode, (uint16_t)(key_len * 8), key, nonce, enc);
    int n = 0;
    uint8_t rest[IKE_AES_BLOCK]; /* Final emits nothing for these modes */
    if (ctx == NULL)
        return IKE_E_CRYPTO;
    if (aad_len > 0 && EVP_CipherUpdate(ctx, NULL, &n, aad, (int)aad_len) != 1)
        return IKE_E_CRYPTO;
    if (len > 0 && EVP_CipherUpdate(ctx, out, &n, in, (int)len) != 1)
        return IKE_E_CRYPTO;
    if (!enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, (int)tag_len, tag) != 1)
        return IKE_E_CRYPTO;
    if (EVP_CipherFinal_ex(ctx, rest, &n) != 1)
        return enc ? IKE_E_CRYPTO : IKE_E_ICV;
    if (enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, (int)tag_len, tag) != 1)
        return IKE_E_CRYPTO;
    return IKE_OK;
}

/* CCM on a context of its own: nonce and tag length come before the key,
 * the message length before the AAD, and on open the tag before the data,
 * whose Update is where EVP compares it. */
static int ccm(int enc, const uint8_t *key, size_t key_len, const uint8_t *nonce, size_t nonce_len,
               const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len, uint8_t *out,
               uint8_t *tag, size_t tag_len)
{
    static const EVP_CIPHER *(*const by[3])(void) = {EVP_aes_128_ccm, EVP_aes_192_ccm,
                                                      EVP_aes_256_ccm};
    if (nonce_len < 7 || nonce_len > IKE_AEAD_MAX_NONCE)
        return IKE_E_UNSUPPORTED;
    static const uint8_t none[1];
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n = 0, rc = IKE_E_CRYPTO;
    uint8_t rest[IKE_AES_BLOCK];
    if (ctx != NULL && EVP_CipherInit_ex(ctx, by[key_len / 8 - 2](), NULL, NULL, NULL, enc) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, (int)nonce_len, NULL) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, (int)tag_len, enc ? NULL : tag) == 1 &&
        EVP_CipherInit_ex(ctx, NULL, NULL, key, nonce, enc) == 1 &&
        EVP_CipherUpdate(ctx, NULL, &n, NULL, (int)len) == 1 &&
        (aad_len == 0 || EVP_CipherUpdate(ctx, NULL, &n, aad, (int)aad_len) == 1)) {
        if (EVP_CipherUpdate(ctx, out, &n, len > 0 ? in : none, (int)len) != 1)
            rc = enc ? IKE_E_CRYPTO : IKE_E_ICV;
        else if (!enc)
            rc = IKE_OK;
        else if (EVP_CipherFinal_ex(ctx, rest, &n) == 1 &&
                 EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, (int)tag_len, tag) == 1)
            rc = IKE_OK;
    }
    EVP_CIPHER_CTX_free(ctx);
    return rc;
}

static int aead(int enc, ike_mode mode, const uint8_t *key, size_t key_len, const uint8_t *nonce,
                size_t nonce_len, const uint8_t *aad, size_t aad_len, const uint8_t *in,
                size_t len, uint8_t *out, uint8_t *tag, size_t tag_len)
{
    if (mode == IKE_MODE_CBC || !tag_ok(mode, tag_len) ||
        (mode == IKE_MODE_CHACHA ? key_len != 32 : aes_bits(key_len) == 0))
        return IKE_E_UNSUPPORTED;
    if (len > INT_MAX || aad_len > INT_MAX)
        return IKE_E_LIMIT;
    if (mode == IKE_MODE_CCM)
        return ccm(enc, key, key_len, nonce, nonce_len, aad, aad_len, in, len, out, tag, tag_len);
    if (nonce_len != IKE_GCM_NONCE_LEN)
        return IKE_E_UNSUPPORTED;
    return stream_aead(enc, mode, key, key_len, nonce, aad, aad_len, in, len, out, tag, tag_len);
}

int ike_aead_seal(ike_mode mode, const uint8_t *key, size_t key_len, const uint8_t *nonce,
                  size_t nonce_len, const uint8_t *aad, size_t aad_len, const uint8_t *in,
                  size_t len, uint8_t *out, uint8_t *tag, size_t tag_len)
{
    return aead(1, mode, key, key_len, nonce, nonce_len, aad, aad_len, in, len, out, tag, tag_len);
}

int ike_aead_open(ike_mode mode, const uint8_t *key, size_t key_len, const uint8_t *nonce,
                  size_t nonce_len, const uint8_t *aad, size_t aad_len, const uint8_t *in,
                  size_t len, const uint8_t *tag, size_t tag_len, uint8_t *out)
{
    uint8_t t[16]; /* EVP's ctrl takes a non-const pointer */
    if (tag_len > sizeof t)
        return IKE_E_UNSUPPORTED;
    memcpy(t, tag, tag_len);
    int rc = aead(0, mode, key, key_len, nonce, nonce_len, aad, aad_len, in, len, out, t, tag_len);
    if (rc != IKE_OK && len > 0)
        OPENSSL_cleanse(out, len); /* never hand out unauthenticated plaintext */
    return rc;
}

int ike_gcm_seal(const uint8_t *key, size_t key_len, const uint8_t nonce[IKE_GCM_NONCE_LEN],
                 const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
                 uint8_t *out, uint8_t tag[IKE_GCM_TAG_LEN])
{
    return ike_aead_seal(IKE_MODE_GCM, key, key_len, nonce, IKE_GCM_NONCE_LEN, aad, aad_len, in,
                         len, out, tag, IKE_GCM_TAG_LEN);
}

int ike_gcm_open(const uint8_t *key, size_t key_len, const uint8_t nonce[IKE_GCM_NONCE_LEN],
                 const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
                 const uint8_t tag[IKE_GCM_TAG_LEN], uint8_t *out)
{
    return ike_aead_open(IKE_MODE_GCM, key, key_len, nonce, IKE_GCM_NONCE_LEN, aad, aad_len, in,
                         len, tag, IKE_GCM_TAG_LEN, out);
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
    EVP_CIPHER_CTX *ctx = aes_ctx(IKE_MODE_CBC, aes_bits(key_len), key, iv, enc);
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
