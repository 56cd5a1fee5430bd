/* ns3_sim.h — the simulation clock and scheduler of the ns-3 C wrapper.
 *
 * One simulation exists at a time per process (ns-3 keeps process-wide
 * singletons).  ns3_sim_init() starts one, ns3_sim_destroy() ends it, and a
 * new one may then be started in the same process with identical results
 * for identical (seed, run).  Times are nanoseconds of simulated time.
 *
 * Timers are caller-owned structs, armed with a delay and an owner node:
 * when the owner crashes every timer it owns is stopped.  A timer that fires
 * is no longer pending when its callback runs, so the callback may re-arm it.
 */
#ifndef IKESIM_NS3_SIM_H
#define IKESIM_NS3_SIM_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef uint32_t ns3_node_id;
#define NS3_NO_NODE UINT32_MAX /* owner of timers that belong to no node */

/* Errors are negative return values. */
enum ns3_err {
    NS3_OK = 0,
    NS3_EINVAL = -1,    /* argument out of range */
    NS3_ENOSIM = -2,    /* no simulation is active */
    NS3_EACTIVE = -3,   /* a simulation is already active */
    NS3_ENODE = -4,     /* no such node */
    NS3_ELINK = -5,     /* no such link */
    NS3_ESOCK = -6,     /* no such socket */
    NS3_EDOWN = -7,     /* the node is crashed */
    NS3_EADDRINUSE = -8,/* port already bound on that node */
    NS3_ENOROUTE = -9,  /* no route to the destination */
    NS3_EIO = -10,      /* file could not be written */
    NS3_ELIMIT = -11,   /* the run reached its event limit */
};
const char *ns3_strerror(int err);

/* Largest delay or absolute time accepted (int64 nanoseconds, ~292 years). */
#define NS3_TIME_MAX ((uint64_t)INT64_MAX)

/* seed: 1 .. 4294967086 (MRG32k3a's range); run: any.  Both feed ns-3's
 * RngSeedManager; every random stream the wrapper creates has a fixed stream
 * number, so (seed, run) alone decides the network's randomness. */
int ns3_sim_init(uint32_t seed, uint32_t run);
void ns3_sim_destroy(void);
bool ns3_sim_active(void);

uint64_t ns3_now_ns(void);
uint64_t ns3_sim_events(void);      /* events executed so far */
int ns3_sim_stop_at(uint64_t t_ns); /* absolute time; must not be in the past */
int ns3_sim_run(void);              /* until stop time or no events left */
/* At most n events per run (0, the default: no limit).  Once n have run,
 * the run stops after the current one and no callback is called any more;
 * ns3_sim_limit_reached() then says so. */
int ns3_sim_set_event_limit(uint64_t n);
bool ns3_sim_limit_reached(void);

typedef void (*ns3_timer_cb)(void *arg);

/* Caller-owned; fields are private to the wrapper. */
typedef struct ns3_timer {
    void *ev_;
    struct ns3_timer *prev_, *next_;
    ns3_timer_cb cb_;
    void *arg_;
    uint64_t expiry_;
    ns3_node_id owner_;
    bool heap_;
} ns3_timer;

void ns3_timer_init(ns3_timer *t, ns3_node_id owner, ns3_timer_cb cb, void *arg);
/* Arms (or re-arms) the timer to fire delay_ns from now.  NS3_EDOWN if the
 * owner is crashed. */
int ns3_timer_start(ns3_timer *t, uint64_t delay_ns);
void ns3_timer_stop(ns3_timer *t); /* no-op if not pending */
bool ns3_timer_pending(const ns3_timer *t);
uint64_t ns3_timer_expiry(const ns3_timer *t); /* absolute ns, if pending */

/* One-shot event owned by a node (or NS3_NO_NODE), no handle to keep. */
int ns3_schedule(ns3_node_id owner, uint64_t delay_ns, ns3_timer_cb cb, void *arg);

#ifdef __cplusplus
}
#endif
#endif
