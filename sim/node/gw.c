#include "gw.h"

#include <string.h>

#include <glib.h>

#include "esp_inner.h"
#include "esp_udp.h"
#include "outbound.h"
#include "rng.h"

struct sim_gw {
    ns3_node_id node;
    uint32_t addr;
    uint16_t port;
    int sock;
    int vsock;              /* bound to a claimed virtual address; -1: none */
    sim_gw_cfg cfg;
    sim_rng *rng;
    ns3_timer timer;
    ns3_timer start;        /* the daemon starts (boot delay) */
    unsigned boots;
    sim_listener listener;
    FILE *keylog, *esp_keylog;
    GHashTable *keyed;      /* SPIi of every IKE SA with a keylog line; NULL until one */
    uint64_t peer;          /* 0: none */
    bool up;
    bool (*alive_elsewhere)(void *arg, uint64_t spi_i, uint64_t spi_r);
    void *cluster_arg;
    /* volatile */
    ike_ep *ep;
    GHashTable *esp_in;     /* inbound SPI -> esp_sa */
    sim_outbound out;       /* the Child SAs towards the peer, newest sendable first */
    bool acquiring;         /* an initiation is in flight */
    bool reinitiate;        /* the peer died: initiate once the model call returned */
    /* non-volatile */
    qcd_secrets secrets;
    ike_ticket_keys ticket_keys; /* RFC 5723, with cfg.resume */
    GHashTable *child_map;  /* inbound SPI -> uint64_t[2] IKE SPIs */
};

void sim_gw_cfg_defaults(sim_gw_cfg *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    ike_cfg_defaults(&cfg->ike);
    esp_cfg_defaults(&cfg->esp);
    cfg->establish = SIM_EST_AT_BOOT;
    cfg->reinitiate_on_dead = true;
    cfg->can_initiate = true;
    cfg->answer_invalid_spi = true;
    cfg->ticket_lifetime_ms = 3600000; /* libreswan's at most 1 h; RFC 5723 §9.8 names 1 h */
    cfg->ticket_grace_ms = 3600000;
}

static bool natt(const sim_gw *gw) { return gw->port != IKE_PORT; }
/* After a claim, everything leaves from the virtual address. */
static int out_sock(const sim_gw *gw) { return gw->vsock >= 0 ? gw->vsock : gw->sock; }

static void gw_send(void *ctx, uint64_t peer, const uint8_t *msg, size_t len)
{
    sim_gw *gw = ctx;
    uint8_t buf[ESP_NON_ESP_MARKER_LEN + IKE_MAX_MSG];
    sim_tell(&gw->listener, &(sim_trace){.type = SIM_TR_IKE_SENT, .node = gw, .peer = peer, .bytes = msg, .len = len});
    if (!natt(gw)) {
        ns3_udp_send(out_sock(gw), sim_peer_addr(peer), sim_peer_port(peer), msg, len);
        return;
    }
    size_t n;
    if (esp_udp_frame_ike(msg, len, buf, sizeof buf, &n) == ESP_OK)
        ns3_udp_send(out_sock(gw), sim_peer_addr(peer), sim_peer_port(peer), buf, n);
}

static void gw_random(void *ctx, uint8_t *out, size_t len)
{
    sim_gw *gw = ctx;
    if (sim_rng_bytes(gw->rng, out, len) != 0)
        g_error("random generator failed"); /* OpenSSL broken: nothing sane to do */
}

static void rearm(sim_gw *gw)
{
    uint64_t d = ike_ep_next_deadline(gw->ep), now = ns3_now_ns();
    if (d == UINT64_MAX)
        ns3_timer_stop(&gw->timer);
    else
        ns3_timer_start(&gw->timer, d > now ? d - now : 0);
}

/* After every call into the model: what its events asked for, then the
 * timer for the endpoint's next deadline. */
static void settle(sim_gw *gw)
{
    if (!gw->ep)
        return;
    if (gw->reinitiate && !sim_outbound_pick(&gw->out) && !gw->acquiring)
        sim_gw_initiate(gw);
    gw->reinitiate = false;
    rearm(gw);
}

