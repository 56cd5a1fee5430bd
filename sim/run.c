#include "run.h"

#include "forger.h"
#include "prober.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#define NS 1e9
#define PORT IKE_NATT_PORT

typedef struct {
    uint64_t spi_i, spi_r;
} spi_pair;

/* Everything one run measures.  Ground truth comes from the world (who
 * crashed when, which SAs both sides hold), not from a model's opinion. */
typedef struct world {
    const sim_run_cfg *cfg;
    sim_gw *gw[2];
    int link;
    sim_gw *standby;   /* gateway 1's hot standby, if configured */
    sim_gw *active1;   /* the member that holds gateway 1's address now */
    ns3_node_id router;
    int standby_link;
    uint32_t vip;      /* gateway 1's address */
    GArray *rep_ike, *rep_esp; /* the standby's last replicated state */
    ns3_timer rep_timer;
    sim_rng *rep_rng;
    sim_source *src[2];
    sim_rng *traffic_rng;
    FILE *keylog, *esp_keylog;
    sim_forger *forger;
    sim_prober *prober;
    sim_rng *forger_rng;
    /* per flow (= direction): send time of each seq, delivery time or -1 */
    GArray *sent[2], *got[2];
    /* the first crash */
    int crashed;       /* -1: none yet */
    uint64_t crash_ns;
    GArray *stale;     /* spi_pair the survivor held with the crashed side */
    int64_t detect_ns; /* -1: not yet */
    ike_del_reason detect_reason;
    uint64_t ike_msgs, ike_bytes, liveness_checks, false_positives, tokens_in_clear;
    const char *mid_sync;
} world;

/* Gateway 0, or 1 for either member of gateway 1. */
static int gw_index(world *w, sim_gw *gw) { return gw != w->gw[0]; }
static sim_gw *partner(world *w, int me) { return me ? w->gw[0] : w->active1; }

static const char *reason_metric(ike_del_reason r)
{
    switch (r) {
    case IKE_DEL_QCD: return "qcd";
    case IKE_DEL_TIMEOUT: return "liveness";
    case IKE_DEL_INITIAL_CONTACT: return "initial_contact";
    case IKE_DEL_PEER_DELETE: return "delete";
    default: return "other";
    }
}

static void on_ike_event(void *arg, sim_gw *gw, const ike_event *ev)
{
    world *w = arg;
    int me = gw_index(w, gw);
    if (w->cfg->trace)
        w->cfg->trace(w->cfg->trace_arg, me, ev);
    switch (ev->type) {
    case IKE_EV_MSG_SENT:
        w->ike_msgs++;
        w->ike_bytes += ev->len;
        break;
    case IKE_EV_LIVENESS_SENT:
        w->liveness_checks++;
        break;
    case IKE_EV_HA_SYNC_ANSWERED:
        w->mid_sync = "ok";
        break;
    case IKE_EV_HA_SYNC_DROPPED:
        if (strcmp(w->mid_sync, "ok") != 0)
            w->mid_sync = "dropped";
        break;
    case IKE_EV_SA_DELETED:
        if (ev->reason == IKE_DEL_SHUTDOWN || !ike_sa_established(ev->sa))
            break;
        /* declared dead while the partner still holds it */
        if ((ev->reason == IKE_DEL_TIMEOUT || ev->reason == IKE_DEL_QCD) &&
            sim_gw_holds(partner(w, me), ev->spi_i, ev->spi_r))
            w->false_positives++;
        if (w->crashed == 1 - me && w->detect_ns < 0)
            for (guint i = 0; i < w->stale->len; i++) {
                spi_pair *p = &g_array_index(w->stale, spi_pair, i);
                if (p->spi_i == ev->spi_i && p->spi_r == ev->spi_r) {
                    w->detect_ns = (int64_t)(ev->now - w->crash_ns);
                    w->detect_reason = ev->reason;
                }
            }
        break;
    default:
        break;
    }
}

