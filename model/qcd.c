#include "qcd.h"

#include <string.h>

#include "ike_crypto.h"

void qcd_secrets_init(qcd_secrets *s, const uint8_t secret[QCD_SECRET_LEN])
{
    memset(s, 0, sizeof *s);
    memcpy(s->cur, secret, QCD_SECRET_LEN);
}

void qcd_rollover(qcd_secrets *s, const uint8_t secret[QCD_SECRET_LEN])
{
    memmove(s->old[1], s->old[0], (QCD_OLD_SECRETS - 1) * QCD_SECRET_LEN);
    memcpy(s->old[0], s->cur, QCD_SECRET_LEN);
    memcpy(s->cur, secret, QCD_SECRET_LEN);
    if (s->n_old < QCD_OLD_SECRETS)
        s->n_old++;
}

int qcd_token(const uint8_t secret[QCD_SECRET_LEN], uint64_t spi_i, uint64_t spi_r,
              uint8_t out[QCD_TOKEN_LEN])
{
    uint8_t spis[16];
    for (int i = 0; i < 8; i++) {
        spis[i] = (uint8_t)(spi_i >> (56 - 8 * i));
        spis[8 + i] = (uint8_t)(spi_r >> (56 - 8 * i));
    }
    ike_iov seg = {spis, sizeof spis};
    return ike_prf(secret, QCD_SECRET_LEN, &seg, 1, out);
}

size_t qcd_token_payloads(const qcd_secrets *s, uint64_t spi_i, uint64_t spi_r,
                          uint8_t *tokens, ike_payload *pl)
{
    size_t n = 0;
    for (unsigned g = 0; g <= s->n_old && g <= QCD_OLD_SECRETS; g++) {
        const uint8_t *secret = g == 0 ? s->cur : s->old[g - 1];
        uint8_t *t = tokens + n * QCD_TOKEN_LEN;
        if (qcd_token(secret, spi_i, spi_r, t) != IKE_OK)
            break;
        pl[n++] = ike_pl_notify(IKE_PROTO_NONE, IKE_N_QCD_TOKEN, t, QCD_TOKEN_LEN);
    }
    return n;
}

bool qcd_notify_ok(const ike_payload *p)
{
    const ike_notify_pl *n = &p->u.notify;
    return p->type == IKE_PL_NOTIFY && n->type == IKE_N_QCD_TOKEN &&
           (n->proto == IKE_PROTO_NONE || n->proto == IKE_PROTO_IKE) && n->spi_size == 0 &&
           n->data.len >= QCD_MIN_TOKEN && n->data.len <= QCD_MAX_TOKEN;
}

bool qcd_match(const ike_msg *m, const uint8_t *stored, size_t stored_len)
{
    bool match = false;
    unsigned seen = 0;
    for (size_t i = 0; i < m->n && seen < QCD_MAX_PRESENTED; i++) {
        const ike_payload *p = &m->pl[i];
        if (p->type != IKE_PL_NOTIFY || p->u.notify.type != IKE_N_QCD_TOKEN)
            continue;
        seen++;
        /* compare every presented token, so timing tells nothing */
        if (qcd_notify_ok(p) && p->u.notify.data.len == stored_len)
            match |= ike_ct_equal(p->u.notify.data.p, stored, stored_len) != 0;
    }
    return match;
}
