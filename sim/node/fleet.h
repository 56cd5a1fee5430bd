/* fleet.h — the remote-access clients of a star: each one a full IKEv2 /
 * ESP / QCD endpoint (its own ike_ep, IKE SA and Child SA) behind its own
 * UDP port; many share one ns-3 node.
 *
 * Behaviour is spread as in real fleets, from the run's seed: a fraction of
 * the clients is idle (sends nothing, so it notices a dead headend only by
 * its own liveness check); the others send a stream (Poisson, or evenly
 * spaced at a random phase for the constant pattern) whose rate is
 * log-uniform around the configured one, and the headend answers each
 * packet.  Whole-second DPD clocks get a random phase per client.  A client
 * that declares the headend dead (or whose new handshake failed) initiates
 * again at once, for as long as the run lasts; with client.resume it asks
 * for a ticket once provisioned and resumes from it (RFC 5723).  With an
 * application timeout (sim_gw_cfg.app_unanswered, app_silence_ns) a client
 * whose readings go
 * unanswered starts over by itself: the model forgets the SA without a word
 * (ike_ep_start_over) and the client initiates anew.
 */
#ifndef IKESIM_SIM_FLEET_H
#define IKESIM_SIM_FLEET_H

#include "gw.h"
#include "ike_ha.h"
#include "rng.h"
#include "traffic.h"

typedef struct sim_fleet sim_fleet;

enum { SIM_FLEET_BASE_PORT = 10000 }; /* a node's clients use the ports from here */

typedef struct sim_fleet_cfg {
    sim_gw_cfg client;          /* every client's settings (its ID is made unique) */
    sim_traffic_cfg traffic;    /* an active client's mean rate, size, start, stop */
    double idle_fraction, rate_spread;
    bool random_dpd_phase;      /* whole-second DPD clock: a phase per client */
} sim_fleet_cfg;

/* n clients; client i lives on nodes[i / per_node] at addrs[i / per_node],
 * UDP port SIM_FLEET_BASE_PORT + i % per_node, and talks to the headend at
 * headend_addrs[i / per_node]:4500. */
sim_fleet *sim_fleet_new(const sim_fleet_cfg *cfg, uint32_t n, uint32_t per_node, const ns3_node_id *nodes,
                         const uint32_t *addrs, const uint32_t *headend_addrs, sim_rng *rng);
void sim_fleet_free(sim_fleet *f);
/* Its clients' traces (listener.h): IKE events and messages sent,
 * application packets due and answers delivered; t->node is the fleet,
 * t->index the client. */
void sim_fleet_listen(sim_fleet *f, const sim_listener *l);
uint32_t sim_fleet_size(const sim_fleet *f);
uint64_t sim_fleet_peer(const sim_fleet *f, uint32_t client);   /* the client's address and port */
uint64_t sim_fleet_headend(const sim_fleet *f, uint32_t client); /* the headend as the client sees it */
const char *sim_fleet_id(const sim_fleet *f, uint32_t client, size_t *len);
bool sim_fleet_active(const sim_fleet *f, uint32_t client);

/* Takes over an SA provisioned before the run (ike_ep_import) and starts
 * the client's traffic. */
bool sim_fleet_provision(sim_fleet *f, uint32_t client, const ike_sa_state *st);
bool sim_fleet_holds(const sim_fleet *f, uint32_t client, uint64_t spi_i, uint64_t spi_r);
ike_ep *sim_fleet_ep(sim_fleet *f, uint32_t client);
/* The client's latest answered reading: when it was sent and when its
 * answer came (both 0: none yet). */
void sim_fleet_last_answer(const sim_fleet *f, uint32_t client, uint64_t *reading_ns, uint64_t *answer_ns);

#endif
