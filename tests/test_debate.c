/* The rebooted gateway recovers with existing IKEv2 means: it initiates
 * again at boot with INITIAL_CONTACT (reinit), or when its own packet finds
 * no SA (reinit-on-traffic); a boot delay keeps it silent; a gateway that
 * cannot initiate never does; the survivor resumes from its RFC 5723
 * ticket in as many round trips as a full handshake.  Exact times in ns-3;
 * captures checked by tshark.  Gateway 0 survives; gateway 1 crashes at 5 s and reboots at 10 s. */
#include <math.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "ike_const.h"
#include "run.h"
#include "tshark.h"

#define MS 1000000ull
#define SEC 1000000000ull
#define CRASH (5 * SEC)
#define REBOOT (10 * SEC)

typedef struct {
    uint64_t at;
    int gw;
    ike_event_type type;
    uint8_t exchange;
    bool is_response;
    size_t len;
    ike_del_reason reason;
    bool established; /* SA_DELETED: the SA was established */
} logged;

static void trace(void *arg, int gw, const ike_event *ev)
{
    logged l = {ev->now, gw, ev->type, ev->exchange, ev->is_response, ev->len, ev->reason,
                ev->sa && ike_sa_established(ev->sa)};
    g_array_append_val((GArray *)arg, l);
}

static void debate_cfg(sim_run_cfg *c, GArray *log)
{
    sim_run_cfg_defaults(c);
    c->horizon_s = 15;
    c->gw[1].establish = SIM_EST_AT_REBOOT;
    c->traffic[0].kind = c->traffic[1].kind = SIM_TRAFFIC_NONE;
    c->script[c->n_script++] = (sim_script_ev){CRASH / 1e9, SIM_ACT_CRASH, 1, 0};
    c->script[c->n_script++] = (sim_script_ev){REBOOT / 1e9, SIM_ACT_REBOOT, 1, 0};
    c->trace = trace;
    c->trace_arg = log;
}

/* The i-th (0-based) logged event of gw and type at or after t; NULL if none. */
static const logged *nth(GArray *log, int gw, ike_event_type type, uint64_t t, unsigned i)
{
    for (guint k = 0; k < log->len; k++) {
        const logged *l = &g_array_index(log, logged, k);
        if (l->gw == gw && l->type == type && l->at >= t && i-- == 0)
            return l;
    }
    return NULL;
}

/* On the wire an IKE message is PPP (2) + IPv4 (20) + UDP (8) + the
 * non-ESP marker (4) + the message, serialised at the link's rate. */
static uint64_t frame_ns(size_t ike_len, uint64_t rate_bps)
{
    return (uint64_t)(ike_len + 34) * 8 * SEC / rate_bps;
}

/* reinit: gateway 1 is silent for its boot delay, then sends IKE_SA_INIT;
 * after IKE_SA_INIT and IKE_AUTH (two round trips, their four frames, no
 * processing time in simulated time) both hold the new Child SA, and
 * gateway 0 deleted the stale SA the moment it accepted the IKE_AUTH with
 * INITIAL_CONTACT. */