/* A passive observer on the path: which QCD tokens cross it in the clear? */
static void on_ike_sent(void *arg, sim_gw *gw, uint64_t peer, const uint8_t *msg, size_t len)
{
    world *w = arg;
    (void)peer;
    if (w->prober && gw == w->gw[0])
        sim_prober_observe(w->prober, msg, len);
    if (len < IKE_HDR_LEN || msg[16] == IKE_PL_SK)
        return;
    ike_msg *m = g_new0(ike_msg, 1);
    if (ike_parse(msg, len, m) == IKE_OK)
        for (size_t i = 0; i < m->n; i++)
            w->tokens_in_clear += m->pl[i].type == IKE_PL_NOTIFY && m->pl[i].u.notify.type == IKE_N_QCD_TOKEN;
    g_free(m);
}

static void on_delivered(void *arg, sim_gw *gw, const sim_app_pkt *pkt)
{
    world *w = arg;
    (void)gw;
    if (pkt->flow > 1 || pkt->seq >= w->got[pkt->flow]->len)
        return;
    int64_t *t = &g_array_index(w->got[pkt->flow], int64_t, pkt->seq);
    if (*t < 0)
        *t = (int64_t)ns3_now_ns();
}

static void on_sent(void *arg, uint32_t flow, uint64_t seq, bool ok)
{
    world *w = arg;
    (void)ok;
    uint64_t now = ns3_now_ns();
    int64_t none = -1;
    g_assert(seq == w->sent[flow]->len);
    g_array_append_val(w->sent[flow], now);
    g_array_append_val(w->got[flow], none);
}

typedef struct {
    world *w;
    int crashed;
} stale_ctx;

static void collect_stale(void *arg, ike_sa *sa)
{
    stale_ctx *c = arg;
    uint64_t i = ike_sa_spi_i(sa), r = ike_sa_spi_r(sa);
    if (ike_sa_established(sa) && sim_gw_holds(c->w->gw[c->crashed], i, r)) {
        spi_pair p = {i, r};
        g_array_append_val(c->w->stale, p);
    }
}

typedef struct {
    world *w;
    const sim_script_ev *ev;
} script_ctx;

/* The standby answers to gateway 1's address, the router steers it there
 * (a host route beats the member's subnet route), and the hosts behind
 * gateway 1 now send through the standby. */
/* The active member replicates its state; the message may be lost. */
static void replicate(void *arg)
{
    world *w = arg;
    const sim_standby_cfg *sc = &w->cfg->standby;
    uint8_t b[4];
    sim_rng_bytes(w->rep_rng, b, sizeof b);
    double u = ((uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3]) / 4294967296.0;
    if (u >= sc->sync_loss) {
        g_array_set_size(w->rep_ike, 0);
        g_array_set_size(w->rep_esp, 0);
        sim_gw_snapshot(w->gw[1], w->rep_ike, w->rep_esp);
    }
    ns3_timer_start(&w->rep_timer, (uint64_t)llround(sc->sync_interval_s * NS));
}

static void take_over(void *arg)
{
    world *w = arg;
    const sim_standby_cfg *sc = &w->cfg->standby;
    if (sc->ha != SIM_HA_NONE) {
        sim_gw_restore_cfg rc = {.esp_jump = sc->esp_jump, .sync = sc->ha == SIM_HA_RFC6311,
                                 .rx_strict = sc->rx_strict};
        sim_gw_restore(w->standby, w->rep_ike, w->rep_esp, &rc);
    }
    ns3_node_add_address(sim_gw_node(w->standby), w->standby_link, w->vip);
    ns3_route_add(w->router, w->vip, 0xffffffff, ns3_link_addr(w->standby_link, 0));
    w->active1 = w->standby;
    sim_source_set_gw(w->src[1], w->standby);
}

static void run_action(void *arg)
{
    script_ctx *c = arg;
    world *w = c->w;
    const sim_script_ev *ev = c->ev;
    sim_gw *gw = w->gw[ev->target];
    switch (ev->action) {
    case SIM_ACT_CRASH:
        if (w->crashed < 0 && sim_gw_ep(w->gw[1 - ev->target])) {
            w->crashed = ev->target;
            w->crash_ns = ns3_now_ns();
            stale_ctx sc = {w, ev->target};
            ike_ep_foreach(sim_gw_ep(w->gw[1 - ev->target]), collect_stale, &sc);
        }
        sim_gw_crash(gw);
        if (ev->target == 1 && w->standby && w->active1 == gw && !w->cfg->standby.load_sharing)
            ns3_schedule(NS3_NO_NODE, (uint64_t)llround(w->cfg->standby.takeover_s * NS), take_over, w);
        break;
    case SIM_ACT_REBOOT:
        sim_gw_boot(gw);
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
        return w->forger ? 0 : NS3_EINVAL;
    }
    return 0;
}

