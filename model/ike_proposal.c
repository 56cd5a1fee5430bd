#include "ike_proposal.h"

#include <stdio.h>
#include <string.h>

#include "ike_algs.h"

/* strongSwan 5.9's default proposals (proposal.c, built from the loaded
 * plugins; the order is what charon 5.9.8 with Debian's plugins sends)
 * without the algorithms this model lacks: AES-CTR, Camellia, 3DES,
 * AES-XCBC/CMAC, Brainpool, MODP-6144/8192. */
const char IKE_PROPOSALS_STRONGSWAN_IKE[] =
    "aes128-aes192-aes256-sha256-sha384-sha512-sha1-prfsha256-prfsha384-prfsha512-prfsha1-"
    "x25519-x448-ecp256-ecp384-ecp521-modp3072-modp4096-modp2048,"
    "aes128ccm16-aes192ccm16-aes256ccm16-aes128gcm16-aes192gcm16-aes256gcm16-chacha20poly1305-"
    "aes128ccm8-aes192ccm8-aes256ccm8-aes128ccm12-aes192ccm12-aes256ccm12-"
    "aes128gcm8-aes192gcm8-aes256gcm8-aes128gcm12-aes192gcm12-aes256gcm12-"
    "prfsha256-prfsha384-prfsha512-prfsha1-"
    "x25519-x448-ecp256-ecp384-ecp521-modp3072-modp4096-modp2048";
/* ESP: the AEAD proposal first when esp_proposals is not set (vici). */
const char IKE_PROPOSALS_STRONGSWAN_ESP[] =
    "aes128gcm16-aes192gcm16-aes256gcm16-noesn,"
    "aes128-aes192-aes256-sha256-sha384-sha512-sha1-noesn";

enum { T_ENCR, T_PRF, T_INTEG, T_DH, T_ESN };

typedef struct token {
    const char *name;
    uint8_t type; /* T_* */
    uint16_t id, bits;
} token;

static const token tokens[] = {
    {"sha1", T_INTEG, IKE_INTEG_HMAC_SHA1_96, 0},
    {"sha256", T_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0},
    {"sha384", T_INTEG, IKE_INTEG_HMAC_SHA2_384_192, 0},
    {"sha512", T_INTEG, IKE_INTEG_HMAC_SHA2_512_256, 0},
    {"prfsha1", T_PRF, IKE_PRF_HMAC_SHA1, 0},
    {"prfsha256", T_PRF, IKE_PRF_HMAC_SHA2_256, 0},
    {"prfsha384", T_PRF, IKE_PRF_HMAC_SHA2_384, 0},
    {"prfsha512", T_PRF, IKE_PRF_HMAC_SHA2_512, 0},
    {"modp2048", T_DH, IKE_DH_MODP2048, 0},
    {"modp3072", T_DH, IKE_DH_MODP3072, 0},
    {"modp4096", T_DH, IKE_DH_MODP4096, 0},
    {"ecp256", T_DH, IKE_DH_ECP256, 0},
    {"ecp384", T_DH, IKE_DH_ECP384, 0},
    {"ecp521", T_DH, IKE_DH_ECP521, 0},
    {"x25519", T_DH, IKE_DH_CURVE25519, 0},
    {"curve25519", T_DH, IKE_DH_CURVE25519, 0},
    {"x448", T_DH, IKE_DH_CURVE448, 0},
    {"curve448", T_DH, IKE_DH_CURVE448, 0},
    {"chacha20poly1305", T_ENCR, IKE_ENCR_CHACHA20_POLY1305, 0},
    {"noesn", T_ESN, IKE_ESN_NO, 0},
    {"esn", T_ESN, IKE_ESN_YES, 0},
};

