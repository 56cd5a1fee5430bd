/* live_peers.h — the senders of a live endpoint as the model's peer tokens.
 *
 * A token is a keyed hash of the address and port, so a sender keeps its
 * token after being forgotten (a COOKIE, which the model binds to the token,
 * still verifies when its echo arrives).  The table from token back to
 * address is needed only to send: a sweep forgets every sender that no IKE
 * SA of the endpoint names, so a flood from many addresses leaves behind no
 * more than the SAs it left. */
#ifndef IKESIM_LIVE_PEERS_H
#define IKESIM_LIVE_PEERS_H

#include <gio/gio.h>
#include <stdint.h>

#include "ike.h"

typedef struct live_peers live_peers;

live_peers *live_peers_new(void);
void live_peers_free(live_peers *lp);
/* The token of a; remembers a until a sweep finds no SA naming it. */
uint64_t live_peers_token(live_peers *lp, GSocketAddress *a);
/* The address of a remembered token (a new reference), or NULL. */
GSocketAddress *live_peers_addr(const live_peers *lp, uint64_t token);
size_t live_peers_count(const live_peers *lp);
/* Forgets the senders no SA of ep names, once the table has grown to twice
 * what the last sweep kept (and past a floor), or always with force;
 * returns how many it forgot. */
size_t live_peers_sweep(live_peers *lp, const ike_ep *ep, bool force);

#endif