/* Cluster-wide knowledge: does gateway 1's first member hold the SA? */
static bool alive_on_first(void *arg, uint64_t spi_i, uint64_t spi_r)
{
    world *w = arg;
    return sim_gw_holds(w->gw[1], spi_i, spi_r);
}

/* A prober, if the script has one: its own node on a fast (1 ms) link to the
 * router, so its answer beats the first member's. */
static int add_prober(world *w)
{
    const sim_run_cfg *cfg = w->cfg;
    for (size_t i = 0; i < cfg->n_script; i++) {
        if (cfg->script[i].action != SIM_ACT_PROBE)
            continue;
        if (!w->standby)
            return NS3_EINVAL;
        ns3_node_id x = ns3_node_create();
        ns3_link_cfg lc = cfg->link;
        lc.loss = 0;
        lc.delay_ns = 1000000;
        int l = ns3_link_create(x, w->router, &lc);
        if (l < 0)
            return l;
        w->prober = sim_prober_new(x, ns3_link_addr(w->standby_link, 0), sim_gw_addr(w->gw[0]));
        return w->prober ? 0 : NS3_EINVAL;
    }
    return 0;
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
    cfg->star = (sim_star_cfg){0, 250, 0.5, 10, 0.002, 1000};
}

static double ns_or_nan(int64_t ns) { return ns < 0 ? NAN : ns / NS; }

/* Per direction: the first packet sent at or after the crash that arrived,
 * and the packets sent after it that never did. */
static int64_t first_delivery_after(const world *w, int flow, uint64_t t, uint64_t *lost, uint64_t until)
{
    int64_t first = -1;
    for (guint i = 0; i < w->sent[flow]->len; i++) {
        uint64_t s = g_array_index(w->sent[flow], uint64_t, i);
        int64_t g = g_array_index(w->got[flow], int64_t, i);
        if (s < t || s > until)
            continue;
        if (g < 0)
            (*lost)++;
        else if (first < 0 || g < first)
            first = g;
    }
    return first < 0 ? -1 : first - (int64_t)t;
}

/* Delivered packets per bin, by delivery time relative to the crash. */
static void fill_timeline(const world *w, sim_timeline *tl)
{
    tl->n_bins = 0;
    tl->bins[0] = tl->bins[1] = NULL;
    tl->crash_s = NAN;
    if (w->crashed < 0 || !(tl->bin_s > 0))
        return;
    tl->crash_s = w->crash_ns / NS;
    tl->n_bins = (size_t)ceil((tl->before_s + tl->after_s) / tl->bin_s - 1e-9);
    double from = tl->crash_s - tl->before_s;
    for (int f = 0; f < 2; f++) {
        tl->bins[f] = g_new0(uint32_t, tl->n_bins);
        for (guint i = 0; i < w->got[f]->len; i++) {
            int64_t g = g_array_index(w->got[f], int64_t, i);
            double b = g < 0 ? -1 : floor((g / NS - from) / tl->bin_s + 1e-9);
            if (b >= 0 && b < (double)tl->n_bins)
                tl->bins[f][(size_t)b]++;
        }
    }
}

