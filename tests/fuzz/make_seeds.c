/* Writes the datagrams of a real handshake, liveness check and Delete into
 * a folder, as the fuzzers' starting corpus, and the IKE_SESSION_RESUME
 * messages and (in the clear, for the payload-set readers) a Child SA and an
 * IKE SA rekey request; into a second folder, if given, scripts for
 * fuzz_ike_session (session_script.h) that each reach one exchange of an
 * established SA. */
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "fuzz_ticket.h"
#include "ike_ccsa.h"
#include "ike_resume_wire.h"
#include "ikepair.h"
#include "session_script.h"

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
    /* a ticket fuzz_ike_receive's responder opens: its keys, its ID, its suite */
    ike_ticket_keys keys;
    fuzz_ticket_keys(&keys);
    ike_ticket_state st = { .spi_i = 1, .spi_r = 2, .auth_method = IKE_AUTH_SHARED_KEY, .id_i_type = IKE_ID_FQDN,
                            .id_i_len = 9, .id_r_type = IKE_ID_FQDN, .id_r_len = 9, .expires = UINT64_MAX };
    ike_cfg d;
    ike_cfg_defaults(&d);
    st.suite = d.ike;
    memcpy(st.id_i, "initiator", 9);
    memcpy(st.id_r, "responder", 9);
    uint8_t good[IKE_TICKET_MAX], tnonce[IKE_TICKET_NONCE_LEN] = { 3 };
    size_t good_len;
    if (ike_ticket_seal(&keys, &st, tnonce, good, sizeof good, &good_len) == IKE_OK) {
        r = (ike_resume_msg){ .nonce = { nonce, 32 }, .ticket = { good, good_len } };
        n += ike_resume_request(0x0102030405060708u, &r, &m) == IKE_OK && write_msg(dir, "resume-req-valid", &m);
    }
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

#define REQ(head) OP_REQUEST, (head)
#define RESP(head) OP_RESPONSE, (head)
#define NOTIFY(t) PL_NOTIFY, (t)
/* an IKE SA rekey's payloads: the default suite with SPI a1..a8, a 16-octet
 * nonce, an X25519 KE (the base point) in group grp */
#define IKE_PROPOSAL PL_SA, IKE_PROTO_IKE, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 3, \
    IKE_TT_ENCR, 0, IKE_ENCR_AES_GCM_16, 1, IKE_TT_PRF, 0, IKE_PRF_HMAC_SHA2_256, 0, IKE_TT_DH, 0, IKE_DH_CURVE25519, 0
#define NONCE16 PL_NONCE, 16, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16
#define NONCE16_OF(x) PL_NONCE, 16, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x
#define KE_X25519(grp) PL_KE, 0, (grp), 32, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, \
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0

/* a Child SA's: ESP, SPI c1..c4, AES-GCM-16/256, no ESN (and for PFS X25519 after it, as the
 * endpoint orders them); a traffic selector over everything, TSi (0) or TSr (1) */
#define CHILD_PROPOSAL PL_SA, IKE_PROTO_ESP, 0xc1, 0xc2, 0xc3, 0xc4, 2, \
    IKE_TT_ENCR, 0, IKE_ENCR_AES_GCM_16, 1, IKE_TT_ESN, 0, 0, 0
#define CHILD_PROPOSAL_PFS PL_SA, IKE_PROTO_ESP, 0xc1, 0xc2, 0xc3, 0xc4, 3, \
    IKE_TT_ENCR, 0, IKE_ENCR_AES_GCM_16, 1, IKE_TT_ESN, 0, 0, 0, IKE_TT_DH, 0, IKE_DH_CURVE25519, 0
#define TS_ALL(r) PL_TS, (r), 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0, 255, 255, 255, 255
#define CHILD_REKEY_REQ REQ(HEAD_X_CREATE_CHILD_SA), 5, NOTIFY(NT_REKEY_SA), 1, CHILD_PROPOSAL, NONCE16, \
    TS_ALL(0), TS_ALL(1)
#define CHILD_REKEY_RESP RESP(HEAD_X_CREATE_CHILD_SA), 4, CHILD_PROPOSAL, NONCE16, TS_ALL(0), TS_ALL(1)
/* a TICKET_LT_OPAQUE (16409): an hour, a 20-octet ticket */
#define TICKET_LT NOTIFY(NT_RAW), 0x40, 0x19, 24, 0, 0, 0x0e, 0x10, 1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, \
    11, 12, 13, 14, 15, 16