/* aes128, aes256gcm16, aes192ccm8 (also strongSwan's gcm64/96/128 names). */
static bool aes_token(const char *t, token *out)
{
    unsigned bits = 0;
    int n = 0;
    char mode[4] = "";
    if (sscanf(t, "aes%u%n", &bits, &n) != 1 || (bits != 128 && bits != 192 && bits != 256))
        return false;
    *out = (token){t, T_ENCR, IKE_ENCR_AES_CBC, (uint16_t)bits};
    if (t[n] == 0)
        return true;
    unsigned icv = 0;
    int m = 0;
    if (sscanf(t + n, "%3[gcm]%u%n", mode, &icv, &m) != 2 || t[n + m] != 0)
        return false;
    icv = icv == 64 ? 8 : icv == 96 ? 12 : icv == 128 ? 16 : icv;
    static const uint16_t gcm[] = {IKE_ENCR_AES_GCM_8, IKE_ENCR_AES_GCM_12, IKE_ENCR_AES_GCM_16};
    static const uint16_t ccm[] = {IKE_ENCR_AES_CCM_8, IKE_ENCR_AES_CCM_12, IKE_ENCR_AES_CCM_16};
    int k = icv == 8 ? 0 : icv == 12 ? 1 : icv == 16 ? 2 : -1;
    if (k < 0 || (strcmp(mode, "gcm") != 0 && strcmp(mode, "ccm") != 0))
        return false;
    out->id = mode[0] == 'g' ? gcm[k] : ccm[k];
    return true;
}

static bool find_token(const char *t, token *out)
{
    for (size_t i = 0; i < sizeof tokens / sizeof tokens[0]; i++)
        if (strcmp(tokens[i].name, t) == 0) {
            *out = tokens[i];
            return true;
        }
    return aes_token(t, out);
}

static bool is_aead(uint16_t encr)
{
    const ike_encr_alg *e = ike_encr_alg_find(encr);
    return e != NULL && e->mode != IKE_MODE_CBC;
}

static bool has(const ike_prop *p, int type, uint16_t id, uint16_t bits)
{
    for (int i = 0; i < p->n[type]; i++)
        if (p->a[type][i].id == id && p->a[type][i].bits == bits)
            return true;
    return false;
}

static int add(ike_prop *p, int type, uint16_t id, uint16_t bits)
{
    if (has(p, type, id, bits))
        return IKE_OK;
    if (p->n[type] == IKE_PROP_ALGS)
        return IKE_E_LIMIT;
    p->a[type][p->n[type]++] = (ike_algo){id, bits};
    return IKE_OK;
}

void ike_props_from_suite(ike_props *out, uint8_t proto, const ike_suite *s, uint16_t dh_alt,
                          bool esn)
{
    memset(out, 0, sizeof *out);
    out->proto = proto;
    out->n = 1;
    ike_prop *p = &out->p[0];
    add(p, T_ENCR, s->encr, s->encr == IKE_ENCR_CHACHA20_POLY1305 ? 0 : s->encr_bits);
    if (s->integ != IKE_INTEG_NONE)
        add(p, T_INTEG, s->integ, 0);
    if (proto == IKE_PROTO_IKE) {
        add(p, T_PRF, s->prf, 0);
        add(p, T_DH, s->dh, 0);
        if (dh_alt)
            add(p, T_DH, dh_alt, 0);
    } else {
        add(p, T_ESN, esn ? IKE_ESN_YES : IKE_ESN_NO, 0);
    }
}

/* The PRF of the same hash as an integrity algorithm (strongSwan's
 * integ_prf_map), for IKE proposals that name none. */
static uint16_t prf_of_integ(uint16_t integ)
{
    switch (integ) {
    case IKE_INTEG_HMAC_SHA1_96: return IKE_PRF_HMAC_SHA1;
    case IKE_INTEG_HMAC_SHA2_256_128: return IKE_PRF_HMAC_SHA2_256;
    case IKE_INTEG_HMAC_SHA2_384_192: return IKE_PRF_HMAC_SHA2_384;
    case IKE_INTEG_HMAC_SHA2_512_256: return IKE_PRF_HMAC_SHA2_512;
    }
    return 0;
}

/* One proposal's algorithms, then strongSwan's checks: one kind of
 * cipher, integrity with CBC, a PRF and a group for IKE. */
