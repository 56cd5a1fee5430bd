#include "storm.h"

#include <math.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "esp_udp.h"
#include "fleet.h"
#include "headend.h"

#define NS 1e9

/* What the world knows about one client: its SA from before the crash,
 * and when that SA was found dead and a new one was up. */
typedef struct client_truth {
    uint64_t spi_i, spi_r;
    int64_t detect_ns, recover_ns; /* from the crash; -1: not (yet) */
    ike_del_reason detect_reason;
    int64_t answered_ns, answer_ns; /* the last reading answered before the crash, and its
                                       answer, from the crash (<= 0); INT64_MIN: none */
} client_truth;

typedef struct storm {
    const sim_run_cfg *cfg;
    uint32_t n;
    sim_headend *he;
    sim_fleet *fleet;
    sim_rng *fleet_rng, *keys_rng;
    ns3_node_id hub, *nodes;
    uint32_t *addrs, *he_addrs;
    GHashTable *node_of_addr;        /* client node address -> node index + 1 */
    GHashTable *child_spis;          /* provisioned child SPIs */
    client_truth *ct;
    ike_sa_state *st_client, *st_he; /* scratch for provisioning */
    int64_t crash_ns, reboot_ns;     /* -1: not (yet) */
    uint64_t horizon_ns;
    GArray *served;                  /* uint64_t: when the CPU took each IKE_SA_INIT */
    uint64_t ike_msgs, ike_bytes, liveness_checks, false_positives, retries, cookies, init_drops;
    uint64_t sent_after, delivered_after;
    uint64_t air_msgs, air_octets;   /* every datagram between the clients and the headend */
    double service_s;                /* client-seconds from provisioning to the horizon */
} storm;

typedef struct provision_ctx {
    storm *s;
    uint32_t client;
} provision_ctx;

static uint64_t draw64(sim_rng *rng)
{
    uint64_t v = 0;
    while (v == 0) {
        uint8_t b[8];
        sim_rng_bytes(rng, b, 8);
        for (int i = 0; i < 8; i++)
            v = v << 8 | b[i];
    }
    return v;
}

/* Unique in the run: 100,000 random 32-bit SPIs would collide (birthday),
 * and the headend holds all of them. */
static uint32_t draw_child_spi(sim_rng *rng, GHashTable *used)
{
    uint32_t v;
    do /* 0..255 are reserved (RFC 4303 §2.1) */
        v = (uint32_t)draw64(rng);
    while (v < 256 || g_hash_table_contains(used, GUINT_TO_POINTER(v)));
    g_hash_table_add(used, GUINT_TO_POINTER(v));
    return v;
}

static bool after_crash(const storm *s) { return s->crash_ns >= 0; }
static uint64_t since_crash(const storm *s) { return ns3_now_ns() - (uint64_t)s->crash_ns; }

/* --- ground truth from the events of both sides --- */

static void on_client_event(void *arg, uint32_t i, const ike_event *ev)
{
    storm *s = arg;
    client_truth *t = &s->ct[i];
    switch (ev->type) {
    case IKE_EV_SA_DELETED:
        if (ike_del_peer_dead(ev->reason) && ike_sa_established(ev->sa) &&
            sim_headend_holds(s->he, ev->spi_i, ev->spi_r))
            s->false_positives++; /* declared dead while the headend held it */
        if (after_crash(s) && t->detect_ns < 0 && ev->spi_i == t->spi_i && ev->spi_r == t->spi_r) {
            t->detect_ns = (int64_t)since_crash(s);
            t->detect_reason = ev->reason;
        }
        break;
    case IKE_EV_SA_REKEYED: /* the stale SA to find after a crash goes by its new SPIs */
        if (ev->old_spi_i == t->spi_i && ev->old_spi_r == t->spi_r) {
            t->spi_i = ev->spi_i;
            t->spi_r = ev->spi_r;
        }
        break;
    case IKE_EV_CHILD_ESTABLISHED:
        if (after_crash(s) && t->recover_ns < 0 && sim_headend_holds(s->he, ev->spi_i, ev->spi_r))
            t->recover_ns = (int64_t)since_crash(s);
        break;
    case IKE_EV_RETRANSMIT:
        if (after_crash(s) && (ev->exchange == IKE_SA_INIT || ev->exchange == IKE_AUTH))
            s->retries++;
        break;
    case IKE_EV_LIVENESS_SENT:
        s->liveness_checks++;
        break;
    default:
        break;
    }
}

