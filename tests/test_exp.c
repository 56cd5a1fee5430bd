/* Experiment files: how settings layer, how sweeps expand into tasks, what
 * the presets mean, and that every key is documented. */
#include <math.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "exp.h"
#include "exp_internal.h"
#include "presets.h"
#include "units.h"

static char *tmpdir;

static sim_exp *load(const char *text, const char *const *sets)
{
    g_autofree char *path = g_build_filename(tmpdir, "t.ini", NULL);
    g_assert_true(g_file_set_contents(path, text, -1, NULL));
    GError *err = NULL;
    sim_exp *e = exp_load(path, sets, &err);
    if (!e)
        g_error("%s", err->message);
    return e;
}

static void task(const sim_exp *e, size_t t, exp_run *r)
{
    GError *err = NULL;
    if (!exp_task_run(e, t, r, &err))
        g_error("%s", err->message);
}

#define HEAD "[experiment]\nname = t\nhorizon = 100s\n"

static void test_presets(void)
{
    g_assert_cmpuint(ike_retx_total_ns(&sim_liveness_find("strongswan")->retx), ==, 165060000000ull);
    g_assert_cmpuint(ike_retx_total_ns(&sim_liveness_find("libreswan")->retx), ==, 30000000000ull);
    g_assert_cmpuint(ike_retx_total_ns(&sim_liveness_find("aggressive")->retx), ==, 8125000000ull);
    g_assert_cmpint(sim_liveness_find("strongswan")->clock, ==, IKE_DPD_WHOLE_SECONDS);
    g_assert_cmpuint(sim_liveness_find("strongswan")->dpd_delay_ms, ==, 30000);
    /* every built-in method builds */
    GString *s = g_string_new(HEAD "[sweep]\nexperiment.method = custom");
    size_t n_methods = 1, reinit = 0;
    for (const sim_method *m = sim_methods; m->name; m++, n_methods++) {
        g_string_append_printf(s, ", %s", m->name);
        if (strcmp(m->name, "reinit") == 0)
            reinit = n_methods;
    }
    g_string_append_c(s, '\n');
    sim_exp *e = load(s->str, NULL);
    g_string_free(s, TRUE);
    g_assert_cmpuint(exp_n_tasks(e), ==, n_methods);
    exp_run r;
    /* reinit: gateway 1 sets the SA up again at its reboots, with INITIAL_CONTACT */
    task(e, reinit, &r);
    g_assert_cmpstr(r.method, ==, "reinit");
    g_assert_cmpint(r.cfg.gw[1].establish, ==, SIM_EST_AT_REBOOT);
    g_assert_true(r.cfg.gw[1].ike.initial_contact);
    g_assert_cmpint(r.cfg.gw[0].establish, ==, SIM_EST_AT_BOOT);
    exp_run_clear(&r);
    task(e, reinit + 1, &r);
    g_assert_cmpstr(r.method, ==, "reinit-on-traffic");
    g_assert_cmpint(r.cfg.gw[1].establish, ==, SIM_EST_ON_TRAFFIC);
    exp_run_clear(&r);
    task(e, 5, &r); /* qcd: gateway 1 maker, gateway 0 taker that checks on hints */
    g_assert_cmpstr(r.method, ==, "qcd");
    g_assert_cmpuint(r.cfg.gw[1].ike.qcd.role, ==, IKE_QCD_MAKER);
    g_assert_cmpuint(r.cfg.gw[0].ike.qcd.role, ==, IKE_QCD_TAKER);
    g_assert_true(r.cfg.gw[0].ike.hint_starts_dpd);
    g_assert_false(r.cfg.gw[1].persist_child_map);
    exp_run_clear(&r);
    task(e, 7, &r);
    g_assert_cmpstr(r.method, ==, "qcd-fast");
    g_assert_true(r.cfg.gw[1].persist_child_map);
    exp_run_clear(&r);
    exp_free(e);
}

/* Later layers win: file < method < sweep point < --set; inside a layer
 * [gateways] < [gateway.N] and presets < explicit keys, whatever the order
 * of the lines. */
