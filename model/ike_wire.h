/* ike_wire.h — the IKEv2 wire codec (RFC 7296 §3).
 *
 * Parsing fills an ike_msg whose byte fields are views into the caller's
 * buffer (valid while it lives).  Every length is checked against its
 * container; an unknown payload is kept as raw bytes unless its critical bit
 * is set (IKE_E_CRITICAL, with the type in ike_msg.critical_type).  The SK
 * payload is left sealed: ike_sk.h opens it and parses the inner chain with
 * ike_parse_chain().  Encoding a parsed canonical message gives back the
 * same bytes.
 */
#ifndef IKESIM_IKE_WIRE_H
#define IKESIM_IKE_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike_const.h"
#include "ike_err.h"

enum {
    IKE_MAX_PAYLOADS = 24,
    IKE_MAX_PROPOSALS = 8,
    IKE_MAX_TRANSFORMS = 40, /* strongSwan's default IKE proposal has 38 */
    IKE_MAX_TS = 8,
};

typedef struct ike_bytes {
    const uint8_t *p;
    size_t len;
} ike_bytes;

typedef struct ike_hdr {
    uint64_t spi_i, spi_r; /* the 8 octets read big-endian */
    uint8_t next_payload;  /* filled by the parser; computed by the encoder */
    uint8_t version;       /* 0x20 */
    uint8_t exchange;
    uint8_t flags;
    uint32_t msg_id;
    uint32_t length;       /* filled by the parser; computed by the encoder */
} ike_hdr;

typedef struct ike_transform {
    uint8_t type;
    uint16_t id;
    uint16_t key_bits;   /* Key Length attribute, 0 if absent */
    bool unknown_attr;   /* an attribute other than Key Length was present */
} ike_transform;

typedef struct ike_proposal {
    uint8_t num, proto, spi_size, n_transforms;
    uint8_t spi[8];
    ike_transform t[IKE_MAX_TRANSFORMS];
} ike_proposal;

typedef struct ike_sa_pl {
    uint8_t n;
    ike_proposal p[IKE_MAX_PROPOSALS];
} ike_sa_pl;

typedef struct ike_ke_pl {
    uint16_t group;
    ike_bytes data;
} ike_ke_pl;

typedef struct ike_id_pl {   /* IDi, IDr */
    uint8_t type;
    ike_bytes data;
} ike_id_pl;

typedef struct ike_auth_pl {
    uint8_t method;
    ike_bytes data;
} ike_auth_pl;

typedef struct ike_notify_pl {
    uint8_t proto, spi_size; /* spi_size 0, 4 or 8 */
    uint16_t type;
    uint8_t spi[8];
    ike_bytes data;
} ike_notify_pl;

typedef struct ike_delete_pl {
    uint8_t proto, spi_size;
    uint16_t n_spi;
    ike_bytes spis; /* n_spi * spi_size octets */
} ike_delete_pl;

typedef struct ike_ts_sel {
    uint8_t type;     /* 7 IPv4 range, 8 IPv6 range */
    uint8_t ip_proto;
    uint16_t start_port, end_port;
    uint8_t start[16], end[16]; /* 4 or 16 octets used */
} ike_ts_sel;

typedef struct ike_ts_pl {   /* TSi, TSr */
    uint8_t n;
    ike_ts_sel s[IKE_MAX_TS];
} ike_ts_pl;

typedef struct ike_payload {
    uint8_t type;
    bool critical;
    uint8_t next;  /* parser: the Next Payload octet (for SK: first inner type) */
    ike_bytes body; /* parser: the body after the generic header */
    union {
        ike_sa_pl sa;
        ike_ke_pl ke;
        ike_id_pl id;
        ike_auth_pl auth;
        ike_bytes nonce;
        ike_notify_pl notify;
        ike_delete_pl del;
        ike_ts_pl ts;
        ike_bytes raw;  /* SK (IV|ciphertext|ICV), vendor ID and unknown types */
    } u;
} ike_payload;

typedef struct ike_msg {
    ike_hdr hdr;
    size_t n;
    ike_payload pl[IKE_MAX_PAYLOADS];
    uint8_t critical_type; /* set with IKE_E_CRITICAL */
} ike_msg;

/* Header only; checks version and that length == len. */
int ike_parse_header(const uint8_t *buf, size_t len, ike_hdr *h);
/* Whole message; m->n payloads.  SK, if present, must be the last one. */
int ike_parse(const uint8_t *buf, size_t len, ike_msg *m);
/* Appends the chain starting with payload type first (e.g. SK's content). */
int ike_parse_chain(uint8_t first, const uint8_t *buf, size_t len, ike_msg *m);

/* First payload of type t at or after index *from (0 to start); NULL if none.
 * *from is advanced past the hit. */
const ike_payload *ike_find(const ike_msg *m, uint8_t type, size_t *from);
const ike_payload *ike_find_notify(const ike_msg *m, uint16_t notify_type);

/* Encodes header + payloads (next-payload links and every length computed).
 * For an SK payload u.raw is written as its body and next is used as its
 * Next Payload octet. */
int ike_encode(const ike_msg *m, uint8_t *out, size_t cap, size_t *out_len);
/* Encodes only the payload chain (no header); first type is pl[0].type. */
int ike_encode_chain(const ike_payload *pl, size_t n, uint8_t *out, size_t cap, size_t *out_len);
/* The 28-octet header with the given next payload and total length. */
void ike_encode_header(const ike_hdr *h, uint8_t next_payload, uint32_t length, uint8_t out[IKE_HDR_LEN]);

/* Helpers for building payloads. */
ike_payload ike_pl_notify(uint8_t proto, uint16_t type, const uint8_t *data, size_t len);
ike_payload ike_pl_bytes(uint8_t type, const uint8_t *p, size_t len); /* Nonce, raw */

/* Names of exchange and notify types as IANA (and tshark) spell them. */
const char *ike_exchange_name(uint8_t exchange);
const char *ike_notify_name(uint16_t type);

#endif
