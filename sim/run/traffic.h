/* traffic.h — application traffic through a gateway: a source sends
 * packets of one flow at a constant rate, as a Poisson process, or on/off.
 * Sources live beside the gateway, not on it: a gateway crash does not stop
 * them; their packets are then simply lost. */
#ifndef IKESIM_SIM_TRAFFIC_H
#define IKESIM_SIM_TRAFFIC_H

#include "gw.h"
#include "rng.h"

typedef enum sim_traffic_kind {
    SIM_TRAFFIC_NONE,
    SIM_TRAFFIC_CONSTANT,
    SIM_TRAFFIC_POISSON,
    SIM_TRAFFIC_ONOFF, /* constant rate while on; on_s and off_s alternate */
} sim_traffic_kind;

typedef struct sim_traffic_cfg {
    sim_traffic_kind kind;
    double rate_pps;
    uint32_t size;        /* inner IPv4 packet octets */
    double start_s, stop_s;
    double on_s, off_s;
} sim_traffic_cfg;

typedef struct sim_source sim_source;

/* Calls sent(arg, flow, seq, ok) for every packet it generates. */
typedef void (*sim_sent_cb)(void *arg, uint32_t flow, uint64_t seq, bool ok);

sim_source *sim_source_new(sim_gw *gw, uint32_t flow, const sim_traffic_cfg *cfg, sim_rng *rng,
                           sim_sent_cb sent, void *arg);
void sim_source_free(sim_source *s);
/* From now on the packets go through gw (a cluster member took over). */
void sim_source_set_gw(sim_source *s, sim_gw *gw);
/* From now on every packet asks pick() which gateway carries it (a split
 * brain: the hosts reach more than one member); NULL: back to the gateway. */
void sim_source_set_picker(sim_source *s, sim_gw *(*pick)(void *arg), void *arg);

#endif
