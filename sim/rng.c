#include "rng.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

struct sim_rng {
    EVP_CIPHER_CTX *ctx;
};

static void put_be64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

sim_rng *sim_rng_new(uint64_t seed, uint64_t run, uint64_t stream)
{
    static const char label[] = "ikesim-rng-v1";
    uint8_t material[sizeof label - 1 + 24];
    memcpy(material, label, sizeof label - 1);
    put_be64(material + sizeof label - 1, seed);
    put_be64(material + sizeof label - 1 + 8, run);
    put_be64(material + sizeof label - 1 + 16, stream);

    uint8_t key[32];
    unsigned key_len = 0;
    static const uint8_t iv[16];
    sim_rng *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->ctx = EVP_CIPHER_CTX_new();
    if (!r->ctx || !EVP_Digest(material, sizeof material, key, &key_len, EVP_sha256(), NULL) ||
        !EVP_EncryptInit_ex(r->ctx, EVP_aes_256_ctr(), NULL, key, iv)) {
        sim_rng_free(r);
        return NULL;
    }
    return r;
}

void sim_rng_free(sim_rng *r)
{
    if (!r)
        return;
    EVP_CIPHER_CTX_free(r->ctx);
    free(r);
}

int sim_rng_bytes(sim_rng *r, uint8_t *out, size_t len)
{
    /* The keystream is the encryption of zeros; CTR mode keeps its position
     * across calls, so any split of a request gives the same bytes. */
    memset(out, 0, len);
    while (len > 0) {
        int chunk = len > (1u << 30) ? 1 << 30 : (int)len;
        int written = 0;
        if (!EVP_EncryptUpdate(r->ctx, out, &written, out, chunk) || written != chunk) {
            memset(out, 0, len);
            return -1;
        }
        out += chunk;
        len -= (size_t)chunk;
    }
    return 0;
}

double sim_rng_uniform(sim_rng *r)
{
    uint8_t b[8];
    sim_rng_bytes(r, b, sizeof b);
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | b[i];
    return (double)(v >> 11) * 0x1.0p-53;
}