/* sa receives on spi (one that had it before goes). */
static void esp_in_put(sim_gw *gw, uint32_t spi, esp_sa *sa, bool sendable)
{
    esp_sa *prev = g_hash_table_lookup(gw->esp_in, GUINT_TO_POINTER(spi));
    if (prev)
        sim_outbound_remove(&gw->out, prev);
    g_hash_table_replace(gw->esp_in, GUINT_TO_POINTER(spi), sa);
    sim_outbound_add(&gw->out, sa, sendable);
}

/* A Child SA installed: inbound now, outbound once sendable (outbound.h). */
static void child_up(sim_gw *gw, const ike_event *ev, bool sendable)
{
    esp_sa *sa;
    if (esp_sa_new(ev->child, &gw->cfg.esp, &sa) != ESP_OK)
        return;
    esp_in_put(gw, ev->child->spi_in, sa, sendable);
    char line[512];
    if (gw->esp_keylog && gw->peer && esp_keylog_line(ev->child, gw->addr, sim_peer_addr(gw->peer), line,
                                                      sizeof line) > 0)
        fprintf(gw->esp_keylog, "%s\n", line);
    gw->acquiring = false;
    if (gw->cfg.persist_child_map) {
        uint64_t *spis = g_new(uint64_t, 2);
        spis[0] = ev->spi_i;
        spis[1] = ev->spi_r;
        g_hash_table_replace(gw->child_map, GUINT_TO_POINTER(ev->child->spi_in), spis);
    }
}

static void child_down(sim_gw *gw, const ike_child *c, bool forget)
{
    esp_sa *sa = g_hash_table_lookup(gw->esp_in, GUINT_TO_POINTER(c->spi_in));
    if (!sa)
        return;
    sim_outbound_remove(&gw->out, sa);
    g_hash_table_remove(gw->esp_in, GUINT_TO_POINTER(c->spi_in));
    if (forget)
        g_hash_table_remove(gw->child_map, GUINT_TO_POINTER(c->spi_in));
}


static void keylog_sa(sim_gw *gw, const ike_sa *sa)
{
    char line[512];
    if (!gw->keylog || ike_keylog_line(sa, line, sizeof line) <= 0)
        return;
    if (!gw->keyed)
        gw->keyed = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    uint64_t *spi = g_new(uint64_t, 1);
    *spi = ike_sa_spi_i(sa);
    g_hash_table_add(gw->keyed, spi);
    fprintf(gw->keylog, "%s\n", line);
}

static void gw_event(void *ctx, const ike_event *ev)
{
    sim_gw *gw = ctx;
    switch (ev->type) {
    case IKE_EV_SA_REKEYED: /* new SPIs: the persisted map and the key table follow */
        if (ev->child && gw->cfg.persist_child_map) {
            uint64_t *spis = g_hash_table_lookup(gw->child_map, GUINT_TO_POINTER(ev->child->spi_in));
            if (spis) {
                spis[0] = ev->spi_i;
                spis[1] = ev->spi_r;
            }
        }
        /* fall through */
    case IKE_EV_SA_ESTABLISHED:
        keylog_sa(gw, ev->sa);
        break;
    case IKE_EV_MSG_SENT: /* the redundant SA of a rekey collision has a line only for its Delete */
    case IKE_EV_MSG_RECEIVED:
        if (gw->keylog && ev->sa && ev->exchange == IKE_INFORMATIONAL &&
            !(gw->keyed && g_hash_table_contains(gw->keyed, &ev->spi_i)))
            keylog_sa(gw, ev->sa);
        break;
    case IKE_EV_CHILD_ESTABLISHED:
        child_up(gw, ev, true);
        break;
    case IKE_EV_CHILD_REKEYED:
        child_up(gw, ev, ev->child_outbound);
        break;
    case IKE_EV_CHILD_REMOVED: /* a crash (shutdown) leaves the persisted map alone */
        child_down(gw, ev->child, ev->reason != IKE_DEL_SHUTDOWN);
        break;
    case IKE_EV_REAUTH_INITIATED: /* the model started it: no acquire meanwhile */
        gw->acquiring = true;
        break;
    case IKE_EV_HA_REPLAY_DELTA: {
        /* the member asked us to jump our outbound numbers (RFC 6311 §5.2) */
        const ike_child *c = ike_sa_child(ev->sa);
        esp_sa *sa = c ? g_hash_table_lookup(gw->esp_in, GUINT_TO_POINTER(c->spi_in)) : NULL;
        if (sa)
            esp_sa_skip(sa, ev->ha_delta);
        break;
    }
    case IKE_EV_SA_DELETED:
        if (ev->child) /* a crash (shutdown) leaves the persisted map alone */
            child_down(gw, ev->child, ev->reason != IKE_DEL_SHUTDOWN);
        if (ike_sa_is_initiator(ev->sa) && !ike_sa_established(ev->sa))
            gw->acquiring = false; /* our initiation failed */
        break;
    default:
        break;
    }
    sim_tell(&gw->listener, &(sim_trace){.type = SIM_TR_IKE_EVENT, .node = gw, .ike = ev});
    /* start again if so configured, once the model call returned (settle) */
    if (ev->type == IKE_EV_SA_DELETED && ike_del_peer_dead(ev->reason) && gw->cfg.reinitiate_on_dead &&
        gw->cfg.establish != SIM_EST_NEVER)
        gw->reinitiate = true;
}

