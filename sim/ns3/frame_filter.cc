#include "frame_filter.h"

#include "world.h"

namespace ikesim {

FrameFilter::FrameFilter(const NodeState *receiver, const NodeState *sender,
                         ns3::DataRate rate, ns3::Time delay, int64_t stream)
    : receiver_(receiver), sender_(sender), rate_(rate), delay_(delay),
      uniform_(ns3::CreateObject<ns3::UniformRandomVariable>())
{
    uniform_->SetStream(stream);
}

bool FrameFilter::DoCorrupt(ns3::Ptr<ns3::Packet> p)
{
    ns3_drop why;
    if (!Lost(p, &why))
        return false;
    if (world->drop_cb)
        report_drop(why, sender_->node->GetId(), receiver_->node->GetId(), p);
    return true;
}

bool FrameFilter::Lost(ns3::Ptr<ns3::Packet> p, ns3_drop *why)
{
    *why = !link_up_ ? NS3_DROP_LINK_DOWN : NS3_DROP_RECEIVER_DOWN;
    if (!link_up_ || !receiver_->up)
        return true;
    if (sender_->crashed_at >= 0) {
        // The frame arrives now, so it was on the wire from tx_start to tx_end.
        int64_t tx_end = (ns3::Simulator::Now() - delay_).GetNanoSeconds();
        int64_t tx_start = tx_end - rate_.CalculateBytesTxTime(p->GetSize()).GetNanoSeconds();
        *why = NS3_DROP_TRUNCATED;
        if (sender_->crashed_at >= tx_start && sender_->crashed_at < tx_end)
            return true;
    }
    // Draw only when loss is configured, so a lossless link uses no randomness.
    *why = NS3_DROP_LOSS;
    return loss_ > 0.0 && uniform_->GetValue() < loss_;
}

} // namespace ikesim
