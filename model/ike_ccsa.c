/* ike_ccsa.c — the payload sets of CREATE_CHILD_SA (RFC 7296 §1.3). */
#include "ike_ccsa.h"

enum { NONCE_MIN = 16, NONCE_MAX = 256 };

static bool child_proto(uint8_t p)
{
    return p == IKE_PROTO_ESP || p == IKE_PROTO_AH;
}

/* Every proposal of an IKE rekey is for IKE with an 8-octet SPI; of a Child
 * SA for ESP or AH with a 4-octet SPI (§3.3.1). */
static int check_sa(const ike_sa_pl *sa, bool ike, bool response)
{
    if (sa == NULL || sa->n == 0)
        return IKE_E_PAYLOADS;
    if (sa->n > IKE_MAX_PROPOSALS || (response && sa->n != 1))
        return IKE_E_SYNTAX; /* §3.3: a response holds the one chosen proposal */
    for (size_t i = 0; i < sa->n; i++) {
        const ike_proposal *p = &sa->p[i];
        bool ok = ike ? p->proto == IKE_PROTO_IKE && p->spi_size == IKE_SPI_LEN
                      : child_proto(p->proto) && p->spi_size == IKE_CHILD_SPI_LEN;
        if (!ok)
            return IKE_E_SYNTAX;
    }
    return IKE_OK;
}

static int check(const ike_ccsa *c, bool response)
{
    bool ike = c->kind == IKE_CCSA_REKEY_IKE;
    if (c->kind != IKE_CCSA_NEW_CHILD && c->kind != IKE_CCSA_REKEY_CHILD && !ike)
        return IKE_E_SYNTAX;
    int rc = check_sa(c->sa, ike, response);
    if (rc)
        return rc;
    if (c->nonce.len < NONCE_MIN || c->nonce.len > NONCE_MAX)
        return IKE_E_SYNTAX;
    if (ike && c->ke.len == 0)
        return IKE_E_PAYLOADS; /* §2.18: an IKE SA rekey always exchanges keys */
    if (ike != (c->tsi == NULL) || ike != (c->tsr == NULL))
        return IKE_E_PAYLOADS;
    if (!response && c->kind == IKE_CCSA_REKEY_CHILD && !child_proto(c->rekey_proto))
        return IKE_E_SYNTAX;
    return IKE_OK;
}

static ike_payload rekey_sa(uint8_t proto, uint32_t spi)
{
    ike_payload pl = ike_pl_notify(proto, IKE_N_REKEY_SA, NULL, 0);
    pl.u.notify.spi_size = IKE_CHILD_SPI_LEN;
    for (int i = 0; i < 4; i++)
        pl.u.notify.spi[i] = (uint8_t)(spi >> (24 - 8 * i));
    return pl;
}

int ike_ccsa_build(const ike_ccsa *c, bool response, ike_payload *pl, size_t cap, size_t *n)
{
    if (cap < IKE_CCSA_MAX_PAYLOADS)
        return IKE_E_SPACE;
    int rc = check(c, response);
    if (rc)
        return rc;
    size_t k = 0;
    if (!response && c->kind == IKE_CCSA_REKEY_CHILD)
        pl[k++] = rekey_sa(c->rekey_proto, c->rekey_spi);
    pl[k++] = (ike_payload){ .type = IKE_PL_SA, .u.sa = *c->sa };
    pl[k++] = ike_pl_bytes(IKE_PL_NONCE, c->nonce.p, c->nonce.len);
    if (c->ke.len > 0)
        pl[k++] = (ike_payload){ .type = IKE_PL_KE, .u.ke = { c->ke_group, c->ke } };
    if (c->tsi != NULL) {
        pl[k++] = (ike_payload){ .type = IKE_PL_TSI, .u.ts = *c->tsi };
        pl[k++] = (ike_payload){ .type = IKE_PL_TSR, .u.ts = *c->tsr };
    }
    *n = k;
    return IKE_OK;
}

/* The only payload of its type in pl[from..n), in *out; IKE_E_PAYLOADS if
 * it repeats, or is missing while required. */
static int one(const ike_msg *m, size_t from, uint8_t type, bool required, const ike_payload **out)
{
    const ike_payload *p = ike_find(m, type, &from);
    if (p != NULL && ike_find(m, type, &from) != NULL)
        return IKE_E_PAYLOADS;
    if (p == NULL && required)
        return IKE_E_PAYLOADS;
    *out = p;
    return IKE_OK;
}

