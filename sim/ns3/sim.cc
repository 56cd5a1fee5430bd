// sim.cc — simulation lifetime, clock and timers of the C wrapper.
#include "world.h"

#include "near_far_scheduler.h"

using namespace ns3;

namespace ikesim {

World *world = nullptr;

// The ns-3 event behind an armed ns3_timer.  The simulator owns it; the
// timer points at it only while pending, and a stopped timer detaches it
// (ns-3 then skips it when its time comes).
class TimerEvent : public EventImpl {
  public:
    explicit TimerEvent(ns3_timer *t) : timer_(t) {}
    void Detach() { timer_ = nullptr; }

  private:
    void Notify() override;
    ns3_timer *timer_;
};

// A one-shot timer (ns3_schedule) is the wrapper's to free.  Out of line:
// inlined into a caller whose timer is embedded in a struct, the delete
// behind `heap_` made link-time optimisation warn of freeing a non-heap
// object.
[[gnu::noinline]] static void free_one_shot(ns3_timer *t)
{
    delete t;
}

static void ring_init(ns3_timer *ring)
{
    ring->prev_ = ring->next_ = ring;
}

static void ring_unlink(ns3_timer *t)
{
    t->prev_->next_ = t->next_;
    t->next_->prev_ = t->prev_;
    t->prev_ = t->next_ = nullptr;
}

static ns3_timer *owner_ring(ns3_node_id owner)
{
    if (owner == NS3_NO_NODE)
        return &world->global_timers;
    NodeState *ns = node_state(owner);
    return ns ? &ns->timers : nullptr;
}

void TimerEvent::Notify()
{
    ns3_timer *t = timer_;
    ring_unlink(t);
    t->ev_ = nullptr;
    world->now_ns = t->expiry_;
    ns3_timer_cb cb = t->cb_;
    void *arg = t->arg_;
    if (t->heap_)
        free_one_shot(t);
    if (!event_limit_reached())
        cb(arg);
}

NodeState *node_state(ns3_node_id n)
{
    if (!world || n >= world->nodes.size())
        return nullptr;
    return world->nodes[n].get();
}

void timers_stop_all(ns3_timer *ring)
{
    while (ring->next_ != ring)
        ns3_timer_stop(ring->next_);
}

void timers_reset_all(ns3_timer *ring)
{
    while (ring->next_ != ring) {
        ns3_timer *t = ring->next_;
        ring_unlink(t);
        t->ev_ = nullptr;
        if (t->heap_)
            free_one_shot(t);
    }
}

} // namespace ikesim

using namespace ikesim;

