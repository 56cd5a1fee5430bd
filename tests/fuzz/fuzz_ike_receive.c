/* libFuzzer target: a whole endpoint receiving arbitrary datagrams, as a
 * responder and as an initiator waiting for its IKE_SA_INIT answer (the
 * input's initiator SPI is replaced by the real one so it gets that far),
 * then running its timers past every deadline.  The responder takes RFC 5723
 * tickets, so IKE_SESSION_RESUME gets as far as its keys. */
#include <string.h>

#include "fuzz_ticket.h"
#include "ike.h"
#include "rng.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void io_send(void *ctx, uint64_t peer, const uint8_t *msg, size_t len)
{
    (void)ctx, (void)peer, (void)msg, (void)len;
}

static void io_random(void *ctx, uint8_t *out, size_t len)
{
    sim_rng_bytes(ctx, out, len);
}

static ike_ep *endpoint(sim_rng *rng, const char *id)
{
    static ike_ticket_keys keys; /* never rolled over: the same for every input */
    fuzz_ticket_keys(&keys);
    ike_cfg cfg;
    ike_cfg_defaults(&cfg);
    memcpy(cfg.psk, "fuzz", 4);
    cfg.psk_len = 4;
    cfg.id_len = strlen(id);
    memcpy(cfg.id, id, cfg.id_len);
    cfg.dpd_delay_ms = 1000;
    cfg.answer_unknown_spi = true;
    cfg.hint_starts_dpd = true;
    cfg.resume.keys = &keys; /* IKE_SESSION_RESUME is answered (make_seeds: a ticket that opens) */
    cfg.resume.lifetime_s = 3600;
    ike_io io = {.ctx = rng, .send = io_send, .random = io_random};
    return ike_ep_new(&cfg, &io);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t copy[1 << 16];
    if (size > sizeof copy)
        return 0;
    sim_rng *rng = sim_rng_new(1, 1, 0);

    ike_ep *resp = endpoint(rng, "responder");
    ike_ep_receive(resp, 0, 1, data, size);
    ike_ep_handle_timeout(resp, 200ull * 1000000000u);
    ike_ep_free(resp, 200ull * 1000000000u);

    ike_ep *init = endpoint(rng, "initiator");
    ike_sa *sa = ike_ep_initiate(init, 0, 1);
    memcpy(copy, data, size);
    if (sa && size >= 8)
        for (int i = 0; i < 8; i++)
            copy[i] = (uint8_t)(ike_sa_spi_i(sa) >> (56 - 8 * i));
    ike_ep_receive(init, 1000, 1, copy, size);
    ike_ep_handle_timeout(init, 200ull * 1000000000u);
    ike_ep_free(init, 200ull * 1000000000u);
    sim_rng_free(rng);
    return 0;
}
