/* live.c — ikesim-live: the IKEv2 model (model/ike.h) over a real UDP socket.
 *
 * The same sans-I/O endpoint that sim/gw.c binds to ns-3 is bound here to a
 * GSocket and a GLib main loop: datagrams go into ike_ep_receive, ONE timer
 * source is re-armed to ike_ep_next_deadline() after every call into the
 * model, and ike_ep_handle_timeout runs when it fires.  Time is the
 * monotonic clock in nanoseconds; randomness comes from OpenSSL's RAND_bytes
 * (keys on a real network must not be predictable).  Every model event is
 * printed as one line on stdout.  Used by the strongSwan interop tests.
 */
#include <errno.h>
#include <inttypes.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>
#include <glib-unix.h>
#include <glib.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "esp_udp.h"
#include "ike.h"
#include "ike_ha.h"
#include "live_esp.h"
#include "live_peers.h"

enum {
    EXIT_BAD_USAGE = 2,
    MAX_DATAGRAM = 65536,
    /* the responder's admission control, on by default (--help) */
    DEFAULT_COOKIE_THRESHOLD = 30, /* strongSwan's charon.cookie_threshold */
    DEFAULT_HALF_OPEN_MAX = 1000,
    TRIM_MIN_PEAK = 256,           /* SAs: below this no flood to recover from */
};

typedef enum { MARKER_AUTO, MARKER_ON, MARKER_OFF } marker_mode;
typedef enum { GOAL_NONE, GOAL_ESTABLISHED, GOAL_CHILD, GOAL_LIVENESS, GOAL_DELETED, GOAL_REKEYED } goal_kind;

typedef struct live live;

/* A bound UDP socket of the endpoint. */
typedef struct live_sock {
    live *lv;
    GSocket *sock;
    uint16_t port;
} live_sock;

struct live {
    ike_ep *ep;
    live_sock main;           /* --listen */
    live_sock natt;           /* --nat-t and --listen port 500: port 4500 of the same address
                                 (RFC 7296 2.23); else sock NULL */
    GHashTable *floated;      /* --nat-t: peer tokens (uint64_t) whose IKE SAs moved to port 4500 */
    marker_mode marker;
    GSource *timer;           /* the model's one deadline */
    GMainLoop *loop;
    gint64 t0_us;             /* printed times count from here */
    live_peers *peers;        /* token <-> address */
    GSocketAddress *local;    /* the bound address, for NAT-D */
    live_esp *esp;            /* --nat-t: ESP in UDP on the Child SAs; else NULL */
    size_t sa_peak;           /* most SAs since the memory was last given back */
    FILE *keylog;
    GHashTable *keyed;        /* SPIi of every SA with a line in keylog */
    FILE *esp_keylog;         /* Wireshark's esp_sa table, both directions of each Child SA */
    goal_kind goal;
    unsigned goal_count, answered;
    double delete_after;      /* < 0: never */
    GSList *deletes;          /* delete_job: --delete-after timers still to fire */
    ike_cfg cfg;              /* kept to start a new member on failover */
    ike_io io;
    double failover_after;    /* < 0: never */
    ike_sa_state *replica;    /* the standby's copy of the first IKE SA */
    uint64_t replica_spi;     /* its local SPI */
    int rc;
    bool done;
};

static uint64_t now_ns(void) { return (uint64_t)g_get_monotonic_time() * 1000u; }

/* --- peers: opaque tokens for the model --- */

static char *addr_str(GSocketAddress *a)
{
    return g_socket_connectable_to_string(G_SOCKET_CONNECTABLE(a));
}

/* A new reference, or NULL. */
static GSocketAddress *peer_addr(live *lv, uint64_t tok)
{
    return live_peers_addr(lv->peers, tok);
}

/* After a flood: once the SAs have fallen to half their peak (half-open
 * ones expired), the senders they named are forgotten and the freed heap
 * goes back to the system (glibc keeps it otherwise). */
static void after_flood(live *lv)
{
    size_t n = ike_ep_sa_count(lv->ep);
    if (n > lv->sa_peak)
        lv->sa_peak = n;
    if (lv->sa_peak < TRIM_MIN_PEAK || 2 * n > lv->sa_peak)
        return;
    live_peers_sweep(lv->peers, lv->ep, true);
#ifdef __GLIBC__
    malloc_trim(0);
#endif
    lv->sa_peak = n;
}

/* The non-ESP marker (4 zero octets, RFC 3948 §2.2) belongs to port 4500;
 * strongSwan's rule is wider: unless one of the two ports is 500, every IKE
 * message carries it. */
static bool uses_marker(const live_sock *ls, GSocketAddress *peer)
{
    if (ls->lv->marker != MARKER_AUTO)
        return ls->lv->marker == MARKER_ON;
    uint16_t rport = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(peer));
    return ls->port != IKE_PORT && rport != IKE_PORT;
}

/* RFC 7296 2.23 (--nat-t): from IKE_AUTH on, the messages of an IKE SA whose
 * IKE_SA_INIT found a NAT move to port 4500: ours leave from 4500 (if we
 * listen on 500) and go to the peer's 4500 if it was at 500 (as strongSwan's
 * float_ports).  Once a peer moved, so do the later exchanges with it, those
 * of a rekey's old IKE SA (which ike_ep_find does not show) included. */
static bool floats(live *lv, uint64_t peer, const uint8_t *msg, size_t len)
{
    ike_hdr h;
    if (!lv->floated || ike_parse_header(msg, len, &h) != IKE_OK || h.exchange == IKE_SA_INIT)
        return false;
    if (g_hash_table_contains(lv->floated, &peer))
        return true;
    /* the SPI is ours: the initiator's if we are the original initiator (I flag) */
    ike_sa *sa = ike_ep_find(lv->ep, h.flags & IKE_FLAG_I ? h.spi_i : h.spi_r);
    if (!sa || !ike_sa_nat_detected(sa))
        return false;
    g_hash_table_add(lv->floated, g_memdup2(&peer, sizeof peer));
    return true;
}

/* The peer's address at port 4500 if it was at 500 (a new reference). */
static GSocketAddress *at_natt_port(GSocketAddress *a)
{
    GInetSocketAddress *ia = G_INET_SOCKET_ADDRESS(a);
    if (g_inet_socket_address_get_port(ia) != IKE_PORT)
        return g_object_ref(a);
    return g_inet_socket_address_new(g_inet_socket_address_get_address(ia), IKE_NATT_PORT);
}

/* --- the model's I/O --- */

