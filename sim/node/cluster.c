#include "cluster.h"

#include <math.h>
#include <string.h>

#include "rng.h"

#define NS 1e9
#define CTL_PORT 7400 /* heartbeats and replication between members */

/* Member-link messages.  The record formats are private to the cluster, as
 * in every product: a replication record carries the state structs' bytes
 * (zeroed before export, so no stale padding travels). */
enum { MSG_HEARTBEAT = 'H', MSG_REPLICA = 'R', MSG_DELETE = 'X', MSG_HDR = 4 };

typedef struct replica {
    ike_sa_state ike;
    esp_sa_state esp;
    bool has_esp;
    uint64_t at_ns;   /* when it arrived */
    double rate_pps;  /* outbound ESP rate seen between replicas; < 0: unknown */
} replica;

typedef struct member {
    sim_cluster *c;
    unsigned k;
    sim_gw *gw;
    ns3_node_id node;
    int link;                          /* to the router */
    int ctl;                           /* control socket */
    bool active;                       /* believes it holds the address */
    bool claiming;                     /* a takeover is scheduled */
    bool has_vip;
    uint64_t heard_ns[SIM_MAX_MEMBERS];
    bool heard_active[SIM_MAX_MEMBERS];
    ns3_timer hb_timer, sync_timer, claim_timer;
    uint32_t pkts;                     /* ESP packets since the last replication */
    GHashTable *replicas;              /* spi_i -> replica */
} member;

struct sim_cluster {
    sim_standby_cfg cfg;
    sim_cluster_world world;
    sim_listener listener; /* the world's */
    unsigned n;
    member m[SIM_MAX_MEMBERS];
    int mlink[SIM_MAX_MEMBERS][SIM_MAX_MEMBERS]; /* member links, [i][j] with i < j */
    unsigned holder;          /* the router steers the address here */
    int last_crashed;
    unsigned takeovers, pick;
    sim_rng *rng;             /* replication losses */
};

/* --- the world's listener, seen through the cluster --- */

static member *of(sim_cluster *c, sim_gw *gw)
{
    for (unsigned k = 0; k < c->n; k++)
        if (c->m[k].gw == gw)
            return &c->m[k];
    return NULL;
}

static void replicate_all(member *m);
static void replicate_sa(member *m, ike_sa *sa);

static void count_packet(member *m)
{
    const sim_standby_cfg *cfg = &m->c->cfg;
    if (m->active && cfg->ha != SIM_HA_NONE && cfg->sync_packets && ++m->pkts >= cfg->sync_packets)
        replicate_all(m);
}

static void send_ctl(member *m, unsigned to, const uint8_t *msg, size_t len)
{
    sim_cluster *c = m->c;
    int l = m->k < to ? c->mlink[m->k][to] : c->mlink[to][m->k];
    ns3_udp_send(m->ctl, ns3_link_addr(l, to > m->k), CTL_PORT, msg, len);
}

/* What the active member's IKE events mean to the others. */
static void member_event(sim_cluster *c, member *m, const ike_event *ev)
{
    if (!m->active || c->cfg.ha == SIM_HA_NONE)
        return;
    if (ev->type == IKE_EV_HA_SYNC_SENT && c->cfg.replicate_sync)
        replicate_sa(m, ev->sa); /* the next member must sync above these values */
    bool rekeyed = ev->type == IKE_EV_SA_REKEYED; /* the replica of the old SPIs goes, the new SA's comes */
    if (rekeyed)
        replicate_sa(m, ev->sa);
    if (rekeyed || (ev->type == IKE_EV_SA_DELETED && ev->reason != IKE_DEL_SHUTDOWN && ike_sa_established(ev->sa))) {
        uint8_t msg[MSG_HDR + 16] = {MSG_DELETE, (uint8_t)m->k};
        memcpy(msg + MSG_HDR, rekeyed ? &ev->old_spi_i : &ev->spi_i, 8);
        memcpy(msg + MSG_HDR + 8, rekeyed ? &ev->old_spi_r : &ev->spi_r, 8);
        for (unsigned j = 0; j < c->n; j++)
            if (j != m->k)
                send_ctl(m, j, msg, sizeof msg);
    }
}

