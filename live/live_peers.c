/* live_peers.c — peer tokens for ikesim-live (live_peers.h). */
#include "live_peers.h"

#include <sys/socket.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <string.h>

#include "ike_crypto.h"

enum { SWEEP_FLOOR = 1024 }; /* below this many senders no sweep is due */

/* The address as native bytes, not a GSocketAddress: GLib's slice
 * allocator, which GObjects come from, keeps its pages after a flood. */
typedef struct sender {
    uint64_t token;           /* the key, first */
    unsigned mark;            /* the last sweep that found an SA naming it */
    gsize len;
    struct sockaddr_storage addr;
} sender;

struct live_peers {
    uint8_t key[32];
    GHashTable *by_token;     /* &sender.token -> sender */
    size_t kept;              /* after the last sweep */
    unsigned sweep;
};

live_peers *live_peers_new(void)
{
    live_peers *lp = g_new0(live_peers, 1);
    if (RAND_bytes(lp->key, sizeof lp->key) != 1) {
        g_free(lp);
        return NULL;
    }
    lp->by_token = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, g_free);
    return lp;
}

void live_peers_free(live_peers *lp)
{
    if (!lp)
        return;
    g_hash_table_destroy(lp->by_token);
    OPENSSL_cleanse(lp->key, sizeof lp->key);
    g_free(lp);
}

/* The first 64 bits of HMAC-SHA256(key, family | port | address): not
 * guessable, so nobody can make two senders share a token. */
static uint64_t token_of(const live_peers *lp, GInetSocketAddress *a)
{
    GInetAddress *ia = g_inet_socket_address_get_address(a);
    uint8_t head[3] = {(uint8_t)g_inet_address_get_family(ia)};
    guint16 port = g_inet_socket_address_get_port(a);
    head[1] = (uint8_t)(port >> 8);
    head[2] = (uint8_t)port;
    ike_iov seg[] = {{head, sizeof head},
                     {g_inet_address_to_bytes(ia), g_inet_address_get_native_size(ia)}};
    uint8_t h[IKE_PRF_LEN];
    if (ike_prf(lp->key, sizeof lp->key, seg, G_N_ELEMENTS(seg), h) != IKE_OK)
        g_error("ikesim-live: HMAC-SHA256 failed"); /* OpenSSL broken: nothing works */
    uint64_t t = 0;
    for (int i = 0; i < 8; i++)
        t = t << 8 | h[i];
    return t;
}

uint64_t live_peers_token(live_peers *lp, GSocketAddress *a)
{
    uint64_t t = token_of(lp, G_INET_SOCKET_ADDRESS(a));
    if (!g_hash_table_contains(lp->by_token, &t)) {
        sender *s = g_new0(sender, 1);
        s->token = t;
        s->len = (gsize)g_socket_address_get_native_size(a);
        if (!g_socket_address_to_native(a, &s->addr, sizeof s->addr, NULL))
            g_error("ikesim-live: an address without a native form"); /* UDP/IP: never */
        g_hash_table_insert(lp->by_token, &s->token, s);
    }
    return t;
}

GSocketAddress *live_peers_addr(const live_peers *lp, uint64_t token)
{
    sender *s = g_hash_table_lookup(lp->by_token, &token);
    return s ? g_socket_address_new_from_native(&s->addr, s->len) : NULL;
}

size_t live_peers_count(const live_peers *lp) { return g_hash_table_size(lp->by_token); }

static void mark_peer(void *arg, ike_sa *sa)
{
    live_peers *lp = arg;
    uint64_t t = ike_sa_peer(sa);
    sender *s = g_hash_table_lookup(lp->by_token, &t);
    if (s)
        s->mark = lp->sweep;
}

static gboolean unmarked(gpointer key, gpointer value, gpointer arg)
{
    const live_peers *lp = arg;
    (void)key;
    return ((const sender *)value)->mark != lp->sweep;
}

size_t live_peers_sweep(live_peers *lp, const ike_ep *ep, bool force)
{
    size_t n = live_peers_count(lp);
    if (!force && (n < SWEEP_FLOOR || n < 2 * lp->kept))
        return 0;
    lp->sweep++;
    ike_ep_foreach(ep, mark_peer, lp);
    size_t gone = g_hash_table_foreach_remove(lp->by_token, unmarked, lp);
    lp->kept = n - gone;
    return gone;
}
