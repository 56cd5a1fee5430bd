/* metrics.c — what a run measures, from the nodes' traces and the world's
 * ground truth (who crashed when, which SAs both sides hold), never from a
 * model's own opinion; and the row made of it at the end. */
#include <math.h>
#include <string.h>

#include "run_world.h"
#include "seq_set.h"

#define NS 1e9

void metrics_init(world *w)
{
    w->crashed = -1;
    w->detect_ns = w->reboot_ns = w->sa_ns = -1;
    w->sent_after = g_array_new(FALSE, FALSE, sizeof(sent_msg));
    w->mid_sync = "none";
    w->stale = g_array_new(FALSE, FALSE, sizeof(spi_pair));
    w->seq_used = g_hash_table_new_full(NULL, NULL, NULL, (GDestroyNotify)sim_seq_set_free);
    for (int i = 0; i < 2; i++) {
        w->sent[i] = g_array_new(FALSE, FALSE, sizeof(uint64_t));
        w->got[i] = g_array_new(FALSE, FALSE, sizeof(int64_t));
        w->sent_esp[i] = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    }
    w->unknown = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
}

void metrics_free(world *w)
{
    for (int i = 0; i < 2; i++) {
        g_array_free(w->sent[i], TRUE);
        g_array_free(w->got[i], TRUE);
        g_array_free(w->sent_esp[i], TRUE);
    }
    g_hash_table_destroy(w->unknown);
    g_hash_table_destroy(w->seq_used);
    g_array_free(w->stale, TRUE);
    g_array_free(w->sent_after, TRUE);
}

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
    case IKE_DEL_APP_TIMEOUT: return "app_timeout";
    case IKE_DEL_EXPIRED: return "expired";
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
        if (w->crashed >= 0)
            g_array_append_val(w->sent_after, ((sent_msg){ev->now, ev->len}));
        break;
    case IKE_EV_SA_ESTABLISHED: /* the later side to establish finds the other holding it */
        if (w->crashed >= 0 && w->sa_ns < 0 && partner_holds(w, me, ev->spi_i, ev->spi_r))
            w->sa_ns = (int64_t)(ev->now - w->crash_ns);
        break;
    case IKE_EV_LIVENESS_SENT:
        w->liveness_checks++;
        break;
    case IKE_EV_REAUTH_STARTED:
        w->reauths++;
        break;
    case IKE_EV_CHILD_ESTABLISHED:
        if (!w->first_child_ns[me])
            w->first_child_ns[me] = ev->now;
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
/* An ESP packet named by its SPI and the low 32 bits of its sequence
 * number (what its header carries); never 0 (SPIs 0 to 255 are reserved). */
static uint64_t esp_key(uint32_t spi, uint64_t seq) { return (uint64_t)spi << 32 | (uint32_t)seq; }

static void on_esp_unknown(world *w, uint32_t spi, uint64_t seq)
{
    uint64_t *k = g_new(uint64_t, 1);
    *k = esp_key(spi, seq);
    g_hash_table_add(w->unknown, k);
}

