/* run.c — one run: build the world, run it to the horizon, collect the
 * row (metrics.c), tear it down. */
#include <math.h>
#include <string.h>
#include <time.h>

#include "run_world.h"

#define NS 1e9
#define PORT IKE_NATT_PORT

/* What attackers on the path see of IKE. */
static void on_ike_sent(world *w, sim_gw *gw, uint64_t peer, const uint8_t *msg, size_t len)
{
    if (w->replayer)
        sim_replayer_see_ike(w->replayer, sim_peer_addr(peer), msg, len);
    if (w->replayer && gw != w->gw[0])
        sim_replayer_see_cluster_send(w->replayer);
    if (w->prober && gw == w->gw[0])
        sim_prober_observe(w->prober, msg, len);
}

/* What attackers on the path see of ESP. */
static void esp_sent(world *w, sim_gw *gw, const uint8_t *pkt, size_t len)
{
    if (w->replayer && gw == w->gw[0])
        sim_replayer_see_esp(w->replayer, pkt, len);
    else if (w->replayer)
        sim_replayer_see_cluster_send(w->replayer);
}

/* Every gateway's and member's traces: the attackers see what crosses the
 * path, then the metrics count. */
static void on_trace(void *arg, const sim_trace *t)
{
    world *w = arg;
    if (w->trace)
        trace_feed(w, t);
    if (t->type == SIM_TR_IKE_SENT)
        on_ike_sent(w, t->node, t->peer, t->bytes, t->len);
    else if (t->type == SIM_TR_ESP_SENT)
        esp_sent(w, t->node, t->bytes, t->len);
    metrics_trace(w, t);
}

typedef struct {
    world *w;
    const sim_script_ev *ev;
} script_ctx;

/* The failover (or, without a crash, the split brain): what the metrics
 * measure from; the replayer's recording stops there. */
static void mark_failover(world *w, int target)
{
    if (metrics_failover(w, target) && w->replayer)
        sim_replayer_stop_esp(w->replayer);
}

static void do_action(world *w, const sim_script_ev *ev)
{
    sim_gw *gw = w->gw[ev->target];
    switch (ev->action) {
    case SIM_ACT_CRASH:
        mark_failover(w, ev->target);
        if (ev->target == 1 && w->cluster)
            sim_cluster_crash_active(w->cluster);
        else
            sim_gw_crash(gw);
        break;
    case SIM_ACT_REBOOT:
        if (ev->target == 1 && w->cluster)
            sim_cluster_reboot(w->cluster);
        else
            sim_gw_boot(gw);
        metrics_reboot(w, ev->target);
        break;
    case SIM_ACT_MEMBER_LINKS_DOWN:
    case SIM_ACT_MEMBER_LINKS_UP:
        if (!w->cluster)
            break;
        if (ev->action == SIM_ACT_MEMBER_LINKS_DOWN)
            mark_failover(w, 1);
        sim_cluster_set_links(w->cluster, ev->action == SIM_ACT_MEMBER_LINKS_UP);
        break;
    case SIM_ACT_REPLAY:
        if (w->replayer)
            sim_replayer_arm(w->replayer);
        break;
    case SIM_ACT_LINK_DOWN:
        ns3_link_set_up(w->link, false);
        break;
    case SIM_ACT_LINK_UP:
        ns3_link_set_up(w->link, true);
        break;
    case SIM_ACT_LOSS:
        ns3_link_set_loss(w->link, ev->value);
        break;
    case SIM_ACT_PROBE:
        if (w->prober)
            sim_prober_arm(w->prober);
        break;
    case SIM_ACT_FORGE:
        if (ev->value > 0)
            sim_forger_start(w->forger, ev->value);
        else
            sim_forger_stop(w->forger);
        break;
    }
}

static void run_action(void *arg)
{
    script_ctx *c = arg;
    trace_action(c->w, c->ev, do_action);
}

/* A forger, if the script has one: its own node on its own link to the
 * target gateway, so its packets cross a real (lossless) link. */
static int add_forger(world *w)
{
    const sim_run_cfg *cfg = w->cfg;
    for (size_t i = 0; i < cfg->n_script; i++) {
        if (cfg->script[i].action != SIM_ACT_FORGE)
            continue;
        int target = cfg->script[i].target;
        ns3_node_id x = ns3_node_create();
        ns3_link_cfg lc = cfg->link;
        lc.loss = 0;
        int l = ns3_link_create(x, sim_gw_node(w->gw[target]), &lc);
        if (l < 0)
            return l;
        w->forger_rng = sim_rng_new(cfg->seed, cfg->run, 2000);
        w->forger = sim_forger_new(x, w->gw[target], ns3_link_addr(l, 1), w->forger_rng);
        w->at[0].node = x;
        w->at[0].addr = ns3_link_addr(l, 0);
        return w->forger ? 0 : NS3_EINVAL;
    }
    return 0;
}