static void on_headend_event(void *arg, const ike_event *ev)
{
    storm *s = arg;
    if (ev->type == IKE_EV_COOKIE_SENT)
        s->cookies++;
    else if (ev->type == IKE_EV_LIVENESS_SENT)
        s->liveness_checks++;
    else if (ev->type == IKE_EV_SA_DELETED && ike_del_peer_dead(ev->reason) && ike_sa_established(ev->sa)) {
        /* the headend declared a client dead: was it? */
        gpointer k = g_hash_table_lookup(s->node_of_addr, GUINT_TO_POINTER(sim_peer_addr(ev->peer)));
        uint32_t per = s->cfg->star.clients_per_node;
        uint32_t i = (GPOINTER_TO_UINT(k) - 1) * per + (uint32_t)(sim_peer_port(ev->peer) - SIM_FLEET_BASE_PORT);
        if (k && i < s->n && sim_fleet_holds(s->fleet, i, ev->spi_i, ev->spi_r))
            s->false_positives++;
    }
}

/* A datagram on a client's link, as IPv4 octets (UDP and IPv4 headers). */
static void on_air(storm *s, size_t udp_payload)
{
    s->air_msgs++;
    s->air_octets += udp_payload + 8 + 20;
}

static void on_ike_sent(void *arg, size_t len)
{
    storm *s = arg;
    s->ike_msgs++;
    s->ike_bytes += len;
    on_air(s, ESP_NON_ESP_MARKER_LEN + len); /* port 4500: behind the non-ESP marker */
}

static void on_served(void *arg)
{
    storm *s = arg;
    uint64_t now = ns3_now_ns();
    g_array_append_val(s->served, now);
}

static void on_dropped(void *arg)
{
    storm *s = arg;
    s->init_drops++;
}

static bool counts_for_loss(const storm *s, uint64_t sent_ns)
{
    return after_crash(s) && sent_ns >= (uint64_t)s->crash_ns && sent_ns + (uint64_t)NS <= s->horizon_ns;
}

static void on_app_sent(void *arg, uint32_t client)
{
    storm *s = arg;
    (void)client;
    if (counts_for_loss(s, ns3_now_ns()))
        s->sent_after++;
}

static void on_app_delivered(void *arg, const sim_app_pkt *pkt)
{
    storm *s = arg;
    if (counts_for_loss(s, pkt->sent_ns))
        s->delivered_after++;
}

/* The headend's and the clients' traces. */
static void on_trace(void *arg, const sim_trace *t)
{
    storm *s = arg;
    bool headend = t->node == s->he;
    switch (t->type) {
    case SIM_TR_IKE_EVENT:
        if (s->cfg->trace) /* gateway 0 stands for the clients, 1 for the headend */
            s->cfg->trace(s->cfg->trace_arg, headend, t->ike);
        if (headend)
            on_headend_event(s, t->ike);
        else
            on_client_event(s, t->index, t->ike);
        break;
    case SIM_TR_IKE_SENT: on_ike_sent(s, t->len); break;
    case SIM_TR_ESP_SENT: on_air(s, t->len); break;
    case SIM_TR_INIT_SERVED: on_served(s); break;
    case SIM_TR_INIT_DROPPED: on_dropped(s); break;
    case SIM_TR_APP_SENT: on_app_sent(s, t->index); break;
    case SIM_TR_DELIVERED:
        if (headend)
            on_app_delivered(s, t->app);
        break;
    default: break;
    }
}

