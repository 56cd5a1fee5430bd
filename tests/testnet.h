/* testnet.h — small helpers the wrapper tests share: a chain topology and
 * a log of received datagrams. */
#ifndef IKESIM_TESTNET_H
#define IKESIM_TESTNET_H

#include <glib.h>

#include "ns3_net.h"

typedef struct {
    uint64_t t_ns;
    uint32_t src_addr;
    uint16_t src_port;
    uint32_t len;
    uint32_t tag; /* first four payload bytes, big-endian */
} rx_record;

/* GArray of rx_record; pass it as the socket's callback argument. */
void rx_log(void *log, const uint8_t *data, size_t len, uint32_t src, uint16_t sport);

/* hops + 1 nodes in a row joined by hops links (cfg[i] for link i), global
 * routes computed.  nodes[] and links[] must have room. */
void chain_build(int hops, const ns3_link_cfg *cfg, ns3_node_id *nodes, int *links);

/* Sends len bytes tagged with tag from sock at absolute time t_ns. */
void send_at(uint64_t t_ns, int sock, uint32_t dst, uint16_t dport, uint32_t tag, size_t len);

/* Serialisation time of a UDP datagram on a point-to-point link:
 * payload + 8 (UDP) + 20 (IPv4) + 2 (PPP) octets at rate_bps. */
uint64_t udp_frame_ns(size_t payload, uint64_t rate_bps);

#endif