static void io_send(void *ctx, uint64_t peer, const uint8_t *msg, size_t len)
{
    live *lv = ctx;
    GSocketAddress *to = peer_addr(lv, peer);
    uint8_t buf[ESP_NON_ESP_MARKER_LEN + IKE_MAX_MSG];
    if (!to || len > IKE_MAX_MSG) {
        fprintf(stderr, "ikesim-live: cannot send to peer %016" PRIx64 "\n", peer);
        g_clear_object(&to);
        return;
    }
    const live_sock *from = &lv->main;
    if (floats(lv, peer, msg, len)) {
        GSocketAddress *moved = at_natt_port(to);
        g_object_unref(to);
        to = moved;
        if (lv->natt.sock)
            from = &lv->natt;
    }
    if (uses_marker(from, to)) {
        size_t framed;
        esp_udp_frame_ike(msg, len, buf, sizeof buf, &framed); /* fits: checked above */
        msg = buf;
        len = framed;
    }
    GError *err = NULL;
    if (g_socket_send_to(from->sock, to, (const gchar *)msg, len, NULL, &err) < 0) {
        char *s = addr_str(to);
        fprintf(stderr, "ikesim-live: send to %s: %s\n", s, err->message);
        g_free(s);
        g_error_free(err);
    }
    g_object_unref(to);
}

static void io_random(void *ctx, uint8_t *out, size_t len)
{
    (void)ctx;
    if (RAND_bytes(out, (int)len) != 1) {
        fprintf(stderr, "ikesim-live: OpenSSL RAND_bytes failed\n");
        exit(1); /* no safe way to go on without randomness */
    }
}

/* NAT-D (--nat-t): the bound address and the peer's, as the model's endpoints. */
static bool to_endpoint(GSocketAddress *a, ike_endpoint *e)
{
    GInetAddress *ia = g_inet_socket_address_get_address(G_INET_SOCKET_ADDRESS(a));
    gsize n = g_inet_address_get_native_size(ia);
    if (n != 4 && n != 16)
        return false;
    memcpy(e->addr, g_inet_address_to_bytes(ia), n);
    e->addr_len = (uint8_t)n;
    e->port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(a));
    return true;
}

static bool io_addresses(void *ctx, uint64_t peer, ike_endpoint *local, ike_endpoint *remote)
{
    live *lv = ctx;
    GSocketAddress *to = peer_addr(lv, peer);
    bool ok = to && to_endpoint(lv->local, local) && to_endpoint(to, remote);
    g_clear_object(&to);
    return ok;
}

/* Two lines of Wireshark's esp_sa table for c (installed on an SA with
 * peer): what we send and what we receive (IPv4 only). */
static void esp_keylog(live *lv, uint64_t peer, const ike_child *c)
{
    ike_endpoint l, r;
    if (!lv->esp_keylog || !io_addresses(lv, peer, &l, &r) || l.addr_len != 4 || r.addr_len != 4)
        return;
    uint32_t la = (uint32_t)l.addr[0] << 24 | l.addr[1] << 16 | l.addr[2] << 8 | l.addr[3];
    uint32_t ra = (uint32_t)r.addr[0] << 24 | r.addr[1] << 16 | r.addr[2] << 8 | r.addr[3];
    ike_child in = *c; /* the inbound half, seen as an outbound one */
    in.spi_out = c->spi_in;
    memcpy(in.key_out, c->key_in, sizeof in.key_out);
    memcpy(in.integ_out, c->integ_in, sizeof in.integ_out);
    char line[512];
    if (esp_keylog_line(c, la, ra, line, sizeof line) > 0)
        fprintf(lv->esp_keylog, "%s\n", line);
    if (esp_keylog_line(&in, ra, la, line, sizeof line) > 0)
        fprintf(lv->esp_keylog, "%s\n", line);
    fflush(lv->esp_keylog);
    OPENSSL_cleanse(&in, sizeof in);
    OPENSSL_cleanse(line, sizeof line);
}

static void finish(live *lv, int rc)
{
    if (lv->done)
        return; /* the first verdict stands */
    lv->done = true;
    lv->rc = rc;
    g_main_loop_quit(lv->loop);
}

static gboolean on_delete_timer(gpointer data);
static gboolean on_failover(gpointer data);

/* An IKE SA to delete --delete-after seconds after it was established.  The
 * ike_sa object goes on under new SPIs across IKE SA rekeys (ike.h): the
 * job holds it until IKE_EV_SA_DELETED says it is gone. */
typedef struct delete_job {
    live *lv;
    ike_sa *sa; /* NULL once deleted */
} delete_job;

static void delete_job_free(gpointer data)
{
    delete_job *job = data;
    job->lv->deletes = g_slist_remove(job->lv->deletes, job);
    g_free(job);
}

static void delete_jobs_forget(live *lv, const ike_sa *sa)
{
    for (GSList *l = lv->deletes; l; l = l->next)
        if (((delete_job *)l->data)->sa == sa)
            ((delete_job *)l->data)->sa = NULL;
}

/* A key table line for the SA's current SPIs (new ones after a rekey). */
static void keylog_sa(live *lv, const ike_sa *sa)
{
    char line[512];
    if (lv->keylog && ike_keylog_line(sa, line, sizeof line) > 0) {
        uint64_t *spi = g_new(uint64_t, 1);
        *spi = ike_sa_spi_i(sa);
        if (!lv->keyed)
            lv->keyed = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
        g_hash_table_add(lv->keyed, spi);
        fprintf(lv->keylog, "%s\n", line);
        fflush(lv->keylog);
    }
}

static void on_established(live *lv, const ike_event *ev)
{
    keylog_sa(lv, ev->sa);
    if (lv->delete_after >= 0) {
        delete_job *job = g_new(delete_job, 1);
        job->lv = lv;
        job->sa = ev->sa;
        lv->deletes = g_slist_prepend(lv->deletes, job);
        g_timeout_add_full(G_PRIORITY_DEFAULT, (guint)(lv->delete_after * 1000), on_delete_timer,
                           job, delete_job_free);
    }
    /* A cluster replicates a new IKE SA once and then lags behind: the
     * standby's copy is taken now, so at the failover its Message IDs are
     * stale by every exchange that happened in between. */
    if (lv->failover_after >= 0 && !lv->replica) {
        lv->replica = g_new0(ike_sa_state, 1);
        if (ike_sa_export(ev->sa, lv->replica) != IKE_OK) {
            fprintf(stderr, "ikesim-live: cannot replicate the IKE SA\n");
            finish(lv, 1);
            return;
        }
        lv->replica_spi = ike_sa_is_initiator(ev->sa) ? ev->spi_i : ev->spi_r;
        g_timeout_add((guint)(lv->failover_after * 1000), on_failover, lv);
    }
}

