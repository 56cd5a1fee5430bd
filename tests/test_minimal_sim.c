/* RFC 7815's minimal initiator in ns-3.  Sensors (one reading a minute,
 * answered) behind a headend that crashes: a minimal sensor never notices;
 * its application timeout starts a new SA exactly (K+1) reading periods
 * after the last answered reading was sent, or exactly T after the last
 * answer came; as a QCD taker it recovers from the first reading after the
 * reboot.  And a minimal gateway's run on a link, as tshark sees it: every
 * message it sends is an IKE_SA_INIT or IKE_AUTH request or a response
 * (INFORMATIONAL empty, CREATE_CHILD_SA with NO_ADDITIONAL_SAS), all of
 * them decrypted and without a malformed or warning mark. */
#include <math.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "run.h"
#include "storm.h"
#include "tshark.h"

enum { N = 12 };
static const double CRASH = 600, REBOOT = 60, PERIOD = 60;

static void sensors(sim_run_cfg *c, double horizon)
{
    sim_run_cfg_defaults(c);
    c->horizon_s = horizon;
    c->star = (sim_star_cfg){.clients = N, .clients_per_node = N, .idle_fraction = 0, .rate_spread = 1,
                             .handshake_cost_s = 0.002, .init_queue = 1000, .per_device = true};
    c->gw[0].ike.minimal = true;
    c->gw[1].establish = SIM_EST_NEVER;
    c->gw[1].ike.qcd.role = IKE_QCD_MAKER;
    c->gw[1].persist_child_map = true;
    c->traffic[0] = (sim_traffic_cfg){SIM_TRAFFIC_CONSTANT, 1 / PERIOD, 64, 1, horizon, 0, 0};
    c->script[c->n_script++] = (sim_script_ev){CRASH, SIM_ACT_CRASH, 1, 0};
    c->script[c->n_script++] = (sim_script_ev){CRASH + REBOOT, SIM_ACT_REBOOT, 1, 0};
}

static void run(const sim_run_cfg *c, sim_row *row, sim_storm_curve *cv)
{
    g_assert_cmpint(sim_storm_run(c, row, cv), ==, 0);
    g_test_message("detect %.3f (%s) recover %.3f blackhole %.3f air %.1f msgs %.0f octets per day, never %"
                   G_GUINT64_FORMAT, row->detect_s, row->detect_reason, row->recover_s, row->blackhole_s,
                   row->air_msgs_day, row->air_octets_day, row->never_recovered);
}

/* Nothing but its application could tell a minimal sensor. */
static void test_never_notices(void)
{
    sim_run_cfg c;
    sensors(&c, 1800);
    sim_row row;
    run(&c, &row, NULL);
    g_assert_cmpuint(row.missed, ==, N);
    g_assert_cmpuint(row.never_recovered, ==, N);
    g_assert_cmpfloat(row.blackhole_s, ==, 1800 - CRASH);
    g_assert_cmpuint(row.liveness_checks, ==, 0);
    g_assert_cmpstr(row.detect_reason, ==, "none");
}

static void check_timeout(uint32_t k, double t)
{
    sim_run_cfg c;
    sensors(&c, 1800);
    c.gw[0].app_unanswered = k;
    c.gw[0].app_silence_ns = (uint64_t)(t * 1e9);
    sim_row row;
    sim_storm_curve cv = {.per_client = true};
    run(&c, &row, &cv);
    g_assert_cmpstr(row.detect_reason, ==, "app_timeout");
    g_assert_cmpuint(row.never_recovered, ==, 0);
    g_assert_cmpuint(row.false_positives, ==, 0);
    for (uint32_t i = 0; i < N; i++) {
        g_assert_false(isnan(cv.answered_s[i]));
        g_assert_cmpfloat(cv.answered_s[i], >, -PERIOD);
        double want = k ? cv.answered_s[i] + (k + 1) * PERIOD : cv.answer_s[i] + t;
        g_assert_cmpfloat(fabs(cv.detect_s[i] - want), <, 1e-9); /* to the nanosecond */
        g_assert_cmpfloat(cv.recover_s[i], >, cv.detect_s[i]);
        g_assert_cmpfloat(cv.recover_s[i], <, cv.detect_s[i] + 1); /* one handshake */
    }
    sim_storm_curve_clear(&cv);
}

static void test_unanswered_readings(void) { check_timeout(3, 0); }
static void test_silence(void) { check_timeout(0, 300); }

/* A taker's SA goes when the first reading after the reboot is answered
 * with the token: within a period of the reboot. */
static void test_qcd_taker(void)
{
    sim_run_cfg c;
    sensors(&c, 1800);
    c.gw[0].ike.qcd.role = IKE_QCD_TAKER;
    sim_row row;
    sim_storm_curve cv = {.per_client = true};
    run(&c, &row, &cv);
    g_assert_cmpstr(row.detect_reason, ==, "qcd");
    g_assert_cmpuint(row.never_recovered, ==, 0);
    for (uint32_t i = 0; i < N; i++) {
        g_assert_cmpfloat(cv.detect_s[i], >, REBOOT);
        g_assert_cmpfloat(cv.detect_s[i], <, REBOOT + PERIOD + 1);
        /* the reading that met the rebooted headend: a whole number of periods after the last answered */
        double periods = (cv.detect_s[i] - cv.answered_s[i]) / PERIOD;
        g_assert_cmpfloat(periods - floor(periods), <, 1.0 / PERIOD); /* plus two one-way trips */
    }
    sim_storm_curve_clear(&cv);
}

