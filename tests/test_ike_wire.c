/* test_ike_wire.c — the IKEv2 wire codec against RFC 7296 §3 layouts.
 *
 * Expected bytes are derived by hand from the RFC tables (protocol-brief.md
 * §3.2-§3.5) and written out with their offsets.  Every parse of hostile
 * input runs on a heap copy of exactly the given length, so AddressSanitizer
 * sees any read past the end.
 */
#include <glib.h>
#include <string.h>

#include "ike_wire.h"

/* ---- known-good bytes ------------------------------------------------- */

/* IKE_SA_INIT request: HDR, SA{AES-GCM-16/256, PRF-HMAC-SHA2-256,
 * Curve25519}, KE(31), Ni(32).  28 + 40 + 40 + 36 = 144 octets. */
static const uint8_t SA_INIT_REQ[] = {
    /* 0: IKE header */
    0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, /* SPIi */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* SPIr = 0 */
    0x21, 0x20, 0x22, 0x08,                         /* next SA, ver 2.0, IKE_SA_INIT, I */
    0x00, 0x00, 0x00, 0x00,                         /* Message ID 0 */
    0x00, 0x00, 0x00, 0x90,                         /* Length 144 */
    /* 28: SA payload */
    0x22, 0x00, 0x00, 0x28,                         /* next KE, C=0, length 40 */
    /* 32: proposal */
    0x00, 0x00, 0x00, 0x24,                         /* last, reserved, length 36 */
    0x01, 0x01, 0x00, 0x03,                         /* #1, IKE, SPI size 0, 3 transforms */
    /* 40: transform ENCR_AES_GCM_16 with Key Length 256 */
    0x03, 0x00, 0x00, 0x0c, 0x01, 0x00, 0x00, 0x14,
    0x80, 0x0e, 0x01, 0x00,                         /* 48: TV attr 14, 256 bits */
    /* 52: transform PRF_HMAC_SHA2_256 */
    0x03, 0x00, 0x00, 0x08, 0x02, 0x00, 0x00, 0x05,
    /* 60: transform DH 31 (last) */
    0x00, 0x00, 0x00, 0x08, 0x04, 0x00, 0x00, 0x1f,
    /* 68: KE payload */
    0x28, 0x00, 0x00, 0x28,                         /* next Nonce, length 40 */
    0x00, 0x1f, 0x00, 0x00,                         /* group 31, reserved */
    0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, /* 76: X25519 public value */
    0x48, 0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f,
    0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57,
    0x58, 0x59, 0x5a, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f,
    /* 108: Nonce payload */
    0x00, 0x00, 0x00, 0x24,                         /* last, length 36 */
    0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, /* 112: Ni */
    0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x8d, 0x8e, 0x8f,
    0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97,
    0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f,
};

/* N(INVALID_SPI) carrying an ESP SPI, then N(INVALID_KE_PAYLOAD) with the
 * accepted group (14) as data. */
static const uint8_t NOTIFY_CHAIN[] = {
    0x29, 0x00, 0x00, 0x0c,                         /* next Notify, length 12 */
    0x03, 0x04, 0x00, 0x0b,                         /* ESP, SPI size 4, type 11 */
    0xc0, 0xff, 0xee, 0x01,                         /* SPI */
    0x00, 0x00, 0x00, 0x0a,                         /* last, length 10 */
    0x00, 0x00, 0x00, 0x11,                         /* no proto, SPI size 0, type 17 */
    0x00, 0x0e,                                     /* data: group 14 */
};

/* Delete of the IKE SA itself: proto 1, SPI size 0, no SPIs (§3.11). */
static const uint8_t DELETE_IKE[] = {
    0x00, 0x00, 0x00, 0x08, 0x01, 0x00, 0x00, 0x00,
};

/* TSi with one IPv4 range selector: any protocol, all ports, 10.0.0.0/24. */
static const uint8_t TSI_V4[] = {
    0x00, 0x00, 0x00, 0x18,                         /* last, length 24 */
    0x01, 0x00, 0x00, 0x00,                         /* 1 TS, reserved */
    0x07, 0x00, 0x00, 0x10,                         /* IPv4 range, any proto, length 16 */
    0x00, 0x00, 0xff, 0xff,                         /* ports 0..65535 */
    0x0a, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0xff, /* 10.0.0.0 .. 10.0.0.255 */
};

/* Header of a protected INFORMATIONAL response from the original initiator. */
static const uint8_t HDR_IR[] = {
    0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
    0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00,
    0x2e, 0x20, 0x25, 0x28,                         /* next SK, 2.0, INFORMATIONAL, I|R */
    0x00, 0x00, 0x00, 0x07,                         /* Message ID 7 */
    0x00, 0x00, 0x00, 0x50,                         /* Length 80 */
};

static const uint8_t KE32[32] = {
    0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f,
    0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f,
};
static const uint8_t NONCE32[32] = {
    0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x8d, 0x8e, 0x8f,
    0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f,
};
static uint8_t BIG[300]; /* filled with a pattern by main() */

/* ---- helpers ---------------------------------------------------------- */

static bool typed_parse_error(int rc)
{
    return rc == IKE_E_TRUNCATED || rc == IKE_E_BAD_LENGTH || rc == IKE_E_VERSION ||
           rc == IKE_E_CRITICAL || rc == IKE_E_SYNTAX || rc == IKE_E_LIMIT;
}

/* Parses a heap copy of exactly len octets; m's views die with the copy, so
 * callers only look at scalar fields. */
static int parse_copy(const uint8_t *p, size_t len, ike_msg *m)
{
    uint8_t *c = g_memdup2(p, len);
    int rc = ike_parse(c, len, m);
    g_free(c);
    return rc;
}

static int parse_copy_chain(uint8_t first, const uint8_t *p, size_t len, ike_msg *m)
{
    uint8_t *c = g_memdup2(p, len);
    m->n = 0;
    int rc = ike_parse_chain(first, c, len, m);
    g_free(c);
    return rc;
}

static void assert_bytes(const uint8_t *got, size_t glen, const uint8_t *want, size_t wlen)
{
    g_assert_cmpuint(glen, ==, wlen);
    for (size_t i = 0; i < wlen; i++) {
        if (got[i] != want[i])
            g_test_message("first difference at octet %zu", i);
        g_assert_cmphex(got[i], ==, want[i]);
    }
}

