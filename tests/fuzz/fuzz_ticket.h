/* fuzz_ticket.h — the ticket keys the fuzzed gateways hold, so that a seed
 * can carry a ticket they open (RFC 5723) and the fuzzer starts from an
 * accepted IKE_SESSION_RESUME as well as from refused ones. */
#ifndef IKESIM_FUZZ_TICKET_H
#define IKESIM_FUZZ_TICKET_H

#include "ike_ticket.h"

static inline void fuzz_ticket_keys(ike_ticket_keys *k)
{
    static const uint8_t id[IKE_TICKET_KEY_ID_LEN] = {'f', 'u', 'z', 'z'}, key[IKE_TICKET_KEY_LEN] = {0x5a};
    ike_ticket_keys_init(k, id, key);
}

#endif
