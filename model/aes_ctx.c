/* aes_ctx.c — the AES (and ChaCha20) contexts ESP packets and IKE's SK payloads are
 * sealed and opened with: a few per thread for each mode, key size and
 * direction, keyed again when a message's key is none of theirs.  A keyed
 * OpenSSL context per SA and direction held 1.4 KB (4 per client with both
 * ends of its Child SA: most of a client's memory in a 100,000-client run);
 * keying one costs about 140 ns, and a context made per message (with
 * OpenSSL's algorithm lookup) several times that.
 *
 * The contexts run OpenSSL's built-in cipher methods (its own GCM, CBC and
 * ChaCha20-Poly1305 code, AES-NI where the CPU has it), not its default
 * provider: through OpenSSL 3.0's provider every IV, tag and update passes
 * as named OSSL_PARAMs matched by strcmp, about 2,300 instructions for a
 * packet sealed and opened, half of all its crypto costs.  The methods are
 * reached through EVP_CIPHER_meth_dup, deprecated since 3.0 but there;
 * without it the provider runs.  Both give the same octets
 * (tests/test_suites.c, /suites/aead/same-as-provider). */
#define OPENSSL_SUPPRESS_DEPRECATED /* EVP_CIPHER_meth_dup: see above */
#include "aes_ctx.h"

#include <stdlib.h>
#include <string.h>
#include <threads.h>

#include <openssl/crypto.h>

enum { GCM_NONCE = 12 };

/* A few keyed contexts for each [mode][128/192/256][enc], the most recent
 * first: between a handful of gateways the same keys come back, and
 * keeping their schedules leaves only the IV to set; in a fleet of
 * thousands every message takes the oldest and keys it anew. */
enum { WAYS = 4 };

typedef struct cipher_way {
    EVP_CIPHER_CTX *ctx;
    bool keyed;
    uint8_t key[32];
} cipher_way;

enum { MODES = IKE_MODE_CHACHA + 1 }; /* CCM's row stays empty */

typedef struct cipher_slots {
    cipher_way way[MODES][3][2][WAYS];
} cipher_slots;

static tss_t slots_key;
static once_flag slots_once = ONCE_FLAG_INIT;

static void slots_free(void *p)
{
    cipher_slots *s = p;
    for (size_t i = 0; i < MODES * 3 * 2 * WAYS; i++)
        EVP_CIPHER_CTX_free((&s->way[0][0][0][0])[i].ctx); /* frees and cleanses the key schedule */
    OPENSSL_cleanse(s, sizeof *s);
    free(s);
}

static void slots_init(void)
{
    if (tss_create(&slots_key, slots_free) != thrd_success)
        abort();
}

static const EVP_CIPHER *provided(ike_mode mode, int size)
{
    if (mode == IKE_MODE_CHACHA)
        return EVP_chacha20_poly1305(); /* 12-octet nonce by default */
    static const EVP_CIPHER *(*const by[2][3])(void) = {
        {EVP_aes_128_cbc, EVP_aes_192_cbc, EVP_aes_256_cbc},
        {EVP_aes_128_gcm, EVP_aes_192_gcm, EVP_aes_256_gcm},
    };
    return by[mode == IKE_MODE_GCM][size]();
}

/* The built-in methods, made once for the process and never changed. */
static const EVP_CIPHER *builtin[MODES][3];
static once_flag builtin_once = ONCE_FLAG_INIT;

static void builtin_init(void)
{
#ifndef OPENSSL_NO_DEPRECATED_3_0
    for (int m = 0; m < MODES; m++)
        for (int size = 0; size < 3; size++)
            if (m != IKE_MODE_CCM && (m != IKE_MODE_CHACHA || size == 2))
                builtin[m][size] = EVP_CIPHER_meth_dup(provided((ike_mode)m, size));
#endif
}

static const EVP_CIPHER *cipher_for(ike_mode mode, int size)
{
    call_once(&builtin_once, builtin_init);
    return builtin[mode][size] ? builtin[mode][size] : provided(mode, size);
}

static EVP_CIPHER_CTX *fresh(ike_mode mode, int size, int enc)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL)
        return NULL;
    int ok = EVP_CipherInit_ex(ctx, cipher_for(mode, size), NULL, NULL, NULL, enc) == 1;
    if (ok && mode == IKE_MODE_GCM)
        ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, GCM_NONCE, NULL) == 1;
    if (!ok) {
        EVP_CIPHER_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/* The thread's slots, made at its first message; tss frees them when the
 * thread ends, and a thread-local pointer spares a tss_get per message. */
static cipher_slots *slots(void)
{
    static _Thread_local cipher_slots *mine;
    if (mine != NULL)
        return mine;
    call_once(&slots_once, slots_init);
    cipher_slots *s = tss_get(slots_key);
    if (s == NULL) {
        if ((s = calloc(1, sizeof *s)) == NULL || tss_set(slots_key, s) != thrd_success) {
            free(s);
            return NULL;
        }
    }
    return mine = s;
}

EVP_CIPHER_CTX *aes_ctx(ike_mode mode, uint16_t bits, const uint8_t *key, const uint8_t *iv, int enc)
{
    int size = bits == 128 ? 0 : bits == 192 ? 1 : bits == 256 ? 2 : -1;
    if (size < 0 || mode == IKE_MODE_CCM || (mode == IKE_MODE_CHACHA && bits != 256))
        return NULL;
    cipher_slots *s = slots();
    if (s == NULL)
        return NULL;
    cipher_way *w = s->way[mode][size][enc != 0];
    size_t key_len = bits / 8u, i = 0;
    while (key != NULL && i < WAYS && !(w[i].keyed && memcmp(w[i].key, key, key_len) == 0))
        i++;
    bool same = i < WAYS;
    cipher_way use = w[same ? i : WAYS - 1]; /* to the front: the oldest goes first */
    memmove(&w[1], &w[0], (same ? i : WAYS - 1) * sizeof w[0]);
    w[0] = use;
    if (w[0].ctx == NULL && (w[0].ctx = fresh(mode, size, enc)) == NULL)
        return NULL;
    if (key == NULL)
        return w[0].ctx;
    w[0].keyed = false;
    /* key (unless it is the one held) and IV in one call */
    if (EVP_CipherInit_ex(w[0].ctx, NULL, NULL, same ? NULL : key, iv, enc) != 1 ||
        (mode == IKE_MODE_CBC && EVP_CIPHER_CTX_set_padding(w[0].ctx, 0) != 1)) /* ESP and IKE pad themselves */
        return NULL;
    memcpy(w[0].key, key, key_len);
    w[0].keyed = true;
    return w[0].ctx;
}
