/* ikesim-live as a responder under an IKE_SA_INIT flood over real UDP on
 * loopback, with its default admission control: 100,000 requests, each from
 * a sender (address and port) of its own, are answered with COOKIEs once 30
 * SAs are half-open; senders that echo their COOKIE get at most 1,000
 * half-open SAs and the rest are dropped; the half-open SAs expire, the
 * table of senders empties, the memory goes back to the system (RSS below a
 * stated bound), and a real handshake then succeeds. */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "esp_udp.h"
#include "ike.h"
#include "ike_wire.h"

enum {
    FLOOD = 100000,       /* requests, one sender each (a tenth under a sanitizer,
                             whose responder is ten times slower) */
    ECHOERS = 1100,       /* senders that echo their COOKIE: more than the cap */
    COOKIE_THRESHOLD = 30, /* ikesim-live's defaults */
    HALF_OPEN_MAX = 1000,
    WINDOW = 64,          /* requests in flight */
    HALF_OPEN_S = 8,      /* --half-open-timeout: longer than the flood takes */
};

/* RSS after the flood, once the half-open SAs expired, may exceed the RSS
 * before it by at most this much (kB).  Not checked under a sanitizer, whose
 * allocator holds freed memory in quarantine. */
#define RSS_GROWTH_BOUND_KB 4096

static const char PSK[] = "flood-test-psk";

static bool is_sanitized(void);
#define FLOOD_SIZE (is_sanitized() ? FLOOD / 10 : FLOOD)

typedef struct flood {
    struct sockaddr_in to;
    uint8_t tmpl[IKE_MAX_MSG];  /* a real IKE_SA_INIT request */
    size_t tmpl_len;
    ike_ep *echo_ep;            /* initiator for the senders that echo COOKIEs */
    int fd[WINDOW];
    gint64 sent_at[WINDOW];
    unsigned next_sender;
    /* results */
    unsigned cookies, sa_answers, unanswered, other;
} flood;

static flood *current; /* the echoing initiator's I/O reaches the slots through it */

static bool is_sanitized(void)
{
#if defined(__SANITIZE_ADDRESS__)
    return true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
    return true;
#endif
#endif
    return false;
}

static const char *live_path(void)
{
    const char *p = g_getenv("IKESIM_LIVE");
    if (!p)
        g_error("IKESIM_LIVE is not set (run the tests with meson test)");
    return p;
}

static uint16_t free_port(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    g_assert_cmpint(bind(fd, (struct sockaddr *)&a, sizeof a), ==, 0);
    g_assert_cmpint(getsockname(fd, (struct sockaddr *)&a, &len), ==, 0);
    close(fd);
    return ntohs(a.sin_port);
}

/* One field of /proc/PID/status, in kB or as a hex mask. */
static guint64 proc_status(GPid pid, const char *field, int base)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/status", (int)pid);
    g_autofree char *text = NULL;
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    const char *f = strstr(text, field);
    g_assert_nonnull(f);
    return g_ascii_strtoull(f + strlen(field), NULL, base);
}

static void wait_for_signal_handler(GPid pid)
{
    for (int i = 0; i < 400; i++) {
        if (proc_status(pid, "SigCgt:", 16) & (1ull << (SIGUSR1 - 1)))
            return;
        g_usleep(25000);
    }
    g_error("ikesim-live did not start");
}

/* Sends SIGUSR1 and reads the stats line it prints: sas, half_open, senders. */
static void stats(GPid pid, const char *log, unsigned out[3])
{
    static unsigned asked;
    asked++;
    g_assert_cmpint(kill(pid, SIGUSR1), ==, 0);
    for (int i = 0; i < 400; i++) {
        g_autofree char *text = NULL;
        g_assert_true(g_file_get_contents(log, &text, NULL, NULL));
        unsigned seen = 0;
        const char *last = NULL;
        for (const char *p = text; (p = strstr(p, " stats ")); p++, seen++)
            last = p;
        if (seen == asked && strchr(last, '\n')) {
            g_assert_cmpint(sscanf(last, " stats sas=%u half_open=%u senders=%u", &out[0], &out[1],
                                   &out[2]), ==, 3);
            return;
        }
        g_usleep(25000);
    }
    g_error("no stats line from ikesim-live");
}

