/* test_resume_capture.c — RFC 5723 resumption on an ns-3 link, as tshark
 * sees it: gateway 1 (the responder) crashes and reboots with its ticket
 * keys; gateway 0 finds it dead by its liveness checks and resumes with
 * IKE_SESSION_RESUME.  tshark must dissect every frame cleanly, show the
 * request's N(TICKET_OPAQUE) and the response's Nr in the clear, and decrypt
 * every SK payload with the key table the run exported, the resumed SA's
 * IKE_AUTH (and the new ticket in it) included; ESP flows again on the
 * Child SA made there. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "run.h"
#include "tshark.h"

typedef struct seen {
    uint64_t spi_i, spi_r;           /* the SA resumed */
    double resume_sent, resume_accepted, established, crash;
    unsigned tickets;
} seen;

static void on_event(void *arg, int gw, const ike_event *ev)
{
    seen *s = arg;
    double t = (double)ev->now / 1e9;
    if (gw != 0)
        return;
    if (ev->type == IKE_EV_RESUME_SENT)
        s->resume_sent = t;
    else if (ev->type == IKE_EV_RESUME_ACCEPTED)
        s->resume_accepted = t;
    else if (ev->type == IKE_EV_TICKET_GRANTED)
        s->tickets++;
    else if (ev->type == IKE_EV_SA_ESTABLISHED && s->resume_accepted > 0) {
        s->established = t;
        s->spi_i = ev->spi_i;
        s->spi_r = ev->spi_r;
    }
}

static void test_resume_capture(void)
{
    if (!tshark_available()) {
        g_test_skip("tshark is not installed (scripts/install-deps.sh installs it)");
        return;
    }
    GError *err = NULL;
    g_autofree char *dir = g_dir_make_tmp("ikesim-resume-XXXXXX", &err);
    g_assert_no_error(err);
    g_autofree char *keys = g_build_filename(dir, "ikev2_decryption_table", NULL);
    g_autofree char *esp_keys = g_build_filename(dir, "esp_sa", NULL);
    sim_run_cfg c;
    sim_run_cfg_defaults(&c);
    c.horizon_s = 20;
    c.gw[1].establish = SIM_EST_NEVER;
    for (int i = 0; i < 2; i++) {
        c.gw[i].resume = true;
        c.gw[i].ike.dpd_delay_ms = 1000;
        c.gw[i].ike.retx = (ike_retx){500, 1.0, 2, 0, 0};
        c.traffic[i].start_s = 1;
    }
    c.script[c.n_script++] = (sim_script_ev){5.0, SIM_ACT_CRASH, 1, 0};
    c.script[c.n_script++] = (sim_script_ev){5.5, SIM_ACT_REBOOT, 1, 0};
    seen s = {0};
    c.trace = on_event;
    c.trace_arg = &s;
    c.pcap_dir = dir;
    c.keylog_path = keys;
    c.esp_keylog_path = esp_keys;
    sim_row row;
    g_assert_cmpint(sim_run(&c, &row), ==, 0);
    /* found dead 1 s idle + 3 sends 0.5 s apart after the crash, then resumed */
    g_assert_cmpfloat(s.resume_sent, >, 5.0);
    g_assert_cmpfloat(s.resume_accepted, >, s.resume_sent);
    g_assert_cmpfloat_with_epsilon(s.resume_accepted - s.resume_sent, 0.02, 0.001); /* one 20 ms round trip */
    g_assert_cmpfloat_with_epsilon(s.established - s.resume_accepted, 0.02, 0.001);
    g_assert_cmpuint(s.tickets, ==, 2); /* from the first IKE_AUTH and the resumed one */
    g_assert_cmpfloat(row.recover_s, <, 20.0);

    g_autofree char *pcap = g_build_filename(dir, "link-0-0.pcap", NULL);
    g_autofree char *bad = tshark_bad_frames(dir, pcap);
    g_assert_cmpstr(bad, ==, "");
    g_autofree char *req = tshark_fields(dir, pcap, "isakmp.exchangetype == 38 && isakmp.flag_r == 0",
                                         "isakmp.notify.msgtype");
    g_autofree char *resp = tshark_fields(dir, pcap, "isakmp.exchangetype == 38 && isakmp.flag_r == 1 && isakmp.nonce",
                                          "isakmp.rspi");
    g_assert_cmpstr(req, ==, "16413\n");
    g_autofree char *rspi = g_strdup_printf("%016" G_GINT64_MODIFIER "x\n", s.spi_r);
    g_assert_cmpstr(resp, ==, rspi);
    g_autofree char *sk = tshark_fields(dir, pcap, "isakmp.nextpayload == 46", "frame.number");
    g_autofree char *dec = tshark_fields(dir, pcap, "isakmp.enc.decrypted && !isakmp.ikev2.integrity_checksum",
                                         "frame.number");
    g_assert_cmpuint(count_lines(sk), >=, 4);
    g_assert_cmpstr(dec, ==, sk);
    /* the resumed SA's IKE_AUTH, decrypted with its exported keys: a ticket in its response */
    g_autofree char *filter = g_strdup_printf("isakmp.exchangetype == 35 && isakmp.rspi == %016" G_GINT64_MODIFIER
                                              "x && isakmp.notify.msgtype == 16409",
                                              s.spi_r);
    g_autofree char *lt = tshark_fields(dir, pcap, filter, "isakmp.notify.data.ticket_opaque.lifetime");
    g_assert_cmpstr(lt, ==, "3600\n");
    g_autofree char *table = NULL;
    g_assert_true(g_file_get_contents(keys, &table, NULL, NULL));
    g_autofree char *line = g_strdup_printf("%016" G_GINT64_MODIFIER "x,%016" G_GINT64_MODIFIER "x,", s.spi_i,
                                            s.spi_r);
    g_assert_nonnull(strstr(table, line));
    /* ESP on the resumed SA's Child SA, its ICVs checked */
    g_autofree char *late = tshark_fields(dir, pcap, "esp && esp.icv_good && frame.time_relative > 10",
                                          "frame.number");
    g_assert_cmpuint(count_lines(late), >, 100);
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
    g_test_add_func("/resume/capture", test_resume_capture);
    return g_test_run();
}