#define IDI_INITIATOR PL_ID, 0, IKE_ID_FQDN, 14, 'i', 'n', 'i', 't', 'i', 'a', 't', 'o', 'r', '.', 'f', 'u', 'z', 'z'

/* Each script body after its setup octet; every setup gets every body. */
#define SCRIPT(name, ...) {name, sizeof((const uint8_t[]){__VA_ARGS__}), {__VA_ARGS__}}
static const struct { const char *name; size_t len; uint8_t body[200]; } scripts[] = {
    SCRIPT("liveness-from-peer", REQ(0), 0),
    SCRIPT("liveness-ours", OP_LOCAL, LOCAL_LIVENESS, RESP(0), 0),
    SCRIPT("retransmitted-request", REQ(0), 0, REQ(HEAD_MID(MID_PREVIOUS)), 0),
    SCRIPT("delete-ike", REQ(0), 1, PL_DELETE, 0),
    SCRIPT("delete-child", REQ(0), 1, PL_DELETE, 1),
    SCRIPT("initial-contact", REQ(0), 1, NOTIFY(NT_INITIAL_CONTACT), 0),
    SCRIPT("mid-sync", REQ(HEAD_MID(MID_ZERO)), 1, NOTIFY(NT_MID_SYNC), 1, 0, 0, 0, 1,
           BASE_PEER_NEXT, 0, 4, BASE_OUR_NEXT, 0, 0),
    SCRIPT("mid-and-replay-sync", REQ(HEAD_MID(MID_ZERO)), 2, NOTIFY(NT_MID_SYNC), 1, 0, 0, 0, 2,
           BASE_PEER_NEXT, 0, 8, BASE_OUR_NEXT, 0, 0, NOTIFY(NT_REPLAY_SYNC), 0, 0, 0, 0, 0, 0,
           0, 0x13, 0x88),
    SCRIPT("replay-sync", REQ(0), 1, NOTIFY(NT_REPLAY_SYNC), 0, 0, 0, 0, 0, 0, 0, 0x03, 0xe8),
    SCRIPT("our-mid-sync-answered", OP_LOCAL, LOCAL_MID_SYNC, 0, 0, 0, 0, 0, 0,
           RESP(HEAD_MID(MID_ZERO)), 1, NOTIFY(NT_MID_SYNC), 0, BASE_PEER_NEXT, 0, 0,
           BASE_OUR_NEXT, 0, 4),
    SCRIPT("our-replay-sync-answered", OP_LOCAL, LOCAL_REPLAY_SYNC, 0, 0, 0, 0, 0x10, 0, RESP(0),
           0),
    SCRIPT("invalid-ike-spi-hint", OP_UNPROTECTED, 0, 1, NOTIFY(NT_INVALID_IKE_SPI), 0),
    SCRIPT("qcd-token-right", OP_UNPROTECTED, 0, 2, NOTIFY(NT_INVALID_IKE_SPI), 0,
           NOTIFY(NT_QCD_TOKEN), 0),
    SCRIPT("qcd-token-wrong", OP_UNPROTECTED, 0, 2, NOTIFY(NT_INVALID_IKE_SPI), 0,
           NOTIFY(NT_QCD_TOKEN), 16, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16),
    SCRIPT("invalid-spi-hint", OP_UNPROTECTED, 0, 1, NOTIFY(NT_INVALID_SPI), 1),
    SCRIPT("dpd-after-idle", OP_TIME, 0x03, 0x00, RESP(0), 0),
    SCRIPT("retransmissions-run-out", OP_LOCAL, LOCAL_LIVENESS, OP_TIME, 0x10, 0x00, OP_TIME,
           0x30, 0x00, OP_TIME, 0xff, 0xff),
    SCRIPT("our-delete", OP_LOCAL, LOCAL_DELETE, RESP(0), 1, PL_DELETE, 0),
    SCRIPT("unknown-critical", REQ(0), 1, PL_UNKNOWN, 0x81, 3, 1, 2, 3),
    SCRIPT("create-child-sa", REQ(HEAD_X_CREATE_CHILD_SA), 2, PL_NONCE, 2, 9, 9, PL_SA, 3, 0),
    SCRIPT("error-response", OP_LOCAL, LOCAL_LIVENESS, RESP(0), 1, NOTIFY(NT_INVALID_SYNTAX), 0),
    SCRIPT("tampered", REQ(0), 0, OP_TAMPER, 0, 40, 1, OP_REPLAY),
    SCRIPT("ticket-request", REQ(0), 1, NOTIFY(NT_RAW), 0x40, 0x1a, 0),
    SCRIPT("ike-rekey-from-peer", REQ(HEAD_X_CREATE_CHILD_SA), 3, IKE_PROPOSAL, NONCE16, KE_X25519(IKE_DH_CURVE25519),
           REQ(0), 0),
    SCRIPT("ike-rekey-ours", OP_LOCAL, LOCAL_REKEY_IKE, RESP(HEAD_X_CREATE_CHILD_SA), 3, IKE_PROPOSAL, NONCE16,
           KE_X25519(IKE_DH_CURVE25519), OP_LOCAL, LOCAL_LIVENESS, RESP(0), 0),
    /* both rekey at once (§2.8.2): the peer's exchange holds the lowest nonce (its Ni), or ours does
     * (its Nr); or the peer's Delete of the old SA comes instead of its answer */
    SCRIPT("ike-rekey-collision-won", OP_LOCAL, LOCAL_REKEY_IKE, REQ(HEAD_X_CREATE_CHILD_SA), 3, IKE_PROPOSAL,
           NONCE16_OF(0), KE_X25519(IKE_DH_CURVE25519), RESP(HEAD_X_CREATE_CHILD_SA), 3, IKE_PROPOSAL,
           NONCE16_OF(0xff), KE_X25519(IKE_DH_CURVE25519), OP_LOCAL, LOCAL_LIVENESS, RESP(0), 0),
    SCRIPT("ike-rekey-collision-lost", OP_LOCAL, LOCAL_REKEY_IKE, REQ(HEAD_X_CREATE_CHILD_SA), 3, IKE_PROPOSAL,
           NONCE16_OF(0xff), KE_X25519(IKE_DH_CURVE25519), RESP(HEAD_X_CREATE_CHILD_SA), 3, IKE_PROPOSAL,
           NONCE16_OF(0), KE_X25519(IKE_DH_CURVE25519), OP_LOCAL, LOCAL_LIVENESS, RESP(0), 0),
    SCRIPT("ike-rekey-collision-deleted", OP_LOCAL, LOCAL_REKEY_IKE, REQ(HEAD_X_CREATE_CHILD_SA), 3, IKE_PROPOSAL,
           NONCE16, KE_X25519(IKE_DH_CURVE25519), REQ(0), 1, PL_DELETE, 0, OP_LOCAL, LOCAL_LIVENESS, RESP(0), 0),
    /* the peer rekeys twice with the same SPIi: two SAs share it, each with its own keys and IVs */
    SCRIPT("ike-rekey-from-peer-twice", REQ(HEAD_X_CREATE_CHILD_SA), 3, IKE_PROPOSAL, NONCE16,
           KE_X25519(IKE_DH_CURVE25519), REQ(HEAD_X_CREATE_CHILD_SA), 3, IKE_PROPOSAL, NONCE16,
           KE_X25519(IKE_DH_CURVE25519), REQ(0), 0),
    SCRIPT("ike-rekey-wrong-ke", REQ(HEAD_X_CREATE_CHILD_SA), 3, IKE_PROPOSAL, NONCE16, KE_X25519(IKE_DH_ECP256)),
    SCRIPT("esp-seen-and-invalid-spi", OP_LOCAL, LOCAL_ESP_SEEN, OP_LOCAL, LOCAL_INVALID_SPI, 1, 2,
           3, 4, 1),
    /* Child SA rekeys (RFC 7296 §1.3.3, §2.8): the peer's, then its Delete of the old SA; ours,
     * answered, then our Delete answered; with PFS (SETUP_CHILD_PFS) */
    SCRIPT("child-rekey-from-peer", CHILD_REKEY_REQ, REQ(0), 1, PL_DELETE, 1),
    SCRIPT("child-rekey-from-peer-pfs", REQ(HEAD_X_CREATE_CHILD_SA), 6, NOTIFY(NT_REKEY_SA), 1, CHILD_PROPOSAL_PFS,
           NONCE16, KE_X25519(IKE_DH_CURVE25519), TS_ALL(0), TS_ALL(1), REQ(0), 1, PL_DELETE, 1),
    SCRIPT("child-rekey-ours", OP_LOCAL, LOCAL_REKEY_CHILD, CHILD_REKEY_RESP, RESP(0), 0),
    SCRIPT("child-rekey-ours-pfs", OP_LOCAL, LOCAL_REKEY_CHILD, RESP(HEAD_X_CREATE_CHILD_SA), 5, CHILD_PROPOSAL_PFS,
           NONCE16, KE_X25519(IKE_DH_CURVE25519), TS_ALL(0), TS_ALL(1), RESP(0), 0),
    /* both rekey the same Child SA at once (§2.8.1: the nonces decide), then the Deletes */
    SCRIPT("child-rekey-collision", OP_LOCAL, LOCAL_REKEY_CHILD, CHILD_REKEY_REQ, CHILD_REKEY_RESP, RESP(0), 0,
           REQ(0), 1, PL_DELETE, 1),
    /* §2.25: a rekey of an SPI the endpoint does not have; ours answered so */
    SCRIPT("child-sa-not-found", REQ(HEAD_X_CREATE_CHILD_SA), 5, NOTIFY(NT_REKEY_SA), 2, 0xde, 0xad, 0xbe, 0xef,
           CHILD_PROPOSAL, NONCE16, TS_ALL(0), TS_ALL(1)),
    SCRIPT("child-rekey-ours-not-found", OP_LOCAL, LOCAL_REKEY_CHILD, RESP(HEAD_X_CREATE_CHILD_SA), 1,
           NOTIFY(NT_CHILD_SA_NOT_FOUND), 0),
    /* RFC 5723 §4.3.1: the endpoint asks for a ticket in INFORMATIONAL: granted, promised, refused */
    SCRIPT("ticket-ours-granted", OP_LOCAL, LOCAL_REQUEST_TICKET, RESP(0), 1, TICKET_LT),
    SCRIPT("ticket-ours-ack", OP_LOCAL, LOCAL_REQUEST_TICKET, RESP(0), 1, NOTIFY(NT_RAW), 0x40, 0x1b, 0),
    SCRIPT("ticket-ours-nack", OP_LOCAL, LOCAL_REQUEST_TICKET, RESP(0), 1, NOTIFY(NT_RAW), 0x40, 0x1c, 0),
    /* §4.3.2-4.3.3: IKE_SESSION_RESUME with the gateway's ticket, the resumed SA's IKE_AUTH
     * (asking for a new ticket), a liveness check on it; tickets it refuses */
    SCRIPT("resume", OP_RESUME, RESUME_TICKET, REQ(HEAD_X_IKE_AUTH), 6, IDI_INITIATOR, PL_AUTH, 0, CHILD_PROPOSAL,
           TS_ALL(0), TS_ALL(1), NOTIFY(NT_RAW), 0x40, 0x1a, 0, REQ(0), 0),
    SCRIPT("resume-unknown-key", OP_RESUME, RESUME_UNKNOWN_KEY),
    SCRIPT("resume-expired", OP_RESUME, RESUME_EXPIRED),
};

