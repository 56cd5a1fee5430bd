/* The [storm] group: a remote-access headend (gateway 1) and its clients
 * (gateway 0's settings, traffic 0) instead of two gateways. */
#include <string.h>

#include "exp_internal.h"

const char *exp_star_conflict(const sim_run_cfg *c, int crash, bool events)
{
    if (c->standby.enabled)
        return "a star has one headend: scenario.standby must be none";
    if (events)
        return "a star run takes no scenario.events (only crash, crash_at, reboot_after)";
    if (crash == 0)
        return "in a star the headend is gateway 1: scenario.crash must be 1 or none";
    if (c->gw[1].can_initiate && c->gw[1].establish != SIM_EST_NEVER)
        return "the headend's clients sit behind NAT: it cannot initiate to them (gateway.1.establish = never, "
               "or gateway.1.can_initiate = false)";
    if (c->gw[0].boot_delay_ns)
        return "clients do not reboot in a star: gateway.0.boot_delay must be 0s";
    if (c->traffic[0].kind == SIM_TRAFFIC_ONOFF)
        return "clients send constant or poisson traffic (traffic.0.pattern), not onoff";
    if (c->gw[1].app_unanswered || c->gw[1].app_silence_ns)
        return "the headend has no application timeout: gateway.1.app_timeout* must be off";
    return NULL;
}

static bool first_point(const sim_exp *e, bool per_device)
{
    exp_run r;
    if (!exp_build_point(e, 0, exp_seed(e, 0), &r, NULL))
        return false;
    bool star = r.cfg.star.clients > 0 && (!per_device || r.cfg.star.per_device);
    exp_run_clear(&r);
    return star;
}

bool exp_is_star(const sim_exp *e) { return first_point(e, false); }
bool exp_star_per_device(const sim_exp *e) { return first_point(e, true); }
