/* What each key does to a run: settings applied one by one to a
 * sim_run_cfg, then derived values and the checks that span keys.  Every
 * field remembers the setting that last wrote it, so a check that fails
 * names the line to fix. */
#include <math.h>
#include <string.h>

#include "esp_inner.h"
#include "exp_internal.h"
#include "presets.h"
#include "rng.h"

/* Ranges in the key table (exp_keys.c) that follow from these */
_Static_assert(ESP_INNER_MIN == 48, "traffic.size starts at ESP_INNER_MIN");
_Static_assert(SIM_MAX_MEMBERS == 8, "cluster.members ends at SIM_MAX_MEMBERS");

struct exp_builder {
    exp_run *run;
    sim_run_cfg *cfg;
    GHashTable *origin; /* field ("gateway.1.dpd_delay") -> const exp_setting* */
    int crash;          /* -1: none */
    double crash_at, crash_jitter, reboot_after; /* reboot_after < 0: never */
    GArray *events;     /* sim_script_ev */
    bool stop_end[2], phase_random[2];
    const exp_setting *cluster_key; /* the first [cluster] setting */
    double max_memory;
};

exp_builder *exp_builder_new(exp_run *run)
{
    exp_builder *b = g_new0(exp_builder, 1);
    memset(run, 0, sizeof *run);
    b->run = run;
    b->cfg = &run->cfg;
    sim_run_cfg_defaults(b->cfg);
    /* gateway 0 initiates, gateway 1 only responds: a rebooted gateway 1
     * does not announce itself with INITIAL_CONTACT */
    b->cfg->gw[1].establish = SIM_EST_NEVER;
    /* a cluster, if scenario.standby asks for one: two members replicating
     * every second, jumping by what the replicas' rate says, replicating a
     * sync at once; failures known at once unless heartbeats are set */
    b->cfg->standby = (sim_standby_cfg){.members = 2, .sync_interval_s = 1, .esp_jump_auto = true,
                                        .replicate_sync = true, .heartbeat_timeout_s = 3};
    run->method = g_strdup("custom");
    run->task = -1;
    b->origin = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    b->crash = -1;
    b->crash_at = 30;
    b->reboot_after = -1;
    b->events = g_array_new(FALSE, FALSE, sizeof(sim_script_ev));
    b->stop_end[0] = b->stop_end[1] = true;
    b->cfg->max_events = (uint64_t)EXP_MAX_EVENTS_DEFAULT;
    b->max_memory = EXP_MAX_MEMORY_DEFAULT;
    return b;
}

void exp_builder_free(exp_builder *b)
{
    if (!b)
        return;
    g_hash_table_destroy(b->origin);
    g_array_free(b->events, TRUE);
    g_free(b);
}

static void mark(exp_builder *b, const exp_setting *s, const char *field)
{
    g_hash_table_insert(b->origin, g_strdup(field), (gpointer)s);
}

static void mark_i(exp_builder *b, const exp_setting *s, const char *group, int i, const char *key)
{
    g_autofree char *f = g_strdup_printf("%s.%d.%s", group, i, key);
    mark(b, s, f);
}

/* Whole milliseconds that fit the model's 32-bit fields. */
static bool to_ms(const exp_setting *s, double sec, uint32_t *ms, GError **err)
{
    double v = sec * 1000;
    if (fabs(v - round(v)) > 1e-6 || v > UINT32_MAX) {
        exp_fail(err, s, "expected whole milliseconds up to 49 days; got “%s”", s->value);
        return false;
    }
    *ms = (uint32_t)llround(v);
    return true;
}

static bool positive(const exp_setting *s, double v, GError **err)
{
    if (v > 0)
        return true;
    exp_fail(err, s, "must be above zero; got “%s”", s->value);
    return false;
}

