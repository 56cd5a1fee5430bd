/* esp.h — one ESP Security Association, both directions, sans I/O
 * (RFC 4303; AES-GCM per RFC 4106, AES-CCM per RFC 4309, ChaCha20-Poly1305
 * per RFC 7634; AES-CBC per RFC 3602 with HMAC-SHA1-96 (RFC 2404) or
 * HMAC-SHA2-256-128, -384-192, -512-256 (RFC 4868)).
 *
 * An esp_sa is made from the ike_child the IKE model negotiated: the
 * outbound half seals with spi_out / key_out / integ_out, the inbound half
 * opens with spi_in / key_in / integ_in.  Bytes in, bytes out; no clock, no
 * I/O, no global state.  The only randomness (CBC IVs) comes from the
 * caller's random callback, so the same inputs and random bytes give the
 * same packets.
 *
 * Packet: SPI(4) | Seq(4, low half with ESN) | IV | ciphertext of
 * (payload | padding 1,2,3,... | Pad Length | Next Header) | ICV.
 *  - AEAD: IV (8) = the full 64-bit sequence number (unique under one key);
 *    nonce = salt (last 4 octets of the key material, CCM 3) | IV;
 *    AAD = SPI | Seq, or SPI | Seq-high | Seq-low with ESN (RFC 4106 §5);
 *    padding aligns Pad Length and Next Header to 4 octets; ICV = the tag
 *    (8, 12 or 16).
 *  - CBC: IV (16) random; padding to the 16-octet block; ICV =
 *    HMAC(integ, SPI | Seq | IV | ciphertext [| Seq-high with ESN])
 *    truncated (12, 16, 24 or 32; the high half is appended for the ICV
 *    only).
 * Sender: the counter starts at 0, the first packet carries 1, the counter
 * never wraps (2^32 - 1, or 2^64 - 1 with ESN, is the last number).
 * Receiver, in RFC 4303 §3.4 order: SPI, quick replay check (stale or
 * duplicate), integrity, padding, and only then the window update.
 */
#ifndef IKESIM_ESP_H
#define IKESIM_ESP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esp_err.h"
#include "esp_replay.h"
#include "ike.h"

enum {
    ESP_HDR_LEN = 8,          /* SPI + Sequence Number */
    ESP_ICV_LEN = 16,         /* GCM-16 tag and HMAC-SHA2-256-128 (others: esp_sa_icv_len) */
    ESP_TRAILER_LEN = 2,      /* Pad Length + Next Header */
    ESP_MAX_PAYLOAD = 65535,  /* largest payload the model seals */
    ESP_NH_IPV4 = 4,          /* tunnel mode, IPv4 inner packet */
    ESP_NH_NONE = 59,         /* dummy packet (RFC 4303 §2.6): drop after processing */
};

typedef struct esp_cfg {
    uint32_t window;   /* anti-replay window, ESP_WINDOW_MIN..ESP_WINDOW_MAX */
    bool anti_replay;  /* false: no replay drops (RFC 4301 §3.2); the right
                          edge is still tracked for ESN reconstruction */
    void *rand_ctx;    /* CBC IVs: random(rand_ctx, out, 16); unused by GCM */
    void (*random)(void *ctx, uint8_t *out, size_t len);
} esp_cfg;

/* Window 64 (RFC 4303 SHOULD), anti-replay on, no random callback. */
void esp_cfg_defaults(esp_cfg *cfg);

typedef struct esp_stats {
    uint64_t sent;          /* packets sealed */
    uint64_t accepted;      /* packets opened and delivered */
    uint64_t replay_drops;  /* ESP_E_REPLAY */
    uint64_t stale_drops;   /* ESP_E_STALE */
    uint64_t icv_failures;  /* ESP_E_ICV */
    uint64_t spi_mismatch;  /* ESP_E_SPI */
    uint64_t malformed;     /* ESP_E_TRUNCATED, ESP_E_BAD_LENGTH, ESP_E_BAD_PAD */
} esp_stats;

typedef struct esp_sa esp_sa;

/* cfg NULL means esp_cfg_defaults().  ESP_E_UNSUPPORTED for a suite
 * ike_cipher_check() refuses;
 * ESP_E_ARG for a bad window, an SPI of 0 or a CBC SA without random. */
int esp_sa_new(const ike_child *child, const esp_cfg *cfg, esp_sa **out);
void esp_sa_free(esp_sa *sa); /* wipes the keys; NULL is fine */

uint32_t esp_sa_spi_in(const esp_sa *sa);
size_t esp_sa_icv_len(const esp_sa *sa);
uint32_t esp_sa_spi_out(const esp_sa *sa);
bool esp_sa_esn(const esp_sa *sa);
const esp_stats *esp_sa_stats(const esp_sa *sa);

/* --- Outbound --- */

/* Octets esp_sa_seal() writes for a payload of len octets. */
size_t esp_sa_sealed_len(const esp_sa *sa, size_t len);
/* The number the next packet carries (64-bit), or 0 if the counter is
 * exhausted (0 is never sent). */
uint64_t esp_sa_next_seq(const esp_sa *sa);
/* Moves the counter forward by delta (RFC 6311 §5.2: the new active member
 * jumps over the numbers its predecessor may have used).  ESP_E_SEQ_EXHAUSTED,
 * counter unchanged, if that passes the last number; landing on it is
 * allowed (then nothing more can be sent). */
int esp_sa_skip(esp_sa *sa, uint64_t delta);
/* Seals payload as one ESP packet into out (no overlap with payload).
 * ESP_E_SPACE / ESP_E_BAD_LENGTH consume no number; ESP_E_SEQ_EXHAUSTED
 * when the counter is spent; a number once used is never used again. */
int esp_sa_seal(esp_sa *sa, uint8_t next_header, const uint8_t *payload, size_t len,
                uint8_t *out, size_t cap, size_t *out_len);

/* --- Inbound --- */

typedef struct esp_rx {
    uint64_t seq;            /* the full sequence number (high half reconstructed with ESN) */
    uint8_t next_header;     /* ESP_NH_IPV4, ESP_NH_NONE, ... */
    const uint8_t *payload;  /* points into the caller's plain buffer */
    size_t len;
} esp_rx;

/* The SPI of an ESP packet, for finding its SA.  ESP_E_TRUNCATED if < 8 octets. */
int esp_peek_spi(const uint8_t *pkt, size_t len, uint32_t *spi);
/* Opens one ESP packet.  plain receives the decrypted payload (cap >= len
 * always suffices).  Errors change nothing but the matching counter:
 * ESP_E_TRUNCATED, ESP_E_SPI, ESP_E_BAD_LENGTH, ESP_E_STALE, ESP_E_REPLAY,
 * ESP_E_ICV, ESP_E_BAD_PAD; ESP_E_SPACE counts nothing.  On ESP_OK the window
 * has moved and rx describes the payload. */
int esp_sa_open(esp_sa *sa, const uint8_t *pkt, size_t len, uint8_t *plain, size_t cap,
                esp_rx *rx);
/* T, the highest authenticated inbound number (0 before any). */
uint64_t esp_sa_rx_highest(const esp_sa *sa);

#endif