/* --- the fleet, connected before the run --- */

static void random_keys(sim_rng *rng, uint8_t *p, size_t len) { sim_rng_bytes(rng, p, len); }

/* Both halves of client i's IKE SA and Child SA, as a handshake would have
 * left them (message IDs after IKE_AUTH, the headend's QCD token). */
static void make_states(storm *s, uint32_t i)
{
    const sim_run_cfg *cfg = s->cfg;
    const ike_cfg *cc = &cfg->gw[0].ike, *hc = &cfg->gw[1].ike;
    ike_sa_state *c = s->st_client, *h = s->st_he;
    memset(c, 0, sizeof *c);
    c->spi_i = draw64(s->keys_rng);
    c->spi_r = draw64(s->keys_rng);
    c->suite = cc->ike;
    ike_keys *k = &c->keys;
    k->prf_len = (uint8_t)ike_prf_len(c->suite.prf);
    k->encr_len = (uint8_t)ike_encr_key_len(&c->suite);
    k->integ_len = (uint8_t)ike_integ_key_len(&c->suite);
    random_keys(s->keys_rng, k->d, k->prf_len);
    random_keys(s->keys_rng, k->pi, k->prf_len);
    random_keys(s->keys_rng, k->pr, k->prf_len);
    random_keys(s->keys_rng, k->ai, k->integ_len);
    random_keys(s->keys_rng, k->ar, k->integ_len);
    random_keys(s->keys_rng, k->ei, k->encr_len);
    random_keys(s->keys_rng, k->er, k->encr_len);
    ike_child *ch = &c->child;
    c->has_child = !cc->childless;
    ch->suite = cc->esp;
    ch->esn = cc->esp_esn;
    ch->spi_in = draw_child_spi(s->keys_rng, s->child_spis);
    ch->spi_out = draw_child_spi(s->keys_rng, s->child_spis);
    size_t ek = ike_encr_key_len(&ch->suite), ik = ike_integ_key_len(&ch->suite);
    random_keys(s->keys_rng, ch->key_out, ek);
    random_keys(s->keys_rng, ch->key_in, ek);
    random_keys(s->keys_rng, ch->integ_out, ik);
    random_keys(s->keys_rng, ch->integ_in, ik);
    ch->ts_local = cc->ts_local;
    ch->ts_remote = cc->ts_remote;
    c->sync_m_seen = -1;
    *h = *c;
    /* the client initiated: IKE_SA_INIT and IKE_AUTH used its MIDs 0 and 1 */
    c->initiator = true;
    c->next_mid_out = 2;
    h->initiator = false;
    h->next_mid_in = 2;
    c->peer_id_type = hc->id_type;
    c->peer_id_len = hc->id_len;
    memcpy(c->peer_id, hc->id, hc->id_len);
    size_t idlen;
    const char *id = sim_fleet_id(s->fleet, i, &idlen);
    h->peer_id_type = cc->id_type;
    h->peer_id_len = idlen;
    memcpy(h->peer_id, id, idlen);
    if ((hc->qcd.role & IKE_QCD_MAKER) && (cc->qcd.role & IKE_QCD_TAKER) &&
        qcd_token(sim_headend_secrets(s->he)->cur, c->spi_i, c->spi_r, c->peer_token) == IKE_OK)
        c->peer_token_len = QCD_TOKEN_LEN;
    h->child.spi_in = ch->spi_out;
    h->child.spi_out = ch->spi_in;
    memcpy(h->child.key_out, ch->key_in, ek);
    memcpy(h->child.key_in, ch->key_out, ek);
    memcpy(h->child.integ_out, ch->integ_in, ik);
    memcpy(h->child.integ_in, ch->integ_out, ik);
    h->child.ts_local = hc->ts_local;
    h->child.ts_remote = hc->ts_remote;
    s->ct[i].spi_i = c->spi_i;
    s->ct[i].spi_r = c->spi_r;
}