/* One line per event: seconds since start, event, SPIi, SPIr, details. */
static void io_event(void *ctx, const ike_event *ev)
{
    live *lv = ctx;
    double t = (double)((int64_t)(ev->now / 1000u) - lv->t0_us) / 1e6;
    printf("%.6f %s %016" PRIx64 " %016" PRIx64, t, ike_event_name(ev->type), ev->spi_i, ev->spi_r);
    switch (ev->type) {
    case IKE_EV_MSG_SENT:
    case IKE_EV_MSG_RECEIVED:
    case IKE_EV_MSG_DROPPED:
    case IKE_EV_RETRANSMIT:
        if (ev->exchange)
            printf(" %s %s mid=%" PRIu32, ike_exchange_name(ev->exchange),
                   ev->is_response ? "response" : "request", ev->msg_id);
        if (ev->len)
            printf(" len=%zu", ev->len);
        if (ev->type == IKE_EV_RETRANSMIT)
            printf(" count=%" PRIu32, ev->count);
        if (ev->type == IKE_EV_MSG_DROPPED)
            printf(" error=\"%s\"", ike_strerror(ev->err));
        break;
    case IKE_EV_LIVENESS_SENT:
    case IKE_EV_LIVENESS_ANSWERED:
        printf(" mid=%" PRIu32, ev->msg_id);
        break;
    case IKE_EV_HINT:
        printf(" notify=%u", ev->notify);
        break;
    case IKE_EV_CHILD_ESTABLISHED:
    case IKE_EV_CHILD_REKEYED:
    case IKE_EV_CHILD_REMOVED:
        printf(" esp_in=%08" PRIx32 " esp_out=%08" PRIx32, ev->child->spi_in, ev->child->spi_out);
        break;
    case IKE_EV_SA_DELETED:
        printf(" reason=%s", ike_del_reason_name(ev->reason));
        break;
    case IKE_EV_SA_ESTABLISHED:
        printf(" role=%s", ike_sa_is_initiator(ev->sa) ? "initiator" : "responder");
        break;
    case IKE_EV_SA_REKEYED:
        printf(" old=%016" PRIx64 "_%016" PRIx64 " role=%s", ev->old_spi_i, ev->old_spi_r,
               ike_sa_is_initiator(ev->sa) ? "initiator" : "responder");
        break;
    case IKE_EV_QCD_ANSWERED:
        printf(" tokens=%" PRIu32, ev->count);
        break;
    case IKE_EV_QCD_REJECTED:
        printf(" error=\"%s\"", ike_strerror(ev->err));
        break;
    case IKE_EV_HA_SYNC_SENT: /* M1, P1 */
    case IKE_EV_HA_SYNC_ANSWERED: /* M2, P2 */
        if (ev->ha_what & IKE_HA_MID)
            printf(" nonce=%08" PRIx32 " m=%" PRIu32 " p=%" PRIu32, ev->ha_nonce, ev->ha_m, ev->ha_p);
        break;
    case IKE_EV_HA_SYNC_DROPPED:
        printf(" why=%s", ike_ha_drop_name(ev->ha_drop));
        break;
    case IKE_EV_REQUEST_ABANDONED:
        printf(" %s mid=%" PRIu32, ike_exchange_name(ev->exchange), ev->msg_id);
        break;
    default:
        break;
    }
    GSocketAddress *pa = peer_addr(lv, ev->peer);
    if (pa) {
        char *s = addr_str(pa);
        printf(" peer=%s", s);
        g_free(s);
        g_object_unref(pa);
    }
    printf("\n");
    fflush(stdout);

    if (ev->type == IKE_EV_SA_ESTABLISHED)
        on_established(lv, ev);
    bool new_child = ev->type == IKE_EV_CHILD_ESTABLISHED || ev->type == IKE_EV_CHILD_REKEYED;
    if (lv->esp && new_child && live_esp_add(lv->esp, ev->sa, ev->child) != ESP_OK)
        fprintf(stderr, "ikesim-live: no ESP for Child SA %08" PRIx32 " (unsupported suite)\n", ev->child->spi_in);
    if (lv->esp && new_child)
        esp_keylog(lv, ev->peer, ev->child);
    if (lv->esp && ev->type == IKE_EV_SA_DELETED)
        live_esp_forget(lv->esp, ev->sa);
    if (ev->type == IKE_EV_SA_DELETED)
        delete_jobs_forget(lv, ev->sa);
    if (ev->type == IKE_EV_SA_REKEYED)
        keylog_sa(lv, ev->sa);
    /* the redundant SA of a rekey collision has a line only for its Delete */
    bool info = (ev->type == IKE_EV_MSG_SENT || ev->type == IKE_EV_MSG_RECEIVED) && ev->exchange == IKE_INFORMATIONAL;
    if (info && ev->sa && lv->keylog && !(lv->keyed && g_hash_table_contains(lv->keyed, &ev->spi_i)))
        keylog_sa(lv, ev->sa);
    if (ev->type == IKE_EV_LIVENESS_ANSWERED)
        lv->answered++;
    if ((lv->goal == GOAL_ESTABLISHED && ev->type == IKE_EV_SA_ESTABLISHED) ||
        (lv->goal == GOAL_CHILD && ev->type == IKE_EV_CHILD_ESTABLISHED) ||
        (lv->goal == GOAL_REKEYED && ev->type == IKE_EV_SA_REKEYED) ||
        (lv->goal == GOAL_LIVENESS && lv->answered >= lv->goal_count) ||
        (lv->goal == GOAL_DELETED && ev->type == IKE_EV_SA_DELETED &&
         (ev->reason == IKE_DEL_LOCAL || ev->reason == IKE_DEL_PEER_DELETE))) {
        finish(lv, 0);
    } else if (lv->goal != GOAL_NONE && ev->type == IKE_EV_SA_DELETED &&
               ev->reason != IKE_DEL_SHUTDOWN) {
        fprintf(stderr, "ikesim-live: IKE SA %016" PRIx64 "_i %016" PRIx64 "_r failed (%s)\n",
                ev->spi_i, ev->spi_r, ike_del_reason_name(ev->reason));
        finish(lv, 1);
    }
}

/* --- the main loop: one timer, one socket --- */

static void rearm(live *lv)
{
    uint64_t d = ike_ep_next_deadline(lv->ep);
    /* round up to the microsecond so that now >= deadline when it fires */
    g_source_set_ready_time(lv->timer, d == UINT64_MAX ? -1 : (gint64)((d + 999u) / 1000u));
}

static gboolean timer_dispatch(GSource *src, GSourceFunc cb, gpointer data)
{
    (void)src;
    return cb(data);
}

static GSourceFuncs timer_funcs = {.dispatch = timer_dispatch};

static gboolean on_timer(gpointer data)
{
    live *lv = data;
    ike_ep_handle_timeout(lv->ep, now_ns());
    after_flood(lv);
    rearm(lv);
    return G_SOURCE_CONTINUE;
}

static gboolean on_delete_timer(gpointer data)
{
    delete_job *job = data;
    live *lv = job->lv;
    ike_sa *sa = job->sa;
    if (sa && ike_ep_delete(lv->ep, sa, now_ns()) != IKE_OK)
        fprintf(stderr, "ikesim-live: cannot delete IKE SA %016" PRIx64 "_i %016" PRIx64 "_r\n", ike_sa_spi_i(sa),
                ike_sa_spi_r(sa));
    rearm(lv);
    return G_SOURCE_REMOVE;
}

