/* The reconnection storm of a remote-access headend, at small N: every
 * client recovers after the headend reboots; with QCD an active client's
 * detection is bounded as between two gateways; the headend's COOKIE
 * engages exactly above its half-open threshold and its CPU budget shows as
 * retransmissions, not as lost clients; a run is a function of its seed. */
#include <math.h>
#include <string.h>

#include <glib.h>

#include "presets.h"
#include "storm.h"

enum { N = 60, PER_NODE = 8 };
static const double CRASH = 30, REBOOT = 20;

typedef enum { LIVENESS, QCD, QCD_FAST } method;

static void liveness(sim_gw_cfg *g, const char *name)
{
    const sim_liveness *p = sim_liveness_find(name);
    g->ike.dpd_delay_ms = p->dpd_delay_ms;
    g->ike.dpd_clock = p->clock;
    g->ike.retx = p->retx;
}

static void storm_cfg(sim_run_cfg *c, method m, uint32_t n, double horizon)
{
    sim_run_cfg_defaults(c);
    c->horizon_s = horizon;
    c->star = (sim_star_cfg){.clients = n, .clients_per_node = PER_NODE, .idle_fraction = 0.5, .rate_spread = 4,
                             .handshake_cost_s = 0.002, .init_queue = 1000};
    c->gw[1].establish = SIM_EST_NEVER;
    for (int i = 0; i < 2; i++)
        liveness(&c->gw[i], m == LIVENESS ? "aggressive" : "strongswan");
    if (m != LIVENESS) {
        c->gw[0].ike.qcd.role = IKE_QCD_TAKER;
        c->gw[0].ike.hint_starts_dpd = true;
        c->gw[1].ike.qcd.role = IKE_QCD_MAKER;
        c->gw[1].persist_child_map = m == QCD_FAST;
    }
    /* the headend's budgets for unprotected answers sized for its fleet */
    c->gw[1].ike.qcd.maker_rate = c->gw[1].ike.unknown_spi_rate = c->gw[1].ike.unknown_ike_spi_rate = 0;
    c->traffic[0] = (sim_traffic_cfg){SIM_TRAFFIC_POISSON, 2, 200, 1, horizon, 0, 0};
    c->script[c->n_script++] = (sim_script_ev){CRASH, SIM_ACT_CRASH, 1, 0};
    c->script[c->n_script++] = (sim_script_ev){CRASH + REBOOT, SIM_ACT_REBOOT, 1, 0};
}

static void run(const sim_run_cfg *c, sim_row *row, sim_storm_curve *cv)
{
    g_assert_cmpint(sim_storm_run(c, row, cv), ==, 0);
    g_test_message("t50 %.3f t90 %.3f t99 %.3f t100 %.3f detect %.3f (%s) peak %.0f/s mean %.1f/s cookies %"
                   G_GUINT64_FORMAT " retries %" G_GUINT64_FORMAT " drops %" G_GUINT64_FORMAT " never %" G_GUINT64_FORMAT
                   " fp %" G_GUINT64_FORMAT " lost %" G_GUINT64_FORMAT,
                   row->t50_s, row->t90_s, row->t99_s, row->t100_s, row->detect_s, row->detect_reason,
                   row->init_peak_per_s, row->init_mean_per_s, row->cookies, row->retries, row->init_drops,
                   row->never_recovered, row->false_positives, row->lost_pkts);
}

/* After the reboot every client gets a tunnel again, with each method. */
static void test_every_client_recovers(void)
{
    const method ms[] = {LIVENESS, QCD, QCD_FAST};
    for (size_t k = 0; k < G_N_ELEMENTS(ms); k++) {
        sim_run_cfg c;
        storm_cfg(&c, ms[k], N, 300);
        sim_row row;
        run(&c, &row, NULL);
        g_assert_cmpuint(row.never_recovered, ==, 0);
        g_assert_cmpuint(row.missed, ==, 0);
        g_assert_false(isnan(row.t100_s));
        g_assert_cmpfloat(row.t50_s, >, REBOOT); /* nobody gets a tunnel from a dead headend */
        g_assert_cmpfloat(row.t50_s, <=, row.t90_s);
        g_assert_cmpfloat(row.t90_s, <=, row.t99_s);
        g_assert_cmpfloat(row.t99_s, <=, row.t100_s);
        g_assert_cmpuint(row.false_positives, ==, 0);
        g_assert_cmpstr(row.detect_reason, ==, ms[k] == LIVENESS ? "liveness" : "qcd");
        g_assert_cmpfloat(row.init_peak_per_s, >=, 1);
    }
}