static void test_layers(void)
{
    const char *text = HEAD "method = liveness-aggressive\n"
                            "[gateway.1]\ndpd_delay = 7s\n"
                            "[gateways]\ndpd_delay = 10s\nretransmit_tries = 9\nliveness = strongswan\n"
                            "[sweep]\ngateway.0.retransmit_timeout = 1500ms, 2s\n";
    sim_exp *e = load(text, NULL);
    exp_run r;
    task(e, 1, &r);
    /* the method's preset (aggressive: 5 s, 1 s, 3 tries) beat the file's keys */
    g_assert_cmpuint(r.cfg.gw[0].ike.dpd_delay_ms, ==, 5000);
    g_assert_cmpuint(r.cfg.gw[1].ike.dpd_delay_ms, ==, 5000);
    g_assert_cmpuint(r.cfg.gw[1].ike.retx.tries, ==, 3);
    /* the sweep point beat the method */
    g_assert_cmpuint(r.cfg.gw[0].ike.retx.timeout_ms, ==, 2000);
    g_assert_cmpuint(r.cfg.gw[1].ike.retx.timeout_ms, ==, 1000);
    exp_run_clear(&r);
    exp_free(e);
    /* without a method: the explicit keys beat the preset, [gateway.1] beats [gateways] */
    e = load(HEAD "[gateway.1]\ndpd_delay = 7s\n[gateways]\ndpd_delay = 10s\nliveness = strongswan\n", NULL);
    task(e, 0, &r);
    g_assert_cmpuint(r.cfg.gw[0].ike.dpd_delay_ms, ==, 10000);
    g_assert_cmpuint(r.cfg.gw[1].ike.dpd_delay_ms, ==, 7000);
    g_assert_cmpuint(r.cfg.gw[0].ike.retx.tries, ==, 5);
    exp_run_clear(&r);
    exp_free(e);
    /* --set beats the sweep in a single run, and takes the run off the grid */
    const char *sets[] = {"gateway.0.retransmit_timeout=3s", NULL};
    e = load(text, sets);
    GError *err = NULL;
    g_assert_true(exp_single_run(e, 1, &r, &err));
    g_assert_cmpuint(r.cfg.gw[0].ike.retx.timeout_ms, ==, 3000);
    g_assert_cmpint(r.task, ==, -1);
    g_assert_cmpstr(r.params[0], ==, "3");
    exp_run_clear(&r);
    /* ... but a task's point comes from the grid */
    g_assert_false(exp_check_sets_for_tasks(e, &err));
    g_assert_nonnull(strstr(err->message, "--set: gateway.0.retransmit_timeout"));
    g_clear_error(&err);
    exp_free(e);
}

