/* Every suite on an ns-3 link, checked by tshark with the key tables the
 * run writes (ikev2_decryption_table and esp_sa, Wireshark's algorithm
 * names): every SK payload decrypts and its ICV checks, every ESP packet's
 * ICV checks and it decrypts to the inner IPv4/UDP packet.  Where Wireshark
 * 4.0 has no such algorithm (IKE with ChaCha20-Poly1305, ESP with AES-CCM)
 * the run writes no line for it and the test says so. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ike_algs.h"
#include "run.h"
#include "tshark.h"

typedef struct {
    const char *ike, *esp;
} suite_case;

static void run_case(gconstpointer data)
{
    const suite_case *sc = data;
    if (!tshark_available()) {
        g_test_skip("tshark is not installed (scripts/install-deps.sh installs it)");
        return;
    }
    GError *err = NULL;
    g_autofree char *dir = g_dir_make_tmp("ikesim-suite-XXXXXX", &err);
    g_assert_no_error(err);
    g_autofree char *keys = g_build_filename(dir, "ikev2_decryption_table", NULL);
    g_autofree char *esp_keys = g_build_filename(dir, "esp_sa", NULL);
    sim_run_cfg c;
    sim_run_cfg_defaults(&c);
    c.horizon_s = 4;
    c.gw[1].establish = SIM_EST_NEVER;
    for (int i = 0; i < 2; i++) {
        ike_cfg *k = &c.gw[i].ike;
        g_assert_cmpint(ike_props_parse(sc->ike, IKE_PROTO_IKE, &k->ike_props, NULL), ==, IKE_OK);
        g_assert_cmpint(ike_props_parse(sc->esp, IKE_PROTO_ESP, &k->esp_props, NULL), ==, IKE_OK);
        k->ike = ike_props_first(&k->ike_props);
        ike_suite e = ike_props_first(&k->esp_props);
        e.prf = k->esp.prf;
        k->esp = e;
        k->dpd_delay_ms = 1000; /* liveness checks: SK payloads both ways */
        k->dpd_counts_esp = false;
    }
    c.pcap_dir = dir;
    c.keylog_path = keys;
    c.esp_keylog_path = esp_keys;
    sim_row row;
    g_assert_cmpint(sim_run(&c, &row), ==, 0);
    g_assert_cmpuint(row.liveness_checks, >=, 2);

    g_autofree char *pcap = g_build_filename(dir, "link-0-0.pcap", NULL);
    g_autofree char *bad = tshark_bad_frames(dir, pcap);
    g_assert_cmpstr(bad, ==, "");
    ike_props p;
    ike_props_parse(sc->ike, IKE_PROTO_IKE, &p, NULL);
    ike_suite is = ike_props_first(&p);
    if (ike_encr_alg_find(is.encr)->ike_uat[0]) {
        g_autofree char *sk = tshark_fields(dir, pcap, "isakmp.nextpayload == 46", "frame.number");
        g_autofree char *dec = tshark_fields(dir, pcap, "isakmp.enc.decrypted && !isakmp.ikev2.integrity_checksum",
                                             "frame.number");
        g_assert_cmpuint(count_lines(sk), >=, 6); /* IKE_AUTH and liveness, both ways */
        g_assert_cmpstr(dec, ==, sk);
    } else {
        g_test_message("%s: Wireshark has no IKEv2 decryption for this cipher", sc->ike);
    }
    ike_props_parse(sc->esp, IKE_PROTO_ESP, &p, NULL);
    ike_suite es = ike_props_first(&p);
    if (ike_encr_alg_find(es.encr)->esp_uat[0]) {
        g_autofree char *esp = tshark_fields(dir, pcap, "esp", "frame.number");
        g_autofree char *good = tshark_fields(dir, pcap, "esp && esp.icv_good", "frame.number");
        g_autofree char *inner = tshark_fields(dir, pcap, "esp && udp.dstport == 9", "frame.number");
        g_assert_cmpuint(count_lines(esp), >, 20);
        g_assert_cmpstr(good, ==, esp);
        g_assert_cmpstr(inner, ==, esp);
    } else {
        g_test_message("%s: Wireshark has no ESP decryption for this cipher", sc->esp);
    }
    const char *files[] = {"link-0-0.pcap", "link-0-1.pcap", "ikev2_decryption_table", "esp_sa"};
    for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
        g_autofree char *f = g_build_filename(dir, files[i], NULL);
        g_remove(f);
    }
    g_rmdir(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    static const suite_case cases[] = {
        {"aes128gcm8-prfsha1-modp3072", "aes128gcm8"},
        {"aes192gcm12-prfsha384-ecp256", "aes192gcm12-esn"},
        {"aes256ccm16-prfsha512-ecp384", "aes256ccm16"},
        {"aes128ccm8-prfsha256-ecp521", "aes128ccm8"},
        {"aes192ccm12-prfsha256-x448", "aes192ccm12"},
        {"chacha20poly1305-prfsha256-x25519", "chacha20poly1305"},
        {"aes128-sha1-modp4096", "aes128-sha1"},
        {"aes192-sha384-ecp384", "aes192-sha384"},
        {"aes256-sha512-x448", "aes256-sha512-esn"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *path = g_strdup_printf("/suites-capture/%s/%s", cases[i].ike, cases[i].esp);
        g_test_add_data_func(path, &cases[i], run_case);
    }
    return g_test_run();
}
