/* ike_admit.c — a responder's admission control: the stateless COOKIE of
 * RFC 7296 §2.6, demanded while cfg.cookie_threshold or more SAs are
 * half-open (strongSwan's cookie_threshold), a cap on half-open SAs
 * (cfg.half_open_max, strongSwan's init_limit_half_open), and the
 * classification a caller with a CPU budget per handshake uses to queue
 * only the requests that will cost a Diffie-Hellman. */
#include <string.h>

#include "ike_internal.h"

enum { COOKIE_VERSION = 1, COOKIE_HASH_LEN = 16, COOKIE_LEN = 1 + COOKIE_HASH_LEN };

bool cookie_required(const ike_ep *ep)
{
    return ep->cfg->cookie_threshold && ep->half_open >= ep->cfg->cookie_threshold;
}

/* Cookie = VersionIDofSecret | Hash(Ni | IPi | SPIi | secret), the
 * construction §2.6 suggests (the secret as the HMAC key). */
static bool cookie_make(const ike_ep *ep, uint64_t peer, const ike_msg *m, uint8_t out[COOKIE_LEN])
{
    const ike_payload *ni = ike_find(m, IKE_PL_NONCE, NULL);
    if (!ni)
        return false;
    uint8_t ip[8], spi[8], h[IKE_PRF_LEN];
    put_be64(ip, peer);
    put_be64(spi, m->hdr.spi_i);
    ike_iov seg[] = {{ni->u.nonce.p, ni->u.nonce.len}, {ip, 8}, {spi, 8}};
    if (ike_prf(ep->cookie_secret, sizeof ep->cookie_secret, seg, 3, h) != IKE_OK)
        return false;
    out[0] = COOKIE_VERSION;
    memcpy(out + 1, h, COOKIE_HASH_LEN);
    return true;
}

bool half_open_full(const ike_ep *ep)
{
    return ep->cfg->half_open_max && ep->half_open >= ep->cfg->half_open_max;
}

bool cookie_valid(const ike_ep *ep, uint64_t peer, const ike_msg *m)
{
    /* the COOKIE must come first (§2.6) */
    if (m->n == 0 || m->pl[0].type != IKE_PL_NOTIFY || m->pl[0].u.notify.type != IKE_N_COOKIE ||
        m->pl[0].u.notify.data.len != COOKIE_LEN)
        return false;
    uint8_t want[COOKIE_LEN];
    return cookie_make(ep, peer, m, want) && ike_ct_equal(want, m->pl[0].u.notify.data.p, COOKIE_LEN);
}

/* HDR(SPIi, 0), N(COOKIE): no state is kept. */
void cookie_send(ike_ep *ep, uint64_t now, uint64_t peer, const ike_msg *m)
{
    uint8_t c[COOKIE_LEN];
    if (!cookie_make(ep, peer, m, c))
        return;
    ike_msg r = {0};
    r.hdr = (ike_hdr){.spi_i = m->hdr.spi_i, .version = IKE_VERSION, .exchange = m->hdr.exchange,
                      .flags = IKE_FLAG_R}; /* IKE_SA_INIT, or IKE_SESSION_RESUME (RFC 5723 §4.3.2) */
    r.pl[0] = ike_pl_notify(IKE_PROTO_NONE, IKE_N_COOKIE, c, COOKIE_LEN);
    r.n = 1;
    uint8_t out[128];
    size_t len;
    if (ike_encode(&r, out, sizeof out, &len) != IKE_OK)
        return;
    ep_send_raw(ep, now, NULL, peer, out, len);
    ike_event ev = {.now = now, .peer = peer, .spi_i = m->hdr.spi_i, .exchange = m->hdr.exchange};
    ep_emit(ep, IKE_EV_COOKIE_SENT, NULL, &ev);
}

ike_admit ike_ep_admit(ike_ep *ep, uint64_t now, uint64_t peer, const uint8_t *msg, size_t len)
{
    ike_hdr h;
    if (ike_parse_header(msg, len, &h) != IKE_OK ||
        (h.exchange != IKE_SA_INIT && (h.exchange != IKE_SESSION_RESUME || !ep->cfg->resume.keys)) ||
        (h.flags & IKE_FLAG_R) || !(h.flags & IKE_FLAG_I) || h.spi_r != 0 || h.msg_id != 0 ||
        ep_responder_lookup(ep, peer, h.spi_i))
        return IKE_ADMIT_OTHER; /* not new: answered from state or dropped, cheaply */
    ike_admit costly = h.exchange == IKE_SA_INIT ? IKE_ADMIT_HANDSHAKE : IKE_ADMIT_RESUME;
    if (!cookie_required(ep))
        return half_open_full(ep) ? IKE_ADMIT_OTHER : costly;
    ike_msg *m = g_new0(ike_msg, 1);
    ike_admit a = IKE_ADMIT_OTHER; /* unparsable: ike_ep_receive drops it */
    if (ike_parse(msg, len, m) == IKE_OK) {
        if (cookie_valid(ep, peer, m))
            a = half_open_full(ep) ? IKE_ADMIT_OTHER : costly;
        else {
            cookie_send(ep, now, peer, m);
            a = IKE_ADMIT_ANSWERED;
        }
    }
    g_free(m);
    return a;
}
