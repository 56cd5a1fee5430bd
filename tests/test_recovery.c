/* Crash runs in ns-3: the detection and recovery facts of QCD and of
 * liveness checks alone, false positives on a lossy link, and determinism.
 * Gateway 0 survives; gateway 1 crashes. */
#include <math.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "run.h"
#include "tshark.h"

#define MS 1000000ull
#define SEC 1000000000ull

typedef struct {
    GArray *checks[2];  /* LIVENESS_SENT times */
    GArray *answers[2]; /* LIVENESS_ANSWERED times */
    guint qcd_answers;
    guint rekeyed[2];   /* CHILD_REKEYED */
    uint16_t qcd_notify; /* of the last QCD_ANSWERED: INVALID_SPI on the fast path */
} trace_log;

static void trace(void *arg, int gw, const ike_event *ev)
{
    trace_log *t = arg;
    if (ev->type == IKE_EV_LIVENESS_SENT)
        g_array_append_val(t->checks[gw], ev->now);
    if (ev->type == IKE_EV_LIVENESS_ANSWERED)
        g_array_append_val(t->answers[gw], ev->now);
    if (ev->type == IKE_EV_QCD_ANSWERED) {
        t->qcd_answers++;
        t->qcd_notify = ev->notify;
    }
    if (ev->type == IKE_EV_CHILD_REKEYED)
        t->rekeyed[gw]++;
}

static void trace_init(trace_log *t)
{
    memset(t, 0, sizeof *t);
    for (int i = 0; i < 2; i++) {
        t->checks[i] = g_array_new(FALSE, FALSE, sizeof(uint64_t));
        t->answers[i] = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    }
}

static void trace_free(trace_log *t)
{
    for (int i = 0; i < 2; i++) {
        g_array_free(t->checks[i], TRUE);
        g_array_free(t->answers[i], TRUE);
    }
}

static void crash_cfg(sim_run_cfg *c, double crash_s, double reboot_after_s)
{
    sim_run_cfg_defaults(c);
    c->gw[1].establish = SIM_EST_NEVER; /* the crashed side never initiates */
    c->script[c->n_script++] = (sim_script_ev){crash_s, SIM_ACT_CRASH, 1, 0};
    if (reboot_after_s >= 0)
        c->script[c->n_script++] = (sim_script_ev){crash_s + reboot_after_s, SIM_ACT_REBOOT, 1, 0};
}

static uint64_t last_before(GArray *a, uint64_t t)
{
    uint64_t best = 0;
    for (guint i = 0; i < a->len; i++)
        if (g_array_index(a, uint64_t, i) < t)
            best = g_array_index(a, uint64_t, i);
    return best;
}

static uint64_t first_after(GArray *a, uint64_t t)
{
    for (guint i = 0; i < a->len; i++)
        if (g_array_index(a, uint64_t, i) >= t)
            return g_array_index(a, uint64_t, i);
    return 0;
}

/* Liveness only, no traffic, exact idle timer, no jitter: the first check
 * after the crash goes out dpd_delay after the last answer, and the SA dies
 * exactly the schedule's total (165.06 s) later. */
static void test_liveness_detection_exact(void)
{
    sim_run_cfg c;
    crash_cfg(&c, 25.0, -1);
    c.traffic[0].kind = c.traffic[1].kind = SIM_TRAFFIC_NONE;
    c.gw[0].ike.dpd_delay_ms = 10000;
    c.gw[0].reinitiate_on_dead = false;
    trace_log t;
    trace_init(&t);
    c.trace = trace;
    c.trace_arg = &t;
    sim_row row;
    g_assert_cmpint(sim_run(&c, &row), ==, 0);
    uint64_t crash = 25 * SEC;
    uint64_t last_answer = last_before(t.answers[0], crash);
    uint64_t check = first_after(t.checks[0], crash);
    g_assert_cmpuint(last_answer, >, 0);
    g_assert_cmpuint(check, ==, last_answer + 10 * SEC);
    g_assert_cmpstr(row.detect_reason, ==, "liveness");
    g_assert_cmpuint((uint64_t)llround(row.detect_s * 1e9), ==, check + 165060 * MS - crash);
    g_assert_cmpuint(row.missed, ==, 0);
    g_assert_cmpuint(row.false_positives, ==, 0);
    trace_free(&t);
}

