/* esp_ha.h — replicating an ESP SA to a cluster member and the counter
 * adjustments after a failover (RFC 6027 §3.4-§3.5, RFC 6311 §5.2), sans I/O.
 *
 * Replication: esp_sa_export() copies one SA into a plain struct (keys,
 * outbound counter, inbound window); esp_sa_import() makes a working SA of
 * it on the member taking over.  The imported SA behaves exactly like the
 * original did at the moment of export: the same next packet, byte for byte,
 * and the same accept/drop answer for every inbound number.  Statistics are
 * local and start at zero.
 *
 * Nothing is adjusted on import: the caller decides when and by how much.
 *
 * Outbound: the imported SA continues at the exported number.  If the old
 * active member sealed packets after the export, continuing there reuses
 * sequence numbers under the same key, and with GCM (IV = sequence number)
 * that repeats nonces: a security failure.  The member must first call
 * esp_sa_skip() by more than the old member can have sent since the export
 * (RFC 6027 §3.4: rate x sync interval; RFC 6311 §5.2: 2^30 if unknown,
 * then rekey soon).
 *
 * Inbound: the window is as stale as the export.  After the replay-counter
 * sync (the peer adds delta to its sender counter) the member picks a
 * policy with esp_sa_rx_advance():
 *  - ESP_RX_LENIENT: nothing changes.  The right edge stays at T_stale, so a
 *    replay of a packet the old member accepted after the export (a number
 *    above T_stale) is accepted again.  No legitimate packet is dropped.
 *  - ESP_RX_STRICT: the right edge becomes T_stale + delta and every number
 *    up to it counts as seen.  Replays of old packets are dropped, but so is
 *    a legitimate packet the peer sent before applying its delta whose
 *    number is not above the new edge.
 * Counting accepted replays is the caller's ground truth: esp_rx.seq gives
 * the full number of every packet accepted.
 */
#ifndef IKESIM_ESP_HA_H
#define IKESIM_ESP_HA_H

#include "esp.h"

enum {
    ESP_HA_MAP_WORDS = ESP_WINDOW_MAX / 64, /* room for the largest window */
};

/* Everything a member needs to continue one ESP SA.  It holds keys: the
 * caller wipes it after use. */
typedef struct esp_sa_state {
    uint32_t spi_in, spi_out;        /* neither 0 */
    ike_suite suite;
    bool esn;
    uint8_t key_out[IKE_MAX_KEY], key_in[IKE_MAX_KEY];     /* AEAD: key | salt */
    uint8_t integ_out[IKE_PRF_MAX], integ_in[IKE_PRF_MAX]; /* CBC only */
    uint64_t tx_next;                /* as esp_sa_next_seq(): 0 when exhausted */
    bool anti_replay;
    uint32_t window;                 /* W, ESP_WINDOW_MIN..ESP_WINDOW_MAX */
    uint64_t rx_top;                 /* T, the right edge; 0 before any packet */
    uint64_t rx_map[ESP_HA_MAP_WORDS]; /* bit i (word i / 64): T - i seen; i < W */
} esp_sa_state;

/* Always ESP_OK. */
int esp_sa_export(const esp_sa *sa, esp_sa_state *out);
/* A new SA from st.  cfg gives only the importer's random callback (CBC
 * IVs); NULL is fine for GCM.  Window and anti-replay come from st.
 * ESP_E_UNSUPPORTED for a suite esp_sa_new() rejects; ESP_E_ARG for an SPI
 * of 0, a window out of range, a counter or edge beyond the SA's number
 * space (2^32 - 1 without ESN), bits set at or beyond W or for numbers
 * below 1, or a CBC SA without random.  *out is NULL on error. */
int esp_sa_import(const esp_sa_state *st, const esp_cfg *cfg, esp_sa **out);

typedef enum esp_rx_policy {
    ESP_RX_LENIENT, /* keep the stale right edge */
    ESP_RX_STRICT,  /* edge = T + delta, everything up to it seen */
} esp_rx_policy;

/* The inbound side after a replay-counter sync with this delta (see above).
 * With anti-replay off only the edge matters (ESN reconstruction).
 * ESP_E_ARG for an unknown policy; ESP_E_SEQ_EXHAUSTED, nothing changed, if
 * STRICT would move the edge past the last number. */
int esp_sa_rx_advance(esp_sa *sa, uint64_t delta, esp_rx_policy policy);

#endif