int sim_run(const sim_run_cfg *cfg, sim_row *row)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = ns3_sim_init(cfg->seed, cfg->run);
    if (rc < 0)
        return rc;
    world w = {.cfg = cfg, .crashed = -1, .detect_ns = -1, .mid_sync = "none"};
    script_ctx *script = NULL;
    w.stale = g_array_new(FALSE, FALSE, sizeof(spi_pair));
    ns3_node_id n[2] = {ns3_node_create(), ns3_node_create()}, sb = NS3_NO_NODE;
    uint32_t addr[2];
    if (cfg->standby.enabled) {
        /* gateway 0 - router - gateway 1, and the standby on the router */
        w.router = ns3_node_create();
        sb = ns3_node_create();
        ns3_link_cfg inner = cfg->link;
        inner.loss = 0;
        w.link = ns3_link_create(n[0], w.router, &cfg->link);
        int l1 = ns3_link_create(n[1], w.router, &inner);
        w.standby_link = ns3_link_create(sb, w.router, &inner);
        addr[0] = ns3_link_addr(w.link, 0);
        addr[1] = w.vip = ns3_link_addr(l1, 0);
    } else {
        w.link = ns3_link_create(n[0], n[1], &cfg->link);
        addr[0] = ns3_link_addr(w.link, 0);
        addr[1] = ns3_link_addr(w.link, 1);
    }
    if (w.link < 0) {
        ns3_sim_destroy();
        g_array_free(w.stale, TRUE);
        return w.link;
    }
    if (cfg->pcap_dir && (rc = ns3_pcap_enable(w.link, cfg->pcap_dir)) < 0)
        goto out;
    if ((cfg->keylog_path && !(w.keylog = fopen(cfg->keylog_path, "w"))) ||
        (cfg->esp_keylog_path && !(w.esp_keylog = fopen(cfg->esp_keylog_path, "w")))) {
        rc = NS3_EIO;
        goto out;
    }
    sim_gw_listener l = {.arg = &w, .ike_event = on_ike_event, .delivered = on_delivered,
                         .ike_sent = on_ike_sent};
    for (int i = 0; i < 2; i++) {
        sim_gw_cfg gc = cfg->gw[i];
        if (cfg->standby.enabled && cfg->standby.ha == SIM_HA_RFC6311)
            gc.ike.mid_sync = gc.ike.replay_sync = true; /* both sides assert 16420/16421 */
        w.gw[i] = sim_gw_new(n[i], addr[i], PORT, &gc, cfg->seed, cfg->run, (uint64_t)i);
        if (!w.gw[i]) {
            rc = NS3_EINVAL;
            goto out;
        }
        sim_gw_listen(w.gw[i], &l);
        sim_gw_keylog(w.gw[i], w.keylog);
        sim_gw_esp_keylog(w.gw[i], w.esp_keylog);
        w.sent[i] = g_array_new(FALSE, FALSE, sizeof(uint64_t));
        w.got[i] = g_array_new(FALSE, FALSE, sizeof(int64_t));
    }
    for (int i = 0; i < 2; i++)
        sim_gw_set_peer(w.gw[i], addr[1 - i], PORT);
    for (int i = 0; i < 2; i++)
        sim_gw_boot(w.gw[i]);
    w.active1 = w.gw[1];
    if (cfg->standby.enabled) {
        sim_gw_cfg scfg = cfg->gw[1];
        if (cfg->standby.ha == SIM_HA_RFC6311)
            scfg.ike.mid_sync = scfg.ike.replay_sync = true;
        scfg.establish = SIM_EST_NEVER;
        if (!cfg->standby.share_secret)
            scfg.qcd_secret[0] ^= 0xff;
        w.standby = sim_gw_new(sb, ns3_link_addr(w.standby_link, 0), PORT, &scfg, cfg->seed, cfg->run, 2);
        if (!w.standby) {
            rc = NS3_EINVAL;
            goto out;
        }
        sim_gw_listen(w.standby, &l);
        sim_gw_keylog(w.standby, w.keylog);
        sim_gw_esp_keylog(w.standby, w.esp_keylog);
        sim_gw_set_peer(w.standby, addr[0], PORT);
        if (cfg->standby.cluster_knowledge)
            sim_gw_set_cluster(w.standby, alive_on_first, &w);
        sim_gw_boot(w.standby); /* up and empty; reachable only at its own address */
        if (cfg->standby.ha != SIM_HA_NONE && cfg->standby.sync_interval_s > 0) {
            w.rep_ike = g_array_new(FALSE, FALSE, sizeof(ike_sa_state));
            w.rep_esp = g_array_new(FALSE, FALSE, sizeof(esp_sa_state));
            w.rep_rng = sim_rng_new(cfg->seed, cfg->run, 3000);
            ns3_timer_init(&w.rep_timer, n[1], replicate, &w);
            ns3_timer_start(&w.rep_timer, (uint64_t)llround(cfg->standby.sync_interval_s * NS));
        }
    }
    w.traffic_rng = sim_rng_new(cfg->seed, cfg->run, 1000);
    for (int i = 0; i < 2; i++)
        w.src[i] = sim_source_new(w.gw[i], (uint32_t)i, &cfg->traffic[i], w.traffic_rng, on_sent, &w);
    if ((rc = add_forger(&w)) < 0 || (rc = add_prober(&w)) < 0)
        goto out;
    if (cfg->standby.enabled)
        ns3_routing_global(); /* after every link, the prober's included */
    script = g_new(script_ctx, cfg->n_script + 1);
    for (size_t i = 0; i < cfg->n_script; i++) {
        script[i] = (script_ctx){&w, &cfg->script[i]};
        ns3_schedule(NS3_NO_NODE, (uint64_t)llround(cfg->script[i].at_s * NS), run_action, &script[i]);
    }
    uint64_t horizon = (uint64_t)llround(cfg->horizon_s * NS);
    ns3_sim_stop_at(horizon);
    ns3_sim_run();

    memset(row, 0, sizeof *row);
    row->detect_reason = "none";
    row->detect_s = row->recover_s = row->recover_fwd_s = row->recover_rev_s = NAN;
    if (w.crashed >= 0) {
        /* packets sent within the last second may still be in flight */
        uint64_t until = horizon > NS ? horizon - (uint64_t)NS : 0;
        int survivor = 1 - w.crashed;
        row->recover_fwd_s = ns_or_nan(first_delivery_after(&w, survivor, w.crash_ns, &row->lost_pkts, until));
        row->recover_rev_s = ns_or_nan(first_delivery_after(&w, w.crashed, w.crash_ns, &row->lost_pkts, until));
        bool fwd = cfg->traffic[survivor].kind != SIM_TRAFFIC_NONE;
        bool rev = cfg->traffic[w.crashed].kind != SIM_TRAFFIC_NONE;
        if ((!fwd || !isnan(row->recover_fwd_s)) && (!rev || !isnan(row->recover_rev_s)) && (fwd || rev))
            row->recover_s = fmax(fwd ? row->recover_fwd_s : 0, rev ? row->recover_rev_s : 0);
        if (w.detect_ns >= 0) {
            row->detect_s = ns_or_nan(w.detect_ns);
            row->detect_reason = reason_metric(w.detect_reason);
        } else if (w.stale->len) {
            row->missed = 1;
            row->sa_survived = cfg->standby.ha != SIM_HA_NONE; /* kept across the failover */
        }
    }
    row->false_positives = w.false_positives;
    row->ike_msgs = w.ike_msgs;
    row->ike_bytes = w.ike_bytes;
    row->liveness_checks = w.liveness_checks;
    row->sim_s = cfg->horizon_s;
    row->events = ns3_sim_events();
    row->forged = w.forger ? sim_forger_sent(w.forger) : 0;
    row->tokens_in_clear = w.tokens_in_clear;
    row->mid_sync = w.mid_sync;
    row->probes = w.prober ? sim_prober_probes(w.prober) : 0;
    if (cfg->timeline)
        fill_timeline(&w, cfg->timeline);
    rc = 0;
out:
    for (int i = 0; i < 2; i++) {
        sim_source_free(w.src[i]);
        sim_gw_free(w.gw[i]);
        if (w.sent[i]) {
            g_array_free(w.sent[i], TRUE);
            g_array_free(w.got[i], TRUE);
        }
    }
    sim_rng_free(w.traffic_rng);
    sim_forger_free(w.forger);
    sim_prober_free(w.prober);
    sim_gw_free(w.standby);
    if (w.rep_ike) {
        ns3_timer_stop(&w.rep_timer);
        g_array_free(w.rep_ike, TRUE);
        g_array_free(w.rep_esp, TRUE);
        sim_rng_free(w.rep_rng);
    }
    sim_rng_free(w.forger_rng);
    ns3_sim_destroy();
    g_free(script);
    if (w.keylog)
        fclose(w.keylog);
    if (w.esp_keylog)
        fclose(w.esp_keylog);
    g_array_free(w.stale, TRUE);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    row->wall_s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / NS;
    return rc;
}