/* The simulated failover (RFC 6311 §5): the active member dies without a
 * word, a new member imports the stale replica and sends a MID sync with
 * M1 above the replica's requests (plus our window of 1) and P1 the peer's
 * next request as the replica knows it. */
static gboolean on_failover(gpointer data)
{
    live *lv = data;
    uint64_t now = now_ns();
    ike_sa *old = ike_ep_find(lv->ep, lv->replica_spi);
    ike_sa_state *cur = g_new0(ike_sa_state, 1);
    if (!old || ike_sa_export(old, cur) != IKE_OK) {
        fprintf(stderr, "ikesim-live: no established IKE SA to fail over\n");
        g_free(cur);
        finish(lv, 1);
        return G_SOURCE_REMOVE;
    }
    const ike_sa_state *r = lv->replica;
    printf("%.6f failover %016" PRIx64 " %016" PRIx64 " out=%" PRIu32 " in=%" PRIu32
           " replica_out=%" PRIu32 " replica_in=%" PRIu32 "\n",
           (double)((int64_t)(now / 1000u) - lv->t0_us) / 1e6, r->spi_i, r->spi_r,
           cur->next_mid_out, cur->next_mid_in, r->next_mid_out, r->next_mid_in);
    fflush(stdout);
    OPENSSL_cleanse(cur, sizeof *cur); /* keys */
    g_free(cur);

    ike_ep_free(lv->ep, now); /* the crash: nothing is sent */
    g_source_set_ready_time(lv->timer, -1);
    lv->ep = ike_ep_new(&lv->cfg, &lv->io);
    ike_sa *sa = lv->ep ? ike_ep_import(lv->ep, now, r->peer, r) : NULL;
    OPENSSL_cleanse(lv->replica, sizeof *lv->replica);
    ike_ha_sync_req req = {.mid = true};
    int rc = sa ? ike_sa_ha_values(sa, 1 /* our sender window */, &req.m1, &req.p1) : IKE_E_STATE;
    if (rc == IKE_OK)
        rc = ike_ep_ha_sync(lv->ep, sa, now, &req);
    if (rc != IKE_OK) {
        /* e.g. not negotiated: the SA goes on with stale counters */
        fprintf(stderr, "ikesim-live: no MID sync after the failover: %s\n",
                sa ? ike_strerror(rc) : "import failed");
        if (!sa)
            finish(lv, 1);
    }
    if (lv->ep)
        rearm(lv);
    return G_SOURCE_REMOVE;
}

/* ESP in UDP from a peer (--nat-t): opened with its Child SA's keys; an
 * ICMP echo request inside is answered on the IKE SA's current Child SA. */
static void on_esp(const live_sock *ls, GSocketAddress *from, const uint8_t *pkt, size_t len)
{
    live *lv = ls->lv;
    static uint8_t plain[MAX_DATAGRAM], reply[MAX_DATAGRAM], out[MAX_DATAGRAM];
    uint64_t now = now_ns();
    double t = (double)((int64_t)(now / 1000u) - lv->t0_us) / 1e6;
    live_esp_rx in = {0};
    int rc = live_esp_open(lv->esp, pkt, len, plain, sizeof plain, &in);
    if (rc != ESP_OK) {
        fprintf(stderr, "ikesim-live: ESP (%zu octets, SPI %08" PRIx32 ") dropped: %s\n", len, in.spi,
                esp_strerror(rc));
        return;
    }
    ike_sa *sa = in.sa;
    ike_ep_esp_seen(lv->ep, now, in.spi);
    printf("%.6f esp_received %016" PRIx64 " %016" PRIx64 " spi=%08" PRIx32 " seq=%" PRIu64 " len=%zu\n", t,
           ike_sa_spi_i(sa), ike_sa_spi_r(sa), in.spi, in.rx.seq, in.rx.len);
    const ike_child *cur = ike_sa_child(sa);
    size_t n = in.rx.next_header == ESP_NH_IPV4 ? live_icmp_echo_reply(in.rx.payload, in.rx.len, reply, sizeof reply)
                                                : 0;
    size_t out_len;
    uint64_t seq;
    if (n && cur &&
        live_esp_seal(lv->esp, cur->spi_in, ESP_NH_IPV4, reply, n, out, sizeof out, &out_len, &seq) == ESP_OK) {
        GError *err = NULL;
        if (g_socket_send_to(ls->sock, from, (const gchar *)out, out_len, NULL, &err) < 0) {
            fprintf(stderr, "ikesim-live: ESP send: %s\n", err->message);
            g_error_free(err);
        } else
            printf("%.6f esp_echo_answered %016" PRIx64 " %016" PRIx64 " spi=%08" PRIx32 " seq=%" PRIu64 "\n", t,
                   ike_sa_spi_i(sa), ike_sa_spi_r(sa), cur->spi_out, seq);
    }
    fflush(stdout);
}