/* strongSwan's whole-second bookkeeping: the same, to the tick of its
 * DPD job (which re-arms from whole seconds). */
static void test_liveness_detection_whole_seconds(void)
{
    sim_run_cfg c;
    crash_cfg(&c, 25.0, -1);
    c.traffic[0].kind = c.traffic[1].kind = SIM_TRAFFIC_NONE;
    c.gw[0].ike.dpd_delay_ms = 10000;
    c.gw[0].ike.dpd_clock = IKE_DPD_WHOLE_SECONDS;
    c.gw[0].ike.dpd_clock_phase_ns = 700 * MS;
    c.gw[0].reinitiate_on_dead = false;
    trace_log t;
    trace_init(&t);
    c.trace = trace;
    c.trace_arg = &t;
    sim_row row;
    g_assert_cmpint(sim_run(&c, &row), ==, 0);
    uint64_t crash = 25 * SEC;
    uint64_t prev_check = last_before(t.checks[0], crash), check = first_after(t.checks[0], crash);
    /* while the peer answers, checks are strictly periodic; after the crash
     * the first check is the previous one + dpd_delay */
    g_assert_cmpuint(check, ==, prev_check + 10 * SEC);
    g_assert_cmpuint((uint64_t)llround(row.detect_s * 1e9), ==, check + 165060 * MS - crash);
    trace_free(&t);
}

static void qcd_roles(sim_run_cfg *c, bool fast_path)
{
    c->gw[0].ike.qcd.role = IKE_QCD_TAKER;
    c->gw[0].ike.hint_starts_dpd = true;
    c->gw[0].ike.dpd_delay_ms = 30000;
    c->gw[1].ike.qcd.role = IKE_QCD_MAKER;
    c->gw[1].persist_child_map = fast_path;
}

/* One round trip over the link: 2 x 10 ms plus serialisation of two small
 * frames at 100 Mbit/s (well under 0.5 ms). */
#define RTT_MAX 0.0205

static void test_qcd_detection_bounds(void)
{
    const double crash = 30.0, reboot = 20.0, interval = 0.1; /* 10 packets/s */
    for (int fast = 0; fast <= 1; fast++) {
        sim_run_cfg c;
        crash_cfg(&c, crash, reboot);
        qcd_roles(&c, fast);
        trace_log t;
        trace_init(&t);
        c.trace = trace;
        c.trace_arg = &t;
        sim_row row;
        g_assert_cmpint(sim_run(&c, &row), ==, 0);
        g_test_message("fast=%d detect %.4f s, recover %.4f s", fast, row.detect_s, row.recover_s);
        g_assert_cmpstr(row.detect_reason, ==, "qcd");
        g_assert_cmpfloat(row.detect_s, >, reboot);
        g_assert_cmpfloat(row.detect_s, <=, reboot + interval + (fast ? 1 : 2) * RTT_MAX);
        g_assert_cmpuint(t.qcd_answers, ==, 1);
        g_assert_cmpuint(row.tokens_in_clear, ==, 1); /* the token's one clear-text use */
        /* traffic flows again both ways over a new SA soon after */
        g_assert_false(isnan(row.recover_s));
        g_assert_cmpfloat(row.recover_s, <, row.detect_s + 1.0);
        g_assert_cmpuint(row.false_positives, ==, 0);
        g_assert_cmpuint(row.missed, ==, 0);
        trace_free(&t);
    }
}

