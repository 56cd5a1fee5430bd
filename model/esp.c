/* esp.c — ESP packet protection and processing (RFC 4303 §2, §3.3, §3.4;
 * RFC 4106; RFC 4309; RFC 7634; RFC 2404; RFC 4868).  The ciphers come
 * keyed from the thread's contexts (aes_ctx), so a packet usually costs one
 * IV/nonce setup, not a key schedule; CBC suites keep their keyed HMACs. */
#include "esp.h"
#include "aes_ctx.h"
#include "esp_internal.h"
#include "ike_cipher.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

enum {
    SALT_LEN = ESP_SALT_LEN,
    AEAD_IV = 8,
    CBC_IV = 16,
    CBC_BLOCK = 16,
    AEAD_ALIGN = 4, /* RFC 4303 §2.4: trailer right-aligned to 4 octets */
};

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)(v >> 32));
    put32(p + 4, (uint32_t)v);
}

void esp_cfg_defaults(esp_cfg *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->window = ESP_WINDOW_DEFAULT;
    cfg->anti_replay = true;
}

/* --- HMAC contexts (CBC suites), keyed once per SA --- */

static EVP_MAC_CTX *mac_ctx(const ike_hmac_alg *integ, const uint8_t *key)
{
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    if (mac == NULL)
        return NULL;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)integ->digest, 0),
        OSSL_PARAM_construct_end(),
    };
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac); /* the context holds its own reference */
    if (ctx != NULL && EVP_MAC_init(ctx, key, integ->key_len, params) != 1) {
        EVP_MAC_CTX_free(ctx);
        ctx = NULL;
    }
    return ctx;
}

int esp_sa_new(const ike_child *child, const esp_cfg *cfg, esp_sa **out)
{
    *out = NULL;
    esp_cfg def;
    if (cfg == NULL) {
        esp_cfg_defaults(&def);
        cfg = &def;
    }
    const ike_suite *s = &child->suite;
    if (ike_cipher_check(s) != IKE_OK)
        return ESP_E_UNSUPPORTED;
    const ike_encr_alg *e = ike_encr_alg_find(s->encr);
    size_t key_len = ike_encr_key_len(s);
    bool aead = e->mode != IKE_MODE_CBC;
    if (child->spi_in == 0 || child->spi_out == 0 || (!aead && cfg->random == NULL))
        return ESP_E_ARG;

    esp_sa *sa = calloc(1, sizeof *sa);
    if (sa == NULL)
        return ESP_E_NOMEM;
    int rc = esp_replay_init(&sa->win, cfg->window);
    if (rc != ESP_OK) {
        free(sa);
        return rc;
    }
    sa->spi_in = child->spi_in;
    sa->spi_out = child->spi_out;
    sa->aead = aead;
    sa->mode = (uint8_t)e->mode;
    sa->esn = child->esn;
    sa->anti_replay = cfg->anti_replay;
    sa->iv_len = aead ? AEAD_IV : CBC_IV;
    sa->block = aead ? AEAD_ALIGN : CBC_BLOCK;
    sa->icv_len = (uint8_t)ike_icv_len(s);
    sa->salt_len = e->salt;
    sa->tx_max = child->esn ? UINT64_MAX : UINT32_MAX;
    sa->random = cfg->random;
    sa->rand_ctx = cfg->rand_ctx;
    sa->suite = *s;
    memcpy(sa->key_out, child->key_out, sizeof sa->key_out);
    memcpy(sa->key_in, child->key_in, sizeof sa->key_in);
    if (aead) {
        memcpy(sa->salt_out, child->key_out + key_len - e->salt, e->salt);
        memcpy(sa->salt_in, child->key_in + key_len - e->salt, e->salt);
    }
    /* the cipher is there (CCM makes its context per packet) */
    rc = e->mode == IKE_MODE_CCM || (aes_ctx(e->mode, s->encr_bits, NULL, NULL, 1) &&
                                     aes_ctx(e->mode, s->encr_bits, NULL, NULL, 0))
             ? ESP_OK
             : ESP_E_CRYPTO;
    if (rc == ESP_OK && !aead) {
        const ike_hmac_alg *integ = ike_integ_alg_find(s->integ);
        sa->cbc = calloc(1, sizeof *sa->cbc);
        if (sa->cbc == NULL) {
            rc = ESP_E_NOMEM;
        } else {
            memcpy(sa->cbc->integ_out, child->integ_out, sizeof sa->cbc->integ_out);
            memcpy(sa->cbc->integ_in, child->integ_in, sizeof sa->cbc->integ_in);
            sa->cbc->mac_out = mac_ctx(integ, child->integ_out);
            sa->cbc->mac_in = mac_ctx(integ, child->integ_in);
            if (sa->cbc->mac_out == NULL || sa->cbc->mac_in == NULL)
                rc = ESP_E_CRYPTO;
        }
    }
    if (rc != ESP_OK) {
        esp_sa_free(sa);
        return rc;
    }
    *out = sa;
    return ESP_OK;
}

