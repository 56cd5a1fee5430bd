/* test_lifecycle_tshark.c — the lifecycle exchanges as an independent
 * dissector sees them: IKE_SESSION_RESUME request (with a cookie), its
 * acceptance and its refusal in the clear; an IKE_AUTH response granting a
 * ticket, a Child SA rekey with PFS and an IKE SA rekey inside SK payloads
 * sealed with keys derived by this model (a rekeyed and a resumed IKE SA's).
 * They are written to a pcap (raw IPv4, UDP 500) and tshark must dissect
 * every frame without a malformed or warning mark, decrypt every SK payload
 * with the keys we export and show the fields we put there. */
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "ike_ccsa.h"
#include "ike_rekey_keys.h"
#include "ike_resume_wire.h"
#include "tshark.h"

static const ike_suite SUITE = { IKE_ENCR_AES_GCM_16, 256, IKE_INTEG_NONE, IKE_PRF_HMAC_SHA2_256,
                                 IKE_DH_CURVE25519 };

typedef struct capture {
    FILE *f;
    unsigned frames;
} capture;

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

/* One datagram 192.0.2.1:500 <-> 192.0.2.2:500 as a LINKTYPE_RAW record. */
static void frame(capture *c, bool from_initiator, const uint8_t *msg, size_t len)
{
    uint8_t rec[16], ip[28] = { 0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 17, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2 };
    if (!from_initiator) {
        ip[15] = 2;
        ip[19] = 1;
    }
    put16(ip + 2, 28 + (unsigned)len);
    uint32_t sum = 0;
    for (int i = 0; i < 20; i += 2)
        sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
    sum = (sum & 0xffff) + (sum >> 16);
    put16(ip + 10, ~sum & 0xffff);
    put16(ip + 20, 500);
    put16(ip + 22, 500);
    put16(ip + 24, 8 + (unsigned)len); /* UDP checksum 0: none (IPv4) */
    put32le(rec, 1000 + c->frames);
    put32le(rec + 4, 0);
    put32le(rec + 8, (uint32_t)(28 + len));
    put32le(rec + 12, (uint32_t)(28 + len));
    fwrite(rec, 1, sizeof rec, c->f);
    fwrite(ip, 1, sizeof ip, c->f);
    fwrite(msg, 1, len, c->f);
    c->frames++;
}

static void clear_msg(capture *c, const ike_msg *m)
{
    uint8_t out[IKE_MAX_MSG];
    size_t len;
    g_assert_cmpint(ike_encode(m, out, sizeof out, &len), ==, IKE_OK);
    frame(c, (m->hdr.flags & IKE_FLAG_R) == 0, out, len);
}

static void sealed_msg(capture *c, const ike_keys *k, const ike_hdr *h, const ike_payload *pl, size_t n)
{
    static uint64_t iv_ctr;
    uint8_t out[IKE_MAX_MSG], iv[8];
    bool init = (h->flags & IKE_FLAG_R) == 0; /* requests here all come from the original initiator */
    size_t len;
    iv_ctr++;
    for (int i = 0; i < 8; i++)
        iv[i] = (uint8_t)(iv_ctr >> (56 - 8 * i));
    g_assert_cmpint(ike_sk_seal(&SUITE, init ? k->ei : k->er, init ? k->ai : k->ar, h, pl, n, iv, out,
                                sizeof out, &len), ==, IKE_OK);
    frame(c, init, out, len);
}

static uint8_t NI[32], NR[32], SK_D[32], KE[32], TICKET[60], COOKIE[16];