static void provision(void *arg)
{
    provision_ctx *p = arg;
    storm *s = p->s;
    if (!sim_headend_ep(s->he))
        return; /* the headend is down: this client never got connected */
    make_states(s, p->client);
    if (!sim_headend_provision(s->he, sim_fleet_peer(s->fleet, p->client), s->st_he) ||
        !sim_fleet_provision(s->fleet, p->client, s->st_client))
        g_warning("client %u: provisioning failed", p->client);
    else
        s->service_s += (double)(s->horizon_ns - MIN(ns3_now_ns(), s->horizon_ns)) / NS;
    /* keys do not linger */
    memset(&s->st_client->keys, 0, sizeof s->st_client->keys);
    memset(&s->st_client->child, 0, sizeof s->st_client->child);
    memset(&s->st_he->keys, 0, sizeof s->st_he->keys);
    memset(&s->st_he->child, 0, sizeof s->st_he->child);
}

/* --- the script: the headend (gateway 1) crashes and reboots --- */

static void crash(void *arg)
{
    storm *s = arg;
    if (!after_crash(s)) {
        s->crash_ns = (int64_t)ns3_now_ns();
        for (uint32_t i = 0; i < s->n; i++) { /* what each application last heard */
            uint64_t reading, answer;
            sim_fleet_last_answer(s->fleet, i, &reading, &answer);
            if (answer) {
                s->ct[i].answered_ns = (int64_t)reading - s->crash_ns;
                s->ct[i].answer_ns = (int64_t)answer - s->crash_ns;
            }
        }
    }
    sim_headend_crash(s->he);
}

static void reboot(void *arg)
{
    storm *s = arg;
    if (after_crash(s) && s->reboot_ns < 0)
        s->reboot_ns = (int64_t)ns3_now_ns();
    sim_headend_boot(s->he);
}

/* --- the row --- */

