/* listener.h — what the nodes of a run tell whoever listens: one
 * mechanism for every node kind (gateway or cluster member, headend, fleet
 * client).  A node hands its listener one sim_trace at a time, as things
 * happen; a node that forwards another's traces (a cluster its members')
 * passes them on unchanged. */
#ifndef IKESIM_SIM_LISTENER_H
#define IKESIM_SIM_LISTENER_H

#include <stddef.h>
#include <stdint.h>

#include "ike.h"

typedef struct sim_app_pkt {
    uint32_t flow;
    uint64_t seq;
    uint64_t sent_ns;
    size_t len;
    uint32_t outer_src; /* the ESP packet's source address (who sent it to us) */
    uint32_t spi;       /* the inbound SA's */
    uint64_t esp_seq;   /* its ESP sequence number */
} sim_app_pkt;

typedef enum sim_trace_type {
    SIM_TR_IKE_EVENT,    /* ike: an event of the node's IKE endpoint */
    SIM_TR_IKE_SENT,     /* an IKE message as on the wire minus the marker (bytes, len) to peer:
                            what an observer on the path could record */
    SIM_TR_ESP_SENT,     /* an ESP packet (bytes, len): the SA's outbound spi and the 64-bit seq */
    SIM_TR_ESP_REFUSED,  /* ESP for a known SA (inbound spi) that esp_sa_open() refused: err, addr = outer source */
    SIM_TR_DELIVERED,    /* app: an inner packet arrived through the tunnel */
    SIM_TR_APP_SENT,     /* a fleet client's application packet is due (sent if it has an SA) */
    SIM_TR_INIT_SERVED,  /* a headend's CPU took an IKE_SA_INIT */
    SIM_TR_INIT_DROPPED, /* ...or found its queue full and dropped it */
    SIM_TR_IKE_RECEIVED, /* an IKE message (bytes, len) from peer, before the node's model sees it */
    SIM_TR_TOOK_OVER,    /* a cluster member took over the cluster's address */
    SIM_TR_ESP_UNKNOWN,  /* ESP whose spi no inbound SA has: seq = the low 32 bits of its
                            sequence number (from its header), addr = outer source */
} sim_trace_type;

typedef struct sim_trace {
    sim_trace_type type;
    void *node;          /* the sim_gw, sim_headend or sim_fleet that tells */
    uint32_t index;      /* a fleet's client */
    const ike_event *ike;
    const sim_app_pkt *app;
    uint64_t peer;
    const uint8_t *bytes;
    size_t len;
    uint32_t spi, addr;
    uint64_t seq;
    int err;
} sim_trace;

typedef struct sim_listener {
    void *arg;
    void (*on)(void *arg, const sim_trace *t); /* NULL: nobody listens */
} sim_listener;

static inline void sim_tell(const sim_listener *l, const sim_trace *t)
{
    if (l->on)
        l->on(l->arg, t);
}

#endif
