/* probe.h — the load-sharing attack on QCD (RFC 6290 §9.2).
 *
 * Peer P has an IKE SA with cluster member M1; member M2 shares M1's QCD
 * secret.  An attacker X observes P's protected requests on the path,
 * replays one to M2, and forwards M2's clear-text answer to P.  Without
 * cluster-wide knowledge of live SAs, M2 answers with a valid token for an
 * SA alive on M1 and P deletes it: a false positive caused from outside.
 * Topology: a router with links to P, M1 and M2 (10 ms) and to X (1 ms). */
#ifndef IKESIM_SIM_PROBE_H
#define IKESIM_SIM_PROBE_H

#include <stdbool.h>
#include <stdint.h>

typedef struct sim_probe_cfg {
    uint32_t seed, run;
    bool cluster_knowledge;   /* members know which SAs are alive anywhere */
    bool taker_needs_request; /* P accepts tokens only with its own request out */
    double attack_from_s;     /* X probes with the first request it sees after this */
    double horizon_s;
} sim_probe_cfg;

typedef struct sim_probe_row {
    uint64_t probes;          /* requests X replayed to M2 */
    uint64_t tokens_in_clear; /* QCD tokens an observer saw unencrypted */
    uint64_t false_positives; /* P's SAs deleted while M1 still held them */
    uint64_t sas_established; /* by P */
} sim_probe_row;

void sim_probe_cfg_defaults(sim_probe_cfg *cfg);
int sim_probe_run(const sim_probe_cfg *cfg, sim_probe_row *row);

#endif
