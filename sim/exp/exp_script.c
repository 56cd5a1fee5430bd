/* Does a run's script make sense?  It is played in time order (ties in
 * script order, as the scheduler runs them) against the state it changes:
 * which gateways are up, whether the link and the member links are up,
 * whether the forger runs.  An action that would do nothing or the
 * impossible (reboot of a running gateway, crash of a crashed one, link-up
 * of an up link, stopping a forger that does not run) is refused. */
#include <math.h>
#include <stdlib.h>

#include "exp_internal.h"

typedef struct {
    size_t i;
    uint64_t at_ns;
} slot;

static int by_time(const void *a, const void *b)
{
    const slot *x = a, *y = b;
    if (x->at_ns != y->at_ns)
        return x->at_ns < y->at_ns ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

static char *say(const sim_script_ev *ev, const char *what)
{
    g_autofree char *at = unit_format(UNIT_DURATION, ev->at_s);
    return g_strdup_printf("at %s: %s", at, what);
}

/* Gateway 1 as a cluster: a crash takes down the member holding the address
 * (refused only when no member is left up), a reboot brings back the
 * member that crashed last (refused unless one crashed since the last
 * reboot). */
/* The state an action touches: gateway 0, gateway 1, the link, the member links, the forger. */
static int touches(const sim_script_ev *ev)
{
    switch (ev->action) {
    case SIM_ACT_CRASH:
    case SIM_ACT_REBOOT: return ev->target;
    case SIM_ACT_LINK_DOWN:
    case SIM_ACT_LINK_UP: return 2;
    case SIM_ACT_MEMBER_LINKS_DOWN:
    case SIM_ACT_MEMBER_LINKS_UP: return 3;
    case SIM_ACT_FORGE: return 4;
    default: return 5;
    }
}

long exp_script_check(const sim_script_ev *script, const sim_trigger *triggers, size_t n, unsigned cluster_members,
                      char **why)
{
    bool unknown[6] = {false}; /* touched by a trigger: any state is possible */
    g_autofree slot *order = g_new(slot, n ? n : 1);
    for (size_t i = 0; i < n; i++)
        order[i] = (slot){i, (uint64_t)llround(script[i].at_s * 1e9)};
    qsort(order, n, sizeof *order, by_time);
    bool up[2] = {true, true}, link_up = true, members_up = true, forging = false;
    unsigned members_down = 0;
    bool member_to_reboot = false;
    int forge_target = -1;
    for (size_t k = 0; k < n; k++) {
        const sim_script_ev *ev = &script[order[k].i];
        const char *bad = NULL;
        if (triggers && triggers[order[k].i].on) {
            unknown[touches(ev)] = true;
            continue;
        }
        bool cluster = ev->target == 1 && cluster_members > 0;
        switch (ev->action) {
        case SIM_ACT_CRASH:
            if (cluster && members_down == cluster_members)
                bad = "crash 1: every member of gateway 1 is already crashed";
            else if (!cluster && !up[ev->target])
                bad = ev->target ? "crash 1: gateway 1 is already crashed" : "crash 0: gateway 0 is already crashed";
            if (cluster)
                members_down++, member_to_reboot = true;
            else
                up[ev->target] = false;
            break;
        case SIM_ACT_REBOOT:
            if (cluster && !member_to_reboot)
                bad = "reboot 1: no member of gateway 1 crashed since the last reboot";
            else if (!cluster && up[ev->target])
                bad = ev->target ? "reboot 1: gateway 1 is running (it never crashed, or was rebooted already)"
                                 : "reboot 0: gateway 0 is running (it never crashed, or was rebooted already)";
            if (cluster)
                members_down--, member_to_reboot = false;
            else
                up[ev->target] = true;
            break;
        case SIM_ACT_LINK_DOWN:
        case SIM_ACT_LINK_UP:
            if (link_up == (ev->action == SIM_ACT_LINK_UP))
                bad = link_up ? "link-up: the link is up already" : "link-down: the link is down already";
            link_up = ev->action == SIM_ACT_LINK_UP;
            break;
        case SIM_ACT_MEMBER_LINKS_DOWN:
        case SIM_ACT_MEMBER_LINKS_UP:
            if (members_up == (ev->action == SIM_ACT_MEMBER_LINKS_UP))
                bad = members_up ? "member-links-up: the member links are up already"
                                 : "member-links-down: the member links are down already";
            members_up = ev->action == SIM_ACT_MEMBER_LINKS_UP;
            break;
        case SIM_ACT_FORGE:
            if (forge_target >= 0 && ev->target != forge_target)
                bad = "forge: a run has one forger, and it forges to the other gateway";
            else if (!(ev->value > 0) && !forging)
                bad = "forge with rate 0 stops the forger, but it is not forging";
            forge_target = ev->target;
            forging = ev->value > 0;
            break;
        default:
            break;
        }
        if (bad && !unknown[touches(ev)]) {
            *why = say(ev, bad);
            return (long)order[k].i;
        }
    }
    return -1;
}
