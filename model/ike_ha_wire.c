/* ike_ha_wire.c — the RFC 6311 notify payloads (§6): two capabilities
 * without data, IKEV2_MESSAGE_ID_SYNC (nonce and two MIDs) and
 * IPSEC_REPLAY_COUNTER_SYNC (a 4- or 8-octet delta).  All carry Protocol
 * ID 0 and no SPI. */
#include "ike_internal.h"

ike_payload ike_ha_cap_notify(uint16_t type)
{
    return ike_pl_notify(IKE_PROTO_NONE, type, NULL, 0);
}

ike_payload ike_ha_mid_sync_notify(const ike_ha_mid_sync *v, uint8_t data[IKE_HA_MID_SYNC_LEN])
{
    put_be32(data, v->nonce);
    put_be32(data + 4, v->expected_send);
    put_be32(data + 8, v->expected_recv);
    return ike_pl_notify(IKE_PROTO_NONE, IKE_N_MESSAGE_ID_SYNC, data, IKE_HA_MID_SYNC_LEN);
}

int ike_ha_replay_notify(uint64_t delta, uint8_t len, uint8_t data[8], ike_payload *out)
{
    if (len == 4 && delta <= UINT32_MAX)
        put_be32(data, (uint32_t)delta);
    else if (len == 8)
        put_be64(data, delta);
    else
        return IKE_E_SYNTAX;
    *out = ike_pl_notify(IKE_PROTO_NONE, IKE_N_REPLAY_COUNTER_SYNC, data, len);
    return IKE_OK;
}

/* The common part: the notify type, Protocol ID 0, no SPI. */
static int header_ok(const ike_payload *p, uint16_t type)
{
    const ike_notify_pl *n = &p->u.notify;
    if (p->type != IKE_PL_NOTIFY || n->type != type || n->proto != IKE_PROTO_NONE || n->spi_size != 0)
        return IKE_E_SYNTAX;
    return IKE_OK;
}

int ike_ha_cap_parse(const ike_payload *p, uint16_t type)
{
    if (type != IKE_N_MESSAGE_ID_SYNC_SUPPORTED && type != IKE_N_REPLAY_COUNTER_SYNC_SUPPORTED)
        return IKE_E_SYNTAX;
    int rc = header_ok(p, type);
    if (rc == IKE_OK && p->u.notify.data.len != 0)
        rc = IKE_E_BAD_LENGTH;
    return rc;
}

int ike_ha_mid_sync_parse(const ike_payload *p, ike_ha_mid_sync *v)
{
    int rc = header_ok(p, IKE_N_MESSAGE_ID_SYNC);
    if (rc != IKE_OK)
        return rc;
    const ike_bytes *d = &p->u.notify.data;
    if (d->len != IKE_HA_MID_SYNC_LEN)
        return IKE_E_BAD_LENGTH;
    *v = (ike_ha_mid_sync){get_be32(d->p), get_be32(d->p + 4), get_be32(d->p + 8)};
    return IKE_OK;
}

int ike_ha_replay_parse(const ike_payload *p, uint64_t *delta, uint8_t *len)
{
    int rc = header_ok(p, IKE_N_REPLAY_COUNTER_SYNC);
    if (rc != IKE_OK)
        return rc;
    const ike_bytes *d = &p->u.notify.data;
    if (d->len == 4)
        *delta = get_be32(d->p);
    else if (d->len == 8)
        *delta = (uint64_t)get_be32(d->p) << 32 | get_be32(d->p + 4);
    else
        return IKE_E_BAD_LENGTH;
    *len = (uint8_t)d->len;
    return IKE_OK;
}
