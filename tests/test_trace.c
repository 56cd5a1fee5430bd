/* `ikesim run --trace`: the event trace of a run, checked against what
 * tshark reads in the same run's captures; triggers on protocol events. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "clirun.h"
#include "tshark.h"

/* A trace CSV: a header and rows of fields (no field holds a comma). */
typedef struct {
    char **head;
    GPtrArray *rows; /* char** */
} table;

static table *table_read(const char *path)
{
    g_autofree char *text = NULL;
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    table *t = g_new0(table, 1);
    t->head = g_strsplit(lines[0], ",", -1);
    t->rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
    for (char **l = lines + 1; *l && **l; l++) {
        char **f = g_strsplit(*l, ",", -1);
        g_assert_cmpuint(g_strv_length(f), ==, g_strv_length(t->head));
        g_ptr_array_add(t->rows, f);
    }
    return t;
}

static void table_free(table *t)
{
    g_strfreev(t->head);
    g_ptr_array_free(t->rows, TRUE);
    g_free(t);
}

static const char *field(const table *t, guint row, const char *col)
{
    for (guint i = 0; t->head[i]; i++)
        if (strcmp(t->head[i], col) == 0)
            return ((char **)g_ptr_array_index(t->rows, row))[i];
    g_error("no column %s", col);
}

static gint by_str(gconstpointer a, gconstpointer b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* "time msg_id exchange flags" lines, sorted, of the trace's messages at
 * node with one of the events (space-separated). */
static char *trace_messages(const table *t, const char *node, const char *events)
{
    g_auto(GStrv) ev = g_strsplit(events, " ", -1);
    GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < t->rows->len; i++)
        if (strcmp(field(t, i, "node"), node) == 0 && g_strv_contains((const char *const *)ev, field(t, i, "event"))) {
            const char *x = field(t, i, "exchange");
            int exch = strcmp(x, "IKE_SA_INIT") == 0 ? 34 : strcmp(x, "IKE_AUTH") == 0 ? 35
                       : strcmp(x, "CREATE_CHILD_SA") == 0 ? 36 : 37;
            g_ptr_array_add(lines, g_strdup_printf("%s %s %d %s", field(t, i, "t_s"), field(t, i, "msg_id"), exch,
                                                   field(t, i, "flags")));
        }
    g_ptr_array_sort(lines, by_str);
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < lines->len; i++)
        g_string_append_printf(s, "%s\n", (char *)g_ptr_array_index(lines, i));
    g_ptr_array_free(lines, TRUE);
    return g_string_free(s, FALSE);
}

/* The same from a capture: the IKE frames addressed to or from addr. */
static char *pcap_messages(const char *dir, const char *pcap, const char *filter)
{
    g_autofree char *f = g_strdup_printf("isakmp && %s", filter);
    g_autofree char *times = tshark_fields(dir, pcap, f, "frame.time_epoch");
    g_autofree char *ids = tshark_fields(dir, pcap, f, "isakmp.messageid");
    g_autofree char *exch = tshark_fields(dir, pcap, f, "isakmp.exchangetype");
    g_autofree char *flags = tshark_fields(dir, pcap, f, "isakmp.flags");
    g_auto(GStrv) t = g_strsplit(times, "\n", -1), m = g_strsplit(ids, "\n", -1), x = g_strsplit(exch, "\n", -1),
                  fl = g_strsplit(flags, "\n", -1);
    GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; t[i] && *t[i]; i++)
        g_ptr_array_add(lines, g_strdup_printf("%s %lu %s %s", t[i], strtoul(m[i], NULL, 16), x[i], fl[i]));
    g_ptr_array_sort(lines, by_str);
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < lines->len; i++)
        g_string_append_printf(s, "%s\n", (char *)g_ptr_array_index(lines, i));
    g_ptr_array_free(lines, TRUE);
    return g_string_free(s, FALSE);
}