static bool bytes_eq(ike_bytes a, ike_bytes b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

static void set16(uint8_t *p, size_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void set32(uint8_t *p, size_t v)
{
    set16(p, v >> 16);
    set16(p + 2, v);
}

/* Wraps a payload chain in a header (SA_INIT_REQ's SPIs) with matching Length. */
static GByteArray *wrap(uint8_t first, const uint8_t *chain, size_t len)
{
    GByteArray *a = g_byte_array_new();
    g_byte_array_append(a, SA_INIT_REQ, IKE_HDR_LEN);
    g_byte_array_append(a, chain, (guint)len);
    a->data[16] = first;
    set32(a->data + 24, a->len);
    return a;
}

static size_t encode_ok(const ike_msg *m, uint8_t *out, size_t cap)
{
    size_t len = 0;
    g_assert_cmpint(ike_encode(m, out, cap, &len), ==, IKE_OK);
    return len;
}

/* ---- messages built from structs -------------------------------------- */

static ike_payload sa_ike_init(void)
{
    ike_payload pl = { .type = IKE_PL_SA };
    pl.u.sa.n = 1;
    pl.u.sa.p[0] = (ike_proposal){
        .num = 1, .proto = IKE_PROTO_IKE, .n_transforms = 3,
        .t = { { .type = IKE_TT_ENCR, .id = IKE_ENCR_AES_GCM_16, .key_bits = 256 },
               { .type = IKE_TT_PRF, .id = IKE_PRF_HMAC_SHA2_256, .key_bits = 0 },
               { .type = IKE_TT_DH, .id = IKE_DH_CURVE25519, .key_bits = 0 } },
    };
    return pl;
}

static void msg_sa_init_req(ike_msg *m)
{
    *m = (ike_msg){ .hdr = { .spi_i = 0x0102030405060708u, .version = IKE_VERSION,
                             .exchange = IKE_SA_INIT, .flags = IKE_FLAG_I } };
    m->pl[0] = sa_ike_init();
    m->pl[1] = (ike_payload){ .type = IKE_PL_KE,
                              .u.ke = { IKE_DH_CURVE25519, { KE32, sizeof KE32 } } };
    m->pl[2] = ike_pl_bytes(IKE_PL_NONCE, NONCE32, sizeof NONCE32);
    m->n = 3;
}

static void msg_sa_init_resp(ike_msg *m)
{
    static const uint8_t certreq[] = { 0x04, 0xaa, 0xbb, 0xcc, 0xdd };
    msg_sa_init_req(m);
    m->hdr.spi_r = 0x1112131415161718u;
    m->hdr.flags = IKE_FLAG_R;
    m->pl[3] = ike_pl_notify(IKE_PROTO_NONE, IKE_N_CHILDLESS_IKEV2_SUPPORTED, NULL, 0);
    m->pl[4] = ike_pl_bytes(IKE_PL_CERTREQ, certreq, sizeof certreq);
    m->pl[5] = ike_pl_bytes(IKE_PL_VENDOR, (const uint8_t *)"ikesim", 6);
    m->n = 6;
}

/* The IKE_AUTH inner chain, sent in the clear here to exercise the codec. */
static void msg_auth_plain(ike_msg *m)
{
    static const uint8_t fqdn[] = "gw-a.example";
    static const uint8_t v6_hi[16] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                       0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    *m = (ike_msg){ .hdr = { .spi_i = 0x0102030405060708u, .spi_r = 0x1112131415161718u,
                             .version = IKE_VERSION, .exchange = IKE_AUTH,
                             .flags = IKE_FLAG_I, .msg_id = 1 } };
    size_t n = 0;
    m->pl[n++] = (ike_payload){ .type = IKE_PL_IDI,
                                .u.id = { IKE_ID_FQDN, { fqdn, sizeof fqdn - 1 } } };
    m->pl[n++] = (ike_payload){ .type = IKE_PL_AUTH,
                                .u.auth = { IKE_AUTH_SHARED_KEY, { BIG, 32 } } };
    m->pl[n++] = ike_pl_notify(IKE_PROTO_NONE, IKE_N_INITIAL_CONTACT, NULL, 0);
    m->pl[n++] = ike_pl_notify(IKE_PROTO_NONE, IKE_N_QCD_TOKEN, BIG + 32, 32);
    m->pl[n++] = ike_pl_notify(IKE_PROTO_NONE, IKE_N_MESSAGE_ID_SYNC_SUPPORTED, NULL, 0);

    ike_payload sa = { .type = IKE_PL_SA };
    sa.u.sa.n = 2;
    sa.u.sa.p[0] = (ike_proposal){
        .num = 1, .proto = IKE_PROTO_ESP, .spi_size = 4, .spi = { 0xa1, 0xb2, 0xc3, 0xd4 },
        .n_transforms = 2,
        .t = { { .type = IKE_TT_ENCR, .id = IKE_ENCR_AES_GCM_16, .key_bits = 256 },
               { .type = IKE_TT_ESN, .id = IKE_ESN_NO, .key_bits = 0 } },
    };
    sa.u.sa.p[1] = (ike_proposal){
        .num = 2, .proto = IKE_PROTO_ESP, .spi_size = 4, .spi = { 0xa1, 0xb2, 0xc3, 0xd4 },
        .n_transforms = 3,
        .t = { { .type = IKE_TT_ENCR, .id = IKE_ENCR_AES_CBC, .key_bits = 128 },
               { .type = IKE_TT_INTEG, .id = IKE_INTEG_HMAC_SHA2_256_128, .key_bits = 0 },
               { .type = IKE_TT_ESN, .id = IKE_ESN_NO, .key_bits = 0 } },
    };
    m->pl[n++] = sa;

    ike_payload tsi = { .type = IKE_PL_TSI };
    tsi.u.ts.n = 2;
    tsi.u.ts.s[0] = (ike_ts_sel){ .type = IKE_TS_IPV4_RANGE, .end_port = 0xffff,
                                  .start = { 10, 0, 0, 0 }, .end = { 10, 0, 0, 255 } };
    tsi.u.ts.s[1] = (ike_ts_sel){ .type = 8, .end_port = 0xffff };
    memcpy(tsi.u.ts.s[1].end, v6_hi, 16);
    m->pl[n++] = tsi;

    ike_payload tsr = { .type = IKE_PL_TSR };
    tsr.u.ts.n = 1;
    tsr.u.ts.s[0] = (ike_ts_sel){ .type = IKE_TS_IPV4_RANGE, .ip_proto = 17,
                                  .start_port = 500, .end_port = 500,
                                  .start = { 192, 0, 2, 1 }, .end = { 192, 0, 2, 1 } };
    m->pl[n++] = tsr;
    m->n = n;
}

static void msg_info_sk(ike_msg *m)
{
    *m = (ike_msg){ .hdr = { .spi_i = 0x1122334455667788u, .spi_r = 0x99aabbccddeeff00u,
                             .version = IKE_VERSION, .exchange = IKE_INFORMATIONAL,
                             .flags = IKE_FLAG_I | IKE_FLAG_R, .msg_id = 7 } };
    m->pl[0] = ike_pl_bytes(IKE_PL_SK, BIG, 48); /* IV 16 | one block | ICV 16 */
    m->pl[0].next = IKE_PL_NOTIFY;
    m->n = 1;
}

/* Deletes, notifies with 8- and 4-octet SPIs, an unknown non-critical type
 * and a Nonce with its (ignored) critical bit set. */
static void msg_info_misc(ike_msg *m)
{
    static const uint8_t esp_spis[8] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 };
    *m = (ike_msg){ .hdr = { .spi_i = 0x1122334455667788u, .spi_r = 0x99aabbccddeeff00u,
                             .version = IKE_VERSION, .exchange = IKE_INFORMATIONAL,
                             .msg_id = 0xfffffffeu } };
    m->pl[0] = (ike_payload){ .type = IKE_PL_DELETE,
                              .u.del = { IKE_PROTO_ESP, 4, 2, { esp_spis, 8 } } };
    m->pl[1] = (ike_payload){ .type = IKE_PL_DELETE, .u.del = { IKE_PROTO_IKE, 0, 0, { NULL, 0 } } };
    m->pl[2] = ike_pl_notify(IKE_PROTO_IKE, 16393 /* REKEY_SA */, NULL, 0);
    m->pl[2].u.notify.spi_size = 8;
    memcpy(m->pl[2].u.notify.spi, esp_spis, 8);
    m->pl[3] = ike_pl_notify(IKE_PROTO_ESP, IKE_N_INVALID_SPI, NULL, 0);
    m->pl[3].u.notify.spi_size = 4;
    memcpy(m->pl[3].u.notify.spi, esp_spis, 4);
    m->pl[4] = ike_pl_bytes(200, (const uint8_t *)"opaque", 6);
    m->pl[5] = ike_pl_bytes(IKE_PL_NONCE, BIG, 16);
    m->pl[5].critical = true;
    m->n = 6;
}

/* CREATE_CHILD_SA rekeying the IKE SA: 8-octet SPI, MODP-2048, 256-octet Nonce. */
static void msg_rekey(ike_msg *m)
{
    *m = (ike_msg){ .hdr = { .spi_i = 0x1122334455667788u, .spi_r = 0x99aabbccddeeff00u,
                             .version = IKE_VERSION, .exchange = IKE_CREATE_CHILD_SA,
                             .flags = IKE_FLAG_I, .msg_id = 3 } };
    ike_payload sa = { .type = IKE_PL_SA };
    sa.u.sa.n = 1;
    sa.u.sa.p[0] = (ike_proposal){
        .num = 1, .proto = IKE_PROTO_IKE, .spi_size = 8,
        .spi = { 1, 2, 3, 4, 5, 6, 7, 8 }, .n_transforms = 4,
        .t = { { .type = IKE_TT_ENCR, .id = IKE_ENCR_AES_CBC, .key_bits = 256 },
               { .type = IKE_TT_PRF, .id = IKE_PRF_HMAC_SHA2_256, .key_bits = 0 },
               { .type = IKE_TT_INTEG, .id = IKE_INTEG_HMAC_SHA2_256_128, .key_bits = 0 },
               { .type = IKE_TT_DH, .id = IKE_DH_MODP2048, .key_bits = 0 } },
    };
    m->pl[0] = sa;
    m->pl[1] = ike_pl_bytes(IKE_PL_NONCE, BIG, 256);
    m->pl[2] = (ike_payload){ .type = IKE_PL_KE, .u.ke = { IKE_DH_MODP2048, { BIG + 4, 256 } } };
    m->n = 3;
}

typedef void (*msg_builder)(ike_msg *m);
static const msg_builder BUILDERS[] = {
    msg_sa_init_req, msg_sa_init_resp, msg_auth_plain, msg_info_sk, msg_info_misc, msg_rekey,
};

/* Field-by-field equality of what a sender controls (not the computed
 * links and lengths, and not unknown_attr, which is dropped on encode). */
static bool pl_same(const ike_payload *a, const ike_payload *b)
{
    if (a->type != b->type || a->critical != b->critical)
        return false;
    switch (a->type) {
    case IKE_PL_SA:
        if (a->u.sa.n != b->u.sa.n)
            return false;
        for (size_t i = 0; i < a->u.sa.n; i++) {
            const ike_proposal *x = &a->u.sa.p[i], *y = &b->u.sa.p[i];
            if (x->num != y->num || x->proto != y->proto || x->spi_size != y->spi_size ||
                x->n_transforms != y->n_transforms || memcmp(x->spi, y->spi, x->spi_size) != 0)
                return false;
            for (size_t j = 0; j < x->n_transforms; j++)
                if (x->t[j].type != y->t[j].type || x->t[j].id != y->t[j].id ||
                    x->t[j].key_bits != y->t[j].key_bits)
                    return false;
        }
        return true;
    case IKE_PL_KE:
        return a->u.ke.group == b->u.ke.group && bytes_eq(a->u.ke.data, b->u.ke.data);
    case IKE_PL_IDI:
    case IKE_PL_IDR:
        return a->u.id.type == b->u.id.type && bytes_eq(a->u.id.data, b->u.id.data);
    case IKE_PL_AUTH:
        return a->u.auth.method == b->u.auth.method && bytes_eq(a->u.auth.data, b->u.auth.data);
    case IKE_PL_NONCE:
        return bytes_eq(a->u.nonce, b->u.nonce);
    case IKE_PL_NOTIFY: {
        const ike_notify_pl *x = &a->u.notify, *y = &b->u.notify;
        return x->proto == y->proto && x->spi_size == y->spi_size && x->type == y->type &&
               memcmp(x->spi, y->spi, x->spi_size) == 0 && bytes_eq(x->data, y->data);
    }
    case IKE_PL_DELETE:
        return a->u.del.proto == b->u.del.proto && a->u.del.spi_size == b->u.del.spi_size &&
               a->u.del.n_spi == b->u.del.n_spi && bytes_eq(a->u.del.spis, b->u.del.spis);
    case IKE_PL_TSI:
    case IKE_PL_TSR:
        if (a->u.ts.n != b->u.ts.n)
            return false;
        for (size_t i = 0; i < a->u.ts.n; i++) {
            const ike_ts_sel *x = &a->u.ts.s[i], *y = &b->u.ts.s[i];
            size_t alen = x->type == 7 ? 4 : 16;
            if (x->type != y->type || x->ip_proto != y->ip_proto ||
                x->start_port != y->start_port || x->end_port != y->end_port ||
                memcmp(x->start, y->start, alen) != 0 || memcmp(x->end, y->end, alen) != 0)
                return false;
        }
        return true;
    case IKE_PL_SK:
        return a->next == b->next && bytes_eq(a->u.raw, b->u.raw);
    default:
        return bytes_eq(a->u.raw, b->u.raw);
    }
}

static void assert_msg_same(const ike_msg *a, const ike_msg *b)
{
    g_assert_cmphex(a->hdr.spi_i, ==, b->hdr.spi_i);
    g_assert_cmphex(a->hdr.spi_r, ==, b->hdr.spi_r);
    g_assert_cmphex(a->hdr.version, ==, b->hdr.version);
    g_assert_cmpuint(a->hdr.exchange, ==, b->hdr.exchange);
    g_assert_cmphex(a->hdr.flags, ==, b->hdr.flags);
    g_assert_cmpuint(a->hdr.msg_id, ==, b->hdr.msg_id);
    g_assert_cmpuint(a->n, ==, b->n);
    for (size_t i = 0; i < a->n; i++) {
        if (!pl_same(&a->pl[i], &b->pl[i]))
            g_test_message("payload %zu (type %u) differs", i, a->pl[i].type);
        g_assert_true(pl_same(&a->pl[i], &b->pl[i]));
    }
}

/* ---- byte-exact encodings --------------------------------------------- */

static void test_encode_sa_init(void)
{
    g_autofree ike_msg *m = g_new0(ike_msg, 1);
    uint8_t out[IKE_MAX_MSG];
    msg_sa_init_req(m);
    size_t len = encode_ok(m, out, sizeof out);
    assert_bytes(out, len, SA_INIT_REQ, sizeof SA_INIT_REQ);

    /* Spot checks at RFC 7296 offsets. */
    g_assert_cmphex(out[16], ==, IKE_PL_SA);        /* Next Payload */
    g_assert_cmphex(out[17], ==, 0x20);             /* MjVer 2, MnVer 0 */
    g_assert_cmpuint(out[18], ==, 34);              /* IKE_SA_INIT */
    g_assert_cmphex(out[19], ==, 0x08);             /* I, not R */
    g_assert_cmpuint(out[27], ==, 144);             /* Length */
    g_assert_cmpuint(out[28], ==, IKE_PL_KE);       /* SA's next */
    g_assert_cmpuint(out[31], ==, 40);              /* SA payload length */
    g_assert_cmpuint(out[32], ==, 0);               /* only proposal: Last Substruc 0 */
    g_assert_cmpuint(out[35], ==, 36);              /* proposal length */
    g_assert_cmpuint(out[39], ==, 3);               /* Num Transforms */
    g_assert_cmpuint(out[40], ==, 3);               /* transform "more" */
    g_assert_cmpuint(out[43], ==, 12);              /* ENCR transform length with attr */
    g_assert_cmphex(out[48], ==, 0x80);             /* AF=1, type 14 = 0x800E */
    g_assert_cmphex(out[49], ==, 0x0e);
    g_assert_cmpuint(out[50] << 8 | out[51], ==, 256);
    g_assert_cmpuint(out[60], ==, 0);               /* last transform */
    g_assert_cmpuint(out[71], ==, 40);              /* KE payload length */
    g_assert_cmpuint(out[73], ==, 31);              /* DH group */
    g_assert_cmpuint(out[111], ==, 36);             /* Nonce payload length */
}

static void test_encode_notify_spi(void)
{
    static const uint8_t ke_group[2] = { 0x00, 0x0e };
    ike_payload pl[2];
    pl[0] = ike_pl_notify(IKE_PROTO_ESP, IKE_N_INVALID_SPI, NULL, 0);
    pl[0].u.notify.spi_size = 4;
    memcpy(pl[0].u.notify.spi, (const uint8_t[]){ 0xc0, 0xff, 0xee, 0x01 }, 4);
    pl[1] = ike_pl_notify(IKE_PROTO_NONE, IKE_N_INVALID_KE_PAYLOAD, ke_group, 2);
    uint8_t out[64];
    size_t len = 0;
    g_assert_cmpint(ike_encode_chain(pl, 2, out, sizeof out, &len), ==, IKE_OK);
    assert_bytes(out, len, NOTIFY_CHAIN, sizeof NOTIFY_CHAIN);
    g_assert_cmpuint(out[3], ==, 8 + 4);            /* fixed part 8 + SPI */
    g_assert_cmpuint(out[7], ==, 11);               /* INVALID_SPI */

    g_autofree ike_msg *m = g_new0(ike_msg, 1);
    g_assert_cmpint(ike_parse_chain(IKE_PL_NOTIFY, NOTIFY_CHAIN, sizeof NOTIFY_CHAIN, m), ==, IKE_OK);
    g_assert_cmpuint(m->n, ==, 2);
    g_assert_cmpuint(m->pl[0].u.notify.spi_size, ==, 4);
    g_assert_cmpmem(m->pl[0].u.notify.spi, 4, NOTIFY_CHAIN + 8, 4);
    g_assert_cmpuint(m->pl[0].u.notify.data.len, ==, 0);
    g_assert_cmpuint(m->pl[1].u.notify.type, ==, IKE_N_INVALID_KE_PAYLOAD);
    g_assert_cmpmem(m->pl[1].u.notify.data.p, m->pl[1].u.notify.data.len, ke_group, 2);
}

static void test_encode_delete_ike(void)
{
    ike_payload pl = { .type = IKE_PL_DELETE, .u.del = { .proto = IKE_PROTO_IKE } };
    uint8_t out[16];
    size_t len = 0;
    g_assert_cmpint(ike_encode_chain(&pl, 1, out, sizeof out, &len), ==, IKE_OK);
    assert_bytes(out, len, DELETE_IKE, sizeof DELETE_IKE);
    g_assert_cmpuint(len, ==, 8);

    g_autofree ike_msg *m = g_new0(ike_msg, 1);
    g_assert_cmpint(ike_parse_chain(IKE_PL_DELETE, DELETE_IKE, sizeof DELETE_IKE, m), ==, IKE_OK);
    g_assert_cmpuint(m->pl[0].u.del.proto, ==, IKE_PROTO_IKE);
    g_assert_cmpuint(m->pl[0].u.del.n_spi, ==, 0);
}

static void test_encode_ts_ipv4(void)
{
    ike_payload pl = { .type = IKE_PL_TSI };
    pl.u.ts.n = 1;
    pl.u.ts.s[0] = (ike_ts_sel){ .type = IKE_TS_IPV4_RANGE, .end_port = 0xffff,
                                 .start = { 10, 0, 0, 0 }, .end = { 10, 0, 0, 255 } };
    uint8_t out[64];
    size_t len = 0;
    g_assert_cmpint(ike_encode_chain(&pl, 1, out, sizeof out, &len), ==, IKE_OK);
    assert_bytes(out, len, TSI_V4, sizeof TSI_V4);
    g_assert_cmpuint(out[8], ==, 7);                /* TS_IPV4_ADDR_RANGE */
    g_assert_cmpuint(out[11], ==, 16);              /* selector length */

    g_autofree ike_msg *m = g_new0(ike_msg, 1);
    g_assert_cmpint(ike_parse_chain(IKE_PL_TSI, TSI_V4, sizeof TSI_V4, m), ==, IKE_OK);
    const ike_ts_sel *s = &m->pl[0].u.ts.s[0];
    g_assert_cmpuint(m->pl[0].u.ts.n, ==, 1);
    g_assert_cmpuint(s->end_port, ==, 65535);
    g_assert_cmpuint(s->end[3], ==, 255);
}

static void test_encode_header_flags(void)
{
    ike_hdr h = { .spi_i = 0x1122334455667788u, .spi_r = 0x99aabbccddeeff00u,
                  .version = IKE_VERSION, .exchange = IKE_INFORMATIONAL,
                  .flags = IKE_FLAG_I | IKE_FLAG_R, .msg_id = 7 };
    uint8_t out[IKE_HDR_LEN];
    ike_encode_header(&h, IKE_PL_SK, 80, out);
    assert_bytes(out, sizeof out, HDR_IR, sizeof HDR_IR);
    g_assert_cmphex(out[19], ==, 0x28);

    ike_hdr p;
    uint8_t msg[80] = { 0 };
    memcpy(msg, HDR_IR, sizeof HDR_IR);
    g_assert_cmpint(ike_parse_header(msg, sizeof msg, &p), ==, IKE_OK);
    g_assert_cmphex(p.spi_i, ==, h.spi_i);
    g_assert_cmphex(p.spi_r, ==, h.spi_r);
    g_assert_true(p.flags & IKE_FLAG_I);
    g_assert_true(p.flags & IKE_FLAG_R);
    g_assert_cmpuint(p.next_payload, ==, IKE_PL_SK);
    g_assert_cmpuint(p.msg_id, ==, 7);
    g_assert_cmpuint(p.length, ==, 80);
}

/* SK: u.raw is written as the body and next as its Next Payload octet. */
static void test_encode_sk(void)
{
    g_autofree ike_msg *m = g_new0(ike_msg, 1);
    uint8_t out[128];
    msg_info_sk(m);
    size_t len = encode_ok(m, out, sizeof out);
    g_assert_cmpuint(len, ==, 28 + 4 + 48);
    assert_bytes(out, IKE_HDR_LEN, HDR_IR, sizeof HDR_IR);
    g_assert_cmpuint(out[28], ==, IKE_PL_NOTIFY);   /* first inner payload */
    g_assert_cmpuint(out[31], ==, 52);
    g_assert_cmpmem(out + 32, 48, BIG, 48);

    g_autofree ike_msg *p = g_new0(ike_msg, 1);
    g_assert_cmpint(ike_parse(out, len, p), ==, IKE_OK);
    g_assert_cmpuint(p->n, ==, 1);
    g_assert_cmpuint(p->pl[0].next, ==, IKE_PL_NOTIFY);
    g_assert_true(p->pl[0].u.raw.p == out + 32);    /* a view, not a copy */
    g_assert_cmpuint(p->pl[0].u.raw.len, ==, 48);
}

static void test_helpers(void)
{
    static const uint8_t tok[3] = { 1, 2, 3 };
    ike_payload n = ike_pl_notify(IKE_PROTO_NONE, IKE_N_QCD_TOKEN, tok, 3);
    g_assert_cmpuint(n.type, ==, IKE_PL_NOTIFY);
    g_assert_false(n.critical);
    g_assert_cmpuint(n.u.notify.proto, ==, 0);      /* erratum 3449 */
    g_assert_cmpuint(n.u.notify.spi_size, ==, 0);
    g_assert_cmpuint(n.u.notify.type, ==, 16419);
    g_assert_true(n.u.notify.data.p == tok && n.u.notify.data.len == 3);

    ike_payload nonce = ike_pl_bytes(IKE_PL_NONCE, NONCE32, 32);
    g_assert_true(nonce.u.nonce.p == NONCE32 && nonce.u.nonce.len == 32);
    ike_payload v = ike_pl_bytes(IKE_PL_VENDOR, tok, 3);
    g_assert_true(v.u.raw.p == tok && v.u.raw.len == 3);
    g_assert_cmpuint(v.type, ==, IKE_PL_VENDOR);
}

/* ---- parsing and round trips ------------------------------------------ */

static void test_parse_sa_init_fields(void)
{
    g_autofree ike_msg *m = g_new0(ike_msg, 1);
    g_assert_cmpint(ike_parse(SA_INIT_REQ, sizeof SA_INIT_REQ, m), ==, IKE_OK);
    g_assert_cmphex(m->hdr.spi_i, ==, 0x0102030405060708u);
    g_assert_cmphex(m->hdr.spi_r, ==, 0);
    g_assert_cmpuint(m->hdr.exchange, ==, IKE_SA_INIT);
    g_assert_cmpuint(m->hdr.length, ==, 144);
    g_assert_cmpuint(m->n, ==, 3);

    const ike_sa_pl *sa = &m->pl[0].u.sa;
    g_assert_cmpuint(m->pl[0].type, ==, IKE_PL_SA);
    g_assert_cmpuint(m->pl[0].next, ==, IKE_PL_KE);
    g_assert_cmpuint(sa->n, ==, 1);
    g_assert_cmpuint(sa->p[0].proto, ==, IKE_PROTO_IKE);
    g_assert_cmpuint(sa->p[0].n_transforms, ==, 3);
    g_assert_cmpuint(sa->p[0].t[0].type, ==, IKE_TT_ENCR);
    g_assert_cmpuint(sa->p[0].t[0].id, ==, IKE_ENCR_AES_GCM_16);
    g_assert_cmpuint(sa->p[0].t[0].key_bits, ==, 256);
    g_assert_false(sa->p[0].t[0].unknown_attr);
    g_assert_cmpuint(sa->p[0].t[1].id, ==, IKE_PRF_HMAC_SHA2_256);
    g_assert_cmpuint(sa->p[0].t[1].key_bits, ==, 0);
    g_assert_cmpuint(sa->p[0].t[2].id, ==, IKE_DH_CURVE25519);

    g_assert_cmpuint(m->pl[1].u.ke.group, ==, 31);
    g_assert_true(m->pl[1].u.ke.data.p == SA_INIT_REQ + 76);
    g_assert_cmpuint(m->pl[1].u.ke.data.len, ==, 32);
    g_assert_true(m->pl[2].u.nonce.p == SA_INIT_REQ + 112);
    g_assert_cmpuint(m->pl[2].u.nonce.len, ==, 32);
    g_assert_cmpuint(m->pl[2].next, ==, IKE_PL_NONE);
}

static void test_find(void)
{
    g_autofree ike_msg *m = g_new0(ike_msg, 1);
    msg_info_misc(m);
    size_t from = 0;
    const ike_payload *a = ike_find(m, IKE_PL_DELETE, &from);
    g_assert_true(a == &m->pl[0]);
    g_assert_cmpuint(from, ==, 1);
    const ike_payload *b = ike_find(m, IKE_PL_DELETE, &from);
    g_assert_true(b == &m->pl[1]);
    g_assert_cmpuint(from, ==, 2);
    g_assert_null(ike_find(m, IKE_PL_DELETE, &from));
    g_assert_null(ike_find(m, IKE_PL_SA, NULL));
    g_assert_true(ike_find(m, 200, NULL) == &m->pl[4]);

    g_assert_true(ike_find_notify(m, IKE_N_INVALID_SPI) == &m->pl[3]);
    g_assert_true(ike_find_notify(m, 16393) == &m->pl[2]);
    g_assert_null(ike_find_notify(m, IKE_N_QCD_TOKEN));
}

/* parse → encode gives back the same octets. */
static void test_roundtrip_bytes(void)
{
    g_autofree ike_msg *m = g_new0(ike_msg, 1);
    uint8_t out[IKE_MAX_MSG];
    g_assert_cmpint(ike_parse(SA_INIT_REQ, sizeof SA_INIT_REQ, m), ==, IKE_OK);
    size_t len = encode_ok(m, out, sizeof out);
    assert_bytes(out, len, SA_INIT_REQ, sizeof SA_INIT_REQ);

    const struct { uint8_t first; const uint8_t *p; size_t len; } chains[] = {
        { IKE_PL_NOTIFY, NOTIFY_CHAIN, sizeof NOTIFY_CHAIN },
        { IKE_PL_DELETE, DELETE_IKE, sizeof DELETE_IKE },
        { IKE_PL_TSI, TSI_V4, sizeof TSI_V4 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(chains); i++) {
        m->n = 0;
        g_assert_cmpint(ike_parse_chain(chains[i].first, chains[i].p, chains[i].len, m), ==, IKE_OK);
        g_assert_cmpint(ike_encode_chain(m->pl, m->n, out, sizeof out, &len), ==, IKE_OK);
        assert_bytes(out, len, chains[i].p, chains[i].len);
    }

    /* Messages first produced by the encoder, then parsed and re-encoded. */
    g_autofree ike_msg *p = g_new0(ike_msg, 1);
    uint8_t again[IKE_MAX_MSG];
    for (size_t i = 0; i < G_N_ELEMENTS(BUILDERS); i++) {
        BUILDERS[i](m);
        len = encode_ok(m, out, sizeof out);
        g_assert_cmpint(ike_parse(out, len, p), ==, IKE_OK);
        size_t len2 = encode_ok(p, again, sizeof again);
        assert_bytes(again, len2, out, len);
    }
}

/* encode → parse gives the same fields, with links and lengths filled in. */
static void test_roundtrip_fields(void)
{
    g_autofree ike_msg *m = g_new0(ike_msg, 1);
    g_autofree ike_msg *p = g_new0(ike_msg, 1);
    uint8_t out[IKE_MAX_MSG];
    for (size_t i = 0; i < G_N_ELEMENTS(BUILDERS); i++) {
        BUILDERS[i](m);
        size_t len = encode_ok(m, out, sizeof out);
        g_assert_cmpint(ike_parse(out, len, p), ==, IKE_OK);
        assert_msg_same(m, p);
        g_assert_cmpuint(p->hdr.length, ==, len);
        g_assert_cmpuint(p->hdr.next_payload, ==, m->pl[0].type);
        for (size_t j = 0; j + 1 < p->n; j++)
            if (p->pl[j].type != IKE_PL_SK)
                g_assert_cmpuint(p->pl[j].next, ==, p->pl[j + 1].type);
    }

    /* The ESP proposals of the IKE_AUTH chain, checked octet by octet. */
    msg_auth_plain(m);
    size_t len = encode_ok(m, out, sizeof out);
    g_assert_cmpint(ike_parse(out, len, p), ==, IKE_OK);
    const ike_payload *sa = ike_find(p, IKE_PL_SA, NULL);
    g_assert_nonnull(sa);
    const uint8_t *b = sa->body.p;
    g_assert_cmpuint(b[0], ==, 2);                  /* first proposal: more follow */
    g_assert_cmpuint(b[3], ==, 8 + 4 + 12 + 8);     /* length: fixed, SPI, ENCR+attr, ESN */
    g_assert_cmpuint(b[6], ==, 4);                  /* ESP SPI size */
    g_assert_cmpmem(b + 8, 4, ((const uint8_t[]){ 0xa1, 0xb2, 0xc3, 0xd4 }), 4);
    g_assert_cmpuint(b[32], ==, 0);                 /* second proposal is last */
    g_assert_cmpuint(b[36], ==, 2);                 /* its number */
    const ike_payload *tsi = ike_find(p, IKE_PL_TSI, NULL);
    g_assert_cmpuint(tsi->body.len, ==, 4 + 16 + 40);
    g_assert_cmpuint(tsi->u.ts.s[1].type, ==, 8);
    g_assert_cmpuint(tsi->body.p[4 + 16 + 3], ==, 40); /* IPv6 selector length */
}

/* ---- bad input -------------------------------------------------------- */

static void test_bad_truncation(void)
{
    g_autofree ike_msg *m = g_new0(ike_msg, 1);
    g_autofree ike_msg *tmp = g_new0(ike_msg, 1);
    uint8_t full[IKE_MAX_MSG];
    for (size_t b = 0; b < G_N_ELEMENTS(BUILDERS); b++) {
        BUILDERS[b](tmp);
        size_t len = encode_ok(tmp, full, sizeof full);
        for (size_t k = 0; k < len; k++) {
            /* Unpatched: the header Length no longer matches. */
            int rc = parse_copy(full, k, m);
            g_assert_cmpint(rc, ==, k < IKE_HDR_LEN ? IKE_E_TRUNCATED : IKE_E_BAD_LENGTH);
            if (k < IKE_HDR_LEN)
                continue;
            /* Patched: the header agrees, so the payload chain runs out. */
            uint8_t *c = g_memdup2(full, k);
            set32(c + 24, k);
            g_assert_cmpint(ike_parse(c, k, m), ==, IKE_E_TRUNCATED);
            g_free(c);
        }
        /* The bare chain, as ike_sk would hand it over. */
        for (size_t k = IKE_HDR_LEN; k < len; k++)
            g_assert_cmpint(parse_copy_chain(full[16], full + IKE_HDR_LEN, k - IKE_HDR_LEN, m),
                            ==, IKE_E_TRUNCATED);
    }
}

static void test_bad_payload_length_short(void)
{
    g_autofree ike_msg *m = g_new0(ike_msg, 1);
    uint8_t c[sizeof SA_INIT_REQ];
    const size_t len_at[] = { 30, 70, 110 }; /* SA, KE, Nonce Payload Length */
    for (size_t i = 0; i < G_N_ELEMENTS(len_at); i++) {
        for (size_t v = 0; v < 4; v++) {
            memcpy(c, SA_INIT_REQ, sizeof c);
            set16(c + len_at[i], v);
            g_assert_cmpint(parse_copy(c, sizeof c, m), ==, IKE_E_BAD_LENGTH);
        }
    }
}

static void test_bad_payload_length_past_end(void)
{
    g_autofree ike_msg *m = g_new0(ike_msg, 1);
    uint8_t c[sizeof SA_INIT_REQ];
    const size_t bad[] = { 37, 100, 0xffff };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        memcpy(c, SA_INIT_REQ, sizeof c);
        set16(c + 110, bad[i]); /* Nonce is last: 36 fits exactly */
        g_assert_cmpint(parse_copy(c, sizeof c, m), ==, IKE_E_TRUNCATED);
    }
    /* A header Length beyond the datagram. */
    memcpy(c, SA_INIT_REQ, sizeof c);
    set32(c + 24, sizeof c + 1);
    g_assert_cmpint(parse_copy(c, sizeof c, m), ==, IKE_E_BAD_LENGTH);
    set32(c + 24, 27);
    g_assert_cmpint(parse_copy(c, sizeof c, m), ==, IKE_E_BAD_LENGTH);
}

static void test_bad_trailing(void)
{
    g_autofree ike_msg *m = g_new0(ike_msg, 1);
    for (size_t extra = 1; extra <= 8; extra++) {
        GByteArray *a = wrap(IKE_PL_SA, SA_INIT_REQ + IKE_HDR_LEN, sizeof SA_INIT_REQ - IKE_HDR_LEN);
        for (size_t i = 0; i < extra; i++)
            g_byte_array_append(a, (const uint8_t[]){ 0 }, 1);
        set32(a->data + 24, a->len);
        g_assert_cmpint(parse_copy(a->data, a->len, m), ==, IKE_E_BAD_LENGTH);
        set32(a->data + 24, sizeof SA_INIT_REQ); /* Length not covering it */
        g_assert_cmpint(parse_copy(a->data, a->len, m), ==, IKE_E_BAD_LENGTH);
        g_byte_array_unref(a);
    }
    /* An empty chain (Next Payload 0) with octets after the header. */
    GByteArray *a = wrap(IKE_PL_NONE, DELETE_IKE, sizeof DELETE_IKE);
    g_assert_cmpint(parse_copy(a->data, a->len, m), ==, IKE_E_BAD_LENGTH);
    a->data[16] = IKE_PL_DELETE;
    g_assert_cmpint(parse_copy(a->data, a->len, m), ==, IKE_OK);
    g_byte_array_unref(a);
}

static void test_bad_version(void)
{
    g_autofree ike_msg *m = g_new0(ike_msg, 1);
    uint8_t c[sizeof SA_INIT_REQ];
    const uint8_t bad[] = { 0x10, 0x30, 0x00, 0xf0, 0x12 };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        memcpy(c, SA_INIT_REQ, sizeof c);
        c[17] = bad[i];
        g_assert_cmpint(parse_copy(c, sizeof c, m), ==, IKE_E_VERSION);
        /* The header is still read, for an INVALID_MAJOR_VERSION reply. */
        g_assert_cmphex(m->hdr.spi_i, ==, 0x0102030405060708u);
        g_assert_cmphex(m->hdr.version, ==, bad[i]);
    }
    /* The minor version is ignored (RFC 7296 §2.5). */
    memcpy(c, SA_INIT_REQ, sizeof c);
    c[17] = 0x21;
    g_assert_cmpint(parse_copy(c, sizeof c, m), ==, IKE_OK);
}

