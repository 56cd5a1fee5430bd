/* qcd.h — Quick Crash Detection tokens (RFC 6290).
 *
 * Token = HMAC-SHA256(QCD secret, SPIi | SPIr), 32 octets.  RFC 6290 §5.1
 * asks only for an unguessable keyed hash of the SPIs; HMAC-SHA256 is this
 * model's choice.  A maker keeps its secret (and up to three older ones
 * after rollovers) in storage that survives a crash; a taker stores the
 * token it received with the IKE SA and compares in constant time.
 */
#ifndef IKESIM_QCD_H
#define IKESIM_QCD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike_wire.h"

enum {
    QCD_SECRET_LEN = 32,
    QCD_TOKEN_LEN = 32,
    QCD_MIN_TOKEN = 16, /* RFC 6290 §5: tokens are 16..128 octets */
    QCD_MAX_TOKEN = 128,
    QCD_OLD_SECRETS = 3,
    QCD_MAX_PRESENTED = 4, /* tokens a taker checks in one message */
};

/* The maker's non-volatile state. */
typedef struct qcd_secrets {
    uint8_t cur[QCD_SECRET_LEN];
    uint8_t old[QCD_OLD_SECRETS][QCD_SECRET_LEN]; /* old[0] newest */
    unsigned n_old;
} qcd_secrets;

void qcd_secrets_init(qcd_secrets *s, const uint8_t secret[QCD_SECRET_LEN]);
/* The current secret becomes old[0]; the oldest beyond three is forgotten. */
void qcd_rollover(qcd_secrets *s, const uint8_t secret[QCD_SECRET_LEN]);

int qcd_token(const uint8_t secret[QCD_SECRET_LEN], uint64_t spi_i, uint64_t spi_r,
              uint8_t out[QCD_TOKEN_LEN]);
/* QCD_TOKEN notifies for the SPI pair: one per secret generation, newest
 * first (up to 4).  tokens must hold 4 * QCD_TOKEN_LEN octets; returns how
 * many payloads were written to pl. */
size_t qcd_token_payloads(const qcd_secrets *s, uint64_t spi_i, uint64_t spi_r,
                          uint8_t *tokens, ike_payload *pl);

/* A QCD_TOKEN notify this model accepts: Protocol ID 0 (RFC 6290 erratum
 * 3449) or 1 (as published), no SPI, 16..128 octets of token. */
bool qcd_notify_ok(const ike_payload *p);
/* True if any of the first four QCD_TOKEN notifies of m equals stored. */
bool qcd_match(const ike_msg *m, const uint8_t *stored, size_t stored_len);

#endif
