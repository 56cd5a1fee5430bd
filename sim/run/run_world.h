/* run_world.h — one run's world, shared by run.c (build, run, teardown)
 * and metrics.c (what it measures); not for other modules. */
#ifndef IKESIM_SIM_RUN_WORLD_H
#define IKESIM_SIM_RUN_WORLD_H

#include <stdio.h>

#include <glib.h>

#include "forger.h"
#include "prober.h"
#include "replayer.h"
#include "run.h"

typedef struct {
    uint64_t spi_i, spi_r;
} spi_pair;

typedef struct {
    uint64_t at;
    size_t len;
} sent_msg;

/* Everything one run measures.  Ground truth comes from the world (who
 * crashed when, which SAs both sides hold), not from a model's opinion. */
typedef struct world {
    const sim_run_cfg *cfg;
    sim_gw *gw[2];
    int link;
    sim_cluster *cluster; /* gateway 1's members, if configured */
    ns3_node_id router;
    sim_source *src[2];
    sim_rng *traffic_rng;
    sim_forger *forger;
    sim_prober *prober;
    sim_replayer *replayer;
    sim_rng *forger_rng;
    ns3_node_id node[2];
    uint32_t addr[2];
    FILE *keylog, *esp_keylog;
    void *script;          /* what the script's events need when they fire */
    /* per flow (= direction): send time of each seq, delivery time or -1 */
    GArray *sent[2], *got[2];
    GArray *sent_esp[2];  /* per packet sent: the esp_key of its ESP packet, 0 if not sent */
    uint64_t last_esp;    /* the esp_key of the ESP packet just sent (0: none) */
    GHashTable *unknown;  /* esp_keys of ESP packets that arrived where no SA had their SPI */
    /* the first crash */
    int crashed;       /* -1: none yet */
    uint64_t crash_ns;
    GArray *stale;     /* spi_pair the survivor held with the crashed side */
    int64_t detect_ns; /* -1: not yet */
    ike_del_reason detect_reason;
    int64_t reboot_ns;     /* the crashed side's first reboot after the crash; -1: none */
    int64_t sa_ns;         /* both sides hold a new IKE SA (after the crash); -1: not yet */
    GArray *sent_after;    /* sent_msg: IKE messages sent from the crash on */
    uint64_t ike_msgs, ike_bytes, liveness_checks, false_positives, tokens_in_clear;
    uint64_t reauths;
    uint64_t first_child_ns[2]; /* each side's first Child SA up (0: not yet) */
    const char *mid_sync;
    /* HA ground truth */
    GHashTable *seq_used; /* outbound SPI -> sim_seq_set of the sequence numbers sent */
    uint64_t seq_reuse, replay_drops, replays_accepted;
    /* the event trace, if one is kept or the script has triggers (run_trace.c) */
    run_trace *trace;
    GHashTable *actor;    /* sim_gw* -> its actor number + 1 */
    unsigned *fired;      /* per script entry: its trigger's events seen so far */
    struct { ns3_node_id node; uint32_t addr; } at[3]; /* forger, prober, replayer */
    void (*fire)(void *arg);  /* runs script entry i: fire(script + i * script_size) */
    size_t script_size;
} world;

/* run_trace.c: the trace (started only if kept or triggers exist) */
void trace_start(world *w);
void trace_actors(world *w);   /* once every node exists */
void trace_feed(world *w, const sim_trace *t);
/* The script's action, and its line in the trace. */
void trace_action(world *w, const sim_script_ev *ev, void (*act)(world *w, const sim_script_ev *ev));
void trace_end(world *w);      /* hands the trace over */
void trace_free(world *w);     /* before ns3_sim_destroy */

/* metrics.c */
void metrics_init(world *w);   /* ground truth before anything happens */
void metrics_free(world *w);   /* after every node is gone */
void metrics_trace(world *w, const sim_trace *t);
void metrics_sent(void *arg, uint32_t flow, uint64_t seq, bool ok); /* a sim_source's packet */
/* The failover (or, without a crash, the split brain) metrics count from;
 * false if one was marked already. */
bool metrics_failover(world *w, int target);
/* A gateway booted again (the crashed side's first reboot counts). */
void metrics_reboot(world *w, int target);
/* The row: recovery, detection, cost, HA ground truth, the timeline. */
void metrics_collect(const world *w, uint64_t horizon_ns, sim_row *row);

#endif
