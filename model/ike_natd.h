/* ike_natd.h — NAT detection (RFC 7296 §2.23): IKE_SA_INIT carries
 * N(NAT_DETECTION_SOURCE_IP) and N(NAT_DETECTION_DESTINATION_IP), each
 * SHA-1(SPIi | SPIr | IP address | port) of the sender's and of the
 * receiver's address as the sender sees them (SPIr 0 in the request).  A
 * source hash that matches none of the sender's possible addresses means a
 * NAT in front of the sender; a destination hash that does not match our
 * address, a NAT in front of us.
 *
 * Why it matters here: strongSwan's kernel-libipsec only does ESP in UDP,
 * and charon turns UDP encapsulation on (faking a NAT) only when the peer's
 * IKE_SA_INIT carried these notifies; without them it installs no Child SA.
 */
#ifndef IKESIM_IKE_NATD_H
#define IKESIM_IKE_NATD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike_wire.h"

enum { IKE_NATD_LEN = 20 };

/* An IPv4 (4 octets) or IPv6 (16 octets) address, network order, and a port. */
typedef struct ike_endpoint {
    uint8_t addr[16];
    uint8_t addr_len;
    uint16_t port;
} ike_endpoint;

int ike_natd_hash(uint64_t spi_i, uint64_t spi_r, const ike_endpoint *e, uint8_t out[IKE_NATD_LEN]);

/* The two notifies for a message from `from` to `to`; hashes holds both. */
int ike_natd_payloads(uint64_t spi_i, uint64_t spi_r, const ike_endpoint *from,
                      const ike_endpoint *to, uint8_t hashes[2][IKE_NATD_LEN], ike_payload pl[2]);

typedef struct ike_natd_result {
    bool seen;      /* the peer sent both kinds: it does NAT-T */
    bool nat_there; /* no source hash matched the peer's address */
    bool nat_here;  /* the destination hash did not match ours */
} ike_natd_result;

/* Reads the NAT-D notifies of m (an IKE_SA_INIT message we received from
 * peer at local); a hash that is not 20 octets is IKE_E_SYNTAX. */
int ike_natd_check(const ike_msg *m, const ike_endpoint *local, const ike_endpoint *peer,
                   ike_natd_result *r);

#endif
