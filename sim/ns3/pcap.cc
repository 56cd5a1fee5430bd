// pcap.cc — packet captures of chosen links.
#include <cerrno>
#include <sys/stat.h>

#include "world.h"

using namespace ns3;
using namespace ikesim;

extern "C" int ns3_pcap_enable(int link, const char *dir)
{
    if (!world)
        return NS3_ENOSIM;
    if (link < 0 || (size_t)link >= world->links.size())
        return NS3_ELINK;
    if (!dir || !*dir)
        return NS3_EINVAL;
    if (mkdir(dir, 0777) < 0 && errno != EEXIST)
        return NS3_EIO;
    // nanosecond timestamps: a trace's times can be checked against the capture's exactly
    Config::SetDefault("ns3::PcapFileWrapper::NanosecMode", BooleanValue(true));
    PointToPointHelper p2p;
    for (int side = 0; side < 2; side++) {
        std::string file = std::string(dir) + "/link-" + std::to_string(link) + "-" +
                           std::to_string(side) + ".pcap";
        // ns-3 aborts the process on a file it cannot open: check first.
        FILE *probe = fopen(file.c_str(), "wb");
        if (!probe)
            return NS3_EIO;
        fclose(probe);
        p2p.EnablePcap(file, world->links[link].dev[side], false, true);
    }
    return NS3_OK;
}