/* A member's trace: what the cluster makes of it, then on to the world. */
static void on_trace(void *arg, const sim_trace *t)
{
    sim_cluster *c = arg;
    member *m = of(c, t->node);
    if (m && (t->type == SIM_TR_DELIVERED || t->type == SIM_TR_ESP_SENT))
        count_packet(m);
    if (m && t->type == SIM_TR_IKE_EVENT)
        member_event(c, m, t->ike);
    sim_tell(&c->listener, t);
}

/* --- replication --- */

static bool lost(sim_cluster *c) { return sim_rng_uniform(c->rng) < c->cfg.sync_loss; }

static void replicate_sa(member *m, ike_sa *sa)
{
    sim_cluster *c = m->c;
    enum { LEN = MSG_HDR + sizeof(ike_sa_state) + sizeof(esp_sa_state) };
    G_STATIC_ASSERT(LEN <= NS3_UDP_MAX_PAYLOAD);
    uint8_t *msg = g_malloc0(LEN);
    ike_sa_state ike;
    esp_sa_state esp;
    bool has_esp;
    if (sim_gw_snapshot_sa(m->gw, sa, &ike, &esp, &has_esp)) {
        msg[0] = MSG_REPLICA;
        msg[1] = (uint8_t)m->k;
        msg[2] = has_esp;
        memcpy(msg + MSG_HDR, &ike, sizeof ike);
        memcpy(msg + MSG_HDR + sizeof ike, &esp, sizeof esp);
        size_t len = MSG_HDR + sizeof ike + (has_esp ? sizeof esp : 0);
        for (unsigned j = 0; j < c->n; j++)
            if (j != m->k && !lost(c))
                send_ctl(m, j, msg, len);
    }
    memset(&ike, 0, sizeof ike); /* keys */
    memset(&esp, 0, sizeof esp);
    memset(msg, 0, LEN);
    g_free(msg);
}

static void replicate_one(void *arg, ike_sa *sa)
{
    if (ike_sa_established(sa))
        replicate_sa(arg, sa);
}

static void replicate_all(member *m)
{
    ike_ep *ep = sim_gw_ep(m->gw);
    m->pkts = 0;
    if (ep)
        ike_ep_foreach(ep, replicate_one, m);
}

static void on_sync_timer(void *arg)
{
    member *m = arg;
    if (!m->active)
        return;
    replicate_all(m);
    ns3_timer_start(&m->sync_timer, (uint64_t)llround(m->c->cfg.sync_interval_s * NS));
}

static void start_replication(member *m)
{
    const sim_standby_cfg *cfg = &m->c->cfg;
    if (cfg->ha != SIM_HA_NONE && cfg->sync_interval_s > 0)
        ns3_timer_start(&m->sync_timer, (uint64_t)llround(cfg->sync_interval_s * NS));
}

static void store_replica(member *m, const uint8_t *data, size_t len)
{
    bool has_esp = data[2] != 0;
    if (len != MSG_HDR + sizeof(ike_sa_state) + (has_esp ? sizeof(esp_sa_state) : 0))
        return;
    replica *r = g_new0(replica, 1);
    memcpy(&r->ike, data + MSG_HDR, sizeof r->ike);
    if (has_esp)
        memcpy(&r->esp, data + MSG_HDR + sizeof r->ike, sizeof r->esp);
    r->has_esp = has_esp;
    r->at_ns = ns3_now_ns();
    r->rate_pps = -1;
    replica *old = g_hash_table_lookup(m->replicas, &r->ike.spi_i);
    if (old) {
        r->rate_pps = old->rate_pps;
        if (old->has_esp && has_esp && r->at_ns > old->at_ns && r->esp.spi_out == old->esp.spi_out &&
            r->esp.tx_next >= old->esp.tx_next)
            r->rate_pps = (double)(r->esp.tx_next - old->esp.tx_next) / ((double)(r->at_ns - old->at_ns) / NS);
    }
    g_hash_table_replace(m->replicas, &r->ike.spi_i, r);
}

static void free_replica(gpointer p)
{
    memset(p, 0, sizeof(replica)); /* keys */
    g_free(p);
}

/* --- takeover --- */

