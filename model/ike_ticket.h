/* ike_ticket.h — RFC 5723 session tickets by value: the state an IKE SA
 * resumes from (§5 "from the ticket"), sealed with the gateway's ticket key
 * by AES-256-GCM, with a key id and an absolute expiry inside (§6.1).
 *
 * Layout, after the example of RFC 5723 Appendix A.1:
 *    0  format version 1, 3 reserved octets (0)
 *    4  key id, 8 octets
 *   12  GCM nonce, 12 octets (from the caller's generator: nothing here draws randomness)
 *   24  sealed: SPIi 8 | SPIr 8 | ENCR 2 | key bits 2 | INTEG 2 | PRF 2 | D-H 2 |
 *       auth method 1 | IDi type 1, length 1, data | IDr type 1, length 1, data |
 *       SK_d 32 | expiry 8 (ns on the gateway's clock)
 *    …  GCM tag, 16 octets; the first 24 octets are authenticated too.
 * The suite stands in for A.1's full SA payload; the SPIs are the old IKE
 * SA's, to find it (§5 Note 4), never reused.
 *
 * The gateway keeps its ticket keys across a crash (like the QCD secret) and
 * rolls them over: the key it replaces still opens tickets until its retire
 * time, then none; a ticket under a key it does not hold is refused alike.
 */
#ifndef IKESIM_IKE_TICKET_H
#define IKESIM_IKE_TICKET_H

#include <stddef.h>
#include <stdint.h>

#include "ike_crypto.h"

enum {
    IKE_TICKET_VERSION = 1,
    IKE_TICKET_KEY_LEN = 32,
    IKE_TICKET_KEY_ID_LEN = 8,
    IKE_TICKET_NONCE_LEN = 12,
    IKE_TICKET_TAG_LEN = 16,
    IKE_TICKET_HDR_LEN = 24,   /* version, reserved, key id, nonce */
    IKE_TICKET_ID_MAX = 64,
    IKE_TICKET_OLD_KEYS = 3,
};

typedef struct ike_ticket_key {
    uint8_t id[IKE_TICKET_KEY_ID_LEN];
    uint8_t key[IKE_TICKET_KEY_LEN];
    uint64_t retire_at; /* a replaced key opens tickets until this time (ns) */
} ike_ticket_key;

/* The gateway's non-volatile ticket keys. */
typedef struct ike_ticket_keys {
    ike_ticket_key cur;
    ike_ticket_key old[IKE_TICKET_OLD_KEYS]; /* old[0] newest */
    unsigned n_old;
    uint64_t cur_since; /* when cur came in (ns; 0 after ike_ticket_keys_init) */
} ike_ticket_keys;

void ike_ticket_keys_init(ike_ticket_keys *k, const uint8_t id[IKE_TICKET_KEY_ID_LEN],
                          const uint8_t key[IKE_TICKET_KEY_LEN]);
/* The current key becomes old[0], opening tickets until now + grace; the
 * oldest beyond three is forgotten.  Key ids are to differ (drawn at random). */
void ike_ticket_keys_roll(ike_ticket_keys *k, const uint8_t id[IKE_TICKET_KEY_ID_LEN],
                          const uint8_t key[IKE_TICKET_KEY_LEN], uint64_t now, uint64_t grace);

typedef struct ike_ticket_state {
    uint64_t spi_i, spi_r;
    ike_suite suite;
    uint8_t auth_method;
    uint8_t id_i_type, id_i_len, id_i[IKE_TICKET_ID_MAX];
    uint8_t id_r_type, id_r_len, id_r[IKE_TICKET_ID_MAX];
    uint8_t sk_d[IKE_PRF_LEN];
    uint64_t expires; /* absolute, ns on the gateway's clock */
} ike_ticket_state;

/* Octets ike_ticket_seal writes for st. */
size_t ike_ticket_len(const ike_ticket_state *st);
/* Seals st under the current key. */
int ike_ticket_seal(const ike_ticket_keys *k, const ike_ticket_state *st,
                    const uint8_t nonce[IKE_TICKET_NONCE_LEN], uint8_t *out, size_t cap,
                    size_t *out_len);
/* Opens a presented ticket at time now: IKE_E_TRUNCATED or IKE_E_SYNTAX for
 * what cannot be one, IKE_E_TICKET_KEY for a key not held or retired,
 * IKE_E_ICV for a tampered one, IKE_E_EXPIRED at or after its expiry. */
int ike_ticket_open(const ike_ticket_keys *k, const uint8_t *t, size_t len, uint64_t now,
                    ike_ticket_state *st);
/* TICKET_LT_OPAQUE's lifetime: whole seconds from now to the expiry. */
uint32_t ike_ticket_lifetime_s(const ike_ticket_state *st, uint64_t now);

#endif