/* The persisted child-SPI map follows Child SA rekeys: after the survivor
 * rekeyed twice (at 10 s and 20 s), the rebooted maker still finds the
 * SPI the survivor sends on and answers its first ESP with INVALID_SPI
 * and tokens (one round trip, as without rekeys). */
static void test_qcd_fast_path_after_rekeys(void)
{
    const double crash = 30.0, reboot = 20.0, interval = 0.1;
    sim_run_cfg c;
    crash_cfg(&c, crash, reboot);
    qcd_roles(&c, true);
    c.gw[0].ike.child_life = (ike_child_lifetime){10, 0, 0};
    trace_log t;
    trace_init(&t);
    c.trace = trace;
    c.trace_arg = &t;
    sim_row row;
    g_assert_cmpint(sim_run(&c, &row), ==, 0);
    g_test_message("detect %.4f s, rekeys %u/%u", row.detect_s, t.rekeyed[0], t.rekeyed[1]);
    g_assert_cmpuint(t.rekeyed[1], >=, 2); /* the maker answered two rekeys before the crash */
    g_assert_cmpstr(row.detect_reason, ==, "qcd");
    g_assert_cmpuint(t.qcd_answers, ==, 1);
    g_assert_cmpuint(t.qcd_notify, ==, IKE_N_INVALID_SPI); /* the tokens came with the ESP's answer */
    g_assert_cmpfloat(row.detect_s, >, reboot);
    g_assert_cmpfloat(row.detect_s, <=, reboot + interval + RTT_MAX);
    g_assert_cmpuint(row.tokens_in_clear, ==, 1);
    g_assert_cmpuint(row.false_positives, ==, 0);
    trace_free(&t);
}

/* The crashed side is no maker: QCD cannot help, detection falls back to
 * liveness timing. */
static void test_qcd_needs_maker_on_crashed_side(void)
{
    sim_run_cfg c;
    crash_cfg(&c, 30.0, 20.0);
    qcd_roles(&c, false);
    c.gw[1].ike.qcd.role = IKE_QCD_TAKER; /* swapped: the survivor makes tokens */
    c.gw[0].ike.qcd.role = IKE_QCD_MAKER;
    c.traffic[1].kind = SIM_TRAFFIC_NONE; /* one-way: survivor -> crashed side */
    sim_row row;
    g_assert_cmpint(sim_run(&c, &row), ==, 0);
    g_assert_cmpstr(row.detect_reason, ==, "liveness");
    g_assert_cmpfloat(row.detect_s, >, 165.0);
}

static void test_same_seed_same_row(void)
{
    sim_run_cfg c;
    crash_cfg(&c, 30.0, 20.0);
    qcd_roles(&c, false);
    c.link.loss = 0.05;
    c.horizon_s = 120;
    c.traffic[0].kind = c.traffic[1].kind = SIM_TRAFFIC_POISSON;
    sim_row a, b, other;
    g_assert_cmpint(sim_run(&c, &a), ==, 0);
    g_assert_cmpint(sim_run(&c, &b), ==, 0);
    c.seed = 2;
    g_assert_cmpint(sim_run(&c, &other), ==, 0);
    a.wall_s = b.wall_s = other.wall_s = 0;
    g_assert_cmpmem(&a, sizeof a, &b, sizeof b);
    g_assert_true(memcmp(&a, &other, sizeof a) != 0);
}

/* Lossy link, no crash: a check fails when every one of its k transmissions
 * loses the request or the answer, so the false-positive fraction per check
 * is (1 - (1 - p)^2)^k. */
