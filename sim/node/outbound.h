/* outbound.h — which Child SA carries a node's traffic to one peer: of the
 * SAs it holds towards that peer, the newest the peer can receive on.  A
 * Child SA is sendable when the model says so (IKE_EV_CHILD_ESTABLISHED, or
 * IKE_EV_CHILD_REKEYED with child_outbound); the responder of a rekey keeps
 * sending on the old SA until it is removed, then on the newest it holds.
 * The same rule follows a new IKE SA (reauthentication: its Child SA is
 * the newest) as a Child SA rekey. */
#ifndef IKESIM_SIM_OUTBOUND_H
#define IKESIM_SIM_OUTBOUND_H

#include <stdbool.h>

#include <glib.h>

#include "esp.h"

typedef struct sim_outbound {
    GArray *sas; /* sim_outbound_sa, oldest first; NULL while empty */
} sim_outbound;

void sim_outbound_add(sim_outbound *o, esp_sa *sa, bool sendable);
void sim_outbound_remove(sim_outbound *o, const esp_sa *sa);
void sim_outbound_clear(sim_outbound *o);
/* The newest sendable SA, else the newest; NULL if none. */
esp_sa *sim_outbound_pick(const sim_outbound *o);

#endif
