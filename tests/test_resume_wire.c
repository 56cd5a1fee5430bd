/* test_resume_wire.c — RFC 5723 on the wire: the ticket notifies (§7) and
 * the IKE_SESSION_RESUME exchange (§4.3.2) against bytes derived by hand,
 * parse∘encode identity, and typed refusals.  Parses run on heap copies of
 * exactly the given length. */
#include <glib.h>
#include <string.h>

#include "hex.h"
#include "ike_resume_wire.h"

#define NONCE_HEX "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define TICKET_HEX "0100000000112233445566778899aabbccddeeff"
#define COOKIE_HEX "c0c1c2c3c4c5c6c7"

static uint8_t NONCE[32], TICKET[20], COOKIE[8];

/* HDR(SPIi, 0, next Nonce, 2.0, exchange 38, I, MID 0, 92), Ni, N(TICKET_OPAQUE = 16413). */
static const char REQ[] = "0102030405060708" "0000000000000000" "28202608" "00000000" "0000005c"
    "29000024" NONCE_HEX "0000001c" "0000401d" TICKET_HEX;
/* The same after a cookie demand: N(COOKIE = 16390) first. */
static const char REQ_COOKIE[] = "0102030405060708" "0000000000000000" "29202608" "00000000" "0000006c"
    "28000010" "00004006" COOKIE_HEX "29000024" NONCE_HEX "0000001c" "0000401d" TICKET_HEX;
/* Accept: HDR(SPIi, SPIr, 38, R), Nr. */
static const char ACCEPT[] = "0102030405060708" "1112131415161718" "28202620" "00000000" "00000040"
    "00000024" NONCE_HEX;
/* Refuse: HDR(SPIi, 0, 38, R), N(TICKET_NACK = 16412). */
static const char NACK[] = "0102030405060708" "0000000000000000" "29202620" "00000000" "00000024"
    "00000008" "0000401c";
/* N(TICKET_LT_OPAQUE = 16409): lifetime 3600 s, then the ticket. */
#define LT "00000020" "00004019" "00000e10" TICKET_HEX

static void assert_msg(const ike_msg *m, const char *want_hex)
{
    uint8_t want[512], got[512];
    size_t wlen = unhex(want_hex, want, sizeof want), glen = 0;
    g_assert_cmpint(ike_encode(m, got, sizeof got, &glen), ==, IKE_OK);
    g_assert_cmpmem(got, glen, want, wlen);
}

/* Parses hex from a heap copy (*copy, freed by the caller) and reads it. */
static int read_msg(const char *hex, ike_msg *m, uint8_t **copy, ike_resume_msg *r)
{
    uint8_t buf[2048];
    size_t len = unhex(hex, buf, sizeof buf);
    *copy = g_memdup2(buf, len);
    int rc = ike_parse(*copy, len, m);
    return rc ? rc : ike_resume_read(m, r);
}

/* Encodes m, parses and reads the result (*r points into a heap copy kept
 * until the next call). */
static int reread(const ike_msg *m, ike_resume_msg *r)
{
    static ike_msg back;
    static uint8_t *copy;
    uint8_t out[2 * IKE_MAX_MSG];
    size_t len = 0;
    g_clear_pointer(&copy, g_free);
    int rc = ike_encode(m, out, sizeof out, &len);
    if (rc)
        return rc;
    copy = g_memdup2(out, len);
    rc = ike_parse(copy, len, &back);
    if (rc == IKE_OK)
        rc = ike_resume_read(&back, r);
    return rc;
}

static ike_resume_msg request(void)
{
    return (ike_resume_msg){ .nonce = { NONCE, sizeof NONCE }, .ticket = { TICKET, sizeof TICKET } };
}

