/* outbound.c — the newest Child SA towards a peer carries its traffic. */
#include "outbound.h"

typedef struct sim_outbound_sa {
    esp_sa *sa; /* not owned: the node's inbound table holds it */
    bool sendable;
} sim_outbound_sa;

void sim_outbound_add(sim_outbound *o, esp_sa *sa, bool sendable)
{
    if (!o->sas)
        o->sas = g_array_new(FALSE, FALSE, sizeof(sim_outbound_sa));
    sim_outbound_sa e = {sa, sendable};
    g_array_append_val(o->sas, e);
}

void sim_outbound_remove(sim_outbound *o, const esp_sa *sa)
{
    for (guint i = 0; o->sas && i < o->sas->len; i++)
        if (g_array_index(o->sas, sim_outbound_sa, i).sa == sa) {
            g_array_remove_index(o->sas, i);
            return;
        }
}

void sim_outbound_clear(sim_outbound *o)
{
    if (o->sas)
        g_array_free(o->sas, TRUE);
    o->sas = NULL;
}

esp_sa *sim_outbound_pick(const sim_outbound *o)
{
    if (!o->sas || o->sas->len == 0)
        return NULL;
    for (guint i = o->sas->len; i-- > 0;)
        if (g_array_index(o->sas, sim_outbound_sa, i).sendable)
            return g_array_index(o->sas, sim_outbound_sa, i).sa;
    return g_array_index(o->sas, sim_outbound_sa, o->sas->len - 1).sa;
}