/* N(INITIAL_CONTACT), type 200 ("opaque"), Ni — encoded, with or without C. */
static size_t unknown_msg(bool critical, uint8_t type, uint8_t *out, size_t cap)
{
    g_autofree ike_msg *m = g_new0(ike_msg, 1);
    msg_sa_init_req(m);
    m->pl[0] = ike_pl_notify(IKE_PROTO_NONE, IKE_N_INITIAL_CONTACT, NULL, 0);
    m->pl[1] = ike_pl_bytes(type, (const uint8_t *)"opaque", 6);
    m->pl[1].critical = critical;
    m->pl[2] = ike_pl_bytes(IKE_PL_NONCE, NONCE32, 32);
    return encode_ok(m, out, cap);
}

static void test_bad_unknown_noncritical(void)
{
    g_autofree ike_msg *m = g_new0(ike_msg, 1);
    uint8_t out[256];
    size_t len = unknown_msg(false, 200, out, sizeof out);
    g_assert_cmpuint(out[28], ==, 200);             /* Notify's next */
    g_assert_cmphex(out[36 + 1], ==, 0x00);         /* type 200: C clear */
    g_assert_cmpint(ike_parse(out, len, m), ==, IKE_OK);
    g_assert_cmpuint(m->n, ==, 3);
    g_assert_cmpuint(m->pl[1].type, ==, 200);
    g_assert_false(m->pl[1].critical);
    g_assert_cmpmem(m->pl[1].u.raw.p, m->pl[1].u.raw.len, "opaque", 6);
    g_assert_cmpuint(m->pl[2].type, ==, IKE_PL_NONCE); /* skipped over correctly */
    g_assert_cmpmem(m->pl[2].u.nonce.p, m->pl[2].u.nonce.len, NONCE32, 32);
}

