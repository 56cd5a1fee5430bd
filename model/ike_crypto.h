/* ike_crypto.h — IKEv2 cryptography over OpenSSL EVP (RFC 7296 §2.13-§2.18,
 * §3.14; RFC 5282; RFC 4868; RFC 8031).
 *
 * Nothing here draws randomness: private keys and IVs come in from the
 * caller, which takes them from its injected generator, so a seed reproduces
 * every byte.  Integrity checks compare in constant time.
 */
#ifndef IKESIM_IKE_CRYPTO_H
#define IKESIM_IKE_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "ike_err.h"
#include "ike_wire.h"

enum {
    IKE_PRF_LEN = 32,      /* PRF_HMAC_SHA2_256 output and preferred key */
    IKE_MAX_KEY = 36,      /* AES-256 key + 4-octet GCM salt */
    IKE_DH_PRIV_RAND = 32, /* random octets a private key is made from */
    IKE_MAX_KE = 256,      /* MODP-2048 public value */
};

/* A negotiated IKE or ESP suite. */
typedef struct ike_suite {
    uint16_t encr;      /* IKE_ENCR_AES_GCM_16 or IKE_ENCR_AES_CBC */
    uint16_t encr_bits; /* 128, 192 or 256 */
    uint16_t integ;     /* IKE_INTEG_NONE with GCM, IKE_INTEG_HMAC_SHA2_256_128 with CBC */
    uint16_t prf;       /* IKE_PRF_HMAC_SHA2_256 */
    uint16_t dh;        /* IKE_DH_CURVE25519 or IKE_DH_MODP2048 */
} ike_suite;

int ike_suite_check(const ike_suite *s);      /* IKE_OK or IKE_E_UNSUPPORTED */
size_t ike_encr_key_len(const ike_suite *s);  /* GCM: key + 4-octet salt */
size_t ike_integ_key_len(const ike_suite *s); /* 0 with GCM */
size_t ike_iv_len(const ike_suite *s);        /* 8 GCM, 16 CBC */
size_t ike_icv_len(const ike_suite *s);       /* 16 for both */

/* --- Diffie-Hellman: group 31 (X25519) and 14 (MODP-2048) --- */
typedef struct ike_dh ike_dh;
size_t ike_dh_ke_len(uint16_t group);         /* 32, 256; 0 if unsupported */
/* The private key is derived from IKE_DH_PRIV_RAND caller-supplied octets. */
int ike_dh_new(uint16_t group, const uint8_t rand[IKE_DH_PRIV_RAND], ike_dh **out);
void ike_dh_free(ike_dh *dh);
int ike_dh_public(const ike_dh *dh, uint8_t *out, size_t len); /* len == ke_len */
/* g^ir, left-padded to the modulus length for MODP; rejects bad peer values. */
int ike_dh_shared(const ike_dh *dh, const uint8_t *peer, size_t peer_len,
                  uint8_t *out, size_t cap, size_t *out_len);

/* --- PRF_HMAC_SHA2_256 and prf+ --- */
typedef struct ike_iov {
    const uint8_t *p;
    size_t len;
} ike_iov;
/* prf(key, concatenation of the n segments) */
int ike_prf(const uint8_t *key, size_t key_len, const ike_iov *seg, size_t n,
            uint8_t out[IKE_PRF_LEN]);
/* prf+(key, seed), out_len <= 255 * 32 */
int ike_prf_plus(const uint8_t *key, size_t key_len, const uint8_t *seed, size_t seed_len,
                 uint8_t *out, size_t out_len);

/* --- Keys of an IKE SA --- */
typedef struct ike_keys {
    uint8_t d[IKE_PRF_LEN], pi[IKE_PRF_LEN], pr[IKE_PRF_LEN];
    uint8_t ai[IKE_PRF_LEN], ar[IKE_PRF_LEN];
    uint8_t ei[IKE_MAX_KEY], er[IKE_MAX_KEY];
    size_t integ_len, encr_len;
} ike_keys;