static void test_false_positives_binomial(void)
{
    sim_run_cfg c;
    sim_run_cfg_defaults(&c);
    const double p = 0.3;
    const int k = 3; /* the first send and two retransmissions */
    c.link.loss = p;
    c.horizon_s = 3000;
    c.traffic[0].kind = c.traffic[1].kind = SIM_TRAFFIC_NONE;
    c.gw[1].establish = SIM_EST_NEVER;
    c.gw[0].ike.dpd_delay_ms = 1000;
    c.gw[0].ike.retx = (ike_retx){100, 1.0, (uint32_t)(k - 1), 0, 0};
    c.gw[1].ike.retx = c.gw[0].ike.retx;
    sim_row row;
    g_assert_cmpint(sim_run(&c, &row), ==, 0);
    double q = pow(1 - (1 - p) * (1 - p), k), n = (double)row.liveness_checks;
    double half = 2.5758 * sqrt(n * q * (1 - q));
    g_test_message("%" G_GUINT64_FORMAT " checks, %" G_GUINT64_FORMAT " false positives (expect %.1f +- %.1f)",
                   row.liveness_checks, row.false_positives, n * q, half);
    g_assert_cmpfloat(n, >, 1000);
    g_assert_cmpfloat(row.false_positives, >=, n * q - half);
    g_assert_cmpfloat(row.false_positives, <=, n * q + half);
}

/* The capture of a QCD crash run: clean for tshark, the token encrypted in
 * IKE_AUTH and in the clear after INVALID_IKE_SPI. */
static void test_qcd_capture_tshark(void)
{
    GError *err = NULL;
    g_autofree char *dir = g_dir_make_tmp("ikesim-qcd-XXXXXX", &err);
    g_assert_no_error(err);
    g_autofree char *keys = g_build_filename(dir, "ikev2_decryption_table", NULL);
    g_autofree char *esp_keys = g_build_filename(dir, "esp_sa", NULL);
    sim_run_cfg c;
    crash_cfg(&c, 5.0, 5.0);
    qcd_roles(&c, false);
    c.horizon_s = 15;
    c.pcap_dir = dir;
    c.keylog_path = keys;
    c.esp_keylog_path = esp_keys;
    sim_row row;
    g_assert_cmpint(sim_run(&c, &row), ==, 0);
    g_assert_cmpstr(row.detect_reason, ==, "qcd");
    if (tshark_available()) {
        g_autofree char *pcap = g_build_filename(dir, "link-0-0.pcap", NULL);
        g_autofree char *bad = tshark_bad_frames(dir, pcap);
        g_assert_cmpstr(bad, ==, "");
        /* two IKE SAs (before and after the crash), each with an IKE_AUTH
         * token from the maker, and the one token answer in the clear */
        g_autofree char *auth = tshark_fields(dir, pcap, "isakmp.notify.msgtype == 16419 && isakmp.exchangetype == 35",
                                       "isakmp.exchangetype");
        g_assert_cmpstr(auth, ==, "35\n35\n");
        g_autofree char *clear = tshark_fields(dir, pcap, "isakmp.notify.msgtype == 16419 && isakmp.notify.msgtype == 4",
                                        "isakmp.nextpayload");
        g_assert_true(g_str_has_prefix(clear, "41")); /* N, not SK: unprotected */
        /* ESP from both sides, before and after the crash: every packet's
         * ICV checks and it decrypts to the inner IPv4/UDP packet (port 9)
         * carrying flow, sequence and send time */
        g_autofree char *esp = tshark_fields(dir, pcap, "esp", "frame.number");
        g_autofree char *good = tshark_fields(dir, pcap, "esp && esp.icv_good", "frame.number");
        g_autofree char *inner = tshark_fields(dir, pcap, "esp && udp.dstport == 9", "frame.number");
        g_assert_cmpuint(count_lines(esp), >, 100);
        g_assert_cmpstr(good, ==, esp);
        g_assert_cmpstr(inner, ==, esp);
    } else {
        g_test_skip("tshark is not installed (scripts/install-deps.sh installs it): capture not checked");
    }
    const char *files[] = {"link-0-0.pcap", "link-0-1.pcap", "ikev2_decryption_table", "esp_sa"};
    for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
        g_autofree char *f = g_build_filename(dir, files[i], NULL);
        g_remove(f);
    }
    g_rmdir(dir);
}

