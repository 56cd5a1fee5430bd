/* Same (seed, run) gives the same packet trace and the same pcap bytes,
 * whether rerun in this process after destroy or in a fresh process; a
 * different seed gives a different trace. */
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "testnet.h"

#define MS 1000000ull

/* A lossy three-hop path carrying traffic both ways; returns the receive
 * trace as text and, if pcap_dir is set, captures the middle link. */
static char *run_scenario(uint32_t seed, uint32_t run, const char *pcap_dir)
{
    g_assert_cmpint(ns3_sim_init(seed, run), ==, NS3_OK);
    ns3_link_cfg cfg[3];
    for (int i = 0; i < 3; i++)
        cfg[i] = (ns3_link_cfg){.rate_bps = 2000000, .delay_ns = (uint64_t)(i + 1) * MS,
                                .loss = 0.2, .queue_pkts = 20};
    ns3_node_id n[4];
    int l[3];
    chain_build(3, cfg, n, l);
    if (pcap_dir)
        g_assert_cmpint(ns3_pcap_enable(l[1], pcap_dir), ==, NS3_OK);
    GArray *rx = g_array_new(FALSE, FALSE, sizeof(rx_record));
    int a = ns3_udp_open(n[0], 4500, rx_log, rx);
    int d = ns3_udp_open(n[3], 4500, rx_log, rx);
    for (guint i = 0; i < 400; i++) {
        send_at(i * 3 * MS, a, ns3_link_addr(l[2], 1), 4500, i, 60 + i % 200);
        send_at(i * 5 * MS, d, ns3_link_addr(l[0], 0), 4500, 100000 + i, 80);
    }
    ns3_sim_run();
    GString *trace = g_string_new(NULL);
    for (guint i = 0; i < rx->len; i++) {
        rx_record r = g_array_index(rx, rx_record, i);
        g_string_append_printf(trace, "%" G_GUINT64_FORMAT " %08x:%u %u %u\n", r.t_ns, r.src_addr,
                               r.src_port, r.len, r.tag);
    }
    ns3_sim_destroy();
    g_array_free(rx, TRUE);
    return g_string_free(trace, FALSE);
}

static GBytes *slurp(const char *dir, const char *name)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    char *data = NULL;
    gsize len = 0;
    g_assert_true(g_file_get_contents(path, &data, &len, NULL));
    return g_bytes_new_take(data, len);
}

static void rm_tree(const char *dir)
{
    const char *names[] = {"link-1-0.pcap", "link-1-1.pcap", "trace.txt"};
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        g_autofree char *p = g_build_filename(dir, names[i], NULL);
        g_remove(p);
    }
    g_rmdir(dir);
}

static void test_same_seed_same_trace_and_pcap(void)
{
    g_autofree char *d1 = g_dir_make_tmp("ikesim-det-XXXXXX", NULL);
    g_autofree char *d2 = g_dir_make_tmp("ikesim-det-XXXXXX", NULL);
    g_autofree char *t1 = run_scenario(11, 1, d1);
    g_autofree char *t2 = run_scenario(11, 1, d2); /* destroy, then rerun */
    g_assert_cmpuint(strlen(t1), >, 1000);
    g_assert_cmpstr(t1, ==, t2);
    for (int side = 0; side < 2; side++) {
        g_autofree char *name = g_strdup_printf("link-1-%d.pcap", side);
        g_autoptr(GBytes) p1 = slurp(d1, name);
        g_autoptr(GBytes) p2 = slurp(d2, name);
        g_assert_cmpuint(g_bytes_get_size(p1), >, 10000);
        g_assert_true(g_bytes_equal(p1, p2));
    }
    rm_tree(d1);
    rm_tree(d2);
}

static void test_other_seed_or_run_other_trace(void)
{
    g_autofree char *t1 = run_scenario(11, 1, NULL);
    g_autofree char *t2 = run_scenario(12, 1, NULL);
    g_autofree char *t3 = run_scenario(11, 2, NULL);
    g_assert_cmpstr(t1, !=, t2);
    g_assert_cmpstr(t1, !=, t3);
    g_assert_cmpstr(t2, !=, t3);
}

static void test_fresh_process_same_trace(void)
{
    /* Run other simulations first, so this process's ns-3 has state a
     * fresh process lacks. */
    g_free(run_scenario(3, 3, NULL));
    g_autofree char *here = run_scenario(11, 1, NULL);

    g_autofree char *dir = g_dir_make_tmp("ikesim-det-XXXXXX", NULL);
    g_autofree char *out = g_build_filename(dir, "trace.txt", NULL);
    g_autofree char *self = g_file_read_link("/proc/self/exe", NULL);
    char *argv[] = {self, "--write-trace", out, NULL};
    gint status = -1;
    g_assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, NULL));
    g_assert_true(g_spawn_check_wait_status(status, NULL));
    g_autofree char *there = NULL;
    g_assert_true(g_file_get_contents(out, &there, NULL, NULL));
    g_assert_cmpstr(here, ==, there);
    rm_tree(dir);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--write-trace") == 0) {
        g_autofree char *trace = run_scenario(11, 1, NULL);
        return g_file_set_contents(argv[2], trace, -1, NULL) ? 0 : 1;
    }
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/determinism/same-seed-same-trace-and-pcap", test_same_seed_same_trace_and_pcap);
    g_test_add_func("/determinism/other-seed-or-run-other-trace", test_other_seed_or_run_other_trace);
    g_test_add_func("/determinism/fresh-process-same-trace", test_fresh_process_same_trace);
    return g_test_run();
}
