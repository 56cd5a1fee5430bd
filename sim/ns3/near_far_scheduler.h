// near_far_scheduler.h — ns-3's event queue split in two binary heaps by
// how far ahead an event is when it is scheduled.
//
// A gateway's liveness deadline moves with every packet it receives: each
// move cancels an event some 30 s ahead and schedules another, and the
// cancelled ones stay queued until their time (ns-3 counts them then).
// In one heap their thousands make every packet's event climb and sink
// through a dozen levels; kept apart, the events of the next second sit in
// a heap of tens.  The next event is the smaller of the two tops, so events
// run in exactly the order of any other ns-3 scheduler: by time, then by
// when they were scheduled.
#ifndef IKESIM_NS3_NEAR_FAR_SCHEDULER_H
#define IKESIM_NS3_NEAR_FAR_SCHEDULER_H

#include <vector>

#include <ns3/scheduler.h>

namespace ikesim {

class NearFarScheduler : public ns3::Scheduler {
  public:
    static ns3::TypeId GetTypeId();

    void Insert(const Event &ev) override;
    bool IsEmpty() const override;
    Event PeekNext() const override;
    Event RemoveNext() override;
    void Remove(const Event &ev) override;

  private:
    // Events due less than this after the last one run go to the near heap.
    static constexpr uint64_t kNearNs = 1000000000;

    std::vector<Event> &NextHeap();
    const std::vector<Event> &NextHeap() const;

    std::vector<Event> near_, far_; // min-heaps on (time, uid)
    uint64_t now_ = 0;              // time of the last event removed
};

} // namespace ikesim

#endif