static bool apply_gateway(exp_builder *b, const exp_key *k, const exp_setting *s, const exp_value *v, int i,
                          GError **err)
{
    sim_gw_cfg *g = &b->cfg->gw[i];
    ike_cfg *ike = &g->ike;
    const char *n = k->name;
    uint32_t ms = 0;
    mark_i(b, s, "gateway", i, n);
    if (strcmp(n, "liveness") == 0) {
        const sim_liveness *p = sim_liveness_find(k->choices[v->choice]);
        ike->dpd_delay_ms = p->dpd_delay_ms;
        ike->dpd_clock = p->clock;
        ike->retx = p->retx;
        static const char *const preset[] = {"dpd_delay", "dpd_clock", "retransmit_timeout", "retransmit_base",
                                             "retransmit_tries", "retransmit_limit", "retransmit_jitter"};
        for (size_t j = 0; j < G_N_ELEMENTS(preset); j++)
            mark_i(b, s, "gateway", i, preset[j]);
    } else if (strcmp(n, "dpd_delay") == 0) {
        if (!v->is_word && !to_ms(s, v->num, &ms, err))
            return false;
        ike->dpd_delay_ms = ms;
    } else if (strcmp(n, "dpd_clock") == 0) {
        ike->dpd_clock = v->choice ? IKE_DPD_WHOLE_SECONDS : IKE_DPD_EXACT;
    } else if (strcmp(n, "dpd_clock_phase") == 0) {
        b->phase_random[i] = v->is_word;
        if (!v->is_word && v->num >= 1) {
            exp_fail(err, s, "expected a phase below 1s, or “random”; got “%s”", s->value);
            return false;
        }
        ike->dpd_clock_phase_ns = v->is_word ? 0 : (uint64_t)llround(v->num * 1e9);
    } else if (strcmp(n, "dpd_counts_esp") == 0) {
        ike->dpd_counts_esp = v->flag;
    } else if (strcmp(n, "retransmit_timeout") == 0) {
        if (!to_ms(s, v->num, &ms, err) || !positive(s, ms, err))
            return false;
        ike->retx.timeout_ms = ms;
    } else if (strcmp(n, "retransmit_base") == 0) {
        ike->retx.base = v->num;
    } else if (strcmp(n, "retransmit_tries") == 0) {
        ike->retx.tries = (uint32_t)v->num;
    } else if (strcmp(n, "retransmit_limit") == 0) {
        if (!v->is_word && !to_ms(s, v->num, &ms, err))
            return false;
        ike->retx.limit_ms = ms;
    } else if (strcmp(n, "retransmit_jitter") == 0) {
        double pct = v->num * 100;
        if (fabs(pct - round(pct)) > 1e-6) {
            exp_fail(err, s, "expected a whole percentage, e.g. 20%%; got “%s”", s->value);
            return false;
        }
        ike->retx.jitter_pct = (uint32_t)llround(pct);
    } else if (strcmp(n, "half_open") == 0) {
        if (!to_ms(s, v->num, &ms, err) || !positive(s, ms, err))
            return false;
        ike->half_open_ms = ms;
    } else if (strcmp(n, "qcd") == 0) {
        static const unsigned roles[] = {0, IKE_QCD_MAKER, IKE_QCD_TAKER, IKE_QCD_MAKER | IKE_QCD_TAKER};
        ike->qcd.role = roles[v->choice];
    } else if (strcmp(n, "qcd_answer_window") == 0) {
        ike->qcd.answer_window_ns = v->is_word ? 0 : (uint64_t)llround(v->num * 1e9);
    } else if (strcmp(n, "qcd_taker_needs_request") == 0) {
        ike->qcd.taker_needs_request = v->flag;
    } else if (strcmp(n, "qcd_maker_rate") == 0) {
        ike->qcd.maker_rate = v->num;
    } else if (strcmp(n, "qcd_maker_burst") == 0) {
        ike->qcd.maker_burst = v->num;
    } else if (strcmp(n, "qcd_taker_rate") == 0) {
        ike->qcd.taker_rate = v->num;
    } else if (strcmp(n, "qcd_taker_burst") == 0) {
        ike->qcd.taker_burst = v->num;
    } else if (strcmp(n, "hint_starts_dpd") == 0) {
        ike->hint_starts_dpd = v->flag;
    } else if (strcmp(n, "hint_rate") == 0) {
        ike->hint_rate = v->num;
    } else if (strcmp(n, "hint_burst") == 0) {
        ike->hint_burst = v->num;
    } else if (strcmp(n, "answer_invalid_spi") == 0) {
        g->answer_invalid_spi = v->flag;
    } else if (strcmp(n, "answer_unknown_spi") == 0) {
        ike->answer_unknown_spi = v->flag;
    } else if (strcmp(n, "unknown_ike_spi_rate") == 0) {
        ike->unknown_ike_spi_rate = v->num;
    } else if (strcmp(n, "unknown_ike_spi_burst") == 0) {
        ike->unknown_ike_spi_burst = v->num;
    } else if (strcmp(n, "unknown_spi_rate") == 0) {
        ike->unknown_spi_rate = v->num;
    } else if (strcmp(n, "unknown_spi_burst") == 0) {
        ike->unknown_spi_burst = v->num;
    } else if (strcmp(n, "persist_child_map") == 0) {
        g->persist_child_map = v->flag;
    } else if (strcmp(n, "establish") == 0) {
        static const sim_establish pol[] = {SIM_EST_AT_BOOT, SIM_EST_ON_TRAFFIC, SIM_EST_NEVER};
        g->establish = pol[v->choice];
    } else if (strcmp(n, "reinitiate_on_dead") == 0) {
        g->reinitiate_on_dead = v->flag;
    } else if (strcmp(n, "initial_contact") == 0) {
        ike->initial_contact = v->flag;
    } else if (strcmp(n, "esn") == 0) {
        ike->esp_esn = v->flag;
    } else if (strcmp(n, "answer_sync_retransmissions") == 0) {
        ike->ha_answer_retransmitted_sync = v->flag;
    } else if (strcmp(n, "replay_window") == 0) {
        g->esp.window = (uint32_t)v->num;
    } else if (strcmp(n, "cookie_threshold") == 0) {
        ike->cookie_threshold = v->is_word ? 0 : (uint32_t)v->num;
    }
    return true;
}

