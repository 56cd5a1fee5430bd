/* esp_ha.c — ESP SA replication to a cluster member and the inbound
 * adjustment after a replay-counter sync (RFC 6027 §3.4-§3.5, RFC 6311
 * §5.2).  The outbound jump is esp_sa_skip(). */
#include "esp_ha.h"

#include <string.h>

#include <openssl/crypto.h>

#include "esp_internal.h"

/* Word w of a map whose bits 0 .. n-1 are set and all others clear. */
static uint64_t low_bits(uint64_t n, uint32_t w)
{
    uint64_t first = (uint64_t)w * 64;
    if (n <= first)
        return 0;
    if (n - first >= 64)
        return UINT64_MAX;
    return (UINT64_C(1) << (n - first)) - 1;
}

/* Bit i stands for T - i: only i < W exists, and i >= T would be a number
 * below 1, which no packet carries. */
static uint64_t map_extent(uint64_t top, uint32_t window)
{
    return top < window ? top : window;
}

int esp_sa_export(const esp_sa *sa, esp_sa_state *out)
{
    memset(out, 0, sizeof *out);
    out->spi_in = sa->spi_in;
    out->spi_out = sa->spi_out;
    out->suite = sa->suite;
    out->esn = sa->esn;
    memcpy(out->key_out, sa->key_out, sizeof out->key_out);
    memcpy(out->key_in, sa->key_in, sizeof out->key_in);
    if (sa->cbc) { /* an AEAD has no integrity keys: zeros */
        memcpy(out->integ_out, sa->cbc->integ_out, sizeof out->integ_out);
        memcpy(out->integ_in, sa->cbc->integ_in, sizeof out->integ_in);
    }
    out->tx_next = esp_sa_next_seq(sa);
    out->anti_replay = sa->anti_replay;
    out->window = sa->win.size;
    out->rx_top = sa->win.top;
    /* only the bits that can answer a check: an SA without anti-replay
     * may have marked number 0, which no check ever reads */
    uint64_t n = map_extent(sa->win.top, sa->win.size);
    for (uint32_t w = 0; w < sa->win.words; w++)
        out->rx_map[w] = sa->win.map[w] & low_bits(n, w);
    return ESP_OK;
}

/* The numbers and the window fit the SA, and the map is canonical, so the
 * imported window answers exactly as the exported one did. */
static bool state_ok(const esp_sa_state *st)
{
    uint64_t last = st->esn ? UINT64_MAX : UINT32_MAX;
    if (st->window < ESP_WINDOW_MIN || st->window > ESP_WINDOW_MAX ||
        st->tx_next > last || st->rx_top > last)
        return false;
    uint64_t n = map_extent(st->rx_top, st->window);
    for (uint32_t w = 0; w < ESP_HA_MAP_WORDS; w++)
        if ((st->rx_map[w] & ~low_bits(n, w)) != 0)
            return false;
    return true;
}

int esp_sa_import(const esp_sa_state *st, const esp_cfg *cfg, esp_sa **out)
{
    *out = NULL;
    if (!state_ok(st))
        return ESP_E_ARG;
    esp_cfg c;
    if (cfg != NULL)
        c = *cfg;
    else
        esp_cfg_defaults(&c);
    c.window = st->window;
    c.anti_replay = st->anti_replay;

    ike_child child;
    memset(&child, 0, sizeof child);
    child.spi_in = st->spi_in;
    child.spi_out = st->spi_out;
    child.suite = st->suite;
    child.esn = st->esn;
    memcpy(child.key_out, st->key_out, sizeof child.key_out);
    memcpy(child.key_in, st->key_in, sizeof child.key_in);
    memcpy(child.integ_out, st->integ_out, sizeof child.integ_out);
    memcpy(child.integ_in, st->integ_in, sizeof child.integ_in);
    esp_sa *sa = NULL;
    int rc = esp_sa_new(&child, &c, &sa);
    OPENSSL_cleanse(&child, sizeof child);
    if (rc != ESP_OK)
        return rc;

    /* 0 means the old member spent the last number: so is ours */
    sa->tx = st->tx_next == 0 ? sa->tx_max : st->tx_next - 1;
    sa->win.top = st->rx_top;
    memcpy(sa->win.map, st->rx_map, sa->win.words * sizeof *sa->win.map);
    *out = sa;
    return ESP_OK;
}

int esp_sa_rx_advance(esp_sa *sa, uint64_t delta, esp_rx_policy policy)
{
    switch (policy) {
    case ESP_RX_LENIENT:
        return ESP_OK; /* the stale edge stays: that is the policy */
    case ESP_RX_STRICT:
        break;
    default:
        return ESP_E_ARG;
    }
    if (delta > sa->tx_max - sa->win.top)
        return ESP_E_SEQ_EXHAUSTED; /* the peer cannot send past the last number either */
    /* Nothing up to the new edge can be told apart from a replay: all seen. */
    sa->win.top += delta;
    uint64_t n = map_extent(sa->win.top, sa->win.size);
    for (uint32_t w = 0; w < sa->win.words; w++)
        sa->win.map[w] = low_bits(n, w);
    return ESP_OK;
}