static void on_timer(void *arg)
{
    sim_gw *gw = arg;
    ike_ep_handle_timeout(gw->ep, ns3_now_ns());
    settle(gw);
}

static void on_esp(sim_gw *gw, const uint8_t *data, size_t len, uint64_t from)
{
    uint32_t spi;
    if (esp_peek_spi(data, len, &spi) != ESP_OK)
        return;
    esp_sa *sa = g_hash_table_lookup(gw->esp_in, GUINT_TO_POINTER(spi));
    if (sa)
        ike_ep_esp_arrived(gw->ep, ns3_now_ns(), spi); /* a lazy sync may wait for it */
    if (!sa) {
        if (len >= 8)
            sim_tell(&gw->listener, &(sim_trace){.type = SIM_TR_ESP_UNKNOWN, .node = gw, .addr = sim_peer_addr(from),
                                                 .spi = spi, .seq = (uint64_t)data[4] << 24 | data[5] << 16 |
                                                                   data[6] << 8 | data[7]});
        if (gw->cfg.answer_invalid_spi) {
            const uint64_t *parent = gw->cfg.persist_child_map
                                         ? g_hash_table_lookup(gw->child_map, GUINT_TO_POINTER(spi))
                                         : NULL;
            ike_ep_invalid_spi(gw->ep, ns3_now_ns(), from, spi, parent);
        }
        return;
    }
    uint8_t plain[2048];
    esp_rx rx;
    int rc = len > sizeof plain ? ESP_E_BAD_LENGTH : esp_sa_open(sa, data, len, plain, sizeof plain, &rx);
    if (rc != ESP_OK) {
        sim_tell(&gw->listener,
                 &(sim_trace){.type = SIM_TR_ESP_REFUSED, .node = gw, .addr = sim_peer_addr(from), .spi = spi, .err = rc});
        return;
    }
    esp_app_pkt inner;
    size_t inner_len;
    if (rx.next_header != ESP_NH_IPV4 || esp_inner_parse(rx.payload, rx.len, &inner, &inner_len) != ESP_OK)
        return;
    /* authenticated traffic on a Child SA proves its IKE SA alive */
    ike_ep_esp_seen(gw->ep, ns3_now_ns(), spi);
    sim_app_pkt pkt = {inner.flow, inner.seq, inner.sent_ns, inner_len, sim_peer_addr(from), spi, rx.seq};
    sim_tell(&gw->listener, &(sim_trace){.type = SIM_TR_DELIVERED, .node = gw, .app = &pkt});
}

static void on_ike(sim_gw *gw, const uint8_t *msg, size_t len, uint64_t from)
{
    sim_tell(&gw->listener, &(sim_trace){.type = SIM_TR_IKE_RECEIVED, .node = gw, .peer = from, .bytes = msg, .len = len});
    ike_ep_receive(gw->ep, ns3_now_ns(), from, msg, len);
}

static void on_datagram(void *arg, const uint8_t *data, size_t len, uint32_t src, uint16_t sport)
{
    sim_gw *gw = arg;
    uint64_t from = sim_peer(src, sport);
    if (!gw->ep)
        return;
    esp_udp_kind kind;
    const uint8_t *body;
    size_t body_len;
    if (!natt(gw)) {
        on_ike(gw, data, len, from);
    } else if (esp_udp_classify(data, len, &kind, &body, &body_len) == ESP_OK) {
        if (kind == ESP_UDP_IKE)
            on_ike(gw, body, body_len, from);
        else if (kind == ESP_UDP_ESP)
            on_esp(gw, body, body_len, from);
    }
    settle(gw);
}

