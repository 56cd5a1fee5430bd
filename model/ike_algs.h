/* ike_algs.h — what each negotiable algorithm is: the AEAD or CBC mode and
 * sizes behind an ENCR transform, the digest behind an INTEG or PRF
 * transform, and the names Wireshark's key tables give them.  One row per
 * IANA ID (RFC 7296 §3.3.2 and the RFCs cited in ike_const.h). */
#ifndef IKESIM_IKE_ALGS_H
#define IKESIM_IKE_ALGS_H

#include <stdbool.h>
#include <stdint.h>

typedef enum ike_mode {
    IKE_MODE_CBC,    /* AES-CBC, integrity by a separate INTEG transform */
    IKE_MODE_GCM,    /* AES-GCM */
    IKE_MODE_CCM,    /* AES-CCM */
    IKE_MODE_CHACHA, /* ChaCha20-Poly1305 */
} ike_mode;

typedef struct ike_encr_alg {
    uint16_t id;
    ike_mode mode;
    uint8_t icv;        /* AEAD tag octets; 0 for CBC (the INTEG transform's) */
    uint8_t salt;       /* octets at the end of the key material: 4 GCM and ChaCha, 3 CCM */
    uint8_t iv;         /* IV octets on the wire: 8 AEAD, 16 CBC */
    bool fixed_256;     /* no Key Length attribute: ChaCha20 keys are 256 bits */
    const char *ike_uat; /* ikev2_decryption_table, %u = key bits ("" if Wireshark has none) */
    const char *esp_uat; /* esp_sa */
} ike_encr_alg;

typedef struct ike_hmac_alg {
    uint16_t id;
    const char *digest; /* OpenSSL's name */
    uint8_t key_len;    /* PRF: output and preferred key; INTEG: the key */
    uint8_t out_len;    /* PRF: output; INTEG: the truncated ICV */
    const char *ike_uat; /* INTEG: ikev2_decryption_table */
    const char *esp_uat; /* INTEG: esp_sa */
} ike_hmac_alg;

const ike_encr_alg *ike_encr_alg_find(uint16_t id); /* NULL if not implemented */
const ike_hmac_alg *ike_integ_alg_find(uint16_t id); /* NULL for NONE too */
const ike_hmac_alg *ike_prf_alg_find(uint16_t id);

#endif
