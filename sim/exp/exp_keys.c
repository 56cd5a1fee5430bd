/* exp_keys.c — every key an experiment file may hold, one row each: its
 * group and name, kind and unit, range, default, what it means (the key
 * tables of experiments/REFERENCE.md are made from these rows) and how it
 * applies to a run.  The parser (exp_value.c) checks values against the
 * rows; the builder (exp_build.c) starts every run from the defaults. */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "esp_inner.h"
#include "exp_internal.h"
#include "presets.h"

/* ---- how a value lands: generic appliers write the field at k->field ---- */

static void *field(exp_builder *b, const exp_key *k, int i)
{
    if (k->in_builder)
        return (char *)b + k->field;
    size_t stride = k->group == EXP_G_GATEWAY   ? sizeof(sim_gw_cfg)
                    : k->group == EXP_G_TRAFFIC ? sizeof(sim_traffic_cfg)
                                                : 0;
    return (char *)b->cfg + k->field + (size_t)(i < 0 ? 0 : i) * stride;
}

#define AP(name)                                                                                           \
    static bool name(exp_builder *b, const exp_key *k, const exp_setting *s, const exp_value *v, int i, \
                     GError **err)
#define UNUSED (void)s, (void)err

AP(ap_ms) /* whole milliseconds (checked: EXP_WHOLE_MS); the word: 0 */
{
    UNUSED;
    *(uint32_t *)field(b, k, i) = v->is_word ? 0 : (uint32_t)llround(v->num * 1000);
    return true;
}

AP(ap_ns)
{
    UNUSED;
    *(uint64_t *)field(b, k, i) = v->is_word ? 0 : (uint64_t)llround(v->num * 1e9);
    return true;
}

AP(ap_s) /* whole seconds (checked: EXP_WHOLE_S); the word: 0 */
{
    UNUSED;
    *(uint32_t *)field(b, k, i) = v->is_word ? 0 : (uint32_t)llround(v->num);
    return true;
}

AP(ap_reauth_rand) /* the word: strongSwan's default, once reauth_time is known (exp_build.c) */
{
    UNUSED;
    *(uint32_t *)field(b, k, i) = v->is_word ? IKE_LFT_UNSET : (uint32_t)llround(v->num);
    return true;
}

AP(ap_num)
{
    UNUSED;
    *(double *)field(b, k, i) = v->is_word ? 0 : v->num;
    return true;
}

AP(ap_u32)
{
    UNUSED;
    *(uint32_t *)field(b, k, i) = v->is_word ? 0 : (uint32_t)v->num;
    return true;
}

AP(ap_u64_round)
{
    UNUSED;
    *(uint64_t *)field(b, k, i) = (uint64_t)llround(v->num);
    return true;
}

AP(ap_percent)
{
    UNUSED;
    *(uint32_t *)field(b, k, i) = (uint32_t)llround(v->num * 100);
    return true;
}

AP(ap_bool)
{
    UNUSED;
    *(bool *)field(b, k, i) = v->flag;
    return true;
}

AP(ap_choice) /* an enum (or int) field: the choice's value */
{
    UNUSED;
    *(int *)field(b, k, i) = k->values ? k->values[v->choice] : v->choice;
    return true;
}

AP(ap_choice_flag) /* a bool field: the choice's value */
{
    UNUSED;
    *(bool *)field(b, k, i) = k->values[v->choice] != 0;
    return true;
}

/* ---- keys that do more than set one field ---- */

AP(ap_liveness)
{
    UNUSED;
    ike_cfg *ike = &b->cfg->gw[i].ike;
    const sim_liveness *p = sim_liveness_find(k->choices[v->choice]);
    ike->dpd_delay_ms = p->dpd_delay_ms;
    ike->dpd_clock = p->clock;
    ike->retx = p->retx;
    b->strongswan_liveness[i] = strcmp(p->name, "strongswan") == 0;
    static const char *const preset[] = {"dpd_delay", "dpd_clock", "retransmit_timeout", "retransmit_base",
                                         "retransmit_tries", "retransmit_limit", "retransmit_jitter"};
    for (size_t j = 0; j < G_N_ELEMENTS(preset); j++)
        exp_builder_mark(b, s, "gateway", i, preset[j]);
    return true;
}

AP(ap_seconds) /* whole seconds (ike_child_lifetime); the word: 0 (never) */
{
    if (!v->is_word && fabs(v->num - round(v->num)) > 1e-9) {
        exp_fail(err, s, "%s must be whole seconds (strongSwan's lifetimes are)", k->name);
        return false;
    }
    *(uint32_t *)field(b, k, i) = v->is_word ? 0 : (uint32_t)llround(v->num);
    return true;
}

/* The keys of the lifetime presets, and strongSwan 5.9.8's values when a
 * swanctl.conf leaves them unset (ike_lifetime.h): Child SA rekey 1 h less a
 * random part of up to 360 s, hard expiry at 3960 s; IKE SA rekey 4 h less
 * up to 1440 s (`reauth_rand_time`'s auto), hard expiry 1440 s after
 * (over_time: a tenth of the longer of rekey and reauth time, exp_build.c). */
static const struct lifetime_key {
    const char *name;
    size_t field; /* in ike_cfg */
} lifetime_keys[] = {
    {"child_rekey_time", offsetof(ike_cfg, child_life.rekey_s)},
    {"child_rand_time", offsetof(ike_cfg, child_life.rand_s)},
    {"child_life_time", offsetof(ike_cfg, child_life.life_s)},
    {"ike_rekey_time", offsetof(ike_cfg, ike_life.rekey_s)},
    {"ike_over_time", offsetof(ike_cfg, ike_life.over_s)},
};

static void set_lifetime(ike_cfg *ike, size_t j, bool strongswan)
{
    ike_cfg d = {.child_life = {IKE_LFT_UNSET, IKE_LFT_UNSET, IKE_LFT_UNSET},
                 .ike_life = {IKE_LFT_UNSET, IKE_LFT_UNSET, IKE_LFT_UNSET, IKE_LFT_UNSET}};
    if (strongswan) {
        ike_child_lifetime_resolve(&d.child_life);
        ike_sa_lifetime_resolve(&d.ike_life);
        d.ike_life.over_s = IKE_LFT_UNSET; /* resolved once reauth_time is known */
    } else {
        memset(&d, 0, sizeof d);
    }
    size_t off = lifetime_keys[j].field;
    memcpy((char *)ike + off, (const char *)&d + off, sizeof(uint32_t));
}

AP(ap_lifetimes)
{
    UNUSED;
    (void)k;
    for (size_t j = 0; j < G_N_ELEMENTS(lifetime_keys); j++) {
        set_lifetime(&b->cfg->gw[i].ike, j, v->choice == 0);
        exp_builder_mark(b, s, "gateway", i, lifetime_keys[j].name);
    }
    return true;
}

void exp_lifetimes_implied(exp_builder *b, int i)
{
    for (size_t j = 0; j < G_N_ELEMENTS(lifetime_keys); j++) {
        g_autofree char *f = g_strdup_printf("gateway.%d.%s", i, lifetime_keys[j].name);
        if (!g_hash_table_lookup(b->origin, f))
            set_lifetime(&b->cfg->gw[i].ike, j, true);
    }
}