static void esp_random(void *ctx, uint8_t *out, size_t len) { gw_random(ctx, out, len); }

static bool gw_alive_elsewhere(void *ctx, uint64_t spi_i, uint64_t spi_r)
{
    sim_gw *gw = ctx;
    return gw->alive_elsewhere(gw->cluster_arg, spi_i, spi_r);
}

void sim_gw_set_cluster(sim_gw *gw, bool (*alive_elsewhere)(void *arg, uint64_t spi_i, uint64_t spi_r),
                        void *arg)
{
    gw->alive_elsewhere = alive_elsewhere;
    gw->cluster_arg = arg;
}

void sim_resume_setup(const sim_gw_cfg *c, ike_ticket_keys *keys, sim_rng *rng, ike_cfg *ike)
{
    uint8_t id[IKE_TICKET_KEY_ID_LEN], key[IKE_TICKET_KEY_LEN];
    if (sim_rng_bytes(rng, id, sizeof id) != 0 || sim_rng_bytes(rng, key, sizeof key) != 0)
        g_error("random generator failed");
    ike_ticket_keys_init(keys, id, key);
    ike->resume = (ike_resume_cfg){.client = true, .timeout_ms = c->resume_timeout_ms, .keys = keys,
                                   .lifetime_s = c->ticket_lifetime_ms / 1000, .roll_s = c->ticket_roll_ms / 1000,
                                   .grace_s = c->ticket_grace_ms / 1000};
}

static void daemon_start(void *arg);

sim_gw *sim_gw_new(ns3_node_id node, uint32_t addr, uint16_t port, const sim_gw_cfg *cfg,
                   uint64_t seed, uint64_t run, uint64_t stream)
{
    sim_gw *gw = g_new0(sim_gw, 1);
    gw->node = node;
    gw->addr = addr;
    gw->port = port;
    gw->vsock = -1;
    gw->cfg = *cfg;
    gw->cfg.esp.rand_ctx = gw;
    gw->cfg.esp.random = esp_random;
    qcd_secrets_init(&gw->secrets, cfg->qcd_secret);
    gw->cfg.ike.qcd.secrets = &gw->secrets;
    gw->child_map = g_hash_table_new_full(NULL, NULL, NULL, g_free);
    gw->rng = sim_rng_new(seed, run, stream);
    if (gw->rng && cfg->resume)
        sim_resume_setup(cfg, &gw->ticket_keys, gw->rng, &gw->cfg.ike);
    gw->sock = gw->rng ? ns3_udp_open(node, port, on_datagram, gw) : -1;
    if (gw->sock < 0 || ike_cfg_check(&gw->cfg.ike) != IKE_OK) {
        sim_gw_free(gw);
        return NULL;
    }
    ns3_timer_init(&gw->timer, node, on_timer, gw);
    ns3_timer_init(&gw->start, node, daemon_start, gw);
    return gw;
}

/* Everything volatile goes: SAs, keys, timers. */
static void wipe(sim_gw *gw)
{
    ns3_timer_stop(&gw->timer);
    ns3_timer_stop(&gw->start);
    if (gw->ep) {
        ike_ep *ep = gw->ep;
        gw->ep = NULL; /* shutdown events must not re-initiate */
        ike_ep_free(ep, ns3_now_ns());
    }
    if (gw->esp_in)
        g_hash_table_destroy(gw->esp_in);
    gw->esp_in = NULL;
    sim_outbound_clear(&gw->out);
    gw->acquiring = gw->reinitiate = false;
}

void sim_gw_free(sim_gw *gw)
{
    if (!gw)
        return;
    wipe(gw);
    g_hash_table_destroy(gw->child_map);
    if (gw->keyed)
        g_hash_table_destroy(gw->keyed);
    sim_rng_free(gw->rng);
    g_free(gw);
}

