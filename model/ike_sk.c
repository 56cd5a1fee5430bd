/* ike_sk.c — sealing and opening the SK payload (RFC 7296 §3.14, RFC 5282,
 * RFC 7634).
 *
 * A sealed message is  IKE header | SK header | IV | E(inner | pad | pad len) | ICV.
 * An AEAD authenticates the two headers as AAD, its nonce the salt (the
 * tail of SK_e) and the IV; CBC is encrypt-then-MAC over everything before
 * the ICV, with the header Length already final. */
#include "ike_crypto.h"

#include <stdint.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ike_algs.h"
#include "ike_cipher.h"

enum {
    SK_AT = IKE_HDR_LEN,                          /* SK generic header */
    SK_BODY = IKE_HDR_LEN + IKE_GENERIC_HDR_LEN,  /* IV */
};

static bool is_aead(const ike_suite *s)
{
    return s->integ == IKE_INTEG_NONE; /* ike_cipher_check() holds */
}

/* The cipher key proper: SK_e without the salt. */
static size_t cipher_key_len(const ike_suite *s)
{
    return s->encr_bits / 8u;
}

/* Nonce = salt (the rest of SK_e) | the 8-octet IV; returns its length. */
static size_t aead_nonce(const ike_suite *s, const uint8_t *ke, const uint8_t *iv,
                         uint8_t nonce[IKE_AEAD_MAX_NONCE])
{
    size_t salt = ike_encr_key_len(s) - cipher_key_len(s), iv_len = ike_iv_len(s);
    memcpy(nonce, ke + cipher_key_len(s), salt);
    memcpy(nonce + salt, iv, iv_len);
    return salt + iv_len;
}

/* The INTEG transform (RFC 2404, RFC 4868): HMAC cut to the ICV length. */
static int cbc_icv(const ike_suite *s, const uint8_t *ka, const uint8_t *data, size_t len,
                   uint8_t *icv)
{
    const ike_iov seg = { data, len };
    return ike_integ(s->integ, ka, &seg, 1, icv);
}

int ike_sk_seal(const ike_suite *s, const uint8_t *ke, const uint8_t *ka, const ike_hdr *h,
                const ike_payload *inner, size_t n_inner, const uint8_t *iv,
                uint8_t *out, size_t cap, size_t *out_len)
{
    if (ike_cipher_check(s) != IKE_OK)
        return IKE_E_UNSUPPORTED;
    size_t iv_len = ike_iv_len(s), icv_len = ike_icv_len(s);
    size_t ct_at = SK_BODY + iv_len;
    if (cap < ct_at)
        return IKE_E_SPACE;

    /* The inner chain is encoded straight into place and encrypted there. */
    uint8_t *pt = out + ct_at;
    size_t inner_len = 0;
    int rc = n_inner > 0 ? ike_encode_chain(inner, n_inner, pt, cap - ct_at, &inner_len) : IKE_OK;
    if (rc != IKE_OK)
        goto fail;

    /* An AEAD needs no alignment; CBC fills the last block, Pad Length included. */
    size_t ct_len = inner_len + 1;
    if (!is_aead(s))
        ct_len = (ct_len + IKE_AES_BLOCK - 1) / IKE_AES_BLOCK * IKE_AES_BLOCK;
    size_t total = ct_at + ct_len + icv_len;
    if (total > cap)
        rc = IKE_E_SPACE;
    else if (total - IKE_HDR_LEN > UINT16_MAX) /* the SK Payload Length field */
        rc = IKE_E_LIMIT;
    if (rc != IKE_OK)
        goto fail;
    size_t pad = ct_len - inner_len - 1;
    memset(pt + inner_len, 0, pad);
    pt[ct_len - 1] = (uint8_t)pad;

    size_t sk_len = total - IKE_HDR_LEN;
    ike_encode_header(h, IKE_PL_SK, (uint32_t)total, out);
    out[SK_AT] = n_inner > 0 ? inner[0].type : IKE_PL_NONE;
    out[SK_AT + 1] = 0;
    out[SK_AT + 2] = (uint8_t)(sk_len >> 8);
    out[SK_AT + 3] = (uint8_t)sk_len;
    memcpy(out + SK_BODY, iv, iv_len);

    uint8_t *icv = pt + ct_len;
    if (is_aead(s)) {
        uint8_t nonce[IKE_AEAD_MAX_NONCE];
        size_t nl = aead_nonce(s, ke, iv, nonce);
        rc = ike_aead_seal(ike_encr_alg_find(s->encr)->mode, ke, cipher_key_len(s), nonce, nl,
                           out, SK_BODY, pt, ct_len, pt, icv, icv_len);
    } else {
        rc = ike_cbc_encrypt(ke, cipher_key_len(s), iv, pt, ct_len, pt);
        if (rc == IKE_OK)
            rc = cbc_icv(s, ka, out, ct_at + ct_len, icv);
    }
    if (rc != IKE_OK)
        goto fail;
    *out_len = total;
    return IKE_OK;
fail:
    OPENSSL_cleanse(pt, cap - ct_at); /* no plaintext left behind */
    return rc;
}