static sim_gw *cluster_sender(void *arg) { return sim_cluster_sender(arg); }

/* An attacker's own node on a fast (1 ms), lossless link to the router, so
 * its packets beat the gateways'; returns its link or an ns3_err. */
static int attacker_link(world *w, ns3_node_id *node)
{
    if (!w->cluster)
        return NS3_EINVAL;
    *node = ns3_node_create();
    ns3_link_cfg lc = w->cfg->link;
    lc.loss = 0;
    lc.delay_ns = 1000000;
    return ns3_link_create(*node, w->router, &lc);
}

static bool scripted(const sim_run_cfg *cfg, sim_action a)
{
    for (size_t i = 0; i < cfg->n_script; i++)
        if (cfg->script[i].action == a)
            return true;
    return false;
}

/* A prober, if the script has one: it replays to the second member, and
 * its answer beats the first member's. */
static int add_prober(world *w)
{
    if (!scripted(w->cfg, SIM_ACT_PROBE))
        return 0;
    ns3_node_id x;
    int l = attacker_link(w, &x);
    if (l < 0)
        return l;
    w->prober = sim_prober_new(x, ns3_link_addr(sim_cluster_member_link(w->cluster, 1), 0),
                               sim_gw_addr(w->gw[0]));
    w->at[1].node = x;
    w->at[1].addr = ns3_link_addr(l, 0);
    return w->prober ? 0 : NS3_EINVAL;
}

/* A replayer, if the script has one: by the router it sees both gateways'
 * traffic. */
static int add_replayer(world *w)
{
    if (!scripted(w->cfg, SIM_ACT_REPLAY))
        return 0;
    ns3_node_id x;
    int l = attacker_link(w, &x);
    if (l < 0)
        return l;
    w->replayer = sim_replayer_new(x, ns3_link_addr(l, 0), sim_gw_addr(w->gw[1]));
    w->at[2].node = x;
    w->at[2].addr = ns3_link_addr(l, 0);
    return w->replayer ? 0 : NS3_EINVAL;
}

void sim_run_cfg_defaults(sim_run_cfg *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->seed = cfg->run = 1;
    cfg->horizon_s = 600;
    cfg->link = (ns3_link_cfg){.rate_bps = 100000000, .delay_ns = 10000000, .loss = 0, .queue_pkts = 1000};
    for (int i = 0; i < 2; i++) {
        sim_gw_cfg_defaults(&cfg->gw[i]);
        memcpy(cfg->gw[i].ike.psk, "ikesim experiment key", 21);
        cfg->gw[i].ike.psk_len = 21;
        cfg->gw[i].ike.id_len = (size_t)snprintf((char *)cfg->gw[i].ike.id, sizeof cfg->gw[i].ike.id,
                                                 "gw%d.ikesim", i);
        memset(cfg->gw[i].qcd_secret, 0x51 + i, QCD_SECRET_LEN);
        cfg->traffic[i] = (sim_traffic_cfg){SIM_TRAFFIC_CONSTANT, 10, 200, 1.0, cfg->horizon_s, 0, 0};
    }
    cfg->star = (sim_star_cfg){0, 250, 0.5, 10, 0.002, 1000, 0, false};
}

int sim_run_bounded(const sim_run_cfg *cfg, uint64_t horizon_ns, sim_row *row)
{
    ns3_sim_set_event_limit(cfg->max_events);
    ns3_sim_stop_at(horizon_ns);
    ns3_sim_run();
    if (!ns3_sim_limit_reached())
        return 0;
    memset(row, 0, sizeof *row);
    row->events = ns3_sim_events();
    row->sim_s = ns3_now_ns() / NS;
    return NS3_ELIMIT;
}

/* The world of a run: topology, files, gateways (and gateway 1's cluster),
 * traffic, attackers, the script.  On failure teardown() cleans up what was
 * made. */