static void echo_send(void *ctx, uint64_t peer, const uint8_t *msg, size_t len)
{
    (void)ctx;
    uint8_t buf[ESP_NON_ESP_MARKER_LEN + IKE_MAX_MSG];
    size_t n;
    g_assert_cmpint(esp_udp_frame_ike(msg, len, buf, sizeof buf, &n), ==, ESP_OK);
    int fd = current->fd[peer];
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(sendto(fd, buf, n, 0, (struct sockaddr *)&current->to, sizeof current->to), ==,
                    (ssize_t)n);
}

static void random_bytes(void *ctx, uint8_t *out, size_t len)
{
    (void)ctx;
    for (size_t i = 0; i < len; i++)
        out[i] = (uint8_t)g_random_int();
}

static void keep_first(void *ctx, uint64_t peer, const uint8_t *msg, size_t len)
{
    flood *f = ctx;
    (void)peer;
    if (!f->tmpl_len) {
        memcpy(f->tmpl, msg, len);
        f->tmpl_len = len;
    }
}

static ike_ep *initiator(flood *f, void (*send)(void *, uint64_t, const uint8_t *, size_t))
{
    ike_cfg cfg;
    ike_cfg_defaults(&cfg);
    memcpy(cfg.psk, PSK, cfg.psk_len = sizeof PSK - 1);
    memcpy(cfg.id, "flood.test", cfg.id_len = 10);
    ike_io io = {.ctx = f, .send = send, .random = random_bytes};
    ike_ep *ep = ike_ep_new(&cfg, &io);
    g_assert_nonnull(ep);
    return ep;
}

/* A new sender: a socket on 127.A.B.C (one address per sender) and a port
 * of the kernel's choice. */
static int new_sender(unsigned i)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    g_assert_cmpint(fd, >=, 0);
    uint32_t host = (127u << 24) | ((1u + i / 65536) << 16) | (i % 65536);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(host)};
    g_assert_cmpint(bind(fd, (struct sockaddr *)&a, sizeof a), ==, 0);
    return fd;
}

static void start_request(flood *f, int slot, bool echo)
{
    unsigned i = f->next_sender++;
    f->fd[slot] = new_sender(i);
    f->sent_at[slot] = g_get_monotonic_time();
    if (echo) {
        g_assert_nonnull(ike_ep_initiate(f->echo_ep, 0, (uint64_t)slot));
        return;
    }
    uint8_t buf[ESP_NON_ESP_MARKER_LEN + IKE_MAX_MSG];
    size_t n;
    g_assert_cmpint(esp_udp_frame_ike(f->tmpl, f->tmpl_len, buf, sizeof buf, &n), ==, ESP_OK);
    uint64_t spi_i = 0x1000000000000000ull + i; /* the SPIi of each request its own */
    for (int k = 0; k < 8; k++)
        buf[ESP_NON_ESP_MARKER_LEN + k] = (uint8_t)(spi_i >> (56 - 8 * k));
    g_assert_cmpint(sendto(f->fd[slot], buf, n, 0, (struct sockaddr *)&f->to, sizeof f->to), ==,
                    (ssize_t)n);
}

static void end_request(flood *f, int slot)
{
    close(f->fd[slot]);
    f->fd[slot] = -1;
}

/* An answer on slot: a COOKIE (echoed by the echoing initiator) or the
 * responder's IKE_SA_INIT with its SA (a half-open SA over there). */
static void on_answer(flood *f, int slot, bool echo)
{
    uint8_t buf[IKE_MAX_MSG + ESP_NON_ESP_MARKER_LEN];
    ssize_t n = recv(f->fd[slot], buf, sizeof buf, 0);
    g_assert_cmpint(n, >, 0);
    esp_udp_kind kind;
    const uint8_t *msg;
    size_t len;
    static ike_msg m;
    if (esp_udp_classify(buf, (size_t)n, &kind, &msg, &len) != ESP_OK || kind != ESP_UDP_IKE ||
        ike_parse(msg, len, &m) != IKE_OK) {
        f->other++;
        end_request(f, slot);
    } else if (ike_find_notify(&m, IKE_N_COOKIE)) {
        f->cookies++;
        if (echo) /* the same sender asks again, COOKIE first */
            ike_ep_receive(f->echo_ep, 0, (uint64_t)slot, msg, len);
        else
            end_request(f, slot);
    } else if (ike_find(&m, IKE_PL_SA, NULL) && m.hdr.spi_r != 0) {
        f->sa_answers++;
        end_request(f, slot);
    } else {
        f->other++;
        end_request(f, slot);
    }
}

/* `count` requests from as many new senders, WINDOW at a time; a request
 * without an answer after `patience_ms` counts as unanswered. */
