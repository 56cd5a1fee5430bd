/* gw.h — a gateway: an IKE endpoint (model/ike.h) and its ESP SAs
 * (model/esp.h) bound to one UDP port of an ns-3 node.
 *
 * It feeds datagrams and timeouts into the models, protects application
 * packets with the current Child SA towards its peer, answers ESP with an
 * unknown SPI, and follows its establishment policy.  A crash wipes every
 * volatile thing (IKE and Child SAs, timers, queued packets); what is
 * configured non-volatile survives: the QCD secrets and, optionally, the
 * map from child SPIs to IKE SPIs.  On any port but 500, IKE messages carry
 * the 4-octet non-ESP marker and ESP travels beside them (RFC 3948).
 */
#ifndef IKESIM_SIM_GW_H
#define IKESIM_SIM_GW_H

#include <stdio.h>

#include <glib.h>

#include "esp.h"
#include "esp_ha.h"
#include "ike.h"
#include "ike_ha.h"
#include "listener.h"
#include "ns3_net.h"

typedef struct sim_gw sim_gw;

/* Peer tokens of the model are an IPv4 address and a UDP port. */
static inline uint64_t sim_peer(uint32_t addr, uint16_t port) { return (uint64_t)addr << 16 | port; }
static inline uint32_t sim_peer_addr(uint64_t peer) { return (uint32_t)(peer >> 16); }
static inline uint16_t sim_peer_port(uint64_t peer) { return (uint16_t)peer; }

typedef enum sim_establish {
    SIM_EST_AT_BOOT,    /* initiate as soon as the gateway is up */
    SIM_EST_ON_TRAFFIC, /* initiate when a packet finds no SA (an acquire) */
    SIM_EST_NEVER,      /* only ever respond */
    SIM_EST_AT_REBOOT,  /* at every boot but the first (the peer set the SA up first) */
} sim_establish;

typedef struct sim_gw_cfg {
    ike_cfg ike;              /* ike.qcd.secrets is set by the gateway */
    uint8_t qcd_secret[QCD_SECRET_LEN];
    bool persist_child_map;   /* non-volatile child SPI -> IKE SPIs (QCD fast path) */
    bool answer_invalid_spi;  /* unknown ESP SPI -> one-way INVALID_SPI */
    sim_establish establish;
    bool reinitiate_on_dead;  /* after a dead peer: initiate at once, else on the next packet */
    bool can_initiate;        /* false: the peer cannot be reached first (a client behind NAT) */
    uint64_t boot_delay_ns;   /* boot -> the IKE daemon runs (receives, answers, initiates) */
    esp_cfg esp;
    /* RFC 5723 session resumption, both roles: as a client the gateway asks
     * for tickets and, whenever it initiates (after a dead peer or on
     * traffic), resumes from the ticket it holds for its peer (full handshake
     * without one, or after a TICKET_NACK or no answer); as a responder it
     * grants and takes tickets under keys it keeps across a crash (drawn
     * from its random stream at creation, only when on). */
    bool resume;
    uint32_t ticket_lifetime_ms;  /* whole seconds go on the wire */
    uint32_t ticket_roll_ms;      /* a new ticket key when the current one is this old (0: never) */
    uint32_t ticket_grace_ms;     /* a replaced key still opens tickets this long */
    uint32_t resume_timeout_ms;   /* fall back after this long without an answer (0: the schedule) */
    /* a star client's application (fleet.c) judges the tunnel dead and starts
     * over (ike_ep_start_over, then a new SA) when this many readings in a row
     * went unanswered, or when no answer came for app_silence_ns (0: never) */
    uint32_t app_unanswered;
    uint64_t app_silence_ns;
} sim_gw_cfg;

void sim_gw_cfg_defaults(sim_gw_cfg *cfg);
/* ike->resume from c's resumption settings (both roles), with ticket keys
 * drawn from rng into *keys, which the caller keeps across crashes. */
struct sim_rng;
void sim_resume_setup(const sim_gw_cfg *c, ike_ticket_keys *keys, struct sim_rng *rng, ike_cfg *ike);


/* stream separates this gateway's random bytes from every other's. */
sim_gw *sim_gw_new(ns3_node_id node, uint32_t addr, uint16_t port, const sim_gw_cfg *cfg,
                   uint64_t seed, uint64_t run, uint64_t stream);
