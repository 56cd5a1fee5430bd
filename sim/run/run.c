#include "run.h"

#include "forger.h"
#include "prober.h"
#include "replayer.h"
#include "seq_set.h"

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
    sim_cluster *cluster; /* gateway 1's members, if configured */
    ns3_node_id router;
    sim_source *src[2];
    sim_rng *traffic_rng;
    FILE *keylog, *esp_keylog;
    sim_forger *forger;
    sim_prober *prober;
    sim_replayer *replayer;
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
    /* HA ground truth */
    GHashTable *seq_used; /* outbound SPI -> sim_seq_set of the sequence numbers sent */
    uint64_t seq_reuse, replay_drops, replays_accepted;
} world;

/* Gateway 0, or 1 for any member of gateway 1. */
static int gw_index(world *w, sim_gw *gw) { return gw != w->gw[0]; }

/* Does the other side (any live member, for a cluster) still hold the SA? */
static bool partner_holds(world *w, int me, uint64_t spi_i, uint64_t spi_r)
{
    if (me)
        return sim_gw_holds(w->gw[0], spi_i, spi_r);
    return w->cluster ? sim_cluster_holds(w->cluster, spi_i, spi_r) : sim_gw_holds(w->gw[1], spi_i, spi_r);
}

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

static void on_ike_event(world *w, sim_gw *gw, const ike_event *ev)
{
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
    case IKE_EV_QCD_ANSWERED: /* tokens a passive observer on the path sees in the clear */
        w->tokens_in_clear += ev->count;
        break;
    case IKE_EV_HA_SYNC_SENT: /* the outcome is the newest sync's */
        w->mid_sync = "failed"; /* until an answer comes */
        break;
    case IKE_EV_HA_SYNC_ANSWERED:
        if (!ev->is_response) /* the member's view: its sync was answered */
            break;
        w->mid_sync = "ok";
        break;
    case IKE_EV_HA_SYNC_DROPPED:
        /* the peer refused the pending sync (not a replay of an answered one) */
        if (me == 0 && strcmp(w->mid_sync, "failed") == 0)
            w->mid_sync = "dropped";
        break;
    case IKE_EV_SA_DELETED:
        if (ev->reason == IKE_DEL_SHUTDOWN || !ike_sa_established(ev->sa))
            break;
        /* declared dead while the partner still holds it */
        if (ike_del_peer_dead(ev->reason) && partner_holds(w, me, ev->spi_i, ev->spi_r))
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

static void on_delivered(world *w, const sim_app_pkt *pkt)
{
    if (w->replayer && pkt->outer_src == sim_replayer_addr(w->replayer)) {
        w->replays_accepted++;
        return;
    }
    if (pkt->flow > 1 || pkt->seq >= w->got[pkt->flow]->len)
        return;
    int64_t *t = &g_array_index(w->got[pkt->flow], int64_t, pkt->seq);
    if (*t < 0)
        *t = (int64_t)ns3_now_ns();
}

/* Every (SPI, sequence number) sent, by any gateway or member: a pair sent
 * twice is a nonce used twice under one key. */
static void on_esp_sent(world *w, sim_gw *gw, uint32_t spi, uint64_t seq, const uint8_t *pkt, size_t len)
{
    if (w->replayer && gw == w->gw[0])
        sim_replayer_see_esp(w->replayer, pkt, len);
    else if (w->replayer)
        sim_replayer_see_cluster_send(w->replayer);
    sim_seq_set *used = g_hash_table_lookup(w->seq_used, GUINT_TO_POINTER(spi));
    if (!used) {
        used = sim_seq_set_new();
        g_hash_table_insert(w->seq_used, GUINT_TO_POINTER(spi), used);
    }
    if (!sim_seq_set_add(used, seq))
        w->seq_reuse++;
}

/* Legitimate packets the receiver's anti-replay refused. */
static void on_esp_refused(world *w, uint32_t src, int err)
{
    if ((err == ESP_E_REPLAY || err == ESP_E_STALE) && !(w->replayer && src == sim_replayer_addr(w->replayer)))
        w->replay_drops++;
}

/* Every gateway's and member's traces. */
static void on_trace(void *arg, const sim_trace *t)
{
    world *w = arg;
    switch (t->type) {
    case SIM_TR_IKE_EVENT: on_ike_event(w, t->node, t->ike); break;
    case SIM_TR_IKE_SENT: on_ike_sent(w, t->node, t->peer, t->bytes, t->len); break;
    case SIM_TR_DELIVERED: on_delivered(w, t->app); break;
    case SIM_TR_ESP_SENT: on_esp_sent(w, t->node, t->spi, t->seq, t->bytes, t->len); break;
    case SIM_TR_ESP_REFUSED: on_esp_refused(w, t->addr, t->err); break;
    default: break;
    }
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
    bool held = c->crashed == 1 && c->w->cluster ? sim_cluster_holds(c->w->cluster, i, r)
                                                  : sim_gw_holds(c->w->gw[c->crashed], i, r);
    if (ike_sa_established(sa) && held) {
        spi_pair p = {i, r};
        g_array_append_val(c->w->stale, p);
    }
}

typedef struct {
    world *w;
    const sim_script_ev *ev;
} script_ctx;

/* The failover (or, without a crash, the split brain): what the metrics
 * measure from. */
static void mark_failover(world *w, int target)
{
    if (w->crashed >= 0 || !sim_gw_ep(w->gw[1 - target]))
        return;
    w->crashed = target;
    w->crash_ns = ns3_now_ns();
    stale_ctx sc = {w, target};
    ike_ep_foreach(sim_gw_ep(w->gw[1 - target]), collect_stale, &sc);
    if (w->replayer)
        sim_replayer_stop_esp(w->replayer);
}

static void run_action(void *arg)
{
    script_ctx *c = arg;
    world *w = c->w;
    const sim_script_ev *ev = c->ev;
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
    w.seq_used = g_hash_table_new_full(NULL, NULL, NULL, (GDestroyNotify)sim_seq_set_free);
    ns3_node_id n[2] = {ns3_node_create(), ns3_node_create()};
    uint32_t addr[2];
    int l1 = -1;
    if (cfg->standby.enabled) {
        /* gateway 0 - router - gateway 1's first member; the others join the
         * router as the cluster is made */
        w.router = ns3_node_create();
        ns3_link_cfg inner = cfg->link;
        inner.loss = 0;
        w.link = ns3_link_create(n[0], w.router, &cfg->link);
        l1 = ns3_link_create(n[1], w.router, &inner);
        addr[0] = ns3_link_addr(w.link, 0);
        addr[1] = ns3_link_addr(l1, 0); /* the cluster's virtual address */
    } else {
        w.link = ns3_link_create(n[0], n[1], &cfg->link);
        addr[0] = ns3_link_addr(w.link, 0);
        addr[1] = ns3_link_addr(w.link, 1);
    }
    if (w.link < 0) {
        ns3_sim_destroy();
        g_array_free(w.stale, TRUE);
        g_hash_table_destroy(w.seq_used);
        return w.link;
    }
    if (cfg->pcap_dir && (rc = ns3_pcap_enable(w.link, cfg->pcap_dir)) < 0)
        goto out;
    if ((cfg->keylog_path && !(w.keylog = fopen(cfg->keylog_path, "w"))) ||
        (cfg->esp_keylog_path && !(w.esp_keylog = fopen(cfg->esp_keylog_path, "w")))) {
        rc = NS3_EIO;
        goto out;
    }
    sim_listener l = {.arg = &w, .on = on_trace};
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
    if (cfg->standby.enabled) {
        sim_standby_cfg sc = cfg->standby;
        if (!sc.members)
            sc.members = 2;
        sim_gw_cfg mcfg = cfg->gw[1];
        if (sc.ha == SIM_HA_RFC6311)
            mcfg.ike.mid_sync = mcfg.ike.replay_sync = true;
        mcfg.establish = SIM_EST_NEVER;
        sim_cluster_world cw = {.router = w.router, .vip = addr[1], .first_link = l1, .link = &cfg->link,
                                .peer_addr = addr[0], .port = PORT, .seed = cfg->seed, .run = cfg->run,
                                .listener = &l, .keylog = w.keylog, .esp_keylog = w.esp_keylog};
        if (!(w.cluster = sim_cluster_new(&sc, w.gw[1], &mcfg, &cw))) {
            rc = NS3_EINVAL;
            goto out;
        }
    }
    w.traffic_rng = sim_rng_new(cfg->seed, cfg->run, 1000);
    for (int i = 0; i < 2; i++)
        w.src[i] = sim_source_new(w.gw[i], (uint32_t)i, &cfg->traffic[i], w.traffic_rng, on_sent, &w);
    if (w.cluster)
        sim_source_set_picker(w.src[1], cluster_sender, w.cluster);
    if ((rc = add_forger(&w)) < 0 || (rc = add_prober(&w)) < 0 || (rc = add_replayer(&w)) < 0)
        goto out;
    if (w.cluster)
        ns3_routing_global(); /* after every link, the prober's included */
    for (int i = 0; i < 2; i++)
        sim_gw_boot(w.gw[i]); /* once the routes exist: the first message is not lost */
    if (w.cluster)
        sim_cluster_start(w.cluster);
    script = g_new(script_ctx, cfg->n_script + 1);
    for (size_t i = 0; i < cfg->n_script; i++) {
        script[i] = (script_ctx){&w, &cfg->script[i]};
        ns3_schedule(NS3_NO_NODE, (uint64_t)llround(cfg->script[i].at_s * NS), run_action, &script[i]);
    }
    uint64_t horizon = (uint64_t)llround(cfg->horizon_s * NS);
    if ((rc = sim_run_bounded(cfg, horizon, row)) < 0)
        goto out;

    memset(row, 0, sizeof *row);
    row->detect_reason = "none";
    row->detect_s = row->recover_s = row->recover_fwd_s = row->recover_rev_s = row->resume_s = NAN;
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
        row->resume_s = row->recover_s;
        for (guint i = 0; w.cluster && i < w.stale->len; i++) {
            spi_pair *p = &g_array_index(w.stale, spi_pair, i);
            row->sa_survived |= sim_gw_holds(w.gw[0], p->spi_i, p->spi_r) &&
                                sim_cluster_holds(w.cluster, p->spi_i, p->spi_r);
        }
        if (w.detect_ns >= 0) {
            row->detect_s = ns_or_nan(w.detect_ns);
            row->detect_reason = reason_metric(w.detect_reason);
        } else if (w.stale->len && !row->sa_survived) {
            row->missed = 1;
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
    row->replay_drops = w.replay_drops;
    row->replays_accepted = w.replays_accepted;
    row->seq_reuse = w.seq_reuse;
    row->takeovers = w.cluster ? sim_cluster_takeovers(w.cluster) : 0;
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
    sim_cluster_free(w.cluster);
    sim_replayer_free(w.replayer);
    g_hash_table_destroy(w.seq_used);
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