static void write_capture(const char *pcap, const char *uat)
{
    capture c = { fopen(pcap, "wb"), 0 };
    g_assert_nonnull(c.f);
    uint8_t gh[24] = { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0 };
    put32le(gh + 16, 65535);
    put32le(gh + 20, 101); /* LINKTYPE_RAW */
    fwrite(gh, 1, sizeof gh, c.f);
    static ike_msg m;

    /* 1-3: IKE_SESSION_RESUME with a cookie; accepted; refused */
    ike_resume_msg r = { .cookie = { COOKIE, sizeof COOKIE }, .nonce = { NI, 32 }, .ticket = { TICKET, sizeof TICKET } };
    g_assert_cmpint(ike_resume_request(0x0102030405060708u, &r, &m), ==, IKE_OK);
    clear_msg(&c, &m);
    r = (ike_resume_msg){ .nonce = { NR, 32 } };
    g_assert_cmpint(ike_resume_response(0x0102030405060708u, 0x1112131415161718u, &r, &m), ==, IKE_OK);
    clear_msg(&c, &m);
    r = (ike_resume_msg){ .nack = true };
    g_assert_cmpint(ike_resume_response(0x0102030405060708u, 0, &r, &m), ==, IKE_OK);
    clear_msg(&c, &m);

    /* 4: the resumed SA's IKE_AUTH response grants a new ticket */
    ike_keys resumed, rekeyed;
    g_assert_cmpint(ike_resume_keys(&SUITE, SK_D, NI, 32, NR, 32, 0x0102030405060708u,
                                    0x1112131415161718u, &resumed), ==, IKE_OK);
    uint8_t lt[128];
    ike_payload pl[IKE_CCSA_MAX_PAYLOADS];
    g_assert_cmpint(ike_ticket_lt_payload(3600, TICKET, sizeof TICKET, lt, sizeof lt, &pl[0]), ==, IKE_OK);
    ike_hdr h = { 0x0102030405060708u, 0x1112131415161718u, 0, IKE_VERSION, IKE_AUTH, IKE_FLAG_R, 1, 0 };
    sealed_msg(&c, &resumed, &h, pl, 1);

    /* 5: a Child SA rekey with PFS on the resumed SA (MID 2) */
    ike_sa_pl child = { .n = 1 };
    child.p[0] = (ike_proposal){ .num = 1, .proto = IKE_PROTO_ESP, .spi_size = 4, .spi = { 0xca, 0xfe, 0, 1 },
                                 .n_transforms = 3,
                                 .t = { { IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, 256, false },
                                        { IKE_TT_DH, IKE_DH_CURVE25519, 0, false },
                                        { IKE_TT_ESN, IKE_ESN_NO, 0, false } } };
    ike_ts_pl ts = { .n = 1 };
    ts.s[0] = (ike_ts_sel){ .type = IKE_TS_IPV4_RANGE, .end_port = 0xffff, .start = { 10, 0, 0, 0 },
                            .end = { 10, 0, 0, 255 } };
    ike_ccsa cc = { .kind = IKE_CCSA_REKEY_CHILD, .rekey_proto = IKE_PROTO_ESP, .rekey_spi = 0xc0ffee01,
                    .sa = &child, .nonce = { NI, 32 }, .ke_group = IKE_DH_CURVE25519, .ke = { KE, 32 },
                    .tsi = &ts, .tsr = &ts };
    size_t n;
    g_assert_cmpint(ike_ccsa_build(&cc, false, pl, G_N_ELEMENTS(pl), &n), ==, IKE_OK);
    h = (ike_hdr){ 0x0102030405060708u, 0x1112131415161718u, 0, IKE_VERSION, IKE_CREATE_CHILD_SA,
                   IKE_FLAG_I, 2, 0 };
    sealed_msg(&c, &resumed, &h, pl, n);

    /* 6: an IKE SA rekey (MID 3): new SPI 0x2122232425262728 in the proposal */
    ike_sa_pl ike = { .n = 1 };
    ike.p[0] = (ike_proposal){ .num = 1, .proto = IKE_PROTO_IKE, .spi_size = 8,
                               .spi = { 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28 }, .n_transforms = 3,
                               .t = { { IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, 256, false },
                                      { IKE_TT_PRF, IKE_PRF_HMAC_SHA2_256, 0, false },
                                      { IKE_TT_DH, IKE_DH_CURVE25519, 0, false } } };
    cc = (ike_ccsa){ .kind = IKE_CCSA_REKEY_IKE, .sa = &ike, .nonce = { NI, 32 },
                     .ke_group = IKE_DH_CURVE25519, .ke = { KE, 32 } };
    g_assert_cmpint(ike_ccsa_build(&cc, false, pl, G_N_ELEMENTS(pl), &n), ==, IKE_OK);
    h.exchange = IKE_CREATE_CHILD_SA;
    h.msg_id = 3;
    sealed_msg(&c, &resumed, &h, pl, n);

    /* 7: the first request on the rekeyed SA (MID 0): an empty INFORMATIONAL under its new keys */
    g_assert_cmpint(ike_rekey_ike_keys(&SUITE, resumed.d, KE, 32, NI, 32, NR, 32, 0x2122232425262728u,
                                       0x3132333435363738u, &rekeyed), ==, IKE_OK);
    h = (ike_hdr){ 0x2122232425262728u, 0x3132333435363738u, 0, IKE_VERSION, IKE_INFORMATIONAL, IKE_FLAG_I, 0, 0 };
    sealed_msg(&c, &rekeyed, &h, NULL, 0);
    fclose(c.f);

    char line[2][512];
    g_assert_cmpint(ike_keylog_keys(0x0102030405060708u, 0x1112131415161718u, &SUITE, &resumed, line[0],
                                    sizeof line[0]), >, 0);
    g_assert_cmpint(ike_keylog_keys(0x2122232425262728u, 0x3132333435363738u, &SUITE, &rekeyed, line[1],
                                    sizeof line[1]), >, 0);
    g_autofree char *table = g_strdup_printf("%s\n%s\n", line[0], line[1]);
    g_assert_true(g_file_set_contents(uat, table, -1, NULL));
}