static int parse_one(char *text, uint8_t proto, ike_prop *p, const char *base, size_t *err_at)
{
    memset(p, 0, sizeof *p);
    int rc = IKE_OK;
    for (char *save = NULL, *t = strtok_r(text, "-", &save); t && rc == IKE_OK;
         t = strtok_r(NULL, "-", &save)) {
        token k;
        if (err_at)
            *err_at = (size_t)(t - base);
        if (!find_token(t, &k))
            return IKE_E_SYNTAX;
        if (proto != IKE_PROTO_IKE && (k.type == T_PRF || k.type == T_DH))
            return IKE_E_UNSUPPORTED; /* no PRF in ESP; no PFS for the first Child SA */
        if (proto == IKE_PROTO_IKE && k.type == T_ESN)
            return IKE_E_SYNTAX;
        rc = add(p, k.type, k.id, k.bits);
    }
    if (rc != IKE_OK)
        return rc;
    int aead = 0;
    for (int i = 0; i < p->n[T_ENCR]; i++)
        aead += is_aead(p->a[T_ENCR][i].id);
    if (p->n[T_ENCR] == 0 || (aead != 0 && aead != p->n[T_ENCR]))
        return IKE_E_SYNTAX; /* AEAD and classic ciphers are never mixed */
    if (aead)
        p->n[T_INTEG] = 0;
    else if (p->n[T_INTEG] == 0)
        return IKE_E_SYNTAX;
    if (proto == IKE_PROTO_IKE) {
        if (p->n[T_PRF] == 0)
            for (int i = 0; rc == IKE_OK && i < p->n[T_INTEG]; i++)
                rc = add(p, T_PRF, prf_of_integ(p->a[T_INTEG][i].id), 0);
        if (rc == IKE_OK && (p->n[T_PRF] == 0 || p->n[T_DH] == 0))
            rc = IKE_E_SYNTAX;
    } else if (p->n[T_ESN] == 0) {
        rc = add(p, T_ESN, IKE_ESN_NO, 0);
    }
    return rc;
}

int ike_props_parse(const char *text, uint8_t proto, ike_props *out, size_t *err_at)
{
    memset(out, 0, sizeof *out);
    out->proto = proto;
    char buf[1024];
    size_t len = strlen(text);
    if (len >= sizeof buf)
        return IKE_E_LIMIT;
    /* no spaces: "a, b" is "a,b" */
    size_t w = 0;
    for (size_t i = 0; i < len; i++)
        if (text[i] != ' ' && text[i] != '\t')
            buf[w++] = text[i];
    buf[w] = 0;
    if (strcmp(buf, "strongswan") == 0)
        return ike_props_parse(proto == IKE_PROTO_IKE ? IKE_PROPOSALS_STRONGSWAN_IKE
                                                      : IKE_PROPOSALS_STRONGSWAN_ESP,
                               proto, out, err_at);
    int rc = IKE_OK;
    for (char *save = NULL, *one = strtok_r(buf, ",", &save); one && rc == IKE_OK;
         one = strtok_r(NULL, ",", &save)) {
        if (out->n == IKE_PROPS_MAX)
            return IKE_E_LIMIT;
        rc = parse_one(one, proto, &out->p[out->n++], buf, err_at);
    }
    if (rc == IKE_OK && out->n == 0)
        rc = IKE_E_SYNTAX;
    return rc;
}

static uint16_t suite_bits(ike_algo a)
{
    return a.id == IKE_ENCR_CHACHA20_POLY1305 ? 256 : a.bits;
}

ike_suite ike_props_first(const ike_props *p)
{
    const ike_prop *q = &p->p[0];
    ike_suite s = {q->a[T_ENCR][0].id, suite_bits(q->a[T_ENCR][0]), 0, 0, 0};
    if (q->n[T_INTEG])
        s.integ = q->a[T_INTEG][0].id;
    if (q->n[T_PRF])
        s.prf = q->a[T_PRF][0].id;
    if (q->n[T_DH])
        s.dh = q->a[T_DH][0].id;
    return s;
}

bool ike_props_has_dh(const ike_props *p, uint16_t dh)
{
    for (int i = 0; i < p->n; i++)
        if (has(&p->p[i], T_DH, dh, 0))
            return true;
    return false;
}

/* --- on the wire --- */

static const uint8_t wire_type[IKE_PROP_TYPES] = {IKE_TT_ENCR, IKE_TT_PRF, IKE_TT_INTEG, IKE_TT_DH,
                                                  IKE_TT_ESN};

static void put_transform(ike_proposal *w, int type, ike_algo a)
{
    if (w->n_transforms < IKE_MAX_TRANSFORMS)
        w->t[w->n_transforms++] = (ike_transform){wire_type[type], a.id, a.bits, false};
}