void esp_sa_free(esp_sa *sa)
{
    if (sa == NULL)
        return;
    if (sa->cbc) {
        EVP_MAC_CTX_free(sa->cbc->mac_out);
        EVP_MAC_CTX_free(sa->cbc->mac_in);
        OPENSSL_cleanse(sa->cbc, sizeof *sa->cbc);
        free(sa->cbc);
    }
    esp_replay_fini(&sa->win);
    OPENSSL_cleanse(sa, sizeof *sa);
    free(sa);
}

uint32_t esp_sa_spi_in(const esp_sa *sa) { return sa->spi_in; }
uint32_t esp_sa_spi_out(const esp_sa *sa) { return sa->spi_out; }
size_t esp_sa_icv_len(const esp_sa *sa) { return sa->icv_len; }
bool esp_sa_esn(const esp_sa *sa) { return sa->esn; }
const esp_stats *esp_sa_stats(const esp_sa *sa) { return &sa->st; }
uint64_t esp_sa_rx_highest(const esp_sa *sa) { return sa->win.top; }

/* --- Crypto steps --- */

/* AAD = SPI | Seq, or SPI | Seq-high | Seq-low with ESN (RFC 4106 §5). */
static size_t aead_aad(const esp_sa *sa, uint32_t spi, uint64_t seq, uint8_t aad[12])
{
    put32(aad, spi);
    if (sa->esn) {
        put64(aad + 4, seq);
        return 12;
    }
    put32(aad + 4, (uint32_t)seq);
    return 8;
}

/* One AEAD pass: nonce = salt | IV (RFC 4106 §4, RFC 4309 §4, RFC 7634 §2). */
static int aead_run(const esp_sa *sa, const uint8_t *key, int enc, const uint8_t *salt,
                    const uint8_t iv[AEAD_IV], const uint8_t *aad, size_t aad_len,
                    const uint8_t *in, size_t len, uint8_t *out, uint8_t *tag)
{
    uint8_t nonce[IKE_AEAD_MAX_NONCE];
    memcpy(nonce, salt, sa->salt_len);
    memcpy(nonce + sa->salt_len, iv, AEAD_IV);
    size_t key_len = sa->suite.encr_bits / 8u, nonce_len = sa->salt_len + AEAD_IV;
    int rc = enc ? ike_aead_seal(sa->mode, key, key_len, nonce, nonce_len, aad, aad_len, in, len,
                                 out, tag, sa->icv_len)
                 : ike_aead_open(sa->mode, key, key_len, nonce, nonce_len, aad, aad_len, in, len,
                                 tag, sa->icv_len, out);
    return rc == IKE_OK ? ESP_OK : rc == IKE_E_ICV ? ESP_E_ICV : ESP_E_CRYPTO;
}

static int cbc_run(const esp_sa *sa, const uint8_t *key, int enc, const uint8_t iv[CBC_IV], const uint8_t *in,
                   size_t len, uint8_t *out)
{
    uint8_t rest[CBC_BLOCK];
    int n = 0;
    EVP_CIPHER_CTX *ctx = aes_ctx(IKE_MODE_CBC, sa->suite.encr_bits, key, iv, enc);
    if (ctx == NULL || EVP_CipherUpdate(ctx, out, &n, in, (int)len) != 1 ||
        EVP_CipherFinal_ex(ctx, rest, &n) != 1)
        return ESP_E_CRYPTO;
    return ESP_OK;
}

/* The HMAC over the packet up to the ICV, then the ESN high half (RFC 4303
 * §3.3.2.1: appended for the ICV computation only), truncated. */
