/* Writes the datagrams of a real handshake, liveness check and Delete into
 * a folder, as the fuzzers' starting corpus, and the IKE_SESSION_RESUME
 * messages and (in the clear, for the payload-set readers) a Child SA and an
 * IKE SA rekey request. */
#include <stdio.h>

#include <glib/gstdio.h>

#include "ike_ccsa.h"
#include "ike_resume_wire.h"
#include "ikepair.h"

static int write_msg(const char *dir, const char *name, const ike_msg *m)
{
    uint8_t out[IKE_MAX_MSG];
    size_t len;
    g_autofree char *path = g_strdup_printf("%s/%s", dir, name);
    return ike_encode(m, out, sizeof out, &len) == IKE_OK &&
           g_file_set_contents(path, (const char *)out, (gssize)len, NULL);
}

/* The lifecycle exchanges' messages; returns how many were written. */
static int lifecycle_seeds(const char *dir)
{
    static const uint8_t nonce[32] = { 1, 2, 3 }, ticket[64] = { 1 }, ke[32] = { 9 };
    static ike_msg m;
    int n = 0;
    ike_resume_msg r = { .nonce = { nonce, 32 }, .ticket = { ticket, 64 } };
    n += ike_resume_request(0x0102030405060708u, &r, &m) == IKE_OK && write_msg(dir, "resume-req", &m);
    r = (ike_resume_msg){ .nonce = { nonce, 32 } };
    n += ike_resume_response(0x0102030405060708u, 9, &r, &m) == IKE_OK && write_msg(dir, "resume-ok", &m);
    r = (ike_resume_msg){ .nack = true };
    n += ike_resume_response(0x0102030405060708u, 0, &r, &m) == IKE_OK && write_msg(dir, "resume-nack", &m);

    ike_sa_pl child = { .n = 1 }, ike = { .n = 1 };
    child.p[0] = (ike_proposal){ .num = 1, .proto = IKE_PROTO_ESP, .spi_size = 4, .n_transforms = 1,
                                 .t = { { IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, 256, false } } };
    ike.p[0] = (ike_proposal){ .num = 1, .proto = IKE_PROTO_IKE, .spi_size = 8, .n_transforms = 2,
                               .t = { { IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, 256, false },
                                      { IKE_TT_DH, IKE_DH_CURVE25519, 0, false } } };
    ike_ts_pl ts = { .n = 1 };
    ts.s[0] = (ike_ts_sel){ .type = IKE_TS_IPV4_RANGE, .end_port = 0xffff, .end = { 255, 255, 255, 255 } };
    ike_ccsa sets[2] = {
        { .kind = IKE_CCSA_REKEY_CHILD, .rekey_proto = IKE_PROTO_ESP, .rekey_spi = 7, .sa = &child,
          .nonce = { nonce, 32 }, .ke_group = IKE_DH_CURVE25519, .ke = { ke, 32 }, .tsi = &ts, .tsr = &ts },
        { .kind = IKE_CCSA_REKEY_IKE, .sa = &ike, .nonce = { nonce, 32 }, .ke_group = IKE_DH_CURVE25519,
          .ke = { ke, 32 } },
    };
    for (int i = 0; i < 2; i++) {
        m = (ike_msg){ .hdr = { .spi_i = 1, .spi_r = 2, .version = IKE_VERSION,
                                .exchange = IKE_CREATE_CHILD_SA, .flags = IKE_FLAG_I, .msg_id = 2 } };
        g_autofree char *name = g_strdup_printf("ccsa-%d", i);
        n += ike_ccsa_build(&sets[i], false, m.pl, IKE_MAX_PAYLOADS, &m.n) == IKE_OK &&
             write_msg(dir, name, &m);
    }
    return n;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
        return 2;
    }
    g_mkdir_with_parents(argv[1], 0755);
    ike_cfg a, b;
    ike_test_cfg(&a, "a.example");
    ike_test_cfg(&b, "b.example");
    ike_pair p;
    pair_init(&p, &a, &b, 1);
    pair_establish(&p);
    ike_ep_liveness(p.ep[0], pair_sa(&p, 0), p.now);
    pair_deliver(&p, MS);
    ike_ep_delete(p.ep[0], pair_sa(&p, 0), p.now);
    pair_deliver(&p, MS);
    int n = 0;
    for (int s = 0; s < 2; s++)
        for (guint i = 0; i < p.sent[s]->len; i++) {
            g_autofree char *path = g_strdup_printf("%s/seed-%d-%u", argv[1], s, i);
            gsize len;
            const char *d = g_bytes_get_data(g_ptr_array_index(p.sent[s], i), &len);
            if (!g_file_set_contents(path, d, (gssize)len, NULL))
                return 1;
            n++;
        }
    pair_free(&p);
    n += lifecycle_seeds(argv[1]);
    printf("%d seeds in %s\n", n, argv[1]);
    return 0;
}