static void put_prop(ike_proposal *w, const ike_prop *p, uint8_t num, uint8_t proto, uint16_t ke_dh,
                     uint32_t spi)
{
    memset(w, 0, sizeof *w);
    w->num = num;
    w->proto = proto;
    if (proto != IKE_PROTO_IKE) {
        w->spi_size = 4;
        for (int i = 0; i < 4; i++)
            w->spi[i] = (uint8_t)(spi >> (24 - 8 * i));
    }
    /* ENCR, PRF, INTEG, DH or ESN: the order this model always sent */
    for (int type = 0; type < IKE_PROP_TYPES; type++) {
        if (type == T_DH && has(p, T_DH, ke_dh, 0))
            put_transform(w, T_DH, (ike_algo){ke_dh, 0});
        for (int i = 0; i < p->n[type]; i++)
            if (!(type == T_DH && p->a[type][i].id == ke_dh))
                put_transform(w, type, p->a[type][i]);
    }
}

ike_payload ike_props_payload(const ike_props *p, uint16_t ke_dh, uint32_t spi)
{
    ike_payload pl = {.type = IKE_PL_SA};
    pl.u.sa.n = p->n;
    for (uint8_t i = 0; i < p->n; i++)
        put_prop(&pl.u.sa.p[i], &p->p[i], (uint8_t)(i + 1), p->proto, ke_dh, spi);
    return pl;
}

ike_payload ike_props_answer(uint8_t proto, const ike_suite *s, bool esn, uint8_t num, uint32_t spi)
{
    ike_props one;
    ike_props_from_suite(&one, proto, s, 0, esn);
    ike_payload pl = ike_props_payload(&one, s->dh, spi);
    pl.u.sa.p[0].num = num;
    return pl;
}

/* A received proposal as per-type lists; false if it has a transform this
 * model cannot take part in (an unknown type or attribute). */
static bool from_wire(const ike_proposal *w, ike_prop *p)
{
    memset(p, 0, sizeof *p);
    for (int i = 0; i < w->n_transforms; i++) {
        const ike_transform *t = &w->t[i];
        if (t->type < IKE_TT_ENCR || t->type > IKE_TT_ESN || t->unknown_attr)
            return false;
        int type = t->type == IKE_TT_ENCR ? T_ENCR : t->type == IKE_TT_PRF ? T_PRF
                 : t->type == IKE_TT_INTEG ? T_INTEG : t->type == IKE_TT_DH ? T_DH : T_ESN;
        /* NONE for integrity or (in ESP) the group is the same as no transform */
        if (t->id == 0 && (type == T_INTEG || type == T_DH))
            continue;
        if (add(p, type, t->id, t->key_bits) != IKE_OK)
            return false;
    }
    return true;
}

/* The first algorithm of pref that other lists too; both empty matches. */
static bool pick(const ike_prop *pref, const ike_prop *other, int type, ike_algo *out)
{
    if (pref->n[type] == 0 && other->n[type] == 0) {
        *out = (ike_algo){0, 0};
        return true;
    }
    for (int i = 0; i < pref->n[type]; i++)
        if (has(other, type, pref->a[type][i].id, pref->a[type][i].bits)) {
            *out = pref->a[type][i];
            return true;
        }
    return false;
}

/* The suite two proposals share, preferring pref's order (strongSwan's
 * select_algos: integrity is skipped once the cipher is an AEAD). */
static bool match(uint8_t proto, const ike_prop *pref, const ike_prop *other, bool esn_ok,
                  ike_suite *s, bool *esn)
{
    ike_algo encr, integ = {0, 0}, prf = {0, 0}, dh = {0, 0}, e = {0, 0};
    if (!pick(pref, other, T_ENCR, &encr) || encr.id == 0)
        return false;
    if (!is_aead(encr.id) && (!pick(pref, other, T_INTEG, &integ) || integ.id == 0))
        return false;
    if (proto == IKE_PROTO_IKE) {
        if (!pick(pref, other, T_PRF, &prf) || !pick(pref, other, T_DH, &dh) || prf.id == 0 ||
            dh.id == 0)
            return false;
    } else {
        /* a proposal without ESN transform means none */
        ike_prop a = *pref, b = *other;
        if (a.n[T_ESN] == 0)
            add(&a, T_ESN, IKE_ESN_NO, 0);
        if (b.n[T_ESN] == 0)
            add(&b, T_ESN, IKE_ESN_NO, 0);
        if (!pick(&a, &b, T_ESN, &e) || (e.id == IKE_ESN_YES && !esn_ok))
            return false;
    }
    *s = (ike_suite){encr.id, suite_bits(encr), integ.id, prf.id, dh.id};
    *esn = e.id == IKE_ESN_YES;
    return ike_cipher_check(s) == IKE_OK;
}