/* One round trip between a client node and the headend: 2 x 10 ms plus
 * serialisation of two small frames at 100 Mbit/s (well under 0.5 ms). */
#define RTT_MAX 0.0205

/* With QCD an active client finds the rebooted headend on its first packet
 * after the reboot: detection within R + one packet interval + 2 RTT (1 RTT
 * on the fast path), as between two gateways (test_recovery.c). */
static void test_qcd_bound_for_active_clients(void)
{
    const double interval = 0.1; /* 10 packets/s, evenly spaced */
    for (int fast = 0; fast <= 1; fast++) {
        sim_run_cfg c;
        storm_cfg(&c, fast ? QCD_FAST : QCD, N, 200);
        c.star.idle_fraction = 0;
        c.star.rate_spread = 1;
        c.traffic[0] = (sim_traffic_cfg){SIM_TRAFFIC_CONSTANT, 1 / interval, 200, 1, 200, 0, 0};
        sim_row row;
        sim_storm_curve cv = {.per_client = true};
        run(&c, &row, &cv);
        g_assert_cmpuint(cv.n_clients, ==, N);
        for (size_t i = 0; i < cv.n_clients; i++) {
            g_assert_true(cv.active[i]);
            g_assert_cmpfloat(cv.detect_s[i], >, REBOOT);
            g_assert_cmpfloat(cv.detect_s[i], <=, REBOOT + interval + (fast ? 1 : 2) * RTT_MAX);
            g_assert_cmpfloat(cv.recover_s[i], >, cv.detect_s[i]);
        }
        g_assert_cmpstr(row.detect_reason, ==, "qcd");
        sim_storm_curve_clear(&cv);
    }
}

/* No COOKIE while fewer SAs than the threshold are half-open; with a
 * threshold of one the storm is met with cookies, and still every client
 * recovers (an echoed cookie admits it). */
static void test_cookie_threshold(void)
{
    sim_row row;
    sim_run_cfg c;
    storm_cfg(&c, QCD, N, 300);
    c.gw[1].ike.cookie_threshold = N + 1; /* never reached: at most N SAs can be half-open */
    run(&c, &row, NULL);
    g_assert_cmpuint(row.cookies, ==, 0);
    c.gw[1].ike.cookie_threshold = 1;
    c.star.handshake_cost_s = 0; /* many handshakes at once: the half-open count rises */
    c.gw[0].ike.qcd.role = 0;    /* detection by liveness: everyone at once after a reboot */
    liveness(&c.gw[0], "aggressive");
    run(&c, &row, NULL);
    g_assert_cmpuint(row.cookies, >, 0);
    g_assert_cmpuint(row.never_recovered, ==, 0);
}

/* A CPU budget per handshake serves at most 1/cost IKE_SA_INIT per second:
 * overload is delay and retransmission (a short queue drops), not lost
 * clients. */
static void test_cpu_budget_is_delay(void)
{
    const double cost = 0.25; /* 4 handshakes per second */
    sim_run_cfg c;
    storm_cfg(&c, LIVENESS, N, 400);
    c.star.handshake_cost_s = cost;
    c.star.init_queue = 4;
    sim_row row;
    run(&c, &row, NULL);
    g_assert_cmpuint(row.never_recovered, ==, 0);
    g_assert_cmpfloat(row.init_peak_per_s, <=, 1 / cost + 1);
    g_assert_cmpfloat(row.t100_s, >=, REBOOT + N * cost);
    g_assert_cmpuint(row.init_drops, >, 0);
    g_assert_cmpuint(row.retries, >, 0);
}