static void test_request(void)
{
    static ike_msg m, back;
    ike_resume_msg r = request(), got;
    g_assert_cmpint(ike_resume_request(0x0102030405060708u, &r, &m), ==, IKE_OK);
    assert_msg(&m, REQ);
    uint8_t *copy;
    g_assert_cmpint(read_msg(REQ, &back, &copy, &got), ==, IKE_OK);
    g_assert_cmpmem(got.nonce.p, got.nonce.len, NONCE, sizeof NONCE);
    g_assert_cmpmem(got.ticket.p, got.ticket.len, TICKET, sizeof TICKET);
    g_assert_cmpuint(got.cookie.len, ==, 0);
    g_assert_false(got.nack);
    /* parse∘encode: what was read builds the same octets */
    g_assert_cmpint(ike_resume_request(back.hdr.spi_i, &got, &m), ==, IKE_OK);
    assert_msg(&m, REQ);
    g_free(copy);

    r.cookie = (ike_bytes){ COOKIE, sizeof COOKIE };
    g_assert_cmpint(ike_resume_request(0x0102030405060708u, &r, &m), ==, IKE_OK);
    assert_msg(&m, REQ_COOKIE);
    g_assert_cmpint(read_msg(REQ_COOKIE, &back, &copy, &got), ==, IKE_OK);
    g_assert_cmpmem(got.cookie.p, got.cookie.len, COOKIE, sizeof COOKIE);
    g_free(copy);
}

static void test_responses(void)
{
    static ike_msg m, back;
    ike_resume_msg r = { .nonce = { NONCE, sizeof NONCE } }, got;
    g_assert_cmpint(ike_resume_response(0x0102030405060708u, 0x1112131415161718u, &r, &m), ==, IKE_OK);
    assert_msg(&m, ACCEPT);
    uint8_t *copy;
    g_assert_cmpint(read_msg(ACCEPT, &back, &copy, &got), ==, IKE_OK);
    g_assert_cmpmem(got.nonce.p, got.nonce.len, NONCE, sizeof NONCE);
    g_assert_false(got.nack);
    g_assert_cmphex(back.hdr.spi_r, ==, 0x1112131415161718u);
    g_free(copy);

    r = (ike_resume_msg){ .nack = true };
    g_assert_cmpint(ike_resume_response(0x0102030405060708u, 0, &r, &m), ==, IKE_OK);
    assert_msg(&m, NACK);
    g_assert_cmpint(read_msg(NACK, &back, &copy, &got), ==, IKE_OK);
    g_assert_true(got.nack);
    g_assert_cmpuint(got.nonce.len, ==, 0);
    g_free(copy);

    r = (ike_resume_msg){ .cookie = { COOKIE, sizeof COOKIE } };
    g_assert_cmpint(ike_resume_response(0x0102030405060708u, 0, &r, &m), ==, IKE_OK);
    g_assert_cmpint(reread(&m, &got), ==, IKE_OK);
    g_assert_cmpmem(got.cookie.p, got.cookie.len, COOKIE, sizeof COOKIE);
}

