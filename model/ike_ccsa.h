/* ike_ccsa.h — what a CREATE_CHILD_SA exchange carries inside SK{}
 * (RFC 7296 §1.3): a new Child SA, a Child SA rekey (N(REKEY_SA) naming the
 * SA it replaces) and an IKE SA rekey (the new 8-octet IKE SPI in the
 * proposal, KE mandatory, no traffic selectors, §1.3.2).
 *
 * Building writes the payloads in the order of §1.3's figures; reading
 * accepts any order (§2.5) but checks that every payload the kind needs is
 * there once and nothing it forbids is (IKE_E_PAYLOADS), and that SPI sizes
 * and protocols fit the kind (IKE_E_SYNTAX).  Views point into the caller's
 * structures or into the parsed message.
 */
#ifndef IKESIM_IKE_CCSA_H
#define IKESIM_IKE_CCSA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike_wire.h"

typedef enum ike_ccsa_kind {
    IKE_CCSA_NEW_CHILD,
    IKE_CCSA_REKEY_CHILD,
    IKE_CCSA_REKEY_IKE,
} ike_ccsa_kind;

enum {
    IKE_CCSA_MAX_PAYLOADS = 6, /* N(REKEY_SA), SA, Nonce, KE, TSi, TSr */
    IKE_CHILD_SPI_LEN = 4,
    IKE_SPI_LEN = 8,
};

typedef struct ike_ccsa {
    ike_ccsa_kind kind;   /* read from a response: NEW_CHILD or REKEY_IKE (a response does not say it rekeys) */
    uint8_t rekey_proto;  /* REKEY_CHILD request: IKE_PROTO_ESP or IKE_PROTO_AH */
    uint32_t rekey_spi;   /* REKEY_CHILD request: the replaced SA's SPI as the requester receives on it (§1.3.3) */
    const ike_sa_pl *sa;  /* Child: 4-octet SPIs; IKE: the new 8-octet SPI; one proposal in a response */
    ike_bytes nonce;
    uint16_t ke_group;
    ike_bytes ke;         /* empty: no key exchange (a Child SA without PFS) */
    const ike_ts_pl *tsi, *tsr; /* Child SAs only */
    uint16_t error;       /* read from a response: the error notify it carries instead (0: none) */
    uint16_t error_group; /* with INVALID_KE_PAYLOAD: the group the responder wants */
} ike_ccsa;

/* Fills pl[0 .. *n) (cap >= IKE_CCSA_MAX_PAYLOADS); the caller may append
 * status notifies.  Refuses a c that is no valid message of its kind. */
int ike_ccsa_build(const ike_ccsa *c, bool response, ike_payload *pl, size_t cap, size_t *n);

/* Reads the inner payloads m->pl[from .. m->n).  A response holding an error
 * notify (type < 16384) is read as that refusal: IKE_OK with c->error set. */
int ike_ccsa_read(const ike_msg *m, size_t from, bool response, ike_ccsa *c);

/* Whether a request's SA payload (m->pl[from ..]) proposes an IKE SA: an
 * IKE SA rekey, whether or not the rest reads as one. */
bool ike_ccsa_rekeys_ike(const ike_msg *m, size_t from);

/* A refusal: N(type); INVALID_KE_PAYLOAD carries group (two octets written to
 * buf), CHILD_SA_NOT_FOUND the REKEY_SA's protocol and SPI (§2.25). */
ike_payload ike_ccsa_refusal(uint16_t type, uint16_t group, uint8_t proto, uint32_t spi,
                             uint8_t buf[2]);

#endif
