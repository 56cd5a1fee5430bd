// udp_range.cc — port ranges: one receiver for many UDP ports of a node
// (see port_demux.h), and sending from any port of a range.
#include "world.h"

using namespace ns3;
using namespace ikesim;

static bool overlaps_socket(ns3_node_id n, uint16_t first, uint32_t count)
{
    for (const SockState &s : world->socks)
        if (s.node == n && s.port >= first && (uint32_t)(s.port - first) < count)
            return true;
    return false;
}

static bool overlaps_range(ns3_node_id n, uint16_t first, uint32_t count)
{
    for (const RangeState &r : world->ranges)
        if (r.node == n && first < r.first + r.count && r.first < first + count)
            return true;
    return false;
}

static Ptr<Ipv4Route> route_to(RangeState &r, Ptr<Packet> p, uint32_t dst_addr)
{
    if (r.routes_version != world->routes_version) {
        r.routes.clear();
        r.routes_version = world->routes_version;
    }
    auto hit = r.routes.find(dst_addr);
    if (hit != r.routes.end())
        return hit->second;
    Ipv4Header header;
    header.SetDestination(Ipv4Address(dst_addr));
    header.SetProtocol(UdpL4Protocol::PROT_NUMBER);
    Socket::SocketErrno err;
    Ptr<Ipv4Route> route = r.ipv4->GetRoutingProtocol()->RouteOutput(p, header, nullptr, err);
    if (route)
        r.routes.emplace(dst_addr, route);
    return route;
}

extern "C" {

int ns3_udp_range_open(ns3_node_id n, uint16_t first, uint32_t count, ns3_udp_range_recv_cb cb, void *arg)
{
    NodeState *ns = node_state(n);
    if (!ns)
        return world ? NS3_ENODE : NS3_ENOSIM;
    if (!cb || first == 0 || count == 0 || first + count - 1 > 65535)
        return NS3_EINVAL;
    if (overlaps_socket(n, first, count) || overlaps_range(n, first, count))
        return NS3_EADDRINUSE;
    Ptr<Ipv4> ipv4 = ns->node->GetObject<Ipv4>();
    Ptr<UdpL4Protocol> udp = ns->node->GetObject<UdpL4Protocol>();
    if (!ns->demux) {
        // Takes UDP's place in the node's protocol table and hands on what
        // is not its own.
        ns->demux = CreateObject<PortDemux>(ns, udp);
        ipv4->Insert(ns->demux);
    }
    int range = (int)world->ranges.size();
    ns->demux->AddRange(first, count, range);
    world->ranges.push_back(RangeState{n, ipv4, udp, first, count, cb, arg, {}, 0});
    return range;
}

int ns3_udp_range_send(int range, uint16_t src_port, uint32_t dst_addr, uint16_t dst_port,
                       const uint8_t *data, size_t len)
{
    if (!world)
        return NS3_ENOSIM;
    if (range < 0 || (size_t)range >= world->ranges.size())
        return NS3_ESOCK;
    RangeState &r = world->ranges[range];
    if (src_port < r.first || (uint32_t)(src_port - r.first) >= r.count || len > NS3_UDP_MAX_PAYLOAD ||
        (len && !data))
        return NS3_EINVAL;
    if (!world->nodes[r.node]->up)
        return NS3_EDOWN;
    Ptr<Packet> p = Create<Packet>(data, (uint32_t)len);
    Ptr<Ipv4Route> route = route_to(r, p, dst_addr);
    if (!route)
        return NS3_ENOROUTE;
    r.udp->Send(p, route->GetSource(), Ipv4Address(dst_addr), src_port, dst_port, route);
    datagrams_sent++;
    return NS3_OK;
}

} // extern "C"
