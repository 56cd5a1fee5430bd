/* ike_ha_state.c — replicating an IKE SA to a standby member: export to a
 * plain struct, import as an established SA of another endpoint (the start
 * of a failover epoch), and the RFC 6311 values a new member proposes. */
#include <string.h>

#include "ike_internal.h"

int ike_sa_export(const ike_sa *sa, ike_sa_state *out)
{
    if (sa->state != SA_ESTABLISHED || sa->retired)
        return IKE_E_STATE;
    memset(out, 0, sizeof *out);
    out->peer = sa->peer;
    out->spi_i = sa->spi_i;
    out->spi_r = sa->spi_r;
    out->initiator = sa->initiator;
    out->suite = sa->suite;
    out->keys = sa->keys;
    out->iv_counter = sa->iv_counter;
    out->next_mid_out = sa->next_mid_out;
    out->next_mid_in = sa->next_mid_in;
    out->has_resp = sa->resp_valid && sa->resp_len <= sizeof out->resp;
    if (out->has_resp) {
        memcpy(out->resp, sa->resp, sa->resp_len);
        out->resp_len = sa->resp_len;
    }
    out->mid_sync = sa->ha.mid_sync;
    out->replay_sync = sa->ha.replay_sync;
    out->has_child = sa->has_child;
    out->child = sa->child;
    if (sa->peer_key) {
        gsize n;
        const uint8_t *k = g_bytes_get_data(sa->peer_key, &n);
        out->peer_id_type = k[0];
        memcpy(out->peer_id, k + 1, n - 1);
        out->peer_id_len = n - 1;
    }
    if (sa->peer_token_len)
        memcpy(out->peer_token, sa->peer_token, sa->peer_token_len);
    out->peer_token_len = sa->peer_token_len;
    out->sync_sent = sa->ha.last_sent;
    out->sync_m1 = sa->ha.last_m1;
    out->sync_p1 = sa->ha.last_p1;
    out->sync_m_seen = sa->ha.m_seen;
    return IKE_OK;
}

static bool state_ok(const ike_ep *ep, const ike_sa_state *st)
{
    uint64_t local = st->initiator ? st->spi_i : st->spi_r;
    return st->spi_i && st->spi_r && ike_suite_check(&st->suite) == IKE_OK &&
           (!st->has_resp || (st->resp_len > 0 && st->resp_len <= sizeof st->resp)) &&
           st->peer_id_len <= sizeof st->peer_id && st->peer_token_len <= sizeof st->peer_token &&
           st->sync_m_seen >= -1 && st->sync_m_seen <= UINT32_MAX &&
           st->iv_counter <= UINT64_MAX - ep->cfg->ha_iv_margin && /* else: rekey, not failover */
           !g_hash_table_contains(ep->sas, &local) &&
           !(st->has_child && ep_map_lookup(&ep->child_in, GUINT_TO_POINTER(st->child.spi_in)));
}

ike_sa *ike_ep_import(ike_ep *ep, uint64_t now, uint64_t peer, const ike_sa_state *st)
{
    if (!state_ok(ep, st))
        return NULL;
    ike_sa *sa = ep_sa_new(ep, now, peer, st->initiator);
    hs_free(sa->hs); /* nothing of the handshake is left */
    sa->hs = NULL;
    sa->spi_i = st->spi_i;
    sa->spi_r = st->spi_r;
    sa->local_spi = st->initiator ? st->spi_i : st->spi_r;
    sa->state = SA_ESTABLISHED;
    sa->suite = st->suite;
    sa->keys = st->keys;
    /* The old member may have sealed messages after this state was
     * replicated: skip past every IV it can have used (see ike_ha.h). */
    sa->iv_counter = st->iv_counter + ep->cfg->ha_iv_margin;
    sa->next_mid_out = st->next_mid_out;
    sa->next_mid_in = st->next_mid_in;
    if (st->has_resp) {
        sa->resp = g_memdup2(st->resp, st->resp_len);
        sa->resp_len = st->resp_len;
        sa->resp_valid = true;
    }
    sa->has_child = st->has_child;
    sa->child = st->child;
    if (st->peer_id_len)
        ep_sa_set_peer_id(sa, st->peer_id_type, st->peer_id, st->peer_id_len);
    else if (st->peer_id_type) /* kept for export; nothing to index */
        sa->peer_key = g_bytes_new(&st->peer_id_type, 1);
    if (st->peer_token_len)
        sa->peer_token = g_memdup2(st->peer_token, st->peer_token_len);
    sa->peer_token_len = st->peer_token_len;
    sa->ha = (ike_ha){.mid_sync = st->mid_sync, .replay_sync = st->replay_sync, .imported = true,
                      .last_sent = st->sync_sent, .last_m1 = st->sync_m1, .last_p1 = st->sync_p1,
                      .m_seen = st->sync_m_seen};
    g_hash_table_insert(ep->sas, &sa->local_spi, sa);
    if (!sa->initiator)
        ep_responder_index(ep, sa); /* a late IKE_SA_INIT copy must not start a new SA */
    if (sa->has_child)
        ep_child_index(ep, sa, true);
    ike_event ev = {.now = now, .child = sa->has_child ? &sa->child : NULL};
    ep_emit(ep, IKE_EV_SA_IMPORTED, sa, &ev);
    dpd_arm(sa, now);
    sa_lifetimes_start(sa, now); /* as charon's HA replica once active, from now */
    ep_rearm(ep, sa);
    return sa;
}

int ike_sa_ha_values(const ike_sa *sa, uint32_t window, uint32_t *m1, uint32_t *p1)
{
    /* above everything used: our next request and, after an earlier sync,
     * its M1 (requests may have followed it unreplicated: the window) */
    uint64_t base = sa->next_mid_out;
    uint32_t p = sa->next_mid_in;
    if (sa->ha.last_sent) {
        base = MAX(base, (uint64_t)sa->ha.last_m1 + 1);
        p = MAX(p, sa->ha.last_p1);
    }
    uint64_t m = base + window;
    if (m > UINT32_MAX)
        return IKE_E_LIMIT;
    *m1 = (uint32_t)m;
    *p1 = p;
    return IKE_OK;
}

bool ike_sa_mid_sync(const ike_sa *sa) { return sa->ha.mid_sync; }
bool ike_sa_replay_sync(const ike_sa *sa) { return sa->ha.replay_sync; }

bool ike_sa_ha_last_sync(const ike_sa *sa, uint32_t *m1, uint32_t *p1)
{
    if (!sa->ha.last_sent)
        return false;
    *m1 = sa->ha.last_m1;
    *p1 = sa->ha.last_p1;
    return true;
}