void sim_gw_listen(sim_gw *gw, const sim_listener *l) { gw->listener = *l; }
void sim_gw_keylog(sim_gw *gw, FILE *f) { gw->keylog = f; }
void sim_gw_esp_keylog(sim_gw *gw, FILE *f) { gw->esp_keylog = f; }
void sim_gw_set_establish(sim_gw *gw, sim_establish e) { gw->cfg.establish = e; }
void sim_gw_set_peer(sim_gw *gw, uint32_t addr, uint16_t port) { gw->peer = sim_peer(addr, port); }

/* The IKE daemon runs: it has loaded its configuration and initiates
 * where its policy says so. */
static void daemon_start(void *arg)
{
    sim_gw *gw = arg;
    ike_cfg ike = gw->cfg.ike;
    ike.qcd.boot_ns = ns3_now_ns();
    ike_io io = {.ctx = gw, .send = gw_send, .random = gw_random, .event = gw_event,
                 .sa_alive_elsewhere = gw->alive_elsewhere ? gw_alive_elsewhere : NULL};
    gw->ep = ike_ep_new(&ike, &io);
    gw->esp_in = g_hash_table_new_full(NULL, NULL, NULL, (GDestroyNotify)esp_sa_free);
    sim_establish e = gw->cfg.establish;
    if ((e == SIM_EST_AT_BOOT || (e == SIM_EST_AT_REBOOT && gw->boots > 1)) && gw->peer)
        sim_gw_initiate(gw);
}

void sim_gw_boot(sim_gw *gw)
{
    wipe(gw);
    ns3_node_revive(gw->node);
    gw->up = true;
    gw->boots++;
    if (gw->cfg.boot_delay_ns)
        ns3_timer_start(&gw->start, gw->cfg.boot_delay_ns);
    else
        daemon_start(gw);
}

void sim_gw_crash(sim_gw *gw)
{
    gw->up = false;
    ns3_node_crash(gw->node);
    wipe(gw);
    if (!gw->cfg.persist_child_map)
        g_hash_table_remove_all(gw->child_map);
}

bool sim_gw_is_up(const sim_gw *gw) { return gw->up; }

ike_sa *sim_gw_initiate(sim_gw *gw)
{
    if (!gw->ep || !gw->peer || !gw->cfg.can_initiate)
        return NULL;
    ike_sa *sa = gw->cfg.resume ? ike_ep_resume(gw->ep, ns3_now_ns(), gw->peer) : NULL;
    if (!sa)
        sa = ike_ep_initiate(gw->ep, ns3_now_ns(), gw->peer);
    gw->acquiring = sa != NULL;
    rearm(gw);
    return sa;
}

int sim_gw_delete(sim_gw *gw, ike_sa *sa)
{
    if (!gw->ep)
        return IKE_E_STATE;
    int rc = ike_ep_delete(gw->ep, sa, ns3_now_ns());
    settle(gw);
    return rc;
}

int sim_gw_rekey_ike(sim_gw *gw, ike_sa *sa)
{
    if (!gw->ep)
        return IKE_E_STATE;
    int rc = ike_ep_rekey_ike(gw->ep, sa, ns3_now_ns());
    settle(gw);
    return rc;
}

bool sim_gw_send_app(sim_gw *gw, uint32_t flow, uint64_t seq, size_t len)
{
    if (!gw->up || !gw->ep)
        return false;
    esp_sa *out = sim_outbound_pick(&gw->out);
    if (!out) {
        /* the acquire: any gateway that may initiate does so for traffic
         * that finds no SA (after a dead peer without reinitiate_on_dead,
         * this is how it waits for traffic), unless its IKE SA is getting
         * a new Child SA */
        if (gw->cfg.establish != SIM_EST_NEVER && !gw->acquiring && !ike_ep_child_coming(gw->ep, gw->peer))
            sim_gw_initiate(gw);
        return false;
    }
    uint8_t inner[1500], pkt[1600];
    size_t pkt_len;
    esp_app_pkt in = {.src = gw->addr, .dst = sim_peer_addr(gw->peer), .sport = 9, .dport = 9,
                      .flow = flow, .seq = seq, .sent_ns = ns3_now_ns()};
    uint64_t esp_seq = esp_sa_next_seq(out);
    if (len > sizeof inner || esp_inner_build(&in, len, inner, sizeof inner) != ESP_OK ||
        esp_sa_seal(out, ESP_NH_IPV4, inner, len, pkt, sizeof pkt, &pkt_len) != ESP_OK)
        return false;
    sim_tell(&gw->listener, &(sim_trace){.type = SIM_TR_ESP_SENT, .node = gw, .spi = esp_sa_spi_out(out),
                                         .seq = esp_seq, .bytes = pkt, .len = pkt_len});
    return ns3_udp_send(out_sock(gw), sim_peer_addr(gw->peer), sim_peer_port(gw->peer), pkt, pkt_len) == NS3_OK;
}

