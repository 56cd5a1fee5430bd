/* run.h — one simulation run: two gateways over a link, traffic both ways,
 * a script of crashes, reboots and link events, and the metrics of
 * design.md computed from ground truth.  (config, seed) -> one row. */
#ifndef IKESIM_SIM_RUN_H
#define IKESIM_SIM_RUN_H

#include "cluster.h"
#include "gw.h"
#include "trace.h"
#include "traffic.h"

typedef enum sim_action {
    SIM_ACT_CRASH,     /* target gateway goes down */
    SIM_ACT_REBOOT,    /* target gateway comes back with empty state */
    SIM_ACT_LINK_DOWN,
    SIM_ACT_LINK_UP,
    SIM_ACT_LOSS,      /* the link's loss probability becomes value */
    SIM_ACT_FORGE,     /* an attacker starts forging QCD answers to the target
                          gateway at value per second (0: stops) */
    SIM_ACT_PROBE,     /* the prober replays gateway 0's next protected request to
                          gateway 1's second member (needs standby) */
    SIM_ACT_MEMBER_LINKS_DOWN, /* the cluster's member links are cut (split brain) */
    SIM_ACT_MEMBER_LINKS_UP,
    SIM_ACT_REPLAY,    /* an attacker replays what it captured before the first
                          crash (gateway 0's ESP to the cluster) and every RFC 6311
                          sync message, as soon as the cluster sends ESP again */
} sim_action;

typedef struct sim_script_ev {
    double at_s;       /* when; with a trigger, how long after its event */
    sim_action action;
    int target;        /* gateway 0 or 1 (1 with a cluster: its active member) */
    double value;
} sim_script_ev;

/* A trigger for the script entry of the same index: its action fires at_s
 * after the n-th event `kind` at gateway gw (1: any member), or after the
 * n-th message `msg` its model accepted (kind TR_RECV); once.  All zero: the
 * entry runs at at_s. */
typedef struct sim_trigger {
    bool on;
    int gw;
    trace_kind kind;
    trace_msg msg;
    unsigned n;
} sim_trigger;

enum { SIM_MAX_SCRIPT = 64 };

/* Optional: application packets delivered per bin around the first crash,
 * for recovery timelines.  The caller sets the window and the bin; sim_run
 * fills the rest (bins[f] has n_bins counts of flow f, i.e. of packets sent
 * by gateway f; g_free() them).  No crash: n_bins = 0, crash_s = NaN. */
typedef struct sim_timeline {
    double before_s, after_s, bin_s; /* window [crash - before, crash + after) */
    size_t n_bins;
    uint32_t *bins[2];
    double crash_s;
} sim_timeline;

/* Gateway 1 as a cluster (cluster.h) when standby.enabled: the gateways
 * then meet through a router (one more hop). */

/* A remote-access star instead of two gateways (sim/run/storm.h): clients > 0
 * selects it.  Gateway 0's settings are every client's, gateway 1's the
 * headend's, traffic 0 an active client's mean upstream rate. */
#define SIM_COST_CALIBRATED (-1.0)

typedef struct sim_star_cfg {
    uint32_t clients;          /* 0: the two-gateway run */
    uint32_t clients_per_node; /* client endpoints sharing one ns-3 node */
    double idle_fraction;      /* clients that send nothing */
    double rate_spread;        /* an active client's rate: traffic rate x spread^U(-1,1) */
    double handshake_cost_s;   /* headend CPU per IKE_SA_INIT (0: free); SIM_COST_CALIBRATED
                                  until the builder takes it from calibration.h */
    uint32_t init_queue;       /* IKE_SA_INIT waiting for the CPU; beyond: dropped */
    double resume_cost_s;      /* headend CPU per IKE_SESSION_RESUME (RFC 5723, gateway.resume);
                                  SIM_COST_CALIBRATED until the builder takes it from calibration.h */
    bool per_device;           /* rows add what one client lost and spent (sim_row) */
} sim_star_cfg;

