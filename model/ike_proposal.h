/* ike_proposal.h — the proposals an endpoint offers and accepts (RFC 7296
 * §2.7, §3.3), and how a responder chooses among the peer's.
 *
 * A proposal lists, per transform type, algorithms in order of preference.
 * Choosing follows strongSwan (libstrongswan proposal.c): the preferred
 * side's proposals are tried in order, each against every proposal of the
 * other side, and within a type the first algorithm of the preferred side
 * that the other also lists wins.  strongSwan's default
 * (prefer_configured_proposals = yes) prefers the responder's own list;
 * prefer_supplied prefers the initiator's.
 *
 * Text uses strongSwan's proposal syntax: proposals separated by ',',
 * algorithms by '-', e.g. "aes256gcm16-prfsha384-ecp384,
 * aes128-sha256-modp3072"; an IKE proposal without PRF takes the PRFs of
 * its integrity algorithms.  "strongswan" stands for what strongSwan 5.9
 * proposes by default, as far as this model implements it. */
#ifndef IKESIM_IKE_PROPOSAL_H
#define IKESIM_IKE_PROPOSAL_H

#include <stdbool.h>
#include <stdint.h>

#include "ike_crypto.h"
#include "ike_wire.h"

enum {
    IKE_PROPS_MAX = 4,       /* proposals per list */
    IKE_PROP_ALGS = 20,      /* algorithms per transform type */
    IKE_PROP_TYPES = 5,      /* ENCR, PRF, INTEG, DH, ESN (index type - 1) */
};

typedef struct ike_algo {
    uint16_t id, bits; /* bits: the ENCR Key Length (0 without the attribute) */
} ike_algo;

typedef struct ike_prop {
    uint8_t n[IKE_PROP_TYPES];
    ike_algo a[IKE_PROP_TYPES][IKE_PROP_ALGS];
} ike_prop;

typedef struct ike_props {
    uint8_t proto; /* IKE_PROTO_IKE or IKE_PROTO_ESP */
    uint8_t n;
    ike_prop p[IKE_PROPS_MAX];
} ike_props;

/* The strongSwan 5.9 defaults this model can do (text form). */
extern const char IKE_PROPOSALS_STRONGSWAN_IKE[];
extern const char IKE_PROPOSALS_STRONGSWAN_ESP[];

/* One proposal of a single suite; for IKE with dh_alt (non-zero) as a
 * second group.  ESP: ENCR, INTEG (unless AEAD), ESN. */
void ike_props_from_suite(ike_props *out, uint8_t proto, const ike_suite *s, uint16_t dh_alt,
                          bool esn);
/* Parses text for proto; IKE_E_SYNTAX names nothing: err_at (may be NULL)
 * gets the offending token's offset.  IKE_E_UNSUPPORTED for an algorithm
 * the model does not implement, IKE_E_LIMIT for too many. */
int ike_props_parse(const char *text, uint8_t proto, ike_props *out, size_t *err_at);
/* The first suite of the first proposal (what a single-suite peer would use). */
ike_suite ike_props_first(const ike_props *p);
bool ike_props_has_dh(const ike_props *p, uint16_t dh);

/* The SA payload offering props; for IKE the group ke_dh goes first in
 * every proposal that lists it (the one KEi carries); ESP proposals carry
 * the 4-octet spi. */
ike_payload ike_props_payload(const ike_props *p, uint16_t ke_dh, uint32_t spi);

/* Responder: the suite chosen from the peer's SA payload.  *num: the
 * chosen peer proposal's number, *spi: its SPI (ESP).  For IKE, a KE group
 * ke_dh that both sides list in the matching proposals is taken over the
 * preferred one (no INVALID_KE_PAYLOAD round trip); otherwise *suite.dh is
 * the preferred group and differs from ke_dh.  false: no proposal matches. */
bool ike_props_select(const ike_props *own, const ike_sa_pl *peer, bool prefer_supplied,
                      uint16_t ke_dh, bool esn_ok, ike_suite *suite, bool *esn,
                      const ike_proposal **chosen);
/* Initiator: the responder's one-proposal answer names one algorithm per
 * type, each of which we offered in one proposal.  false otherwise. */
bool ike_props_accept(const ike_props *own, const ike_sa_pl *answer, ike_suite *suite, bool *esn,
                      const ike_proposal **chosen);
/* The answer: one transform per type of the chosen suite, numbered num. */
ike_payload ike_props_answer(uint8_t proto, const ike_suite *s, bool esn, uint8_t num,
                             uint32_t spi);

/* A suite in strongSwan's syntax, e.g. "aes256gcm16-prfsha256-x25519" (no
 * integrity with an AEAD, no group for ESP); NULL-terminated in out. */
void ike_suite_name(uint8_t proto, const ike_suite *s, char *out, size_t cap);

#endif