static gboolean on_readable(GSocket *sock, GIOCondition cond, gpointer data)
{
    const live_sock *ls = data;
    live *lv = ls->lv;
    static uint8_t buf[MAX_DATAGRAM];
    (void)cond;
    while (!lv->done) {
        GSocketAddress *from = NULL;
        GError *err = NULL;
        gssize n = g_socket_receive_from(sock, &from, (gchar *)buf, sizeof buf, NULL, &err);
        if (n < 0) {
            if (!g_error_matches(err, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
                fprintf(stderr, "ikesim-live: receive: %s\n", err->message);
            g_error_free(err);
            break;
        }
        const uint8_t *msg = buf;
        size_t len = (size_t)n;
        esp_udp_kind kind = ESP_UDP_IKE;
        int crc = uses_marker(ls, from) ? esp_udp_classify(buf, len, &kind, &msg, &len) : ESP_OK;
        if (crc == ESP_OK && kind == ESP_UDP_ESP && lv->esp) {
            on_esp(ls, from, msg, len);
        } else if (crc != ESP_OK || kind == ESP_UDP_ESP) {
            char *s = addr_str(from);
            fprintf(stderr, "ikesim-live: %zd octets from %s without the non-ESP marker "
                    "(ESP?), ignored\n", n, s);
            g_free(s);
        } else if (kind == ESP_UDP_IKE) { /* not a NAT-T keepalive (RFC 3948 §2.3) */
            ike_ep_receive(lv->ep, now_ns(), live_peers_token(lv->peers, from), msg, len);
            live_peers_sweep(lv->peers, lv->ep, false);
            after_flood(lv);
        }
        g_object_unref(from);
        rearm(lv);
    }
    return G_SOURCE_CONTINUE;
}

static gboolean on_give_up(gpointer data)
{
    live *lv = data;
    fprintf(stderr, "ikesim-live: timeout: the --exit-after event was not reached\n");
    finish(lv, 1);
    return G_SOURCE_REMOVE;
}

/* SIGUSR1: one line of what the endpoint holds. */
static gboolean on_stats(gpointer data)
{
    live *lv = data;
    printf("%.6f stats sas=%zu half_open=%zu senders=%zu\n",
           (double)(g_get_monotonic_time() - lv->t0_us) / 1e6, ike_ep_sa_count(lv->ep),
           ike_ep_half_open(lv->ep), live_peers_count(lv->peers));
    fflush(stdout);
    return G_SOURCE_CONTINUE;
}

static gboolean on_signal(gpointer data)
{
    live *lv = data;
    fprintf(stderr, "ikesim-live: interrupted\n");
    finish(lv, lv->goal == GOAL_NONE ? 0 : 1);
    return G_SOURCE_REMOVE;
}

/* --- sockets --- */

static bool bind_sock(live *lv, live_sock *ls, GSocketAddress *at)
{
    GError *err = NULL;
    ls->lv = lv;
    ls->sock = g_socket_new(g_socket_address_get_family(at), G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, &err);
    if (!ls->sock || !g_socket_bind(ls->sock, at, FALSE, &err)) {
        char *s = addr_str(at);
        fprintf(stderr, "ikesim-live: cannot bind %s: %s\n", s, err->message);
        g_free(s);
        g_error_free(err);
        return false;
    }
    g_socket_set_blocking(ls->sock, FALSE);
    return true;
}

static GSource *listen_on(live_sock *ls)
{
    GSource *rx = g_socket_create_source(ls->sock, G_IO_IN, NULL);
    g_source_set_callback(rx, (GSourceFunc)(void (*)(void))on_readable, ls, NULL);
    g_source_attach(rx, NULL);
    return rx;
}

/* --- the command line --- */

static G_GNUC_PRINTF(1, 2) int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "ikesim-live: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry 'ikesim-live --help'.\n");
    va_end(ap);
    return EXIT_BAD_USAGE;
}

/* ADDR:PORT or [IPv6]:PORT, numeric only. */
static GSocketAddress *parse_endpoint(const char *s)
{
    const char *colon = strrchr(s, ':');
    if (!colon || colon == s)
        return NULL;
    char *host = g_strndup(s, (size_t)(colon - s));
    if (host[0] == '[' && host[strlen(host) - 1] == ']') {
        char *inner = g_strndup(host + 1, strlen(host) - 2);
        g_free(host);
        host = inner;
    }
    char *end;
    errno = 0;
    unsigned long port = strtoul(colon + 1, &end, 10);
    GInetAddress *ia = g_inet_address_new_from_string(host);
    g_free(host);
    if (!ia || errno || *end || colon[1] == 0 || port > 65535) {
        g_clear_object(&ia);
        return NULL;
    }
    GSocketAddress *a = g_inet_socket_address_new(ia, (guint16)port);
    g_object_unref(ia);
    return a;
}

/* strongSwan's proposal syntax (ike_proposal.h), for the IKE SA; the
 * first Child SA uses the first proposal's cipher and integrity. */
static bool parse_proposal(const char *s, ike_cfg *cfg)
{
    if (ike_props_parse(s, IKE_PROTO_IKE, &cfg->ike_props, NULL) != IKE_OK)
        return false;
    cfg->ike = ike_props_first(&cfg->ike_props);
    cfg->esp = cfg->ike;
    cfg->esp.prf = IKE_PRF_HMAC_SHA2_256; /* unused by ESP */
    cfg->esp.dh = 0; /* no PFS for the first Child SA */
    return true;
}

static bool parse_retransmit(const char *s, ike_retx *r)
{
    double timeout, base;
    unsigned tries;
    char extra;
    if (sscanf(s, "%lf,%lf,%u%c", &timeout, &base, &tries, &extra) != 3 || timeout <= 0 ||
        timeout > 3600)
        return false;
    ike_retx x = {(uint32_t)(timeout * 1000 + 0.5), base, tries, 0, 0};
    if (!ike_retx_valid(&x))
        return false;
    *r = x;
    return true;
}

static bool parse_goal(const char *s, live *lv)
{
    if (!strcmp(s, "established"))
        lv->goal = GOAL_ESTABLISHED;
    else if (!strcmp(s, "child"))
        lv->goal = GOAL_CHILD;
    else if (!strcmp(s, "deleted"))
        lv->goal = GOAL_DELETED;
    else if (!strcmp(s, "rekeyed"))
        lv->goal = GOAL_REKEYED;
    else if (g_str_has_prefix(s, "liveness:")) {
        char *end;
        errno = 0;
        unsigned long n = strtoul(s + 9, &end, 10);
        if (errno || *end || s[9] == 0 || n == 0 || n > 1000000)
            return false;
        lv->goal = GOAL_LIVENESS;
        lv->goal_count = (unsigned)n;
    } else
        return false;
    return true;
}

