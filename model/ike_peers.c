/* ike_peers.c — the SAs of each peer identity, so that INITIAL_CONTACT
 * finds the stale SAs of one peer without walking every SA (a headend holds
 * one per client), and the count of half-open responder SAs that decides
 * when a COOKIE is required. */
#include <string.h>

#include "ike_internal.h"

/* The ID is kept once, as the index's key: the SA and the index share it. */
void ep_sa_set_peer_id(ike_sa *sa, uint8_t type, const uint8_t *id, size_t len)
{
    uint8_t k[1 + IKE_MAX_PEER_ID];
    len = MIN(len, IKE_MAX_PEER_ID);
    k[0] = type;
    memcpy(k + 1, id, len);
    if (sa->id_indexed)
        ep_peer_index_remove(sa->ep, sa);
    if (sa->peer_key)
        g_bytes_unref(sa->peer_key);
    sa->peer_key = g_bytes_new(k, 1 + len);
    ep_peer_index_add(sa->ep, sa);
}

void ep_peer_index_add(ike_ep *ep, ike_sa *sa)
{
    if (sa->id_indexed)
        ep_peer_index_remove(ep, sa);
    GSList *l = ep_map_lookup(&ep->by_peer_id, sa->peer_key);
    /* the list head may change; the map holds a reference to the key */
    ep_map_replace(&ep->by_peer_id, g_bytes_ref(sa->peer_key), g_slist_prepend(l, sa));
    sa->id_indexed = true;
}

void ep_peer_index_remove(ike_ep *ep, ike_sa *sa)
{
    if (!sa->id_indexed)
        return;
    GSList *l = g_slist_remove(ep_map_lookup(&ep->by_peer_id, sa->peer_key), sa);
    if (l)
        ep_map_replace(&ep->by_peer_id, g_bytes_ref(sa->peer_key), l);
    else
        ep_map_remove(&ep->by_peer_id, sa->peer_key);
    sa->id_indexed = false;
}

GSList *ep_peer_sas(ike_ep *ep, const ike_sa *sa)
{
    return sa->peer_key ? ep_map_lookup(&ep->by_peer_id, sa->peer_key) : NULL;
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