static void test_bad_unknown_critical(void)
{
    g_autofree ike_msg *m = g_new0(ike_msg, 1);
    uint8_t out[256];
    size_t len = unknown_msg(true, 200, out, sizeof out);
    g_assert_cmphex(out[36 + 1], ==, 0x80);         /* C bit written as given */
    g_assert_cmpint(parse_copy(out, len, m), ==, IKE_E_CRITICAL);
    g_assert_cmpuint(m->critical_type, ==, 200);

    /* Types the codec keeps raw (Vendor ID here) count as not understood. */
    len = unknown_msg(true, IKE_PL_VENDOR, out, sizeof out);
    g_assert_cmpint(parse_copy(out, len, m), ==, IKE_E_CRITICAL);
    g_assert_cmpuint(m->critical_type, ==, IKE_PL_VENDOR);

    /* For a decoded type the bit is ignored, but kept for re-encoding. */
    uint8_t c[sizeof SA_INIT_REQ], again[sizeof SA_INIT_REQ];
    memcpy(c, SA_INIT_REQ, sizeof c);
    c[109] = 0x80; /* Nonce */
    c[29] = 0x80;  /* SA */
    g_assert_cmpint(ike_parse(c, sizeof c, m), ==, IKE_OK);
    g_assert_true(m->pl[0].critical && !m->pl[1].critical && m->pl[2].critical);
    g_assert_cmpuint(m->critical_type, ==, 0);
    len = encode_ok(m, again, sizeof again);
    assert_bytes(again, len, c, sizeof c);
}