static guint count(const table *t, const char *col, const char *value)
{
    guint n = 0;
    for (guint i = 0; i < t->rows->len; i++)
        n += strcmp(field(t, i, col), value) == 0;
    return n;
}

/* Runs the recovery experiment's QCD run with a 60 s reboot and extra
 * settings, and checks its trace against its two captures: every IKE frame
 * in them is a send or a receipt in the trace, at the same time (to the
 * nanosecond), with the same Message ID, exchange and flags; every message
 * sent has its end (received, refused, lost or dropped).  Returns the trace. */
static table *run_against_pcaps(const char *set)
{
    g_autofree char *dir = g_dir_make_tmp("ikesim-trace-XXXXXX", NULL);
    g_autofree char *exp = clirun_source("experiments/recovery.ini");
    g_autofree char *trace = g_build_filename(dir, "trace.csv", NULL);
    const char *argv[] = {"ikesim", "run", exp, "--set", "experiment.method=qcd", "--set",
                          "scenario.reboot_after=60s", "--set", set, "--pcap", dir, "--trace", trace, NULL};
    g_autofree char *out = NULL, *err = NULL;
    g_assert_cmpint(clirun(argv, &out, &err), ==, 0);
    table *t = table_read(trace);
    const char *addr[2] = {"10.0.0.1", "10.0.0.2"};
    for (int side = 0; side < 2; side++) {
        g_autofree char *pcap = g_strdup_printf("%s/link-0-%d.pcap", dir, side);
        g_autofree char *node = g_strdup_printf("gw%d", side);
        g_autofree char *from_f = g_strdup_printf("ip.src == %s", addr[side]);
        g_autofree char *to_f = g_strdup_printf("ip.dst == %s", addr[side]);
        g_autofree char *sent_pcap = pcap_messages(dir, pcap, from_f);
        g_autofree char *sent_trace = trace_messages(t, node, "send");
        g_autofree char *got_pcap = pcap_messages(dir, pcap, to_f);
        g_autofree char *got_trace = trace_messages(t, node, "recv refused");
        g_test_message("%s sent:\n%s%s received:\n%s", node, sent_pcap, node, got_pcap);
        g_assert_cmpuint(count_lines(sent_pcap), >, 5);
        g_assert_cmpstr(sent_trace, ==, sent_pcap);
        g_assert_cmpstr(got_trace, ==, got_pcap);
    }
    guint sends = count(t, "event", "send"), ends = 0;
    for (guint i = 0; i < t->rows->len; i++) {
        const char *ev = field(t, i, "event");
        gboolean end = strcmp(ev, "recv") == 0 || strcmp(ev, "refused") == 0 || strcmp(ev, "dropped") == 0 ||
                   strcmp(ev, "lost") == 0;
        ends += end;
        if (end && *field(t, i, "pair")) { /* paired both ways with its send */
            guint pair = (guint)atoi(field(t, i, "pair"));
            g_assert_cmpstr(field(t, pair - 1, "event"), ==, "send");
            g_assert_cmpuint((guint)atoi(field(t, pair - 1, "pair")), ==, i + 1);
            g_assert_cmpstr(field(t, pair - 1, "msg_id"), ==, field(t, i, "msg_id"));
        }
    }
    g_assert_cmpuint(ends, ==, sends); /* every message sent has its end */
    clirun_rm_rf(dir);
    return t;
}

/* What no capture shows: gateway 0's liveness check and its first three
 * retransmissions reached gateway 1 while it was down. */
static void test_qcd_run_matches_pcap(void)
{
    if (!tshark_available()) {
        g_test_skip("tshark is not installed (scripts/install-deps.sh installs it)");
        return;
    }
    table *t = run_against_pcaps("topology.loss=0");
    g_autofree char *dropped = trace_messages(t, "gw1", "dropped");
    g_test_message("dropped at gw1:\n%s", dropped);
    g_assert_cmpuint(count(t, "event", "dropped"), ==, 4);
    g_assert_cmpuint(count(t, "event", "lost"), ==, 0);
    for (guint i = 0; i < t->rows->len; i++)
        if (strcmp(field(t, i, "event"), "dropped") == 0) {
            g_assert_cmpstr(field(t, i, "message"), ==, "liveness-request");
            g_assert_cmpstr(field(t, i, "detail"), ==, "receiver crashed");
        }
    table_free(t);
}

