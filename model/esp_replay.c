/* esp_replay.c — anti-replay bitmap and ESN high-half reconstruction
 * (RFC 4303 §3.4.3, App. A2). */
#include "esp_replay.h"

#include <stdlib.h>
#include <string.h>

int esp_replay_init(esp_replay *r, uint32_t size)
{
    memset(r, 0, sizeof *r);
    if (size < ESP_WINDOW_MIN || size > ESP_WINDOW_MAX)
        return ESP_E_ARG;
    r->size = size;
    r->words = (size + 63) / 64;
    r->map = calloc(r->words, sizeof *r->map);
    return r->map != NULL ? ESP_OK : ESP_E_NOMEM;
}

void esp_replay_fini(esp_replay *r)
{
    free(r->map);
    memset(r, 0, sizeof *r);
}

static int bit_get(const esp_replay *r, uint64_t i)
{
    return (int)((r->map[i / 64] >> (i % 64)) & 1u);
}

int esp_replay_check(const esp_replay *r, uint64_t seq)
{
    if (seq == 0)
        return ESP_E_STALE; /* left of the first window, which starts at 1 */
    if (seq > r->top)
        return ESP_OK;
    uint64_t diff = r->top - seq;
    if (diff >= r->size)
        return ESP_E_STALE;
    return bit_get(r, diff) ? ESP_E_REPLAY : ESP_OK;
}

/* Moves every bit d places towards the left edge (bit i becomes bit i + d),
 * clearing the d newest places; 0 < d < size. */
static void slide(esp_replay *r, uint64_t d)
{
    uint32_t ws = (uint32_t)(d / 64), bs = (uint32_t)(d % 64);
    for (uint32_t i = r->words; i-- > 0;) {
        uint64_t v = 0;
        if (i >= ws) {
            v = r->map[i - ws] << bs;
            if (bs != 0 && i > ws)
                v |= r->map[i - ws - 1] >> (64 - bs);
        }
        r->map[i] = v;
    }
    /* places at or beyond the window size are never read (bits only move
     * towards higher places); clear them anyway so the map stays canonical */
    if (r->size % 64 != 0)
        r->map[r->words - 1] &= (UINT64_C(1) << (r->size % 64)) - 1;
}

void esp_replay_accept(esp_replay *r, uint64_t seq)
{
    if (seq > r->top) {
        uint64_t d = seq - r->top;
        if (d >= r->size)
            memset(r->map, 0, r->words * sizeof *r->map);
        else
            slide(r, d);
        r->top = seq;
        r->map[0] |= 1u;
        return;
    }
    uint64_t diff = r->top - seq;
    if (diff < r->size)
        r->map[diff / 64] |= UINT64_C(1) << (diff % 64);
}

int esp_replay_esn_high(const esp_replay *r, uint32_t seql, uint32_t *seqh)
{
    uint32_t th = (uint32_t)(r->top >> 32), tl = (uint32_t)r->top;
    uint32_t w = r->size;
    uint32_t bl = tl - w + 1u; /* mod 2^32 */
    if (tl >= w - 1u) {        /* case A: the window lies within one epoch */
        if (seql >= bl) {
            *seqh = th;
        } else {
            if (th == UINT32_MAX)
                return ESP_E_STALE; /* 2^64 and beyond: never sent */
            *seqh = th + 1u;
        }
    } else {                   /* case B: the window reaches into the previous epoch */
        if (seql >= bl) {
            if (th == 0)
                return ESP_E_STALE; /* below 0 */
            *seqh = th - 1u;
        } else {
            *seqh = th;
        }
    }
    return ESP_OK;
}