static void test_bad_nonce_size(void)
{
    g_autofree ike_msg *m = g_new0(ike_msg, 1);
    uint8_t out[IKE_MAX_MSG];
    const struct { size_t len; int rc; } cases[] = {
        { 0, IKE_E_SYNTAX }, { 15, IKE_E_SYNTAX }, { 16, IKE_OK },
        { 256, IKE_OK }, { 257, IKE_E_SYNTAX },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        msg_sa_init_req(m);
        m->pl[2] = ike_pl_bytes(IKE_PL_NONCE, BIG, cases[i].len);
        size_t len = encode_ok(m, out, sizeof out); /* the encoder does not judge */
        g_assert_cmpint(parse_copy(out, len, m), ==, cases[i].rc);
    }
}

static void test_bad_sk_not_last(void)
{
    g_autofree ike_msg *m = g_new0(ike_msg, 1);
    uint8_t out[256];
    msg_info_sk(m);
    size_t len = encode_ok(m, out, sizeof out);
    /* Anything after SK: here a well-formed N(INITIAL_CONTACT). */
    static const uint8_t n_ic[] = { 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x40, 0x00 };
    memcpy(out + len, n_ic, sizeof n_ic);
    len += sizeof n_ic;
    set32(out + 24, len);
    g_assert_cmpint(parse_copy(out, len, m), ==, IKE_E_SYNTAX);

    /* SK after other payloads is fine. */
    msg_info_sk(m);
    m->pl[1] = m->pl[0];
    m->pl[0] = ike_pl_notify(IKE_PROTO_NONE, IKE_N_INITIAL_CONTACT, NULL, 0);
    m->n = 2;
    len = encode_ok(m, out, sizeof out);
    g_assert_cmpint(parse_copy(out, len, m), ==, IKE_OK);

    /* The encoder refuses to put anything after SK. */
    msg_info_sk(m);
    m->pl[1] = ike_pl_notify(IKE_PROTO_NONE, IKE_N_INITIAL_CONTACT, NULL, 0);
    m->n = 2;
    g_assert_cmpint(ike_encode(m, out, sizeof out, &len), ==, IKE_E_SYNTAX);
}

static void test_bad_last_substruc(void)
{
    g_autofree ike_msg *m = g_new0(ike_msg, 1);
    uint8_t c[sizeof SA_INIT_REQ];
    const struct { size_t at; uint8_t v; } cases[] = {
        { 32, 2 }, { 32, 3 }, { 32, 1 },   /* the only proposal claims more */
        { 40, 0 }, { 40, 2 }, { 52, 0 },   /* inner transforms claim to be last */
        { 60, 3 }, { 60, 2 },              /* the last transform claims more */
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        memcpy(c, SA_INIT_REQ, sizeof c);
        c[cases[i].at] = cases[i].v;
        g_assert_cmpint(parse_copy(c, sizeof c, m), ==, IKE_E_SYNTAX);
    }

    /* Two proposals: the first must say 2. */
    g_autofree ike_msg *two = g_new0(ike_msg, 1);
    uint8_t out[IKE_MAX_MSG];
    msg_auth_plain(two);
    size_t len = encode_ok(two, out, sizeof out);
    g_assert_cmpint(ike_parse(out, len, m), ==, IKE_OK);
    const ike_payload *sa = ike_find(m, IKE_PL_SA, NULL);
    size_t at = (size_t)(sa->body.p - out);
    g_assert_cmpuint(out[at], ==, 2);
    out[at] = 0;
    g_assert_cmpint(parse_copy(out, len, m), ==, IKE_E_SYNTAX);
}

