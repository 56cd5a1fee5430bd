/* What an IKE message is: its kind and a summary of its payloads, the
 * protected ones opened with the keys of the SA that sent it. */
#include <string.h>

#include "trace_msg.h"

#include "ike_crypto.h"

static const char *const msg_names[TM_N_KINDS] = {
    [TM_NONE] = "",
    [TM_INIT_REQ] = "ike-sa-init-request", [TM_INIT_RESP] = "ike-sa-init-response",
    [TM_AUTH_REQ] = "ike-auth-request", [TM_AUTH_RESP] = "ike-auth-response",
    [TM_CHILD_REQ] = "create-child-sa-request", [TM_CHILD_RESP] = "create-child-sa-response",
    [TM_LIVENESS_REQ] = "liveness-request", [TM_LIVENESS_ANSWER] = "liveness-answer",
    [TM_DELETE_REQ] = "delete-request", [TM_DELETE_RESP] = "delete-response",
    [TM_MID_SYNC_REQ] = "mid-sync-request", [TM_MID_SYNC_RESP] = "mid-sync-response",
    [TM_REPLAY_SYNC_REQ] = "replay-sync-request", [TM_REPLAY_SYNC_RESP] = "replay-sync-response",
    [TM_INFO_REQ] = "informational-request", [TM_INFO_RESP] = "informational-response",
    [TM_INVALID_IKE_SPI] = "invalid-ike-spi", [TM_INVALID_SPI] = "invalid-spi",
    [TM_RESUME_REQ] = "ike-session-resume-request", [TM_RESUME_RESP] = "ike-session-resume-response",
    [TM_UNKNOWN] = "unknown",
};

const char *trace_msg_name(trace_msg m) { return m < TM_N_KINDS ? msg_names[m] : "unknown"; }

bool trace_msg_parse(const char *s, trace_msg *m)
{
    for (int i = 1; i < TM_N_KINDS; i++)
        if (strcmp(s, msg_names[i]) == 0) {
            *m = (trace_msg)i;
            return true;
        }
    return false;
}

static void describe_payload(GString *s, const ike_payload *p)
{
    static const char *const names[] = {[IKE_PL_SA] = "SA", [IKE_PL_KE] = "KE", [IKE_PL_IDI] = "IDi",
                                        [IKE_PL_IDR] = "IDr", [IKE_PL_CERT] = "CERT", [IKE_PL_CERTREQ] = "CERTREQ",
                                        [IKE_PL_AUTH] = "AUTH", [IKE_PL_NONCE] = "No", [IKE_PL_VENDOR] = "V",
                                        [IKE_PL_TSI] = "TSi", [IKE_PL_TSR] = "TSr", [IKE_PL_CP] = "CP",
                                        [IKE_PL_EAP] = "EAP"};
    if (s->len && s->str[s->len - 1] != '{')
        g_string_append_c(s, ' ');
    if (p->type == IKE_PL_NOTIFY) {
        const char *n = ike_notify_name(p->u.notify.type);
        if (strcmp(n, "notify?") != 0)
            g_string_append_printf(s, "N(%s)", n);
        else
            g_string_append_printf(s, "N(%u)", p->u.notify.type);
    } else if (p->type == IKE_PL_DELETE) {
        const ike_delete_pl *d = &p->u.del;
        g_string_append(s, d->proto == IKE_PROTO_IKE ? "D(IKE" : "D(ESP");
        for (size_t i = 0; d->spi_size == 4 && i < d->n_spi; i++) {
            const uint8_t *b = d->spis.p + 4 * i;
            g_string_append_printf(s, " 0x%02x%02x%02x%02x", b[0], b[1], b[2], b[3]);
        }
        g_string_append_c(s, ')');
    } else if (p->type < G_N_ELEMENTS(names) && names[p->type]) {
        g_string_append(s, names[p->type]);
    } else {
        g_string_append_printf(s, "P(%u)", p->type);
    }
}

/* The SA of ep that holds both SPIs (ike_ep_find looks up our own SPI). */
static ike_sa *sa_of(ike_ep *ep, uint64_t spi_i, uint64_t spi_r)
{
    if (!ep)
        return NULL;
    ike_sa *sa = ike_ep_find(ep, spi_i);
    if (!sa || ike_sa_spi_r(sa) != spi_r)
        sa = ike_ep_find(ep, spi_r);
    return sa && ike_sa_spi_i(sa) == spi_i && ike_sa_spi_r(sa) == spi_r ? sa : NULL;
}

