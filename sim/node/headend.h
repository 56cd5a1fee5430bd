/* headend.h — a remote-access headend: one IKE endpoint holding an IKE SA
 * and a Child SA per client, bound to UDP 4500 of one ns-3 node.
 *
 * Admission control as gateways do it: a new IKE_SA_INIT first passes the
 * model's COOKIE check (ike_cfg.cookie_threshold), then waits for the CPU:
 * handshakes are served one at a time, handshake_cost each; a request that
 * finds init_queue others waiting is dropped.  Overload therefore shows as
 * delay and client retransmissions, not as free capacity.  With
 * cfg->resume it grants tickets (RFC 5723) under keys it keeps across
 * crashes, and a new IKE_SESSION_RESUME passes the same COOKIE check and
 * waits in the same queue for resume_cost (it opens a ticket and derives
 * keys: no Diffie-Hellman).  Everything else (IKE_AUTH, liveness, ESP) is
 * served at once.
 *
 * Every ESP packet from a client is answered with one packet of the same
 * size on the same Child SA (request/response traffic).  A crash wipes the
 * SAs, the queue and the timers; the QCD secret and, with
 * persist_child_map, the child SPI -> IKE SPIs map survive.
 */
#ifndef IKESIM_SIM_HEADEND_H
#define IKESIM_SIM_HEADEND_H

#include "gw.h"

typedef struct sim_headend sim_headend;

sim_headend *sim_headend_new(ns3_node_id node, const sim_gw_cfg *cfg, double handshake_cost_s,
                             uint32_t init_queue, uint64_t seed, uint64_t run, uint64_t stream);
void sim_headend_free(sim_headend *h);
/* CPU per IKE_SESSION_RESUME (RFC 5723, with cfg.resume), queued with the
 * IKE_SA_INIT requests (0, the default: served at once). */
void sim_headend_set_resume_cost(sim_headend *h, double resume_cost_s);
/* Its traces (listener.h): IKE events and messages sent, packets from
 * clients delivered, IKE_SA_INIT served or dropped; t->node is the headend. */
void sim_headend_listen(sim_headend *h, const sim_listener *l);
void sim_headend_boot(sim_headend *h);
void sim_headend_crash(sim_headend *h);

ike_ep *sim_headend_ep(sim_headend *h); /* NULL while crashed */
const qcd_secrets *sim_headend_secrets(const sim_headend *h);
/* CPU spent on the IKE_SA_INIT and IKE_SESSION_RESUME requests served. */
double sim_headend_cpu_s(const sim_headend *h);
/* Takes over an SA provisioned before the run (ike_ep_import) and its ESP SA. */
bool sim_headend_provision(sim_headend *h, uint64_t peer, const ike_sa_state *st);
bool sim_headend_holds(const sim_headend *h, uint64_t spi_i, uint64_t spi_r);

#endif
