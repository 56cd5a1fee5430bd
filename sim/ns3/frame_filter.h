// frame_filter.h — decides, on a link's receiving device, whether a frame
// is lost: link down, receiving node crashed, the sender crashed while the
// frame was still being serialised (a truncated frame fails its CRC), or
// random loss.
#ifndef IKESIM_NS3_FRAME_FILTER_H
#define IKESIM_NS3_FRAME_FILTER_H

#include <ns3/data-rate.h>
#include <ns3/error-model.h>
#include <ns3/nstime.h>
#include <ns3/random-variable-stream.h>

#include "ns3_net.h"

namespace ikesim {

struct NodeState;

class FrameFilter : public ns3::ErrorModel {
  public:
    FrameFilter(const NodeState *receiver, const NodeState *sender,
                ns3::DataRate rate, ns3::Time delay, int64_t stream);

    void SetLoss(double p) { loss_ = p; }
    void SetLinkUp(bool up) { link_up_ = up; }

  private:
    bool DoCorrupt(ns3::Ptr<ns3::Packet> p) override;
    bool Lost(ns3::Ptr<ns3::Packet> p, ns3_drop *why);
    void DoReset() override {}

    const NodeState *receiver_;
    const NodeState *sender_;
    ns3::DataRate rate_;
    ns3::Time delay_;
    ns3::Ptr<ns3::UniformRandomVariable> uniform_;
    double loss_ = 0.0;
    bool link_up_ = true;
};

} // namespace ikesim
#endif