static int build(world *w)
{
    const sim_run_cfg *cfg = w->cfg;
    ns3_node_id *n = w->node;
    uint32_t *addr = w->addr;
    n[0] = ns3_node_create();
    n[1] = ns3_node_create();
    int l1 = -1, rc;
    if (cfg->standby.enabled) {
        /* gateway 0 - router - gateway 1's first member; the others join the
         * router as the cluster is made */
        w->router = ns3_node_create();
        ns3_link_cfg inner = cfg->link;
        inner.loss = 0;
        w->link = ns3_link_create(n[0], w->router, &cfg->link);
        l1 = ns3_link_create(n[1], w->router, &inner);
        addr[0] = ns3_link_addr(w->link, 0);
        addr[1] = ns3_link_addr(l1, 0); /* the cluster's virtual address */
    } else {
        w->link = ns3_link_create(n[0], n[1], &cfg->link);
        addr[0] = ns3_link_addr(w->link, 0);
        addr[1] = ns3_link_addr(w->link, 1);
    }
    if (w->link < 0)
        return w->link;
    if (cfg->pcap_dir && (rc = ns3_pcap_enable(w->link, cfg->pcap_dir)) < 0)
        return rc;
    if ((cfg->keylog_path && !(w->keylog = fopen(cfg->keylog_path, "w"))) ||
        (cfg->esp_keylog_path && !(w->esp_keylog = fopen(cfg->esp_keylog_path, "w"))))
        return NS3_EIO;
    sim_listener l = {.arg = w, .on = on_trace};
    script_ctx *script = g_new(script_ctx, cfg->n_script + 1);
    w->script = script;
    w->fire = run_action;
    w->script_size = sizeof *script;
    trace_start(w);
    for (int i = 0; i < 2; i++) {
        sim_gw_cfg gc = cfg->gw[i];
        if (cfg->standby.enabled && cfg->standby.ha == SIM_HA_RFC6311)
            gc.ike.mid_sync = gc.ike.replay_sync = true; /* both sides assert 16420/16421 */
        w->gw[i] = sim_gw_new(n[i], addr[i], PORT, &gc, cfg->seed, cfg->run, (uint64_t)i);
        if (!w->gw[i])
            return NS3_EINVAL;
        sim_gw_listen(w->gw[i], &l);
        sim_gw_keylog(w->gw[i], w->keylog);
        sim_gw_esp_keylog(w->gw[i], w->esp_keylog);
    }
    for (int i = 0; i < 2; i++)
        sim_gw_set_peer(w->gw[i], addr[1 - i], PORT);
    if (cfg->standby.enabled) {
        sim_standby_cfg sc = cfg->standby;
        if (!sc.members)
            sc.members = 2;
        sim_gw_cfg mcfg = cfg->gw[1];
        if (sc.ha == SIM_HA_RFC6311)
            mcfg.ike.mid_sync = mcfg.ike.replay_sync = true;
        mcfg.establish = SIM_EST_NEVER;
        sim_cluster_world cw = {.router = w->router, .vip = addr[1], .first_link = l1, .link = &cfg->link,
                                .peer_addr = addr[0], .port = PORT, .seed = cfg->seed, .run = cfg->run,
                                .listener = &l, .keylog = w->keylog, .esp_keylog = w->esp_keylog};
        if (!(w->cluster = sim_cluster_new(&sc, w->gw[1], &mcfg, &cw)))
            return NS3_EINVAL;
    }
    w->traffic_rng = sim_rng_new(cfg->seed, cfg->run, 1000);
    for (int i = 0; i < 2; i++)
        w->src[i] = sim_source_new(w->gw[i], (uint32_t)i, &cfg->traffic[i], w->traffic_rng, metrics_sent, w);
    if (w->cluster)
        sim_source_set_picker(w->src[1], cluster_sender, w->cluster);
    if ((rc = add_forger(w)) < 0 || (rc = add_prober(w)) < 0 || (rc = add_replayer(w)) < 0)
        return rc;
    trace_actors(w);
    if (w->cluster)
        ns3_routing_global(); /* after every link, the prober's included */
    for (int i = 0; i < 2; i++)
        sim_gw_boot(w->gw[i]); /* once the routes exist: the first message is not lost */
    if (w->cluster)
        sim_cluster_start(w->cluster);
    for (size_t i = 0; i < cfg->n_script; i++) {
        script[i] = (script_ctx){w, &cfg->script[i]};
        if (!cfg->trigger[i].on) /* a trigger's entry waits for its event */
            ns3_schedule(NS3_NO_NODE, (uint64_t)llround(cfg->script[i].at_s * NS), run_action, &script[i]);
    }
    return 0;
}

static void teardown(world *w)
{
    trace_free(w);
    for (int i = 0; i < 2; i++) {
        sim_source_free(w->src[i]);
        sim_gw_free(w->gw[i]);
    }
    sim_rng_free(w->traffic_rng);
    sim_forger_free(w->forger);
    sim_prober_free(w->prober);
    sim_cluster_free(w->cluster);
    sim_replayer_free(w->replayer);
    sim_rng_free(w->forger_rng);
    ns3_sim_destroy();
    g_free(w->script);
    if (w->keylog)
        fclose(w->keylog);
    if (w->esp_keylog)
        fclose(w->esp_keylog);
    metrics_free(w); /* after the nodes: their shutdown traces still count */
}

int sim_run(const sim_run_cfg *cfg, sim_row *row)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = ns3_sim_init(cfg->seed, cfg->run);
    if (rc < 0)
        return rc;
    world w = {.cfg = cfg};
    metrics_init(&w);
    uint64_t horizon = (uint64_t)llround(cfg->horizon_s * NS);
    if ((rc = build(&w)) == 0 && (rc = sim_run_bounded(cfg, horizon, row)) == 0)
        metrics_collect(&w, horizon, row), trace_end(&w);
    teardown(&w);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    row->wall_s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / NS;
    return rc;
}