static const char description[] =
    "Runs one IKEv2 endpoint of the ikesim model (PSK authentication) on a real UDP\n"
    "socket.  Without --initiate it only responds.\n"
    "\n"
    "Proposals in strongSwan's syntax, e.g. aes256gcm16-prfsha256-x25519 (default),\n"
    "aes128-sha256-modp2048, 'aes256ccm16-prfsha384-ecp384,aes128-sha1-x448' or\n"
    "strongswan (strongSwan 5.9's defaults): ciphers aesN (CBC), aesNgcmI, aesNccmI\n"
    "(N 128/192/256, I 8/12/16), chacha20poly1305; integrity sha1, sha256, sha384,\n"
    "sha512; PRFs prfsha1 .. prfsha512; groups modp2048/3072/4096, ecp256/384/521,\n"
    "x25519, x448.  The first Child SA uses the first proposal's cipher and\n"
    "integrity (no PFS).\n"
    "\n"
    "IDs: a value containing '@' is sent as RFC822_ADDR, a dotted IPv4 address as\n"
    "IPV4_ADDR, anything else as FQDN (strongSwan parses IDs the same way).\n"
    "\n"
    "Non-ESP marker: with --natt-marker=auto (default), IKE messages carry the\n"
    "4-octet zero marker exactly when neither the local nor the remote port is 500\n"
    "(strongSwan's rule); 'on' and 'off' force it for every peer.\n"
    "\n"
    "--qcd: a maker sends QCD tokens in IKE_AUTH and answers requests for unknown\n"
    "SAs with them; its secret is random per process, so it does not survive a\n"
    "restart of ikesim-live.  A taker deletes an IKE SA on a valid token.\n"
    "\n"
    "Output: one line per model event on stdout:\n"
    "  SECONDS EVENT SPIi SPIr [details] [peer=ADDR:PORT]\n"
    "with EVENT the model's name (msg_sent, msg_received, msg_dropped, retransmit,\n"
    "sa_established, child_established, liveness_sent, liveness_answered, hint,\n"
    "sa_deleted reason=..., sa_rekeyed old=SPIi_SPIr, ...); SECONDS counts from the\n"
    "start.  Errors go to stderr.\n"
    "\n"
    "IKE SA rekeys (--rekey-ike, or the peer's): the SA goes on under new SPIs\n"
    "(sa_rekeyed), the old one is deleted after; --keylog gets a line for the new\n"
    "SPIs, so a capture decrypts across rekeys.\n"
    "\n"
    "--ha-failover-after SECONDS: a cluster member with RFC 6311 message-ID sync\n"
    "(asserts IKEV2_MESSAGE_ID_SYNC_SUPPORTED).  The first IKE SA is replicated\n"
    "once, when it is established; SECONDS later the endpoint is dropped as if\n"
    "it crashed, a new one imports that stale replica and sends\n"
    "IKEV2_MESSAGE_ID_SYNC (INFORMATIONAL, Message ID 0) with M1 = the replica's\n"
    "next request + 1 and P1 = the peer's next request as the replica knows it.\n"
    "It prints 'SECONDS failover SPIi SPIr out= in= replica_out= replica_in='\n"
    "(the lost and the replicated counters); ha_sync_sent shows nonce, m=M1,\n"
    "p=P1, ha_sync_answered m=M2, p=P2.\n"
    "\n"
    "--nat-t (RFC 7296 2.23, RFC 3948): IKE_SA_INIT carries NAT_DETECTION_SOURCE_IP\n"
    "and _DESTINATION_IP for the --listen address (give a specific one), which\n"
    "makes strongSwan's kernel-libipsec install its Child SAs (it does ESP only in\n"
    "UDP).  Towards a peer found behind a NAT (charon with kernel-libipsec fakes\n"
    "one) messages follow its latest authenticated address.  ESP in UDP on the\n"
    "socket is opened with the Child SAs' keys:\n"
    "  SECONDS esp_received SPIi SPIr spi=SPI seq=N len=N\n"
    "and an ICMP echo request inside is answered through the current Child SA\n"
    "(esp_echo_answered ... spi=its outbound SPI seq=N).  With --listen at port\n"
    "500, ikesim-live also binds port 4500 of that address; once IKE_SA_INIT's\n"
    "NAT-D found a NAT (either end), IKE_AUTH and every later message of the IKE\n"
    "SA, and its ESP, go from 4500 to the peer's 4500 if it was at 500, with the\n"
    "non-ESP marker (2.23, as strongSwan floats).  An initiator may also start at\n"
    "the peer's 4500.\n"
    "\n"
    "--reauth SECONDS: a new IKE SA and Child SA from scratch that long after each\n"
    "IKE SA was established (RFC 7296 2.8.3), as --reauth-mode says: bbm deletes\n"
    "the old IKE SA first, then sets up the new one with INITIAL_CONTACT; mbb sets\n"
    "up the new one first (no INITIAL_CONTACT), then deletes the old.\n"
    "\n"
    "--child-rekey SECONDS: CREATE_CHILD_SA with N(REKEY_SA) that long after\n"
    "each Child SA was installed (strongSwan's rekey_time with rand_time 0), then\n"
    "Delete of the replaced SA.\n"
    "\n"
    "--exit-after EVENT: established, child, liveness:N (N liveness checks\n"
    "answered), deleted (an IKE SA ended by a Delete, ours or the peer's).\n"
    "\n"
    "Under an IKE_SA_INIT flood (RFC 7296 2.6): while --cookie-threshold SAs are\n"
    "half-open (waiting for IKE_AUTH), a new IKE_SA_INIT is answered with a\n"
    "stateless COOKIE (cookie_sent) and costs no Diffie-Hellman; while\n"
    "--half-open-max are, it is dropped without an answer (msg_dropped\n"
    "error=\"too many half-open SAs\"), COOKIE or not.  A half-open SA is\n"
    "forgotten after --half-open-timeout.  Senders that no SA names are\n"
    "forgotten as the table of senders grows; once the SAs fall to half their\n"
    "peak, the freed memory is given back to the system.  SIGUSR1 prints\n"
    "  SECONDS stats sas=N half_open=N senders=N\n"
    "\n"
    "Exit status: 0 when the --exit-after event happened (or on SIGINT/SIGTERM\n"
    "without --exit-after); 1 on a --timeout, on an IKE SA that failed before the\n"
    "event, or on a socket error; 2 on a bad command line.";

