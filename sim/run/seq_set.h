/* seq_set.h — the ESP sequence numbers sent under one SPI, as sorted
 * disjoint runs [lo, hi]: a sender counts up, so the set is one run and
 * adding the next number extends it; a cluster member that jumps adds a
 * second.  Used to find a number sent twice (a GCM nonce used twice). */
#ifndef IKESIM_SIM_SEQ_SET_H
#define IKESIM_SIM_SEQ_SET_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

typedef struct sim_seq_set sim_seq_set;

sim_seq_set *sim_seq_set_new(void);
void sim_seq_set_free(sim_seq_set *s);
/* Adds seq; false if it was already there. */
bool sim_seq_set_add(sim_seq_set *s, uint64_t seq);

#endif