static int cbc_icv(const esp_sa *sa, EVP_MAC_CTX *ctx, const uint8_t *pkt, size_t len,
                   uint64_t seq, uint8_t *icv)
{
    uint8_t full[IKE_PRF_MAX], hi[4];
    size_t outl = 0;
    put32(hi, (uint32_t)(seq >> 32));
    int ok = EVP_MAC_init(ctx, NULL, 0, NULL) == 1 && /* restart, same key */
             EVP_MAC_update(ctx, pkt, len) == 1 &&
             (!sa->esn || EVP_MAC_update(ctx, hi, sizeof hi) == 1) &&
             EVP_MAC_final(ctx, full, &outl, sizeof full) == 1 && outl >= sa->icv_len;
    memcpy(icv, full, sa->icv_len);
    OPENSSL_cleanse(full, sizeof full);
    return ok ? ESP_OK : ESP_E_CRYPTO;
}

/* --- Outbound --- */

/* Plaintext length: payload, padding, Pad Length, Next Header, rounded up to
 * the block (CBC) or to 4 octets (AEAD). */
static size_t padded_len(const esp_sa *sa, size_t len)
{
    size_t t = len + ESP_TRAILER_LEN;
    return (t + sa->block - 1) / sa->block * sa->block;
}

size_t esp_sa_sealed_len(const esp_sa *sa, size_t len)
{
    return ESP_HDR_LEN + sa->iv_len + padded_len(sa, len) + sa->icv_len;
}

uint64_t esp_sa_next_seq(const esp_sa *sa)
{
    return sa->tx < sa->tx_max ? sa->tx + 1 : 0;
}

int esp_sa_skip(esp_sa *sa, uint64_t delta)
{
    if (delta > sa->tx_max - sa->tx)
        return ESP_E_SEQ_EXHAUSTED;
    sa->tx += delta;
    return ESP_OK;
}

int esp_sa_seal(esp_sa *sa, uint8_t next_header, const uint8_t *payload, size_t len,
                uint8_t *out, size_t cap, size_t *out_len)
{
    *out_len = 0;
    if (len > ESP_MAX_PAYLOAD || (len > 0 && payload == NULL))
        return ESP_E_BAD_LENGTH;
    size_t ct_len = padded_len(sa, len);
    size_t total = ESP_HDR_LEN + sa->iv_len + ct_len + sa->icv_len;
    if (cap < total)
        return ESP_E_SPACE;
    if (sa->tx >= sa->tx_max)
        return ESP_E_SEQ_EXHAUSTED; /* RFC 4303 §3.3.3: never wrap */
    uint64_t seq = ++sa->tx;         /* spent from here on, whatever follows */

    put32(out, sa->spi_out);
    put32(out + 4, (uint32_t)seq);
    uint8_t *iv = out + ESP_HDR_LEN, *ct = iv + sa->iv_len, *icv = ct + ct_len;
    if (sa->aead)
        put64(iv, seq);
    else
        sa->random(sa->rand_ctx, iv, CBC_IV);

    /* payload | 1, 2, 3, ... | Pad Length | Next Header (RFC 4303 §2.4) */
    size_t pad = ct_len - len - ESP_TRAILER_LEN;
    if (len > 0)
        memcpy(ct, payload, len);
    for (size_t i = 0; i < pad; i++)
        ct[len + i] = (uint8_t)(i + 1);
    ct[ct_len - 2] = (uint8_t)pad;
    ct[ct_len - 1] = next_header;

    int rc;
    if (sa->aead) {
        uint8_t aad[12];
        size_t aad_len = aead_aad(sa, sa->spi_out, seq, aad);
        rc = aead_run(sa, sa->key_out, 1, sa->salt_out, iv, aad, aad_len, ct, ct_len, ct, icv);
    } else {
        rc = cbc_run(sa, sa->key_out, 1, iv, ct, ct_len, ct);
        if (rc == ESP_OK)
            rc = cbc_icv(sa, sa->cbc->mac_out, out, (size_t)(icv - out), seq, icv);
    }
    if (rc != ESP_OK) {
        OPENSSL_cleanse(out, total);
        return rc;
    }
    sa->st.sent++;
    *out_len = total;
    return ESP_OK;
}

/* --- Inbound --- */

int esp_peek_spi(const uint8_t *pkt, size_t len, uint32_t *spi)
{
    if (len < ESP_HDR_LEN)
        return ESP_E_TRUNCATED;
    *spi = get32(pkt);
    return ESP_OK;
}

/* Pad Length fits and the padding is the default 1, 2, 3, ... (RFC 4303
 * §2.4: the receiver SHOULD inspect it). */