static void run_flood(flood *f, unsigned count, bool echo, int patience_ms)
{
    unsigned started = 0;
    current = f;
    for (int s = 0; s < WINDOW; s++)
        f->fd[s] = -1;
    for (;;) {
        struct pollfd p[WINDOW];
        int busy = 0;
        for (int s = 0; s < WINDOW; s++) {
            if (f->fd[s] < 0 && started < count) {
                start_request(f, s, echo);
                started++;
            }
            p[s] = (struct pollfd){.fd = f->fd[s], .events = POLLIN};
            busy += f->fd[s] >= 0;
        }
        if (!busy)
            return;
        g_assert_cmpint(poll(p, WINDOW, 20), >=, 0);
        gint64 now = g_get_monotonic_time();
        for (int s = 0; s < WINDOW; s++) {
            if (f->fd[s] < 0)
                continue;
            if (p[s].revents & POLLIN)
                on_answer(f, s, echo);
            else if (now - f->sent_at[s] > patience_ms * 1000) {
                f->unanswered++;
                end_request(f, s);
            }
        }
    }
}

/* Replays the responder's log: the number of half-open SAs over time must
 * reach the cap and never pass it, every COOKIE must have been demanded at
 * or above the threshold and every drop made at the cap. */
static void check_half_open_history(const char *text)
{
    unsigned half_open = 0, peak = 0;
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++) {
        char spi_r[17];
        if (strstr(*l, " msg_sent ") && strstr(*l, " IKE_SA_INIT response ") &&
            sscanf(*l, "%*s %*s %*s %16s", spi_r) == 1 && strcmp(spi_r, "0000000000000000") != 0)
            half_open++; /* an answer with the responder's SPI: a new half-open SA */
        else if (strstr(*l, " reason=half_open"))
            half_open--;
        else if (strstr(*l, " cookie_sent "))
            g_assert_cmpuint(half_open, >=, COOKIE_THRESHOLD);
        else if (strstr(*l, "too many half-open SAs"))
            g_assert_cmpuint(half_open, ==, HALF_OPEN_MAX);
        g_assert_cmpuint(half_open, <=, HALF_OPEN_MAX);
        peak = MAX(peak, half_open);
    }
    g_assert_cmpuint(peak, ==, HALF_OPEN_MAX);
}

static unsigned count_lines(const char *text, const char *a, const char *b)
{
    unsigned n = 0;
    for (const char *l = text; l && *l;) {
        const char *e = strchr(l, '\n');
        g_autofree char *line = g_strndup(l, e ? (size_t)(e - l) : strlen(l));
        n += strstr(line, a) && (!b || strstr(line, b));
        l = e ? e + 1 : NULL;
    }
    return n;
}

