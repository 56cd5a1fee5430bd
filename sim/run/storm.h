/* storm.h — one run of a remote-access star: a headend (gateway 1's
 * settings) and cfg->star.clients clients (gateway 0's settings), the
 * headend crashing and rebooting by the script, and the reconnection storm
 * that follows, measured from ground truth.  (config, seed) -> one row.
 *
 * Topology: the clients share ns-3 nodes, clients_per_node each, one UDP
 * port range per node receiving for all of them (ns3_udp_range_open); every
 * client node has its own point-to-point link ([topology]) to the headend
 * node, so no route has to be computed (no global routing).
 *
 * The fleet is connected before the run: client i's IKE and Child SAs are
 * provisioned at a uniform time in [0, crash) by state import (as a cluster
 * member takes SAs over), with keys drawn from the seed and the headend's
 * real QCD token; simulating the first connection of 100,000 clients
 * through the headend's admission limit would take longer than the storm.
 * So the DPD phases and traffic of the clients are spread when the crash
 * comes, and the only handshakes of the run are the reconnections.
 *
 * Metrics (sim_row): per client, recovery = crash -> a new Child SA with
 * the rebooted headend (both sides hold it); t50/t90/t99/t100 over all
 * clients (NaN if not reached); detect_s and recover_s are means over the
 * clients that have them; never_recovered, missed (stale SA never deleted),
 * retries (client IKE_SA_INIT and IKE_AUTH retransmissions after the
 * crash), cookies, init_drops, IKE_SA_INIT served per second (peak over
 * one-second bins, and mean from the reboot to the last recovery); lost_pkts
 * counts client packets sent after the crash (up to a second before the
 * horizon) that the headend never received.
 */
#ifndef IKESIM_SIM_STORM_H
#define IKESIM_SIM_STORM_H

#include "run.h"

/* The recovery curve of one run: per bin from the crash, the fraction of
 * clients recovered by the bin's end and the IKE_SA_INIT served per second
 * in it.  The caller sets bin_s and after_s; g_free() the arrays. */
typedef struct sim_storm_curve {
    double bin_s, after_s;
    size_t n_bins;
    double *recovered, *init_per_s;
    /* with per_client: each client's detection and recovery time from the
     * crash (NaN: none) and whether it sends traffic; n_clients of them */
    bool per_client;
    size_t n_clients;
    double *detect_s, *recover_s;
    bool *active;
    /* ...and the last reading each had answered before the crash: when it
     * was sent and when the answer came, from the crash (NaN: none) */
    double *answered_s, *answer_s;
} sim_storm_curve;

void sim_storm_curve_clear(sim_storm_curve *c);

/* 0 on success; negative (an ns3_err) if the simulation could not be
 * built.  curve may be NULL. */
int sim_storm_run(const sim_run_cfg *cfg, sim_row *row, sim_storm_curve *curve);

#endif