static bool padding_ok(const uint8_t *pt, size_t ct_len)
{
    size_t pad = pt[ct_len - 2];
    if (pad > ct_len - ESP_TRAILER_LEN)
        return false;
    const uint8_t *p = pt + ct_len - ESP_TRAILER_LEN - pad;
    uint8_t bad = 0;
    for (size_t i = 0; i < pad; i++)
        bad |= (uint8_t)(p[i] ^ (uint8_t)(i + 1));
    return bad == 0;
}

int esp_sa_open(esp_sa *sa, const uint8_t *pkt, size_t len, uint8_t *plain, size_t cap,
                esp_rx *rx)
{
    memset(rx, 0, sizeof *rx);
    uint32_t spi;
    if (esp_peek_spi(pkt, len, &spi) != ESP_OK) {
        sa->st.malformed++;
        return ESP_E_TRUNCATED;
    }
    if (spi != sa->spi_in) {
        sa->st.spi_mismatch++;
        return ESP_E_SPI;
    }
    size_t fixed = ESP_HDR_LEN + sa->iv_len + sa->icv_len;
    size_t ct_min = sa->aead ? ESP_TRAILER_LEN : CBC_BLOCK;
    if (len < fixed + ct_min) {
        sa->st.malformed++;
        return ESP_E_TRUNCATED;
    }
    size_t ct_len = len - fixed;
    if (ct_len % sa->block != 0 && !sa->aead) {
        sa->st.malformed++;
        return ESP_E_BAD_LENGTH;
    }
    if (ct_len > INT_MAX) {
        sa->st.malformed++;
        return ESP_E_BAD_LENGTH;
    }
    if (cap < ct_len)
        return ESP_E_SPACE;

    /* The full number: the low half from the wire, the high half (ESN)
     * reconstructed from the window (RFC 4303 App. A2.2). */
    uint32_t seql = get32(pkt + 4), seqh = 0;
    if (sa->esn && esp_replay_esn_high(&sa->win, seql, &seqh) != ESP_OK) {
        if (sa->anti_replay) {
            sa->st.stale_drops++;
            return ESP_E_STALE;
        }
        /* without anti-replay nothing is dropped as stale; the guess stays
         * in the current epoch and integrity decides */
        seqh = (uint32_t)(sa->win.top >> 32);
    }
    uint64_t seq = (uint64_t)seqh << 32 | seql;

    /* 1. quick replay check, before spending effort on integrity */
    if (sa->anti_replay) {
        int rc = esp_replay_check(&sa->win, seq);
        if (rc == ESP_E_REPLAY) {
            sa->st.replay_drops++;
            return rc;
        }
        if (rc == ESP_E_STALE) {
            sa->st.stale_drops++;
            return rc;
        }
    }

    /* 2. integrity, then decryption */
    const uint8_t *iv = pkt + ESP_HDR_LEN, *ct = iv + sa->iv_len, *icv = ct + ct_len;
    int rc;
    if (sa->aead) {
        uint8_t aad[12];
        size_t aad_len = aead_aad(sa, spi, seq, aad);
        rc = aead_run(sa, sa->key_in, 0, sa->salt_in, iv, aad, aad_len, ct, ct_len, plain,
                      (uint8_t *)icv); /* read only when opening */
    } else {
        uint8_t want[IKE_MAX_ICV];
        rc = cbc_icv(sa, sa->cbc->mac_in, pkt, (size_t)(icv - pkt), seq, want);
        if (rc == ESP_OK && CRYPTO_memcmp(want, icv, sa->icv_len) != 0)
            rc = ESP_E_ICV;
        if (rc == ESP_OK)
            rc = cbc_run(sa, sa->key_in, 0, iv, ct, ct_len, plain);
    }
    if (rc != ESP_OK) {
        OPENSSL_cleanse(plain, ct_len); /* never hand out unauthenticated plaintext */
        if (rc == ESP_E_ICV)
            sa->st.icv_failures++;
        return rc;
    }

    /* 3. the trailer */
    if (!padding_ok(plain, ct_len)) {
        OPENSSL_cleanse(plain, ct_len);
        sa->st.malformed++;
        return ESP_E_BAD_PAD;
    }

    /* 4. only now may the window move (RFC 4303 §3.4.3) */
    esp_replay_accept(&sa->win, seq);
    sa->st.accepted++;
    rx->seq = seq;
    rx->next_header = plain[ct_len - 1];
    rx->payload = plain;
    rx->len = ct_len - ESP_TRAILER_LEN - plain[ct_len - 2];
    return ESP_OK;
}
