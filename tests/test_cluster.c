/* The load-sharing attack on QCD (RFC 6290 §9.2): gateway 1 is two active
 * members sharing the QCD secret.  A prober replays the peer's protected
 * request to the second member and forwards its clear-text answer.
 * Without cluster-wide knowledge of live SAs that answer carries a valid
 * token and the peer deletes an SA alive on the first member; with it, the
 * member withholds the token. */
#include <glib.h>

#include "run.h"

static sim_row attack(bool knowledge, bool needs_request)
{
    sim_run_cfg c;
    sim_run_cfg_defaults(&c);
    c.horizon_s = 60;
    c.traffic[0].kind = c.traffic[1].kind = SIM_TRAFFIC_NONE;
    c.gw[0].ike.qcd.role = IKE_QCD_TAKER;
    c.gw[0].ike.qcd.taker_needs_request = needs_request;
    c.gw[0].ike.dpd_delay_ms = 5000; /* the requests the prober observes */
    c.gw[1].ike.qcd.role = IKE_QCD_MAKER;
    c.gw[1].establish = SIM_EST_NEVER;
    c.standby = (sim_standby_cfg){.enabled = true, .share_secret = true, .load_sharing = true,
                                  .cluster_knowledge = knowledge};
    c.script[c.n_script++] = (sim_script_ev){20.0, SIM_ACT_PROBE, 1, 0};
    sim_row r;
    g_assert_cmpint(sim_run(&c, &r), ==, 0);
    g_test_message("knowledge=%d needs_request=%d: probes %" G_GUINT64_FORMAT ", tokens in clear %"
                   G_GUINT64_FORMAT ", false positives %" G_GUINT64_FORMAT,
                   knowledge, needs_request, r.probes, r.tokens_in_clear, r.false_positives);
    g_assert_cmpuint(r.probes, ==, 1);
    return r;
}

static void test_prober_without_knowledge(void)
{
    sim_row r = attack(false, false);
    g_assert_cmpuint(r.tokens_in_clear, ==, 1);
    g_assert_cmpuint(r.false_positives, ==, 1);
    /* the "own request outstanding" guard does not help: the prober's path
     * is shorter, so its answer arrives while the peer's request is out */
    r = attack(false, true);
    g_assert_cmpuint(r.false_positives, ==, 1);
}

static void test_prober_with_knowledge(void)
{
    sim_row r = attack(true, false);
    g_assert_cmpuint(r.tokens_in_clear, ==, 0);
    g_assert_cmpuint(r.false_positives, ==, 0);
}

static void test_prober_needs_a_cluster(void)
{
    sim_run_cfg c;
    sim_run_cfg_defaults(&c);
    c.script[c.n_script++] = (sim_script_ev){20.0, SIM_ACT_PROBE, 1, 0};
    sim_row r;
    g_assert_cmpint(sim_run(&c, &r), <, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cluster/prober-without-knowledge", test_prober_without_knowledge);
    g_test_add_func("/cluster/prober-with-knowledge", test_prober_with_knowledge);
    g_test_add_func("/cluster/prober-needs-a-cluster", test_prober_needs_a_cluster);
    return g_test_run();
}
