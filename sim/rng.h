/* rng.h — deterministic random bytes for the protocol models.
 *
 * An AES-256-CTR keystream whose key is SHA-256 of ("ikesim-rng-v1",
 * seed, run, stream), all big-endian 64-bit.  Each gateway takes its own
 * stream, so a seed reproduces every SPI, nonce and key of a run, and the
 * bytes a gateway draws do not depend on what the others draw.  Not for
 * real-world keys: anyone who knows the seed knows the bytes.
 */
#ifndef IKESIM_SIM_RNG_H
#define IKESIM_SIM_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct sim_rng sim_rng;

sim_rng *sim_rng_new(uint64_t seed, uint64_t run, uint64_t stream); /* NULL on failure */
void sim_rng_free(sim_rng *r);
/* 0 on success, -1 if OpenSSL failed (out is then zeroed). */
int sim_rng_bytes(sim_rng *r, uint8_t *out, size_t len);
/* A uniform draw from [0, 1): 53 bits of the next 8 bytes. */
double sim_rng_uniform(sim_rng *r);

#endif