AP(ap_phase) /* random: drawn from the seed when the run is finished */
{
    UNUSED;
    b->phase_random[i] = v->is_word;
    b->cfg->gw[i].ike.dpd_clock_phase_ns = v->is_word ? 0 : (uint64_t)llround(v->num * 1e9);
    (void)k;
    return true;
}

AP(ap_stop) /* end: the horizon, once it is known */
{
    UNUSED;
    b->stop_end[i] = v->is_word;
    b->cfg->traffic[i].stop_s = v->num;
    (void)k;
    return true;
}

AP(ap_method)
{
    UNUSED;
    (void)k, (void)v, (void)i;
    g_free(b->run->method);
    b->run->method = g_strdup(s->value);
    return true;
}

AP(ap_reboot_after)
{
    UNUSED;
    (void)k, (void)i;
    b->reboot_after = v->is_word ? -1 : v->num;
    return true;
}

AP(ap_events)
{
    (void)k, (void)v, (void)i;
    g_array_set_size(b->events, 0);
    g_array_set_size(b->triggers, 0);
    return exp_parse_events(s, b->events, b->triggers, err);
}

AP(ap_standby) /* none, shared-secret, own-secret, load-sharing (shares the secret) */
{
    UNUSED;
    (void)k, (void)i;
    sim_standby_cfg *c = &b->cfg->standby;
    c->enabled = v->choice > 0;
    c->share_secret = v->choice == 1 || v->choice == 3;
    c->load_sharing = v->choice == 3;
    return true;
}

AP(ap_esp_jump)
{
    UNUSED;
    (void)k, (void)i;
    b->cfg->standby.esp_jump_auto = v->is_word;
    b->cfg->standby.esp_jump = v->is_word ? 0 : (uint64_t)v->num;
    return true;
}

/* ---- the choices of enumerated keys, and what each stores ---- */

/* Ranges below that follow from these */
_Static_assert(ESP_INNER_MIN == 48, "traffic.size starts at ESP_INNER_MIN");
_Static_assert(SIM_MAX_MEMBERS == 8, "cluster.members ends at SIM_MAX_MEMBERS");

static const char *const liveness_names[] = {"strongswan", "libreswan", "aggressive", "none", NULL};
static const char *const lifetime_names[] = {"strongswan", "none", NULL};
/* strongSwan's proposal syntax; the single suites follow the first proposal. */
static bool apply_proposals(ike_cfg *ike, uint8_t proto, const exp_setting *s, GError **err)
{
    ike_props *p = proto == IKE_PROTO_IKE ? &ike->ike_props : &ike->esp_props;
    size_t at = 0;
    int rc = ike_props_parse(s->value, proto, p, &at);
    if (rc != IKE_OK) {
        /* the token the parser stopped at, in the value without spaces */
        g_autofree char *flat = g_strdup(s->value);
        char *w = flat;
        for (const char *r = s->value; *r; r++)
            if (*r != ' ' && *r != '\t')
                *w++ = *r;
        *w = 0;
        const char *from = flat + MIN(at, strlen(flat));
        g_autofree char *tok = g_strndup(from, strcspn(from, "-,"));
        exp_fail(err, s, "%s at “%s” in “%s” (strongSwan's syntax, e.g. “aes256gcm16-prfsha256-x25519”%s; "
                 "see experiments/REFERENCE.md)",
                 rc == IKE_E_UNSUPPORTED ? "an algorithm ikesim does not do there" :
                 rc == IKE_E_LIMIT ? "too many proposals or algorithms" :
                 "an unknown algorithm, or a proposal without cipher, integrity, PRF or group", tok, s->value,
                 proto == IKE_PROTO_ESP ? "; no PRF or group in ESP" : "");
        p->n = 0;
        return false;
    }
    ike_suite first = ike_props_first(p);
    if (proto == IKE_PROTO_IKE) {
        ike->ike = first;
    } else {
        first.prf = ike->esp.prf;
        first.dh = 0;
        ike->esp = first;
        ike->esp_esn = p->p[0].a[4][0].id == IKE_ESN_YES;
    }
    return true;
}

AP(ap_ike_proposals)
{
    (void)k, (void)v;
    return apply_proposals(&b->cfg->gw[i < 0 ? 0 : i].ike, IKE_PROTO_IKE, s, err);
}

AP(ap_esp_proposals)
{
    (void)k, (void)v;
    return apply_proposals(&b->cfg->gw[i < 0 ? 0 : i].ike, IKE_PROTO_ESP, s, err);
}

AP(ap_cost) /* a duration, or the word: from the calibration table (exp_builder_finish) */
{
    UNUSED;
    *(double *)field(b, k, i) = v->is_word ? SIM_COST_CALIBRATED : v->num;
    return true;
}

static const char *const clocks[] = {"exact", "whole-seconds", NULL};
static const int clock_values[] = {IKE_DPD_EXACT, IKE_DPD_WHOLE_SECONDS};
static const char *const qcd_roles[] = {"none", "maker", "taker", "both", NULL};
static const int qcd_role_values[] = {0, IKE_QCD_MAKER, IKE_QCD_TAKER, IKE_QCD_MAKER | IKE_QCD_TAKER};
static const char *const establish[] = {"at-boot", "on-traffic", "never", "at-reboot", NULL};
static const int establish_values[] = {SIM_EST_AT_BOOT, SIM_EST_ON_TRAFFIC, SIM_EST_NEVER, SIM_EST_AT_REBOOT};
static const char *const reauth_modes[] = {"bbm", "mbb", NULL};
static const int reauth_mode_values[] = {IKE_REAUTH_BBM, IKE_REAUTH_MBB};
static const char *const patterns[] = {"none", "constant", "poisson", "onoff", NULL};
static const int pattern_values[] = {SIM_TRAFFIC_NONE, SIM_TRAFFIC_CONSTANT, SIM_TRAFFIC_POISSON,
                                     SIM_TRAFFIC_ONOFF};
static const char *const crash_targets[] = {"none", "0", "1", NULL};
static const int crash_values[] = {-1, 0, 1};
static const char *const standby_kinds[] = {"none", "shared-secret", "own-secret", "load-sharing", NULL};
static const char *const ha_modes[] = {"none", "replicate", "rfc6311", NULL};
static const int ha_values[] = {SIM_HA_NONE, SIM_HA_REPLICATE, SIM_HA_RFC6311};
static const char *const rx_policies[] = {"lenient", "strict", NULL};
static const int rx_values[] = {false, true};
static const char *const sync_triggers[] = {"takeover", "traffic", NULL};
static const int trigger_values[] = {SIM_SYNC_AT_TAKEOVER, SIM_SYNC_ON_TRAFFIC};
static const char *const profiles[] = {"full", "minimal", NULL};
static const int profile_values[] = {false, true};

