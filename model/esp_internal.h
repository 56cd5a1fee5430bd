/* esp_internal.h — the state behind esp.h, shared by esp.c (packets) and
 * esp_ha.c (replication to a cluster member).  Not for callers. */
#ifndef IKESIM_ESP_INTERNAL_H
#define IKESIM_ESP_INTERNAL_H

#include <openssl/evp.h>

#include "esp.h"

#include "ike_algs.h"

enum {
    ESP_SALT_LEN = 4, /* the most: RFC 4106 §8.1, RFC 7634 §2 (CCM: 3, RFC 4309 §7.1) */
};

/* What only CBC suites need: an AEAD has no integrity keys. */
typedef struct esp_cbc {
    EVP_MAC_CTX *mac_out, *mac_in; /* keyed with integ_out / integ_in */
    uint8_t integ_out[IKE_PRF_MAX], integ_in[IKE_PRF_MAX];
} esp_cbc;

struct esp_sa {
    uint32_t spi_in, spi_out;
    bool aead, esn, anti_replay;
    uint8_t mode;                /* ike_mode */
    uint8_t iv_len, block, icv_len, salt_len;
    uint8_t salt_out[ESP_SALT_LEN], salt_in[ESP_SALT_LEN];
    uint64_t tx;                 /* the last number used; 0 before the first packet */
    uint64_t tx_max;             /* 2^32 - 1, or 2^64 - 1 with ESN */
    esp_replay win;
    esp_cbc *cbc;                /* CBC only (out of line: most SAs are GCM) */
    void *rand_ctx;
    void (*random)(void *ctx, uint8_t *out, size_t len);
    esp_stats st;
    /* The key material as negotiated: the ciphers are keyed with it for
     * each packet (aes_ctx), and a cluster member needs it (esp_sa_export). */
    ike_suite suite;
    uint8_t key_out[IKE_MAX_KEY], key_in[IKE_MAX_KEY];
};

#endif