bool ike_props_select(const ike_props *own, const ike_sa_pl *peer, bool prefer_supplied,
                      uint16_t ke_dh, bool esn_ok, ike_suite *suite, bool *esn,
                      const ike_proposal **chosen)
{
    ike_prop theirs[IKE_MAX_PROPOSALS];
    bool usable[IKE_MAX_PROPOSALS];
    for (int j = 0; j < peer->n; j++) {
        const ike_proposal *w = &peer->p[j];
        usable[j] = w->proto == own->proto &&
                    (own->proto == IKE_PROTO_IKE ? w->spi_size == 0 : w->spi_size == 4) &&
                    from_wire(w, &theirs[j]);
    }
    int outer = prefer_supplied ? peer->n : own->n, inner = prefer_supplied ? own->n : peer->n;
    for (int a = 0; a < outer; a++) {
        for (int b = 0; b < inner; b++) {
            int mine = prefer_supplied ? b : a, j = prefer_supplied ? a : b;
            if (!usable[j])
                continue;
            const ike_prop *pref = prefer_supplied ? &theirs[j] : &own->p[mine];
            const ike_prop *other = prefer_supplied ? &own->p[mine] : &theirs[j];
            if (!match(own->proto, pref, other, esn_ok, suite, esn))
                continue;
            if (own->proto == IKE_PROTO_IKE && suite->dh != ke_dh &&
                has(&own->p[mine], T_DH, ke_dh, 0) && has(&theirs[j], T_DH, ke_dh, 0))
                suite->dh = ke_dh; /* the group KEi carries is acceptable: take it */
            *chosen = &peer->p[j];
            return true;
        }
    }
    return false;
}

bool ike_props_accept(const ike_props *own, const ike_sa_pl *answer, ike_suite *suite, bool *esn,
                      const ike_proposal **chosen)
{
    if (answer->n != 1)
        return false;
    const ike_proposal *w = &answer->p[0];
    ike_prop got;
    if (w->proto != own->proto || w->num < 1 || w->num > own->n || !from_wire(w, &got))
        return false;
    for (int type = 0; type < IKE_PROP_TYPES; type++)
        if (got.n[type] > 1)
            return false; /* the answer names one algorithm per type */
    const ike_prop *mine = &own->p[w->num - 1];
    if (!match(own->proto, &got, mine, true, suite, esn))
        return false;
    *chosen = w;
    return true;
}

void ike_suite_name(uint8_t proto, const ike_suite *s, char *out, size_t cap)
{
    const char *names[4] = {NULL, NULL, NULL, NULL};
    for (size_t i = 0; i < sizeof tokens / sizeof tokens[0]; i++) {
        const token *t = &tokens[i];
        if (t->type == T_INTEG && t->id == s->integ && !names[1])
            names[1] = t->name;
        if (t->type == T_PRF && t->id == s->prf && proto == IKE_PROTO_IKE && !names[2])
            names[2] = t->name;
        if (t->type == T_DH && t->id == s->dh && proto == IKE_PROTO_IKE && !names[3])
            names[3] = t->name;
    }
    char encr[32];
    const ike_encr_alg *e = ike_encr_alg_find(s->encr);
    if (s->encr == IKE_ENCR_CHACHA20_POLY1305)
        snprintf(encr, sizeof encr, "chacha20poly1305");
    else if (e && e->mode != IKE_MODE_CBC)
        snprintf(encr, sizeof encr, "aes%u%s%u", s->encr_bits, e->mode == IKE_MODE_GCM ? "gcm" : "ccm",
                 e->icv);
    else
        snprintf(encr, sizeof encr, "aes%u", s->encr_bits);
    snprintf(out, cap, "%s%s%s%s%s%s%s", encr, names[1] ? "-" : "", names[1] ? names[1] : "",
             names[2] ? "-" : "", names[2] ? names[2] : "", names[3] ? "-" : "",
             names[3] ? names[3] : "");
}