static void on_esp_sent(world *w, uint32_t spi, uint64_t seq)
{
    w->last_esp = esp_key(spi, seq);
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

void metrics_trace(world *w, const sim_trace *t)
{
    switch (t->type) {
    case SIM_TR_IKE_EVENT: on_ike_event(w, t->node, t->ike); break;
    case SIM_TR_DELIVERED: on_delivered(w, t->app); break;
    case SIM_TR_ESP_SENT: on_esp_sent(w, t->spi, t->seq); break;
    case SIM_TR_ESP_REFUSED: on_esp_refused(w, t->addr, t->err); break;
    case SIM_TR_ESP_UNKNOWN: on_esp_unknown(w, t->spi, t->seq); break;
    default: break;
    }
}

void metrics_sent(void *arg, uint32_t flow, uint64_t seq, bool ok)
{
    world *w = arg;
    uint64_t now = ns3_now_ns();
    int64_t none = -1;
    g_assert(seq == w->sent[flow]->len);
    g_array_append_val(w->sent[flow], now);
    g_array_append_val(w->got[flow], none);
    uint64_t esp = ok ? w->last_esp : 0; /* the ESP packet it went out in */
    g_array_append_val(w->sent_esp[flow], esp);
    w->last_esp = 0;
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

bool metrics_failover(world *w, int target)
{
    if (w->crashed >= 0 || !sim_gw_ep(w->gw[1 - target]))
        return false;
    w->crashed = target;
    w->crash_ns = ns3_now_ns();
    stale_ctx sc = {w, target};
    ike_ep_foreach(sim_gw_ep(w->gw[1 - target]), collect_stale, &sc);
    return true;
}

void metrics_reboot(world *w, int target)
{
    if (w->crashed == target && w->reboot_ns < 0)
        w->reboot_ns = (int64_t)(ns3_now_ns() - w->crash_ns);
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

/* Packets of one direction sent from since to until lost for want of an SA:
 * not sent (no outbound Child SA), or sent on an SA the receiver did not
 * hold when it arrived.  The link's own losses do not count, but do not end
 * an outage either: the longest one runs from such a packet's send time to
 * that of the next one delivered (or the last one sent). */
static void sa_losses(const world *w, int flow, uint64_t since, uint64_t until, uint64_t *lost, double *outage_s)
{
    const GArray *sent = w->sent[flow];
    int64_t from = -1;
    for (guint i = 0; i < sent->len; i++) {
        uint64_t s = g_array_index(sent, uint64_t, i);
        if (s < since)
            continue;
        if (s > until)
            break;
        bool arrived = g_array_index(w->got[flow], int64_t, i) >= 0;
        uint64_t esp = g_array_index(w->sent_esp[flow], uint64_t, i);
        if (!arrived && (esp == 0 || g_hash_table_contains(w->unknown, &esp))) {
            (*lost)++;
            if (from < 0)
                from = (int64_t)s;
        }
        bool last = i + 1 == sent->len || g_array_index(sent, uint64_t, i + 1) > until;
        if (from >= 0 && (arrived || last)) {
            *outage_s = fmax(*outage_s, ((int64_t)s - from) / NS);
            from = -1;
        }
    }
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

/* The new SA and the recovery in round trips from the reboot, and what IKE
 * sent until both (or the horizon). */
static void recovery_cost(const world *w, uint64_t horizon, sim_row *row)
{
    row->sa_s = ns_or_nan(w->sa_ns);
    row->sa_rtt = row->recover_rtt = NAN;
    double rtt = 2.0 * (double)w->cfg->link.delay_ns, reboot = (double)w->reboot_ns;
    if (w->reboot_ns >= 0 && rtt > 0) {
        if (w->sa_ns >= 0)
            row->sa_rtt = ((double)w->sa_ns - reboot) / rtt;
        if (!isnan(row->recover_s))
            row->recover_rtt = (row->recover_s * NS - reboot) / rtt;
    }
    bool traffic = w->cfg->traffic[0].kind != SIM_TRAFFIC_NONE || w->cfg->traffic[1].kind != SIM_TRAFFIC_NONE;
    uint64_t end = horizon;
    if (w->sa_ns >= 0 && (!traffic || !isnan(row->recover_s)))
        end = w->crash_ns + (uint64_t)MAX(w->sa_ns, traffic ? llround(row->recover_s * NS) : 0);
    for (guint i = 0; i < w->sent_after->len; i++) {
        const sent_msg *m = &g_array_index(w->sent_after, sent_msg, i);
        if (m->at <= end) {
            row->recover_ike_msgs++;
            row->recover_ike_bytes += m->len;
        }
    }
}

void metrics_collect(const world *w, uint64_t horizon, sim_row *row)
{
    memset(row, 0, sizeof *row);
    row->detect_reason = "none";
    row->detect_s = row->recover_s = row->recover_fwd_s = row->recover_rev_s = row->resume_s = NAN;
    row->sa_s = row->sa_rtt = row->recover_rtt = NAN;
    if (w->crashed >= 0) {
        /* packets sent within the last second may still be in flight */
        uint64_t until = horizon > NS ? horizon - (uint64_t)NS : 0;
        int survivor = 1 - w->crashed;
        row->recover_fwd_s = ns_or_nan(first_delivery_after(w, survivor, w->crash_ns, &row->lost_pkts, until));
        row->recover_rev_s = ns_or_nan(first_delivery_after(w, w->crashed, w->crash_ns, &row->lost_pkts, until));
        bool fwd = w->cfg->traffic[survivor].kind != SIM_TRAFFIC_NONE;
        bool rev = w->cfg->traffic[w->crashed].kind != SIM_TRAFFIC_NONE;
        if ((!fwd || !isnan(row->recover_fwd_s)) && (!rev || !isnan(row->recover_rev_s)) && (fwd || rev))
            row->recover_s = fmax(fwd ? row->recover_fwd_s : 0, rev ? row->recover_rev_s : 0);
        row->resume_s = row->recover_s;
        for (guint i = 0; w->cluster && i < w->stale->len; i++) {
            spi_pair *p = &g_array_index(w->stale, spi_pair, i);
            row->sa_survived |= sim_gw_holds(w->gw[0], p->spi_i, p->spi_r) &&
                                sim_cluster_holds(w->cluster, p->spi_i, p->spi_r);
        }
        if (w->detect_ns >= 0) {
            row->detect_s = ns_or_nan(w->detect_ns);
            row->detect_reason = reason_metric(w->detect_reason);
        } else if (w->stale->len && !row->sa_survived) {
            row->missed = 1;
        }
        recovery_cost(w, horizon, row);
    }
    row->false_positives = w->false_positives;
    row->ike_msgs = w->ike_msgs;
    row->ike_bytes = w->ike_bytes;
    row->liveness_checks = w->liveness_checks;
    row->sim_s = w->cfg->horizon_s;
    row->events = ns3_sim_events();
    row->forged = w->forger ? sim_forger_sent(w->forger) : 0;
    row->tokens_in_clear = w->tokens_in_clear;
    row->mid_sync = w->mid_sync;
    row->probes = w->prober ? sim_prober_probes(w->prober) : 0;
    row->replay_drops = w->replay_drops;
    row->replays_accepted = w->replays_accepted;
    row->seq_reuse = w->seq_reuse;
    row->takeovers = w->cluster ? sim_cluster_takeovers(w->cluster) : 0;
    row->reauths = w->reauths;
    /* from when both sides first had a Child SA: the setup is not a loss of its life */
    uint64_t since = MAX(w->first_child_ns[0], w->first_child_ns[1]);
    for (int f = 0; f < 2; f++)
        sa_losses(w, f, since, horizon > NS ? horizon - (uint64_t)NS : 0, &row->esp_lost, &row->outage_max_s);
    if (w->cfg->timeline)
        fill_timeline(w, w->cfg->timeline);
}
