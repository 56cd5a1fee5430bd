/* A run from settings: the keys' defaults, then settings applied one by
 * one to a sim_run_cfg as their rows say (exp_keys.c), then derived values
 * and the checks that span keys.  Every field remembers the setting that
 * last wrote it, so a check that fails names the line to fix. */
#include <math.h>
#include <string.h>

#include "calibration.h"
#include "exp_internal.h"
#include "rng.h"

static bool indexed(const exp_key *k) { return k->group == EXP_G_GATEWAY || k->group == EXP_G_TRAFFIC; }

/* Every key's default from its row, through the key's own parser and
 * applier: the run every experiment starts from. */
static void apply_defaults(exp_builder *b)
{
    size_t n;
    const exp_key *keys = exp_keys(&n);
    for (size_t j = 0; j < n; j++) {
        const exp_key *k = &keys[j];
        for (int i = 0; k->apply && k->def && i < (indexed(k) ? 2 : 1); i++) {
            g_autofree char *path = g_strconcat(exp_group_name(k->group), ".", k->name, NULL);
            exp_setting s = {.path = path, .value = (char *)(i == 1 && k->def1 ? k->def1 : k->def),
                             .where = "defaults"};
            exp_value v;
            GError *err = NULL;
            if (!exp_value_parse(k, &s, &v, &err) || !k->apply(b, k, &s, &v, i, &err))
                g_error("%s", err->message); /* a row's own default is wrong */
        }
    }
}

exp_builder *exp_builder_new(exp_run *run)
{
    exp_builder *b = g_new0(exp_builder, 1);
    memset(run, 0, sizeof *run);
    b->run = run;
    b->cfg = &run->cfg;
    sim_run_cfg_defaults(b->cfg); /* what no key sets: keys, IDs, secrets */
    run->task = -1;
    b->origin = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    b->events = g_array_new(FALSE, FALSE, sizeof(sim_script_ev));
    b->triggers = g_array_new(FALSE, FALSE, sizeof(sim_trigger));
    apply_defaults(b);
    return b;
}

void exp_builder_free(exp_builder *b)
{
    if (!b)
        return;
    g_hash_table_destroy(b->origin);
    g_array_free(b->events, TRUE);
    g_array_free(b->triggers, TRUE);
    g_free(b);
}

static void mark(exp_builder *b, const exp_setting *s, const char *field)
{
    g_hash_table_insert(b->origin, g_strdup(field), (gpointer)s);
}

void exp_builder_mark(exp_builder *b, const exp_setting *s, const char *group, int i, const char *key)
{
    g_autofree char *f = g_strdup_printf("%s.%d.%s", group, i, key);
    mark(b, s, f);
}

bool exp_builder_apply(exp_builder *b, const exp_setting *s, GError **err)
{
    int index;
    const exp_key *k = exp_key_find(s, &index, err);
    exp_value v;
    if (!k || !exp_value_parse(k, s, &v, err))
        return false;
    if (!k->apply)
        return true; /* read when the experiment was loaded */
    if (k->group == EXP_G_CLUSTER && !b->cluster_key)
        b->cluster_key = s;
    if (!indexed(k)) {
        g_autofree char *f = g_strconcat(exp_group_name(k->group), ".", k->name, NULL);
        mark(b, s, f);
        return k->apply(b, k, s, &v, 0, err);
    }
    for (int i = 0; i < 2; i++) {
        if (index >= 0 && index != i)
            continue;
        exp_builder_mark(b, s, k->group == EXP_G_GATEWAY ? "gateway" : "traffic", i, k->name);
        if (!k->apply(b, k, s, &v, i, err))
            return false;
    }
    return true;
}

/* The setting to blame for a failed check: the first of the fields that a
 * setting (not a default) wrote. */
static const exp_setting *blame(exp_builder *b, const char *f1, const char *f2)
{
    const exp_setting *s = g_hash_table_lookup(b->origin, f1);
    if (!s && f2)
        s = g_hash_table_lookup(b->origin, f2);
    return s;
}