/* A minimal gateway 0 against a full gateway 1 that checks liveness every
 * second and tries to rekey the Child SA every few seconds. */
static void test_capture(void)
{
    if (!tshark_available()) {
        g_test_skip("tshark is not installed (scripts/install-deps.sh installs it)");
        return;
    }
    GError *err = NULL;
    g_autofree char *dir = g_dir_make_tmp("ikesim-minimal-XXXXXX", &err);
    g_assert_no_error(err);
    g_autofree char *keys = g_build_filename(dir, "ikev2_decryption_table", NULL);
    sim_run_cfg c;
    sim_run_cfg_defaults(&c);
    c.horizon_s = 40;
    c.gw[0].ike.minimal = true;
    c.gw[0].ike.dpd_delay_ms = 1000; /* ignored: minimal */
    c.gw[1].establish = SIM_EST_NEVER;
    c.gw[1].ike.dpd_delay_ms = 1000;
    c.gw[1].ike.dpd_counts_esp = false;
    c.gw[1].ike.child_life = (ike_child_lifetime){5, 3600, 0}; /* refused: retried every 6-15 s */
    c.pcap_dir = dir;
    c.keylog_path = keys;
    sim_row row;
    g_assert_cmpint(sim_run(&c, &row), ==, 0);
    g_assert_cmpuint(row.liveness_checks, >=, 10);

    g_autofree char *pcap = g_build_filename(dir, "link-0-0.pcap", NULL);
    g_autofree char *bad = tshark_bad_frames(dir, pcap);
    g_assert_cmpstr(bad, ==, "");
    g_autofree char *sk = tshark_fields(dir, pcap, "isakmp.nextpayload == 46", "frame.number");
    g_autofree char *dec = tshark_fields(dir, pcap, "isakmp.enc.decrypted", "frame.number");
    g_assert_cmpstr(dec, ==, sk);
    g_autofree char *src = tshark_fields(dir, pcap, "isakmp.exchangetype == 34 && isakmp.flag_r == 0", "ip.src");
    g_assert_cmpuint(count_lines(src), ==, 1);
    g_strchomp(src);
    g_autofree char *mine = g_strdup_printf("isakmp && ip.src == %s", src);
    g_autofree char *all = tshark_fields(dir, pcap, mine, "frame.number");
    g_autofree char *f_req = g_strdup_printf("%s && isakmp.flag_r == 0 && (isakmp.exchangetype == 34 || isakmp.exchangetype == 35)", mine);
    g_autofree char *f_info = g_strdup_printf("%s && isakmp.flag_r == 1 && isakmp.exchangetype == 37", mine);
    g_autofree char *f_ccsa = g_strdup_printf(
        "%s && isakmp.flag_r == 1 && isakmp.exchangetype == 36 && isakmp.notify.msgtype == 35", mine);
    g_autofree char *req = tshark_fields(dir, pcap, f_req, "frame.number");
    g_autofree char *info = tshark_fields(dir, pcap, f_info, "frame.number");
    g_autofree char *ccsa = tshark_fields(dir, pcap, f_ccsa, "frame.number");
    g_autofree char *inner = tshark_fields(dir, pcap, f_info, "isakmp.typepayload");
    guint n_req = count_lines(req), n_info = count_lines(info), n_ccsa = count_lines(ccsa);
    g_test_message("gateway 0 sent %u IKE messages: %u requests, %u INFORMATIONAL and %u CREATE_CHILD_SA responses",
                   count_lines(all), n_req, n_info, n_ccsa);
    g_assert_cmpuint(n_req, ==, 2);
    g_assert_cmpuint(n_info, >=, 10);
    g_assert_cmpuint(n_ccsa, >=, 2);
    g_assert_cmpuint(n_req + n_info + n_ccsa, ==, count_lines(all)); /* nothing else */
    /* an empty response: the SK payload (46) and nothing inside it */
    g_auto(GStrv) lines = g_strsplit(inner, "\n", -1);
    for (guint i = 0; lines[i] && lines[i][0]; i++)
        g_assert_cmpstr(lines[i], ==, "46");
    const char *files[] = {"link-0-0.pcap", "link-0-1.pcap", "ikev2_decryption_table"};
    for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
        g_autofree char *f = g_build_filename(dir, files[i], NULL);
        g_remove(f);
    }
    g_rmdir(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/minimal-sim/never-notices", test_never_notices);
    g_test_add_func("/minimal-sim/unanswered-readings", test_unanswered_readings);
    g_test_add_func("/minimal-sim/silence", test_silence);
    g_test_add_func("/minimal-sim/qcd-taker", test_qcd_taker);
    g_test_add_func("/minimal-sim/capture", test_capture);
    return g_test_run();
}