static char *hex(const uint8_t *p, size_t len)
{
    GString *s = g_string_new(NULL);
    for (size_t i = 0; i < len; i++)
        g_string_append_printf(s, "%02x", p[i]);
    return g_string_free(s, FALSE);
}

static void test_dissected(void)
{
    if (!tshark_available()) {
        g_test_skip("tshark not installed (scripts/install-deps.sh)");
        return;
    }
    g_autofree char *dir = g_dir_make_tmp("ikesim-lifecycle-XXXXXX", NULL);
    g_assert_nonnull(dir);
    g_autofree char *pcap = g_build_filename(dir, "lifecycle.pcap", NULL);
    g_autofree char *uat = g_build_filename(dir, "ikev2_decryption_table", NULL);
    write_capture(pcap, uat);

    g_autofree char *bad = tshark_bad_frames(dir, pcap);
    g_assert_cmpstr(bad, ==, "");
    tshark_assert_field(dir, pcap, "isakmp", "isakmp.exchangetype", "38\n38\n38\n35\n36\n36\n37");
    /* decrypted: every SK payload, with its ICV found correct (no warning above) */
    tshark_assert_field(dir, pcap, "isakmp.nextpayload == 46 && !isakmp.enc.decrypted", "frame.number", "");
    tshark_assert_field(dir, pcap, "isakmp.enc.decrypted", "frame.number", "4\n5\n6\n7");
    g_autofree char *ticket = hex(TICKET, sizeof TICKET);
    tshark_assert_field(dir, pcap, "isakmp.notify.msgtype == 16413", "isakmp.notify.data.ticket_opaque.data", ticket);
    tshark_assert_field(dir, pcap, "isakmp.notify.msgtype == 16409", "isakmp.notify.data.ticket_opaque.lifetime", "3600");
    tshark_assert_field(dir, pcap, "isakmp.notify.msgtype == 16409", "isakmp.notify.data.ticket_opaque.data", ticket);
    tshark_assert_field(dir, pcap, "isakmp.notify.msgtype == 16412", "isakmp.rspi", "0000000000000000");
    tshark_assert_field(dir, pcap, "isakmp.notify.msgtype == 16390 && isakmp.exchangetype == 38", "frame.number", "1");
    tshark_assert_field(dir, pcap, "isakmp.exchangetype == 38 && isakmp.flag_r == 1 && isakmp.nonce", "isakmp.rspi",
                 "1112131415161718");
    /* REKEY_SA: ESP, the replaced SA's SPI; the Child proposal's SPI; PFS group */
    tshark_assert_field(dir, pcap, "isakmp.notify.msgtype == 16393", "isakmp.notify.protoid", "3");
    tshark_assert_field(dir, pcap, "isakmp.notify.msgtype == 16393", "isakmp.spisize", "4,4"); /* notify, proposal */
    tshark_assert_field(dir, pcap, "isakmp.notify.msgtype == 16393", "isakmp.spi", "c0ffee01,cafe0001");
    tshark_assert_field(dir, pcap, "frame.number == 5", "isakmp.key_exchange.dh_group", "31");
    /* IKE rekey: 8-octet SPI in an IKE proposal, no traffic selectors */
    tshark_assert_field(dir, pcap, "frame.number == 6", "isakmp.prop.protoid", "1");
    tshark_assert_field(dir, pcap, "frame.number == 6", "isakmp.spisize", "8");
    tshark_assert_field(dir, pcap, "frame.number == 6", "isakmp.spi", "2122232425262728");
    tshark_assert_field(dir, pcap, "frame.number == 6 && isakmp.ts.type", "frame.number", "");
    const char *files[] = { "lifecycle.pcap", "ikev2_decryption_table" };
    for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
        g_autofree char *p = g_build_filename(dir, files[i], NULL);
        g_assert_cmpint(g_remove(p), ==, 0);
    }
    g_assert_cmpint(g_rmdir(dir), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (int i = 0; i < 32; i++) {
        NI[i] = (uint8_t)i;
        NR[i] = (uint8_t)(0x20 + i);
        SK_D[i] = (uint8_t)(0x40 + i);
        KE[i] = (uint8_t)(0x60 + i);
    }
    for (size_t i = 0; i < sizeof TICKET; i++)
        TICKET[i] = (uint8_t)(0x90 + i);
    memset(COOKIE, 0xc5, sizeof COOKIE);
    g_test_add_func("/lifecycle-tshark/dissected", test_dissected);
    return g_test_run();
}
