// port_demux.h — a node's UDP receiver for whole port ranges, in front of
// ns-3's UDP: a datagram to a port in one of its ranges goes straight to
// that range's C callback; every other one goes on to ns-3's UDP.  ns-3
// walks a list of every socket of the node on each datagram, so a node
// with thousands of sockets (one per client port) pays thousands of steps
// per datagram; a range costs one.
#ifndef IKESIM_NS3_PORT_DEMUX_H
#define IKESIM_NS3_PORT_DEMUX_H

#include <vector>

#include <ns3/ip-l4-protocol.h>
#include <ns3/udp-l4-protocol.h>

namespace ikesim {

struct NodeState;

class PortDemux : public ns3::IpL4Protocol {
  public:
    PortDemux(const NodeState *node, ns3::Ptr<ns3::UdpL4Protocol> udp);

    void AddRange(uint16_t first, uint32_t count, int range);

    int GetProtocolNumber() const override { return ns3::UdpL4Protocol::PROT_NUMBER; }
    RxStatus Receive(ns3::Ptr<ns3::Packet> p, const ns3::Ipv4Header &header,
                     ns3::Ptr<ns3::Ipv4Interface> iface) override;
    RxStatus Receive(ns3::Ptr<ns3::Packet> p, const ns3::Ipv6Header &header,
                     ns3::Ptr<ns3::Ipv6Interface> iface) override;
    void ReceiveIcmp(ns3::Ipv4Address icmp_source, uint8_t ttl, uint8_t type, uint8_t code, uint32_t info,
                     ns3::Ipv4Address src, ns3::Ipv4Address dst, const uint8_t payload[8]) override;
    void SetDownTarget(DownTargetCallback cb) override { udp_->SetDownTarget(cb); }
    void SetDownTarget6(DownTargetCallback6 cb) override { udp_->SetDownTarget6(cb); }
    DownTargetCallback GetDownTarget() const override { return udp_->GetDownTarget(); }
    DownTargetCallback6 GetDownTarget6() const override { return udp_->GetDownTarget6(); }

  protected:
    void DoDispose() override;

  private:
    struct Span {
        uint16_t first;
        uint32_t count;
        int range; // index into World::ranges
    };
    const NodeState *node_;
    ns3::Ptr<ns3::UdpL4Protocol> udp_;
    std::vector<Span> spans_; // few per node: searched linearly
};

} // namespace ikesim
#endif
