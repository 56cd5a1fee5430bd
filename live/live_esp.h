/* live_esp.h — ESP in UDP (RFC 3948) for the Child SAs of a live endpoint.
 *
 * Every Child SA the model installs gets an esp_sa, found by its inbound
 * SPI; a replaced one stays until its IKE SA goes (a test run rekeys a
 * handful of times).  An ICMP echo request that arrives through a Child SA
 * is answered through the IKE SA's current Child SA, so a ping from the
 * peer's side of the tunnel gets its reply. */
#ifndef IKESIM_LIVE_ESP_H
#define IKESIM_LIVE_ESP_H

#include <stdint.h>

#include "esp.h"

typedef struct live_esp live_esp;

/* random: CBC IVs (esp_cfg.random). */
live_esp *live_esp_new(void (*random)(void *ctx, uint8_t *out, size_t len), void *rand_ctx);
void live_esp_free(live_esp *le);
/* c was installed on the IKE SA sa (which keeps its identity across an
 * IKE SA rekey). */
int live_esp_add(live_esp *le, ike_sa *sa, const ike_child *c);
/* sa is about to be freed, and its Child SAs with it. */
void live_esp_forget(live_esp *le, const ike_sa *sa);

typedef struct live_esp_rx {
    uint32_t spi;        /* inbound SPI it came on */
    ike_sa *sa;          /* its IKE SA */
    esp_rx rx;           /* payload points into plain */
} live_esp_rx;

/* Opens one ESP packet (ESP_E_SPI: no Child SA has its SPI). */
int live_esp_open(live_esp *le, const uint8_t *pkt, size_t len, uint8_t *plain, size_t cap, live_esp_rx *out);
/* Seals payload on the Child SA with inbound SPI spi_in (its outbound half). */
int live_esp_seal(live_esp *le, uint32_t spi_in, uint8_t next_header, const uint8_t *payload, size_t len,
                  uint8_t *out, size_t cap, size_t *out_len, uint64_t *seq);

/* The ICMP echo reply (RFC 792) to an IPv4 echo request, or 0 if ip is not
 * one (or does not fit in cap). */
size_t live_icmp_echo_reply(const uint8_t *ip, size_t len, uint8_t *out, size_t cap);

#endif