static int session_scripts(const char *dir)
{
    static const uint8_t setups[] = {0, SETUP_RESPONDER, SETUP_CBC, SETUP_RESPONDER | SETUP_CBC, SETUP_CHILD_PFS,
                                     SETUP_RESPONDER | SETUP_CHILD_PFS};
    int n = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(scripts); i++)
        for (size_t k = 0; k < G_N_ELEMENTS(setups); k++) {
            uint8_t buf[1 + sizeof scripts[i].body];
            buf[0] = setups[k];
            memcpy(buf + 1, scripts[i].body, scripts[i].len);
            g_autofree char *path = g_strdup_printf("%s/%s-%u", dir, scripts[i].name, setups[k]);
            if (!g_file_set_contents(path, (const char *)buf, 1 + scripts[i].len, NULL))
                return -1;
            n++;
        }
    /* and all of them in one script: a long seed lets inputs grow long */
    for (size_t k = 0; k < G_N_ELEMENTS(setups); k++) {
        GByteArray *all = g_byte_array_new();
        g_byte_array_append(all, &setups[k], 1);
        for (size_t i = 0; i < G_N_ELEMENTS(scripts); i++)
            g_byte_array_append(all, scripts[i].body, (guint)scripts[i].len);
        g_autofree char *path = g_strdup_printf("%s/all-%u", dir, setups[k]);
        gboolean ok = g_file_set_contents(path, (const char *)all->data, all->len, NULL);
        g_byte_array_unref(all);
        if (!ok)
            return -1;
        n++;
    }
    return n;
}

int main(int argc, char **argv)
{
    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: %s CORPUS_DIR [SESSION_CORPUS_DIR]\n", argv[0]);
        return 2;
    }
    if (argc == 3) {
        g_mkdir_with_parents(argv[2], 0755);
        int k = session_scripts(argv[2]);
        if (k < 0)
            return 1;
        printf("%d seeds in %s\n", k, argv[2]);
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