extern "C" {

const char *ns3_strerror(int err)
{
    switch (err) {
    case NS3_OK: return "success";
    case NS3_EINVAL: return "argument out of range";
    case NS3_ENOSIM: return "no simulation is active";
    case NS3_EACTIVE: return "a simulation is already active";
    case NS3_ENODE: return "no such node";
    case NS3_ELINK: return "no such link";
    case NS3_ESOCK: return "no such socket";
    case NS3_EDOWN: return "node is crashed";
    case NS3_EADDRINUSE: return "port already bound on the node";
    case NS3_ENOROUTE: return "no route to destination";
    case NS3_EIO: return "file could not be written";
    case NS3_ELIMIT: return "the run reached its event limit";
    }
    return "unknown error";
}

static void warm_up(void) {}

int ns3_sim_init(uint32_t seed, uint32_t run)
{
    if (world)
        return NS3_EACTIVE;
    if (seed == 0 || seed >= 4294967087u)
        return NS3_EINVAL;
    // Binary heaps in arrays (near_far_scheduler.h): with 100,000 clients'
    // timers pending, ns-3's default map misses the cache at every level of
    // its tree (a storm of 100,000 clients ran 8% faster on one heap).
    // Events run in the same order with any: by time, then by when they
    // were scheduled.  Naming the type here also links it in.
    GlobalValue::Bind("SchedulerType", StringValue(NearFarScheduler::GetTypeId().GetName()));
    RngSeedManager::SetSeed(seed);
    RngSeedManager::SetRun(run);
    Ipv4AddressGenerator::Reset();
    world = new World();
    ring_init(&world->global_timers);
    world->rxbuf.resize(NS3_UDP_MAX_PAYLOAD);
    // Scheduling before the first Run() is slow in ns-3 3.37; an empty run
    // at time zero leaves the simulator in its fast steady state.
    Simulator::Schedule(Seconds(0), &warm_up);
    Simulator::Run();
    return NS3_OK;
}

void ns3_sim_destroy(void)
{
    if (!world)
        return;
    for (auto &ns : world->nodes)
        timers_reset_all(&ns->timers);
    timers_reset_all(&world->global_timers);
    for (auto &s : world->socks)
        s.socket->SetRecvCallback(MakeNullCallback<void, Ptr<Socket>>());
    delete world;
    world = nullptr;
    Simulator::Destroy();
}

bool ns3_sim_active(void)
{
    return world != nullptr;
}

uint64_t ns3_now_ns(void)
{
    return world ? world->now_ns : 0;
}

uint64_t ns3_sim_events(void)
{
    return world ? Simulator::GetEventCount() : 0;
}

int ns3_sim_stop_at(uint64_t t_ns)
{
    if (!world)
        return NS3_ENOSIM;
    uint64_t now = ns3_now_ns();
    if (t_ns > NS3_TIME_MAX || t_ns < now)
        return NS3_EINVAL;
    Simulator::Stop(NanoSeconds((int64_t)(t_ns - now)));
    return NS3_OK;
}

int ns3_sim_run(void)
{
    if (!world)
        return NS3_ENOSIM;
    Simulator::Run();
    world->now_ns = (uint64_t)Simulator::Now().GetNanoSeconds();
    return NS3_OK;
}

int ns3_sim_set_event_limit(uint64_t n)
{
    if (!world)
        return NS3_ENOSIM;
    world->event_limit = n;
    return NS3_OK;
}

bool ns3_sim_limit_reached(void)
{
    return world && world->limit_reached;
}

void ns3_timer_init(ns3_timer *t, ns3_node_id owner, ns3_timer_cb cb, void *arg)
{
    *t = ns3_timer{};
    t->cb_ = cb;
    t->arg_ = arg;
    t->owner_ = owner;
}

int ns3_timer_start(ns3_timer *t, uint64_t delay_ns)
{
    if (!world)
        return NS3_ENOSIM;
    ns3_timer *ring = owner_ring(t->owner_);
    if (!ring)
        return NS3_ENODE;
    if (t->owner_ != NS3_NO_NODE && !world->nodes[t->owner_]->up)
        return NS3_EDOWN;
    uint64_t now = ns3_now_ns();
    if (delay_ns > NS3_TIME_MAX - now)
        return NS3_EINVAL;
    ns3_timer_stop(t);
    auto *ev = new TimerEvent(t);
    t->ev_ = ev;
    t->expiry_ = now + delay_ns;
    t->next_ = ring;
    t->prev_ = ring->prev_;
    ring->prev_->next_ = t;
    ring->prev_ = t;
    uint32_t ctx = t->owner_ == NS3_NO_NODE ? Simulator::NO_CONTEXT : t->owner_;
    Simulator::ScheduleWithContext(ctx, NanoSeconds((int64_t)delay_ns), ev);
    return NS3_OK;
}

void ns3_timer_stop(ns3_timer *t)
{
    if (!t->ev_)
        return;
    auto *ev = static_cast<TimerEvent *>(t->ev_);
    ev->Detach();
    ev->Cancel();
    ring_unlink(t);
    t->ev_ = nullptr;
    if (t->heap_)
        free_one_shot(t);
}

bool ns3_timer_pending(const ns3_timer *t)
{
    return t->ev_ != nullptr;
}

uint64_t ns3_timer_expiry(const ns3_timer *t)
{
    return t->ev_ ? t->expiry_ : 0;
}

int ns3_schedule(ns3_node_id owner, uint64_t delay_ns, ns3_timer_cb cb, void *arg)
{
    auto *t = new ns3_timer;
    ns3_timer_init(t, owner, cb, arg);
    int rc = ns3_timer_start(t, delay_ns);
    if (rc < 0) {
        delete t;
        return rc;
    }
    t->heap_ = true;
    return NS3_OK;
}

} // extern "C"