static bool apply_traffic(exp_builder *b, const exp_key *k, const exp_setting *s, const exp_value *v, int i,
                          GError **err)
{
    sim_traffic_cfg *t = &b->cfg->traffic[i];
    const char *n = k->name;
    mark_i(b, s, "traffic", i, n);
    if (strcmp(n, "pattern") == 0) {
        static const sim_traffic_kind kinds[] = {SIM_TRAFFIC_NONE, SIM_TRAFFIC_CONSTANT, SIM_TRAFFIC_POISSON,
                                                 SIM_TRAFFIC_ONOFF};
        t->kind = kinds[v->choice];
    } else if (strcmp(n, "rate") == 0) {
        if (!positive(s, v->num, err))
            return false;
        t->rate_pps = v->num;
    } else if (strcmp(n, "size") == 0) {
        t->size = (uint32_t)v->num;
    } else if (strcmp(n, "start") == 0) {
        t->start_s = v->num;
    } else if (strcmp(n, "stop") == 0) {
        b->stop_end[i] = v->is_word;
        t->stop_s = v->num;
    } else if (strcmp(n, "on") == 0) {
        t->on_s = v->num;
    } else if (strcmp(n, "off") == 0) {
        t->off_s = v->num;
    }
    return true;
}

static bool apply_cluster(exp_builder *b, const exp_key *k, const exp_setting *s, const exp_value *v, GError **err)
{
    const char *n = k->name;
    sim_standby_cfg *c = &b->cfg->standby;
    if (!b->cluster_key)
        b->cluster_key = s;
    if (strcmp(n, "members") == 0) {
        c->members = (unsigned)v->num;
    } else if (strcmp(n, "ha") == 0) {
        static const sim_ha_mode modes[] = {SIM_HA_NONE, SIM_HA_REPLICATE, SIM_HA_RFC6311};
        c->ha = modes[v->choice];
    } else if (strcmp(n, "heartbeat") == 0) {
        if (!v->is_word && !positive(s, v->num, err))
            return false;
        c->heartbeat_s = v->is_word ? 0 : v->num;
    } else if (strcmp(n, "heartbeat_timeout") == 0) {
        if (!positive(s, v->num, err))
            return false;
        c->heartbeat_timeout_s = v->num;
    } else if (strcmp(n, "sync_interval") == 0) {
        if (!v->is_word && !positive(s, v->num, err))
            return false;
        c->sync_interval_s = v->is_word ? 0 : v->num;
    } else if (strcmp(n, "sync_packets") == 0) {
        c->sync_packets = v->is_word ? 0 : (uint32_t)v->num;
    } else if (strcmp(n, "sync_loss") == 0) {
        c->sync_loss = v->num;
    } else if (strcmp(n, "esp_jump") == 0) {
        c->esp_jump_auto = v->is_word;
        c->esp_jump = v->is_word ? 0 : (uint64_t)v->num;
    } else if (strcmp(n, "rx_policy") == 0) {
        c->rx_strict = v->choice == 1;
    } else if (strcmp(n, "sync_trigger") == 0) {
        c->sync_trigger = v->choice == 1 ? SIM_SYNC_ON_TRAFFIC : SIM_SYNC_AT_TAKEOVER;
    } else if (strcmp(n, "replicate_sync") == 0) {
        c->replicate_sync = v->flag;
    }
    return true;
}

