/* aes_ctx.c — the AES contexts ESP packets and IKE's SK payloads are
 * sealed and opened with: one per thread for each mode, key size and
 * direction, keyed again for every message.  A keyed OpenSSL context per
 * SA and direction held 1.4 KB (4 per client with both ends of its Child
 * SA: most of a client's memory in a 100,000-client run); keying one costs
 * about 140 ns, and a context made per message (with OpenSSL's algorithm
 * lookup) several times that. */
#include "aes_ctx.h"

#include <stdlib.h>
#include <threads.h>

enum { GCM_NONCE = 12 };

/* [gcm][128/192/256][enc] */
typedef struct cipher_slots {
    EVP_CIPHER_CTX *ctx[2][3][2];
} cipher_slots;

static tss_t slots_key;
static once_flag slots_once = ONCE_FLAG_INIT;

static void slots_free(void *p)
{
    cipher_slots *s = p;
    for (size_t i = 0; i < 2 * 3 * 2; i++)
        EVP_CIPHER_CTX_free((&s->ctx[0][0][0])[i]); /* frees and cleanses the key schedule */
    free(s);
}

static void slots_init(void)
{
    if (tss_create(&slots_key, slots_free) != thrd_success)
        abort();
}

static const EVP_CIPHER *cipher_for(bool gcm, int size)
{
    static const EVP_CIPHER *(*const by[2][3])(void) = {
        {EVP_aes_128_cbc, EVP_aes_192_cbc, EVP_aes_256_cbc},
        {EVP_aes_128_gcm, EVP_aes_192_gcm, EVP_aes_256_gcm},
    };
    return by[gcm][size]();
}

static EVP_CIPHER_CTX *fresh(bool gcm, int size, int enc)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL)
        return NULL;
    int ok = EVP_CipherInit_ex(ctx, cipher_for(gcm, size), NULL, NULL, NULL, enc) == 1;
    if (ok && gcm)
        ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, GCM_NONCE, NULL) == 1;
    if (!ok) {
        EVP_CIPHER_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

EVP_CIPHER_CTX *aes_ctx(bool gcm, uint16_t bits, const uint8_t *key, const uint8_t *iv, int enc)
{
    int size = bits == 128 ? 0 : bits == 192 ? 1 : bits == 256 ? 2 : -1;
    if (size < 0)
        return NULL;
    call_once(&slots_once, slots_init);
    cipher_slots *s = tss_get(slots_key);
    if (s == NULL) {
        if ((s = calloc(1, sizeof *s)) == NULL || tss_set(slots_key, s) != thrd_success) {
            free(s);
            return NULL;
        }
    }
    EVP_CIPHER_CTX **slot = &s->ctx[gcm][size][enc != 0];
    if (*slot == NULL && (*slot = fresh(gcm, size, enc)) == NULL)
        return NULL;
    if (key == NULL)
        return *slot;
    /* key and IV in one call: each init asks the provider for its lengths */
    if (EVP_CipherInit_ex(*slot, NULL, NULL, key, iv, enc) != 1 ||
        (!gcm && EVP_CIPHER_CTX_set_padding(*slot, 0) != 1)) /* ESP and IKE pad themselves */
        return NULL;
    return *slot;
}