static gint cmp_i64(gconstpointer a, gconstpointer b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static double quantile_s(const int64_t *sorted, size_t have, size_t n, double q)
{
    size_t k = (size_t)ceil(q * (double)n - 1e-9);
    if (k < 1)
        k = 1;
    return k <= have ? sorted[k - 1] / NS : NAN;
}

void sim_storm_curve_clear(sim_storm_curve *c)
{
    g_free(c->recovered);
    g_free(c->init_per_s);
    g_free(c->detect_s);
    g_free(c->recover_s);
    g_free(c->active);
    g_free(c->answered_s);
    g_free(c->answer_s);
    c->answered_s = c->answer_s = NULL;
    c->recovered = c->init_per_s = c->detect_s = c->recover_s = NULL;
    c->active = NULL;
    c->n_bins = c->n_clients = 0;
}

static void fill_per_client(const storm *s, sim_storm_curve *cv)
{
    cv->n_clients = s->n;
    cv->detect_s = g_new(double, s->n);
    cv->recover_s = g_new(double, s->n);
    cv->active = g_new(bool, s->n);
    cv->answered_s = g_new(double, s->n);
    cv->answer_s = g_new(double, s->n);
    for (uint32_t i = 0; i < s->n; i++) {
        cv->answered_s[i] = s->ct[i].answered_ns == INT64_MIN ? NAN : s->ct[i].answered_ns / NS;
        cv->answer_s[i] = s->ct[i].answer_ns == INT64_MIN ? NAN : s->ct[i].answer_ns / NS;
        cv->detect_s[i] = s->ct[i].detect_ns < 0 ? NAN : s->ct[i].detect_ns / NS;
        cv->recover_s[i] = s->ct[i].recover_ns < 0 ? NAN : s->ct[i].recover_ns / NS;
        cv->active[i] = sim_fleet_active(s->fleet, i);
    }
}

static void fill_curve(const storm *s, const int64_t *sorted, size_t have, sim_storm_curve *cv)
{
    cv->n_bins = cv->n_clients = 0;
    cv->recovered = cv->init_per_s = cv->detect_s = cv->recover_s = NULL;
    cv->answered_s = cv->answer_s = NULL;
    cv->active = NULL;
    if (cv->per_client)
        fill_per_client(s, cv);
    if (!after_crash(s) || !(cv->bin_s > 0))
        return;
    cv->n_bins = (size_t)ceil(cv->after_s / cv->bin_s - 1e-9);
    cv->recovered = g_new0(double, cv->n_bins);
    cv->init_per_s = g_new0(double, cv->n_bins);
    size_t k = 0;
    for (size_t b = 0; b < cv->n_bins; b++) {
        double end = (double)(b + 1) * cv->bin_s * NS;
        while (k < have && (double)sorted[k] < end)
            k++;
        cv->recovered[b] = (double)k / s->n;
    }
    for (guint i = 0; i < s->served->len; i++) {
        double t = (double)(g_array_index(s->served, uint64_t, i) - (uint64_t)s->crash_ns) / NS;
        size_t b = (size_t)floor(t / cv->bin_s);
        if (b < cv->n_bins)
            cv->init_per_s[b] += 1 / cv->bin_s;
    }
}

/* What the mean client lost and spent. */
static void fill_device(const storm *s, sim_row *row)
{
    double days = s->service_s / 86400; /* client-days connected */
    row->air_msgs_day = days > 0 ? (double)s->air_msgs / days : NAN;
    row->air_octets_day = days > 0 ? (double)s->air_octets / days : NAN;
    row->blackhole_s = NAN;
    if (!after_crash(s))
        return;
    double sum = 0, rest = (double)(s->horizon_ns - (uint64_t)s->crash_ns);
    for (uint32_t i = 0; i < s->n; i++)
        sum += s->ct[i].recover_ns >= 0 ? (double)s->ct[i].recover_ns : rest;
    row->blackhole_s = sum / s->n / NS;
}

static void fill_row(storm *s, sim_row *row, sim_storm_curve *curve)
{
    memset(row, 0, sizeof *row);
    row->detect_reason = "none";
    row->mid_sync = "none";
    row->recover_fwd_s = row->recover_rev_s = NAN;
    row->detect_s = row->recover_s = NAN;
    row->t50_s = row->t90_s = row->t99_s = row->t100_s = NAN;
    row->init_peak_per_s = row->init_mean_per_s = NAN;
    row->sa_s = row->sa_rtt = row->recover_rtt = NAN; /* no recovery-cost columns in a star */
    int64_t *rec = g_new(int64_t, s->n);
    size_t have = 0, detected = 0;
    double det_sum = 0, rec_sum = 0;
    uint64_t reasons[IKE_DEL_REASONS] = {0};
    for (uint32_t i = 0; s->crash_ns >= 0 && i < s->n; i++) {
        const client_truth *t = &s->ct[i];
        if (t->recover_ns >= 0) {
            rec[have++] = t->recover_ns;
            rec_sum += t->recover_ns / NS;
        }
        if (t->detect_ns >= 0) {
            detected++;
            det_sum += t->detect_ns / NS;
            if (t->detect_reason < IKE_DEL_REASONS)
                reasons[t->detect_reason]++;
        }
    }
    qsort(rec, have, sizeof *rec, (int (*)(const void *, const void *))cmp_i64);
    if (after_crash(s)) {
        row->t50_s = quantile_s(rec, have, s->n, 0.50);
        row->t90_s = quantile_s(rec, have, s->n, 0.90);
        row->t99_s = quantile_s(rec, have, s->n, 0.99);
        row->t100_s = quantile_s(rec, have, s->n, 1.0);
        row->never_recovered = s->n - have;
        row->missed = s->n - detected;
        row->recover_s = have ? rec_sum / (double)have : NAN;
        row->detect_s = detected ? det_sum / (double)detected : NAN;
        static const struct {
            ike_del_reason r;
            const char *name;
        } names[] = {{IKE_DEL_QCD, "qcd"}, {IKE_DEL_TIMEOUT, "liveness"},
                     {IKE_DEL_INITIAL_CONTACT, "initial_contact"}, {IKE_DEL_PEER_DELETE, "delete"},
                     {IKE_DEL_APP_TIMEOUT, "app_timeout"}, {IKE_DEL_EXPIRED, "expired"}};
        uint64_t best = 0;
        for (size_t j = 0; j < G_N_ELEMENTS(names); j++)
            if (reasons[names[j].r] > best) {
                best = reasons[names[j].r];
                row->detect_reason = names[j].name;
            }
    }
    /* IKE_SA_INIT served per one-second bin of simulated time */
    if (s->served->len) {
        GHashTable *bins = g_hash_table_new(NULL, NULL);
        guint peak = 0;
        for (guint i = 0; i < s->served->len; i++) {
            gpointer key = GSIZE_TO_POINTER(g_array_index(s->served, uint64_t, i) / 1000000000u + 1);
            guint c = GPOINTER_TO_UINT(g_hash_table_lookup(bins, key)) + 1;
            g_hash_table_insert(bins, key, GUINT_TO_POINTER(c));
            peak = MAX(peak, c);
        }
        g_hash_table_destroy(bins);
        row->init_peak_per_s = peak;
    }
    if (s->reboot_ns >= 0) {
        double end = !isnan(row->t100_s) ? s->crash_ns / NS + row->t100_s : s->horizon_ns / NS;
        double span = MAX(end - s->reboot_ns / NS, 1.0); /* at least one of the peak's bins */
        row->init_mean_per_s = s->served->len / span;
    }
    if (s->cfg->star.per_device)
        fill_device(s, row);
    row->cpu_s = sim_headend_cpu_s(s->he);
    row->cookies = s->cookies;
    row->retries = s->retries;
    row->init_drops = s->init_drops;
    row->lost_pkts = s->sent_after - MIN(s->sent_after, s->delivered_after);
    row->false_positives = s->false_positives;
    row->ike_msgs = s->ike_msgs;
    row->ike_bytes = s->ike_bytes;
    row->liveness_checks = s->liveness_checks;
    row->sim_s = s->cfg->horizon_s;
    row->events = ns3_sim_events();
    if (curve)
        fill_curve(s, rec, have, curve);
    g_free(rec);
}

/* --- building the star --- */

static int build(storm *s)
{
    const sim_run_cfg *cfg = s->cfg;
    const sim_star_cfg *sc = &cfg->star;
    uint32_t per = sc->clients_per_node;
    uint32_t n_nodes = (s->n + per - 1) / per;
    s->hub = ns3_node_create();
    s->nodes = g_new(ns3_node_id, n_nodes);
    s->addrs = g_new(uint32_t, n_nodes);
    s->he_addrs = g_new(uint32_t, n_nodes);
    for (uint32_t k = 0; k < n_nodes; k++) {
        s->nodes[k] = ns3_node_create();
        int l = ns3_link_create(s->nodes[k], s->hub, &cfg->link);
        if (l < 0)
            return l;
        s->addrs[k] = ns3_link_addr(l, 0);
        g_hash_table_insert(s->node_of_addr, GUINT_TO_POINTER(s->addrs[k]), GUINT_TO_POINTER(k + 1));
        s->he_addrs[k] = ns3_link_addr(l, 1);
    }
    s->he = sim_headend_new(s->hub, &cfg->gw[1], sc->handshake_cost_s, sc->init_queue, cfg->seed, cfg->run, 1);
    if (!s->he)
        return NS3_EINVAL;
    sim_headend_set_resume_cost(s->he, sc->resume_cost_s);
    sim_listener hl = {.arg = s, .on = on_trace};
    sim_headend_listen(s->he, &hl);
    sim_headend_boot(s->he);
    sim_fleet_cfg fc = {.client = cfg->gw[0], .traffic = cfg->traffic[0], .idle_fraction = sc->idle_fraction,
                        .rate_spread = sc->rate_spread,
                        .random_dpd_phase = cfg->gw[0].ike.dpd_clock == IKE_DPD_WHOLE_SECONDS};
    s->fleet_rng = sim_rng_new(cfg->seed, cfg->run, 4000);
    s->keys_rng = sim_rng_new(cfg->seed, cfg->run, 4001);
    s->fleet = sim_fleet_new(&fc, s->n, per, s->nodes, s->addrs, s->he_addrs, s->fleet_rng);
    if (!s->fleet)
        return NS3_EINVAL;
    sim_listener fl = {.arg = s, .on = on_trace};
    sim_fleet_listen(s->fleet, &fl);
    return 0;
}

int sim_storm_run(const sim_run_cfg *cfg, sim_row *row, sim_storm_curve *curve)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (cfg->star.clients == 0 || cfg->star.clients_per_node == 0)
        return NS3_EINVAL;
    int rc = ns3_sim_init(cfg->seed, cfg->run);
    if (rc < 0)
        return rc;
    storm s = {.cfg = cfg, .n = cfg->star.clients, .crash_ns = -1, .reboot_ns = -1,
               .horizon_ns = (uint64_t)llround(cfg->horizon_s * NS)};
    s.ct = g_new(client_truth, s.n);
    for (uint32_t i = 0; i < s.n; i++)
        s.ct[i] = (client_truth){.detect_ns = -1, .recover_ns = -1, .answered_ns = INT64_MIN,
                                 .answer_ns = INT64_MIN};
    s.served = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    s.node_of_addr = g_hash_table_new(NULL, NULL);
    s.child_spis = g_hash_table_new(NULL, NULL);
    s.st_client = g_new(ike_sa_state, 1);
    s.st_he = g_new(ike_sa_state, 1);
    provision_ctx *pc = NULL;
    if ((rc = build(&s)) < 0)
        goto out;
    /* the script: the headend's crash and reboot (the loader refuses the rest) */
    double crash_at = -1;
    for (size_t i = 0; i < cfg->n_script; i++) {
        const sim_script_ev *ev = &cfg->script[i];
        uint64_t at = (uint64_t)llround(ev->at_s * NS);
        if (ev->action == SIM_ACT_CRASH && ev->target == 1) {
            ns3_schedule(NS3_NO_NODE, at, crash, &s);
            if (crash_at < 0)
                crash_at = ev->at_s;
        } else if (ev->action == SIM_ACT_REBOOT && ev->target == 1) {
            ns3_schedule(NS3_NO_NODE, at, reboot, &s);
        }
    }
    /* every client connects once before the crash (or in the first half of a run without one) */
    double connect_over = crash_at > 0 ? crash_at : cfg->horizon_s / 2;
    sim_rng *when = sim_rng_new(cfg->seed, cfg->run, 4002);
    pc = g_new(provision_ctx, s.n);
    for (uint32_t i = 0; i < s.n; i++) {
        pc[i] = (provision_ctx){&s, i};
        ns3_schedule(NS3_NO_NODE, (uint64_t)(sim_rng_uniform(when) * connect_over * NS), provision, &pc[i]);
    }
    sim_rng_free(when);
    if ((rc = sim_run_bounded(cfg, s.horizon_ns, row)) < 0)
        goto out;
    fill_row(&s, row, curve);
out:
    sim_fleet_free(s.fleet);
    sim_headend_free(s.he);
    ns3_sim_destroy();
    sim_rng_free(s.fleet_rng);
    sim_rng_free(s.keys_rng);
    g_free(pc);
    g_free(s.nodes);
    g_free(s.addrs);
    g_free(s.he_addrs);
    g_free(s.ct);
    g_array_free(s.served, TRUE);
    g_hash_table_destroy(s.node_of_addr);
    g_hash_table_destroy(s.child_spis);
    g_free(s.st_client);
    g_free(s.st_he);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    row->wall_s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / NS;
    return rc;
}