/* The same seed gives the same row (wall time aside); another seed does not. */
/* Resumption (RFC 5723): every client asked for a ticket once connected
 * and resumes from it after QCD found the crash (one provisioned in the last
 * round trip before the crash has none and runs a full handshake); the
 * headend spends resume_cost per resumption, against handshake_cost per
 * client for full handshakes. */
static void test_resume_costs_the_headend_less(void)
{
    double cpu[2];
    for (int resume = 0; resume <= 1; resume++) {
        sim_run_cfg c;
        storm_cfg(&c, QCD_FAST, N, 200);
        c.star.resume_cost_s = 0.000205;
        c.gw[0].resume = c.gw[1].resume = resume;
        c.gw[1].ticket_lifetime_ms = 3600000;
        sim_row row;
        run(&c, &row, NULL);
        g_assert_cmpuint(row.never_recovered, ==, 0);
        g_assert_cmpstr(row.detect_reason, ==, "qcd");
        cpu[resume] = row.cpu_s;
    }
    g_assert_cmpfloat_with_epsilon(cpu[0], N * 0.002, 1e-9);
    double full = round((cpu[1] - N * 0.000205) / (0.002 - 0.000205)); /* handshakes among the N */
    g_assert_cmpfloat(full, <=, 1);
    g_assert_cmpfloat_with_epsilon(cpu[1], full * 0.002 + (N - full) * 0.000205, 1e-9);
}

/* A headend whose clients sit behind NAT cannot initiate: told to set the
 * SAs up again at its reboot (reinit), it does nothing, and the run is the
 * one where it only ever responds. */
static void test_headend_cannot_reinit(void)
{
    sim_row row[2];
    for (int k = 0; k < 2; k++) {
        sim_run_cfg c;
        storm_cfg(&c, LIVENESS, N, 300);
        if (k) {
            c.gw[1].establish = SIM_EST_AT_REBOOT;
            c.gw[1].can_initiate = false;
        }
        run(&c, &row[k], NULL);
    }
    g_assert_cmpfloat(row[0].t100_s, ==, row[1].t100_s);
    g_assert_cmpfloat(row[0].detect_s, ==, row[1].detect_s);
    g_assert_cmpuint(row[0].ike_msgs, ==, row[1].ike_msgs);
    g_assert_cmpuint(row[0].ike_bytes, ==, row[1].ike_bytes);
    g_assert_cmpstr(row[1].detect_reason, ==, "liveness");
}

static void test_deterministic_per_seed(void)
{
    sim_run_cfg c;
    storm_cfg(&c, QCD, N, 200);
    sim_row a, b;
    run(&c, &a, NULL);
    run(&c, &b, NULL);
    a.wall_s = b.wall_s = 0;
    g_assert_cmpmem(&a, sizeof a, &b, sizeof b);
    c.seed = 2;
    run(&c, &b, NULL);
    b.wall_s = 0;
    g_assert_false(a.t50_s == b.t50_s && a.events == b.events);
}

enum { STAR_CLIENTS = 6 };

typedef struct {
    uint64_t imported[2][STAR_CLIENTS], first_rekey[2][STAR_CLIENTS]; /* per side, per client */
    struct {
        uint64_t spi_i;
        guint client;
    } spis[4 * STAR_CLIENTS]; /* every initiator SPI a client's SA had */
    guint n_spis, n_clients, ike_rekeyed[2], child_rekeyed[2], deleted;
} star_log;

static guint star_client(star_log *l, uint64_t spi_i)
{
    for (guint i = 0; i < l->n_spis; i++)
        if (l->spis[i].spi_i == spi_i)
            return l->spis[i].client;
    g_assert_cmpuint(l->n_clients, <, STAR_CLIENTS);
    l->spis[l->n_spis].spi_i = spi_i;
    l->spis[l->n_spis++].client = l->n_clients;
    return l->n_clients++;
}

