/* prober.h — the load-sharing attack on QCD (RFC 6290 §9.2).
 *
 * Observing the peer's link, the prober takes the next protected request
 * the peer sends, replays it to a second cluster member, and forwards that
 * member's clear-text answer to the peer (a taker accepts tokens from any
 * address, RFC 6290 §3).  A member that shares the secret but does not know
 * which SAs are alive elsewhere answers with a valid token for an SA alive
 * on the first member. */
#ifndef IKESIM_SIM_PROBER_H
#define IKESIM_SIM_PROBER_H

#include <stddef.h>
#include <stdint.h>

#include "ns3_net.h"

typedef struct sim_prober sim_prober;

sim_prober *sim_prober_new(ns3_node_id node, uint32_t member_addr, uint32_t peer_addr);
void sim_prober_free(sim_prober *p);
/* The next protected request observed is replayed. */
void sim_prober_arm(sim_prober *p);
/* An IKE message the peer sent (without the non-ESP marker). */
void sim_prober_observe(sim_prober *p, const uint8_t *msg, size_t len);
uint64_t sim_prober_probes(const sim_prober *p);

#endif
