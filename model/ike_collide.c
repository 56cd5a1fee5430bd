/* ike_collide.c — who closes what after a rekey collision (RFC 7296 §2.8.1). */
#include "ike_collide.h"

#include <stdbool.h>
#include <string.h>

int ike_nonce_cmp(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len)
{
    size_t n = a_len < b_len ? a_len : b_len;
    int c = n > 0 ? memcmp(a, b, n) : 0;
    if (c != 0)
        return c;
    return a_len < b_len ? -1 : a_len > b_len ? 1 : 0;
}

/* The lower of an exchange's two nonces. */
static void lower(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len,
                  const uint8_t **p, size_t *len)
{
    bool a_low = ike_nonce_cmp(a, a_len, b, b_len) <= 0;
    *p = a_low ? a : b;
    *len = a_low ? a_len : b_len;
}

ike_collision ike_rekey_collision(const uint8_t *our_ni, size_t our_ni_len, const uint8_t *peer_nr,
                                  size_t peer_nr_len, const uint8_t *peer_ni, size_t peer_ni_len,
                                  const uint8_t *our_nr, size_t our_nr_len)
{
    const uint8_t *ours, *theirs;
    size_t ours_len, theirs_len;
    lower(our_ni, our_ni_len, peer_nr, peer_nr_len, &ours, &ours_len);
    lower(peer_ni, peer_ni_len, our_nr, our_nr_len, &theirs, &theirs_len);
    return ike_nonce_cmp(ours, ours_len, theirs, theirs_len) < 0 ? IKE_COLLISION_LOST
                                                                 : IKE_COLLISION_WON;
}