static gint by_spi(gconstpointer a, gconstpointer b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Numbers the old member may have sent since the replica: twice what its
 * rate allows in the replica's age, or 2^30 when the rate is unknown. */
static uint64_t jump_for(const sim_cluster *c, const replica *r)
{
    if (!c->cfg.esp_jump_auto)
        return c->cfg.esp_jump;
    if (r->rate_pps < 0)
        return 1u << 30;
    double age = (double)(ns3_now_ns() - r->at_ns) / NS;
    return (uint64_t)ceil(2 * r->rate_pps * age) + 64;
}

static void restore_replicas(member *m)
{
    sim_cluster *c = m->c;
    GArray *ike = g_array_sized_new(FALSE, TRUE, sizeof(ike_sa_state), 1);
    GArray *esp = g_array_sized_new(FALSE, TRUE, sizeof(esp_sa_state), 1);
    /* in SPI order, so a run does not depend on hash-table order */
    GList *keys = g_list_sort(g_hash_table_get_keys(m->replicas), by_spi);
    for (GList *l = keys; l; l = l->next) {
        const replica *r = g_hash_table_lookup(m->replicas, l->data);
        g_array_set_size(ike, 0);
        g_array_set_size(esp, 0);
        g_array_append_val(ike, r->ike);
        if (r->has_esp)
            g_array_append_val(esp, r->esp);
        sim_gw_restore_cfg rc = {.esp_jump = jump_for(c, r),
                                 .sync = c->cfg.ha == SIM_HA_RFC6311,
                                 .lazy_sync = c->cfg.sync_trigger == SIM_SYNC_ON_TRAFFIC,
                                 .rx_strict = c->cfg.rx_strict};
        sim_gw_restore(m->gw, ike, esp, &rc);
    }
    g_list_free(keys);
    memset(ike->data, 0, ike->len * sizeof(ike_sa_state));
    memset(esp->data, 0, esp->len * sizeof(esp_sa_state));
    g_array_free(ike, TRUE);
    g_array_free(esp, TRUE);
    g_hash_table_remove_all(m->replicas);
}

/* The router steers the address to m (a gratuitous ARP, in a LAN). */
static void steer_to(member *m)
{
    sim_cluster *c = m->c;
    if (!m->has_vip && m->k != 0) {
        ns3_node_add_address(m->node, m->link, c->world.vip);
        m->has_vip = true;
    }
    sim_gw_claim(m->gw, c->world.vip);
    ns3_route_del(c->world.router, c->world.vip, 0xffffffff);
    ns3_route_add(c->world.router, c->world.vip, 0xffffffff, ns3_link_addr(m->link, 0));
    c->holder = m->k;
}

static void take_over(void *arg)
{
    member *m = arg;
    sim_cluster *c = m->c;
    m->claiming = false;
    if (!sim_gw_is_up(m->gw) || m->active)
        return;
    m->active = true; /* before the sync goes out: its values are replicated */
    steer_to(m);      /* ...and from the address */
    sim_tell(&c->listener, &(sim_trace){.type = SIM_TR_TOOK_OVER, .node = m->gw});
    if (c->cfg.ha != SIM_HA_NONE)
        restore_replicas(m);
    c->takeovers++;
    start_replication(m);
}

static void claim(member *m)
{
    m->claiming = true;
    ns3_timer_start(&m->claim_timer, (uint64_t)llround(m->c->cfg.takeover_s * NS));
}

/* Without heartbeats the cluster knows of a crash at once: the lowest
 * live standby claims. */
static void claim_by_oracle(sim_cluster *c)
{
    for (unsigned k = 0; k < c->n; k++)
        if (sim_gw_is_up(c->m[k].gw) && !c->m[k].active) {
            if (!c->m[k].claiming)
                claim(&c->m[k]);
            return;
        }
}

/* --- heartbeats --- */

static void yield(member *m)
{
    /* back to standby: its state is stale or contested; it starts over and
     * learns the active member's SAs from replication */
    m->active = false;
    ns3_timer_stop(&m->sync_timer);
    sim_gw_set_establish(m->gw, SIM_EST_NEVER);
    sim_gw_crash(m->gw);
    sim_gw_boot(m->gw);
    ns3_timer_start(&m->hb_timer, 0);
}

static void on_heartbeat_timer(void *arg)
{
    member *m = arg;
    sim_cluster *c = m->c;
    uint64_t now = ns3_now_ns(), timeout = (uint64_t)llround(c->cfg.heartbeat_timeout_s * NS);
    uint8_t hb[MSG_HDR] = {MSG_HEARTBEAT, (uint8_t)m->k, m->active};
    for (unsigned j = 0; j < c->n; j++)
        if (j != m->k)
            send_ctl(m, j, hb, sizeof hb);
    if (!m->active && !m->claiming && !c->cfg.load_sharing) {
        bool active_heard = false, lower_standby = false;
        for (unsigned j = 0; j < c->n; j++) {
            if (j == m->k || now - m->heard_ns[j] > timeout)
                continue;
            active_heard |= m->heard_active[j];
            lower_standby |= j < m->k && !m->heard_active[j];
        }
        if (!active_heard && !lower_standby)
            claim(m);
    }
    ns3_timer_start(&m->hb_timer, (uint64_t)llround(c->cfg.heartbeat_s * NS));
}

static void on_ctl(void *arg, const uint8_t *data, size_t len, uint32_t src, uint16_t sport)
{
    member *m = arg;
    sim_cluster *c = m->c;
    (void)src;
    (void)sport;
    if (len < MSG_HDR || data[1] >= c->n || data[1] == m->k)
        return;
    unsigned from = data[1];
    switch (data[0]) {
    case MSG_HEARTBEAT:
        m->heard_ns[from] = ns3_now_ns();
        m->heard_active[from] = data[2] != 0;
        /* a split brain heals: the higher-numbered active member yields,
         * and the other claims the address back */
        if (m->active && data[2] && from < m->k)
            yield(m);
        else if (m->active && data[2] && from > m->k && c->holder != m->k)
            steer_to(m);
        break;
    case MSG_REPLICA:
        if (!m->active)
            store_replica(m, data, len);
        break;
    case MSG_DELETE:
        if (!m->active && len == MSG_HDR + 16) {
            uint64_t spi_i;
            memcpy(&spi_i, data + MSG_HDR, 8);
            g_hash_table_remove(m->replicas, &spi_i);
        }
        break;
    default:
        break;
    }
}

/* --- the cluster --- */

static bool alive_on_first(void *arg, uint64_t spi_i, uint64_t spi_r)
{
    sim_cluster *c = arg;
    return sim_gw_holds(c->m[0].gw, spi_i, spi_r);
}

sim_cluster *sim_cluster_new(const sim_standby_cfg *cfg, sim_gw *first, const sim_gw_cfg *member_cfg,
                             const sim_cluster_world *world)
{
    if (cfg->members < 2 || cfg->members > SIM_MAX_MEMBERS)
        return NULL;
    sim_cluster *c = g_new0(sim_cluster, 1);
    c->cfg = *cfg;
    c->world = *world;
    c->listener = *world->listener;
    c->n = cfg->members;
    c->last_crashed = -1;
    c->rng = sim_rng_new(world->seed, world->run, 3000);
    sim_listener l = {.arg = c, .on = on_trace};
    ns3_link_cfg inner = *world->link, ml = {.rate_bps = 1000000000, .delay_ns = 100000, .queue_pkts = 1000};
    inner.loss = 0;
    bool ok = c->rng != NULL;
    for (unsigned k = 0; k < c->n && ok; k++) {
        member *m = &c->m[k];
        *m = (member){.c = c, .k = k, .ctl = -1};
        m->replicas = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, free_replica);
        if (k == 0) {
            m->gw = first;
            m->node = sim_gw_node(first);
            m->link = world->first_link;
            m->active = m->has_vip = true;
        } else {
            sim_gw_cfg mc = *member_cfg;
            if (!cfg->share_secret)
                mc.qcd_secret[0] ^= (uint8_t)(0xff - k + 1);
            m->node = ns3_node_create();
            m->link = ns3_link_create(m->node, world->router, &inner);
            m->gw = m->link < 0 ? NULL
                                : sim_gw_new(m->node, ns3_link_addr(m->link, 0), world->port, &mc, world->seed,
                                             world->run, 2 + (k - 1) * 16);
            ok = m->gw != NULL;
            if (!ok)
                break;
            sim_gw_keylog(m->gw, world->keylog);
            sim_gw_esp_keylog(m->gw, world->esp_keylog);
            sim_gw_set_peer(m->gw, world->peer_addr, world->port);
            if (cfg->cluster_knowledge)
                sim_gw_set_cluster(m->gw, alive_on_first, c);
        }
        sim_gw_listen(m->gw, &l);
        m->ctl = ns3_udp_open(m->node, CTL_PORT, on_ctl, m);
        ok = m->ctl >= 0;
        ns3_timer_init(&m->hb_timer, m->node, on_heartbeat_timer, m);
        ns3_timer_init(&m->sync_timer, m->node, on_sync_timer, m);
        ns3_timer_init(&m->claim_timer, m->node, take_over, m);
    }
    for (unsigned i = 0; i < c->n && ok; i++)
        for (unsigned j = i + 1; j < c->n && ok; j++)
            ok = (c->mlink[i][j] = ns3_link_create(c->m[i].node, c->m[j].node, &ml)) >= 0;
    if (!ok) {
        sim_cluster_free(c);
        return NULL;
    }
    for (unsigned k = 1; k < c->n; k++)
        sim_gw_boot(c->m[k].gw); /* up and empty; reachable only at its own address */
    return c;
}