/* On a link losing 20% of its frames, the messages it lost are in the
 * trace (in the sender's capture, not in the receiver's: the check above
 * holds with them). */
static void test_lossy_run_matches_pcap(void)
{
    if (!tshark_available()) {
        g_test_skip("tshark is not installed (scripts/install-deps.sh installs it)");
        return;
    }
    table *t = run_against_pcaps("topology.loss=20%");
    guint lost = count(t, "event", "lost");
    g_test_message("%u messages lost on the link", lost);
    g_assert_cmpuint(lost, >, 0);
    g_assert_cmpuint(count(t, "detail", "loss"), ==, lost);
    table_free(t);
}

static uint64_t ns_of(const char *t_s)
{
    char *dot;
    uint64_t s = strtoull(t_s, &dot, 10);
    g_assert_cmpint(*dot, ==, '.');
    g_assert_cmpuint(strlen(dot + 1), ==, 9);
    return s * 1000000000u + strtoull(dot + 1, NULL, 10);
}

/* The first row with these node, event and (if not NULL) message. */
static int find(const table *t, const char *node, const char *event, const char *message, guint from)
{
    for (guint i = from; i < t->rows->len; i++)
        if (strcmp(field(t, i, "node"), node) == 0 && strcmp(field(t, i, "event"), event) == 0 &&
            (!message || strcmp(field(t, i, "message"), message) == 0))
            return (int)i;
    return -1;
}

/* strongSwan's schedule, as its documentation states it: the wait after
 * send n is 4 s x 1.8^n, truncated to whole milliseconds; five
 * retransmissions, then the wait after the last one. */
static uint64_t wait_ms(unsigned n)
{
    double ms = 4000;
    for (unsigned i = 0; i < n; i++)
        ms *= 1.8;
    return (uint64_t)ms;
}

/* "on 0 liveness-answer +0.5s crash 1": gateway 1 crashes exactly 0.5 s
 * after the first liveness answer reached gateway 0.  Gateway 0's next
 * check goes out dpd_delay (30 s, exact clock) after that answer, is
 * dropped by the crashed gateway 1, is retransmitted on the schedule and
 * gateway 0 gives up after the last wait: detect_s is 30 s + 165.06 s -
 * 0.5 s, to the nanosecond. */