static void on_star_event(void *arg, int gw, const ike_event *ev)
{
    star_log *l = arg;
    switch (ev->type) {
    case IKE_EV_SA_IMPORTED:
        l->imported[gw][star_client(l, ev->spi_i)] = ev->now;
        break;
    case IKE_EV_MSG_SENT: /* the first rekey request on each client's SA */
        if (ev->exchange == IKE_CREATE_CHILD_SA && !ev->is_response) {
            uint64_t *first = &l->first_rekey[gw][star_client(l, ev->spi_i)];
            *first = *first ? *first : ev->now;
        }
        break;
    case IKE_EV_SA_REKEYED: {
        bool known = false;
        for (guint i = 0; i < l->n_spis; i++)
            known |= l->spis[i].spi_i == ev->spi_i;
        if (!known) { /* the new SPIs belong to the same client */
            g_assert_cmpuint(l->n_spis, <, G_N_ELEMENTS(l->spis));
            l->spis[l->n_spis].spi_i = ev->spi_i;
            l->spis[l->n_spis++].client = star_client(l, ev->old_spi_i);
        }
        l->ike_rekeyed[gw]++;
        break;
    }
    case IKE_EV_CHILD_REKEYED: l->child_rekeyed[gw]++; break;
    case IKE_EV_SA_DELETED: l->deleted += ev->reason != IKE_DEL_SHUTDOWN; break;
    default: break;
    }
}

/* Lifetimes reach a star: the clients (gateway 0's keys) rekey their Child
 * SA 200 s and the headend (gateway 1's) the IKE SA of every client 300 s
 * after it was provisioned (imported; the clients connect over the first
 * half of the run), each at exactly that time; no SA is lost doing it. */
static void test_lifetimes_in_a_star(void)
{
    sim_run_cfg c;
    storm_cfg(&c, QCD, STAR_CLIENTS, 700);
    c.n_script = 0; /* no crash */
    c.gw[0].ike.child_life = (ike_child_lifetime){200, 0, 0};
    c.gw[1].ike.ike_life = (ike_sa_lifetime){300, 0, 60, 0};
    star_log l = {0};
    c.trace = on_star_event;
    c.trace_arg = &l;
    sim_row row;
    run(&c, &row, NULL);
    g_assert_cmpuint(l.n_clients, ==, STAR_CLIENTS);
    for (guint i = 0; i < STAR_CLIENTS; i++) {
        g_assert_cmpuint(l.imported[0][i], >, 0);
        g_assert_cmpuint(l.imported[1][i], ==, l.imported[0][i]);
        g_assert_cmpuint(l.first_rekey[0][i], ==, l.imported[0][i] + 200 * 1000000000ull);
        g_assert_cmpuint(l.first_rekey[1][i], ==, l.imported[1][i] + 300 * 1000000000ull);
    }
    for (int gw = 0; gw < 2; gw++) {
        g_assert_cmpuint(l.child_rekeyed[gw], >=, STAR_CLIENTS);
        g_assert_cmpuint(l.ike_rekeyed[gw], >=, STAR_CLIENTS);
    }
    g_assert_cmpuint(l.deleted, ==, 0);
    g_assert_cmpuint(row.false_positives, ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/storm/every-client-recovers", test_every_client_recovers);
    g_test_add_func("/storm/qcd-bound-for-active-clients", test_qcd_bound_for_active_clients);
    g_test_add_func("/storm/cookie-threshold", test_cookie_threshold);
    g_test_add_func("/storm/cpu-budget-is-delay", test_cpu_budget_is_delay);
    g_test_add_func("/storm/deterministic-per-seed", test_deterministic_per_seed);
    g_test_add_func("/storm/resume-costs-the-headend-less", test_resume_costs_the_headend_less);
    g_test_add_func("/storm/headend-cannot-reinit", test_headend_cannot_reinit);
    g_test_add_func("/storm/lifetimes-in-a-star", test_lifetimes_in_a_star);
    return g_test_run();
}
