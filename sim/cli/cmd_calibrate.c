/* ikesim calibrate: the CPU a responder spends on a handshake, per suite,
 * measured here with the model and OpenSSL: an IKE_SA_INIT request in and
 * its response out (DH, key derivation), then an IKE_AUTH request in and its
 * response out (PSK AUTH both ways, Child SA keys, SK payloads); and an RFC
 * 5723 IKE_SESSION_RESUME request in and its response out (no DH).  The
 * median of many handshakes, in thread CPU time. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "calibration.h"
#include "cli.h"

/* The suites of the committed table: every group with AES-GCM-16-256 and
 * PRF-HMAC-SHA2-256, then other ciphers and PRFs. */
static const char *const suites[] = {
    "aes256gcm16-prfsha256-x25519", "aes256gcm16-prfsha256-x448",     "aes256gcm16-prfsha256-ecp256",
    "aes256gcm16-prfsha256-ecp384", "aes256gcm16-prfsha256-ecp521",   "aes256gcm16-prfsha256-modp2048",
    "aes256gcm16-prfsha256-modp3072", "aes256gcm16-prfsha256-modp4096", "aes128gcm16-prfsha256-x25519",
    "aes128-sha256-prfsha256-modp2048", "aes128-sha256-prfsha256-x25519", "aes256-sha512-prfsha512-ecp384",
    "aes256-sha384-prfsha384-ecp384", "aes128-sha1-prfsha1-modp2048", "aes256ccm16-prfsha384-ecp384",
    "chacha20poly1305-prfsha256-x25519",
};

typedef struct wire {
    uint8_t msg[IKE_MAX_MSG];
    size_t len;
} wire;

static void on_send(void *ctx, uint64_t peer, const uint8_t *msg, size_t len)
{
    (void)peer;
    wire *w = ctx;
    memcpy(w->msg, msg, len);
    w->len = len;
}

static void on_random(void *ctx, uint8_t *out, size_t len)
{
    (void)ctx;
    if (RAND_bytes(out, (int)len) != 1)
        memset(out, 0x5a, len); /* never reached with a working OpenSSL */
}

static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static bool endpoint_cfg(ike_cfg *c, const char *suite, const char *id)
{
    ike_cfg_defaults(c);
    static const char psk[] = "calibration pre-shared key";
    memcpy(c->psk, psk, sizeof psk - 1);
    c->psk_len = sizeof psk - 1;
    c->id_len = strlen(id);
    memcpy(c->id, id, c->id_len);
    c->initial_contact = false; /* every handshake's SA stays: one per handshake */
    if (ike_props_parse(suite, IKE_PROTO_IKE, &c->ike_props, NULL) != IKE_OK)
        return false;
    c->ike = ike_props_first(&c->ike_props);
    return ike_cfg_check(c) == IKE_OK;
}

static double median(GArray *a)
{
    gsl_sort((double *)(void *)a->data, 1, a->len);
    return gsl_stats_median_from_sorted_data((double *)(void *)a->data, 1, a->len);
}

