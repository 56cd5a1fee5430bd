/* esp_replay.h — the receiver's anti-replay window (RFC 4303 §3.4.3,
 * App. A2), internal to model/ (esp.h uses it; tests may call it).
 *
 * A bitmap of the last `size` sequence numbers below and including the right
 * edge T, the highest number that passed its integrity check.  Bit i stands
 * for T - i.  A new right edge slides the bitmap (bits shift towards the left
 * edge, those falling off are forgotten).  Sequence numbers are 64-bit; a
 * 32-bit SA simply never sets the high half.  Number 0 is never sent
 * (RFC 4303 §3.3.3: the first packet carries 1), so it counts as stale.
 *
 * check() is the quick test made before integrity; accept() the update made
 * only after it; the two are separate so that a forged packet changes nothing.
 */
#ifndef IKESIM_ESP_REPLAY_H
#define IKESIM_ESP_REPLAY_H

#include <stdint.h>

#include "esp_err.h"

enum {
    ESP_WINDOW_MIN = 32,      /* RFC 4303 §3.4.3: MUST support */
    ESP_WINDOW_DEFAULT = 64,  /* SHOULD be the default */
    ESP_WINDOW_MAX = 4096,    /* the model's ceiling */
};

typedef struct esp_replay {
    uint32_t size;   /* W, in packets */
    uint32_t words;  /* 64-bit words in map */
    uint64_t top;    /* T; 0 before anything was accepted */
    uint64_t *map;   /* bit i of the array (word i / 64, bit i % 64): T - i seen */
} esp_replay;

/* ESP_E_ARG if size is outside [ESP_WINDOW_MIN, ESP_WINDOW_MAX]. */
int esp_replay_init(esp_replay *r, uint32_t size);
void esp_replay_fini(esp_replay *r);

/* ESP_OK (new, or inside the window and unseen), ESP_E_REPLAY, ESP_E_STALE. */
int esp_replay_check(const esp_replay *r, uint64_t seq);
/* Marks seq received, sliding the window if seq > T.  Call only after the
 * packet's integrity check succeeded. */
void esp_replay_accept(esp_replay *r, uint64_t seq);

/* ESN: the high half Seqh of a received low half Seql (RFC 4303 App. A2.2),
 * with Bl = Tl - W + 1 (mod 2^32):
 *   case A, Tl >= W - 1: Seqh = Th if Seql >= Bl, else Th + 1;
 *   case B, Tl <  W - 1: Seqh = Th - 1 if Seql >= Bl, else Th.
 * ESP_E_STALE when case B asks for Th - 1 with Th = 0 (a number below 0), or
 * case A asks for Th + 1 beyond 2^32 - 1. */
int esp_replay_esn_high(const esp_replay *r, uint32_t seql, uint32_t *seqh);

#endif
