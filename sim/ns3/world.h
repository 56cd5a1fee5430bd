// world.h — the wrapper's private state: one simulation's nodes, links and
// sockets, indexed by the numbers the C API hands out.
#ifndef IKESIM_NS3_WORLD_H
#define IKESIM_NS3_WORLD_H

#include <memory>
#include <unordered_map>
#include <vector>

#include <ns3/core-module.h>
#include <ns3/internet-module.h>
#include <ns3/network-module.h>
#include <ns3/point-to-point-module.h>

#include "frame_filter.h"
#include "port_demux.h"
#include "ns3_net.h"
#include "ns3_sim.h"

namespace ikesim {

struct NodeState {
    ns3::Ptr<ns3::Node> node;
    bool up = true;
    int64_t crashed_at = -1;       // ns of the last crash, -1 if never
    ns3_timer timers;              // sentinel of the owned-timer ring
    std::vector<int> links;
    ns3::Ptr<PortDemux> demux;     // created by the node's first port range
};

struct LinkState {
    ns3_node_id node[2];
    ns3::Ptr<ns3::PointToPointNetDevice> dev[2];
    ns3::Ptr<FrameFilter> filter[2]; // on the receiving device of each side
    uint32_t addr[2];
};

struct SockState {
    ns3::Ptr<ns3::Socket> socket;
    ns3_node_id node;
    uint16_t port;
    ns3_udp_recv_cb cb;
    void *arg;
};

struct RangeState {
    ns3_node_id node;
    ns3::Ptr<ns3::Ipv4> ipv4;
    ns3::Ptr<ns3::UdpL4Protocol> udp;
    uint16_t first;
    uint32_t count;
    ns3_udp_range_recv_cb cb;
    void *arg;
    // Routes by destination, valid while World::routes_version is unchanged:
    // ns-3's static routing walks every route of the node on each lookup,
    // and a hub with one link per client node has hundreds.
    std::unordered_map<uint32_t, ns3::Ptr<ns3::Ipv4Route>> routes;
    uint64_t routes_version = 0;
};

struct World {
    std::vector<std::unique_ptr<NodeState>> nodes;
    std::vector<LinkState> links;
    std::vector<SockState> socks;
    std::vector<RangeState> ranges;
    ns3_timer global_timers; // timers owned by no node
    std::vector<uint8_t> rxbuf;
    // The clock as C code sees it, set wherever ns-3 hands control to C:
    // reading Simulator::Now() on every timer start costs ~6% of the
    // scheduler's throughput.
    uint64_t now_ns = 0;
    // Bumped by everything that can change a node's routes or addresses.
    uint64_t routes_version = 1;
    uint64_t event_limit = 0; // 0: none
    bool limit_reached = false;
    ns3_drop_cb drop_cb = nullptr; // ns3_watch_drops()
    void *drop_arg = nullptr;
};

extern World *world; // null when no simulation is active
extern uint64_t datagrams_sent; // ns3_datagrams_sent()

// Checked wherever ns-3 hands control to C: past the event limit the run
// stops after this event, and C is not called.
inline bool event_limit_reached()
{
    if (!world->event_limit || world->limit_reached || ns3::Simulator::GetEventCount() < world->event_limit)
        return world->limit_reached;
    world->limit_reached = true;
    ns3::Simulator::Stop();
    return true;
}

NodeState *node_state(ns3_node_id n); // null if no such node
void timers_stop_all(ns3_timer *ring);
void timers_reset_all(ns3_timer *ring); // at destroy: events are gone
// Tells the drop watcher about a frame (PPP-framed, as on a device) that
// the network lost between nodes from and to; not UDP over IPv4: ignored.
void report_drop(ns3_drop why, ns3_node_id from, ns3_node_id to, ns3::Ptr<const ns3::Packet> frame);

// Fixed random stream numbers: reruns in one process must not depend on
// ns-3's global stream counter, which is never reset.
constexpr int64_t kStreamsPerNode = 16;
constexpr int64_t kNodeStreamBase = 1 << 20;
constexpr int64_t kLinkStreamBase = 1 << 10;

} // namespace ikesim
#endif
