/* ikepair.h — two IKE endpoints wired together in-process for unit tests.
 * Nothing moves by itself: the test decides when each datagram is delivered
 * (or dropped) and when timers run, with hand-picked times. */
#ifndef IKESIM_IKEPAIR_H
#define IKESIM_IKEPAIR_H

#include <glib.h>

#include "ike.h"
#include "rng.h"

#define MS 1000000ull
#define SEC 1000000000ull

typedef struct {
    int from;          /* 0 or 1 */
    uint64_t sent_at;
    GBytes *bytes;
} ike_dgram;

typedef struct {
    int side;
    ike_event ev;      /* ev.sa, ev.child may dangle after the event; compare spis */
    uint32_t child_spi_in; /* of ev.child, if any */
} ike_ev_rec;

typedef struct ike_pair {
    ike_ep *ep[2];
    sim_rng *rng[2];
    uint64_t now;
    GQueue wire;       /* of ike_dgram*, in send order */
    GArray *events;    /* of ike_ev_rec */
    GPtrArray *sent[2];/* every datagram each side sent (GBytes*) */
    /* if set, sees each event while ev->sa is valid */
    void (*on_event)(struct ike_pair *p, int side, const ike_event *ev);
} ike_pair;

void ike_test_cfg(ike_cfg *cfg, const char *id);
void pair_init(ike_pair *p, const ike_cfg *a, const ike_cfg *b, uint64_t seed);
void pair_free(ike_pair *p);

/* Moves time to t, running both endpoints' timers in deadline order. */
void pair_advance(ike_pair *p, uint64_t t);
/* Delivers queued datagrams (and any they trigger) at the current time,
 * each after `hop` ns of one-way delay.  Returns how many were delivered. */
int pair_deliver(ike_pair *p, uint64_t hop);
ike_dgram *pair_pop(ike_pair *p);            /* take the oldest in flight */
void dgram_free(ike_dgram *d);
void pair_drop_all(ike_pair *p);
/* Delivers raw bytes to side `to` at the current time, as if from the peer. */
void pair_inject(ike_pair *p, int to, const uint8_t *msg, size_t len);

/* A protected message of `exchange` as the side holding `from` would seal
 * it, with the GCM IV counter iv (above any the tests reach). */
GBytes *pair_forge(const ike_sa *from, uint8_t exchange, bool response, uint32_t mid,
                   const ike_payload *inner, size_t n, uint64_t iv);

/* A crash and reboot of one side: its endpoint and every SA are gone; a new
 * endpoint starts from cfg (which may keep non-volatile QCD secrets). */
void pair_reboot(ike_pair *p, int side, const ike_cfg *cfg);

/* The handshake with 1 ms hops: both sides established afterwards. */
void pair_establish(ike_pair *p);
ike_sa *pair_sa(ike_pair *p, int side);      /* the only SA of a side */

guint count_events(const ike_pair *p, int side, ike_event_type type);
const ike_ev_rec *last_event(const ike_pair *p, int side, ike_event_type type);

#endif