typedef struct {
    GArray *ike;
} snap_ctx;

static void snap_sa(void *arg, ike_sa *sa)
{
    snap_ctx *c = arg;
    ike_sa_state st;
    if (ike_sa_export(sa, &st) == IKE_OK)
        g_array_append_val(c->ike, st);
}

void sim_gw_snapshot(sim_gw *gw, GArray *ike, GArray *esp)
{
    if (!gw->ep)
        return;
    snap_ctx c = {ike};
    ike_ep_foreach(gw->ep, snap_sa, &c);
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, gw->esp_in);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        esp_sa_state st;
        if (esp_sa_export(v, &st) == ESP_OK)
            g_array_append_val(esp, st);
    }
}

bool sim_gw_snapshot_sa(sim_gw *gw, ike_sa *sa, ike_sa_state *ike, esp_sa_state *esp, bool *has_esp)
{
    memset(ike, 0, sizeof *ike); /* the bytes travel: no stale padding */
    memset(esp, 0, sizeof *esp);
    *has_esp = false;
    if (!gw->ep || ike_sa_export(sa, ike) != IKE_OK)
        return false;
    const ike_child *c = ike_sa_child(sa);
    esp_sa *e = c ? g_hash_table_lookup(gw->esp_in, GUINT_TO_POINTER(c->spi_in)) : NULL;
    *has_esp = e && esp_sa_export(e, esp) == ESP_OK;
    return true;
}

size_t sim_gw_restore(sim_gw *gw, const GArray *ike, const GArray *esp, const sim_gw_restore_cfg *rc)
{
    if (!gw->ep)
        return 0;
    uint64_t now = ns3_now_ns();
    size_t n = 0;
    for (guint i = 0; i < esp->len; i++) {
        const esp_sa_state *st = &g_array_index(esp, esp_sa_state, i);
        esp_sa *sa;
        if (esp_sa_import(st, &gw->cfg.esp, &sa) != ESP_OK)
            continue;
        /* numbers the old member may have used after the replication must
         * not be sent again: under AES-GCM that would repeat a nonce */
        esp_sa_skip(sa, rc->esp_jump);
        if (rc->rx_strict)
            esp_sa_rx_advance(sa, rc->esp_jump, ESP_RX_STRICT);
        esp_in_put(gw, esp_sa_spi_in(sa), sa, true);
    }
    for (guint i = 0; i < ike->len; i++) {
        const ike_sa_state *st = &g_array_index(ike, ike_sa_state, i);
        ike_sa *sa = ike_ep_import(gw->ep, now, st->peer, st);
        if (!sa)
            continue;
        n++;
        if (rc->sync && ike_sa_mid_sync(sa))
            ike_ep_ha_takeover(gw->ep, sa, now, rc->esp_jump, rc->lazy_sync);
    }
    settle(gw);
    return n;
}

bool sim_gw_claim(sim_gw *gw, uint32_t vip)
{
    if (gw->vsock < 0)
        gw->vsock = ns3_udp_open_at(gw->node, vip, gw->port, on_datagram, gw);
    if (gw->vsock < 0)
        return false;
    gw->addr = vip;
    return true;
}

ike_ep *sim_gw_ep(sim_gw *gw) { return gw->ep; }
ns3_node_id sim_gw_node(const sim_gw *gw) { return gw->node; }
uint32_t sim_gw_addr(const sim_gw *gw) { return gw->addr; }

bool sim_gw_holds(const sim_gw *gw, uint64_t spi_i, uint64_t spi_r)
{
    if (!gw->ep)
        return false;
    ike_sa *sa = ike_ep_find_pair(gw->ep, spi_i, spi_r);
    return sa && ike_sa_established(sa);
}