static void test_ticket_notifies(void)
{
    uint8_t buf[64], out[64], want[64];
    ike_payload p;
    size_t len;
    g_assert_cmpint(ike_ticket_lt_payload(3600, TICKET, sizeof TICKET, buf, sizeof buf, &p), ==, IKE_OK);
    g_assert_cmpint(ike_encode_chain(&p, 1, out, sizeof out, &len), ==, IKE_OK);
    size_t wlen = unhex(LT, want, sizeof want);
    g_assert_cmpmem(out, len, want, wlen);
    g_assert_cmpint(ike_ticket_lt_payload(3600, TICKET, sizeof TICKET, buf, 23, &p), ==, IKE_E_SPACE);
    g_assert_cmpint(ike_ticket_lt_payload(3600, TICKET, 0, buf, sizeof buf, &p), ==, IKE_E_SYNTAX);

    /* An IKE_AUTH response chain: N(USE_TRANSPORT_MODE), N(TICKET_LT_OPAQUE). */
    static ike_msg m;
    uint8_t chain[128];
    size_t clen = unhex("2900000800004007" LT, chain, sizeof chain);
    uint8_t *copy = g_memdup2(chain, clen);
    m.n = 0;
    g_assert_cmpint(ike_parse_chain(IKE_PL_NOTIFY, copy, clen, &m), ==, IKE_OK);
    ike_ticket_reply r;
    g_assert_cmpint(ike_ticket_reply_read(&m, 0, &r), ==, IKE_OK);
    g_assert_cmpint(r.answer, ==, IKE_TICKET_GRANTED);
    g_assert_cmpuint(r.lifetime_s, ==, 3600);
    g_assert_cmpmem(r.ticket.p, r.ticket.len, TICKET, sizeof TICKET);
    g_assert_false(ike_ticket_requested(&m, 0));
    g_free(copy);

    static const struct {
        const char *hex;
        int rc;
        ike_ticket_answer answer;
        bool requested;
    } cases[] = {
        { "000000080000401b", IKE_OK, IKE_TICKET_LATER, false },          /* TICKET_ACK */
        { "000000080000401c", IKE_OK, IKE_TICKET_REFUSED, false },        /* TICKET_NACK */
        { "000000080000401a", IKE_OK, IKE_TICKET_NONE, true },            /* TICKET_REQUEST */
        { "0000000800004007", IKE_OK, IKE_TICKET_NONE, false },           /* none of them */
        { "0000000c0000401900000e10", IKE_E_SYNTAX, 0, false },           /* lifetime, no ticket */
        { "00000020010040190000" "0e10" TICKET_HEX, IKE_E_SYNTAX, 0, false }, /* Protocol ID 1 */
        { "0000000c0004401c01020304", IKE_E_SYNTAX, 0, false },           /* NACK with an SPI */
        { "000000090000401b00", IKE_E_SYNTAX, 0, false },                 /* ACK with data */
        { "290000080000401b000000080000401c", IKE_E_PAYLOADS, 0, false }, /* ACK and NACK */
        { "000000090000401a00", IKE_OK, IKE_TICKET_NONE, false },         /* REQUEST with data: not one */
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_test_message("case %zu", i);
        clen = unhex(cases[i].hex, chain, sizeof chain);
        copy = g_memdup2(chain, clen);
        m.n = 0;
        g_assert_cmpint(ike_parse_chain(IKE_PL_NOTIFY, copy, clen, &m), ==, IKE_OK);
        g_assert_cmpint(ike_ticket_reply_read(&m, 0, &r), ==, cases[i].rc);
        if (cases[i].rc == IKE_OK)
            g_assert_cmpint(r.answer, ==, cases[i].answer);
        g_assert_cmpint(ike_ticket_requested(&m, 0), ==, cases[i].requested);
        g_free(copy);
    }
}

static void test_bad_build(void)
{
    static ike_msg m;
    ike_resume_msg r = request();
    g_assert_cmpint(ike_resume_request(0, &r, &m), ==, IKE_E_SYNTAX);
    r.nonce.len = 15;
    g_assert_cmpint(ike_resume_request(1, &r, &m), ==, IKE_E_SYNTAX);
    r = request();
    r.ticket.len = 0;
    g_assert_cmpint(ike_resume_request(1, &r, &m), ==, IKE_E_SYNTAX);
    r = (ike_resume_msg){ .nonce = { NONCE, sizeof NONCE } };
    g_assert_cmpint(ike_resume_response(1, 0, &r, &m), ==, IKE_E_SYNTAX); /* accept needs SPIr */
    r = (ike_resume_msg){ .nack = true };
    g_assert_cmpint(ike_resume_response(1, 2, &r, &m), ==, IKE_E_SYNTAX); /* a refusal has none */
    r.cookie = (ike_bytes){ COOKIE, sizeof COOKIE };
    g_assert_cmpint(ike_resume_response(1, 0, &r, &m), ==, IKE_E_SYNTAX); /* one answer */
}

