/* trace.h — the event trace of one run: every IKE message sent, received,
 * refused by a model, lost on a link or dropped by a crashed node; the
 * timers and decisions that matter (liveness checks, retransmissions, SA
 * changes, QCD, RFC 6311 syncs, takeovers); the scenario's crashes and link
 * events; ESP summarised per SA and direction (first and last packet, sequence
 * gaps, refusals).  Fed at the sim boundary (gateway listeners, the
 * network's drop watcher, the script); SK payloads are opened with the
 * sender's keys to name what they carry.  A run without a trace makes
 * none of this: it costs nothing when off. */
#ifndef IKESIM_SIM_TRACE_H
#define IKESIM_SIM_TRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <glib.h>

#include "ike.h"
#include "ns3_net.h"

typedef enum trace_kind {
    /* an IKE message at a node */
    TR_SEND, TR_RECV, TR_REFUSED, TR_LOST, TR_DROPPED,
    /* the model */
    TR_RETRANSMIT, TR_LIVENESS_CHECK, TR_LIVENESS_OK, TR_SA_UP, TR_CHILD_UP, TR_SA_DELETED, TR_SA_IMPORTED,
    TR_HINT, TR_QCD_ANSWER, TR_QCD_REJECTED, TR_SYNC_SENT, TR_SYNC_ANSWERED, TR_SYNC_DROPPED, TR_REPLAY_DELTA,
    TR_ABANDONED, TR_COOKIE,
    /* the world */
    TR_CRASH, TR_REBOOT, TR_LINK_DOWN, TR_LINK_UP, TR_LOSS, TR_TAKEOVER, TR_MEMBER_LINKS_DOWN,
    TR_MEMBER_LINKS_UP, TR_FORGE, TR_PROBE, TR_REPLAY,
    /* ESP, per SA and direction */
    TR_ESP_FIRST, TR_ESP_LAST, TR_ESP_GAP,
    /* the model: RFC 5723 session resumption */
    TR_TICKET, TR_RESUME,
    /* the model: a Child SA rekey */
    TR_CHILD_REKEYED, TR_CHILD_REMOVED,
    /* the model: reauthentication */
    TR_REAUTH,
    /* the model: IKE SA rekeys */
    TR_SA_REKEYED,
    TR_N_KINDS
} trace_kind;

/* What an IKE message is, from its exchange, flags and (decrypted) payloads. */
typedef enum trace_msg {
    TM_NONE, TM_INIT_REQ, TM_INIT_RESP, TM_AUTH_REQ, TM_AUTH_RESP, TM_CHILD_REQ, TM_CHILD_RESP,
    TM_LIVENESS_REQ, TM_LIVENESS_ANSWER, TM_DELETE_REQ, TM_DELETE_RESP, TM_MID_SYNC_REQ, TM_MID_SYNC_RESP,
    TM_REPLAY_SYNC_REQ, TM_REPLAY_SYNC_RESP, TM_INFO_REQ, TM_INFO_RESP, TM_INVALID_IKE_SPI, TM_INVALID_SPI,
    TM_RESUME_REQ, TM_RESUME_RESP, TM_UNKNOWN,
    TM_N_KINDS
} trace_msg;

const char *trace_kind_name(trace_kind k);
const char *trace_msg_name(trace_msg m);
/* Either name -> value; false if unknown. */
bool trace_kind_parse(const char *s, trace_kind *k);
bool trace_msg_parse(const char *s, trace_msg *m);

typedef struct trace_rec {
    uint64_t t_ns;
    trace_kind kind;
    int node, peer;          /* actor numbers; -1: none (peer: only peer_addr known) */
    uint32_t peer_addr;
    /* messages */
    trace_msg msg;
    uint8_t exchange, flags;
    uint32_t msg_id, len;
    uint64_t spi_i, spi_r;
    const char *payloads;    /* e.g. "SK{N(QCD_TOKEN) D(ESP 0x1a2b3c4d)}"; "" if none */
    const char *detail;      /* reason, counts, values; "" if none */
    long pair;               /* send <-> its fate (recv, refused, lost, dropped); -1 */
} trace_rec;

typedef struct trace_actor {
    char *name;              /* "gw0", "gw1", "gw1.m1", "prober", ... */
    int side;                /* 0 or 1 for gateway 0 / gateway 1 (any member); -1 attacker */
    ns3_node_id node;
    uint32_t addr;
} trace_actor;

typedef struct run_trace run_trace;

/* Watches the network's drops of the simulation running now. */
run_trace *sim_trace_new(void);
void sim_trace_free(run_trace *t);
/* Returns the actor's number. */
int sim_trace_actor(run_trace *t, const char *name, int side, ns3_node_id node, uint32_t addr);
/* An actor that speaks for a new address (a cluster member's claim). */
void sim_trace_actor_addr(run_trace *t, int actor, uint32_t addr);

/* Called for every record as it is made (triggers); one listener. */
void sim_trace_listen(run_trace *t, void (*fn)(void *arg, const trace_rec *r), void *arg);

/* ep: the actor's endpoint (its SA keys open SK payloads); may be NULL. */
void sim_trace_ike_sent(run_trace *t, int actor, ike_ep *ep, uint64_t peer, const uint8_t *msg, size_t len);
void sim_trace_ike_received(run_trace *t, int actor, uint64_t from, const uint8_t *msg, size_t len);
void sim_trace_ike_event(run_trace *t, int actor, const ike_event *ev);
void sim_trace_esp_sent(run_trace *t, int actor, uint32_t spi, uint64_t seq);
void sim_trace_esp_received(run_trace *t, int actor, uint32_t spi, uint64_t seq);
void sim_trace_esp_refused(run_trace *t, int actor, uint32_t spi, const char *why);
/* A world event (crash, reboot, link, takeover, ...) at an actor or none (-1). */
void sim_trace_world(run_trace *t, trace_kind kind, int actor, const char *detail);
/* Closes the ESP summaries; call once at the end of the run. */
void sim_trace_finish(run_trace *t);

const trace_rec *sim_trace_records(const run_trace *t, size_t *n);
const trace_actor *sim_trace_actors(const run_trace *t, size_t *n);

/* The records in time order: CSV (with a header line; no field holds a
 * comma), or JSON Lines. */
char *sim_trace_text(const run_trace *t, bool json);
/* Writes them to path: JSON Lines if it ends in .jsonl or .json, else CSV. */
bool sim_trace_write(const run_trace *t, const char *path, GError **err);

#endif