static bool check_fail(GError **err, const exp_setting *s, const char *field, const char *msg)
{
    if (s) {
        exp_fail(err, s, "%s", msg);
    } else {
        g_set_error(err, EXP_ERROR, EXP_ERROR_INVALID, "defaults: %s: %s", field, msg);
    }
    return false;
}

static bool finish_traffic(exp_builder *b, int i, GError **err)
{
    sim_traffic_cfg *t = &b->cfg->traffic[i];
    double h = b->cfg->horizon_s;
    char f_start[32], f_stop[32], f_on[32], f_pattern[32];
    g_snprintf(f_start, sizeof f_start, "traffic.%d.start", i);
    g_snprintf(f_stop, sizeof f_stop, "traffic.%d.stop", i);
    g_snprintf(f_on, sizeof f_on, "traffic.%d.on", i);
    g_snprintf(f_pattern, sizeof f_pattern, "traffic.%d.pattern", i);
    if (b->stop_end[i])
        t->stop_s = h;
    if (t->kind == SIM_TRAFFIC_NONE)
        return true;
    if (t->stop_s > h)
        return check_fail(err, blame(b, f_stop, "experiment.horizon"), f_stop,
                          "traffic stops after the horizon; expected a time up to the horizon, or “end”");
    if (t->start_s >= t->stop_s)
        return check_fail(err, blame(b, f_start, f_stop), f_start, "traffic must start before it stops");
    if (t->kind == SIM_TRAFFIC_ONOFF && !(t->on_s > 0))
        return check_fail(err, blame(b, f_on, f_pattern), f_on,
                          "the onoff pattern needs “on” above zero (and usually “off”)");
    return true;
}

static bool finish_gateway(exp_builder *b, int i, GError **err)
{
    ike_cfg *ike = &b->cfg->gw[i].ike;
    char f_delay[40], f_clock[40];
    g_snprintf(f_delay, sizeof f_delay, "gateway.%d.dpd_delay", i);
    g_snprintf(f_clock, sizeof f_clock, "gateway.%d.dpd_clock", i);
    if (ike->dpd_clock == IKE_DPD_WHOLE_SECONDS && ike->dpd_delay_ms % 1000)
        return check_fail(err, blame(b, f_delay, f_clock), f_delay,
                          "the whole-seconds DPD clock needs a dpd_delay of whole seconds");
    ike_sa_lifetime *life = &ike->ike_life;
    uint32_t longer = MAX(life->rekey_s, life->reauth_s);
    if (life->over_s == IKE_LFT_UNSET) /* strongSwan: a tenth of the longer */
        life->over_s = longer / 10;
    if (life->rand_s == IKE_LFT_UNSET) { /* strongSwan: min(over_time, T / 2), over_time a tenth if off here */
        uint32_t shorter = life->rekey_s && life->reauth_s ? MIN(life->rekey_s, life->reauth_s) : longer;
        life->rand_s = MIN(life->over_s ? life->over_s : longer / 10, shorter / 2);
    }
    if (ike->minimal && b->cfg->gw[i].resume) {
        g_autofree char *f_resume = g_strdup_printf("gateway.%d.resume", i);
        g_autofree char *f_profile = g_strdup_printf("gateway.%d.profile", i);
        return check_fail(err, blame(b, f_resume, f_profile), f_resume,
                          "a minimal initiator (profile = minimal) neither asks for tickets nor resumes "
                          "(RFC 7815 has only IKE_SA_INIT and IKE_AUTH)");
    }
    ike_cfg probe = *ike;
    static const qcd_secrets dummy;
    probe.qcd.secrets = &dummy; /* set by the gateway itself */
    if (ike_cfg_check(&probe) != IKE_OK) {
        g_autofree char *f = g_strdup_printf("gateway.%d", i);
        return check_fail(err, blame(b, f_delay, f_clock), f, "the IKE configuration is invalid");
    }
    return true;
}

static char *mebibytes(double bytes)
{
    return bytes >= 1073741824 ? g_strdup_printf("%.1f GiB", bytes / 1073741824) : g_strdup_printf("%.1f MiB", bytes / 1048576);
}

/* The run's estimated size within experiment.max_events and max_memory;
 * else the error names what makes it big. */