/* Messages that break §4.3.2, each built from a valid one by one change. */
static void test_bad_read(void)
{
    static ike_msg m;
    static uint8_t big[IKE_TICKET_MAX + 1];
    ike_resume_msg r = request(), got;
    uint8_t ke[32] = { 0 };

    g_assert_cmpint(ike_resume_request(7, &r, &m), ==, IKE_OK);
    m.pl[m.n++] = (ike_payload){ .type = IKE_PL_KE, .u.ke = { IKE_DH_CURVE25519, { ke, 32 } } };
    g_assert_cmpint(reread(&m, &got), ==, IKE_E_PAYLOADS); /* no KE */

    g_assert_cmpint(ike_resume_request(7, &r, &m), ==, IKE_OK);
    m.pl[m.n++] = ike_ticket_opaque_payload(TICKET, sizeof TICKET);
    g_assert_cmpint(reread(&m, &got), ==, IKE_E_PAYLOADS); /* two tickets */

    g_assert_cmpint(ike_resume_request(7, &r, &m), ==, IKE_OK);
    m.n--;
    g_assert_cmpint(reread(&m, &got), ==, IKE_E_PAYLOADS); /* no ticket */

    g_assert_cmpint(ike_resume_request(7, &r, &m), ==, IKE_OK);
    m.pl[1].u.notify.data = (ike_bytes){ big, sizeof big };
    g_assert_cmpint(reread(&m, &got), ==, IKE_E_SYNTAX); /* a ticket too large */

    g_assert_cmpint(ike_resume_request(7, &r, &m), ==, IKE_OK);
    m.hdr.spi_r = 9;
    g_assert_cmpint(reread(&m, &got), ==, IKE_E_SYNTAX);
    m.hdr.spi_r = 0, m.hdr.msg_id = 1;
    g_assert_cmpint(reread(&m, &got), ==, IKE_E_SYNTAX);
    m.hdr.msg_id = 0, m.hdr.exchange = IKE_SA_INIT;
    g_assert_cmpint(reread(&m, &got), ==, IKE_E_SYNTAX);
    m.hdr.exchange = IKE_SESSION_RESUME, m.hdr.flags = 0;
    g_assert_cmpint(reread(&m, &got), ==, IKE_E_SYNTAX); /* a request without I */

    r = (ike_resume_msg){ .nonce = { NONCE, sizeof NONCE } };
    g_assert_cmpint(ike_resume_response(7, 8, &r, &m), ==, IKE_OK);
    m.hdr.spi_r = 0;
    g_assert_cmpint(reread(&m, &got), ==, IKE_E_SYNTAX); /* accepted without SPIr */
    m.hdr.spi_r = 8, m.hdr.flags |= IKE_FLAG_I;
    g_assert_cmpint(reread(&m, &got), ==, IKE_E_SYNTAX);
    m.hdr.flags = IKE_FLAG_R;
    m.pl[m.n++] = ike_pl_notify(IKE_PROTO_NONE, IKE_N_TICKET_NACK, NULL, 0);
    g_assert_cmpint(reread(&m, &got), ==, IKE_E_PAYLOADS); /* accept and refuse */
    m.n = 0;
    g_assert_cmpint(reread(&m, &got), ==, IKE_E_PAYLOADS); /* neither */
    m.pl[m.n++] = ike_pl_notify(IKE_PROTO_NONE, IKE_N_COOKIE, NULL, 0);
    g_assert_cmpint(reread(&m, &got), ==, IKE_E_SYNTAX); /* an empty cookie */

    /* every cut of a valid request: a typed error, no read past the cut */
    uint8_t buf[256];
    size_t len = unhex(REQ_COOKIE, buf, sizeof buf);
    for (size_t cut = 0; cut < len; cut++) {
        uint8_t *copy = g_memdup2(buf, cut);
        int rc = ike_parse(copy, cut, &m);
        g_assert_cmpint(rc, <, 0);
        g_free(copy);
    }
}

static void test_names(void)
{
    g_assert_cmpstr(ike_exchange_name(IKE_SESSION_RESUME), ==, "IKE_SESSION_RESUME");
    g_assert_cmpstr(ike_exchange_name(IKE_CREATE_CHILD_SA), ==, "CREATE_CHILD_SA");
    g_assert_cmpstr(ike_notify_name(16393), ==, "REKEY_SA");
    g_assert_cmpstr(ike_notify_name(16409), ==, "TICKET_LT_OPAQUE");
    g_assert_cmpstr(ike_notify_name(16413), ==, "TICKET_OPAQUE");
    g_assert_cmpstr(ike_notify_name(35), ==, "NO_ADDITIONAL_SAS");
    g_assert_cmpstr(ike_notify_name(16414), ==, "notify?");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    unhex(NONCE_HEX, NONCE, sizeof NONCE);
    unhex(TICKET_HEX, TICKET, sizeof TICKET);
    unhex(COOKIE_HEX, COOKIE, sizeof COOKIE);
    g_test_add_func("/resume-wire/request", test_request);
    g_test_add_func("/resume-wire/responses", test_responses);
    g_test_add_func("/resume-wire/ticket-notifies", test_ticket_notifies);
    g_test_add_func("/resume-wire/bad/build", test_bad_build);
    g_test_add_func("/resume-wire/bad/read", test_bad_read);
    g_test_add_func("/resume-wire/names", test_names);
    return g_test_run();
}