/* The first error notify of a response, if any. */
static int read_refusal(const ike_msg *m, size_t from, ike_ccsa *c)
{
    const ike_payload *p;
    while ((p = ike_find(m, IKE_PL_NOTIFY, &from)) != NULL) {
        const ike_notify_pl *n = &p->u.notify;
        if (n->type == 0 || n->type > IKE_N_ERROR_MAX)
            continue;
        c->error = n->type;
        if (n->type == IKE_N_INVALID_KE_PAYLOAD) {
            if (n->data.len != 2)
                return IKE_E_SYNTAX;
            c->error_group = (uint16_t)(n->data.p[0] << 8 | n->data.p[1]);
        }
        return IKE_OK;
    }
    return IKE_OK;
}

static int read_rekey_sa(const ike_payload *p, ike_ccsa *c)
{
    const ike_notify_pl *n = &p->u.notify;
    if (!child_proto(n->proto) || n->spi_size != IKE_CHILD_SPI_LEN || n->data.len != 0)
        return IKE_E_SYNTAX;
    c->kind = IKE_CCSA_REKEY_CHILD;
    c->rekey_proto = n->proto;
    c->rekey_spi = (uint32_t)n->spi[0] << 24 | (uint32_t)n->spi[1] << 16 |
                   (uint32_t)n->spi[2] << 8 | n->spi[3];
    return IKE_OK;
}

int ike_ccsa_read(const ike_msg *m, size_t from, bool response, ike_ccsa *c)
{
    *c = (ike_ccsa){ .kind = IKE_CCSA_NEW_CHILD };
    if (response) {
        int rc = read_refusal(m, from, c);
        if (rc || c->error != 0)
            return rc;
    }
    const ike_payload *sa, *nonce, *ke, *tsi, *tsr, *rekey = NULL;
    int rc = one(m, from, IKE_PL_SA, true, &sa);
    if (!rc)
        rc = one(m, from, IKE_PL_NONCE, true, &nonce);
    if (!rc)
        rc = one(m, from, IKE_PL_KE, false, &ke);
    if (!rc)
        rc = one(m, from, IKE_PL_TSI, false, &tsi);
    if (!rc)
        rc = one(m, from, IKE_PL_TSR, false, &tsr);
    if (rc)
        return rc;
    if (!response) {
        size_t at = from;
        for (const ike_payload *p; (p = ike_find(m, IKE_PL_NOTIFY, &at)) != NULL;) {
            if (p->u.notify.type != IKE_N_REKEY_SA)
                continue;
            if (rekey != NULL)
                return IKE_E_PAYLOADS;
            rekey = p;
        }
    }
    bool ike = sa->u.sa.n > 0 && sa->u.sa.p[0].proto == IKE_PROTO_IKE;
    if (ike && rekey != NULL)
        return IKE_E_PAYLOADS;
    if (rekey != NULL && (rc = read_rekey_sa(rekey, c)) != IKE_OK)
        return rc;
    if (ike)
        c->kind = IKE_CCSA_REKEY_IKE;
    c->sa = &sa->u.sa;
    c->nonce = nonce->u.nonce;
    if (ke != NULL) {
        c->ke_group = ke->u.ke.group;
        c->ke = ke->u.ke.data;
    }
    c->tsi = tsi != NULL ? &tsi->u.ts : NULL;
    c->tsr = tsr != NULL ? &tsr->u.ts : NULL;
    return check(c, response);
}

bool ike_ccsa_rekeys_ike(const ike_msg *m, size_t from)
{
    const ike_payload *sa = ike_find(m, IKE_PL_SA, &from);
    return sa != NULL && sa->u.sa.n > 0 && sa->u.sa.p[0].proto == IKE_PROTO_IKE;
}

ike_payload ike_ccsa_refusal(uint16_t type, uint16_t group, uint8_t proto, uint32_t spi,
                             uint8_t buf[2])
{
    if (type == IKE_N_CHILD_SA_NOT_FOUND) {
        ike_payload pl = rekey_sa(proto, spi);
        pl.u.notify.type = type;
        return pl;
    }
    if (type == IKE_N_INVALID_KE_PAYLOAD) {
        buf[0] = (uint8_t)(group >> 8);
        buf[1] = (uint8_t)group;
        return ike_pl_notify(IKE_PROTO_NONE, type, buf, 2);
    }
    return ike_pl_notify(IKE_PROTO_NONE, type, NULL, 0);
}