static bool check_size(exp_builder *b, GError **err)
{
    const sim_run_cfg *c = b->cfg;
    exp_estimate est = exp_estimate_run(c);
    bool events = est.events > (double)c->max_events;
    if (!events && est.bytes <= b->max_memory)
        return true;
    const char *field = "experiment.horizon";
    if (c->star.clients)
        field = "storm.clients";
    else if (est.traffic >= est.forger && est.traffic >= est.cluster && est.traffic > 0)
        field = c->traffic[1].kind != SIM_TRAFFIC_NONE &&
                        (c->traffic[0].kind == SIM_TRAFFIC_NONE || c->traffic[1].rate_pps > c->traffic[0].rate_pps)
                    ? "traffic.1.rate"
                    : "traffic.0.rate";
    else if (est.forger >= est.cluster && est.forger > 0)
        field = "scenario.events";
    else if (est.cluster > 0)
        field = c->standby.heartbeat_s > 0 && blame(b, "cluster.heartbeat", NULL) ? "cluster.heartbeat"
                                                                                  : "cluster.sync_interval";
    const exp_setting *who = blame(b, field, "experiment.horizon");
    g_autofree char *mem = mebibytes(est.bytes), *max_mem = mebibytes(b->max_memory);
    g_autofree char *msg =
        events ? g_strdup_printf("a run would take about %.2g simulator events (and %s of memory), more than "
                                 "experiment.max_events = %.0f allows; make it smaller, or raise "
                                 "experiment.max_events if it is meant to be this big",
                                 est.events, mem, (double)c->max_events)
               : g_strdup_printf("a run would take about %s of memory, more than experiment.max_memory = %s "
                                 "allows; make it smaller, or raise experiment.max_memory if it is meant to be "
                                 "this big",
                                 mem, max_mem);
    return check_fail(err, who, field, msg);
}