int main(int argc, char **argv)
{
    g_autofree char *listen_s = NULL;
    g_autofree char *initiate = NULL;
    g_autofree char *psk = NULL;
    g_autofree char *id = NULL;
    g_autofree char *proposal = NULL;
    g_autofree char *retransmit = NULL;
    g_autofree char *keylog = NULL;
    g_autofree char *esp_keylog_file = NULL;
    g_autofree char *marker = NULL;
    g_autofree char *exit_after = NULL;
    g_autofree char *qcd = NULL;
    double dpd = 0, timeout = 0, delete_after = -1, failover_after = -1, half_open_timeout = 30;
    gint rekey_ike = 0;
    gint cookie_threshold = DEFAULT_COOKIE_THRESHOLD, half_open_max = DEFAULT_HALF_OPEN_MAX;
    gboolean childless = FALSE, nat_t = FALSE;
    double child_rekey = 0;
    gint reauth = 0;
    g_autofree char *reauth_mode = NULL;
    GOptionEntry entries[] = {
        {"listen", 'l', 0, G_OPTION_ARG_STRING, &listen_s, "Local UDP address (required)", "ADDR:PORT"},
        {"initiate", 'i', 0, G_OPTION_ARG_STRING, &initiate, "Start an IKE SA to this peer", "ADDR:PORT"},
        {"psk", 0, 0, G_OPTION_ARG_STRING, &psk, "Pre-shared key (required, 1-64 octets)", "SECRET"},
        {"id", 0, 0, G_OPTION_ARG_STRING, &id, "Own identity (required)", "ID"},
        {"proposal", 'p', 0, G_OPTION_ARG_STRING, &proposal,
         "Algorithms (default aes256gcm16-prfsha256-x25519)", "NAME"},
        {"childless", 0, 0, G_OPTION_ARG_NONE, &childless,
         "IKE SA without a Child SA (RFC 6023)", NULL},
        {"nat-t", 0, 0, G_OPTION_ARG_NONE, &nat_t,
         "NAT traversal: NAT-D in IKE_SA_INIT, ESP in UDP on the Child SAs (see below)", NULL},
        {"child-rekey", 0, 0, G_OPTION_ARG_DOUBLE, &child_rekey,
         "Rekey each Child SA this long after it was installed (0: never)", "SECONDS"},
        {"reauth", 0, 0, G_OPTION_ARG_INT, &reauth,
         "Reauthenticate each IKE SA this long after it was established (0: never)", "SECONDS"},
        {"reauth-mode", 0, 0, G_OPTION_ARG_STRING, &reauth_mode,
         "Reauthentication: bbm (break-before-make, strongSwan's default) or mbb", "MODE"},
        {"dpd", 0, 0, G_OPTION_ARG_DOUBLE, &dpd,
         "Liveness check after this long without inbound traffic (0: none)", "SECONDS"},
        {"retransmit", 0, 0, G_OPTION_ARG_STRING, &retransmit,
         "Retransmission schedule (default 4,1.8,5 as strongSwan)", "TIMEOUT,BASE,TRIES"},
        {"esp-keylog", 0, 0, G_OPTION_ARG_FILENAME, &esp_keylog_file,
         "With --nat-t: append Wireshark esp_sa lines, both directions of each Child SA", "FILE"},
        {"keylog", 0, 0, G_OPTION_ARG_FILENAME, &keylog,
         "Append a Wireshark ikev2_decryption_table line per IKE SA", "FILE"},
        {"qcd", 0, 0, G_OPTION_ARG_STRING, &qcd,
         "Quick Crash Detection (RFC 6290) role: maker, taker or both", "ROLE"},
        {"natt-marker", 0, 0, G_OPTION_ARG_STRING, &marker,
         "Non-ESP marker: auto (default), on, off", "MODE"},
        {"exit-after", 0, 0, G_OPTION_ARG_STRING, &exit_after,
         "Exit 0 when this happens: established, child, liveness:N, deleted, rekeyed", "EVENT"},
        {"timeout", 0, 0, G_OPTION_ARG_DOUBLE, &timeout,
         "Exit 1 if the --exit-after event has not happened by then", "SECONDS"},
        {"delete-after", 0, 0, G_OPTION_ARG_DOUBLE, &delete_after,
         "Send Delete this long after an IKE SA is established (under its SPIs then, after rekeys)", "SECONDS"},
        {"ha-failover-after", 0, 0, G_OPTION_ARG_DOUBLE, &failover_after,
         "Assert 16420 (RFC 6311); fail over this long after the first IKE SA is up", "SECONDS"},
        {"cookie-threshold", 0, 0, G_OPTION_ARG_INT, &cookie_threshold,
         "Demand a COOKIE while this many SAs are half-open (default 30; 0: never)", "N"},
        {"half-open-max", 0, 0, G_OPTION_ARG_INT, &half_open_max,
         "Drop new IKE_SA_INIT requests while this many SAs are half-open (default 1000; 0: no cap)",
         "N"},
        {"half-open-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &half_open_timeout,
         "Forget a half-open SA after this long without IKE_AUTH (default 30)", "SECONDS"},
        {"rekey-ike", 0, 0, G_OPTION_ARG_INT, &rekey_ike,
         "Rekey each IKE SA this long after it was established or rekeyed (default 0: never)",
         "SECONDS"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    live lv = {.delete_after = -1};
    GOptionContext *ctx = g_option_context_new("- the ikesim IKEv2 model over real UDP");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx, description);
    GError *err = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        int rc = usage_error("%s", err->message);
        g_error_free(err);
        return rc;
    }
    g_option_context_free(ctx);
    if (argc > 1)
        return usage_error("unexpected argument '%s'", argv[1]);

    ike_cfg cfg;
    ike_cfg_defaults(&cfg);
    GSocketAddress *local = NULL, *remote = NULL;
    if (!listen_s || !(local = parse_endpoint(listen_s)))
        return usage_error("--listen ADDR:PORT is required (numeric address)");
    if (initiate && !(remote = parse_endpoint(initiate)))
        return usage_error("bad --initiate '%s': want ADDR:PORT", initiate);
    if (remote && g_socket_address_get_family(remote) != g_socket_address_get_family(local))
        return usage_error("--initiate and --listen are of different address families");
    if (!psk || !*psk || strlen(psk) > sizeof cfg.psk)
        return usage_error("--psk is required (1 to %zu octets)", sizeof cfg.psk);
    if (!id || !*id || strlen(id) > sizeof cfg.id)
        return usage_error("--id is required (1 to %zu octets)", sizeof cfg.id);
    if (proposal && !parse_proposal(proposal, &cfg))
        return usage_error("unknown --proposal '%s'", proposal);
    if (retransmit && !parse_retransmit(retransmit, &cfg.retx))
        return usage_error("bad --retransmit '%s': want TIMEOUT,BASE,TRIES, e.g. 1,1.5,3",
                           retransmit);
    if (!(dpd >= 0 && dpd <= 86400) || !(timeout >= 0 && timeout <= 86400) ||
        !(delete_after == -1 || (delete_after >= 0 && delete_after <= 86400)) ||
        !(failover_after == -1 || (failover_after >= 0 && failover_after <= 86400)))
        return usage_error("--dpd, --timeout, --delete-after and --ha-failover-after take 0 to "
                           "86400 seconds");
    if (!(child_rekey >= 0 && child_rekey <= 86400 && child_rekey == (double)(uint32_t)child_rekey))
        return usage_error("--child-rekey takes 0 to 86400 whole seconds");
    if (reauth < 0 || reauth > 86400)
        return usage_error("--reauth takes 0 to 86400 seconds");
    if (reauth_mode && strcmp(reauth_mode, "bbm") && strcmp(reauth_mode, "mbb"))
        return usage_error("--reauth-mode takes bbm or mbb");
    if (esp_keylog_file && !nat_t)
        return usage_error("--esp-keylog needs --nat-t (ESP only goes with it)");
    if (cookie_threshold < 0 || cookie_threshold > 1000000 || half_open_max < 0 ||
        half_open_max > 1000000)
        return usage_error("--cookie-threshold and --half-open-max take 0 to 1000000");
    if (!(half_open_timeout >= 0.001 && half_open_timeout <= 3600))
        return usage_error("--half-open-timeout takes 0.001 to 3600 seconds");
    if (rekey_ike < 0 || rekey_ike > 86400)
        return usage_error("--rekey-ike takes 0 to 86400 seconds");
    if (exit_after && !parse_goal(exit_after, &lv))
        return usage_error("bad --exit-after '%s'", exit_after);
    if (timeout > 0 && lv.goal == GOAL_NONE)
        return usage_error("--timeout needs --exit-after");
    if (qcd && !strcmp(qcd, "maker"))
        cfg.qcd.role = IKE_QCD_MAKER;
    else if (qcd && !strcmp(qcd, "taker"))
        cfg.qcd.role = IKE_QCD_TAKER;
    else if (qcd && !strcmp(qcd, "both"))
        cfg.qcd.role = IKE_QCD_MAKER | IKE_QCD_TAKER;
    else if (qcd)
        return usage_error("--qcd takes maker, taker or both");
    if (!marker || !strcmp(marker, "auto"))
        lv.marker = MARKER_AUTO;
    else if (!strcmp(marker, "on"))
        lv.marker = MARKER_ON;
    else if (!strcmp(marker, "off"))
        lv.marker = MARKER_OFF;
    else
        return usage_error("--natt-marker takes auto, on or off");

    memcpy(cfg.psk, psk, cfg.psk_len = strlen(psk));
    GInetAddress *id_addr = g_inet_address_new_from_string(id);
    if (id_addr && g_inet_address_get_family(id_addr) == G_SOCKET_FAMILY_IPV4) {
        cfg.id_type = IKE_ID_IPV4_ADDR;
        memcpy(cfg.id, g_inet_address_to_bytes(id_addr), cfg.id_len = 4);
    } else {
        cfg.id_type = strchr(id, '@') ? IKE_ID_RFC822_ADDR : IKE_ID_FQDN;
        memcpy(cfg.id, id, cfg.id_len = strlen(id));
    }
    g_clear_object(&id_addr);
    cfg.childless = childless;
    if (child_rekey > 0) /* strongSwan's rekey_time, rand_time 0: exactly then; no hard
                            lifetime (110 % of a 1 s rekey_time is 1 s: it would expire) */
        cfg.child_life = (ike_child_lifetime){(uint32_t)child_rekey, 0, 0};
    /* strongSwan's reauth_time with rand_time 0: exactly then; no hard expiry */
    cfg.ike_life.reauth_s = (uint32_t)reauth;
    cfg.reauth_mode = reauth_mode && !strcmp(reauth_mode, "mbb") ? IKE_REAUTH_MBB : IKE_REAUTH_BBM;
    cfg.dpd_delay_ms = (uint32_t)(dpd * 1000 + 0.5);
    lv.delete_after = delete_after;
    lv.failover_after = failover_after;
    cfg.mid_sync = failover_after >= 0;
    cfg.cookie_threshold = (uint32_t)cookie_threshold;
    cfg.half_open_max = (uint32_t)half_open_max;
    cfg.half_open_ms = (uint32_t)(half_open_timeout * 1000 + 0.5);
    cfg.ike_life.rekey_s = (uint32_t)rekey_ike; /* no jitter (rand_s 0): exact for tests */

    if (keylog && !(lv.keylog = fopen(keylog, "a"))) {
        fprintf(stderr, "ikesim-live: cannot open %s: %s\n", keylog, strerror(errno));
        return 1;
    }
    if (esp_keylog_file && !(lv.esp_keylog = fopen(esp_keylog_file, "a"))) {
        fprintf(stderr, "ikesim-live: cannot open %s: %s\n", esp_keylog_file, strerror(errno));
        return 1;
    }
    lv.main.port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(local));
    if (!bind_sock(&lv, &lv.main, local))
        return 1;
    if (nat_t && lv.main.port == IKE_PORT) { /* where IKE_AUTH on moves (RFC 7296 2.23) */
        GSocketAddress *natt = g_inet_socket_address_new(
            g_inet_socket_address_get_address(G_INET_SOCKET_ADDRESS(local)), IKE_NATT_PORT);
        lv.natt.port = IKE_NATT_PORT;
        bool ok = bind_sock(&lv, &lv.natt, natt);
        g_object_unref(natt);
        if (!ok)
            return 1;
    }
    if (nat_t)
        lv.floated = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);

    /* A maker's secret should survive restarts; this one lives as long as
     * the process, which is enough to interoperate but not to prove a crash. */
    qcd_secrets secrets;
    uint8_t secret[QCD_SECRET_LEN];
    io_random(NULL, secret, sizeof secret);
    qcd_secrets_init(&secrets, secret);
    cfg.qcd.secrets = &secrets;
    cfg.qcd.boot_ns = now_ns();
    lv.io = (ike_io){.ctx = &lv, .send = io_send, .random = io_random, .event = io_event,
                     .addresses = nat_t ? io_addresses : NULL};
    lv.local = local;
    lv.esp = nat_t ? live_esp_new(io_random, NULL) : NULL;
    lv.cfg = cfg;
    lv.ep = ike_ep_new(&lv.cfg, &lv.io);
    if (!lv.ep) {
        fprintf(stderr, "ikesim-live: configuration rejected: %s\n",
                ike_strerror(ike_cfg_check(&cfg)));
        return 1;
    }
    lv.peers = live_peers_new();
    if (!lv.peers) {
        fprintf(stderr, "ikesim-live: OpenSSL RAND_bytes failed\n");
        return 1;
    }
    lv.loop = g_main_loop_new(NULL, FALSE);
    lv.t0_us = g_get_monotonic_time();

    lv.timer = g_source_new(&timer_funcs, sizeof(GSource));
    g_source_set_callback(lv.timer, on_timer, &lv, NULL);
    g_source_set_ready_time(lv.timer, -1);
    g_source_attach(lv.timer, NULL);
    GSource *rx = listen_on(&lv.main), *rx_natt = lv.natt.sock ? listen_on(&lv.natt) : NULL;
    if (timeout > 0)
        g_timeout_add((guint)(timeout * 1000), on_give_up, &lv);
    g_unix_signal_add(SIGINT, on_signal, &lv);
    g_unix_signal_add(SIGTERM, on_signal, &lv);
    g_unix_signal_add(SIGUSR1, on_stats, &lv);

    if (remote) {
        if (!ike_ep_initiate(lv.ep, now_ns(), live_peers_token(lv.peers, remote))) {
            fprintf(stderr, "ikesim-live: cannot start IKE_SA_INIT\n");
            return 1;
        }
        rearm(&lv);
    }
    g_main_loop_run(lv.loop);

    ike_ep_free(lv.ep, now_ns());
    g_source_destroy(rx);
    g_source_unref(rx);
    if (rx_natt) {
        g_source_destroy(rx_natt);
        g_source_unref(rx_natt);
    }
    g_source_destroy(lv.timer);
    g_source_unref(lv.timer);
    g_main_loop_unref(lv.loop);
    live_peers_free(lv.peers);
    live_esp_free(lv.esp);
    g_object_unref(lv.main.sock);
    g_clear_object(&lv.natt.sock);
    if (lv.floated)
        g_hash_table_destroy(lv.floated);
    g_clear_object(&local);
    g_clear_object(&remote);
    if (lv.keylog)
        fclose(lv.keylog);
    if (lv.keyed)
        g_hash_table_destroy(lv.keyed);
    if (lv.esp_keylog)
        fclose(lv.esp_keylog);
    if (lv.replica)
        OPENSSL_cleanse(lv.replica, sizeof *lv.replica);
    g_free(lv.replica);
    return lv.rc;
}