static void test_trigger_liveness_answer(void)
{
    g_autofree char *dir = g_dir_make_tmp("ikesim-trigger-XXXXXX", NULL);
    g_autofree char *exp = g_build_filename(dir, "trigger.ini", NULL);
    g_autofree char *trace = g_build_filename(dir, "trace.csv", NULL);
    const char *text = "[experiment]\nname = trigger\nhorizon = 300s\n"
                       "[gateways]\nliveness = strongswan\ndpd_clock = exact\n"
                       "[gateway.1]\nestablish = never\n[traffic]\npattern = none\n"
                       "[scenario]\nevents = on 0 liveness-answer +0.5s crash 1\n";
    g_assert_true(g_file_set_contents(exp, text, -1, NULL));
    const char *argv[] = {"ikesim", "run", exp, "--trace", trace, NULL};
    g_autofree char *out = NULL, *err = NULL;
    g_assert_cmpint(clirun(argv, &out, &err), ==, 0);
    table *t = table_read(trace);
    int answer = find(t, "gw0", "recv", "liveness-answer", 0);
    g_assert_cmpint(answer, >=, 0);
    uint64_t a = ns_of(field(t, (guint)answer, "t_s"));
    int crash = find(t, "gw1", "crash", NULL, 0);
    g_assert_cmpint(crash, >, answer);
    g_assert_cmpuint(ns_of(field(t, (guint)crash, "t_s")), ==, a + 500000000u);
    /* the check and its retransmissions, each dropped by the crashed gateway */
    uint64_t at = a + 30000000000u;
    int check = find(t, "gw0", "liveness-check", NULL, (guint)crash);
    g_assert_cmpuint(ns_of(field(t, (guint)check, "t_s")), ==, at);
    int row = check;
    for (unsigned n = 1; n <= 5; n++) {
        at += wait_ms(n - 1) * 1000000u;
        row = find(t, "gw0", "retransmit", NULL, (guint)row + 1);
        g_assert_cmpint(row, >=, 0);
        g_assert_cmpuint(ns_of(field(t, (guint)row, "t_s")), ==, at);
        g_autofree char *nth = g_strdup_printf("%u", n);
        g_assert_cmpstr(field(t, (guint)row, "detail"), ==, nth);
    }
    g_assert_cmpuint(count(t, "event", "dropped"), >=, 6);
    at += wait_ms(5) * 1000000u;
    int dead = find(t, "gw0", "sa-deleted", NULL, (guint)row);
    g_assert_cmpuint(ns_of(field(t, (guint)dead, "t_s")), ==, at);
    g_assert_cmpstr(field(t, (guint)dead, "detail"), ==, "timeout");
    g_assert_cmpuint(at - a - 30000000000u, ==, 165060000000u); /* strongSwan's 165.06 s */
    /* the row's detection time: from the crash to giving up */
    g_auto(GStrv) cols = g_strsplit(out, ",", -1);
    g_assert_cmpstr(cols[5], ==, "liveness");
    g_assert_cmpuint((uint64_t)llround(g_ascii_strtod(cols[4], NULL) * 1e9), ==, at - (a + 500000000u));
    table_free(t);
    clirun_rm_rf(dir);
}

/* Every row of a trace has the header's columns, also where a detail
 * would hold a comma: a Child SA rekey's line says which SA it replaced
 * and that the gateway now sends on the new one. */
static void test_rows_fit_the_header(void)
{
    g_autofree char *dir = g_dir_make_tmp("ikesim-rows-XXXXXX", NULL);
    g_assert_nonnull(dir);
    g_autofree char *exp = g_build_filename(dir, "rekey.ini", NULL);
    g_autofree char *trace = g_build_filename(dir, "trace.csv", NULL);
    const char *text = "[experiment]\nname = rekey\nhorizon = 30s\nmethod = liveness-aggressive\n"
                       "[gateways]\nchild_rekey_time = 10s\n[traffic]\npattern = constant\nrate = 10pps\n";
    g_assert_true(g_file_set_contents(exp, text, -1, NULL));
    const char *argv[] = {"ikesim", "run", exp, "--trace", trace, NULL};
    g_autofree char *out = NULL, *err = NULL;
    g_assert_cmpint(clirun(argv, &out, &err), ==, 0);
    table *t = table_read(trace); /* asserts every row's width */
    guint rekeys = 0, sends = 0;
    for (guint i = 0; i < t->rows->len; i++)
        if (strcmp(field(t, i, "event"), "child-rekeyed") == 0) {
            rekeys++;
            sends += g_str_has_suffix(field(t, i, "detail"), "; sends on it"); /* the rekey's initiator */
        }
    g_assert_cmpuint(rekeys, >=, 4); /* at 10 s and 20 s, both ends (at 20 s they cross) */
    g_assert_cmpuint(sends, ==, 2);
    table_free(t);
    clirun_rm_rf(dir);
}

/* A sweep keeps the trace of the runs asked for; `ikesim plot --msc`
 * charts any run: from its kept trace, or by running it again, which
 * draws the same chart byte for byte.  Every message the run sent in the
 * chart's window is on it with its send time. */