static void test_reinit_exact(void)
{
    GArray *log = g_array_new(FALSE, FALSE, sizeof(logged));
    sim_run_cfg c;
    debate_cfg(&c, log);
    c.gw[1].boot_delay_ns = 50 * MS;
    sim_row row;
    g_assert_cmpint(sim_run(&c, &row), ==, 0);
    const uint64_t d = c.link.delay_ns, rate = c.link.rate_bps, start = REBOOT + 50 * MS;
    /* nothing at all from gateway 1 between its reboot and its daemon's start */
    const logged *m[4];
    m[0] = nth(log, 1, IKE_EV_MSG_SENT, REBOOT, 0);
    g_assert_nonnull(m[0]);
    g_assert_cmpuint(m[0]->at, ==, start);
    g_assert_cmpuint(m[0]->exchange, ==, IKE_SA_INIT);
    g_assert_false(m[0]->is_response);
    m[1] = nth(log, 0, IKE_EV_MSG_SENT, REBOOT, 0);
    m[2] = nth(log, 1, IKE_EV_MSG_SENT, REBOOT, 1);
    m[3] = nth(log, 0, IKE_EV_MSG_SENT, REBOOT, 1);
    g_assert_true(m[1] && m[1]->exchange == IKE_SA_INIT && m[1]->is_response);
    g_assert_true(m[2] && m[2]->exchange == IKE_AUTH && !m[2]->is_response);
    g_assert_true(m[3] && m[3]->exchange == IKE_AUTH && m[3]->is_response);
    uint64_t f[4];
    for (int i = 0; i < 4; i++)
        f[i] = frame_ns(m[i]->len, rate);
    g_assert_cmpuint(m[1]->at, ==, start + d + f[0]);
    g_assert_cmpuint(m[2]->at, ==, start + 2 * d + f[0] + f[1]);
    uint64_t responder = start + 3 * d + f[0] + f[1] + f[2];
    uint64_t initiator = responder + d + f[3];
    const logged *child0 = nth(log, 0, IKE_EV_CHILD_ESTABLISHED, REBOOT, 0);
    const logged *child1 = nth(log, 1, IKE_EV_CHILD_ESTABLISHED, REBOOT, 0);
    g_assert_nonnull(child0);
    g_assert_nonnull(child1);
    g_assert_cmpuint(child0->at, ==, responder);
    g_assert_cmpuint(child1->at, ==, initiator);
    g_test_message("recovered %.6f s after the reboot: boot delay 50 ms + 4 x %.0f ms + frames %.6f ms",
                   (initiator - REBOOT) / 1e9, d / 1e6, (f[0] + f[1] + f[2] + f[3]) / 1e6);
    /* the stale SA goes on INITIAL_CONTACT, when the IKE_AUTH request is accepted */
    const logged *del = nth(log, 0, IKE_EV_SA_DELETED, CRASH, 0);
    g_assert_nonnull(del);
    g_assert_true(del->established);
    g_assert_cmpint(del->reason, ==, IKE_DEL_INITIAL_CONTACT);
    g_assert_cmpuint(del->at, ==, responder);
    g_assert_cmpstr(row.detect_reason, ==, "initial_contact");
    g_assert_cmpuint((uint64_t)llround(row.detect_s * 1e9), ==, responder - CRASH);
    g_assert_cmpuint(row.false_positives, ==, 0);
    g_assert_cmpuint(row.missed, ==, 0);
    /* the recovery-cost columns: the new SA from the crash and, in round
     * trips, from the reboot; the four messages of the one handshake */
    g_assert_cmpuint((uint64_t)llround(row.sa_s * 1e9), ==, initiator - CRASH);
    g_assert_cmpfloat_with_epsilon(row.sa_rtt, (double)(initiator - REBOOT) / (2.0 * d), 1e-12);
    g_assert_true(isnan(row.recover_rtt)); /* no traffic: nothing to recover */
    g_assert_cmpuint(row.recover_ike_msgs, ==, 4);
    g_assert_cmpuint(row.recover_ike_bytes, ==, m[0]->len + m[1]->len + m[2]->len + m[3]->len);
    /* one handshake and no more: no Delete, no second SA */
    g_assert_null(nth(log, 1, IKE_EV_MSG_SENT, REBOOT, 2));
    g_assert_null(nth(log, 0, IKE_EV_MSG_SENT, REBOOT, 2));
    g_array_free(log, TRUE);
}

/* reinit-on-traffic: while gateway 1 has nothing to send it initiates
 * nothing (gateway 0's ESP to it only draws INVALID_SPI); its first packet,
 * at 20 s, starts IKE_SA_INIT at that instant, and INITIAL_CONTACT ends the
 * stale SA one and a half round trips later. */