/* n N(INITIAL_CONTACT) payloads in one message. */
static GByteArray *many_notifies(size_t n)
{
    GByteArray *chain = g_byte_array_new();
    for (size_t i = 0; i < n; i++) {
        uint8_t pl[8] = { i + 1 < n ? IKE_PL_NOTIFY : 0, 0, 0, 8, 0, 0, 0x40, 0x00 };
        g_byte_array_append(chain, pl, sizeof pl);
    }
    GByteArray *a = wrap(IKE_PL_NOTIFY, chain->data, chain->len);
    g_byte_array_unref(chain);
    return a;
}

static void test_bad_limits(void)
{
    g_autofree ike_msg *m = g_new0(ike_msg, 1);
    GByteArray *a = many_notifies(IKE_MAX_PAYLOADS);
    g_assert_cmpint(parse_copy(a->data, a->len, m), ==, IKE_OK);
    g_assert_cmpuint(m->n, ==, IKE_MAX_PAYLOADS);
    g_byte_array_unref(a);
    a = many_notifies(IKE_MAX_PAYLOADS + 1);
    g_assert_cmpint(parse_copy(a->data, a->len, m), ==, IKE_E_LIMIT);
    g_byte_array_unref(a);

    /* The encoder cannot be handed more than the struct holds either. */
    uint8_t out[IKE_MAX_MSG];
    size_t len;
    msg_sa_init_req(m);
    m->n = IKE_MAX_PAYLOADS + 1;
    g_assert_cmpint(ike_encode(m, out, sizeof out, &len), ==, IKE_E_LIMIT);

    /* One proposal and one transform too many. */
    GByteArray *sa = g_byte_array_new();
    g_byte_array_append(sa, (const uint8_t[]){ 0, 0, 0, 0 }, 4);
    for (size_t i = 0; i < IKE_MAX_PROPOSALS + 1; i++) {
        uint8_t prop[16] = { i < IKE_MAX_PROPOSALS ? 2 : 0, 0, 0, 16, (uint8_t)(i + 1), 1, 0, 1,
                             0, 0, 0, 8, IKE_TT_DH, 0, 0, 31 };
        g_byte_array_append(sa, prop, sizeof prop);
    }
    set16(sa->data + 2, sa->len);
    a = wrap(IKE_PL_SA, sa->data, sa->len);
    g_assert_cmpint(parse_copy(a->data, a->len, m), ==, IKE_E_LIMIT);
    g_byte_array_unref(a);
    g_byte_array_unref(sa);

    sa = g_byte_array_new();
    size_t nt = IKE_MAX_TRANSFORMS + 1;
    uint8_t head[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, (uint8_t)nt };
    set16(head + 2, 4 + 8 + 8 * nt);
    set16(head + 6, 8 + 8 * nt);
    g_byte_array_append(sa, head, sizeof head);
    for (size_t i = 0; i < nt; i++) {
        uint8_t t[8] = { i + 1 < nt ? 3 : 0, 0, 0, 8, IKE_TT_DH, 0, 0, 31 };
        g_byte_array_append(sa, t, sizeof t);
    }
    a = wrap(IKE_PL_SA, sa->data, sa->len);
    g_assert_cmpint(parse_copy(a->data, a->len, m), ==, IKE_E_LIMIT);
    g_byte_array_unref(a);
    g_byte_array_unref(sa);

    /* A TS payload announcing 9 selectors. */
    uint8_t ts[sizeof TSI_V4];
    memcpy(ts, TSI_V4, sizeof ts);
    ts[4] = IKE_MAX_TS + 1;
    a = wrap(IKE_PL_TSI, ts, sizeof ts);
    g_assert_cmpint(parse_copy(a->data, a->len, m), ==, IKE_E_LIMIT);
    g_byte_array_unref(a);
}

/* Each case patches one field of a known-good structure. */
static void test_bad_substructures(void)
{
    g_autofree ike_msg *m = g_new0(ike_msg, 1);
    uint8_t c[sizeof SA_INIT_REQ];
    const struct { size_t at; uint8_t v; int rc; const char *what; } sa_cases[] = {
        { 39, 4, IKE_E_BAD_LENGTH, "Num Transforms above the count" },
        { 39, 2, IKE_E_BAD_LENGTH, "Num Transforms below the count" },
        { 35, 35, IKE_E_BAD_LENGTH, "proposal shorter than its transforms" },
        { 35, 37, IKE_E_BAD_LENGTH, "proposal longer than the SA payload" },
        { 35, 7, IKE_E_BAD_LENGTH, "proposal below its fixed part" },
        { 43, 7, IKE_E_BAD_LENGTH, "transform below its fixed part" },
        { 43, 13, IKE_E_BAD_LENGTH, "transform cutting an attribute" },
        { 43, 11, IKE_E_BAD_LENGTH, "attribute header cut" },
        { 38, 9, IKE_E_SYNTAX, "SPI size beyond 8" },
        { 38, 2, IKE_E_SYNTAX, "SPI size not 0, 4 or 8" },
        { 38, 8, IKE_E_BAD_LENGTH, "an 8-octet SPI eating into the transforms" },
        { 48, 0x00, IKE_E_BAD_LENGTH, "TLV attribute running past the transform" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(sa_cases); i++) {
        memcpy(c, SA_INIT_REQ, sizeof c);
        c[sa_cases[i].at] = sa_cases[i].v;
        g_test_message("%s", sa_cases[i].what);
        g_assert_cmpint(parse_copy(c, sizeof c, m), ==, sa_cases[i].rc);
    }

    /* An unknown TV attribute is tolerated and flagged; re-encoding drops it. */
    memcpy(c, SA_INIT_REQ, sizeof c);
    c[49] = 0x0f;
    g_assert_cmpint(ike_parse(c, sizeof c, m), ==, IKE_OK);
    g_assert_true(m->pl[0].u.sa.p[0].t[0].unknown_attr);
    g_assert_cmpuint(m->pl[0].u.sa.p[0].t[0].key_bits, ==, 0);

    /* An SA payload without proposals. */
    GByteArray *a = wrap(IKE_PL_SA, (const uint8_t[]){ 0, 0, 0, 4 }, 4);
    g_assert_cmpint(parse_copy(a->data, a->len, m), ==, IKE_E_SYNTAX);
    g_byte_array_unref(a);

    /* KE: no data at all; a body shorter than group + reserved. */
    a = wrap(IKE_PL_KE, (const uint8_t[]){ 0, 0, 0, 8, 0, 31, 0, 0 }, 8);
    g_assert_cmpint(parse_copy(a->data, a->len, m), ==, IKE_E_SYNTAX);
    g_byte_array_unref(a);
    a = wrap(IKE_PL_KE, (const uint8_t[]){ 0, 0, 0, 7, 0, 31, 0 }, 7);
    g_assert_cmpint(parse_copy(a->data, a->len, m), ==, IKE_E_BAD_LENGTH);
    g_byte_array_unref(a);

    /* Notify: SPI size 3; SPI size 8 with only 4 octets. */
    uint8_t n[sizeof NOTIFY_CHAIN];
    memcpy(n, NOTIFY_CHAIN, sizeof n);
    n[5] = 3;
    g_assert_cmpint(parse_copy_chain(IKE_PL_NOTIFY, n, sizeof n, m), ==, IKE_E_SYNTAX);
    n[5] = 8;
    g_assert_cmpint(parse_copy_chain(IKE_PL_NOTIFY, n, sizeof n, m), ==, IKE_E_BAD_LENGTH);
    n[5] = 0; /* the 4 SPI octets become notification data */
    g_assert_cmpint(parse_copy_chain(IKE_PL_NOTIFY, n, sizeof n, m), ==, IKE_OK);
    a = wrap(IKE_PL_NOTIFY, (const uint8_t[]){ 0, 0, 0, 7, 0, 0, 0 }, 7);
    g_assert_cmpint(parse_copy(a->data, a->len, m), ==, IKE_E_BAD_LENGTH);
    g_byte_array_unref(a);

    /* Delete: count * SPI size must equal what is left. */
    const uint8_t del[] = { 0, 0, 0, 16, 3, 4, 0, 2, 1, 2, 3, 4, 5, 6, 7, 8 };
    uint8_t d[sizeof del];
    memcpy(d, del, sizeof d);
    g_assert_cmpint(parse_copy_chain(IKE_PL_DELETE, d, sizeof d, m), ==, IKE_OK);
    d[7] = 3;
    g_assert_cmpint(parse_copy_chain(IKE_PL_DELETE, d, sizeof d, m), ==, IKE_E_BAD_LENGTH);
    d[7] = 1;
    g_assert_cmpint(parse_copy_chain(IKE_PL_DELETE, d, sizeof d, m), ==, IKE_E_BAD_LENGTH);
    memcpy(d, DELETE_IKE, sizeof DELETE_IKE);
    d[7] = 1; /* IKE SA delete claiming one SPI of size 0: 0 octets, consistent */
    g_assert_cmpint(parse_copy_chain(IKE_PL_DELETE, d, 8, m), ==, IKE_OK);

    /* TS: selector length not matching its type, unknown type, count. */
    uint8_t ts[sizeof TSI_V4];
    const struct { size_t at; uint8_t v; int rc; } ts_cases[] = {
        { 11, 17, IKE_E_BAD_LENGTH }, { 11, 15, IKE_E_BAD_LENGTH },
        { 11, 40, IKE_E_BAD_LENGTH }, /* IPv4 with IPv6's length */
        { 8, 8, IKE_E_BAD_LENGTH },   /* IPv6 type with IPv4's length */
        { 8, 9, IKE_E_SYNTAX },       /* a type the model does not know */
        { 4, 2, IKE_E_BAD_LENGTH },   /* two announced, one present */
        { 4, 0, IKE_E_BAD_LENGTH },   /* none announced, one present */
    };
    for (size_t i = 0; i < G_N_ELEMENTS(ts_cases); i++) {
        memcpy(ts, TSI_V4, sizeof ts);
        ts[ts_cases[i].at] = ts_cases[i].v;
        g_assert_cmpint(parse_copy_chain(IKE_PL_TSI, ts, sizeof ts, m), ==, ts_cases[i].rc);
    }
}

/* An SA payload of one proposal ending in tail, every enclosing length
 * consistent, parsed from an exact-size copy: a cut deep inside must be
 * found without reading past the end. */
static int parse_sa_tail(uint8_t spi_size, uint8_t n_transforms, const uint8_t *tail, size_t len)
{
    g_autofree ike_msg *m = g_new0(ike_msg, 1);
    uint8_t b[64] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, IKE_PROTO_IKE, spi_size, n_transforms };
    g_assert_cmpuint(len, <=, sizeof b - 12);
    memcpy(b + 12, tail, len);
    set16(b + 2, 12 + len);
    set16(b + 6, 8 + len);
    return parse_copy_chain(IKE_PL_SA, b, 12 + len, m);
}