typedef struct sim_run_cfg {
    uint32_t seed, run;
    double horizon_s;
    ns3_link_cfg link;
    sim_gw_cfg gw[2];
    sim_traffic_cfg traffic[2]; /* [0]: gateway 0 -> 1, [1]: 1 -> 0 */
    sim_standby_cfg standby;
    sim_script_ev script[SIM_MAX_SCRIPT];
    sim_trigger trigger[SIM_MAX_SCRIPT];
    size_t n_script;
    const char *pcap_dir;       /* NULL: no capture */
    const char *keylog_path;    /* NULL: no key table */
    const char *esp_keylog_path;/* Wireshark esp_sa table; NULL: none */
    /* every IKE event of gateway 0 or 1, e.g. for tests (may be NULL) */
    void (*trace)(void *arg, int gw, const ike_event *ev);
    void *trace_arg;
    sim_timeline *timeline;     /* NULL: none */
    /* the run's event trace (trace.h), handed over complete at the end of a
     * run; NULL: none is made (a script with triggers still makes one) */
    void (*on_trace)(void *arg, const run_trace *t);
    void *on_trace_arg;
    sim_star_cfg star;
    uint64_t max_events;        /* 0: no limit; past it the run stops (NS3_ELIMIT) */
} sim_run_cfg;

/* Times in seconds; NaN where a time does not exist (e.g. never recovered). */
typedef struct sim_row {
    double detect_s;
    const char *detect_reason; /* qcd, liveness, initial_contact, delete, none */
    double recover_s, recover_fwd_s, recover_rev_s; /* fwd: survivor -> crashed side */
    uint64_t lost_pkts, false_positives, missed;
    uint64_t ike_msgs, ike_bytes, liveness_checks;
    uint64_t forged;           /* messages the forger sent */
    uint64_t tokens_in_clear;  /* QCD tokens a passive observer saw unencrypted */
    uint64_t probes;           /* requests the prober replayed */
    /* HA (a cluster): failover -> application packets flow both ways again;
     * does gateway 0 still share an IKE SA from before the failover with the
     * cluster at the end; legitimate ESP packets refused as replays (or too
     * old); an attacker's replays accepted; (SPI, sequence number) pairs
     * sent twice (under AES-GCM a nonce reuse); how the RFC 6311 sync ended */
    double resume_s;
    bool sa_survived;
    uint64_t replay_drops, replays_accepted, seq_reuse;
    const char *mid_sync;      /* none, ok, dropped (the peer refused it), failed (no answer) */
    unsigned takeovers;
    double sim_s, wall_s;
    uint64_t events;
    /* star runs only (sim/run/storm.h): clients recovered, from the crash */
    double t50_s, t90_s, t99_s, t100_s;
    double init_peak_per_s, init_mean_per_s; /* IKE_SA_INIT the headend handled */
    uint64_t cookies, retries, init_drops, never_recovered;
    double cpu_s;              /* headend CPU on IKE_SA_INIT and IKE_SESSION_RESUME served */
    /* recovery cost (two-gateway runs): crash -> both gateways hold a new IKE
     * SA; the new SA and the recovery counted from the crashed side's reboot
     * in round trips of the link (2 x delay; NaN without a reboot); IKE
     * messages and octets both sides sent from the crash until the later of
     * the new SA and the recovery (the horizon if either never comes) */
    double sa_s, sa_rtt, recover_rtt;
    uint64_t recover_ike_msgs, recover_ike_bytes;
    /* experiments that reauthenticate (sim/cli/csv.h): reauthentications
     * started; application packets sent once both sides had their first
     * Child SA and lost for want of an SA, both ways (not
     * sent for want of an outbound Child SA, or arriving where the receiver
     * held no SA with their SPI; sent at least a second before the horizon;
     * the link's own losses not counted); the longest span of send times in
     * one direction from such a packet to the next one delivered */
    uint64_t reauths, esp_lost;
    double outage_max_s;
    /* star runs with per_device: the mean client's time without a tunnel from
     * the crash (to the horizon if it never recovered), and the datagrams and
     * IPv4 octets it sent and received (IKE and ESP), per client-day connected */
    double blackhole_s, air_msgs_day, air_octets_day;
} sim_row;

void sim_run_cfg_defaults(sim_run_cfg *cfg);
/* 0 on success; negative (an ns3_err) if the simulation could not be built,
 * or NS3_ELIMIT if it stopped at cfg->max_events (row->events and
 * row->sim_s then say where). */
int sim_run(const sim_run_cfg *cfg, sim_row *row);
/* Runs the built simulation to the horizon under cfg->max_events: 0, or
 * NS3_ELIMIT as above. */
int sim_run_bounded(const sim_run_cfg *cfg, uint64_t horizon_ns, sim_row *row);

#endif
