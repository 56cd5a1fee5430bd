// near_far_scheduler.cc — see near_far_scheduler.h.
#include "near_far_scheduler.h"

#include <algorithm>
#include <functional>

using namespace ns3;

namespace ikesim {

NS_OBJECT_ENSURE_REGISTERED(NearFarScheduler);

TypeId NearFarScheduler::GetTypeId()
{
    static TypeId tid = TypeId("ikesim::NearFarScheduler")
                            .SetParent<Scheduler>()
                            .SetGroupName("Core")
                            .AddConstructor<NearFarScheduler>();
    return tid;
}

// std's heaps keep the largest on top: ordered by greater, the earliest.
static const std::greater<Scheduler::Event> later;

void NearFarScheduler::Insert(const Event &ev)
{
    std::vector<Event> &heap = ev.key.m_ts - now_ < kNearNs ? near_ : far_;
    heap.push_back(ev);
    std::push_heap(heap.begin(), heap.end(), later);
}

bool NearFarScheduler::IsEmpty() const
{
    return near_.empty() && far_.empty();
}

std::vector<Scheduler::Event> &NearFarScheduler::NextHeap()
{
    if (far_.empty() || (!near_.empty() && near_.front().key < far_.front().key))
        return near_;
    return far_;
}

const std::vector<Scheduler::Event> &NearFarScheduler::NextHeap() const
{
    return const_cast<NearFarScheduler *>(this)->NextHeap();
}

Scheduler::Event NearFarScheduler::PeekNext() const
{
    return NextHeap().front();
}

Scheduler::Event NearFarScheduler::RemoveNext()
{
    std::vector<Event> &heap = NextHeap();
    std::pop_heap(heap.begin(), heap.end(), later);
    Event ev = heap.back();
    heap.pop_back();
    now_ = ev.key.m_ts;
    return ev;
}

void NearFarScheduler::Remove(const Event &ev)
{
    for (std::vector<Event> *heap : {&near_, &far_}) {
        auto it = std::find(heap->begin(), heap->end(), ev); // same uid
        if (it != heap->end()) {
            heap->erase(it);
            std::make_heap(heap->begin(), heap->end(), later);
            return;
        }
    }
}

} // namespace ikesim