static void test_bad_nested_cuts(void)
{
    static const uint8_t ok[] = { 0, 0, 0, 12, IKE_TT_ENCR, 0, 0, 20, 0x80, 0x0e, 0x01, 0x00 };
    static const uint8_t tv_cut[] = { 0, 0, 0, 10, IKE_TT_ENCR, 0, 0, 20, 0x80, 0x0e };
    static const uint8_t tv_stub[] = { 0, 0, 0, 9, IKE_TT_ENCR, 0, 0, 20, 0x80 };
    static const uint8_t tlv_cut[] = { 0, 0, 0, 14, IKE_TT_ENCR, 0, 0, 20,
                                       0x00, 0x0e, 0x00, 0x04, 0x01, 0x02 };
    static const uint8_t stray[] = { 3, 0, 0, 8, IKE_TT_DH, 0, 0, 31, 0x00, 0x00 };
    static const uint8_t spi_cut[] = { 0xde, 0xad };
    g_assert_cmpint(parse_sa_tail(0, 1, ok, sizeof ok), ==, IKE_OK);
    g_assert_cmpint(parse_sa_tail(0, 1, tv_cut, sizeof tv_cut), ==, IKE_E_BAD_LENGTH);
    g_assert_cmpint(parse_sa_tail(0, 1, tv_stub, sizeof tv_stub), ==, IKE_E_BAD_LENGTH);
    g_assert_cmpint(parse_sa_tail(0, 1, tlv_cut, sizeof tlv_cut), ==, IKE_E_BAD_LENGTH);
    g_assert_cmpint(parse_sa_tail(0, 2, stray, sizeof stray), ==, IKE_E_BAD_LENGTH);
    g_assert_cmpint(parse_sa_tail(4, 0, spi_cut, sizeof spi_cut), ==, IKE_E_BAD_LENGTH);
    g_assert_cmpint(parse_sa_tail(2, 0, spi_cut, sizeof spi_cut), ==, IKE_E_SYNTAX); /* not 0/4/8 */
}

/* The encoder never writes past cap and reports IKE_E_SPACE for every cap
 * below the size it needs. */
static void test_bad_encode_space(void)
{
    enum { GUARD = 16 };
    g_autofree ike_msg *m = g_new0(ike_msg, 1);
    uint8_t full[IKE_MAX_MSG], chain[IKE_MAX_MSG];
    for (size_t b = 0; b < G_N_ELEMENTS(BUILDERS); b++) {
        BUILDERS[b](m);
        size_t need = encode_ok(m, full, sizeof full);
        size_t chain_need = 0;
        g_assert_cmpint(ike_encode_chain(m->pl, m->n, chain, sizeof chain, &chain_need), ==, IKE_OK);
        g_assert_cmpmem(chain, chain_need, full + IKE_HDR_LEN, need - IKE_HDR_LEN);
        g_assert_cmpuint(chain_need, ==, need - IKE_HDR_LEN);
        for (size_t cap = 0; cap <= need; cap++) {
            uint8_t *buf = g_malloc(cap + GUARD);
            memset(buf, 0xa5, cap + GUARD);
            size_t out_len = 12345;
            int rc = ike_encode(m, buf, cap, &out_len);
            g_assert_cmpint(rc, ==, cap < need ? IKE_E_SPACE : IKE_OK);
            g_assert_cmpuint(out_len, ==, cap < need ? 12345 : need);
            for (size_t i = cap; i < cap + GUARD; i++)
                g_assert_cmphex(buf[i], ==, 0xa5);
            if (cap == need)
                g_assert_cmpmem(buf, need, full, need);

            if (cap <= chain_need) {
                memset(buf, 0xa5, cap + GUARD);
                rc = ike_encode_chain(m->pl, m->n, buf, cap, &out_len);
                g_assert_cmpint(rc, ==, cap < chain_need ? IKE_E_SPACE : IKE_OK);
                for (size_t i = cap; i < cap + GUARD; i++)
                    g_assert_cmphex(buf[i], ==, 0xa5);
            }
            g_free(buf);
        }
    }
    /* No buffer at all. */
    size_t out_len;
    msg_sa_init_req(m);
    g_assert_cmpint(ike_encode(m, NULL, 0, &out_len), ==, IKE_E_SPACE);
}

/* Structs the encoder cannot turn into a parseable message. */
static void test_bad_encode_input(void)
{
    g_autofree ike_msg *m = g_new0(ike_msg, 1);
    uint8_t *out = g_malloc(80000);
    g_autofree uint8_t *src = g_malloc0(65536);
    size_t len;
    msg_sa_init_req(m);
    m->pl[1] = ike_pl_bytes(IKE_PL_VENDOR, src, 65532); /* body + 4 > 65535 */
    g_assert_cmpint(ike_encode(m, out, 80000, &len), ==, IKE_E_BAD_LENGTH);
    m->pl[1] = ike_pl_bytes(IKE_PL_VENDOR, src, 65531); /* exactly 65535 */
    g_assert_cmpint(ike_encode(m, out, 80000, &len), ==, IKE_OK);
    g_assert_cmpuint(out[68 + 2] << 8 | out[68 + 3], ==, 65535);
    m->pl[1] = ike_pl_bytes(IKE_PL_VENDOR, src, 70000); /* never counted, no overflow */
    g_assert_cmpint(ike_encode(m, out, 80000, &len), ==, IKE_E_BAD_LENGTH);

    msg_sa_init_req(m);
    m->pl[1] = ike_pl_notify(0, IKE_N_COOKIE, NULL, 0);
    m->pl[1].u.notify.spi_size = 5;
    g_assert_cmpint(ike_encode(m, out, 80000, &len), ==, IKE_E_SYNTAX);

    msg_sa_init_req(m);
    m->pl[1] = (ike_payload){ .type = IKE_PL_DELETE, .u.del = { IKE_PROTO_ESP, 4, 2, { BIG, 4 } } };
    g_assert_cmpint(ike_encode(m, out, 80000, &len), ==, IKE_E_BAD_LENGTH);

    msg_sa_init_req(m);
    m->pl[0].u.sa.n = IKE_MAX_PROPOSALS + 1;
    g_assert_cmpint(ike_encode(m, out, 80000, &len), ==, IKE_E_LIMIT);
    msg_sa_init_req(m);
    m->pl[0].u.sa.p[0].n_transforms = IKE_MAX_TRANSFORMS + 1;
    g_assert_cmpint(ike_encode(m, out, 80000, &len), ==, IKE_E_LIMIT);
    msg_sa_init_req(m);
    m->pl[0].u.sa.p[0].spi_size = 3;
    g_assert_cmpint(ike_encode(m, out, 80000, &len), ==, IKE_E_SYNTAX);

    msg_auth_plain(m);
    ike_payload *ts = (ike_payload *)ike_find(m, IKE_PL_TSR, NULL);
    ts->u.ts.s[0].type = 9;
    g_assert_cmpint(ike_encode(m, out, 80000, &len), ==, IKE_E_SYNTAX);
    ts->u.ts.n = IKE_MAX_TS + 1;
    g_assert_cmpint(ike_encode(m, out, 80000, &len), ==, IKE_E_LIMIT);

    msg_sa_init_req(m);
    m->pl[1].type = IKE_PL_NONE; /* would end the chain early */
    g_assert_cmpint(ike_encode(m, out, 80000, &len), ==, IKE_E_SYNTAX);
    g_free(out);
}

/* ---- mutation loop ---------------------------------------------------- */

static uint64_t xorshift64(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

/* One to four random edits: set, flip, an interesting value, a small
 * 16-bit value (lengths), or cutting / growing the buffer. */
static size_t mutate(uint8_t *work, size_t len, size_t cap, uint64_t *rng)
{
    static const uint8_t interesting[] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x07, 0x08,
                                           0x0f, 0x10, 0x11, 0x7f, 0x80, 0xfe, 0xff };
    int muts = 1 + (int)(xorshift64(rng) % 4);
    for (int k = 0; k < muts && len > 0; k++) {
        uint64_t r = xorshift64(rng);
        size_t at = (size_t)(r >> 8) % len;
        switch (r % 5) {
        case 0: work[at] = (uint8_t)(r >> 40); break;
        case 1: work[at] ^= (uint8_t)(1u << ((r >> 40) % 8)); break;
        case 2: work[at] = interesting[(r >> 40) % sizeof interesting]; break;
        case 3:
            if ((r >> 40) & 1)
                len = at + 1;
            else
                for (size_t g = (r >> 48) % 32; g > 0 && len < cap; g--)
                    work[len++] = (uint8_t)xorshift64(rng);
            break;
        default:
            if (at + 1 < len) {
                work[at] = 0;
                work[at + 1] = (uint8_t)((r >> 40) % 64);
            }
            break;
        }
    }
    return len;
}

/* Whatever parses re-encodes (never longer), parses to the same fields,
 * and is then a fixed point of parse → encode. */