static void test_reinit_on_traffic_waits(void)
{
    GArray *log = g_array_new(FALSE, FALSE, sizeof(logged));
    sim_run_cfg c;
    debate_cfg(&c, log);
    c.horizon_s = 25;
    c.gw[1].establish = SIM_EST_ON_TRAFFIC;
    c.traffic[0].kind = SIM_TRAFFIC_CONSTANT; /* the survivor sends throughout */
    c.traffic[1] = c.traffic[0];
    c.traffic[1].start_s = 20;
    sim_row row;
    g_assert_cmpint(sim_run(&c, &row), ==, 0);
    unsigned answers = 0;
    for (guint k = 0; k < log->len; k++) {
        const logged *l = &g_array_index(log, logged, k);
        if (l->gw != 1 || l->type != IKE_EV_MSG_SENT || l->at < REBOOT || l->at >= 20 * SEC)
            continue;
        /* one-way INVALID_SPI notifies (outside any SA), nothing else */
        g_assert_cmpuint(l->exchange, ==, IKE_INFORMATIONAL);
        answers++;
    }
    g_assert_cmpuint(answers, >, 0);
    const logged *init = NULL;
    for (unsigned i = 0; (init = nth(log, 1, IKE_EV_MSG_SENT, 20 * SEC, i)); i++)
        if (init->exchange == IKE_SA_INIT)
            break;
    g_assert_nonnull(init);
    g_assert_cmpuint(init->at, ==, 20 * SEC);
    const logged *del = nth(log, 0, IKE_EV_SA_DELETED, CRASH, 0);
    g_assert_nonnull(del);
    g_assert_cmpint(del->reason, ==, IKE_DEL_INITIAL_CONTACT);
    g_assert_cmpuint(del->at, >=, 20 * SEC + 3 * c.link.delay_ns);
    g_assert_cmpuint(del->at, <, 20 * SEC + 3 * c.link.delay_ns + MS);
    g_assert_cmpstr(row.detect_reason, ==, "initial_contact");
    g_assert_false(isnan(row.recover_s));
    g_array_free(log, TRUE);
}

/* A gateway that cannot reach its peer first (a headend whose clients sit
 * behind NAT) never initiates, whatever establish says and however much it
 * has to send; the stale SA stays. */
static void test_cannot_initiate(void)
{
    for (int e = 0; e < 2; e++) {
        GArray *log = g_array_new(FALSE, FALSE, sizeof(logged));
        sim_run_cfg c;
        debate_cfg(&c, log);
        c.gw[1].establish = e ? SIM_EST_ON_TRAFFIC : SIM_EST_AT_REBOOT;
        c.gw[1].can_initiate = false;
        c.traffic[1].kind = SIM_TRAFFIC_CONSTANT;
        sim_row row;
        g_assert_cmpint(sim_run(&c, &row), ==, 0);
        for (guint k = 0; k < log->len; k++) {
            const logged *l = &g_array_index(log, logged, k);
            g_assert_false(l->gw == 1 && l->type == IKE_EV_MSG_SENT && !l->is_response);
        }
        g_assert_cmpstr(row.detect_reason, ==, "none");
        g_assert_true(isnan(row.recover_s));
        g_array_free(log, TRUE);
    }
}

/* During its boot delay a rebooted gateway answers nothing, not even ESP
 * with an unknown SPI; the first INVALID_SPI follows the first ESP packet
 * after its daemon started. */
static void test_boot_delay_silent(void)
{
    GArray *log = g_array_new(FALSE, FALSE, sizeof(logged));
    sim_run_cfg c;
    debate_cfg(&c, log);
    c.gw[1].establish = SIM_EST_NEVER;
    c.gw[1].boot_delay_ns = 2 * SEC;
    c.traffic[0].kind = SIM_TRAFFIC_CONSTANT; /* 10 packets/s from 1 s */
    sim_row row;
    g_assert_cmpint(sim_run(&c, &row), ==, 0);
    const logged *first = nth(log, 1, IKE_EV_MSG_SENT, CRASH, 0);
    g_assert_nonnull(first);
    /* packets leave gateway 0 every 100 ms on the whole second: the first to
     * arrive after 12 s was sent at 12 s and needs 10 ms and its frame */
    g_assert_cmpuint(first->at, >, 12 * SEC + c.link.delay_ns);
    g_assert_cmpuint(first->at, <, 12 * SEC + c.link.delay_ns + MS);
    g_assert_cmpuint(first->exchange, ==, IKE_INFORMATIONAL);
    g_array_free(log, TRUE);
}

/* The survivor finds the crash by QCD (the fast path: gateway 0's ESP
 * draws INVALID_SPI with a token) and sets the SA up again at once, by a
 * full handshake or, with resume, from its RFC 5723 ticket. */
