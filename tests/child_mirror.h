/* child_mirror.h — the peer's view of a Child SA, for ESP tests that need
 * both ends of one SA. */
#ifndef IKESIM_TESTS_CHILD_MIRROR_H
#define IKESIM_TESTS_CHILD_MIRROR_H

#include <string.h>

#include "ike.h"

static inline ike_child child_mirror(const ike_child *c)
{
    ike_child m = *c;
    m.spi_in = c->spi_out;
    m.spi_out = c->spi_in;
    memcpy(m.key_in, c->key_out, sizeof m.key_in);
    memcpy(m.key_out, c->key_in, sizeof m.key_out);
    memcpy(m.integ_in, c->integ_out, sizeof m.integ_in);
    memcpy(m.integ_out, c->integ_in, sizeof m.integ_out);
    return m;
}

#endif