void sim_gw_free(sim_gw *gw);
/* Its traces (listener.h): IKE events, IKE and ESP sent, ESP refused,
 * packets delivered; t->node is the gateway. */
void sim_gw_listen(sim_gw *gw, const sim_listener *l);
/* Every IKE SA this gateway establishes gets a line in f (Wireshark's
 * ikev2_decryption_table); f stays the caller's. */
void sim_gw_keylog(sim_gw *gw, FILE *f);
/* Every outbound Child SA gets a line in f (Wireshark's esp_sa table), so
 * the ESP both gateways send can be decrypted and its ICVs checked. */
void sim_gw_esp_keylog(sim_gw *gw, FILE *f);

/* Cluster-wide knowledge for a QCD maker: is this IKE SA alive on another
 * member?  Without it (the default) a member reveals tokens of SAs it does
 * not hold.  Takes effect at the next boot. */
void sim_gw_set_cluster(sim_gw *gw, bool (*alive_elsewhere)(void *arg, uint64_t spi_i, uint64_t spi_r),
                        void *arg);

/* Changes the establishment policy (a cluster member that became a standby). */
void sim_gw_set_establish(sim_gw *gw, sim_establish e);
/* The one peer this gateway protects traffic to. */
void sim_gw_set_peer(sim_gw *gw, uint32_t addr, uint16_t port);
/* Brings the gateway up (at time zero or after a reboot); its IKE daemon
 * starts boot_delay_ns later: until then IKE and ESP are dropped unanswered. */
void sim_gw_boot(sim_gw *gw);
void sim_gw_crash(sim_gw *gw);
bool sim_gw_is_up(const sim_gw *gw);

ike_sa *sim_gw_initiate(sim_gw *gw);
int sim_gw_delete(sim_gw *gw, ike_sa *sa);
int sim_gw_rekey_ike(sim_gw *gw, ike_sa *sa); /* ike_ep_rekey_ike() now */
/* Protects and sends one application packet to the peer; false if it was
 * dropped (gateway down, or no Child SA yet: then an acquire may start IKE). */
bool sim_gw_send_app(sim_gw *gw, uint32_t flow, uint64_t seq, size_t len);

/* --- HA: state replication between cluster members --- */

/* Appends the state of every established IKE SA (ike_sa_state) and of
 * every ESP SA (esp_sa_state) of this gateway: what a replication message
 * carries to the standby. */
void sim_gw_snapshot(sim_gw *gw, GArray *ike, GArray *esp);
/* The state of one IKE SA and of its Child SA's ESP SA (false: none). */
bool sim_gw_snapshot_sa(sim_gw *gw, ike_sa *sa, ike_sa_state *ike, esp_sa_state *esp, bool *has_esp);

typedef struct sim_gw_restore_cfg {
    uint64_t esp_jump;       /* outbound ESP numbers skipped (RFC 6311 §5.2) */
    bool sync;               /* RFC 6311 sync on every imported SA that negotiated it */
    bool lazy_sync;          /* ...when the peer's first packet for the SA arrives */
    bool rx_strict;          /* inbound: the edge jumps by esp_jump (else lenient) */
} sim_gw_restore_cfg;

/* Takes over replicated state: imports the SAs, jumps the outbound ESP
 * counters, applies the inbound policy and, if asked, sends the sync.
 * Returns how many IKE SAs were imported. */
size_t sim_gw_restore(sim_gw *gw, const GArray *ike, const GArray *esp, const sim_gw_restore_cfg *rc);

/* From now on this gateway also receives at vip and sends from it (the
 * node must answer to vip: ns3_node_add_address). */
bool sim_gw_claim(sim_gw *gw, uint32_t vip);

ike_ep *sim_gw_ep(sim_gw *gw); /* NULL while crashed */
ns3_node_id sim_gw_node(const sim_gw *gw);
uint32_t sim_gw_addr(const sim_gw *gw);
/* Does this gateway hold an established IKE SA with these SPIs? (ground truth) */
bool sim_gw_holds(const sim_gw *gw, uint64_t spi_i, uint64_t spi_r);

#endif
