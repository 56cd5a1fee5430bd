// topology.cc — nodes, point-to-point links, IPv4 addressing and routes.
#include <ns3/ipv4-global-routing-helper.h>
#include <ns3/ipv4-static-routing-helper.h>
#include <ns3/traffic-control-helper.h>

#include "frame_filter.h"
#include "world.h"

using namespace ns3;
using namespace ikesim;

extern "C" {

ns3_node_id ns3_node_create(void)
{
    if (!world)
        return NS3_NO_NODE;
    auto ns = std::make_unique<NodeState>();
    ns->node = CreateObject<Node>();
    ns->timers.prev_ = ns->timers.next_ = &ns->timers;
    InternetStackHelper internet;
    internet.SetIpv6StackInstall(false);
    internet.Install(ns->node);
    ns3_node_id id = ns->node->GetId();
    internet.AssignStreams(NodeContainer(ns->node), kNodeStreamBase + kStreamsPerNode * id);
    world->nodes.push_back(std::move(ns));
    return id;
}

uint32_t ns3_node_count(void)
{
    return world ? (uint32_t)world->nodes.size() : 0;
}

bool ns3_node_is_up(ns3_node_id n)
{
    NodeState *ns = node_state(n);
    return ns && ns->up;
}

int ns3_node_crash(ns3_node_id n)
{
    NodeState *ns = node_state(n);
    if (!ns)
        return world ? NS3_ENODE : NS3_ENOSIM;
    if (!ns->up)
        return NS3_OK;
    ns->up = false;
    timers_stop_all(&ns->timers);
    ns->crashed_at = Simulator::Now().GetNanoSeconds();

    for (int l : ns->links) {
        LinkState &ls = world->links[l];
        int side = ls.node[0] == n ? 0 : 1;
        Ptr<Queue<Packet>> q = ls.dev[side]->GetQueue();
        if (!world->drop_cb) {
            q->Flush();
            continue;
        }
        while (Ptr<Packet> p = q->Dequeue())
            report_drop(NS3_DROP_FLUSHED, n, ls.node[1 - side], p);
    }
    return NS3_OK;
}

int ns3_node_revive(ns3_node_id n)
{
    NodeState *ns = node_state(n);
    if (!ns)
        return world ? NS3_ENODE : NS3_ENOSIM;
    ns->up = true;
    return NS3_OK;
}

// A frame the sender's device queue had no room for.
static void on_queue_full(ns3_node_id from, ns3_node_id to, Ptr<const Packet> p)
{
    report_drop(NS3_DROP_QUEUE_FULL, from, to, p);
}

static bool link_cfg_valid(const ns3_link_cfg *cfg)
{
    return cfg && cfg->rate_bps > 0 && cfg->delay_ns <= NS3_TIME_MAX &&
           cfg->loss >= 0.0 && cfg->loss <= 1.0 && cfg->queue_pkts > 0;
}

int ns3_link_create(ns3_node_id a, ns3_node_id b, const ns3_link_cfg *cfg)
{
    if (!world)
        return NS3_ENOSIM;
    if (!node_state(a) || !node_state(b))
        return NS3_ENODE;
    if (a == b || !link_cfg_valid(cfg) || world->links.size() >= 65536)
        return NS3_EINVAL;
    int l = (int)world->links.size();
    DataRate rate(cfg->rate_bps);
    Time delay = NanoSeconds((int64_t)cfg->delay_ns);

    PointToPointHelper p2p;
    p2p.SetDeviceAttribute("DataRate", DataRateValue(rate));
    p2p.SetChannelAttribute("Delay", TimeValue(delay));
    p2p.SetQueue("ns3::DropTailQueue<Packet>", "MaxSize",
                 QueueSizeValue(QueueSize(QueueSizeUnit::PACKETS, cfg->queue_pkts)));
    NodeState *ns[2] = {node_state(a), node_state(b)};
    NetDeviceContainer devs = p2p.Install(ns[0]->node, ns[1]->node);

    char base[32];
    snprintf(base, sizeof base, "10.%d.%d.0", l >> 8, l & 255);
    Ipv4AddressHelper ipv4;
    ipv4.SetBase(base, "255.255.255.0");
    Ipv4InterfaceContainer ifs = ipv4.Assign(devs);
    // Assign() puts a 10,240-packet queue disc in front of each device;
    // without removing it the configured queue would never fill.
    TrafficControlHelper().Uninstall(devs);

    LinkState ls;
    for (int side = 0; side < 2; side++) {
        ls.node[side] = side ? b : a;
        ls.dev[side] = DynamicCast<PointToPointNetDevice>(devs.Get(side));
        ls.addr[side] = ifs.GetAddress(side).Get();
        ls.filter[side] = CreateObject<FrameFilter>(ns[side], ns[1 - side], rate, delay,
                                              kLinkStreamBase + 2 * l + side);
        ls.filter[side]->SetLoss(cfg->loss);
        ls.dev[side]->SetReceiveErrorModel(ls.filter[side]);
        ls.dev[side]->TraceConnectWithoutContext("MacTxDrop",
                                                 MakeBoundCallback(&on_queue_full, ns[side]->node->GetId(),
                                                                   ns[1 - side]->node->GetId()));
        ns[side]->links.push_back(l);
    }
    world->links.push_back(ls);
    world->routes_version++;
    return l;
}

static LinkState *link_state(int link)
{
    if (!world || link < 0 || (size_t)link >= world->links.size())
        return nullptr;
    return &world->links[link];
}

uint32_t ns3_link_addr(int link, int side)
{
    LinkState *ls = link_state(link);
    return ls && (side == 0 || side == 1) ? ls->addr[side] : 0;
}

uint32_t ns3_link_count(void)
{
    return world ? (uint32_t)world->links.size() : 0;
}

int ns3_link_set_up(int link, bool up)
{
    LinkState *ls = link_state(link);
    if (!ls)
        return world ? NS3_ELINK : NS3_ENOSIM;
    for (auto &f : ls->filter)
        f->SetLinkUp(up);
    return NS3_OK;
}

int ns3_link_set_loss(int link, double loss)
{
    LinkState *ls = link_state(link);
    if (!ls)
        return world ? NS3_ELINK : NS3_ENOSIM;
    if (!(loss >= 0.0 && loss <= 1.0))
        return NS3_EINVAL;
    for (auto &f : ls->filter)
        f->SetLoss(loss);
    return NS3_OK;
}

int ns3_routing_global(void)
{
    if (!world)
        return NS3_ENOSIM;
    Ipv4GlobalRoutingHelper::PopulateRoutingTables();
    world->routes_version++;
    return NS3_OK;
}

int ns3_route_add(ns3_node_id n, uint32_t dst, uint32_t mask, uint32_t next_hop)
{
    NodeState *ns = node_state(n);
    if (!ns)
        return world ? NS3_ENODE : NS3_ENOSIM;
    Ptr<Ipv4> ip = ns->node->GetObject<Ipv4>();
    // The interface is the one whose subnet holds the next hop.
    for (uint32_t i = 1; i < ip->GetNInterfaces(); i++) {
        Ipv4InterfaceAddress ia = ip->GetAddress(i, 0);
        if (ia.GetLocal().CombineMask(ia.GetMask()) ==
            Ipv4Address(next_hop).CombineMask(ia.GetMask())) {
            Ipv4StaticRoutingHelper helper;
            helper.GetStaticRouting(ip)->AddNetworkRouteTo(Ipv4Address(dst), Ipv4Mask(mask),
                                                           Ipv4Address(next_hop), i);
            world->routes_version++;
            return NS3_OK;
        }
    }
    return NS3_ENOROUTE;
}

int ns3_route_del(ns3_node_id n, uint32_t dst, uint32_t mask)
{
    NodeState *ns = node_state(n);
    if (!ns)
        return world ? NS3_ENODE : NS3_ENOSIM;
    Ptr<Ipv4StaticRouting> sr = Ipv4StaticRoutingHelper().GetStaticRouting(ns->node->GetObject<Ipv4>());
    int removed = 0;
    for (uint32_t i = sr->GetNRoutes(); i-- > 0;) {
        Ipv4RoutingTableEntry e = sr->GetRoute(i);
        if (e.GetDest() == Ipv4Address(dst) && e.GetDestNetworkMask() == Ipv4Mask(mask) && e.IsGateway()) {
            sr->RemoveRoute(i);
            removed++;
            world->routes_version++;
        }
    }
    return removed ? NS3_OK : NS3_ENOROUTE;
}

int ns3_node_add_address(ns3_node_id n, int link, uint32_t addr)
{
    NodeState *ns = node_state(n);
    if (!ns)
        return world ? NS3_ENODE : NS3_ENOSIM;
    if (link < 0 || (size_t)link >= world->links.size())
        return NS3_ELINK;
    LinkState &ls = world->links[link];
    int side = ls.node[0] == n ? 0 : ls.node[1] == n ? 1 : -1;
    if (side < 0)
        return NS3_EINVAL;
    Ptr<Ipv4> ip = ns->node->GetObject<Ipv4>();
    int32_t iface = ip->GetInterfaceForDevice(ls.dev[side]);
    if (iface < 0)
        return NS3_EINVAL;
    ip->AddAddress((uint32_t)iface, Ipv4InterfaceAddress(Ipv4Address(addr), Ipv4Mask("255.255.255.0")));
    world->routes_version++;
    return NS3_OK;
}

} // extern "C"
