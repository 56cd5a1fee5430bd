// The wrapper's event queue (sim/ns3/near_far_scheduler.h) against ns-3's
// own priority queue: the same operations give the same events in the
// same order, whichever heap each lands in.
#include <glib.h>

#include <string>
#include <vector>

#include <ns3/event-impl.h>
#include <ns3/priority-queue-scheduler.h>

#include "near_far_scheduler.h"

using namespace ns3;

namespace {

// Due times that fall in the near heap, on its edge (1 s ahead) and in the
// far heap, with many equal ones.
uint64_t pick_delay(GRand *r)
{
    switch (g_rand_int_range(r, 0, 5)) {
    case 0: return (uint64_t)g_rand_int_range(r, 0, 1000);
    case 1: return 1000000000ull + (uint64_t)g_rand_int_range(r, -3, 3);
    case 2: return (uint64_t)g_rand_int_range(r, 0, 120) * 1000000000ull;
    case 3: return (uint64_t)g_rand_int_range(r, 0, 5) * 5000000ull;
    default: return (uint64_t)g_rand_int_range(r, 0, 2000000000);
    }
}

void same_as_priority_queue(gconstpointer seed_p)
{
    GRand *r = g_rand_new_with_seed(GPOINTER_TO_UINT(seed_p));
    Ptr<Scheduler> mine = CreateObject<ikesim::NearFarScheduler>();
    Ptr<Scheduler> ref = CreateObject<PriorityQueueScheduler>();
    std::vector<Scheduler::Event> queued; // what Remove may pick from
    uint64_t now = 0;
    uint32_t uid = 0, removed = 0, run = 0;
    for (int step = 0; step < 200000; step++) {
        int op = g_rand_int_range(r, 0, 100);
        if (op < 50 || ref->IsEmpty()) {
            Scheduler::Event ev = {nullptr, {now + pick_delay(r), uid++, 0}};
            mine->Insert(ev);
            ref->Insert(ev);
            queued.push_back(ev);
        } else if (op < 97) {
            g_assert_cmpuint(mine->PeekNext().key.m_uid, ==, ref->PeekNext().key.m_uid);
            Scheduler::Event a = mine->RemoveNext(), b = ref->RemoveNext();
            g_assert_cmpuint(a.key.m_uid, ==, b.key.m_uid);
            g_assert_cmpuint(a.key.m_ts, ==, b.key.m_ts);
            g_assert_cmpuint(a.key.m_ts, >=, now);
            now = a.key.m_ts;
            run++;
        } else {
            // an event still queued, as Simulator::Remove would take it
            // out; one due after now has surely not run
            for (int tries = 0; tries < 8 && !queued.empty(); tries++) {
                size_t i = (size_t)g_rand_int_range(r, 0, (gint32)queued.size());
                Scheduler::Event ev = queued[i];
                queued[i] = queued.back();
                queued.pop_back();
                if (ev.key.m_ts > now) {
                    mine->Remove(ev);
                    ref->Remove(ev);
                    removed++;
                    break;
                }
            }
        }
        g_assert_cmpint(mine->IsEmpty(), ==, ref->IsEmpty());
    }
    while (!ref->IsEmpty()) {
        Scheduler::Event a = mine->RemoveNext(), b = ref->RemoveNext();
        g_assert_cmpuint(a.key.m_uid, ==, b.key.m_uid);
        run++;
    }
    g_assert_true(mine->IsEmpty());
    g_assert_cmpuint(run, >, 40000);
    g_assert_cmpuint(removed, >, 1000);
    g_rand_free(r);
}

} // namespace

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, nullptr);
    for (guint seed : {1u, 2u, 3u}) {
        std::string path = "/near-far/same-as-priority-queue/seed-" + std::to_string(seed);
        g_test_add_data_func(path.c_str(), GUINT_TO_POINTER(seed), same_as_priority_queue);
    }
    return g_test_run();
}
