/* ike_resume_wire.h — session resumption on the wire (RFC 5723): the ticket
 * notifies of IKE_AUTH and INFORMATIONAL (§4.1, §7), and the unprotected
 * IKE_SESSION_RESUME exchange (§4.3.2):
 *
 *   request   HDR(SPIi, SPIr = 0, 38, I, MID 0), [N(COOKIE),] Ni, N(TICKET_OPAQUE)
 *   accept    HDR(SPIi, SPIr, 38, R, MID 0), Nr
 *   refuse    HDR(SPIi, 0, 38, R, MID 0), N(TICKET_NACK)  (or N(COOKIE): ask for one)
 *
 * All five notifies have Protocol ID 0 and SPI size 0 (§7); anything else,
 * or data on the three that carry none, is IKE_E_SYNTAX.
 */
#ifndef IKESIM_IKE_RESUME_WIRE_H
#define IKESIM_IKE_RESUME_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike_wire.h"

enum {
    IKE_TICKET_LIFETIME_LEN = 4,
    IKE_TICKET_MAX = 1024, /* largest ticket this model takes (the RFC sets no bound) */
};

/* N(TICKET_LT_OPAQUE): the 4-octet relative lifetime in seconds, then the
 * ticket, written into buf (>= 4 + len octets) that the payload points to. */
int ike_ticket_lt_payload(uint32_t lifetime_s, const uint8_t *ticket, size_t len,
                          uint8_t *buf, size_t cap, ike_payload *out);
/* N(TICKET_OPAQUE): the ticket alone. */
ike_payload ike_ticket_opaque_payload(const uint8_t *ticket, size_t len);

/* What a response says to N(TICKET_REQUEST) (§4.1). */
typedef enum ike_ticket_answer {
    IKE_TICKET_NONE,    /* none of the three notifies */
    IKE_TICKET_GRANTED, /* TICKET_LT_OPAQUE */
    IKE_TICKET_LATER,   /* TICKET_ACK: not now, ask again */
    IKE_TICKET_REFUSED, /* TICKET_NACK */
} ike_ticket_answer;

typedef struct ike_ticket_reply {
    ike_ticket_answer answer;
    uint32_t lifetime_s; /* GRANTED */
    ike_bytes ticket;    /* GRANTED */
} ike_ticket_reply;

/* Reads m->pl[from .. m->n); two answers in one message are IKE_E_PAYLOADS. */
int ike_ticket_reply_read(const ike_msg *m, size_t from, ike_ticket_reply *r);
/* Does m->pl[from .. m->n) carry a well-formed N(TICKET_REQUEST)? */
bool ike_ticket_requested(const ike_msg *m, size_t from);

/* The payloads of one IKE_SESSION_RESUME message. */
typedef struct ike_resume_msg {
    ike_bytes cookie; /* request: N(COOKIE) echoed; response: a cookie demanded */
    ike_bytes nonce;  /* Ni, or Nr of an accepting response */
    ike_bytes ticket; /* request: N(TICKET_OPAQUE) */
    bool nack;        /* response: N(TICKET_NACK) */
} ike_resume_msg;

/* Whole messages (header and payloads) for ike_encode; r's views are kept. */
int ike_resume_request(uint64_t spi_i, const ike_resume_msg *r, ike_msg *m);
/* An accepting response needs spi_r != 0 and a nonce; a refusal (nack or a
 * cookie demand) is sent with SPIr 0, like IKE_SA_INIT's. */
int ike_resume_response(uint64_t spi_i, uint64_t spi_r, const ike_resume_msg *r, ike_msg *m);
/* Reads a parsed IKE_SESSION_RESUME message, request or response by its R
 * flag, checking the header (exchange, MID 0, SPIs) and the payload set. */
int ike_resume_read(const ike_msg *m, ike_resume_msg *r);

#endif