void sim_cluster_free(sim_cluster *c)
{
    if (!c)
        return;
    for (unsigned k = 0; k < c->n; k++) {
        member *m = &c->m[k];
        ns3_timer_stop(&m->hb_timer);
        ns3_timer_stop(&m->sync_timer);
        ns3_timer_stop(&m->claim_timer);
        if (k > 0)
            sim_gw_free(m->gw);
        if (m->replicas)
            g_hash_table_destroy(m->replicas);
    }
    sim_rng_free(c->rng);
    g_free(c);
}

void sim_cluster_start(sim_cluster *c)
{
    uint64_t now = ns3_now_ns();
    for (unsigned k = 0; k < c->n; k++) {
        member *m = &c->m[k];
        for (unsigned j = 0; j < c->n; j++)
            m->heard_ns[j] = now, m->heard_active[j] = j == 0;
        if (c->cfg.heartbeat_s > 0)
            ns3_timer_start(&m->hb_timer, 0);
    }
    start_replication(&c->m[0]);
}

unsigned sim_cluster_size(const sim_cluster *c) { return c->n; }
sim_gw *sim_cluster_member(const sim_cluster *c, unsigned k) { return k < c->n ? c->m[k].gw : NULL; }
int sim_cluster_member_link(const sim_cluster *c, unsigned k) { return k < c->n ? c->m[k].link : -1; }
unsigned sim_cluster_takeovers(const sim_cluster *c) { return c->takeovers; }

