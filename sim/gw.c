#include "gw.h"

#include <glib.h>

#include "rng.h"

struct sim_gw {
    ns3_node_id node;
    int sock;
    ike_ep *ep;
    sim_rng *rng;
    ns3_timer timer;
    sim_gw_listener listener;
    void *listener_arg;
    FILE *keylog;
};

static void gw_send(void *ctx, uint64_t peer, const uint8_t *msg, size_t len)
{
    sim_gw *gw = ctx;
    ns3_udp_send(gw->sock, sim_peer_addr(peer), sim_peer_port(peer), msg, len);
}

static void gw_random(void *ctx, uint8_t *out, size_t len)
{
    sim_gw *gw = ctx;
    if (sim_rng_bytes(gw->rng, out, len) != 0)
        g_error("random generator failed"); /* OpenSSL broken: nothing sane to do */
}

static void gw_event(void *ctx, const ike_event *ev)
{
    sim_gw *gw = ctx;
    if (ev->type == IKE_EV_SA_ESTABLISHED && gw->keylog) {
        char line[512];
        if (ike_keylog_line(ev->sa, line, sizeof line) > 0)
            fprintf(gw->keylog, "%s\n", line);
    }
    if (gw->listener)
        gw->listener(gw->listener_arg, gw, ev);
}

/* The model's single deadline becomes this gateway's one timer. */
static void rearm(sim_gw *gw)
{
    uint64_t d = ike_ep_next_deadline(gw->ep), now = ns3_now_ns();
    if (d == UINT64_MAX)
        ns3_timer_stop(&gw->timer);
    else
        ns3_timer_start(&gw->timer, d > now ? d - now : 0);
}

static void on_timer(void *arg)
{
    sim_gw *gw = arg;
    ike_ep_handle_timeout(gw->ep, ns3_now_ns());
    rearm(gw);
}

static void on_datagram(void *arg, const uint8_t *data, size_t len, uint32_t src, uint16_t sport)
{
    sim_gw *gw = arg;
    ike_ep_receive(gw->ep, ns3_now_ns(), sim_peer(src, sport), data, len);
    rearm(gw);
}

sim_gw *sim_gw_new(ns3_node_id node, uint16_t port, const ike_cfg *cfg, uint64_t seed,
                   uint64_t run, uint64_t stream)
{
    sim_gw *gw = g_new0(sim_gw, 1);
    gw->node = node;
    gw->rng = sim_rng_new(seed, run, stream);
    ike_io io = {.ctx = gw, .send = gw_send, .random = gw_random, .event = gw_event};
    gw->ep = gw->rng ? ike_ep_new(cfg, &io) : NULL;
    gw->sock = gw->ep ? ns3_udp_open(node, port, on_datagram, gw) : -1;
    if (gw->sock < 0) {
        sim_gw_free(gw);
        return NULL;
    }
    ns3_timer_init(&gw->timer, node, on_timer, gw);
    return gw;
}

void sim_gw_free(sim_gw *gw)
{
    if (!gw)
        return;
    ns3_timer_stop(&gw->timer);
    ike_ep_free(gw->ep, ns3_now_ns());
    sim_rng_free(gw->rng);
    g_free(gw);
}

void sim_gw_listen(sim_gw *gw, sim_gw_listener cb, void *arg)
{
    gw->listener = cb;
    gw->listener_arg = arg;
}

void sim_gw_keylog(sim_gw *gw, FILE *f)
{
    gw->keylog = f;
}

ike_sa *sim_gw_initiate(sim_gw *gw, uint32_t peer_addr, uint16_t peer_port)
{
    ike_sa *sa = ike_ep_initiate(gw->ep, ns3_now_ns(), sim_peer(peer_addr, peer_port));
    rearm(gw);
    return sa;
}

int sim_gw_delete(sim_gw *gw, ike_sa *sa)
{
    int rc = ike_ep_delete(gw->ep, sa, ns3_now_ns());
    rearm(gw);
    return rc;
}

ike_ep *sim_gw_ep(sim_gw *gw) { return gw->ep; }
ns3_node_id sim_gw_node(const sim_gw *gw) { return gw->node; }