static void test_flood(void)
{
    g_autofree char *dir = g_dir_make_tmp("ikesim-flood-XXXXXX", NULL);
    g_assert_nonnull(dir);
    g_autofree char *log = g_build_filename(dir, "responder.log", NULL);
    uint16_t port = free_port();
    g_autofree char *listen = g_strdup_printf("127.0.0.1:%u", port);
    g_autofree char *timeout_s = g_strdup_printf("%d", HALF_OPEN_S);

    GSubprocessLauncher *l = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_NONE);
    g_subprocess_launcher_set_stdout_file_path(l, log);
    GError *err = NULL;
    GSubprocess *resp = g_subprocess_launcher_spawn(l, &err, live_path(), "--listen", listen,
                                                    "--psk", PSK, "--id", "responder.test",
                                                    "--half-open-timeout", timeout_s, NULL);
    g_assert_no_error(err);
    g_object_unref(l);
    GPid pid = (GPid)g_ascii_strtoll(g_subprocess_get_identifier(resp), NULL, 10);
    wait_for_signal_handler(pid);
    guint64 rss_before = proc_status(pid, "VmRSS:", 10);

    flood *f = g_new0(flood, 1);
    f->to = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons(port),
                                 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    ike_ep *t = initiator(f, keep_first);
    g_assert_nonnull(ike_ep_initiate(t, 0, 0));
    ike_ep_free(t, 0);
    g_assert_cmpuint(f->tmpl_len, >, 0);

    /* 1: the flood; below the threshold each request gets its SA */
    run_flood(f, FLOOD_SIZE, false, 1000);
    g_test_message("flood: %u COOKIEs, %u SAs, %u unanswered", f->cookies, f->sa_answers,
                   f->unanswered);
    g_assert_cmpuint(f->unanswered, ==, 0);
    g_assert_cmpuint(f->other, ==, 0);
    g_assert_cmpuint(f->sa_answers, >=, COOKIE_THRESHOLD);
    g_assert_cmpuint(f->cookies + f->sa_answers, ==, FLOOD_SIZE);
    unsigned st[3];
    stats(pid, log, st);
    g_assert_cmpuint(st[1], <=, COOKIE_THRESHOLD);
    g_assert_cmpuint(st[2], <=, 2048); /* senders: swept as the table grows */
    unsigned flood_sas = f->sa_answers;

    /* 2: senders that echo their COOKIE: half-open SAs up to the cap, then
     * silence */
    f->cookies = f->sa_answers = 0;
    f->echo_ep = initiator(f, echo_send);
    run_flood(f, ECHOERS, true, 2000);
    g_test_message("echoing senders: %u COOKIEs, %u SAs, %u unanswered", f->cookies, f->sa_answers,
                   f->unanswered);
    g_assert_cmpuint(f->other, ==, 0);
    g_assert_cmpuint(f->sa_answers + f->unanswered, ==, ECHOERS);
    g_assert_cmpuint(f->unanswered, >, 0);
    stats(pid, log, st);
    g_test_message("after the flood: sas=%u half_open=%u senders=%u", st[0], st[1], st[2]);
    g_assert_cmpuint(st[1], <=, HALF_OPEN_MAX);
    g_assert_cmpuint(st[0], ==, st[1]);
    guint64 rss_peak = proc_status(pid, "VmHWM:", 10);

    /* 3: every half-open SA expires; the senders go with them */
    for (int i = 0; i < 200 && (stats(pid, log, st), st[0] != 0); i++)
        g_usleep(100000);
    g_assert_cmpuint(st[0], ==, 0);
    g_assert_cmpuint(st[2], <=, 256);
    guint64 rss_after = proc_status(pid, "VmRSS:", 10);
    g_test_message("RSS: %" G_GUINT64_FORMAT " kB before, %" G_GUINT64_FORMAT
                   " kB peak, %" G_GUINT64_FORMAT " kB after (bound: before + %d kB)",
                   rss_before, rss_peak, rss_after, RSS_GROWTH_BOUND_KB);
    if (!is_sanitized())
        g_assert_cmpuint(rss_after, <=, rss_before + RSS_GROWTH_BOUND_KB);

    /* 4: a real handshake, ikesim-live as the initiator */
    g_autofree char *initiate = g_strdup_printf("127.0.0.1:%u", free_port());
    GSubprocess *ini = g_subprocess_new(G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &err, live_path(),
                                        "--listen", initiate, "--initiate", listen, "--psk", PSK,
                                        "--id", "initiator.test", "--exit-after", "child",
                                        "--timeout", "20", NULL);
    g_assert_no_error(err);
    g_assert_true(g_subprocess_wait_check(ini, NULL, &err));
    g_assert_no_error(err);
    g_object_unref(ini);

    g_subprocess_send_signal(resp, SIGTERM);
    g_assert_true(g_subprocess_wait_check(resp, NULL, &err));
    g_assert_no_error(err);
    g_object_unref(resp);

    /* the responder's own account agrees */
    g_autofree char *text = NULL;
    g_assert_true(g_file_get_contents(log, &text, NULL, NULL));
    g_assert_cmpuint(count_lines(text, " cookie_sent ", NULL), ==, f->cookies + FLOOD_SIZE - flood_sas);
    /* each drop left a sender unanswered; an answer later than the sender's
     * patience is an SA it did not count */
    unsigned drops = count_lines(text, " msg_dropped ", "too many half-open SAs");
    g_assert_cmpuint(drops, >, 0);
    g_assert_cmpuint(drops, <=, f->unanswered);
    g_assert_cmpuint(count_lines(text, " sa_deleted ", "reason=half_open"), ==,
                     flood_sas + f->sa_answers + (f->unanswered - drops));
    g_assert_cmpuint(count_lines(text, " sa_established ", "role=responder"), ==, 1);
    g_assert_cmpuint(count_lines(text, " child_established ", NULL), ==, 1);
    check_half_open_history(text);

    ike_ep_free(f->echo_ep, 0);
    g_free(f);
    g_unlink(log);
    g_rmdir(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/live/ike-sa-init-flood", test_flood);
    return g_test_run();
}
