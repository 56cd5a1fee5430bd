/* ike_resume_wire.c — RFC 5723 notifies and IKE_SESSION_RESUME messages. */
#include "ike_resume_wire.h"

#include <string.h>

/* §7: Protocol ID and SPI size 0; REQUEST, ACK and NACK carry no data; a
 * ticket is 1 .. IKE_TICKET_MAX octets. */
static int notify_ok(const ike_notify_pl *n)
{
    if (n->proto != IKE_PROTO_NONE || n->spi_size != 0)
        return IKE_E_SYNTAX;
    size_t fixed = n->type == IKE_N_TICKET_LT_OPAQUE ? IKE_TICKET_LIFETIME_LEN : 0;
    bool carries = n->type == IKE_N_TICKET_LT_OPAQUE || n->type == IKE_N_TICKET_OPAQUE;
    if (!carries)
        return n->data.len == 0 ? IKE_OK : IKE_E_SYNTAX;
    if (n->data.len <= fixed || n->data.len - fixed > IKE_TICKET_MAX)
        return IKE_E_SYNTAX;
    return IKE_OK;
}

int ike_ticket_lt_payload(uint32_t lifetime_s, const uint8_t *ticket, size_t len,
                          uint8_t *buf, size_t cap, ike_payload *out)
{
    if (len == 0 || len > IKE_TICKET_MAX)
        return IKE_E_SYNTAX;
    if (cap < IKE_TICKET_LIFETIME_LEN + len)
        return IKE_E_SPACE;
    for (int i = 0; i < 4; i++)
        buf[i] = (uint8_t)(lifetime_s >> (24 - 8 * i));
    memcpy(buf + IKE_TICKET_LIFETIME_LEN, ticket, len);
    *out = ike_pl_notify(IKE_PROTO_NONE, IKE_N_TICKET_LT_OPAQUE, buf, IKE_TICKET_LIFETIME_LEN + len);
    return IKE_OK;
}

ike_payload ike_ticket_opaque_payload(const uint8_t *ticket, size_t len)
{
    return ike_pl_notify(IKE_PROTO_NONE, IKE_N_TICKET_OPAQUE, ticket, len);
}

