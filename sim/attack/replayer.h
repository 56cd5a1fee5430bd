/* replayer.h — an attacker on the path that records and replays (the
 * threat RFC 6311 §8.2 weighs against lenient and strict inbound policies).
 *
 * Until told to stop, it keeps a copy of the last SIM_REPLAY_KEEP ESP
 * packets gateway 0 sends to the cluster.  It also copies every IKE
 * INFORMATIONAL with Message ID 0 it sees (an RFC 6311 sync: visible in the
 * clear header, though the content is encrypted).  Once armed it waits for
 * the cluster to send again after the failover (a new member at work: the
 * moment its window is the replica's) and then sends everything again
 * from its own address: the ESP to the cluster's address (newest first),
 * each IKE message to its original receiver. */
#ifndef IKESIM_SIM_REPLAYER_H
#define IKESIM_SIM_REPLAYER_H

#include <stddef.h>
#include <stdint.h>

#include "ns3_net.h"

enum { SIM_REPLAY_KEEP = 4096 };

typedef struct sim_replayer sim_replayer;

sim_replayer *sim_replayer_new(ns3_node_id node, uint32_t addr, uint32_t vip);
void sim_replayer_free(sim_replayer *r);
uint32_t sim_replayer_addr(const sim_replayer *r);

/* Gateway 0's ESP packet to the cluster, as on the wire. */
void sim_replayer_see_esp(sim_replayer *r, const uint8_t *pkt, size_t len);
/* An IKE message (without the non-ESP marker) on its way to dst_addr. */
void sim_replayer_see_ike(sim_replayer *r, uint32_t dst_addr, const uint8_t *msg, size_t len);
/* The failover: no more ESP is recorded (what came before is the loot). */
void sim_replayer_stop_esp(sim_replayer *r);
/* The cluster sent a packet (ESP or IKE). */
void sim_replayer_see_cluster_send(sim_replayer *r);
/* Fires at the cluster's first packet after the failover, or at once if
 * that has been sent. */
void sim_replayer_arm(sim_replayer *r);
uint64_t sim_replayer_sent(const sim_replayer *r);

#endif
