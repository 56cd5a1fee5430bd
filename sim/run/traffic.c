#include "traffic.h"

#include <math.h>

#include <glib.h>

struct sim_source {
    sim_gw *gw;
    uint32_t flow;
    sim_traffic_cfg cfg;
    sim_rng *rng;
    ns3_timer timer;
    uint64_t seq;
    sim_sent_cb sent;
    void *arg;
    sim_gw *(*pick)(void *arg);
    void *pick_arg;
};

#define NS 1e9

/* Time from now (s) to the next packet, or a negative value for none. */
static double next_gap(sim_source *s, double now_s)
{
    const sim_traffic_cfg *c = &s->cfg;
    double gap = c->kind == SIM_TRAFFIC_POISSON ? -log(1.0 - sim_rng_uniform(s->rng)) / c->rate_pps
                                                : 1.0 / c->rate_pps;
    double t = now_s + gap;
    if (c->kind == SIM_TRAFFIC_ONOFF && c->on_s > 0) {
        double period = c->on_s + c->off_s, phase = fmod(t - c->start_s, period);
        if (phase >= c->on_s) /* in an off period: wait for the next on */
            t += period - phase;
    }
    return t < c->stop_s ? t - now_s : -1;
}

static void tick(void *arg)
{
    sim_source *s = arg;
    sim_gw *gw = s->pick ? s->pick(s->pick_arg) : s->gw;
    bool ok = sim_gw_send_app(gw, s->flow, s->seq, s->cfg.size);
    if (s->sent)
        s->sent(s->arg, s->flow, s->seq, ok);
    s->seq++;
    double gap = next_gap(s, ns3_now_ns() / NS);
    if (gap >= 0)
        ns3_timer_start(&s->timer, (uint64_t)llround(gap * NS));
}

sim_source *sim_source_new(sim_gw *gw, uint32_t flow, const sim_traffic_cfg *cfg, sim_rng *rng,
                           sim_sent_cb sent, void *arg)
{
    if (cfg->kind == SIM_TRAFFIC_NONE || !(cfg->rate_pps > 0))
        return NULL;
    sim_source *s = g_new0(sim_source, 1);
    *s = (sim_source){.gw = gw, .flow = flow, .cfg = *cfg, .rng = rng, .sent = sent, .arg = arg};
    /* owned by no node: the hosts behind a gateway outlive its crash */
    ns3_timer_init(&s->timer, NS3_NO_NODE, tick, s);
    uint64_t now = ns3_now_ns(), start = (uint64_t)llround(cfg->start_s * NS);
    ns3_timer_start(&s->timer, start > now ? start - now : 0);
    return s;
}

void sim_source_set_gw(sim_source *s, sim_gw *gw)
{
    if (s)
        s->gw = gw;
}

void sim_source_set_picker(sim_source *s, sim_gw *(*pick)(void *arg), void *arg)
{
    if (s) {
        s->pick = pick;
        s->pick_arg = arg;
    }
}

void sim_source_free(sim_source *s)
{
    if (!s)
        return;
    ns3_timer_stop(&s->timer);
    g_free(s);
}
