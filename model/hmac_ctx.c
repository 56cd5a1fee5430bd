/* hmac_ctx.c — the HMAC contexts every PRF, prf+ and integrity check runs
 * in: one per thread and digest.  A context fetched, made and told its
 * digest for each MAC (OpenSSL's algorithm lookups by name, behind locks)
 * cost more than the MAC of a short message; keying one that is ready
 * leaves only the key pads and the data. */
#include "hmac_ctx.h"

#include <stdlib.h>
#include <string.h>
#include <threads.h>

#include <openssl/core_names.h>

enum { DIGESTS = 4, NAME_MAX_LEN = 15 };

typedef struct hmac_slots {
    char digest[DIGESTS][NAME_MAX_LEN + 1]; /* "" for a free slot */
    EVP_MAC_CTX *ctx[DIGESTS];
} hmac_slots;

static tss_t slots_key;
static once_flag slots_once = ONCE_FLAG_INIT;

static void slots_free(void *p)
{
    hmac_slots *s = p;
    for (int i = 0; i < DIGESTS; i++)
        EVP_MAC_CTX_free(s->ctx[i]); /* cleanses the last key's pads */
    free(s);
}

static void slots_init(void)
{
    if (tss_create(&slots_key, slots_free) != thrd_success)
        abort();
}

static EVP_MAC_CTX *fresh(const char *digest)
{
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL; /* holds its own reference */
    EVP_MAC_free(mac);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0),
        OSSL_PARAM_construct_end(),
    };
    if (ctx != NULL && EVP_MAC_CTX_set_params(ctx, params) != 1) {
        EVP_MAC_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

EVP_MAC_CTX *hmac_ctx(const char *digest)
{
    call_once(&slots_once, slots_init);
    hmac_slots *s = tss_get(slots_key);
    if (s == NULL) {
        if ((s = calloc(1, sizeof *s)) == NULL || tss_set(slots_key, s) != thrd_success) {
            free(s);
            return NULL;
        }
    }
    if (strlen(digest) > NAME_MAX_LEN)
        return NULL;
    int i = 0;
    while (i < DIGESTS && s->digest[i][0] != '\0' && strcmp(s->digest[i], digest) != 0)
        i++;
    if (i == DIGESTS)
        return NULL; /* a fifth digest: IKE defines none */
    if (s->digest[i][0] == '\0') {
        if ((s->ctx[i] = fresh(digest)) == NULL)
            return NULL;
        strcpy(s->digest[i], digest);
    }
    return s->ctx[i];
}