#define RUN(f) .field = offsetof(sim_run_cfg, f)
#define GW(f) .field = offsetof(sim_run_cfg, gw[0].f)
#define TRAFFIC(f) .field = offsetof(sim_run_cfg, traffic[0].f)
#define BUILDER(f) .field = offsetof(exp_builder, f), .in_builder = true
#define QTY(u) .type = EXP_V_UNIT, .unit = (u)
#define BOOLEAN .type = EXP_V_BOOL, .apply = ap_bool
#define CHOICE(c, vals) .type = EXP_V_ENUM, .choices = (c), .values = (vals)
#define RANGE(lo, hi) .min = (lo), .max = (hi)

/* Within a group, keys apply in this order: presets first. */
static const exp_key keys[] = {
    {.name = "name", .group = EXP_G_EXPERIMENT, .type = EXP_V_NAME, .check = EXP_REQUIRED,
     .value = "name",
     .help = "names the runs (CSV column `experiment`) and the default output directory `results/NAME`"},
    {.name = "description", .group = EXP_G_EXPERIMENT, .type = EXP_V_TEXT,
     .value = "text",
     .help = "free text"},
    {.name = "method", .group = EXP_G_EXPERIMENT, .type = EXP_V_NAME, .def = "custom", .apply = ap_method,
     .per_run = true,
     .value = "method name",
     .help = "the detection method: a bundle of gateway settings (see *Methods*); `custom` applies none. "
              "Written to the CSV column `method`"},
    {.name = "horizon", .group = EXP_G_EXPERIMENT, QTY(UNIT_DURATION), RANGE("0s", "30d"),
     .check = EXP_ABOVE_ZERO, .def = "600s", .apply = ap_num, RUN(horizon_s), .per_run = true,
          .help = "simulated time of each run"},
    {.name = "seeds", .group = EXP_G_EXPERIMENT, .type = EXP_V_SEEDS, .def = "1",
     .value = "list of seeds (`1..10`, `3, 7`)",
     .help = "every sweep point runs once per seed; seeds from 1 to 4294967086 (ns-3's generator takes no larger one), none twice; "
             "at most 10 million "
             "runs (points × seeds)"},
    {.name = "plots", .group = EXP_G_EXPERIMENT, .type = EXP_V_FILES,
     .value = "list of gnuplot script names",
     .help = "scripts beside the experiment file, drawn after a sweep (see *Plots*)"},
    {.name = "timeline", .group = EXP_G_EXPERIMENT, .type = EXP_V_BOOL, .def = "false",
     .help = "keep each run's delivered packets per bin around the first crash"},
    {.name = "timeline_before", .group = EXP_G_EXPERIMENT, QTY(UNIT_DURATION), RANGE("0s", "30d"),
     .def = "5s",
     .help = "the timeline starts this long before the crash"},
    {.name = "timeline_after", .group = EXP_G_EXPERIMENT, QTY(UNIT_DURATION), RANGE("0s", "30d"),
     .def = "120s",
     .help = "and ends this long after it"},
    {.name = "timeline_bin", .group = EXP_G_EXPERIMENT, QTY(UNIT_DURATION), RANGE("0s", "1d"),
     .check = EXP_ABOVE_ZERO, .def = "100ms",
          .help = "bin width"},
    {.name = "recovery_cost", .group = EXP_G_EXPERIMENT, .type = EXP_V_BOOL, .def = "false",
     .help = "rows also get the recovery-cost columns (`sa_s`, `sa_rtt`, `recover_rtt`, `recover_ike_msgs`, "
             "`recover_ike_bytes`; a star's: `cpu_s`; see *Output*)"},
    {.name = "max_events", .group = EXP_G_EXPERIMENT, QTY(UNIT_COUNT), RANGE("1", "1e12"),
     .def = "100000000", .apply = ap_u64_round, RUN(max_events),
     .help = "a run's size limit in simulator events (see *Run size*)"},
    {.name = "max_memory", .group = EXP_G_EXPERIMENT, QTY(UNIT_SIZE), RANGE("1MiB", "1024GiB"),
     .def = "4GiB", .apply = ap_num, BUILDER(max_memory),
     .help = "a run's estimated memory limit (see *Run size*)"},
    {.name = "rate", .group = EXP_G_TOPOLOGY, QTY(UNIT_BITRATE), RANGE("1kbit", "1000Gbit"),
     .def = "100Mbit", .apply = ap_u64_round, RUN(link.rate_bps), .per_run = true,
     .help = "link rate"},
    {.name = "delay", .group = EXP_G_TOPOLOGY, QTY(UNIT_DURATION), RANGE("0s", "10s"), .def = "10ms",
     .apply = ap_ns, RUN(link.delay_ns), .per_run = true,
     .help = "one-way propagation delay"},
    {.name = "loss", .group = EXP_G_TOPOLOGY, QTY(UNIT_FRACTION), RANGE("0", "1"), .def = "0",
     .apply = ap_num, RUN(link.loss), .per_run = true,
     .help = "probability that a frame is lost, each direction"},
    {.name = "queue", .group = EXP_G_TOPOLOGY, QTY(UNIT_COUNT), RANGE("1", "1000000"), .def = "1000",
     .apply = ap_u32, RUN(link.queue_pkts), .per_run = true,
     .help = "device transmit queue in packets"},
    {.name = "liveness", .group = EXP_G_GATEWAY, .type = EXP_V_ENUM, .choices = liveness_names,
     .apply = ap_liveness, .per_run = true,
     .help = "a liveness preset: sets `dpd_delay`, `dpd_clock` and the `retransmit_*` keys (see *Liveness "
              "presets*); `strongswan` also means strongSwan's lifetimes (`lifetimes`) unless they are given"},
    {.name = "dpd_delay", .group = EXP_G_GATEWAY, QTY(UNIT_DURATION), RANGE("0s", "1d"), .word = "off",
     .check = EXP_WHOLE_MS, .def = "off", .apply = ap_ms, GW(ike.dpd_delay_ms), .per_run = true,
     .value = "duration in whole ms",
     .help = "a liveness check (empty INFORMATIONAL) after this long without inbound traffic"},
    {.name = "dpd_clock", .group = EXP_G_GATEWAY, CHOICE(clocks, clock_values), .def = "exact",
     .apply = ap_choice, GW(ike.dpd_clock), .per_run = true,
     .help = "how idle time is counted: exactly, or in whole seconds as strongSwan's charon does "
              "(protocol-brief.md §5.1b; `dpd_delay` must then be whole seconds)"},
    {.name = "dpd_clock_phase", .group = EXP_G_GATEWAY, QTY(UNIT_DURATION), RANGE("0s", "1s"),
     .check = EXP_BELOW_MAX, .word = "random", .def = "0s", .apply = ap_phase, .per_run = true,
          .help = "sub-second phase of the whole-second clock; `random` draws it from the seed"},
    {.name = "dpd_counts_esp", .group = EXP_G_GATEWAY, BOOLEAN, .def = "true", GW(ike.dpd_counts_esp),
     .per_run = true,
     .help = "inbound ESP resets the idle time (strongSwan)"},
    {.name = "retransmit_timeout", .group = EXP_G_GATEWAY, QTY(UNIT_DURATION), RANGE("0s", "1d"),
     .check = EXP_WHOLE_MS | EXP_ABOVE_ZERO, .def = "4s", .apply = ap_ms, GW(ike.retx.timeout_ms),
     .per_run = true,
     .value = "duration in whole ms",
     .help = "first retransmission wait"},
    {.name = "retransmit_base", .group = EXP_G_GATEWAY, QTY(UNIT_REAL), RANGE("1", "100"), .def = "1.8",
     .apply = ap_num, GW(ike.retx.base), .per_run = true,
     .help = "growth of each wait"},
    {.name = "retransmit_tries", .group = EXP_G_GATEWAY, QTY(UNIT_COUNT), RANGE("0", "64"), .def = "5",
     .apply = ap_u32, GW(ike.retx.tries), .per_run = true,
     .help = "retransmissions before the exchange fails (the peer is then dead)"},
    {.name = "retransmit_limit", .group = EXP_G_GATEWAY, QTY(UNIT_DURATION), RANGE("0s", "30d"),
     .word = "none", .check = EXP_WHOLE_MS, .def = "none", .apply = ap_ms, GW(ike.retx.limit_ms),
     .per_run = true,
     .value = "duration in whole ms",
     .help = "cap on one wait"},
    {.name = "retransmit_jitter", .group = EXP_G_GATEWAY, QTY(UNIT_FRACTION), RANGE("0", "1"),
     .check = EXP_WHOLE_PERCENT, .def = "0%", .apply = ap_percent, GW(ike.retx.jitter_pct), .per_run = true,
     .value = "whole percentage",
     .help = "each wait shortened by a uniform 0…jitter of itself"},
    {.name = "half_open", .group = EXP_G_GATEWAY, QTY(UNIT_DURATION), RANGE("0s", "1d"),
     .check = EXP_WHOLE_MS | EXP_ABOVE_ZERO, .def = "30s", .apply = ap_ms, GW(ike.half_open_ms),
     .per_run = true,
     .value = "duration in whole ms",
     .help = "a responder drops a half-open IKE SA after this"},
    {.name = "qcd", .group = EXP_G_GATEWAY, CHOICE(qcd_roles, qcd_role_values), .def = "none",
     .apply = ap_choice, GW(ike.qcd.role), .per_run = true,
     .help = "Quick Crash Detection roles (RFC 6290): a maker hands out tokens and answers for SAs it lost "
              "with one; a taker deletes an SA when a token verifies"},
    {.name = "qcd_answer_window", .group = EXP_G_GATEWAY, QTY(UNIT_DURATION), RANGE("0s", "30d"),
     .word = "always", .def = "always", .apply = ap_ns, GW(ike.qcd.answer_window_ns), .per_run = true,
     .help = "a maker answers with tokens only this long after its boot"},
    {.name = "qcd_taker_needs_request", .group = EXP_G_GATEWAY, BOOLEAN, .def = "false",
     GW(ike.qcd.taker_needs_request), .per_run = true,
     .help = "a token counts only while the taker's own request on that SA is outstanding"},
    {.name = "qcd_maker_rate", .group = EXP_G_GATEWAY, QTY(UNIT_PERSEC), RANGE("0/s", "1000000/s"),
     .def = "10/s", .apply = ap_num, GW(ike.qcd.maker_rate), .per_run = true,
     .help = "token answers a maker sends (`0/s`: no limit)"},
    {.name = "qcd_maker_burst", .group = EXP_G_GATEWAY, QTY(UNIT_REAL), RANGE("0", "1000000"), .def = "10",
     .apply = ap_num, GW(ike.qcd.maker_burst), .per_run = true,
     .help = "token answers a maker may send at once"},
    {.name = "qcd_taker_rate", .group = EXP_G_GATEWAY, QTY(UNIT_PERSEC), RANGE("0/s", "1000000/s"),
     .def = "10/s", .apply = ap_num, GW(ike.qcd.taker_rate), .per_run = true,
     .help = "token verifications a taker does (`0/s`: no limit)"},
    {.name = "qcd_taker_burst", .group = EXP_G_GATEWAY, QTY(UNIT_REAL), RANGE("0", "1000000"), .def = "10",
     .apply = ap_num, GW(ike.qcd.taker_burst), .per_run = true,
     .help = "token verifications a taker may do at once"},
    {.name = "hint_starts_dpd", .group = EXP_G_GATEWAY, BOOLEAN, .def = "false", GW(ike.hint_starts_dpd),
     .per_run = true,
     .help = "an unprotected INVALID_SPI / INVALID_IKE_SPI starts a liveness check at once (unless one is in"
              " flight)"},
    {.name = "hint_rate", .group = EXP_G_GATEWAY, QTY(UNIT_PERSEC), RANGE("0/s", "1000000/s"), .def = "1/s",
     .apply = ap_num, GW(ike.hint_rate), .per_run = true,
     .help = "liveness checks started by hints (`hint_starts_dpd`)"},
    {.name = "hint_burst", .group = EXP_G_GATEWAY, QTY(UNIT_REAL), RANGE("0", "1000000"), .def = "1",
     .apply = ap_num, GW(ike.hint_burst), .per_run = true,
     .help = "such checks at once"},
    {.name = "answer_invalid_spi", .group = EXP_G_GATEWAY, BOOLEAN, .def = "true", GW(answer_invalid_spi),
     .per_run = true,
     .help = "answer ESP with an unknown SPI with a one-way INVALID_SPI"},
    {.name = "answer_unknown_spi", .group = EXP_G_GATEWAY, BOOLEAN, .def = "false",
     GW(ike.answer_unknown_spi), .per_run = true,
     .help = "answer protected requests of unknown IKE SAs with INVALID_IKE_SPI even when not a QCD maker"},
    {.name = "unknown_ike_spi_rate", .group = EXP_G_GATEWAY, QTY(UNIT_PERSEC), RANGE("0/s", "1000000/s"),
     .def = "10/s", .apply = ap_num, GW(ike.unknown_ike_spi_rate), .per_run = true,
     .help = "one-way INVALID_IKE_SPI answers to protected requests for unknown IKE SAs"},
    {.name = "unknown_ike_spi_burst", .group = EXP_G_GATEWAY, QTY(UNIT_REAL), RANGE("0", "1000000"),
     .def = "10", .apply = ap_num, GW(ike.unknown_ike_spi_burst), .per_run = true,
     .help = "such answers at once"},
    {.name = "unknown_spi_rate", .group = EXP_G_GATEWAY, QTY(UNIT_PERSEC), RANGE("0/s", "1000000/s"),
     .def = "10/s", .apply = ap_num, GW(ike.unknown_spi_rate), .per_run = true,
     .help = "one-way INVALID_SPI answers to ESP with an unknown SPI (a separate budget, so stale ESP cannot"
              " silence the IKE answers)"},
    {.name = "unknown_spi_burst", .group = EXP_G_GATEWAY, QTY(UNIT_REAL), RANGE("0", "1000000"), .def = "10",
     .apply = ap_num, GW(ike.unknown_spi_burst), .per_run = true,
     .help = "such answers at once"},
    {.name = "persist_child_map", .group = EXP_G_GATEWAY, BOOLEAN, .def = "false", GW(persist_child_map),
     .per_run = true,
     .help = "child SPI → IKE SPIs map survives a crash: INVALID_SPI answers carry tokens (the QCD fast "
              "path)"},
    {.name = "establish", .group = EXP_G_GATEWAY, CHOICE(establish, establish_values), .def = "at-boot",
     .def1 = "never", .apply = ap_choice, GW(establish), .per_run = true,
     .help = "when the gateway initiates: at boot, when a packet finds no SA, or never; `at-reboot`: at every "
              "boot but the first (the peer sets the SA up at the start, this side sets it up again after its "
              "own crash). Any but `never` also initiates when a packet finds no SA"},
    {.name = "can_initiate", .group = EXP_G_GATEWAY, BOOLEAN, .def = "true", GW(can_initiate), .per_run = true,
     .help = "the gateway can reach its peer first; `false`: it never initiates whatever `establish` says (a "
              "headend whose clients sit behind NAT only hears from them)"},
    {.name = "boot_delay", .group = EXP_G_GATEWAY, QTY(UNIT_DURATION), RANGE("0s", "1h"), .def = "0s",
     .apply = ap_ns, GW(boot_delay_ns), .per_run = true,
     .help = "from boot (the run's start, a reboot) to the IKE daemon running: until then IKE and ESP are "
              "dropped unanswered, then it initiates if `establish` says so (a real daemon takes tens of "
              "milliseconds to start and load its configuration; a storm's headend waits at its reboot only, "
              "its clients' SAs being provisioned from the start)"},
    {.name = "reinitiate_on_dead", .group = EXP_G_GATEWAY, BOOLEAN, .def = "true", GW(reinitiate_on_dead),
     .per_run = true,
     .help = "after declaring the peer dead, initiate again at once"},
    {.name = "initial_contact", .group = EXP_G_GATEWAY, BOOLEAN, .def = "true", GW(ike.initial_contact),
     .per_run = true,
     .help = "send INITIAL_CONTACT in the first IKE_AUTH"},
    {.name = "reauth_time", .group = EXP_G_GATEWAY, QTY(UNIT_DURATION), RANGE("0s", "30d"), .word = "off",
     .check = EXP_WHOLE_S, .def = "off", .apply = ap_s, GW(ike.ike_life.reauth_s), .per_run = true,
     .value = "duration in whole seconds",
     .help = "reauthenticate each IKE SA this long after it was established, less a random part "
              "(`reauth_rand_time`): a new IKE SA and Child SA made from scratch replace the old ones (RFC 7296"
              " §2.8.3; strongSwan's `reauth_time`, off by default); how: `reauth_mode`"},
    {.name = "reauth_rand_time", .group = EXP_G_GATEWAY, QTY(UNIT_DURATION), RANGE("0s", "30d"),
     .word = "auto", .check = EXP_WHOLE_S, .def = "auto", .apply = ap_reauth_rand,
     GW(ike.ike_life.rand_s), .per_run = true,
     .value = "duration in whole seconds",
     .help = "the reauth time is `reauth_time` less a uniform 0…this (whole seconds; strongSwan's "
              "`rand_time`), and so is the rekey time; `auto`: strongSwan's default, a tenth of the longer of "
              "`reauth_time` and `ike_rekey_time`, at most half the shorter"},
    {.name = "reauth_mode", .group = EXP_G_GATEWAY, CHOICE(reauth_modes, reauth_mode_values), .def = "bbm",
     .apply = ap_choice, GW(ike.reauth_mode), .per_run = true,
     .help = "`bbm`, break-before-make: the old IKE SA is deleted, then the new one set up (an outage; "
              "strongSwan 5.9's default); `mbb`, make-before-break: the new IKE SA and Child SA first, their "
              "IKE_AUTH without INITIAL_CONTACT, then the old IKE SA deleted (strongSwan's "
              "`charon.make_before_break`; the peer must accept a second IKE SA)"},
    {.name = "esn", .group = EXP_G_GATEWAY, BOOLEAN, .def = "false", GW(ike.esp_esn), .per_run = true,
     .help = "propose (and accept) Extended Sequence Numbers for the Child SA; the RFC 6311 replay-counter "
              "delta then travels in 8 octets"},
    {.name = "answer_sync_retransmissions", .group = EXP_G_GATEWAY, BOOLEAN, .def = "false",
     GW(ike.ha_answer_retransmitted_sync), .per_run = true,
     .help = "as RFC 6311 peer: a sync request with the nonce and M1 of the last one answered is a "
              "retransmission (the answer was lost) and gets the same answer again, changing nothing "
              "(strongSwan's choice); `false` drops it as stale, as the RFC reads literally, and the member's"
              " SA then dies after its retransmission schedule"},
    {.name = "replay_window", .group = EXP_G_GATEWAY, QTY(UNIT_COUNT), RANGE("32", "4096"), .def = "64",
     .apply = ap_u32, GW(esp.window), .per_run = true,
     .help = "ESP anti-replay window"},
    {.name = "cookie_threshold", .group = EXP_G_GATEWAY, QTY(UNIT_COUNT), RANGE("1", "10000000"),
     .word = "off", .def = "off", .apply = ap_u32, GW(ike.cookie_threshold), .per_run = true,
     .help = "as a responder, answer a new IKE_SA_INIT with a COOKIE (RFC 7296 §2.6) while at least this "
              "many IKE SAs are half-open (strongSwan's `cookie_threshold`); an initiator always echoes a "
              "COOKIE it gets"},
    {.name = "ike_proposals", .group = EXP_G_GATEWAY, .type = EXP_V_TEXT, .apply = ap_ike_proposals,
     .per_run = true, .value = "proposals in strongSwan's syntax, or `strongswan`",
     .help = "what the gateway offers and accepts for the IKE SA (unset: AES-GCM-16-256, "
              "PRF-HMAC-SHA2-256, X25519): proposals separated by `,` (one per value in a `[sweep]` list), "
              "algorithms by `-`: ciphers `aesN` (CBC), `aesNgcmI`, `aesNccmI` (N 128/192/256, ICV I "
              "8/12/16), `chacha20poly1305`; integrity `sha1`, `sha256`, `sha384`, `sha512` (HMAC-SHA1-96, "
              "-SHA2-256-128, -384-192, -512-256); PRFs `prfsha1` … `prfsha512` (from the integrity "
              "algorithms when none is named); groups `modp2048`, `modp3072`, `modp4096`, `ecp256`, "
              "`ecp384`, `ecp521`, `x25519`, `x448`. The first group of the first proposal goes into KEi. "
              "`strongswan`: what strongSwan 5.9 proposes by default, without the algorithms ikesim lacks "
              "(AES-CTR, Camellia, 3DES, AES-XCBC/CMAC, Brainpool, MODP-6144/8192)"},
    {.name = "esp_proposals", .group = EXP_G_GATEWAY, .type = EXP_V_TEXT, .apply = ap_esp_proposals,
     .per_run = true, .value = "the same without PRFs and groups, plus `esn`/`noesn`; or `strongswan`",
     .help = "the first Child SA's proposals (unset: AES-GCM-16-256 and the `esn` key); when set, its "
              "`esn`/`noesn` replace the `esn` key"},
    {.name = "prefer_supplied_proposals", .group = EXP_G_GATEWAY, BOOLEAN, .def = "false",
     GW(ike.prefer_supplied), .per_run = true,
     .help = "as a responder, choose in the initiator's order; `false` is strongSwan's default "
              "(`prefer_configured_proposals = yes`): the responder's own proposals and algorithm order "
              "decide. A KEi group both sides list is taken over the preferred one (no INVALID_KE_PAYLOAD "
              "round trip)"},
    {.name = "resume", .group = EXP_G_GATEWAY, BOOLEAN, .def = "false", GW(resume), .per_run = true,
     .help = "RFC 5723 session resumption, both roles: ask for a ticket in IKE_AUTH and, whenever the "
              "gateway initiates (after a dead peer or on traffic), resume from it with IKE_SESSION_RESUME "
              "(no Diffie-Hellman), falling back to a full handshake on TICKET_NACK or no answer; as a "
              "responder grant tickets sealed with AES-256-GCM under keys kept across crashes"},
    {.name = "ticket_lifetime", .group = EXP_G_GATEWAY, QTY(UNIT_DURATION), RANGE("1s", "30d"),
     .check = EXP_WHOLE_MS, .def = "1h", .apply = ap_ms, GW(ticket_lifetime_ms), .per_run = true,
     .value = "duration (whole seconds go on the wire)",
     .help = "lifetime of the tickets this gateway grants (TICKET_LT_OPAQUE); a client never presents an "
              "expired one"},
    {.name = "ticket_key_roll", .group = EXP_G_GATEWAY, QTY(UNIT_DURATION), RANGE("1s", "30d"), .word = "off",
     .check = EXP_WHOLE_MS, .def = "off", .apply = ap_ms, GW(ticket_roll_ms), .per_run = true,
     .value = "duration in whole seconds",
     .help = "a new ticket key once the current one is this old (checked when a ticket is sealed)"},
    {.name = "ticket_key_grace", .group = EXP_G_GATEWAY, QTY(UNIT_DURATION), RANGE("0s", "30d"),
     .check = EXP_WHOLE_MS, .def = "1h", .apply = ap_ms, GW(ticket_grace_ms), .per_run = true,
     .value = "duration in whole seconds",
     .help = "a replaced ticket key still opens tickets this long; then its tickets get TICKET_NACK"},
    {.name = "resume_timeout", .group = EXP_G_GATEWAY, QTY(UNIT_DURATION), RANGE("1ms", "1d"), .word = "off",
     .check = EXP_WHOLE_MS, .def = "off", .apply = ap_ms, GW(resume_timeout_ms), .per_run = true,
     .value = "duration in whole ms",
     .help = "an IKE_SESSION_RESUME unanswered this long falls back to a full handshake; `off`: when its "
              "retransmissions run out, as any request (a gateway that is still down would not answer a "
              "full handshake either, and one that is merely slow would get a costlier request)"},
    {.name = "profile", .group = EXP_G_GATEWAY, CHOICE(profiles, profile_values), .def = "full",
     .apply = ap_choice_flag, GW(ike.minimal), .per_run = true,
     .help = "`minimal`: RFC 7815's minimal initiator, as constrained devices run it: it initiates only "
              "IKE_SA_INIT and IKE_AUTH (no liveness check, rekey or Delete, whatever the other keys say), "
              "answers the peer's requests without acting on them (INFORMATIONAL empty, a Delete too, which "
              "deletes nothing; CREATE_CHILD_SA with NO_ADDITIONAL_SAS), never responds to a new SA, sends "
              "no INVALID_SPI or INVALID_IKE_SPI, and ignores unprotected notifies unless `qcd` makes it a "
              "taker (then a verified token deletes its SA)"},
    {.name = "app_timeout_packets", .group = EXP_G_GATEWAY, QTY(UNIT_COUNT), RANGE("1", "1000000"),
     .word = "off", .def = "off", .apply = ap_u32, GW(app_unanswered), .per_run = true,
     .help = "a star client's application starts over when this many readings in a row got no answer: "
              "as the next reading is due it forgets the SA (no message) and initiates a new one, which that"
              " reading triggers"},
    {.name = "app_timeout", .group = EXP_G_GATEWAY, QTY(UNIT_DURATION), RANGE("0s", "1d"), .word = "off",
     .check = EXP_ABOVE_ZERO, .def = "off", .apply = ap_ns, GW(app_silence_ns), .per_run = true,
     .help = "…or when no answer came for this long (counted from the last answer, or from the Child SA's "
              "start)"},
    {.name = "lifetimes", .group = EXP_G_GATEWAY, .type = EXP_V_ENUM, .choices = lifetime_names,
     .apply = ap_lifetimes, .per_run = true,
     .help = "a lifetime preset: sets the `child_*_time` keys, `ike_rekey_time` and `ike_over_time`; "
              "`strongswan`: strongSwan 5.9.8's defaults (Child SA: rekey 1 h less a random part of up to 360 s, "
              "hard expiry at 3960 s; IKE SA: rekey 4 h less up to 1440 s, hard expiry 1440 s after), `none`: "
              "never. Unset, `liveness = strongswan` implies `strongswan` for the lifetime keys no setting gives"},
    {.name = "child_rekey_time", .group = EXP_G_GATEWAY, QTY(UNIT_DURATION), RANGE("1s", "30d"), .word = "off",
     .check = EXP_WHOLE_MS, .def = "off", .apply = ap_seconds, GW(ike.child_life.rekey_s), .per_run = true,
     .value = "duration in whole seconds",
     .help = "the Child SA is rekeyed (CREATE_CHILD_SA) this long after it was installed, less the random "
              "part; the old one is deleted after (strongSwan's `rekey_time`)"},
    {.name = "child_rand_time", .group = EXP_G_GATEWAY, QTY(UNIT_DURATION), RANGE("0s", "30d"),
     .check = EXP_WHOLE_MS, .def = "0s", .apply = ap_seconds, GW(ike.child_life.rand_s), .per_run = true,
     .value = "duration in whole seconds",
     .help = "up to this much less than `child_rekey_time`, drawn per Child SA as strongSwan draws it, so "
              "that both ends do not rekey at once (strongSwan's `rand_time`)"},
    {.name = "child_life_time", .group = EXP_G_GATEWAY, QTY(UNIT_DURATION), RANGE("1s", "30d"), .word = "off",
     .check = EXP_WHOLE_MS, .def = "off", .apply = ap_seconds, GW(ike.child_life.life_s), .per_run = true,
     .value = "duration in whole seconds",
     .help = "a Child SA not rekeyed this long after it was installed expires and is deleted (Delete); "
              "the IKE SA stays (strongSwan's `life_time`)"},
    {.name = "ike_rekey_time", .group = EXP_G_GATEWAY, QTY(UNIT_DURATION), RANGE("1s", "30d"), .word = "off",
     .check = EXP_WHOLE_S, .def = "off", .apply = ap_s, GW(ike.ike_life.rekey_s), .per_run = true,
     .value = "duration in whole seconds",
     .help = "rekey the IKE SA (CREATE_CHILD_SA, RFC 7296 §2.18) this long after it was established or "
              "rekeyed, less a uniform 0…`reauth_rand_time` (strongSwan's `rekey_time`, 4h by default there)"},
    {.name = "ike_over_time", .group = EXP_G_GATEWAY, QTY(UNIT_DURATION), RANGE("1s", "30d"), .word = "off",
     .check = EXP_WHOLE_S, .def = "off", .apply = ap_s, GW(ike.ike_life.over_s), .per_run = true,
     .value = "duration in whole seconds",
     .help = "an IKE SA not rekeyed or reauthenticated this long after its first rekey or reauth time is "
              "deleted (INFORMATIONAL Delete, its Child SAs with it; `detect_reason` `expired`, never a false "
              "positive) (strongSwan's `over_time`; `lifetimes = strongswan` sets it as strongSwan does, a "
              "tenth of the longer of `ike_rekey_time` and `reauth_time`)"},
    {.name = "child_pfs", .group = EXP_G_GATEWAY, BOOLEAN, .def = "false", GW(ike.child_pfs), .per_run = true,
     .help = "Child SA rekeys exchange keys (KEi/KEr in CREATE_CHILD_SA, the IKE SA's group; RFC 7296 "
              "§1.3.3, KEYMAT with g^ir as §2.17); as a responder, a rekey without them is refused"},
    {.name = "pattern", .group = EXP_G_TRAFFIC, CHOICE(patterns, pattern_values), .def = "constant",
     .apply = ap_choice, TRAFFIC(kind), .per_run = true,
     .help = "packet arrivals: evenly spaced, a Poisson process, or constant while on"},
    {.name = "rate", .group = EXP_G_TRAFFIC, QTY(UNIT_PKTRATE), RANGE("0pps", "100000pps"),
     .check = EXP_ABOVE_ZERO, .def = "10pps", .apply = ap_num, TRAFFIC(rate_pps), .per_run = true,
          .help = "packets per second"},
    {.name = "size", .group = EXP_G_TRAFFIC, QTY(UNIT_SIZE), RANGE("48B", "1400B"), .def = "200B",
     .apply = ap_u32, TRAFFIC(size), .per_run = true,
     .help = "inner IPv4 packet"},
    {.name = "start", .group = EXP_G_TRAFFIC, QTY(UNIT_DURATION), RANGE("0s", "30d"), .def = "1s",
     .apply = ap_num, TRAFFIC(start_s), .per_run = true,
     .help = "first packet"},
    {.name = "stop", .group = EXP_G_TRAFFIC, QTY(UNIT_DURATION), RANGE("0s", "30d"), .word = "end",
     .def = "end", .apply = ap_stop, .per_run = true,
     .help = "last packet (at most the horizon)"},
    {.name = "on", .group = EXP_G_TRAFFIC, QTY(UNIT_DURATION), RANGE("0s", "30d"), .def = "0s",
     .apply = ap_num, TRAFFIC(on_s), .per_run = true,
     .help = "the `onoff` pattern sends this long (above zero for `onoff`)"},
    {.name = "off", .group = EXP_G_TRAFFIC, QTY(UNIT_DURATION), RANGE("0s", "30d"), .def = "0s",
     .apply = ap_num, TRAFFIC(off_s), .per_run = true,
     .help = "…then pauses this long"},
    {.name = "crash", .group = EXP_G_SCENARIO, CHOICE(crash_targets, crash_values), .def = "none",
     .apply = ap_choice, BUILDER(crash), .per_run = true,
     .help = "the gateway that crashes (loses every volatile state)"},
    {.name = "crash_at", .group = EXP_G_SCENARIO, QTY(UNIT_DURATION), RANGE("0s", "30d"), .def = "30s",
     .apply = ap_num, BUILDER(crash_at), .per_run = true,
     .help = "when"},
    {.name = "crash_jitter", .group = EXP_G_SCENARIO, QTY(UNIT_DURATION), RANGE("0s", "30d"), .def = "0s",
     .apply = ap_num, BUILDER(crash_jitter), .per_run = true,
     .help = "the crash comes at `crash_at` + uniform(0, jitter), drawn from the seed"},
    {.name = "reboot_after", .group = EXP_G_SCENARIO, QTY(UNIT_DURATION), RANGE("0s", "30d"),
     .word = "never", .def = "never", .apply = ap_reboot_after, .per_run = true,
     .help = "the crashed gateway boots again this long after the crash"},
    {.name = "events", .group = EXP_G_SCENARIO, .type = EXP_V_EVENTS, .apply = ap_events, .per_run = true,
     .value = "list of `TIME ACTION [ARG]`",
     .help = "more events: `crash G`, `reboot G` (G = 0 or 1), `link-down`, `link-up`, `loss P` (the link's "
              "loss becomes P), `forge G RATE` (an attacker on its own link to gateway G sends it unprotected"
              " INVALID_IKE_SPI and INVALID_SPI notifies with random QCD tokens, knowing the SPIs, at RATE "
              "per second; RATE 0 stops it); e.g. `40s link-down, 42s link-up, 50s loss 5%, 60s forge 0 "
              "1000/s` (and `probe`: see `standby`; `member-links-down`, `member-links-up`, `replay`: see "
              "*[cluster]*); and triggers `on G KIND[#N] +DELAY ACTION [ARG]` (below)"},
    {.name = "standby", .group = EXP_G_SCENARIO, .type = EXP_V_ENUM, .choices = standby_kinds, .def = "none",
     .apply = ap_standby, .per_run = true,
     .help = "gateway 1 is a cluster (see *[cluster]*; by default two members, nothing replicated): a "
              "standby member takes over gateway 1's address `takeover` after the active member crashes (the "
              "gateways then meet through a router: one more hop each way); `shared-secret`: the members make"
              " the same QCD tokens (RFC 6290 §6), `own-secret`: each its own. `crash 1` crashes the member "
              "holding the address, `reboot 1` brings back the member that crashed last, as a standby"},
    {.name = "takeover", .group = EXP_G_SCENARIO, QTY(UNIT_DURATION), RANGE("0s", "1d"), .def = "0s",
     .apply = ap_num, RUN(standby.takeover_s), .per_run = true,
     .help = "the time from the failure being known to the router steering the address to the new member"},
    {.name = "cluster_knowledge", .group = EXP_G_SCENARIO, BOOLEAN, .def = "false",
     RUN(standby.cluster_knowledge), .per_run = true,
     .help = "the second member knows which IKE SAs are alive on the first and never reveals their tokens "
              "(RFC 6290 §9.2)"},
    {.name = "members", .group = EXP_G_CLUSTER, QTY(UNIT_COUNT), RANGE("2", "8"), .def = "2",
     .apply = ap_u32, RUN(standby.members), .per_run = true,
     .help = "members; the lowest-numbered live standby takes over"},
    {.name = "ha", .group = EXP_G_CLUSTER, CHOICE(ha_modes, ha_values), .def = "none", .apply = ap_choice,
     RUN(standby.ha), .per_run = true,
     .help = "nothing replicated (a failover is a crash for the peer: QCD or liveness must recover); "
              "replicated without RFC 6311 (the new member resumes with stale counters); replicated with the "
              "RFC 6311 sync"},
    {.name = "heartbeat", .group = EXP_G_CLUSTER, QTY(UNIT_DURATION), RANGE("0s", "1d"), .word = "off",
     .check = EXP_ABOVE_ZERO, .def = "off", .apply = ap_num, RUN(standby.heartbeat_s), .per_run = true,
          .help = "members send each other a heartbeat this often; a standby that hears nothing from the active "
              "member for `heartbeat_timeout` claims the address (after `takeover`). `off`: the failure is "
              "known at once"},
    {.name = "heartbeat_timeout", .group = EXP_G_CLUSTER, QTY(UNIT_DURATION), RANGE("0s", "1d"),
     .check = EXP_ABOVE_ZERO, .def = "3s", .apply = ap_num, RUN(standby.heartbeat_timeout_s), .per_run = true,
     .value = "duration ≥ `heartbeat`",
     .help = "a standby claims the address after this long without a heartbeat from the active member"},
    {.name = "sync_interval", .group = EXP_G_CLUSTER, QTY(UNIT_DURATION), RANGE("0s", "1d"), .word = "off",
     .check = EXP_ABOVE_ZERO, .def = "1s", .apply = ap_num, RUN(standby.sync_interval_s), .per_run = true,
          .help = "the active member replicates every SA this often"},
    {.name = "sync_packets", .group = EXP_G_CLUSTER, QTY(UNIT_COUNT), RANGE("1", "4294967295"),
     .word = "off", .def = "off", .apply = ap_u32, RUN(standby.sync_packets), .per_run = true,
     .help = "…and after this many ESP packets (sent and received) since the last replication"},
    {.name = "sync_loss", .group = EXP_G_CLUSTER, QTY(UNIT_FRACTION), RANGE("0", "1"), .def = "0",
     .apply = ap_num, RUN(standby.sync_loss), .per_run = true,
     .help = "probability that one replication datagram to one standby is lost (heartbeats are not lost: "
              "real clusters give them a redundant path)"},
    {.name = "esp_jump", .group = EXP_G_CLUSTER, QTY(UNIT_COUNT), RANGE("0", "4294967295"), .word = "auto",
     .def = "auto", .apply = ap_esp_jump, .per_run = true,
     .help = "outbound ESP numbers the new member skips (RFC 6311 §5.2), and the delta it asks gateway 0 to "
              "add; `auto`: twice what the replica's packet rate allows in the replica's age, plus 64 (2³⁰ "
              "while the rate is unknown)"},
    {.name = "rx_policy", .group = EXP_G_CLUSTER, CHOICE(rx_policies, rx_values), .def = "lenient",
     .apply = ap_choice_flag, RUN(standby.rx_strict), .per_run = true,
     .help = "the new member's inbound window: the replica's (replays of what the crashed member received "
              "after the last replication are accepted), or moved up by the jump (none are, but gateway 0's "
              "packets below it are refused until it adds the delta)"},
    {.name = "sync_trigger", .group = EXP_G_CLUSTER, CHOICE(sync_triggers, trigger_values),
     .def = "takeover", .apply = ap_choice, RUN(standby.sync_trigger), .per_run = true,
     .help = "the sync goes out at takeover, or when gateway 0's first packet for the SA arrives"},
    {.name = "replicate_sync", .group = EXP_G_CLUSTER, BOOLEAN, .def = "true", RUN(standby.replicate_sync),
     .per_run = true,
     .help = "the new member replicates an SA as soon as it sends its sync, so a member after it syncs above"
              " those values (multiple failover)"},
    {.name = "clients", .group = EXP_G_STORM, QTY(UNIT_COUNT), RANGE("0", "1000000"), .def = "0",
     .apply = ap_u32, RUN(star.clients), .per_run = true,
     .help = "clients of the headend; `0`: the two-gateway run"},
    {.name = "clients_per_node", .group = EXP_G_STORM, QTY(UNIT_COUNT), RANGE("1", "50000"), .def = "250",
     .apply = ap_u32, RUN(star.clients_per_node), .per_run = true,
     .help = "client endpoints sharing one ns-3 node"},
    {.name = "idle", .group = EXP_G_STORM, QTY(UNIT_FRACTION), RANGE("0", "1"), .def = "0.5",
     .apply = ap_num, RUN(star.idle_fraction), .per_run = true,
     .help = "clients that send nothing: they notice a dead headend only by their own liveness check"},
    {.name = "rate_spread", .group = EXP_G_STORM, QTY(UNIT_REAL), RANGE("1", "1000"), .def = "10",
     .apply = ap_num, RUN(star.rate_spread), .per_run = true,
     .help = "an active client's rate is `traffic.0.rate` × spread^U(−1,1) (log-uniform)"},
    {.name = "handshake_cost", .group = EXP_G_STORM, QTY(UNIT_DURATION), RANGE("0s", "10s"),
     .word = "calibrated", .def = "2ms", .apply = ap_cost, RUN(star.handshake_cost_s), .per_run = true,
     .help = "headend CPU per IKE_SA_INIT: handshakes are served one at a time (0: free). `calibrated`: "
              "the responder's IKE_SA_INIT CPU for the headend's IKE suite (its first proposal's first "
              "algorithms) from the table `ikesim calibrate` measured, committed in `sim/run/calibration.c` so "
              "results do not depend on the machine running them"},
    {.name = "init_queue", .group = EXP_G_STORM, QTY(UNIT_COUNT), RANGE("1", "10000000"), .def = "1000",
     .apply = ap_u32, RUN(star.init_queue), .per_run = true,
     .help = "IKE_SA_INIT waiting for the CPU; one that finds the queue full is dropped (the client "
              "retransmits)"},
    {.name = "resume_cost", .group = EXP_G_STORM, QTY(UNIT_DURATION), RANGE("0s", "10s"),
     .word = "calibrated", .def = "calibrated", .apply = ap_cost, RUN(star.resume_cost_s), .per_run = true,
     .help = "headend CPU per IKE_SESSION_RESUME (with `resume`), queued with the IKE_SA_INIT requests. "
              "`calibrated`: the responder's CPU for one, measured like `handshake_cost` (no DH: about an "
              "eighth of an X25519 IKE_SA_INIT); 0 for a suite whose PRF the model does not resume with"},
    {.name = "per_device", .group = EXP_G_STORM, BOOLEAN, .def = "false", RUN(star.per_device),
     .per_run = true,
     .help = "rows add `blackhole_s`, `air_msgs_day`, `air_octets_day` (below)"},
};

const exp_key *exp_keys(size_t *n)
{
    *n = G_N_ELEMENTS(keys);
    return keys;
}
