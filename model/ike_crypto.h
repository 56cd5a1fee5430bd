/* ike_crypto.h — IKEv2 cryptography over OpenSSL EVP (RFC 7296 §2.13-§2.18,
 * §3.14; RFC 5282; RFC 4868; RFC 5903; RFC 7634; RFC 8031).
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
    IKE_PRF_LEN = 32,      /* PRF_HMAC_SHA2_256 output (ike_prf) */
    IKE_PRF_MAX = 64,      /* the longest PRF output and integrity key (SHA-512) */
    IKE_MAX_KEY = 36,      /* AES-256 or ChaCha20 key + 4-octet salt */
    IKE_MAX_ICV = 32,      /* HMAC-SHA2-512-256 */
    IKE_DH_PRIV_RAND = 74, /* most random octets a private key is made from (ECP-521) */
    IKE_MAX_KE = 512,      /* MODP-4096 public value */
    IKE_MAX_SHARED = 512,  /* MODP-4096 g^ir */
};

/* A negotiated IKE or ESP suite. */
typedef struct ike_suite {
    uint16_t encr;      /* IKE_ENCR_*: AES-CBC, -CCM, -GCM, ChaCha20-Poly1305 */
    uint16_t encr_bits; /* 128, 192 or 256 (ChaCha20: 256) */
    uint16_t integ;     /* IKE_INTEG_NONE with an AEAD, an HMAC with CBC */
    uint16_t prf;       /* IKE_PRF_HMAC_SHA1, _SHA2_256, _384, _512 */
    uint16_t dh;        /* IKE_DH_*: MODP-2048/3072/4096, ECP-256/384/521, X25519, X448 */
} ike_suite;

int ike_suite_check(const ike_suite *s);      /* IKE_OK or IKE_E_UNSUPPORTED */
/* The encryption half of a suite (all an SK payload or ESP needs) is one
 * this model implements: IKE_OK or IKE_E_UNSUPPORTED. */
int ike_cipher_check(const ike_suite *s);
size_t ike_encr_key_len(const ike_suite *s);  /* AEAD: key + salt (4 GCM, ChaCha20; 3 CCM) */
size_t ike_integ_key_len(const ike_suite *s); /* 0 with an AEAD */
size_t ike_iv_len(const ike_suite *s);        /* 8 AEAD, 16 CBC */
size_t ike_icv_len(const ike_suite *s);       /* the AEAD tag or the truncated HMAC */
size_t ike_prf_len(uint16_t prf);             /* output octets; 0 if unsupported */

/* --- Diffie-Hellman (ike_dh.c): MODP groups 14-16 (RFC 3526), ECP groups
 * 19-21 (RFC 5903: KE is x | y, g^ir is x), 31 X25519, 32 X448 (RFC 8031) --- */
typedef struct ike_dh ike_dh;
size_t ike_dh_ke_len(uint16_t group);         /* KE data octets; 0 if unsupported */
size_t ike_dh_priv_len(uint16_t group);       /* random octets ike_dh_new() reads */
/* The private key is derived from ike_dh_priv_len(group) caller-supplied octets. */
int ike_dh_new(uint16_t group, const uint8_t *rand, ike_dh **out);
void ike_dh_free(ike_dh *dh);
int ike_dh_public(const ike_dh *dh, uint8_t *out, size_t len); /* len == ke_len */
/* g^ir: left-padded to the modulus length for MODP, the x coordinate for
 * ECP; rejects bad peer values. */
int ike_dh_shared(const ike_dh *dh, const uint8_t *peer, size_t peer_len,
                  uint8_t *out, size_t cap, size_t *out_len);

/* --- PRFs and prf+ --- */
typedef struct ike_iov {
    const uint8_t *p;
    size_t len;
} ike_iov;
/* prf(key, concatenation of the n segments) with PRF_HMAC_SHA2_256 */
int ike_prf(const uint8_t *key, size_t key_len, const ike_iov *seg, size_t n,
            uint8_t out[IKE_PRF_LEN]);
/* The same with any PRF: ike_prf_len(prf) octets out. */
int ike_prf_with(uint16_t prf, const uint8_t *key, size_t key_len, const ike_iov *seg, size_t n,
                 uint8_t *out);
/* prf+(key, seed) with PRF_HMAC_SHA2_256, out_len <= 255 * 32 */
int ike_prf_plus(const uint8_t *key, size_t key_len, const uint8_t *seed, size_t seed_len,
                 uint8_t *out, size_t out_len);
int ike_prf_plus_with(uint16_t prf, const uint8_t *key, size_t key_len, const uint8_t *seed,
                      size_t seed_len, uint8_t *out, size_t out_len);
/* HMAC with the INTEG transform's digest, truncated to its ICV. */
int ike_integ(uint16_t integ, const uint8_t *key, const ike_iov *seg, size_t n, uint8_t *icv);

/* --- Keys of an IKE SA --- */
typedef struct ike_keys {
    uint8_t d[IKE_PRF_MAX], pi[IKE_PRF_MAX], pr[IKE_PRF_MAX];
    uint8_t ai[IKE_PRF_MAX], ar[IKE_PRF_MAX];
    uint8_t ei[IKE_MAX_KEY], er[IKE_MAX_KEY];
    uint8_t prf_len, integ_len, encr_len;
} ike_keys;

/* SKEYSEED = prf(Ni | Nr, g^ir); {SK_d..SK_pr} = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr) */
int ike_derive_keys(const ike_suite *s, const uint8_t *ni, size_t ni_len,
                    const uint8_t *nr, size_t nr_len, const uint8_t *gir, size_t gir_len,
                    uint64_t spi_i, uint64_t spi_r, ike_keys *out);

/* {SK_d|SK_ai|SK_ar|SK_ei|SK_er|SK_pi|SK_pr} = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr)
 * (§2.14), for every way of making SKEYSEED (ike_rekey_keys.h); SKEYSEED is
 * ike_prf_len(s->prf) octets. */
int ike_keys_split(const ike_suite *s, const uint8_t *skeyseed, const uint8_t *ni,
                   size_t ni_len, const uint8_t *nr, size_t nr_len, uint64_t spi_i, uint64_t spi_r,
                   ike_keys *out);

/* KEYMAT = prf+(SK_d, Ni | Nr) for a Child SA without PFS; SK_d is
 * ike_prf_len(prf) octets. */
int ike_child_keymat(uint16_t prf, const uint8_t *sk_d, const uint8_t *ni, size_t ni_len,
                     const uint8_t *nr, size_t nr_len, uint8_t *out, size_t out_len);

/* AUTH = prf(prf(PSK, "Key Pad for IKEv2"), RealMessage | PeerNonce | prf(SK_p, RestOfID))
 * id_body is the ID payload body: type, 3 reserved octets, data; out and
 * SK_p are ike_prf_len(prf) octets. */
int ike_psk_auth(uint16_t prf, const uint8_t *psk, size_t psk_len, const uint8_t *real_msg,
                 size_t msg_len, const uint8_t *peer_nonce, size_t nonce_len, const uint8_t *sk_p,
                 const uint8_t *id_body, size_t id_len, uint8_t *out);

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
 * iv: ike_iv_len(s) octets from the caller — a per-SA counter for an AEAD,
 * random for CBC.  An AEAD adds no padding (an empty liveness message is 57
 * octets with GCM-16); CBC pads to the block size (80 octets with
 * HMAC-SHA2-256-128). */
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