static void test_grid(void)
{
    const char *text = HEAD "seeds = 1..3, 7\n[scenario]\ncrash = 1\n"
                            "[sweep]\nexperiment.method = qcd, qcd-sym\n"
                            "topology.loss = 0..0.05 step 0.01\n"
                            "scenario.crash/gateway.0.establish/gateway.1.establish = 1/at-boot/never, 0/never/at-boot\n";
    sim_exp *e = load(text, NULL);
    g_assert_cmpuint(exp_n_seeds(e), ==, 4);
    g_assert_cmpuint(exp_seed(e, 3), ==, 7);
    g_assert_cmpuint(exp_n_points(e), ==, 2 * 6 * 2);
    g_assert_cmpuint(exp_n_tasks(e), ==, 96);
    g_assert_cmpuint(exp_n_params(e), ==, 4);
    g_assert_cmpstr(exp_param_column(e, 0), ==, "topology_loss");
    g_assert_cmpstr(exp_param_column(e, 3), ==, "gateway_1_establish");
    g_autofree char *losses = exp_axis_values(e, 0), *methods = exp_axis_values(e, -1);
    g_assert_cmpstr(losses, ==, "0 0.01 0.02 0.03 0.04 0.05");
    g_assert_cmpstr(methods, ==, "qcd qcd-sym");
    /* task = point x seeds + seed index; the last axis varies fastest */
    exp_run r;
    size_t point = 1 * 12 + 3 * 2 + 1; /* qcd-sym, loss 0.03, crash 0 */
    task(e, point * 4 + 3, &r);
    g_assert_cmpstr(r.method, ==, "qcd-sym");
    g_assert_cmpuint(r.seed, ==, 7);
    g_assert_cmpfloat_with_epsilon(r.cfg.link.loss, 0.03, 1e-12);
    g_assert_cmpint(r.cfg.script[0].target, ==, 0);
    g_assert_cmpint(r.cfg.gw[0].establish, ==, SIM_EST_NEVER);
    g_assert_cmpint(r.cfg.gw[1].establish, ==, SIM_EST_AT_BOOT);
    g_assert_cmpstr(r.params[0], ==, "0.03");
    g_assert_cmpstr(r.params[1], ==, "0");
    exp_run_clear(&r);
    exp_free(e);
    e = load(HEAD "[sweep]\nscenario.crash_at = 1s..64s x2\ntopology.queue = 1..3\n", NULL);
    g_autofree char *times = exp_axis_values(e, 0), *queues = exp_axis_values(e, 1);
    g_assert_cmpstr(times, ==, "1 2 4 8 16 32 64");
    g_assert_cmpstr(queues, ==, "1 2 3");
    exp_free(e);
}

/* Randomness of the scenario comes from the seed alone, the same for every
 * point (common random numbers). */
static void test_seeded_draws(void)
{
    sim_exp *e = load(HEAD "seeds = 1, 2\n[gateways]\ndpd_clock_phase = random\n"
                           "[scenario]\ncrash = 1\ncrash_at = 30s\ncrash_jitter = 10s\nreboot_after = 5s\n"
                           "events = 60s link-down, 61s link-up, 62s loss 5%\n"
                           "[sweep]\nexperiment.method = qcd, liveness-strongswan\n",
                      NULL);
    exp_run a, b, c, a2;
    task(e, 0, &a);  /* qcd, seed 1 */
    task(e, 2, &b);  /* strongswan, seed 1 */
    task(e, 1, &c);  /* qcd, seed 2 */
    task(e, 0, &a2);
    g_assert_cmpuint(a.cfg.n_script, ==, 5);
    g_assert_cmpfloat(a.cfg.script[0].at_s, >=, 30);
    g_assert_cmpfloat(a.cfg.script[0].at_s, <, 40);
    g_assert_cmpfloat(a.cfg.script[1].at_s, ==, a.cfg.script[0].at_s + 5);
    g_assert_cmpint(a.cfg.script[1].action, ==, SIM_ACT_REBOOT);
    g_assert_cmpint(a.cfg.script[4].action, ==, SIM_ACT_LOSS);
    g_assert_cmpfloat(a.cfg.script[4].value, ==, 0.05);
    g_assert_cmpfloat(a.cfg.script[0].at_s, ==, b.cfg.script[0].at_s);
    g_assert_cmpfloat(a.cfg.script[0].at_s, !=, c.cfg.script[0].at_s);
    g_assert_cmpfloat(a.cfg.script[0].at_s, ==, a2.cfg.script[0].at_s);
    g_assert_cmpuint(a.cfg.gw[0].ike.dpd_clock_phase_ns, ==, a2.cfg.gw[0].ike.dpd_clock_phase_ns);
    g_assert_cmpuint(a.cfg.gw[0].ike.dpd_clock_phase_ns, !=, a.cfg.gw[1].ike.dpd_clock_phase_ns);
    g_assert_cmpuint(a.cfg.gw[0].ike.dpd_clock_phase_ns, <, 1000000000ull);
    exp_run_clear(&a);
    exp_run_clear(&b);
    exp_run_clear(&c);
    exp_run_clear(&a2);
    exp_free(e);
}