static void survivor_cfg(sim_run_cfg *c, GArray *log, bool resume)
{
    debate_cfg(c, log);
    c->gw[1].establish = SIM_EST_NEVER;
    c->gw[0].ike.qcd.role = IKE_QCD_TAKER;
    c->gw[1].ike.qcd.role = IKE_QCD_MAKER;
    c->gw[1].persist_child_map = true;
    c->gw[0].resume = c->gw[1].resume = resume;
    c->traffic[0].kind = SIM_TRAFFIC_CONSTANT;
}

/* Gateway 0's four messages of the handshake that starts at t (its first
 * request then): each sent one hop and one frame after the last; returns
 * when gateway 0 holds the new SA, and the first exchange type. */
static uint64_t handshake_from(GArray *log, uint64_t t, uint64_t d, uint64_t rate, uint8_t *first)
{
    const logged *m[4];
    uint64_t at = t;
    for (int i = 0; i < 4; i++) {
        m[i] = nth(log, i % 2, IKE_EV_MSG_SENT, at, 0);
        g_assert_nonnull(m[i]);
        g_assert_cmpuint(m[i]->at, ==, i ? at : t);
        g_assert_true(m[i]->is_response == (i % 2 == 1));
        at = m[i]->at + d + frame_ns(m[i]->len, rate);
    }
    g_assert_cmpuint(m[2]->exchange, ==, IKE_AUTH);
    *first = m[0]->exchange;
    const logged *est = nth(log, 0, IKE_EV_SA_ESTABLISHED, t, 0);
    g_assert_nonnull(est);
    g_assert_cmpuint(est->at, ==, at);
    return at;
}

/* resume: the survivor resumes with IKE_SESSION_RESUME the moment the
 * token verifies, and holds the new SA after two round trips and four
 * frames — as many round trips as the full handshake of the same crash
 * (IKE_SESSION_RESUME and IKE_AUTH against IKE_SA_INIT and IKE_AUTH, RFC
 * 5723 §4.3): with a pre-shared key resumption saves the Diffie-Hellman and
 * the KE payloads, not a round trip. */
static void test_resume_round_trips(void)
{
    uint64_t took[2];
    size_t octets[2];
    for (int r = 0; r < 2; r++) {
        GArray *log = g_array_new(FALSE, FALSE, sizeof(logged));
        sim_run_cfg c;
        survivor_cfg(&c, log, r == 1);
        sim_row row;
        g_assert_cmpint(sim_run(&c, &row), ==, 0);
        g_assert_cmpstr(row.detect_reason, ==, "qcd");
        const logged *del = nth(log, 0, IKE_EV_SA_DELETED, CRASH, 0);
        g_assert_nonnull(del);
        g_assert_cmpint(del->reason, ==, IKE_DEL_QCD);
        uint8_t first;
        uint64_t done = handshake_from(log, del->at, c.link.delay_ns, c.link.rate_bps, &first);
        g_assert_cmpuint(first, ==, (r ? IKE_SESSION_RESUME : IKE_SA_INIT));
        took[r] = done - del->at;
        octets[r] = row.recover_ike_bytes;
        g_assert_cmpuint(took[r], >=, 4 * c.link.delay_ns);
        g_assert_cmpuint(took[r], <, 4 * c.link.delay_ns + MS); /* four frames: under a millisecond */
        g_array_free(log, TRUE);
    }
    g_test_message("full handshake %.6f ms, resumption %.6f ms (%zu and %zu IKE octets since the crash)",
                   took[0] / 1e6, took[1] / 1e6, octets[0], octets[1]);
}

static void remove_dir(const char *dir)
{
    const char *files[] = {"link-0-0.pcap", "link-0-1.pcap", "ikev2_decryption_table", "esp_sa"};
    for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
        g_autofree char *f = g_build_filename(dir, files[i], NULL);
        g_remove(f);
    }
    g_rmdir(dir);
}

/* Captures of reinit and reinit-on-traffic: clean for tshark, every IKE
 * message decrypted, INITIAL_CONTACT inside both IKE_AUTH requests (gateway
 * 0's first and gateway 1's after its reboot), every ESP packet's ICV good. */