int ike_ticket_reply_read(const ike_msg *m, size_t from, ike_ticket_reply *r)
{
    *r = (ike_ticket_reply){ .answer = IKE_TICKET_NONE };
    const ike_payload *p;
    while ((p = ike_find(m, IKE_PL_NOTIFY, &from)) != NULL) {
        const ike_notify_pl *n = &p->u.notify;
        ike_ticket_answer a = n->type == IKE_N_TICKET_LT_OPAQUE ? IKE_TICKET_GRANTED
                              : n->type == IKE_N_TICKET_ACK     ? IKE_TICKET_LATER
                              : n->type == IKE_N_TICKET_NACK    ? IKE_TICKET_REFUSED
                                                                : IKE_TICKET_NONE;
        if (a == IKE_TICKET_NONE)
            continue;
        if (r->answer != IKE_TICKET_NONE)
            return IKE_E_PAYLOADS;
        int rc = notify_ok(n);
        if (rc)
            return rc;
        r->answer = a;
        if (a == IKE_TICKET_GRANTED) {
            const uint8_t *d = n->data.p;
            r->lifetime_s = (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 | d[3];
            r->ticket = (ike_bytes){ d + IKE_TICKET_LIFETIME_LEN, n->data.len - IKE_TICKET_LIFETIME_LEN };
        }
    }
    return IKE_OK;
}

bool ike_ticket_requested(const ike_msg *m, size_t from)
{
    const ike_payload *p;
    while ((p = ike_find(m, IKE_PL_NOTIFY, &from)) != NULL)
        if (p->u.notify.type == IKE_N_TICKET_REQUEST && notify_ok(&p->u.notify) == IKE_OK)
            return true;
    return false;
}

static void header(ike_msg *m, uint64_t spi_i, uint64_t spi_r, uint8_t flags)
{
    /* the header and an empty chain, not the 24 payloads' room */
    m->hdr = (ike_hdr){ .spi_i = spi_i, .spi_r = spi_r, .version = IKE_VERSION, .exchange = IKE_SESSION_RESUME,
                        .flags = flags };
    m->n = 0;
    m->critical_type = 0;
}

static void add(ike_msg *m, ike_payload pl)
{
    m->pl[m->n++] = pl;
}

static bool nonce_ok(ike_bytes n)
{
    return n.len >= 16 && n.len <= 256; /* RFC 7296 §3.9 */
}

int ike_resume_request(uint64_t spi_i, const ike_resume_msg *r, ike_msg *m)
{
    if (spi_i == 0 || !nonce_ok(r->nonce) || r->ticket.len == 0 || r->ticket.len > IKE_TICKET_MAX ||
        r->nack)
        return IKE_E_SYNTAX;
    header(m, spi_i, 0, IKE_FLAG_I);
    if (r->cookie.len > 0) /* RFC 7296 §2.6: the cookie goes first */
        add(m, ike_pl_notify(IKE_PROTO_NONE, IKE_N_COOKIE, r->cookie.p, r->cookie.len));
    add(m, ike_pl_bytes(IKE_PL_NONCE, r->nonce.p, r->nonce.len));
    add(m, ike_ticket_opaque_payload(r->ticket.p, r->ticket.len));
    return IKE_OK;
}

int ike_resume_response(uint64_t spi_i, uint64_t spi_r, const ike_resume_msg *r, ike_msg *m)
{
    int refusals = (r->cookie.len > 0) + r->nack;
    if (spi_i == 0 || refusals > 1 || r->ticket.len > 0)
        return IKE_E_SYNTAX;
    if (refusals == 0 && (spi_r == 0 || !nonce_ok(r->nonce)))
        return IKE_E_SYNTAX;
    if (refusals == 1 && (spi_r != 0 || r->nonce.len > 0))
        return IKE_E_SYNTAX;
    header(m, spi_i, spi_r, IKE_FLAG_R);
    if (r->nack)
        add(m, ike_pl_notify(IKE_PROTO_NONE, IKE_N_TICKET_NACK, NULL, 0));
    else if (r->cookie.len > 0)
        add(m, ike_pl_notify(IKE_PROTO_NONE, IKE_N_COOKIE, r->cookie.p, r->cookie.len));
    else
        add(m, ike_pl_bytes(IKE_PL_NONCE, r->nonce.p, r->nonce.len));
    return IKE_OK;
}

/* Counts payloads of a type, or notifies of a type when notify != 0. */
static size_t count(const ike_msg *m, uint8_t type, uint16_t notify, const ike_payload **last)
{
    size_t n = 0, from = 0;
    const ike_payload *p;
    while ((p = ike_find(m, type, &from)) != NULL)
        if (notify == 0 || p->u.notify.type == notify) {
            n++;
            *last = p;
        }
    return n;
}

int ike_resume_read(const ike_msg *m, ike_resume_msg *r)
{
    *r = (ike_resume_msg){ 0 };
    const ike_hdr *h = &m->hdr;
    bool response = (h->flags & IKE_FLAG_R) != 0;
    if (h->exchange != IKE_SESSION_RESUME || h->msg_id != 0 || h->spi_i == 0 ||
        (response && (h->flags & IKE_FLAG_I)) || (!response && (!(h->flags & IKE_FLAG_I) || h->spi_r != 0)))
        return IKE_E_SYNTAX;
    const ike_payload *nonce = NULL, *ticket = NULL, *cookie = NULL, *nack = NULL, *x = NULL;
    size_t n_nonce = count(m, IKE_PL_NONCE, 0, &nonce);
    size_t n_ticket = count(m, IKE_PL_NOTIFY, IKE_N_TICKET_OPAQUE, &ticket);
    size_t n_cookie = count(m, IKE_PL_NOTIFY, IKE_N_COOKIE, &cookie);
    size_t n_nack = count(m, IKE_PL_NOTIFY, IKE_N_TICKET_NACK, &nack);
    /* §4.3.2: no SA, no KE; and nothing sealed before keys exist */
    if (count(m, IKE_PL_SA, 0, &x) + count(m, IKE_PL_KE, 0, &x) + count(m, IKE_PL_SK, 0, &x) > 0 ||
        n_cookie > 1 || n_nack > 1)
        return IKE_E_PAYLOADS;
    if (cookie != NULL) {
        if (cookie->u.notify.data.len == 0)
            return IKE_E_SYNTAX;
        r->cookie = cookie->u.notify.data;
    }
    if (!response) {
        if (n_nonce != 1 || n_ticket != 1 || n_nack != 0)
            return IKE_E_PAYLOADS;
        int rc = notify_ok(&ticket->u.notify);
        if (rc)
            return rc;
        r->nonce = nonce->u.nonce;
        r->ticket = ticket->u.notify.data;
        return IKE_OK;
    }
    if (n_ticket != 0 || n_nack + n_cookie + (n_nonce > 0) != 1 || n_nonce > 1)
        return IKE_E_PAYLOADS;
    if (nack != NULL) {
        int rc = notify_ok(&nack->u.notify);
        if (rc)
            return rc;
        r->nack = true;
    } else if (nonce != NULL) {
        if (h->spi_r == 0)
            return IKE_E_SYNTAX;
        r->nonce = nonce->u.nonce;
    }
    return IKE_OK;
}
