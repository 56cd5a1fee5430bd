/* How big a run will be, before it starts: simulator events and memory
 * from what drives them (application packets, the forger, a star's
 * clients, periodic liveness checks, cluster heartbeats and replication).
 * The costs per packet were measured on the shipped experiments (about 4
 * events per packet and hop); the estimate errs on the high side, and the
 * run itself stops at the limit if it is wrong (sim_run_bounded). */
#include <math.h>
#include <stdlib.h>

#include "exp_internal.h"

enum {
    BASE_EVENTS = 1000,         /* boot, handshakes, the script */
    BASE_BYTES = 64 << 20,      /* the process, ns-3, the models */
    PACKET_BYTES = 32,          /* send and delivery time per application packet, grown by doubling */
    CLIENT_BYTES = 8192,        /* a star client and its headend SA */
    CLIENT_EVENTS = 50,         /* a star client's handshakes */
    STAR_PACKET_EVENTS = 3,     /* a star's clients share nodes and the headend's link */
};

/* Events per packet over the path: sent, queued, received at each hop. */
static double per_packet(const sim_run_cfg *c) { return 2 + 2 * (c->standby.enabled ? 2 : 1); }

static double traffic_packets(const sim_traffic_cfg *t)
{
    if (t->kind == SIM_TRAFFIC_NONE || !(t->stop_s > t->start_s))
        return 0;
    double active = t->stop_s - t->start_s;
    if (t->kind == SIM_TRAFFIC_ONOFF && t->on_s + t->off_s > 0)
        active *= t->on_s / (t->on_s + t->off_s);
    return t->rate_pps * active;
}

/* The forger's messages: each forge event sets the rate until the next one. */
static double forged_packets(const sim_run_cfg *c)
{
    double total = 0, rate = 0, since = 0;
    g_autofree double *at = g_new(double, c->n_script + 1);
    g_autofree double *to = g_new(double, c->n_script + 1);
    size_t n = 0;
    for (size_t i = 0; i < c->n_script; i++)
        if (c->script[i].action == SIM_ACT_FORGE)
            at[n] = c->script[i].at_s, to[n++] = c->script[i].value;
    /* in time order (few events: insertion sort) */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && at[j] < at[j - 1]; j--) {
            double a = at[j], v = to[j];
            at[j] = at[j - 1], to[j] = to[j - 1];
            at[j - 1] = a, to[j - 1] = v;
        }
    for (size_t i = 0; i < n; i++) {
        total += rate * (at[i] - since);
        rate = to[i], since = at[i];
    }
    return total + rate * (c->horizon_s - since);
}

/* Liveness checks an idle SA makes, and their answers. */
static double dpd_messages(const sim_gw_cfg *g, double horizon_s)
{
    return g->ike.dpd_delay_ms ? 2 * horizon_s / (g->ike.dpd_delay_ms / 1000.0) : 0;
}

exp_estimate exp_estimate_run(const sim_run_cfg *c)
{
    exp_estimate e = {.events = BASE_EVENTS, .bytes = BASE_BYTES};
    double h = c->horizon_s, pkt = per_packet(c);
    if (c->star.clients) {
        pkt = STAR_PACKET_EVENTS;
        const sim_star_cfg *s = &c->star;
        double spread = s->rate_spread > 1 ? (s->rate_spread - 1 / s->rate_spread) / (2 * log(s->rate_spread)) : 1;
        double active = s->clients * (1 - s->idle_fraction);
        double packets = 2 * active * traffic_packets(&c->traffic[0]) * spread; /* each answered */
        e.traffic = packets * pkt;
        e.events += s->clients * (CLIENT_EVENTS + dpd_messages(&c->gw[0], h) * pkt) + e.traffic;
        e.bytes += s->clients * (double)CLIENT_BYTES + packets * PACKET_BYTES;
        return e;
    }
    double packets = traffic_packets(&c->traffic[0]) + traffic_packets(&c->traffic[1]);
    e.traffic = packets * pkt;
    e.forger = forged_packets(c) * 4; /* sent, received, and the target's rare answers */
    e.events += e.traffic + e.forger + (dpd_messages(&c->gw[0], h) + dpd_messages(&c->gw[1], h)) * pkt;
    if (c->standby.enabled) {
        double m = c->standby.members;
        if (c->standby.heartbeat_s > 0)
            e.cluster += m * (m - 1) * h / c->standby.heartbeat_s * 3;
        if (c->standby.sync_interval_s > 0)
            e.cluster += (m - 1) * h / c->standby.sync_interval_s * 3;
        e.events += e.cluster;
    }
    e.bytes += packets * PACKET_BYTES;
    return e;
}