/* SKEYSEED = prf(Ni | Nr, g^ir); {SK_d..SK_pr} = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr) */
int ike_derive_keys(const ike_suite *s, const uint8_t *ni, size_t ni_len,
                    const uint8_t *nr, size_t nr_len, const uint8_t *gir, size_t gir_len,
                    uint64_t spi_i, uint64_t spi_r, ike_keys *out);

/* {SK_d|SK_ai|SK_ar|SK_ei|SK_er|SK_pi|SK_pr} = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr)
 * (§2.14), for every way of making SKEYSEED (ike_rekey_keys.h). */
int ike_keys_split(const ike_suite *s, const uint8_t skeyseed[IKE_PRF_LEN], const uint8_t *ni,
                   size_t ni_len, const uint8_t *nr, size_t nr_len, uint64_t spi_i, uint64_t spi_r,
                   ike_keys *out);

/* KEYMAT = prf+(SK_d, Ni | Nr) for a Child SA without PFS. */
int ike_child_keymat(const uint8_t sk_d[IKE_PRF_LEN], const uint8_t *ni, size_t ni_len,
                     const uint8_t *nr, size_t nr_len, uint8_t *out, size_t out_len);

/* AUTH = prf(prf(PSK, "Key Pad for IKEv2"), RealMessage | PeerNonce | prf(SK_p, RestOfID))
 * id_body is the ID payload body: type, 3 reserved octets, data. */
int ike_psk_auth(const uint8_t *psk, size_t psk_len, const uint8_t *real_msg, size_t msg_len,
                 const uint8_t *peer_nonce, size_t nonce_len, const uint8_t sk_p[IKE_PRF_LEN],
                 const uint8_t *id_body, size_t id_len, uint8_t out[IKE_PRF_LEN]);

/* The IKE_AUTH after an IKE_SESSION_RESUME (RFC 5723 §4.3.3): AUTH =
 * prf(SK_p, RealMessage | PeerNonce | prf(SK_p, RestOfID)), the §2.15 octets
 * keyed with the new SA's SK_pi or SK_pr instead of a PSK.  (libreswan 5.2
 * MACs the first message alone: an interoperability risk.) */
int ike_resumed_auth(const uint8_t *real_msg, size_t msg_len, const uint8_t *peer_nonce,
                     size_t nonce_len, const uint8_t sk_p[IKE_PRF_LEN], const uint8_t *id_body,
                     size_t id_len, uint8_t out[IKE_PRF_LEN]);

/* The keys of the IKE SA SPIi/SPIr as a line of Wireshark's
 * ikev2_decryption_table; the line's length, or IKE_E_SPACE. */
int ike_keylog_keys(uint64_t spi_i, uint64_t spi_r, const ike_suite *s, const ike_keys *k, char *out,
                    size_t cap);

/* Constant-time comparison: 1 if equal. */
int ike_ct_equal(const uint8_t *a, const uint8_t *b, size_t len);

/* --- The SK payload (RFC 7296 §3.14, RFC 5282) --- */

/* Builds a whole protected message: header h (next payload and length are
 * computed), then SK{inner payloads} sealed with key ke (and ka for CBC).
 * iv: ike_iv_len(s) octets from the caller — a per-SA counter for GCM, random
 * for CBC.  GCM adds no padding (an empty liveness message is 57 octets);
 * CBC pads to the block size (80 octets). */
int ike_sk_seal(const ike_suite *s, const uint8_t *ke, const uint8_t *ka, const ike_hdr *h,
                const ike_payload *inner, size_t n_inner, const uint8_t *iv,
                uint8_t *out, size_t cap, size_t *out_len);

/* Opens the SK payload of a parsed message (msg is the whole datagram that
 * m was parsed from, m->pl[m->n-1] the SK payload): verifies the ICV,
 * decrypts into plain (>= its ciphertext length), strips padding and appends
 * the inner payloads to m (their views point into plain).  IKE_E_ICV on a bad
 * ICV, with m unchanged. */
int ike_sk_open(const ike_suite *s, const uint8_t *ke, const uint8_t *ka, const uint8_t *msg,
                size_t msg_len, ike_msg *m, uint8_t *plain, size_t plain_cap);

#endif