/* An attacker who knows the SPIs forges 100,000 QCD answers with random
 * tokens: not one SA is deleted, and the liveness checks the hints start
 * stay within their rate limit (one per second). */
static void test_forged_tokens(void)
{
    sim_run_cfg c;
    sim_run_cfg_defaults(&c);
    c.horizon_s = 120;
    qcd_roles(&c, false);
    c.gw[0].ike.dpd_delay_ms = 0; /* every check is started by a hint */
    c.gw[1].establish = SIM_EST_NEVER;
    c.script[c.n_script++] = (sim_script_ev){10.0, SIM_ACT_FORGE, 0, 1000};
    c.script[c.n_script++] = (sim_script_ev){110.0, SIM_ACT_FORGE, 0, 0};
    sim_row row;
    g_assert_cmpint(sim_run(&c, &row), ==, 0);
    g_test_message("%" G_GUINT64_FORMAT " forged, %" G_GUINT64_FORMAT " liveness checks, %" G_GUINT64_FORMAT
                   " false positives", row.forged, row.liveness_checks, row.false_positives);
    g_assert_cmpuint(row.forged, ==, 100000);
    g_assert_cmpuint(row.false_positives, ==, 0);
    g_assert_cmpuint(row.liveness_checks, >=, 50);
    g_assert_cmpuint(row.liveness_checks, <=, 101);
}

/* Gateway 1 as a hot-standby pair without state replication: after the
 * takeover the standby knows no SA.  Sharing the QCD secret, it answers
 * the survivor's check with a valid token; with its own secret, the token
 * fails and detection falls back to liveness. */
static void test_hot_standby(void)
{
    const double takeover = 3.0;
    for (int share = 1; share >= 0; share--) {
        sim_run_cfg c;
        crash_cfg(&c, 30.0, -1);
        qcd_roles(&c, false);
        c.standby = (sim_standby_cfg){.enabled = true, .share_secret = share, .takeover_s = takeover};
        sim_row row;
        g_assert_cmpint(sim_run(&c, &row), ==, 0);
        g_test_message("share=%d: detect %.3f s (%s), recover %.3f s", share, row.detect_s,
                       row.detect_reason, row.recover_s);
        if (share) {
            /* takeover, the next packet (0.1 s), its INVALID_SPI, then the
             * check and its answer: two round trips of two hops each */
            g_assert_cmpstr(row.detect_reason, ==, "qcd");
            g_assert_cmpfloat(row.detect_s, >, takeover);
            g_assert_cmpfloat(row.detect_s, <=, takeover + 0.1 + 2 * 2 * RTT_MAX);
            g_assert_cmpfloat(row.recover_s, <, row.detect_s + 1.0);
        } else {
            g_assert_cmpstr(row.detect_reason, ==, "liveness");
            g_assert_cmpfloat(row.detect_s, >, 165.0);
        }
        g_assert_cmpuint(row.false_positives, ==, 0);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/recovery/liveness-detection-exact", test_liveness_detection_exact);
    g_test_add_func("/recovery/liveness-detection-whole-seconds", test_liveness_detection_whole_seconds);
    g_test_add_func("/recovery/qcd-detection-bounds", test_qcd_detection_bounds);
    g_test_add_func("/recovery/qcd-fast-path-after-rekeys", test_qcd_fast_path_after_rekeys);
    g_test_add_func("/recovery/qcd-needs-maker-on-crashed-side", test_qcd_needs_maker_on_crashed_side);
    g_test_add_func("/recovery/same-seed-same-row", test_same_seed_same_row);
    g_test_add_func("/recovery/false-positives-binomial", test_false_positives_binomial);
    g_test_add_func("/recovery/qcd-capture-tshark", test_qcd_capture_tshark);
    g_test_add_func("/recovery/forged-tokens", test_forged_tokens);
    g_test_add_func("/recovery/hot-standby", test_hot_standby);
    return g_test_run();
}
