/* forger.h — an attacker that forges unprotected QCD answers.
 *
 * It sends a gateway unprotected INVALID_IKE_SPI and INVALID_SPI notifies
 * carrying random QCD tokens, at a chosen rate, from its own node.  It
 * knows the SPIs of the gateway's SAs (they cross every link in the clear),
 * so only the token is a guess: the worst case for the taker. */
#ifndef IKESIM_SIM_FORGER_H
#define IKESIM_SIM_FORGER_H

#include "gw.h"
#include "rng.h"

typedef struct sim_forger sim_forger;

sim_forger *sim_forger_new(ns3_node_id node, sim_gw *target, uint32_t target_addr, sim_rng *rng);
void sim_forger_free(sim_forger *f);
void sim_forger_start(sim_forger *f, double rate_pps);
void sim_forger_stop(sim_forger *f);
uint64_t sim_forger_sent(const sim_forger *f);

#endif
