/* gw.h — a gateway: one IKE endpoint (model/ike.h) bound to a UDP port of
 * an ns-3 node.  It feeds datagrams and timeouts into the model, sends what
 * the model sends, draws its randomness from its own seeded stream, and
 * hands the model's events to a listener (metrics, tests). */
#ifndef IKESIM_SIM_GW_H
#define IKESIM_SIM_GW_H

#include <stdio.h>

#include "ike.h"
#include "ns3_net.h"

typedef struct sim_gw sim_gw;
typedef void (*sim_gw_listener)(void *arg, sim_gw *gw, const ike_event *ev);

/* Peer tokens of the model are an IPv4 address and a UDP port. */
static inline uint64_t sim_peer(uint32_t addr, uint16_t port) { return (uint64_t)addr << 16 | port; }
static inline uint32_t sim_peer_addr(uint64_t peer) { return (uint32_t)(peer >> 16); }
static inline uint16_t sim_peer_port(uint64_t peer) { return (uint16_t)peer; }

/* stream separates this gateway's random bytes from every other's. */
sim_gw *sim_gw_new(ns3_node_id node, uint16_t port, const ike_cfg *cfg, uint64_t seed,
                   uint64_t run, uint64_t stream);
void sim_gw_free(sim_gw *gw);

void sim_gw_listen(sim_gw *gw, sim_gw_listener cb, void *arg);
/* Every IKE SA this gateway establishes gets a line in f (Wireshark's
 * ikev2_decryption_table); f stays the caller's. */
void sim_gw_keylog(sim_gw *gw, FILE *f);

ike_sa *sim_gw_initiate(sim_gw *gw, uint32_t peer_addr, uint16_t peer_port);
int sim_gw_delete(sim_gw *gw, ike_sa *sa);
ike_ep *sim_gw_ep(sim_gw *gw);
ns3_node_id sim_gw_node(const sim_gw *gw);

#endif