static void test_shipped_and_reference(void)
{
    const char *root = g_getenv("IKESIM_SOURCE_ROOT");
    if (!root) {
        g_test_skip("IKESIM_SOURCE_ROOT not set");
        return;
    }
    const char *shipped[] = {"recovery.ini", "tradeoff.ini", "asymmetric.ini", "cluster-qcd.ini", "ha-failover.ini",
                             "minimal.ini"};
    for (size_t i = 0; i < G_N_ELEMENTS(shipped); i++) {
        g_autofree char *path = g_build_filename(root, "experiments", shipped[i], NULL);
        GError *err = NULL;
        sim_exp *e = exp_load(path, NULL, &err);
        if (!e)
            g_error("%s", err->message);
        g_assert_true(exp_check_plots(e, exp_dir(e), &err));
        /* only experiments with a cluster get the HA columns */
        g_assert_cmpint(exp_has_cluster(e), ==, g_str_has_prefix(shipped[i], "cluster") || g_str_has_prefix(shipped[i], "ha"));
        exp_free(e);
    }
    g_autofree char *ref_path = g_build_filename(root, "experiments", "REFERENCE.md", NULL);
    g_autofree char *ref = NULL;
    g_assert_true(g_file_get_contents(ref_path, &ref, NULL, NULL));
    g_auto(GStrv) keys = exp_key_names();
    for (char **k = keys; *k; k++) {
        g_autofree char *quoted = g_strdup_printf("`%s`", strchr(*k, '.') + 1);
        if (!strstr(ref, quoted))
            g_error("REFERENCE.md does not document %s (expected %s)", *k, quoted);
    }
    for (const sim_method *m = sim_methods; m->name; m++) {
        g_autofree char *quoted = g_strdup_printf("`%s`", m->name);
        g_assert_nonnull(strstr(ref, quoted));
    }
}

/* REFERENCE.md's key tables are the key rows (sim/exp/exp_keys.c), printed:
 * a key added, changed or documented by hand in one place only fails here
 * (build/sim/ikesim-reference experiments/REFERENCE.md rewrites them). */