static void test_sweep_trace_and_msc(void)
{
    g_autofree char *dir = g_dir_make_tmp("ikesim-msc-XXXXXX", NULL);
    g_autofree char *exp = clirun_source("tests/exp-good/tiny.ini");
    g_autofree char *out = g_build_filename(dir, "out", NULL);
    const char *sweep[] = {"ikesim", "sweep", exp, "--out", out, "--set", "experiment.seeds=1", "--trace-runs", "2",
                           "-j", "2", NULL};
    g_assert_cmpint(clirun(sweep, NULL, NULL), ==, 0);
    g_autofree char *kept = g_build_filename(out, "trace", "2.csv", NULL);
    g_autofree char *other = g_build_filename(out, "trace", "0.csv", NULL);
    g_assert_true(g_file_test(kept, G_FILE_TEST_EXISTS));
    g_assert_false(g_file_test(other, G_FILE_TEST_EXISTS));
    const char *plot[] = {"ikesim", "plot", out, "--msc", "2", NULL};
    g_autofree char *printed = NULL;
    g_assert_cmpint(clirun(plot, &printed, NULL), ==, 0);
    g_autofree char *svg_path = g_build_filename(out, "msc", "2.svg", NULL);
    g_assert_cmpstr(g_strstrip(printed), ==, svg_path);
    g_autofree char *svg = NULL, *again = NULL;
    g_assert_true(g_file_get_contents(svg_path, &svg, NULL, NULL));
    /* the same run made again: the same chart */
    table *t = table_read(kept);
    g_assert_cmpint(g_unlink(kept), ==, 0);
    g_autofree char *again_path = g_build_filename(dir, "again.svg", NULL);
    const char *replot[] = {"ikesim", "plot", out, "--msc", "2", "--msc-out", again_path, NULL};
    g_assert_cmpint(clirun(replot, NULL, NULL), ==, 0);
    g_assert_true(g_file_get_contents(again_path, &again, NULL, NULL));
    g_assert_cmpstr(again, ==, svg);
    /* window: 2 s before the crash to a second after the new Child SA */
    int crash = find(t, "gw1", "crash", NULL, 0);
    g_assert_cmpint(crash, >=, 0);
    uint64_t from = ns_of(field(t, (guint)crash, "t_s")) - 2000000000u;
    int up = find(t, "gw0", "child-up", NULL, (guint)crash);
    g_assert_cmpint(up, >=, 0);
    uint64_t to = ns_of(field(t, (guint)up, "t_s")) + 1000000000u;
    guint shown = 0;
    for (guint i = 0; i < t->rows->len; i++) {
        uint64_t at = ns_of(field(t, i, "t_s"));
        if (strcmp(field(t, i, "event"), "send") != 0 || at < from || at > to)
            continue;
        g_autofree char *when = g_strdup_printf("%.6f s", (double)at / 1e9);
        g_assert_nonnull(strstr(svg, when));
        g_assert_nonnull(strstr(svg, field(t, i, "message")));
        shown++;
    }
    g_test_message("%u messages on the chart", shown);
    g_assert_cmpuint(shown, >=, 4);
    g_assert_nonnull(strstr(svg, "\ncrash\n"));
    g_assert_nonnull(strstr(svg, "\nreboot\n"));
    /* a run outside the grid is refused */
    const char *bad[] = {"ikesim", "plot", out, "--msc", "99", NULL};
    g_assert_cmpint(clirun(bad, NULL, NULL), ==, 2);
    table_free(t);
    clirun_rm_rf(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/trace/qcd-run-matches-pcap", test_qcd_run_matches_pcap);
    g_test_add_func("/trace/lossy-run-matches-pcap", test_lossy_run_matches_pcap);
    g_test_add_func("/trace/trigger-liveness-answer", test_trigger_liveness_answer);
    g_test_add_func("/trace/sweep-trace-and-msc", test_sweep_trace_and_msc);
    g_test_add_func("/trace/rows-fit-the-header", test_rows_fit_the_header);
    return g_test_run();
}
