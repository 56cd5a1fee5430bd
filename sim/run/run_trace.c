/* The event trace of a run (trace.h): its actors, what the nodes tell,
 * the script's actions, and the triggers that fire on its events. */
#include <math.h>

#include "run_world.h"

#define NS 1e9

static int actor_of(const world *w, void *gw) { return GPOINTER_TO_INT(g_hash_table_lookup(w->actor, gw)) - 1; }

/* Triggers: an action at_s after the n-th matching event. */
static void on_record(void *arg, const trace_rec *r)
{
    world *w = arg;
    size_t na;
    const trace_actor *actors = sim_trace_actors(w->trace, &na);
    for (size_t i = 0; i < w->cfg->n_script; i++) {
        const sim_trigger *on = &w->cfg->trigger[i];
        if (!on->on || w->fired[i] >= on->n || r->node < 0 || actors[r->node].side != on->gw || r->kind != on->kind ||
            (r->kind == TR_RECV && on->msg != TM_NONE && r->msg != on->msg))
            continue;
        if (++w->fired[i] == on->n)
            ns3_schedule(NS3_NO_NODE, (uint64_t)llround(w->cfg->script[i].at_s * NS), w->fire,
                         (char *)w->script + i * w->script_size);
    }
}

void trace_start(world *w)
{
    bool triggers = false;
    for (size_t i = 0; i < w->cfg->n_script; i++)
        triggers |= w->cfg->trigger[i].on;
    if (!w->cfg->on_trace && !triggers)
        return; /* off: nothing is made */
    w->trace = sim_trace_new();
    w->actor = g_hash_table_new(NULL, NULL);
    w->fired = g_new0(unsigned, w->cfg->n_script + 1);
    sim_trace_listen(w->trace, on_record, w);
}

static void add_actor(world *w, sim_gw *gw, const char *name, int side)
{
    int a = sim_trace_actor(w->trace, name, side, sim_gw_node(gw), sim_gw_addr(gw));
    g_hash_table_insert(w->actor, gw, GINT_TO_POINTER(a + 1));
}

/* gw0, gw1 (or its members gw1.m0, gw1.m1, ...), the attackers. */
void trace_actors(world *w)
{
    if (!w->trace)
        return;
    add_actor(w, w->gw[0], "gw0", 0);
    unsigned members = w->cluster ? sim_cluster_size(w->cluster) : 0;
    if (!members)
        add_actor(w, w->gw[1], "gw1", 1);
    for (unsigned k = 0; k < members; k++) {
        g_autofree char *name = g_strdup_printf("gw1.m%u", k);
        add_actor(w, sim_cluster_member(w->cluster, k), name, 1);
    }
    static const char *const attackers[] = {"forger", "prober", "replayer"};
    const void *made[] = {w->forger, w->prober, w->replayer};
    for (int i = 0; i < 3; i++)
        if (made[i])
            sim_trace_actor(w->trace, attackers[i], -1, w->at[i].node, w->at[i].addr);
}

void trace_feed(world *w, const sim_trace *t)
{
    int a = actor_of(w, t->node);
    if (a < 0)
        return;
    switch (t->type) {
    case SIM_TR_IKE_EVENT: sim_trace_ike_event(w->trace, a, t->ike); break;
    case SIM_TR_IKE_SENT: sim_trace_ike_sent(w->trace, a, sim_gw_ep(t->node), t->peer, t->bytes, t->len); break;
    case SIM_TR_IKE_RECEIVED: sim_trace_ike_received(w->trace, a, t->peer, t->bytes, t->len); break;
    case SIM_TR_ESP_SENT: sim_trace_esp_sent(w->trace, a, t->spi, t->seq); break;
    case SIM_TR_DELIVERED: sim_trace_esp_received(w->trace, a, t->app->spi, t->app->esp_seq); break;
    case SIM_TR_ESP_REFUSED: sim_trace_esp_refused(w->trace, a, t->spi, esp_strerror(t->err)); break;
    case SIM_TR_TOOK_OVER:
        sim_trace_actor_addr(w->trace, a, sim_gw_addr(t->node));
        sim_trace_world(w->trace, TR_TAKEOVER, a, NULL);
        break;
    default: break;
    }
}

static const trace_kind action_kind[] = {
    [SIM_ACT_CRASH] = TR_CRASH, [SIM_ACT_REBOOT] = TR_REBOOT, [SIM_ACT_LINK_DOWN] = TR_LINK_DOWN,
    [SIM_ACT_LINK_UP] = TR_LINK_UP, [SIM_ACT_LOSS] = TR_LOSS, [SIM_ACT_FORGE] = TR_FORGE, [SIM_ACT_PROBE] = TR_PROBE,
    [SIM_ACT_MEMBER_LINKS_DOWN] = TR_MEMBER_LINKS_DOWN, [SIM_ACT_MEMBER_LINKS_UP] = TR_MEMBER_LINKS_UP,
    [SIM_ACT_REPLAY] = TR_REPLAY,
};

/* Which gateways (by actor number) are up. */
static GArray *up_now(const world *w)
{
    size_t n;
    sim_trace_actors(w->trace, &n);
    GArray *up = g_array_sized_new(FALSE, TRUE, sizeof(bool), (guint)n);
    g_array_set_size(up, (guint)n);
    GHashTableIter it;
    gpointer gw, a;
    g_hash_table_iter_init(&it, w->actor);
    while (g_hash_table_iter_next(&it, &gw, &a))
        g_array_index(up, bool, GPOINTER_TO_INT(a) - 1) = sim_gw_is_up(gw);
    return up;
}

/* The action's line: at the gateway (or member) it crashed or booted,
 * else at its target. */
void trace_action(world *w, const sim_script_ev *ev, void (*act)(world *w, const sim_script_ev *ev))
{
    if (!w->trace) {
        act(w, ev);
        return;
    }
    GArray *before = up_now(w);
    act(w, ev);
    GArray *after = up_now(w);
    int at = ev->action == SIM_ACT_CRASH || ev->action == SIM_ACT_REBOOT || ev->action == SIM_ACT_FORGE
                 ? actor_of(w, w->gw[ev->target])
                 : -1;
    for (guint i = 0; i < before->len; i++)
        if (g_array_index(before, bool, i) != g_array_index(after, bool, i))
            at = (int)i;
    g_autofree char *detail = ev->action == SIM_ACT_LOSS    ? g_strdup_printf("%g%%", ev->value * 100)
                              : ev->action == SIM_ACT_FORGE ? g_strdup_printf("%g/s", ev->value)
                                                            : NULL;
    sim_trace_world(w->trace, action_kind[ev->action], at, detail);
    g_array_free(before, TRUE);
    g_array_free(after, TRUE);
}

void trace_end(world *w)
{
    if (!w->trace)
        return;
    sim_trace_finish(w->trace);
    if (w->cfg->on_trace)
        w->cfg->on_trace(w->cfg->on_trace_arg, w->trace);
}

void trace_free(world *w)
{
    run_trace *t = w->trace;
    w->trace = NULL; /* the teardown's events are not part of the run */
    sim_trace_free(t);
    if (w->actor)
        g_hash_table_destroy(w->actor);
    g_free(w->fired);
}