/* n handshakes of suite; the responder's medians.  false if one failed. */
static bool measure(const char *suite, unsigned n, double *init_s, double *auth_s)
{
    ike_cfg ci, cr;
    if (!endpoint_cfg(&ci, suite, "initiator.calibrate") || !endpoint_cfg(&cr, suite, "responder.calibrate"))
        return false;
    wire to_r = {0}, to_i = {0};
    ike_io ii = {.ctx = &to_r, .send = on_send, .random = on_random};
    ike_io ir = {.ctx = &to_i, .send = on_send, .random = on_random};
    GArray *ti = g_array_new(FALSE, FALSE, sizeof(double)), *ta = g_array_new(FALSE, FALSE, sizeof(double));
    bool ok = true;
    for (unsigned done = 0; ok && done < n;) {
        ike_ep *i = ike_ep_new(&ci, &ii), *r = ike_ep_new(&cr, &ir);
        ok = i && r;
        for (unsigned k = 0; ok && k < 32 && done < n; k++, done++) {
            uint64_t now = (uint64_t)done * 1000000;
            to_r.len = to_i.len = 0;
            ok = ike_ep_initiate(i, now, 1) && to_r.len > 0;
            double t0 = cpu_now();
            if (ok)
                ike_ep_receive(r, now, 2, to_r.msg, to_r.len);
            double t1 = cpu_now();
            ok = ok && to_i.len > 0;
            to_r.len = 0;
            if (ok)
                ike_ep_receive(i, now, 1, to_i.msg, to_i.len);
            ok = ok && to_r.len > 0;
            to_i.len = 0;
            double t2 = cpu_now();
            if (ok)
                ike_ep_receive(r, now, 2, to_r.msg, to_r.len);
            double t3 = cpu_now();
            ok = ok && to_i.len > 0;
            if (ok)
                ike_ep_receive(i, now, 1, to_i.msg, to_i.len);
            ok = ok && ike_ep_sa_count(i) == k + 1 && ike_ep_sa_count(r) == k + 1;
            double a = t1 - t0, b = t3 - t2;
            g_array_append_val(ti, a);
            g_array_append_val(ta, b);
        }
        if (i)
            ike_ep_free(i, 0);
        if (r)
            ike_ep_free(r, 0);
    }
    if (ok) {
        *init_s = median(ti);
        *auth_s = median(ta);
    }
    g_array_free(ti, TRUE);
    g_array_free(ta, TRUE);
    return ok;
}

/* n resumptions (RFC 5723) of suite: the responder's median for an
 * IKE_SESSION_RESUME request in and its response out (the ticket opened,
 * keys from its SK_d: no DH).  0 for a suite without resumption here. */
static bool measure_resume(const char *suite, unsigned n, double *resume_s)
{
    ike_cfg ci, cr;
    if (!endpoint_cfg(&ci, suite, "initiator.calibrate") || !endpoint_cfg(&cr, suite, "responder.calibrate"))
        return false;
    *resume_s = 0;
    if (ci.ike.prf != IKE_PRF_HMAC_SHA2_256)
        return true;
    ike_ticket_keys keys;
    uint8_t kid[IKE_TICKET_KEY_ID_LEN], key[IKE_TICKET_KEY_LEN];
    on_random(NULL, kid, sizeof kid);
    on_random(NULL, key, sizeof key);
    ike_ticket_keys_init(&keys, kid, key);
    ci.resume.client = true;
    cr.resume = (ike_resume_cfg){.keys = &keys, .lifetime_s = 3600};
    wire to_r = {0}, to_i = {0};
    ike_io ii = {.ctx = &to_r, .send = on_send, .random = on_random};
    ike_io ir = {.ctx = &to_i, .send = on_send, .random = on_random};
    ike_ep *i = ike_ep_new(&ci, &ii), *r = ike_ep_new(&cr, &ir);
    GArray *t = g_array_new(FALSE, FALSE, sizeof(double));
    bool ok = i && r && ike_ep_initiate(i, 0, 1);
    /* the first handshake grants a ticket; each resumption then grants the next */
    for (unsigned k = 0; ok && k <= n; k++) {
        for (int leg = 0; ok && leg < 2; leg++) { /* the opening exchange, then IKE_AUTH */
            ok = to_r.len > 0;
            to_i.len = 0;
            double t0 = cpu_now();
            if (ok)
                ike_ep_receive(r, k, 2, to_r.msg, to_r.len);
            double d = cpu_now() - t0;
            if (k > 0 && leg == 0)
                g_array_append_val(t, d);
            ok = ok && to_i.len > 0;
            to_r.len = 0;
            if (ok)
                ike_ep_receive(i, k, 1, to_i.msg, to_i.len);
        }
        ok = ok && ike_ep_has_ticket(i, k, 1) && ike_ep_resume(i, k, 1);
    }
    if (ok)
        *resume_s = median(t);
    g_array_free(t, TRUE);
    if (i)
        ike_ep_free(i, 0);
    if (r)
        ike_ep_free(r, 0);
    return ok;
}

