/* ike_peers.c — the SAs of each peer identity, so that INITIAL_CONTACT
 * finds the stale SAs of one peer without walking every SA (a headend holds
 * one per client), and the count of half-open responder SAs that decides
 * when a COOKIE is required. */
#include <string.h>

#include "ike_internal.h"

static GBytes *id_key(const ike_sa *sa)
{
    uint8_t k[1 + sizeof sa->peer_id];
    k[0] = sa->peer_id_type;
    memcpy(k + 1, sa->peer_id, sa->peer_id_len);
    return g_bytes_new(k, 1 + sa->peer_id_len);
}

void ep_peer_index_add(ike_ep *ep, ike_sa *sa)
{
    if (sa->id_indexed)
        ep_peer_index_remove(ep, sa);
    GBytes *k = id_key(sa);
    GSList *l = g_hash_table_lookup(ep->by_peer_id, k);
    /* the table keeps its first key; the list head may change */
    g_hash_table_replace(ep->by_peer_id, k, g_slist_prepend(l, sa));
    sa->id_indexed = true;
}

void ep_peer_index_remove(ike_ep *ep, ike_sa *sa)
{
    if (!sa->id_indexed)
        return;
    GBytes *k = id_key(sa);
    GSList *l = g_slist_remove(g_hash_table_lookup(ep->by_peer_id, k), sa);
    if (l)
        g_hash_table_replace(ep->by_peer_id, k, l);
    else {
        g_hash_table_remove(ep->by_peer_id, k);
        g_bytes_unref(k);
    }
    sa->id_indexed = false;
}

GSList *ep_peer_sas(ike_ep *ep, const ike_sa *sa)
{
    g_autoptr(GBytes) k = id_key(sa);
    return g_hash_table_lookup(ep->by_peer_id, k);
}

void ep_sa_set_state(ike_sa *sa, sa_state state)
{
    if (sa->state == SA_HALF_OPEN && state != SA_HALF_OPEN)
        sa->ep->half_open--;
    else if (sa->state != SA_HALF_OPEN && state == SA_HALF_OPEN)
        sa->ep->half_open++;
    sa->state = state;
}

size_t ike_ep_half_open(const ike_ep *ep) { return ep->half_open; }