static bool apply_other(exp_builder *b, const exp_key *k, const exp_setting *s, const exp_value *v, GError **err)
{
    const char *n = k->name;
    ns3_link_cfg *l = &b->cfg->link;
    switch (k->group) {
    case EXP_G_EXPERIMENT:
        if (strcmp(n, "method") == 0) {
            g_free(b->run->method);
            b->run->method = g_strdup(s->value);
        } else if (strcmp(n, "horizon") == 0) {
            if (!positive(s, v->num, err))
                return false;
            b->cfg->horizon_s = v->num;
        } else if (strcmp(n, "max_events") == 0) {
            b->cfg->max_events = (uint64_t)v->num;
        } else if (strcmp(n, "max_memory") == 0) {
            b->max_memory = v->num;
        }
        break;
    case EXP_G_TOPOLOGY:
        if (strcmp(n, "rate") == 0) {
            l->rate_bps = (uint64_t)llround(v->num);
        } else if (strcmp(n, "delay") == 0) {
            l->delay_ns = (uint64_t)llround(v->num * 1e9);
        } else if (strcmp(n, "loss") == 0) {
            l->loss = v->num;
        } else if (strcmp(n, "queue") == 0) {
            l->queue_pkts = (uint32_t)v->num;
        }
        break;
    case EXP_G_SCENARIO:
        if (strcmp(n, "crash") == 0) {
            b->crash = v->choice - 1; /* none, 0, 1 */
        } else if (strcmp(n, "crash_at") == 0) {
            b->crash_at = v->num;
        } else if (strcmp(n, "crash_jitter") == 0) {
            b->crash_jitter = v->num;
        } else if (strcmp(n, "reboot_after") == 0) {
            b->reboot_after = v->is_word ? -1 : v->num;
        } else if (strcmp(n, "standby") == 0) {
            /* none, shared-secret, own-secret, load-sharing (shares the secret) */
            b->cfg->standby.enabled = v->choice > 0;
            b->cfg->standby.share_secret = v->choice == 1 || v->choice == 3;
            b->cfg->standby.load_sharing = v->choice == 3;
        } else if (strcmp(n, "cluster_knowledge") == 0) {
            b->cfg->standby.cluster_knowledge = v->flag;
        } else if (strcmp(n, "takeover") == 0) {
            b->cfg->standby.takeover_s = v->num;
        } else if (strcmp(n, "events") == 0) {
            g_array_set_size(b->events, 0);
            if (!exp_parse_events(s, b->events, err))
                return false;
        }
        break;
    case EXP_G_CLUSTER:
        return apply_cluster(b, k, s, v, err);
    case EXP_G_STORM:
        exp_apply_star(&b->cfg->star, k->name, v->num);
        break;
    default:
        break;
    }
    return true;
}

bool exp_builder_apply(exp_builder *b, const exp_setting *s, GError **err)
{
    int index;
    const exp_key *k = exp_key_find(s, &index, err);
    exp_value v;
    if (!k || !exp_value_parse(k, s, &v, err))
        return false;
    if (k->group == EXP_G_GATEWAY || k->group == EXP_G_TRAFFIC) {
        for (int i = 0; i < 2; i++) {
            if (index >= 0 && index != i)
                continue;
            bool ok = k->group == EXP_G_GATEWAY ? apply_gateway(b, k, s, &v, i, err)
                                                : apply_traffic(b, k, s, &v, i, err);
            if (!ok)
                return false;
        }
        return true;
    }
    const char *group = k->group == EXP_G_EXPERIMENT ? "experiment"
                        : k->group == EXP_G_TOPOLOGY ? "topology"
                        : k->group == EXP_G_CLUSTER  ? "cluster"
                        : k->group == EXP_G_STORM    ? "storm"
                                                     : "scenario";
    g_autofree char *field = g_strconcat(group, ".", k->name, NULL);
    mark(b, s, field);
    return apply_other(b, k, s, &v, err);
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
    for (int i = 0; i < 2; i++)
        if (!finish_traffic(b, i, err) || !finish_gateway(b, i, err))
            return false;
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
        c->script[c->n_script++] = *ev;
    }
    char *why = NULL;
    long bad = exp_script_check(c->script, c->n_script, c->standby.enabled ? c->standby.members : 0, &why);
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
    return check_size(b, err);
}
