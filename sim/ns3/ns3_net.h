/* ns3_net.h — nodes, point-to-point links, IPv4, UDP, crashes and pcap.
 *
 * Addresses are IPv4 in host byte order.  Link number L joins its two nodes
 * on 10.(L>>8).(L&255).0/24: side 0 is .1, side 1 is .2.  No queue disc sits
 * in front of a device, so a link's queue_pkts is the real bottleneck.
 *
 * A crashed node sends and receives nothing: its timers are stopped, its
 * device queues flushed, a frame it was serialising is lost, every frame
 * reaching it is dropped (so it forwards nothing either), and its sockets
 * deliver nothing.  Revived, it works again with the same sockets and routes;
 * rebuilding protocol state is up to the caller.
 */
#ifndef IKESIM_NS3_NET_H
#define IKESIM_NS3_NET_H

#include <stddef.h>
#include <stdint.h>

#include "ns3_sim.h"

#ifdef __cplusplus
extern "C" {
#endif

ns3_node_id ns3_node_create(void); /* NS3_NO_NODE if no simulation */
uint32_t ns3_node_count(void);
int ns3_node_crash(ns3_node_id n);
int ns3_node_revive(ns3_node_id n);
bool ns3_node_is_up(ns3_node_id n);

typedef struct ns3_link_cfg {
    uint64_t rate_bps;   /* > 0 */
    uint64_t delay_ns;   /* one-way propagation delay */
    double loss;         /* probability a frame is dropped, each direction */
    uint32_t queue_pkts; /* device transmit queue, packets, > 0 */
} ns3_link_cfg;

/* Returns the link number (>= 0) or an error. */
int ns3_link_create(ns3_node_id a, ns3_node_id b, const ns3_link_cfg *cfg);
uint32_t ns3_link_addr(int link, int side); /* 0 if no such link */
int ns3_link_set_up(int link, bool up);     /* down: every frame is lost */
int ns3_link_set_loss(int link, double loss);
uint32_t ns3_link_count(void);

/* Shortest-path routes for every node; for small topologies only. */
int ns3_routing_global(void);
/* A static route on node n: dst/mask via next_hop (an address on a link
 * of n's neighbour). */
int ns3_route_add(ns3_node_id n, uint32_t dst, uint32_t mask, uint32_t next_hop);
/* Removes node n's static route(s) to exactly dst/mask; NS3_ENOROUTE if none. */
int ns3_route_del(ns3_node_id n, uint32_t dst, uint32_t mask);
/* Node n also answers to addr on its side of link (a virtual address a
 * cluster member takes over); NS3_EINVAL if n is not on the link. */
int ns3_node_add_address(ns3_node_id n, int link, uint32_t addr);

/* data is valid only during the call. */
typedef void (*ns3_udp_recv_cb)(void *arg, const uint8_t *data, size_t len,
                                uint32_t src_addr, uint16_t src_port);

#define NS3_UDP_MAX_PAYLOAD 65507u

/* Binds port on every address of n; returns a socket number (>= 0). */
int ns3_udp_open(ns3_node_id n, uint16_t port, ns3_udp_recv_cb cb, void *arg);
/* Binds port on one address of n only: datagrams to addr:port come here
 * rather than to an every-address socket, and what it sends leaves with
 * addr as its source (a cluster member speaking for a virtual address). */
int ns3_udp_open_at(ns3_node_id n, uint32_t addr, uint16_t port, ns3_udp_recv_cb cb, void *arg);
/* Copies data.  NS3_EDOWN if the node is crashed. */
int ns3_udp_send(int sock, uint32_t dst_addr, uint16_t dst_port,
                 const uint8_t *data, size_t len);
/* UDP datagrams sent (by sockets and port ranges) in every simulation of
 * this process so far: what a benchmark replays without the models. */
uint64_t ns3_datagrams_sent(void);

/* A port range: ports first .. first + count - 1 on every address of n,
 * one receiver for all of them.  Each datagram costs one lookup however
 * many ports the range has (an ns-3 socket per port costs a step per
 * socket of the node on every datagram); for nodes standing for many
 * hosts, e.g. thousands of clients each behind its own port.  cb learns
 * the port the datagram was sent to.  Returns a range number (>= 0);
 * NS3_EADDRINUSE if a socket or another range of n has one of the ports. */
typedef void (*ns3_udp_range_recv_cb)(void *arg, uint16_t port, const uint8_t *data, size_t len,
                                      uint32_t src_addr, uint16_t src_port);
int ns3_udp_range_open(ns3_node_id n, uint16_t first, uint32_t count, ns3_udp_range_recv_cb cb, void *arg);
/* Sends from port src_port of the range (NS3_EINVAL if outside it), with
 * the address of the outgoing interface as source.  Copies data.
 * NS3_EDOWN if the node is crashed.  The route to each destination is
 * looked up once and reused until a link, route or address is added or
 * removed (ns-3 walks every route of the node on each lookup: hundreds on
 * a hub with a link per client node). */
int ns3_udp_range_send(int range, uint16_t src_port, uint32_t dst_addr, uint16_t dst_port,
                       const uint8_t *data, size_t len);

/* Why the network lost a frame that carried a UDP datagram. */
typedef enum ns3_drop {
    NS3_DROP_LOSS,          /* the link's random loss */
    NS3_DROP_LINK_DOWN,     /* the link was down */
    NS3_DROP_RECEIVER_DOWN, /* the receiving node was crashed */
    NS3_DROP_TRUNCATED,     /* its sender crashed while serialising it */
    NS3_DROP_QUEUE_FULL,    /* the sender's device queue was full */
    NS3_DROP_FLUSHED,       /* still queued when its sender crashed */
} ns3_drop;
const char *ns3_drop_name(ns3_drop why); /* "loss", "link-down", ... */

/* from, to: the nodes at the two ends of the link (to is the next hop, not
 * necessarily the destination); data: the UDP payload, valid during the call. */
typedef void (*ns3_drop_cb)(void *arg, ns3_drop why, ns3_node_id from, ns3_node_id to, const uint8_t *data,
                            size_t len, uint32_t src_addr, uint16_t src_port, uint32_t dst_addr, uint16_t dst_port);
/* Reports every UDP datagram the network drops from now on, until the
 * simulation ends (cb NULL: none, the default; it then costs nothing). */
void ns3_watch_drops(ns3_drop_cb cb, void *arg);

/* Writes dir/link-L-S.pcap (S = side) for both ends of the link; the files
 * are complete after ns3_sim_destroy(). */
int ns3_pcap_enable(int link, const char *dir);

#ifdef __cplusplus
}
#endif
#endif
