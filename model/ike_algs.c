#include "ike_algs.h"

#include <stddef.h>

#include "ike_const.h"

/* Wireshark's strings: packet-isakmp.c (IKEv2 UAT) and packet-ipsec.c
 * (esp_sa).  Wireshark 4.0 decrypts neither IKE nor ESP with
 * ChaCha20-Poly1305, nor ESP with AES-CCM: "" (a name it does not know
 * would make it refuse the whole table; its ESP ChaCha20 entry,
 * "ChaCha20 with Poly1305 [RFC7634]", came later). */
static const ike_encr_alg encrs[] = {
    {IKE_ENCR_AES_CBC, IKE_MODE_CBC, 0, 0, 16, false, "AES-CBC-%u [RFC3602]", "AES-CBC [RFC3602]"},
    {IKE_ENCR_AES_CCM_8, IKE_MODE_CCM, 8, 3, 8, false, "AES-CCM-%u with 8 octet ICV [RFC5282]",
     ""},
    {IKE_ENCR_AES_CCM_12, IKE_MODE_CCM, 12, 3, 8, false, "AES-CCM-%u with 12 octet ICV [RFC5282]",
     ""},
    {IKE_ENCR_AES_CCM_16, IKE_MODE_CCM, 16, 3, 8, false, "AES-CCM-%u with 16 octet ICV [RFC5282]",
     ""},
    {IKE_ENCR_AES_GCM_8, IKE_MODE_GCM, 8, 4, 8, false, "AES-GCM-%u with 8 octet ICV [RFC5282]",
     "AES-GCM with 8 octet ICV [RFC4106]"},
    {IKE_ENCR_AES_GCM_12, IKE_MODE_GCM, 12, 4, 8, false, "AES-GCM-%u with 12 octet ICV [RFC5282]",
     "AES-GCM with 12 octet ICV [RFC4106]"},
    {IKE_ENCR_AES_GCM_16, IKE_MODE_GCM, 16, 4, 8, false, "AES-GCM-%u with 16 octet ICV [RFC5282]",
     "AES-GCM with 16 octet ICV [RFC4106]"},
    {IKE_ENCR_CHACHA20_POLY1305, IKE_MODE_CHACHA, 16, 4, 8, true, "", ""},
};

static const ike_hmac_alg integs[] = {
    {IKE_INTEG_HMAC_SHA1_96, "SHA1", 20, 12, "HMAC_SHA1_96 [RFC2404]", "HMAC-SHA-1-96 [RFC2404]"},
    {IKE_INTEG_HMAC_SHA2_256_128, "SHA256", 32, 16, "HMAC_SHA2_256_128 [RFC4868]",
     "HMAC-SHA-256-128 [RFC4868]"},
    {IKE_INTEG_HMAC_SHA2_384_192, "SHA384", 48, 24, "HMAC_SHA2_384_192 [RFC4868]",
     "HMAC-SHA-384-192 [RFC4868]"},
    {IKE_INTEG_HMAC_SHA2_512_256, "SHA512", 64, 32, "HMAC_SHA2_512_256 [RFC4868]",
     "HMAC-SHA-512-256 [RFC4868]"},
};

static const ike_hmac_alg prfs[] = {
    {IKE_PRF_HMAC_SHA1, "SHA1", 20, 20, NULL, NULL},
    {IKE_PRF_HMAC_SHA2_256, "SHA256", 32, 32, NULL, NULL},
    {IKE_PRF_HMAC_SHA2_384, "SHA384", 48, 48, NULL, NULL},
    {IKE_PRF_HMAC_SHA2_512, "SHA512", 64, 64, NULL, NULL},
};

#define FIND(table, want)                                               \
    for (size_t i = 0; i < sizeof(table) / sizeof(table)[0]; i++)       \
        if ((table)[i].id == (want))                                    \
            return &(table)[i];                                         \
    return NULL

const ike_encr_alg *ike_encr_alg_find(uint16_t id) { FIND(encrs, id); }
const ike_hmac_alg *ike_integ_alg_find(uint16_t id) { FIND(integs, id); }
const ike_hmac_alg *ike_prf_alg_find(uint16_t id) { FIND(prfs, id); }