static char *machine(void)
{
    g_autofree char *cpuinfo = NULL, *model = NULL;
    if (g_file_get_contents("/proc/cpuinfo", &cpuinfo, NULL, NULL)) {
        const char *m = strstr(cpuinfo, "model name");
        const char *c = m ? strchr(m, ':') : NULL;
        if (c)
            model = g_strstrip(g_strndup(c + 1, strcspn(c + 1, "\n")));
    }
    g_autoptr(GDateTime) now = g_date_time_new_now_utc();
    g_autofree char *day = g_date_time_format(now, "%Y-%m-%d");
    return g_strdup_printf("%s, %s, %s", model ? model : "unknown CPU", OpenSSL_version(OPENSSL_VERSION), day);
}

static char *c_source(const double *init, const double *auth, const double *resume, const char *where)
{
    GString *s = g_string_new(NULL);
    g_string_append(s, "/* calibration.c — written by `ikesim calibrate --output` (calibration.h):\n"
                       " * a responder's CPU per handshake, median seconds.  Re-measure rather\n"
                       " * than edit. */\n#include \"calibration.h\"\n\n");
    g_string_append_printf(s, "const char sim_calibration_machine[] = \"%s\";\n\n", where);
    g_string_append(s, "const sim_calibration sim_calibration_table[] = {\n");
    for (size_t i = 0; i < G_N_ELEMENTS(suites); i++)
        g_string_append_printf(s, "    {\"%s\", %.9f, %.9f, %.9f},\n", suites[i], init[i], auth[i], resume[i]);
    g_string_append(s, "};\n\nconst size_t sim_calibration_rows = sizeof sim_calibration_table / "
                       "sizeof sim_calibration_table[0];\n");
    return g_string_free(s, FALSE);
}

int cmd_calibrate(int argc, char **argv)
{
    gboolean quick = FALSE;
    g_autofree char *output = NULL;
    GOptionEntry entries[] = {
        {"quick", 0, 0, G_OPTION_ARG_NONE, &quick, "20 handshakes per suite instead of 400", NULL},
        {"output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
         "Also write the table as C source (sim/run/calibration.c, then rebuild)", "FILE"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    if (!cli_parse("calibrate", "", "a responder's CPU per IKE_SA_INIT and IKE_AUTH, per suite, on this machine",
                   "Measures with the model and OpenSSL, in thread CPU time (the median of\n"
                   "many handshakes), and prints one line per suite.  The storm's admission\n"
                   "charges the IKE_SA_INIT column with `handshake_cost = calibrated`, from\n"
                   "the table compiled in (sim/run/calibration.c) so that results do not depend on\n"
                   "the machine; --output writes a new table for it.",
                   entries, &argc, &argv))
        return CLI_USAGE;
    if (argc != 1)
        return cli_fail("calibrate", CLI_USAGE, "takes no arguments");
    unsigned n = quick ? 20 : 400;
    double init[G_N_ELEMENTS(suites)], auth[G_N_ELEMENTS(suites)], resume[G_N_ELEMENTS(suites)];
    g_autofree char *where = machine();
    printf("# %s; median of %u handshakes\n%-36s %12s %12s %12s %14s\n", where, n, "suite", "init_us", "auth_us",
           "resume_us", "committed_us");
    for (size_t i = 0; i < G_N_ELEMENTS(suites); i++) {
        if (!measure(suites[i], n, &init[i], &auth[i]) || !measure_resume(suites[i], n, &resume[i]))
            return cli_fail("calibrate", CLI_FAILED, "%s: a handshake failed", suites[i]);
        ike_props p;
        ike_props_parse(suites[i], IKE_PROTO_IKE, &p, NULL);
        ike_suite s = ike_props_first(&p);
        const sim_calibration *c = sim_calibration_find(&s);
        printf("%-36s %12.1f %12.1f %12.1f %14.1f\n", suites[i], init[i] * 1e6, auth[i] * 1e6, resume[i] * 1e6,
               c ? c->init_s * 1e6 : -1.0);
        fflush(stdout);
    }
    if (output) {
        g_autofree char *src = c_source(init, auth, resume, where);
        GError *err = NULL;
        if (!g_file_set_contents(output, src, -1, &err))
            return cli_fail_error("calibrate", CLI_FAILED, &err);
        printf("# wrote %s\n", output);
    }
    return CLI_OK;
}
