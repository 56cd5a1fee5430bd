// raw_ns3.cc — the baselines: the benchmark's workloads written the way a
// C++ program would write them directly against ns-3, without the wrapper.
#include <chrono>
#include <vector>

#include <ns3/core-module.h>
#include <ns3/internet-module.h>
#include <ns3/network-module.h>
#include <ns3/point-to-point-module.h>
#include <ns3/traffic-control-helper.h>

#include "ns3_net.h" // NS3_UDP_MAX_PAYLOAD: the same receive buffer as the wrapper's
#include "raw_ns3.h"

#include "near_far_scheduler.h"

using namespace ns3;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t0)
{
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

void noop() {}

// As ns3_sim_init does: scheduling before the first Run() is slow in ns-3
// 3.37, an empty run puts the simulator in its steady state.
void warm_up()
{
    GlobalValue::Bind("SchedulerType", StringValue(ikesim::NearFarScheduler::GetTypeId().GetName())); // the wrapper's
    Simulator::Schedule(Seconds(0), &noop);
    Simulator::Run();
}

struct TimerLoop {
    uint64_t fired = 0;
    uint64_t rearm_limit = 0; // fired events beyond this do not re-arm
};

struct TimerSlot {
    TimerLoop *loop;
    uint64_t delay_ns;
};

void tick(TimerSlot *s)
{
    TimerLoop *l = s->loop;
    if (++l->fired <= l->rearm_limit)
        Simulator::Schedule(NanoSeconds((int64_t)s->delay_ns), &tick, s);
}

struct UdpApp {
    Ptr<Socket> tx;
    Ipv4Address dst;
    uint64_t to_send = 0, sent = 0;
    uint8_t payload[BENCH_UDP_PAYLOAD] = {};
    std::vector<uint8_t> rxbuf = std::vector<uint8_t>(NS3_UDP_MAX_PAYLOAD);
    uint64_t delivered = 0, bytes = 0;
};

// The "protocol code" the bytes are handed to; the same as the C side's.
void handle_datagram(UdpApp *app, const uint8_t *data, uint32_t len, uint32_t src, uint16_t port)
{
    (void)data, (void)src, (void)port;
    app->delivered++;
    app->bytes += len;
}

void on_readable(UdpApp *app, Ptr<Socket> socket)
{
    Address from;
    Ptr<Packet> p;
    while ((p = socket->RecvFrom(from))) {
        uint32_t len = p->CopyData(app->rxbuf.data(), (uint32_t)app->rxbuf.size());
        InetSocketAddress src = InetSocketAddress::ConvertFrom(from);
        handle_datagram(app, app->rxbuf.data(), len, src.GetIpv4().Get(), src.GetPort());
    }
}

void send_next(UdpApp *app)
{
    Ptr<Packet> p = Create<Packet>(app->payload, BENCH_UDP_PAYLOAD);
    app->tx->SendTo(p, 0, InetSocketAddress(app->dst, BENCH_UDP_PORT));
    if (++app->sent < app->to_send)
        Simulator::Schedule(NanoSeconds(BENCH_UDP_INTERVAL_NS), &send_next, app);
}

Ptr<Socket> udp_socket(Ptr<Node> node, UdpApp *app)
{
    Ptr<Socket> s = Socket::CreateSocket(node, UdpSocketFactory::GetTypeId());
    s->Bind(InetSocketAddress(Ipv4Address::GetAny(), BENCH_UDP_PORT));
    s->SetRecvCallback(MakeBoundCallback(&on_readable, app));
    return s;
}

} // namespace

extern "C" {

int raw_timer_loop(uint32_t inflight, uint64_t events, bool node_ctx, bench_result *out)
{
    if (inflight == 0 || events < inflight)
        return -1;
    warm_up();
    TimerLoop loop;
    loop.rearm_limit = events - inflight; // so exactly `events` fire
    std::vector<TimerSlot> slots(inflight);
    for (uint32_t i = 0; i < inflight; i++)
        slots[i] = TimerSlot{&loop, bench_delay_ns(i)};

    Clock::time_point t0 = Clock::now();
    for (TimerSlot &s : slots) {
        Time d = NanoSeconds((int64_t)s.delay_ns);
        if (node_ctx) // events inherit it when they reschedule
            Simulator::ScheduleWithContext(0, d, &tick, &s);
        else
            Simulator::Schedule(d, &tick, &s);
    }
    Simulator::Run();
    *out = bench_result{loop.fired, seconds_since(t0)};
    Simulator::Destroy();
    return loop.fired == events ? 0 : -1;
}

int raw_udp_loop(uint64_t datagrams, bench_result *out)
{
    if (datagrams == 0)
        return -1;
    Ipv4AddressGenerator::Reset(); // as ns3_sim_init: 10.0.0.0/24 again
    warm_up();
    UdpApp app;
    app.to_send = datagrams;
    {
        NodeContainer nodes;
        nodes.Create(2);
        InternetStackHelper internet;
        internet.SetIpv6StackInstall(false);
        internet.Install(nodes);

        PointToPointHelper p2p;
        p2p.SetDeviceAttribute("DataRate", DataRateValue(DataRate(BENCH_UDP_RATE_BPS)));
        p2p.SetChannelAttribute("Delay", TimeValue(NanoSeconds(BENCH_UDP_DELAY_NS)));
        p2p.SetQueue("ns3::DropTailQueue<Packet>", "MaxSize",
                     QueueSizeValue(QueueSize(QueueSizeUnit::PACKETS, BENCH_UDP_QUEUE_PKTS)));
        NetDeviceContainer devs = p2p.Install(nodes);
        Ipv4AddressHelper ipv4;
        ipv4.SetBase("10.0.0.0", "255.255.255.0");
        Ipv4InterfaceContainer ifs = ipv4.Assign(devs);
        TrafficControlHelper().Uninstall(devs); // the wrapper has no queue disc either

        app.tx = udp_socket(nodes.Get(0), &app);
        Ptr<Socket> rx = udp_socket(nodes.Get(1), &app);
        app.dst = ifs.GetAddress(1);

        Clock::time_point t0 = Clock::now();
        Simulator::ScheduleWithContext(nodes.Get(0)->GetId(), Seconds(0), &send_next, &app);
        Simulator::Run();
        *out = bench_result{app.delivered, seconds_since(t0)};

        rx->Close();
        app.tx->Close();
        app.tx = nullptr;
    }
    Simulator::Destroy();
    return app.delivered == datagrams && app.bytes == datagrams * BENCH_UDP_PAYLOAD ? 0 : -1;
}

} // extern "C"