static void assert_reencodes(const ike_msg *m, size_t len, bool whole)
{
    static uint8_t enc[IKE_MAX_MSG + 64], enc2[IKE_MAX_MSG + 64];
    g_autofree ike_msg *m2 = g_new0(ike_msg, 1);
    size_t l2 = 0, l3 = 0;
    if (whole) {
        l2 = encode_ok(m, enc, sizeof enc);
        g_assert_cmpint(ike_parse(enc, l2, m2), ==, IKE_OK);
        l3 = encode_ok(m2, enc2, sizeof enc2);
    } else {
        g_assert_cmpint(ike_encode_chain(m->pl, m->n, enc, sizeof enc, &l2), ==, IKE_OK);
        g_assert_cmpint(ike_parse_chain(m->pl[0].type, enc, l2, m2), ==, IKE_OK);
        g_assert_cmpint(ike_encode_chain(m2->pl, m2->n, enc2, sizeof enc2, &l3), ==, IKE_OK);
    }
    g_assert_cmpuint(l2, <=, len);
    if (whole)
        assert_msg_same(m, m2);
    else
        g_assert_true(m->n == m2->n && pl_same(&m->pl[0], &m2->pl[0]));
    assert_bytes(enc2, l3, enc, l2);
}

static void report_seen(const unsigned *seen, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (seen[i])
            g_test_message("rc %d: %u", -(int)i, seen[i]);
}

/* Whole messages; the header Length is mostly kept honest so the edits
 * reach the payloads. */
static void test_fuzz_messages(void)
{
    enum { ITERATIONS = 20000 };
    g_autofree ike_msg *m = g_new0(ike_msg, 1);
    static uint8_t seeds[G_N_ELEMENTS(BUILDERS)][IKE_MAX_MSG];
    size_t seed_len[G_N_ELEMENTS(BUILDERS)];
    for (size_t i = 0; i < G_N_ELEMENTS(BUILDERS); i++) {
        BUILDERS[i](m);
        seed_len[i] = encode_ok(m, seeds[i], sizeof seeds[i]);
    }

    uint64_t rng = 0x9e3779b97f4a7c15u;
    unsigned seen[16] = { 0 }; /* by -rc */
    uint8_t work[IKE_MAX_MSG + 64];
    for (int it = 0; it < ITERATIONS; it++) {
        size_t s = xorshift64(&rng) % G_N_ELEMENTS(BUILDERS);
        memcpy(work, seeds[s], seed_len[s]);
        size_t len = mutate(work, seed_len[s], sizeof work, &rng);
        if (len >= IKE_HDR_LEN && xorshift64(&rng) % 4 != 0)
            set32(work + 24, len);

        uint8_t *c = g_memdup2(work, len);
        int rc = ike_parse(c, len, m);
        g_assert_true(rc == IKE_OK || typed_parse_error(rc));
        seen[-rc]++;
        if (rc == IKE_OK)
            assert_reencodes(m, len, true);
        g_free(c);
    }
    report_seen(seen, G_N_ELEMENTS(seen));
    /* The loop must reach both outcomes and every structural error. */
    g_assert_cmpuint(seen[0], >, 0);
    g_assert_cmpuint(seen[-IKE_E_TRUNCATED], >, 0);
    g_assert_cmpuint(seen[-IKE_E_BAD_LENGTH], >, 0);
    g_assert_cmpuint(seen[-IKE_E_VERSION], >, 0);
    g_assert_cmpuint(seen[-IKE_E_SYNTAX], >, 0);
}

/* Single payloads whose generic Payload Length always matches the buffer,
 * so every edit lands in a substructure parser; the exact-size heap copy
 * lets AddressSanitizer catch a read past the payload. */
static void test_fuzz_payloads(void)
{
    enum { ITERATIONS = 20000 };
    g_autofree ike_msg *m = g_new0(ike_msg, 1);
    static uint8_t seeds[G_N_ELEMENTS(BUILDERS) * IKE_MAX_PAYLOADS][IKE_MAX_MSG];
    size_t seed_len[G_N_ELEMENTS(BUILDERS) * IKE_MAX_PAYLOADS];
    uint8_t seed_type[G_N_ELEMENTS(BUILDERS) * IKE_MAX_PAYLOADS];
    size_t n_seeds = 0;
    uint8_t msg[IKE_MAX_MSG];
    for (size_t i = 0; i < G_N_ELEMENTS(BUILDERS); i++) {
        BUILDERS[i](m);
        size_t len = encode_ok(m, msg, sizeof msg);
        g_assert_cmpint(ike_parse(msg, len, m), ==, IKE_OK);
        for (size_t j = 0; j < m->n; j++) {
            memcpy(seeds[n_seeds], m->pl[j].body.p - 4, m->pl[j].body.len + 4);
            seed_len[n_seeds] = m->pl[j].body.len + 4;
            seed_type[n_seeds++] = m->pl[j].type;
        }
    }

    uint64_t rng = 0x2545f4914f6cdd1du;
    unsigned seen[16] = { 0 };
    uint8_t work[IKE_MAX_MSG + 64];
    for (int it = 0; it < ITERATIONS; it++) {
        size_t s = xorshift64(&rng) % n_seeds;
        memcpy(work, seeds[s], seed_len[s]);
        size_t len = mutate(work, seed_len[s], sizeof work, &rng);
        if (len >= 4) {
            work[0] = IKE_PL_NONE; /* a chain of one; SK's inner type may stay */
            set16(work + 2, len);
        }
        uint8_t *c = g_memdup2(work, len);
        m->n = 0;
        int rc = ike_parse_chain(seed_type[s], c, len, m);
        g_assert_true(rc == IKE_OK || typed_parse_error(rc));
        seen[-rc]++;
        if (rc == IKE_OK)
            assert_reencodes(m, len, false);
        g_free(c);
    }
    report_seen(seen, G_N_ELEMENTS(seen));
    g_assert_cmpuint(seen[0], >, 0);
    g_assert_cmpuint(seen[-IKE_E_BAD_LENGTH], >, 0);
    g_assert_cmpuint(seen[-IKE_E_SYNTAX], >, 0);
}

/* Each payload cut short inside its body, Payload Length patched to match:
 * the structures that count their contents (SA, TS, Delete of SPIs) must
 * notice; none may read past the cut. */
static void test_bad_payload_cuts(void)
{
    g_autofree ike_msg *m = g_new0(ike_msg, 1);
    g_autofree ike_msg *p = g_new0(ike_msg, 1);
    uint8_t msg[IKE_MAX_MSG], pl[IKE_MAX_MSG];
    for (size_t i = 0; i < G_N_ELEMENTS(BUILDERS); i++) {
        BUILDERS[i](m);
        size_t len = encode_ok(m, msg, sizeof msg);
        g_assert_cmpint(ike_parse(msg, len, m), ==, IKE_OK);
        for (size_t j = 0; j < m->n; j++) {
            const ike_payload *x = &m->pl[j];
            bool counted = x->type == IKE_PL_SA || x->type == IKE_PL_TSI ||
                           x->type == IKE_PL_TSR ||
                           (x->type == IKE_PL_DELETE && x->u.del.spi_size > 0);
            for (size_t cut = 0; cut < x->body.len; cut++) {
                memcpy(pl, x->body.p - 4, 4 + cut);
                pl[0] = x->type == IKE_PL_SK ? x->next : IKE_PL_NONE;
                set16(pl + 2, 4 + cut);
                int rc = parse_copy_chain(x->type, pl, 4 + cut, p);
                g_assert_true(rc == IKE_OK || typed_parse_error(rc));
                if (counted)
                    g_assert_cmpint(rc, !=, IKE_OK);
            }
        }
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < sizeof BIG; i++)
        BIG[i] = (uint8_t)(i * 7 + 3);

    g_test_add_func("/ike-wire/encode/sa-init-request", test_encode_sa_init);
    g_test_add_func("/ike-wire/encode/notify-spi", test_encode_notify_spi);
    g_test_add_func("/ike-wire/encode/delete-ike", test_encode_delete_ike);
    g_test_add_func("/ike-wire/encode/ts-ipv4", test_encode_ts_ipv4);
    g_test_add_func("/ike-wire/encode/header-flags", test_encode_header_flags);
    g_test_add_func("/ike-wire/encode/sk", test_encode_sk);
    g_test_add_func("/ike-wire/encode/helpers", test_helpers);
    g_test_add_func("/ike-wire/parse/sa-init-fields", test_parse_sa_init_fields);
    g_test_add_func("/ike-wire/parse/find", test_find);
    g_test_add_func("/ike-wire/roundtrip/bytes", test_roundtrip_bytes);
    g_test_add_func("/ike-wire/roundtrip/fields", test_roundtrip_fields);
    g_test_add_func("/ike-wire/bad/truncation", test_bad_truncation);
    g_test_add_func("/ike-wire/bad/payload-length-short", test_bad_payload_length_short);
    g_test_add_func("/ike-wire/bad/payload-length-past-end", test_bad_payload_length_past_end);
    g_test_add_func("/ike-wire/bad/trailing", test_bad_trailing);
    g_test_add_func("/ike-wire/bad/version", test_bad_version);
    g_test_add_func("/ike-wire/bad/unknown-noncritical", test_bad_unknown_noncritical);
    g_test_add_func("/ike-wire/bad/unknown-critical", test_bad_unknown_critical);
    g_test_add_func("/ike-wire/bad/nonce-size", test_bad_nonce_size);
    g_test_add_func("/ike-wire/bad/sk-not-last", test_bad_sk_not_last);
    g_test_add_func("/ike-wire/bad/last-substruc", test_bad_last_substruc);
    g_test_add_func("/ike-wire/bad/limits", test_bad_limits);
    g_test_add_func("/ike-wire/bad/substructures", test_bad_substructures);
    g_test_add_func("/ike-wire/bad/encode-space", test_bad_encode_space);
    g_test_add_func("/ike-wire/bad/encode-input", test_bad_encode_input);
    g_test_add_func("/ike-wire/bad/payload-cuts", test_bad_payload_cuts);
    g_test_add_func("/ike-wire/bad/nested-cuts", test_bad_nested_cuts);
    g_test_add_func("/ike-wire/fuzz/messages", test_fuzz_messages);
    g_test_add_func("/ike-wire/fuzz/payloads", test_fuzz_payloads);
    return g_test_run();
}
