// udp.cc — UDP sockets handing bytes to C callbacks.
#include "world.h"

using namespace ns3;
using namespace ikesim;

uint64_t ikesim::datagrams_sent = 0;

static void on_readable(int sock, Ptr<Socket> socket)
{
    if (event_limit_reached())
        return;
    SockState &s = world->socks[sock];
    world->now_ns = (uint64_t)Simulator::Now().GetNanoSeconds();
    Address from;
    Ptr<Packet> p;
    while ((p = socket->RecvFrom(from))) {
        if (!world->nodes[s.node]->up)
            continue;
        uint32_t len = p->CopyData(world->rxbuf.data(), (uint32_t)world->rxbuf.size());
        InetSocketAddress src = InetSocketAddress::ConvertFrom(from);
        s.cb(s.arg, world->rxbuf.data(), len, src.GetIpv4().Get(), src.GetPort());
    }
}

static int udp_open(ns3_node_id n, Ipv4Address addr, uint16_t port, ns3_udp_recv_cb cb, void *arg)
{
    NodeState *ns = node_state(n);
    if (!ns)
        return world ? NS3_ENODE : NS3_ENOSIM;
    if (!cb)
        return NS3_EINVAL;
    for (const RangeState &r : world->ranges)
        if (r.node == n && port >= r.first && (uint32_t)(port - r.first) < r.count)
            return NS3_EADDRINUSE; // a port range of the node has it
    Ptr<Socket> socket = Socket::CreateSocket(ns->node, UdpSocketFactory::GetTypeId());
    if (socket->Bind(InetSocketAddress(addr, port)) < 0) {
        socket->Close();
        return NS3_EADDRINUSE;
    }
    int sock = (int)world->socks.size();
    socket->SetRecvCallback(MakeBoundCallback(&on_readable, sock));
    world->socks.push_back(SockState{socket, n, port, cb, arg});
    return sock;
}

extern "C" {

int ns3_udp_open(ns3_node_id n, uint16_t port, ns3_udp_recv_cb cb, void *arg)
{
    return udp_open(n, Ipv4Address::GetAny(), port, cb, arg);
}

int ns3_udp_open_at(ns3_node_id n, uint32_t addr, uint16_t port, ns3_udp_recv_cb cb, void *arg)
{
    return udp_open(n, Ipv4Address(addr), port, cb, arg);
}

int ns3_udp_send(int sock, uint32_t dst_addr, uint16_t dst_port, const uint8_t *data, size_t len)
{
    if (!world)
        return NS3_ENOSIM;
    if (sock < 0 || (size_t)sock >= world->socks.size())
        return NS3_ESOCK;
    if (len > NS3_UDP_MAX_PAYLOAD || (len && !data))
        return NS3_EINVAL;
    SockState &s = world->socks[sock];
    if (!world->nodes[s.node]->up)
        return NS3_EDOWN;
    Ptr<Packet> p = Create<Packet>(data, (uint32_t)len);
    if (s.socket->SendTo(p, 0, InetSocketAddress(Ipv4Address(dst_addr), dst_port)) < 0)
        return s.socket->GetErrno() == Socket::ERROR_NOROUTETOHOST ? NS3_ENOROUTE : NS3_EINVAL;
    datagrams_sent++;
    return NS3_OK;
}

uint64_t ns3_datagrams_sent(void)
{
    return datagrams_sent;
}

} // extern "C"
