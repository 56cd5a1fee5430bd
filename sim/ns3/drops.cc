// drops.cc — tells an observer about the UDP datagrams the network loses
// (a trace of the run needs the messages no pcap shows).
#include <ns3/ppp-header.h>
#include <ns3/udp-header.h>

#include "world.h"

using namespace ns3;

namespace ikesim {

void report_drop(ns3_drop why, ns3_node_id from, ns3_node_id to, Ptr<const Packet> frame)
{
    if (!world || !world->drop_cb)
        return;
    Ptr<Packet> p = frame->Copy();
    PppHeader ppp;
    Ipv4Header ip;
    UdpHeader udp;
    if (p->RemoveHeader(ppp) == 0 || ppp.GetProtocol() != 0x0021 || p->RemoveHeader(ip) == 0 ||
        ip.GetProtocol() != UdpL4Protocol::PROT_NUMBER || ip.GetFragmentOffset() != 0 || ip.IsLastFragment() == false ||
        p->RemoveHeader(udp) == 0)
        return;
    std::vector<uint8_t> data(p->GetSize());
    p->CopyData(data.data(), (uint32_t)data.size());
    world->now_ns = (uint64_t)Simulator::Now().GetNanoSeconds(); // control passes to C
    world->drop_cb(world->drop_arg, why, from, to, data.data(), data.size(), ip.GetSource().Get(),
                   udp.GetSourcePort(), ip.GetDestination().Get(), udp.GetDestinationPort());
}

} // namespace ikesim

extern "C" {

void ns3_watch_drops(ns3_drop_cb cb, void *arg)
{
    if (!ikesim::world)
        return;
    ikesim::world->drop_cb = cb;
    ikesim::world->drop_arg = arg;
}

const char *ns3_drop_name(ns3_drop why)
{
    switch (why) {
    case NS3_DROP_LOSS: return "loss";
    case NS3_DROP_LINK_DOWN: return "link-down";
    case NS3_DROP_RECEIVER_DOWN: return "receiver-down";
    case NS3_DROP_TRUNCATED: return "truncated";
    case NS3_DROP_QUEUE_FULL: return "queue-full";
    case NS3_DROP_FLUSHED: return "flushed";
    }
    return "unknown";
}

} // extern "C"