static void capture(sim_establish e, bool resume)
{
    GError *err = NULL;
    g_autofree char *dir = g_dir_make_tmp("ikesim-reinit-XXXXXX", &err);
    g_assert_no_error(err);
    g_autofree char *keys = g_build_filename(dir, "ikev2_decryption_table", NULL);
    g_autofree char *esp_keys = g_build_filename(dir, "esp_sa", NULL);
    GArray *log = g_array_new(FALSE, FALSE, sizeof(logged));
    sim_run_cfg c;
    if (resume) {
        survivor_cfg(&c, log, true);
        c.traffic[1].kind = SIM_TRAFFIC_CONSTANT;
    } else {
        debate_cfg(&c, log);
    }
    c.gw[1].establish = e;
    /* both daemons start together: gateway 0's first IKE_SA_INIT is heard */
    c.gw[0].boot_delay_ns = c.gw[1].boot_delay_ns = 50 * MS;
    if (!resume)
        c.traffic[0].kind = c.traffic[1].kind = SIM_TRAFFIC_CONSTANT;
    c.pcap_dir = dir;
    c.keylog_path = keys;
    c.esp_keylog_path = esp_keys;
    sim_row row;
    g_assert_cmpint(sim_run(&c, &row), ==, 0);
    g_assert_cmpstr(row.detect_reason, ==, (resume ? "qcd" : "initial_contact"));
    if (tshark_available()) {
        g_autofree char *pcap = g_build_filename(dir, "link-0-0.pcap", NULL);
        g_autofree char *bad = tshark_bad_frames(dir, pcap);
        g_assert_cmpstr(bad, ==, "");
        g_autofree char *ic = tshark_fields(dir, pcap, "isakmp.notify.msgtype == 16384", "isakmp.exchangetype");
        /* resume: the first IKE_AUTH only (a resumed IKE_AUTH carries none) */
        g_assert_cmpstr(ic, ==, (resume ? "35\n" : "35\n35\n"));
        /* resume: IKE_SESSION_RESUME (38) and its answer, then the resumed
         * IKE_AUTH, decrypted with the resumed SA's keys (its IDi in the clear) */
        g_autofree char *res = tshark_fields(dir, pcap, "isakmp.exchangetype == 38", "isakmp.exchangetype");
        g_assert_cmpstr(res, ==, (resume ? "38\n38\n" : ""));
        g_autofree char *ids = tshark_fields(dir, pcap, "isakmp.exchangetype == 35 && isakmp.id.type", "frame.number");
        g_assert_cmpuint(count_lines(ids), ==, 4); /* every IKE_AUTH of both SAs decrypted */
        g_autofree char *esp = tshark_fields(dir, pcap, "esp", "frame.number");
        g_autofree char *good = tshark_fields(dir, pcap, "esp && esp.icv_good", "frame.number");
        g_assert_cmpuint(count_lines(esp), >, 100);
        g_assert_cmpstr(good, ==, esp);
    } else {
        g_test_skip("tshark is not installed (scripts/install-deps.sh installs it): capture not checked");
    }
    remove_dir(dir);
    g_array_free(log, TRUE);
}

static void test_reinit_capture(void) { capture(SIM_EST_AT_REBOOT, false); }
static void test_reinit_on_traffic_capture(void) { capture(SIM_EST_ON_TRAFFIC, false); }
static void test_resume_capture(void) { capture(SIM_EST_NEVER, true); }

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/debate/reinit-exact", test_reinit_exact);
    g_test_add_func("/debate/reinit-on-traffic-waits", test_reinit_on_traffic_waits);
    g_test_add_func("/debate/cannot-initiate", test_cannot_initiate);
    g_test_add_func("/debate/boot-delay-silent", test_boot_delay_silent);
    g_test_add_func("/debate/reinit-capture", test_reinit_capture);
    g_test_add_func("/debate/reinit-on-traffic-capture", test_reinit_on_traffic_capture);
    g_test_add_func("/debate/resume-round-trips", test_resume_round_trips);
    g_test_add_func("/debate/resume-capture", test_resume_capture);
    return g_test_run();
}