int ike_sk_open(const ike_suite *s, const uint8_t *ke, const uint8_t *ka, const uint8_t *msg,
                size_t msg_len, ike_msg *m, uint8_t *plain, size_t plain_cap)
{
    if (ike_cipher_check(s) != IKE_OK)
        return IKE_E_UNSUPPORTED;
    if (m->n == 0 || m->pl[m->n - 1].type != IKE_PL_SK)
        return IKE_E_SYNTAX;
    const ike_payload *sk = &m->pl[m->n - 1];

    /* The SK body must be the tail of msg; its offset bounds the AAD / MAC. */
    uintptr_t at = (uintptr_t)sk->body.p, base = (uintptr_t)msg;
    if (at < base + SK_BODY || at - base > msg_len || sk->body.len != msg_len - (at - base))
        return IKE_E_SYNTAX;
    size_t off = (size_t)(at - base);

    size_t iv_len = ike_iv_len(s), icv_len = ike_icv_len(s);
    if (sk->body.len < iv_len + 1 + icv_len)
        return IKE_E_BAD_LENGTH;
    size_t ct_len = sk->body.len - iv_len - icv_len;
    if (!is_aead(s) && ct_len % IKE_AES_BLOCK != 0)
        return IKE_E_BAD_LENGTH;
    if (plain_cap < ct_len)
        return IKE_E_SPACE;
    const uint8_t *iv = sk->body.p, *ct = iv + iv_len, *icv = ct + ct_len;

    int rc;
    if (is_aead(s)) {
        uint8_t nonce[IKE_AEAD_MAX_NONCE];
        size_t nl = aead_nonce(s, ke, iv, nonce);
        rc = ike_aead_open(ike_encr_alg_find(s->encr)->mode, ke, cipher_key_len(s), nonce, nl,
                           msg, off, ct, ct_len, icv, icv_len, plain);
    } else {
        /* Encrypt-then-MAC: nothing is decrypted before the ICV verifies. */
        uint8_t want[IKE_MAX_ICV];
        rc = cbc_icv(s, ka, msg, off + iv_len + ct_len, want);
        if (rc == IKE_OK && !ike_ct_equal(want, icv, icv_len))
            rc = IKE_E_ICV;
        if (rc == IKE_OK)
            rc = ike_cbc_decrypt(ke, cipher_key_len(s), iv, ct, ct_len, plain);
    }
    if (rc != IKE_OK)
        return rc;

    size_t pad = plain[ct_len - 1];
    if (pad + 1 > ct_len)
        return IKE_E_SYNTAX;
    size_t n0 = m->n;
    rc = ike_parse_chain(sk->next, plain, ct_len - 1 - pad, m);
    /* An SK inside SK would be opened again by a careless caller. */
    for (size_t i = n0; rc == IKE_OK && i < m->n; i++)
        if (m->pl[i].type == IKE_PL_SK)
            rc = IKE_E_SYNTAX;
    if (rc != IKE_OK)
        m->n = n0; /* all or nothing */
    return rc;
}