/* Opens the SK payload with the keys of the sender's SA; false if it cannot. */
static bool open_sk(ike_ep *ep, const uint8_t *msg, size_t len, ike_msg *m, uint8_t *plain)
{
    ike_sa *sa = sa_of(ep, m->hdr.spi_i, m->hdr.spi_r);
    const ike_keys *k = sa ? ike_sa_keys(sa) : NULL;
    if (!k || !k->encr_len)
        return false;
    bool ini = ike_sa_is_initiator(sa);
    return ike_sk_open(ike_sa_suite(sa), ini ? k->ei : k->er, ini ? k->ai : k->ar, msg, len, m, plain,
                       IKE_MAX_MSG) == IKE_OK;
}

/* first: where the payloads opened from SK begin */
static trace_msg kind_of(const ike_msg *m, bool sealed, bool opened, size_t first)
{
    bool resp = (m->hdr.flags & IKE_FLAG_R) != 0;
    if (!sealed && ike_find_notify(m, IKE_N_INVALID_IKE_SPI))
        return TM_INVALID_IKE_SPI;
    if (!sealed && ike_find_notify(m, IKE_N_INVALID_SPI))
        return TM_INVALID_SPI;
    switch (m->hdr.exchange) {
    case IKE_SA_INIT: return resp ? TM_INIT_RESP : TM_INIT_REQ;
    case IKE_AUTH: return resp ? TM_AUTH_RESP : TM_AUTH_REQ;
    case IKE_CREATE_CHILD_SA: return resp ? TM_CHILD_RESP : TM_CHILD_REQ;
    case IKE_SESSION_RESUME: return resp ? TM_RESUME_RESP : TM_RESUME_REQ;
    case IKE_INFORMATIONAL: break;
    default: return TM_UNKNOWN;
    }
    if (!opened)
        return resp ? TM_INFO_RESP : TM_INFO_REQ;
    if (ike_find_notify(m, IKE_N_MESSAGE_ID_SYNC))
        return resp ? TM_MID_SYNC_RESP : TM_MID_SYNC_REQ;
    if (ike_find_notify(m, IKE_N_REPLAY_COUNTER_SYNC))
        return resp ? TM_REPLAY_SYNC_RESP : TM_REPLAY_SYNC_REQ;
    size_t from = first;
    if (ike_find(m, IKE_PL_DELETE, &from))
        return resp ? TM_DELETE_RESP : TM_DELETE_REQ;
    if (first == m->n) /* nothing inside SK */
        return resp ? TM_LIVENESS_ANSWER : TM_LIVENESS_REQ;
    return resp ? TM_INFO_RESP : TM_INFO_REQ;
}

bool trace_msg_describe(const uint8_t *msg, size_t len, ike_ep *ep, trace_msg_info *out)
{
    memset(out, 0, sizeof *out);
    out->payloads = g_string_sized_new(32);
    ike_msg *m = g_new0(ike_msg, 1);
    uint8_t *plain = NULL;
    bool ok = ike_parse(msg, len, m) == IKE_OK;
    if (!ok) {
        out->kind = TM_UNKNOWN;
        if (ike_parse_header(msg, len, &out->hdr) == IKE_OK)
            g_string_append(out->payloads, "?");
        g_free(m);
        return false;
    }
    out->hdr = m->hdr;
    size_t first = m->n; /* inner payloads, once opened, follow */
    bool sealed = m->n && m->pl[m->n - 1].type == IKE_PL_SK, opened = false;
    for (size_t i = 0; i + sealed < m->n; i++)
        describe_payload(out->payloads, &m->pl[i]);
    if (sealed) {
        plain = g_malloc(IKE_MAX_MSG);
        opened = open_sk(ep, msg, len, m, plain);
        g_string_append(out->payloads, out->payloads->len ? " SK{" : "SK{");
        for (size_t i = first; opened && i < m->n; i++)
            describe_payload(out->payloads, &m->pl[i]);
        g_string_append(out->payloads, opened ? "}" : "?}");
    }
    out->kind = kind_of(m, sealed, opened, first);
    out->opened = opened;
    g_free(plain);
    g_free(m);
    return true;
}