sim_gw *sim_cluster_sender(sim_cluster *c)
{
    /* the inside hosts reach every member that believes it is active, in turn */
    for (unsigned i = 0; i < c->n; i++) {
        member *m = &c->m[(c->pick + i) % c->n];
        if (m->active && sim_gw_is_up(m->gw)) {
            c->pick = (m->k + 1) % c->n;
            return m->gw;
        }
    }
    return c->m[c->holder].gw;
}

void sim_cluster_crash_active(sim_cluster *c)
{
    member *m = &c->m[c->holder];
    if (!sim_gw_is_up(m->gw))
        return;
    sim_gw_crash(m->gw);
    m->active = m->claiming = false;
    c->last_crashed = (int)m->k;
    if (!c->cfg.load_sharing && c->cfg.heartbeat_s <= 0)
        claim_by_oracle(c);
}

void sim_cluster_reboot(sim_cluster *c)
{
    if (c->last_crashed < 0)
        return;
    member *m = &c->m[c->last_crashed];
    c->last_crashed = -1;
    sim_gw_set_establish(m->gw, SIM_EST_NEVER); /* a standby waits */
    sim_gw_boot(m->gw);
    uint64_t now = ns3_now_ns();
    for (unsigned j = 0; j < c->n; j++)
        m->heard_ns[j] = now, m->heard_active[j] = false;
    if (c->cfg.heartbeat_s > 0)
        ns3_timer_start(&m->hb_timer, 0);
}

void sim_cluster_set_links(sim_cluster *c, bool up)
{
    for (unsigned i = 0; i < c->n; i++)
        for (unsigned j = i + 1; j < c->n; j++)
            ns3_link_set_up(c->mlink[i][j], up);
}

bool sim_cluster_holds(const sim_cluster *c, uint64_t spi_i, uint64_t spi_r)
{
    for (unsigned k = 0; k < c->n; k++)
        if (sim_gw_is_up(c->m[k].gw) && sim_gw_holds(c->m[k].gw, spi_i, spi_r))
            return true;
    return false;
}
