#include "port_demux.h"

#include <ns3/udp-header.h>

#include "world.h"

using namespace ns3;

namespace ikesim {

PortDemux::PortDemux(const NodeState *node, Ptr<UdpL4Protocol> udp) : node_(node), udp_(udp) {}

void PortDemux::AddRange(uint16_t first, uint32_t count, int range)
{
    spans_.push_back(Span{first, count, range});
}

IpL4Protocol::RxStatus PortDemux::Receive(Ptr<Packet> p, const Ipv4Header &header, Ptr<Ipv4Interface> iface)
{
    UdpHeader udp;
    p->PeekHeader(udp);
    uint16_t port = udp.GetDestinationPort();
    for (const Span &s : spans_) {
        if (port < s.first || (uint32_t)(port - s.first) >= s.count)
            continue;
        if (!node_->up || event_limit_reached())
            return RX_OK; // a crashed node's sockets deliver nothing
        p->RemoveHeader(udp);
        RangeState &r = world->ranges[s.range];
        uint32_t len = p->CopyData(world->rxbuf.data(), (uint32_t)world->rxbuf.size());
        world->now_ns = (uint64_t)Simulator::Now().GetNanoSeconds();
        r.cb(r.arg, port, world->rxbuf.data(), len, header.GetSource().Get(), udp.GetSourcePort());
        return RX_OK;
    }
    return udp_->Receive(p, header, iface);
}

IpL4Protocol::RxStatus PortDemux::Receive(Ptr<Packet> p, const Ipv6Header &header, Ptr<Ipv6Interface> iface)
{
    return udp_->Receive(p, header, iface);
}

void PortDemux::ReceiveIcmp(Ipv4Address icmp_source, uint8_t ttl, uint8_t type, uint8_t code, uint32_t info,
                            Ipv4Address src, Ipv4Address dst, const uint8_t payload[8])
{
    udp_->ReceiveIcmp(icmp_source, ttl, type, code, info, src, dst, payload);
}

void PortDemux::DoDispose()
{
    udp_ = nullptr;
    IpL4Protocol::DoDispose();
}

} // namespace ikesim