static void test_reference_tables(void)
{
    const char *root = g_getenv("IKESIM_SOURCE_ROOT");
    if (!root) {
        g_test_skip("IKESIM_SOURCE_ROOT not set");
        return;
    }
    g_autofree char *ref_path = g_build_filename(root, "experiments", "REFERENCE.md", NULL);
    g_autofree char *ref = NULL;
    g_assert_true(g_file_get_contents(ref_path, &ref, NULL, NULL));
    GError *err = NULL;
    g_autofree char *made = exp_reference_update(ref, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(made, ==, ref);
    /* and the tables do show the rows: a row's default and range */
    g_autofree char *gw = exp_reference_table(EXP_G_GATEWAY);
    g_assert_nonnull(strstr(gw, "| `replay_window` | count, 32…4096 | `64` | ESP anti-replay window |\n"));
    g_assert_nonnull(strstr(gw, "| `establish` | `at-boot`, `on-traffic`, `never`, `at-reboot` | gateway 0 `at-boot`, gateway 1 `never` |"));
    /* a table edited by hand is caught */
    g_autofree char *edited = g_strdup(ref);
    char *at = strstr(edited, "| `replay_window` | count, 32…4096 | `64`");
    g_assert_nonnull(at);
    memcpy(strstr(at, "`64`"), "`32`", 4);
    g_autofree char *again = exp_reference_update(edited, &err);
    g_assert_cmpstr(again, !=, edited);
    g_assert_cmpstr(again, ==, ref);
}

/* Every run starts from the rows' defaults, and they are the model's and
 * the gateway's own defaults where those exist. */
static void test_defaults_from_rows(void)
{
    sim_exp *e = load(HEAD, NULL);
    exp_run r;
    task(e, 0, &r);
    sim_gw_cfg want;
    sim_gw_cfg_defaults(&want);
    const ike_cfg *ike = &r.cfg.gw[0].ike;
    g_assert_cmpuint(ike->retx.timeout_ms, ==, want.ike.retx.timeout_ms);
    g_assert_cmpfloat(ike->retx.base, ==, want.ike.retx.base);
    g_assert_cmpuint(ike->retx.tries, ==, want.ike.retx.tries);
    g_assert_cmpuint(ike->half_open_ms, ==, want.ike.half_open_ms);
    g_assert_cmpfloat(ike->qcd.maker_rate, ==, want.ike.qcd.maker_rate);
    g_assert_cmpfloat(ike->hint_burst, ==, want.ike.hint_burst);
    g_assert_cmpfloat(ike->unknown_spi_rate, ==, want.ike.unknown_spi_rate);
    g_assert_true(ike->dpd_counts_esp == want.ike.dpd_counts_esp && ike->initial_contact == want.ike.initial_contact);
    g_assert_cmpuint(r.cfg.gw[0].esp.window, ==, want.esp.window);
    g_assert_cmpint(r.cfg.gw[0].establish, ==, SIM_EST_AT_BOOT);
    g_assert_cmpint(r.cfg.gw[1].establish, ==, SIM_EST_NEVER);
    g_assert_cmpuint(r.cfg.standby.members, ==, 2);
    g_assert_cmpfloat(r.cfg.standby.sync_interval_s, ==, 1);
    g_assert_cmpuint(r.cfg.star.clients_per_node, ==, 250);
    g_assert_cmpstr(r.method, ==, "custom");
    exp_run_clear(&r);
    exp_free(e);
}

/* [cluster] keys land in the run's cluster configuration; the layers
 * apply to them as to any key. */
static void test_cluster_keys(void)
{
    sim_exp *e = load(HEAD "[scenario]\nstandby = shared-secret\n[cluster]\nmembers = 3\nha = rfc6311\n"
                           "heartbeat = 500ms\nheartbeat_timeout = 2s\nsync_interval = off\nsync_packets = 100\n"
                           "sync_loss = 10%\nesp_jump = 4096\nrx_policy = strict\nsync_trigger = traffic\n"
                           "replicate_sync = false\n[sweep]\ncluster.ha = replicate, rfc6311\n",
                      NULL);
    exp_run r;
    task(e, 1, &r);
    const sim_standby_cfg *c = &r.cfg.standby;
    g_assert_true(c->enabled);
    g_assert_cmpuint(c->members, ==, 3);
    g_assert_cmpint(c->ha, ==, SIM_HA_RFC6311);
    g_assert_cmpfloat(c->heartbeat_s, ==, 0.5);
    g_assert_cmpfloat(c->heartbeat_timeout_s, ==, 2);
    g_assert_cmpfloat(c->sync_interval_s, ==, 0);
    g_assert_cmpuint(c->sync_packets, ==, 100);
    g_assert_cmpfloat(c->sync_loss, ==, 0.1);
    g_assert_false(c->esp_jump_auto);
    g_assert_cmpuint(c->esp_jump, ==, 4096);
    g_assert_true(c->rx_strict);
    g_assert_cmpint(c->sync_trigger, ==, SIM_SYNC_ON_TRAFFIC);
    g_assert_false(c->replicate_sync);
    g_assert_cmpstr(exp_param_column(e, 0), ==, "cluster_ha");
    exp_run_clear(&r);
    task(e, 0, &r);
    g_assert_cmpint(r.cfg.standby.ha, ==, SIM_HA_REPLICATE);
    exp_run_clear(&r);
    g_assert_true(exp_has_cluster(e));
    exp_free(e);
    /* the defaults: two members, every second, automatic jump, sync values replicated */
    e = load(HEAD "[scenario]\nstandby = own-secret\n", NULL);
    task(e, 0, &r);
    g_assert_cmpuint(r.cfg.standby.members, ==, 2);
    g_assert_cmpfloat(r.cfg.standby.sync_interval_s, ==, 1);
    g_assert_true(r.cfg.standby.esp_jump_auto);
    g_assert_true(r.cfg.standby.replicate_sync);
    g_assert_cmpfloat(r.cfg.standby.heartbeat_s, ==, 0);
    exp_run_clear(&r);
    exp_free(e);
}

/* Reauthentication: whole seconds, strongSwan's default random part (a
 * tenth), the mode; the runs then get the reauthentication columns. */
static void test_reauth_keys(void)
{
    sim_exp *e = load(HEAD "[gateway.0]\nreauth_time = 30s\n[gateway.1]\nreauth_time = 1h\nreauth_rand_time = 0s\n"
                           "reauth_mode = mbb\n",
                      NULL);
    exp_run r;
    task(e, 0, &r);
    g_assert_cmpuint(r.cfg.gw[0].ike.ike_life.reauth_s, ==, 30);
    g_assert_cmpuint(r.cfg.gw[0].ike.ike_life.rand_s, ==, 3);
    g_assert_cmpint(r.cfg.gw[0].ike.reauth_mode, ==, IKE_REAUTH_BBM);
    g_assert_cmpuint(r.cfg.gw[1].ike.ike_life.reauth_s, ==, 3600);
    g_assert_cmpuint(r.cfg.gw[1].ike.ike_life.rand_s, ==, 0);
    g_assert_cmpint(r.cfg.gw[1].ike.reauth_mode, ==, IKE_REAUTH_MBB);
    g_assert_true(exp_reauthenticates(e));
    exp_run_clear(&r);
    exp_free(e);
    e = load(HEAD, NULL); /* off by default */
    task(e, 0, &r);
    g_assert_cmpuint(r.cfg.gw[0].ike.ike_life.reauth_s, ==, 0);
    g_assert_cmpuint(r.cfg.gw[1].ike.ike_life.reauth_s, ==, 0);
    g_assert_false(exp_reauthenticates(e));
    exp_run_clear(&r);
    exp_free(e);
}

/* The first run of an experiment text. */
static void first_run(const char *text, exp_run *r)
{
    sim_exp *e = load(text, NULL);
    task(e, 0, r);
    exp_free(e);
}

static void assert_lifetimes(const ike_cfg *ike, uint32_t child_rekey, uint32_t child_rand, uint32_t child_life,
                             uint32_t ike_rekey, uint32_t ike_rand, uint32_t over)
{
    g_assert_cmpuint(ike->child_life.rekey_s, ==, child_rekey);
    g_assert_cmpuint(ike->child_life.rand_s, ==, child_rand);
    g_assert_cmpuint(ike->child_life.life_s, ==, child_life);
    g_assert_cmpuint(ike->ike_life.rekey_s, ==, ike_rekey);
    g_assert_cmpuint(ike->ike_life.rand_s, ==, ike_rand);
    g_assert_cmpuint(ike->ike_life.over_s, ==, over);
}

/* The strongSwan liveness preset is strongSwan as deployed: its 5.9.8
 * lifetimes come with it (Child SA 3600/360/3960 s, IKE SA 14400 s, random
 * part and over_time 1440 s) for every lifetime key no setting gives, in
 * any layer; `lifetimes` (either value) or a key of its own wins; other
 * presets have none. */
static void test_strongswan_lifetimes(void)
{
    exp_run r;
    first_run(HEAD "[gateway.0]\nliveness = strongswan\n[gateway.1]\nliveness = aggressive\n", &r);
    assert_lifetimes(&r.cfg.gw[0].ike, 3600, 360, 3960, 14400, 1440, 1440);
    assert_lifetimes(&r.cfg.gw[1].ike, 0, 0, 0, 0, 0, 0);
    exp_run_clear(&r);
    /* lifetimes = none in the file, the preset from the method (a later layer): none */
    first_run(HEAD "method = liveness-strongswan\n[gateways]\nlifetimes = none\n", &r);
    g_assert_cmpstr(r.method, ==, "liveness-strongswan");
    assert_lifetimes(&r.cfg.gw[0].ike, 0, 0, 0, 0, 0, 0);
    assert_lifetimes(&r.cfg.gw[1].ike, 0, 0, 0, 0, 0, 0);
    exp_run_clear(&r);
    /* a key given keeps its value, the rest comes with the preset; over_time
     * and the random part follow strongSwan's rules with the longer reauth_time */
    first_run(HEAD "method = liveness-strongswan\n[gateway.1]\nchild_rekey_time = 600s\nreauth_time = 20h\n", &r);
    assert_lifetimes(&r.cfg.gw[0].ike, 3600, 360, 3960, 14400, 1440, 1440);
    assert_lifetimes(&r.cfg.gw[1].ike, 600, 360, 3960, 14400, 7200, 7200);
    exp_run_clear(&r);
    /* the lifetime preset alone, and the default: none */
    first_run(HEAD "[gateways]\nlifetimes = strongswan\n", &r);
    assert_lifetimes(&r.cfg.gw[1].ike, 3600, 360, 3960, 14400, 1440, 1440);
    exp_run_clear(&r);
    first_run(HEAD, &r);
    assert_lifetimes(&r.cfg.gw[0].ike, 0, 0, 0, 0, 0, 0);
    exp_run_clear(&r);
}

/* Scripts that make sense load: a gateway crashed and rebooted twice, the
 * link cut and healed twice, a forger started, sped up and stopped, events
 * written out of time order, and a three-member cluster that fails over
 * twice (each crash takes down the member holding the address). */
static void test_meaningful_scripts(void)
{
    sim_exp *e = load(HEAD "[scenario]\ncrash = 1\ncrash_at = 10s\nreboot_after = 5s\n"
                           "events = 40s reboot 1, 30s crash 1, 20s link-down, 21s link-up, 50s link-down, "
                           "51s link-up, 5s forge 0 10/s, 6s forge 0 100/s, 7s forge 0 0/s, 8s forge 0 1/s\n",
                      NULL);
    exp_run r;
    task(e, 0, &r);
    g_assert_cmpuint(r.cfg.n_script, ==, 12);
    exp_run_clear(&r);
    exp_free(e);
    e = load(HEAD "[scenario]\nstandby = shared-secret\ncrash = 1\ncrash_at = 10s\n"
                  "events = 20s crash 1, 30s reboot 1, 31s member-links-down, 40s member-links-up\n"
                  "[cluster]\nmembers = 3\n",
             NULL);
    task(e, 0, &r);
    g_assert_cmpuint(r.cfg.n_script, ==, 5);
    exp_run_clear(&r);
    exp_free(e);
}

/* Every quantity key has an upper bound in the key table: twice the
 * bound plus one is refused naming --set, the key and the range; the
 * bound itself passes the range check (other checks may still apply). */
static void test_bounds(void)
{
    g_autofree char *path = g_build_filename(tmpdir, "t.ini", NULL);
    g_assert_true(g_file_set_contents(path, HEAD, -1, NULL));
    g_auto(GStrv) keys = exp_key_names();
    size_t checked = 0;
    for (char **k = keys; *k; k++) {
        const char *min, *max;
        int unit;
        if (!exp_key_range(*k, &min, &max, &unit))
            continue;
        double hi;
        g_assert_true(unit_parse(unit, max, &hi));
        g_assert_cmpfloat(hi, <, 1e13); /* a bound no experiment reaches, but a bound */
        if (unit == UNIT_FRACTION)
            continue; /* above 1 is no fraction at all */
        g_autofree char *range = g_strdup_printf("--set: %s: expected %s to %s", *k, min, max);
        for (int beyond = 0; beyond < 2; beyond++) {
            g_autofree char *v = unit_format(unit, beyond ? 2 * hi + 1 : hi);
            g_autofree char *set = g_strdup_printf("%s=%s", *k, v);
            const char *sets[] = {set, NULL};
            GError *err = NULL;
            sim_exp *e = exp_load(path, sets, &err);
            g_test_message("%s: %s", set, err ? err->message : "loads");
            if (beyond) {
                g_assert_null(e);
                g_assert_true(g_str_has_prefix(err->message, range));
            } else if (err) {
                g_assert_null(strstr(err->message, range));
            }
            exp_free(e);
            g_clear_error(&err);
        }
        checked++;
    }
    g_assert_cmpuint(checked, >=, 50);
}

/* Runs too big to be useful: each refused before it starts, with the key to blame. */
static void test_size_estimate(void)
{
    g_autofree char *path = g_build_filename(tmpdir, "t.ini", NULL);
    g_assert_true(g_file_set_contents(path, HEAD "[traffic]\nrate = 100000pps\n", -1, NULL));
    GError *err = NULL;
    g_autofree char *want = g_strdup_printf("%s:5: traffic.rate: a run would take about 7.9e+07 simulator events "
                                            "(and 668.2 MiB of memory), more than experiment.max_events = 10000000 "
                                            "allows",
                                            path);
    const char *lower[] = {"experiment.max_events=1e7", NULL};
    g_assert_null(exp_load(path, lower, &err));
    g_test_message("%s", err->message);
    g_assert_true(g_str_has_prefix(err->message, want));
    g_clear_error(&err);
    /* the same run is allowed when the limit is raised */
    const char *raised[] = {"experiment.max_events=1e8", NULL};
    sim_exp *e = exp_load(path, raised, &err);
    g_assert_no_error(err);
    exp_run r;
    task(e, 0, &r);
    g_assert_cmpuint(r.cfg.max_events, ==, 100000000);
    exp_run_clear(&r);
    exp_free(e);
    /* memory alone */
    const char *small[] = {"experiment.max_memory=100MiB", NULL};
    g_assert_null(exp_load(path, small, &err));
    g_assert_nonnull(strstr(err->message, "traffic.rate: a run would take about 668.2 MiB of memory, more than "
                                          "experiment.max_memory = 100.0 MiB allows"));
    g_clear_error(&err);
    /* a forger, a cluster's heartbeats: blamed by name */
    g_assert_true(g_file_set_contents(path, HEAD "[scenario]\nevents = 1s forge 0 1000000/s\n", -1, NULL));
    g_assert_null(exp_load(path, NULL, &err));
    g_assert_nonnull(strstr(err->message, ":5: scenario.events: a run would take about 4e+08 simulator events"));
    g_clear_error(&err);
    g_assert_true(g_file_set_contents(path, HEAD "[scenario]\nstandby = shared-secret\n[cluster]\n"
                                                 "heartbeat = 1us\nheartbeat_timeout = 1ms\n[traffic]\npattern = none\n",
                                      -1, NULL));
    g_assert_null(exp_load(path, NULL, &err));
    g_assert_nonnull(strstr(err->message, ":7: cluster.heartbeat: a run would take about 6e+08 simulator events"));
    g_clear_error(&err);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    tmpdir = g_dir_make_tmp("ikesim-exp-XXXXXX", NULL);
    g_test_add_func("/exp/presets", test_presets);
    g_test_add_func("/exp/bounds", test_bounds);
    g_test_add_func("/exp/size-estimate", test_size_estimate);
    g_test_add_func("/exp/meaningful-scripts", test_meaningful_scripts);
    g_test_add_func("/exp/layers", test_layers);
    g_test_add_func("/exp/grid", test_grid);
    g_test_add_func("/exp/seeded-draws", test_seeded_draws);
    g_test_add_func("/exp/shipped-and-reference", test_shipped_and_reference);
    g_test_add_func("/exp/cluster-keys", test_cluster_keys);
    g_test_add_func("/exp/reauth-keys", test_reauth_keys);
    g_test_add_func("/exp/strongswan-lifetimes", test_strongswan_lifetimes);
    g_test_add_func("/exp/reference-tables", test_reference_tables);
    g_test_add_func("/exp/defaults-from-rows", test_defaults_from_rows);
    int rc = g_test_run();
    g_autofree char *t = g_build_filename(tmpdir, "t.ini", NULL);
    g_remove(t);
    g_rmdir(tmpdir);
    return rc;
}
