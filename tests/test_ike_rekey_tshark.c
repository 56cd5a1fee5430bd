/* test_ike_rekey_tshark.c — a capture across IKE SA rekeys as an independent
 * dissector reads it.  Two endpoints of the model run the handshake, rekey
 * the IKE SA from each side in turn (each rekey followed by the Delete of the
 * old SA) and check liveness on the newest SA; every datagram goes into a
 * pcap and each SA's keys, as ike_keylog_line() gives them when it comes up,
 * into Wireshark's ikev2_decryption_table.  tshark must dissect every frame
 * without a malformed or warning mark and decrypt every SK payload, with
 * the new SPIs in the rekey proposals and in the headers after. */
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "ikepair.h"
#include "tshark.h"

static void put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32le(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* One datagram of side `from` (192.0.2.1 or .2, UDP 500) as a LINKTYPE_RAW record. */
static void frame(FILE *f, int from, uint64_t t_ns, GBytes *b)
{
    gsize len;
    const uint8_t *msg = g_bytes_get_data(b, &len);
    uint8_t rec[16], ip[28] = {0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 17, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2};
    ip[15] = (uint8_t)(1 + from);
    ip[19] = (uint8_t)(2 - from);
    put16(ip + 2, 28 + (unsigned)len);
    uint32_t sum = 0;
    for (int i = 0; i < 20; i += 2)
        sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
    sum = (sum & 0xffff) + (sum >> 16);
    put16(ip + 10, ~sum & 0xffff);
    put16(ip + 20, 500);
    put16(ip + 22, 500);
    put16(ip + 24, 8 + (unsigned)len);
    put32le(rec, (uint32_t)(t_ns / SEC));
    put32le(rec + 4, (uint32_t)(t_ns % SEC / 1000));
    put32le(rec + 8, (uint32_t)(28 + len));
    put32le(rec + 12, (uint32_t)(28 + len));
    fwrite(rec, 1, sizeof rec, f);
    fwrite(ip, 1, sizeof ip, f);
    fwrite(msg, 1, len, f);
}

/* Every datagram both sides sent, in the order they were sent. */
static guint write_pcap(const ike_pair *p, const char *path)
{
    FILE *f = fopen(path, "wb");
    g_assert_nonnull(f);
    uint8_t gh[24] = {0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0};
    put32le(gh + 16, 65535);
    put32le(gh + 20, 101); /* LINKTYPE_RAW */
    fwrite(gh, 1, sizeof gh, f);
    guint next[2] = {0, 0};
    for (guint i = 0; i < p->events->len; i++) {
        const ike_ev_rec *r = &g_array_index(p->events, ike_ev_rec, i);
        if (r->ev.type == IKE_EV_MSG_SENT)
            frame(f, r->side, r->ev.now, g_ptr_array_index(p->sent[r->side], next[r->side]++));
    }
    g_assert_cmpuint(next[0], ==, p->sent[0]->len);
    g_assert_cmpuint(next[1], ==, p->sent[1]->len);
    fclose(f);
    return next[0] + next[1];
}

static void keylog(GString *table, const ike_sa *sa)
{
    char line[512];
    g_assert_cmpint(ike_keylog_line(sa, line, sizeof line), >, 0);
    g_string_append_printf(table, "%s\n", line);
}

/* The pcap of every datagram and the key table in a fresh folder (freed
 * with the table); tshark finds every frame sound, the exchanges as want
 * says, and every SK payload (frames 3 on) decrypted. */
static char *capture(const ike_pair *p, GString *table, const char *want, char **pcap)
{
    char *dir = g_dir_make_tmp("ikesim-ike-rekey-XXXXXX", NULL);
    g_assert_nonnull(dir);
    *pcap = g_build_filename(dir, "rekey.pcap", NULL);
    g_autofree char *uat = g_build_filename(dir, "ikev2_decryption_table", NULL);
    guint frames = write_pcap(p, *pcap), lines = 1;
    for (const char *c = want; *c; c++)
        lines += *c == '\n';
    g_assert_cmpuint(frames, ==, lines); /* one exchange type a frame */
    g_assert_true(g_file_set_contents(uat, table->str, -1, NULL));
    g_string_free(table, TRUE);
    g_autofree char *bad = tshark_bad_frames(dir, *pcap);
    g_assert_cmpstr(bad, ==, "");
    tshark_assert_field(dir, *pcap, "isakmp", "isakmp.exchangetype", want);
    /* every SK payload decrypted (its ICV checked: no warning above) */
    tshark_assert_field(dir, *pcap, "isakmp.nextpayload == 46 && !isakmp.enc.decrypted", "frame.number", "");
    GString *sk = g_string_new(NULL);
    for (guint f = 3; f <= frames; f++)
        g_string_append_printf(sk, "%s%u", f > 3 ? "\n" : "", f);
    tshark_assert_field(dir, *pcap, "isakmp.enc.decrypted", "frame.number", sk->str);
    g_string_free(sk, TRUE);
    return dir;
}

static void capture_remove(char *dir, char *pcap)
{
    g_autofree char *uat = g_build_filename(dir, "ikev2_decryption_table", NULL);
    g_assert_cmpint(g_remove(pcap), ==, 0);
    g_assert_cmpint(g_remove(uat), ==, 0);
    g_assert_cmpint(g_rmdir(dir), ==, 0);
    g_free(pcap);
    g_free(dir);
}

static void test_capture(void)
{
    if (!tshark_available()) {
        g_test_skip("tshark not installed (scripts/install-deps.sh)");
        return;
    }
    ike_cfg a, b;
    ike_test_cfg(&a, "a.example");
    ike_test_cfg(&b, "b.example");
    ike_pair p;
    pair_init(&p, &a, &b, 41);
    pair_establish(&p);
    ike_sa *s0 = pair_sa(&p, 0), *s1 = pair_sa(&p, 1);
    GString *table = g_string_new(NULL);
    keylog(table, s0);
    uint64_t spi_i[3] = {ike_sa_spi_i(s0)};
    for (int k = 0; k < 2; k++) { /* side 0 rekeys, then side 1 */
        pair_advance(&p, (uint64_t)(k + 1) * 3600 * SEC);
        g_assert_cmpint(ike_ep_rekey_ike(p.ep[k], k ? s1 : s0, p.now), ==, IKE_OK);
        g_assert_cmpint(pair_deliver(&p, MS), ==, 4);
        keylog(table, s0);
        spi_i[k + 1] = ike_sa_spi_i(s0);
    }
    g_assert_cmpint(ike_ep_liveness(p.ep[0], s0, p.now), ==, IKE_OK);
    g_assert_cmpint(pair_deliver(&p, MS), ==, 2);

    /* IKE_SA_INIT, IKE_AUTH; twice CREATE_CHILD_SA and the old SA's Delete; a liveness check */
    char *pcap, *dir = capture(&p, table, "34\n34\n35\n35\n36\n36\n37\n37\n36\n36\n37\n37\n37\n37", &pcap);
    /* the rekey requests and answers: an IKE proposal with an 8-octet SPI, KE, no traffic selectors */
    tshark_assert_field(dir, pcap, "isakmp.exchangetype == 36", "isakmp.prop.protoid", "1\n1\n1\n1");
    tshark_assert_field(dir, pcap, "isakmp.exchangetype == 36", "isakmp.spisize", "8\n8\n8\n8");
    tshark_assert_field(dir, pcap, "isakmp.exchangetype == 36 && isakmp.ts.type", "frame.number", "");
    tshark_assert_field(dir, pcap, "isakmp.exchangetype == 36", "isakmp.key_exchange.dh_group", "31\n31\n31\n31");
    char want[128];
    g_snprintf(want, sizeof want, "%016" G_GINT64_MODIFIER "x\n%016" G_GINT64_MODIFIER "x", spi_i[1], spi_i[2]);
    tshark_assert_field(dir, pcap, "isakmp.exchangetype == 36 && isakmp.flag_r == 0", "isakmp.spi", want);
    /* each old SA's Delete under the old SPIs (protocol IKE); the last check under the newest */
    g_snprintf(want, sizeof want, "%016" G_GINT64_MODIFIER "x\n%016" G_GINT64_MODIFIER "x", spi_i[0], spi_i[1]);
    tshark_assert_field(dir, pcap, "isakmp.delete.protoid == 1", "isakmp.ispi", want);
    g_snprintf(want, sizeof want, "%016" G_GINT64_MODIFIER "x\n%016" G_GINT64_MODIFIER "x", spi_i[2], spi_i[2]);
    tshark_assert_field(dir, pcap, "frame.number >= 13", "isakmp.ispi", want);
    capture_remove(dir, pcap);
    pair_free(&p);
}

/* Every SA a datagram was sent on gets its line, while the SA is there
 * (a collision's redundant SA lives only until its Delete). */
static GString *collision_table;

static void keylog_sent(ike_pair *p, int side, const ike_event *ev)
{
    (void)p, (void)side;
    char spis[40];
    g_snprintf(spis, sizeof spis, "%016" G_GINT64_MODIFIER "x,%016" G_GINT64_MODIFIER "x", ev->spi_i, ev->spi_r);
    if (ev->type == IKE_EV_MSG_SENT && ev->spi_r && !strstr(collision_table->str, spis))
        keylog(collision_table, ev->sa);
}

/* One field of each CREATE_CHILD_SA message in frame order, as tshark reads it. */
static char **ccsa_field(const char *dir, const char *pcap, const char *field)
{
    g_autofree char *out = tshark_fields(dir, pcap, "isakmp.exchangetype == 36", field);
    g_strstrip(out);
    char **v = g_strsplit(out, "\n", -1);
    g_assert_cmpuint(g_strv_length(v), ==, 4);
    return v;
}

/* Both ends rekey at the same instant (RFC 7296 §2.8.2): both exchanges
 * complete, then two Deletes, the old SA's and the redundant new one's, the
 * latter on the SA made by the exchange that holds the lowest nonce, as
 * tshark reads the nonces; every SK payload decrypts, with one key line per
 * SA (old, redundant, surviving). */
static void test_collision(void)
{
    if (!tshark_available()) {
        g_test_skip("tshark not installed (scripts/install-deps.sh)");
        return;
    }
    ike_cfg a, b;
    ike_test_cfg(&a, "a.example");
    ike_test_cfg(&b, "b.example");
    a.dpd_delay_ms = b.dpd_delay_ms = 0;
    ike_pair p;
    pair_init(&p, &a, &b, 47);
    collision_table = g_string_new(NULL);
    p.on_event = keylog_sent;
    pair_establish(&p);
    ike_sa *s0 = pair_sa(&p, 0), *s1 = pair_sa(&p, 1);
    const uint64_t old_i = ike_sa_spi_i(s0);
    pair_advance(&p, 3600 * SEC);
    g_assert_cmpint(ike_ep_rekey_ike(p.ep[0], s0, p.now), ==, IKE_OK);
    g_assert_cmpint(ike_ep_rekey_ike(p.ep[1], s1, p.now), ==, IKE_OK);
    g_assert_cmpint(pair_deliver(&p, MS), ==, 8);
    g_assert_cmpint(ike_ep_liveness(p.ep[0], s0, p.now), ==, IKE_OK);
    g_assert_cmpint(pair_deliver(&p, MS), ==, 2);
    g_assert_cmpuint(count_lines(collision_table->str), ==, 3);

    /* two CREATE_CHILD_SA requests, their answers (no TEMPORARY_FAILURE), two Deletes answered, a check */
    char *pcap, *dir = capture(&p, collision_table, "34\n34\n35\n35\n36\n36\n36\n36\n37\n37\n37\n37\n37\n37", &pcap);
    tshark_assert_field(dir, pcap, "isakmp.exchangetype == 36 && isakmp.notify.msgtype", "frame.number", "");
    /* exchange k: side k's request (I flag = k == 0, R clear) and the other's answer */
    char **fi = ccsa_field(dir, pcap, "isakmp.flag_i"), **fr = ccsa_field(dir, pcap, "isakmp.flag_r");
    char **nonce = ccsa_field(dir, pcap, "isakmp.nonce"), **spi = ccsa_field(dir, pcap, "isakmp.spi");
    const char *low[2] = {NULL, NULL}, *req_spi[2] = {NULL, NULL}, *resp_spi[2] = {NULL, NULL};
    for (int m = 0; m < 4; m++) {
        bool i = g_str_equal(fi[m], "1"), r = g_str_equal(fr[m], "1");
        int k = i != r ? 0 : 1; /* side 0 is the old SA's original initiator */
        if (!low[k] || strcmp(nonce[m], low[k]) < 0) /* same length in hex: as octets */
            low[k] = nonce[m];
        if (r)
            resp_spi[k] = spi[m];
        else
            req_spi[k] = spi[m];
    }
    g_assert_true(req_spi[0] && req_spi[1] && resp_spi[0] && resp_spi[1]);
    int loser = strcmp(low[0], low[1]) < 0 ? 0 : 1, winner = 1 - loser;
    /* the Deletes: of the old SA (by the winner) and of the loser's new SA */
    char want[128];
    g_autofree char *ispi = tshark_fields(dir, pcap, "isakmp.delete.protoid == 1", "isakmp.ispi");
    g_autofree char *rspi = tshark_fields(dir, pcap, "isakmp.delete.protoid == 1", "isakmp.rspi");
    g_assert_nonnull(strstr(ispi, req_spi[loser]));
    g_assert_nonnull(strstr(rspi, resp_spi[loser]));
    g_snprintf(want, sizeof want, "%016" G_GINT64_MODIFIER "x", old_i);
    g_assert_nonnull(strstr(ispi, want));
    g_assert_cmpuint(count_lines(ispi), ==, 2);
    /* the check runs on the winner's SA */
    g_snprintf(want, sizeof want, "%s\n%s", req_spi[winner], req_spi[winner]);
    tshark_assert_field(dir, pcap, "frame.number >= 13", "isakmp.ispi", want);
    g_snprintf(want, sizeof want, "%016" G_GINT64_MODIFIER "x", ike_sa_spi_i(s1));
    g_assert_cmpstr(req_spi[winner], ==, want);
    g_strfreev(fi);
    g_strfreev(fr);
    g_strfreev(nonce);
    g_strfreev(spi);
    capture_remove(dir, pcap);
    pair_free(&p);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ike-rekey-tshark/capture", test_capture);
    g_test_add_func("/ike-rekey-tshark/collision", test_collision);
    return g_test_run();
}
