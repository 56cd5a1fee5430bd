/* cluster.h — gateway 1 as a cluster of members behind one virtual address.
 *
 * The router in front of the cluster steers the virtual address to the
 * member that claimed it last.  Members send each other heartbeats over
 * their own links; a standby that hears nothing from the active member for
 * the heartbeat timeout claims the address after the takeover time (the
 * lowest-numbered live standby does; the others see its heartbeats).  The
 * active member replicates every IKE SA (keys, message IDs, RFC 6311
 * capabilities and sync values) with its ESP SA (counters, replay window)
 * to the standbys as datagrams on those links, every sync interval and/or
 * every so many ESP packets; a replication message is lost with the
 * configured probability (heartbeats are not: real clusters give them a
 * redundant path).  A takeover imports the newest replica, jumps the
 * outbound ESP counters, applies the inbound policy and, with RFC 6311,
 * syncs message IDs and replay counters with the peer.
 *
 * Split brain: with the member links cut, a standby claims the address
 * while the active member still runs; both then protect the inside hosts'
 * traffic (which reaches both, in turn) under the same SAs.  When the links
 * come back, the higher-numbered active member yields: it drops its state
 * and becomes a standby again.
 */
#ifndef IKESIM_SIM_CLUSTER_H
#define IKESIM_SIM_CLUSTER_H

#include "gw.h"

enum { SIM_MAX_MEMBERS = 8 };

typedef enum sim_ha_mode {
    SIM_HA_NONE,      /* nothing replicated: a takeover is like a reboot */
    SIM_HA_REPLICATE, /* IKE and ESP state replicated; no RFC 6311 sync */
    SIM_HA_RFC6311,   /* replicated, and the new member syncs counters (RFC 6311) */
} sim_ha_mode;

typedef enum sim_sync_trigger {
    SIM_SYNC_AT_TAKEOVER, /* the new member syncs every SA at once */
    SIM_SYNC_ON_TRAFFIC,  /* ...an SA when the peer's first packet for it arrives */
} sim_sync_trigger;

typedef struct sim_standby_cfg {
    bool enabled;
    unsigned members;       /* 2..SIM_MAX_MEMBERS */
    sim_ha_mode ha;
    double sync_interval_s; /* the active member replicates this often (0: not by time) */
    uint32_t sync_packets;  /* ...and after this many ESP packets (0: not by count) */
    double sync_loss;       /* probability that a replication message is lost */
    bool esp_jump_auto;     /* estimate the jump from the replicas' packet rate */
    uint64_t esp_jump;      /* else: outbound ESP numbers the new member skips */
    bool rx_strict;         /* its inbound window jumps too (RFC 6311 §8.2 strict) */
    sim_sync_trigger sync_trigger;
    bool replicate_sync;    /* the new member replicates its sync values at once */
    double heartbeat_s;     /* 0: the cluster learns of a crash at once */
    double heartbeat_timeout_s;
    bool share_secret; /* the standby makes the same QCD tokens (RFC 6290 §6) */
    double takeover_s;
    bool load_sharing; /* both members active at their own addresses: no takeover */
    bool cluster_knowledge; /* the second member knows which SAs live on the first */
} sim_standby_cfg;

typedef struct sim_cluster sim_cluster;

typedef struct sim_cluster_world {
    ns3_node_id router;
    uint32_t vip;                 /* the cluster's address: member 0's on first_link */
    int first_link;               /* member 0 - router */
    const ns3_link_cfg *link;     /* for the member - router links */
    uint32_t peer_addr;           /* gateway 0 */
    uint16_t port;
    uint32_t seed, run;
    const sim_listener *listener; /* every member's traces go here too */
    FILE *keylog, *esp_keylog;
} sim_cluster_world;

/* Member 0 is first (already made; the address's owner); the
 * others are made from member_cfg on new nodes.  NULL on failure. */
sim_cluster *sim_cluster_new(const sim_standby_cfg *cfg, sim_gw *first, const sim_gw_cfg *member_cfg,
                             const sim_cluster_world *world);
void sim_cluster_free(sim_cluster *c);
/* Starts heartbeats and replication (after routing is set up). */
void sim_cluster_start(sim_cluster *c);

/* The member an inside host's next packet reaches: the address holder, or
 * in a split brain each member that believes it is active, in turn. */
sim_gw *sim_cluster_sender(sim_cluster *c);
unsigned sim_cluster_size(const sim_cluster *c);
sim_gw *sim_cluster_member(const sim_cluster *c, unsigned k); /* NULL: no such member */
/* A member other than the first, at its own address (load sharing, probes). */
int sim_cluster_member_link(const sim_cluster *c, unsigned k);

/* Crashes the member holding the address; reboots the member that crashed
 * last (it rejoins as a standby). */
void sim_cluster_crash_active(sim_cluster *c);
void sim_cluster_reboot(sim_cluster *c);
/* Cuts or restores every member link (split brain). */
void sim_cluster_set_links(sim_cluster *c, bool up);

/* Is the IKE SA alive on any member that is up? (ground truth) */
bool sim_cluster_holds(const sim_cluster *c, uint64_t spi_i, uint64_t spi_r);
/* Takeovers so far. */
unsigned sim_cluster_takeovers(const sim_cluster *c);

#endif