bool exp_builder_finish(exp_builder *b, uint32_t seed, GError **err)
{
    sim_run_cfg *c = b->cfg;
    exp_run *run = b->run;
    c->seed = seed;
    c->run = 1; /* every point shares a seed's streams: common random numbers */
    run->seed = seed;
    for (int i = 0; i < 2; i++) {
        if (b->strongswan_liveness[i])
            exp_lifetimes_implied(b, i);
        if (!finish_traffic(b, i, err) || !finish_gateway(b, i, err))
            return false;
    }
    /* draws from the seed alone, always the same three, in the same order */
    sim_rng *r = sim_rng_new(seed, 1, 2000);
    if (!r) {
        g_set_error(err, EXP_ERROR, EXP_ERROR_IO, "random generator failed");
        return false;
    }
    double u_crash = sim_rng_uniform(r), u_phase[2] = {sim_rng_uniform(r), sim_rng_uniform(r)};
    sim_rng_free(r);
    for (int i = 0; i < 2; i++)
        if (b->phase_random[i])
            c->gw[i].ike.dpd_clock_phase_ns = (uint64_t)(u_phase[i] * 1e9);
    if (c->star.handshake_cost_s == SIM_COST_CALIBRATED) {
        const sim_calibration *row = sim_calibration_find(&c->gw[1].ike.ike);
        if (!row) {
            char name[96];
            ike_suite_name(IKE_PROTO_IKE, &c->gw[1].ike.ike, name, sizeof name);
            g_autofree char *msg = g_strdup_printf(
                "no calibrated cost for the headend's suite %s (sim/run/calibration.c; `ikesim calibrate` "
                "lists the suites it measures)", name);
            return check_fail(err, blame(b, "storm.handshake_cost", NULL), "storm.handshake_cost", msg);
        }
        c->star.handshake_cost_s = row->init_s;
    }
    if (c->star.resume_cost_s == SIM_COST_CALIBRATED) { /* 0 for a suite without resumption */
        const sim_calibration *row = sim_calibration_find(&c->gw[1].ike.ike);
        c->star.resume_cost_s = row ? row->resume_s : 0;
    }
    if (b->cluster_key && !c->standby.enabled)
        return check_fail(err, b->cluster_key, "cluster",
                          "[cluster] describes gateway 1 as a cluster: set scenario.standby too");
    if (c->standby.heartbeat_s > 0 && c->standby.heartbeat_timeout_s < c->standby.heartbeat_s)
        return check_fail(err, blame(b, "cluster.heartbeat_timeout", "cluster.heartbeat"), "cluster.heartbeat_timeout",
                          "the heartbeat timeout must be at least one heartbeat interval");
    double h = c->horizon_s;
    c->n_script = 0;
    if (b->crash >= 0) {
        double at = b->crash_at + b->crash_jitter * u_crash;
        if (b->crash_at + b->crash_jitter >= h)
            return check_fail(err, blame(b, "scenario.crash_at", "scenario.crash_jitter"), "scenario.crash_at",
                              "the crash (crash_at + crash_jitter) must come before the horizon");
        c->script[c->n_script++] = (sim_script_ev){at, SIM_ACT_CRASH, b->crash, 0};
        if (b->reboot_after >= 0) {
            if (b->crash_at + b->crash_jitter + b->reboot_after >= h)
                return check_fail(err, blame(b, "scenario.reboot_after", "experiment.horizon"),
                                  "scenario.reboot_after",
                                  "the reboot (crash_at + crash_jitter + reboot_after) must come before the "
                                  "horizon; raise experiment.horizon or use “never”");
            c->script[c->n_script++] = (sim_script_ev){at + b->reboot_after, SIM_ACT_REBOOT, b->crash, 0};
        }
    }
    for (guint i = 0; i < b->events->len; i++) {
        sim_script_ev *ev = &g_array_index(b->events, sim_script_ev, i);
        if (ev->at_s >= h)
            return check_fail(err, blame(b, "scenario.events", NULL), "scenario.events",
                              "an event comes at or after the horizon");
        if (c->n_script == SIM_MAX_SCRIPT)
            return check_fail(err, blame(b, "scenario.events", NULL), "scenario.events",
                              "too many events (at most 64, crash and reboot included)");
        if (ev->action == SIM_ACT_PROBE && !c->standby.enabled)
            return check_fail(err, blame(b, "scenario.events", "scenario.standby"), "scenario.events",
                              "a probe needs a second member of gateway 1: set scenario.standby");
        if ((ev->action == SIM_ACT_REPLAY || ev->action == SIM_ACT_MEMBER_LINKS_DOWN ||
             ev->action == SIM_ACT_MEMBER_LINKS_UP) && !c->standby.enabled)
            return check_fail(err, blame(b, "scenario.events", "scenario.standby"), "scenario.events",
                              "replay and member-links-* need gateway 1 as a cluster: set scenario.standby");
        c->trigger[c->n_script] = g_array_index(b->triggers, sim_trigger, i);
        c->script[c->n_script++] = *ev;
    }
    char *why = NULL;
    long bad = exp_script_check(c->script, c->trigger, c->n_script, c->standby.enabled ? c->standby.members : 0, &why);
    if (bad >= 0) {
        const exp_setting *who = (size_t)bad < c->n_script - b->events->len
                                     ? blame(b, bad ? "scenario.reboot_after" : "scenario.crash", NULL)
                                     : blame(b, "scenario.events", NULL);
        check_fail(err, who, "scenario.events", why);
        g_free(why);
        return false;
    }
    if (c->star.clients) {
        const exp_setting *who = blame(b, "storm.clients", NULL);
        const char *why = exp_star_conflict(c, b->crash, b->events->len > 0);
        if (why)
            return check_fail(err, who, "storm.clients", why);
    }
    for (int g = 0; g < 2 && !c->star.clients; g++) {
        g_autofree char *f_t = g_strdup_printf("gateway.%d.app_timeout", g);
        g_autofree char *f_k = g_strdup_printf("gateway.%d.app_timeout_packets", g);
        if (c->gw[g].app_unanswered || c->gw[g].app_silence_ns)
            return check_fail(err, blame(b, f_t, f_k), f_t,
                              "an application timeout acts in a star's clients only (storm.clients)");
    }
    return check_size(b, err);
}
