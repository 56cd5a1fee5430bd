/* ike_collide.h — simultaneous rekeying (RFC 7296 §2.8.1, §2.8.2): when both
 * ends rekey the same SA at once, the new SA made by the exchange holding
 * the lowest of the four nonces is redundant and its initiator closes it;
 * the initiator of the other exchange deletes the old SA.  "Lowest" is
 * octet by octet from the first, and a nonce that ends first is the lower
 * (not the nonces as integers). */
#ifndef IKESIM_IKE_COLLIDE_H
#define IKESIM_IKE_COLLIDE_H

#include <stddef.h>
#include <stdint.h>

/* < 0, 0, > 0 as a is lower than, equal to or higher than b. */
int ike_nonce_cmp(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len);

typedef enum ike_collision {
    IKE_COLLISION_WON,  /* the peer's new SA is redundant: we delete the old SA */
    IKE_COLLISION_LOST, /* ours is: we delete the SA our exchange made */
} ike_collision;

/* Our exchange (our Ni, the peer's Nr) against the peer's (its Ni, our Nr).
 * Both ends reach opposite verdicts; should the lowest nonce sit in both
 * exchanges (a repeated nonce), both win and no SA is lost. */
ike_collision ike_rekey_collision(const uint8_t *our_ni, size_t our_ni_len, const uint8_t *peer_nr,
                                  size_t peer_nr_len, const uint8_t *peer_ni, size_t peer_ni_len,
                                  const uint8_t *our_nr, size_t our_nr_len);

#endif
