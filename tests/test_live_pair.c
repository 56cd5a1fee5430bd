/* test_live_pair.c — two ikesim-live processes against each other over
 * loopback UDP.  --delete-after across IKE SA rekeys: the initiator rekeys
 * its IKE SA every second (--rekey-ike 1) and deletes it 3.5 s after it was
 * established; the Delete goes out under the SPIs of the last rekey (the
 * SA goes on under new SPIs, ike.h) and both ends report the deletion of
 * that SA, the initiator as local, the responder as the peer's Delete.
 * $IKESIM_LIVE names the binary (meson sets it). */
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gio/gio.h>

static const char *live_path(void)
{
    const char *p = g_getenv("IKESIM_LIVE");
    if (!p)
        g_error("IKESIM_LIVE is not set (run the tests with meson test)");
    return p;
}

static int bind_loopback(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    g_assert_cmpint(fd, >=, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static uint16_t free_port(void)
{
    int fd = bind_loopback(0);
    g_assert_cmpint(fd, >=, 0);
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    g_assert_cmpint(getsockname(fd, (struct sockaddr *)&a, &len), ==, 0);
    close(fd);
    return ntohs(a.sin_port);
}

/* Until a process holds the port (our bind fails). */
static void wait_bound(uint16_t port)
{
    for (int i = 0; i < 400; i++) {
        int fd = bind_loopback(port);
        if (fd < 0)
            return;
        close(fd);
        g_usleep(25000);
    }
    g_error("ikesim-live did not bind port %u", port);
}

static GSubprocess *start(const char *const *argv)
{
    GError *error = NULL;
    GSubprocess *p = g_subprocess_newv(argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
    g_assert_no_error(error);
    return p;
}

/* Waits for p; its stdout in *out; its exit status. */
static int finish(GSubprocess *p, char **out)
{
    GError *error = NULL;
    g_assert_true(g_subprocess_communicate_utf8(p, NULL, NULL, out, NULL, &error));
    g_assert_no_error(error);
    g_assert_true(g_subprocess_get_if_exited(p));
    int rc = g_subprocess_get_exit_status(p);
    g_object_unref(p);
    return rc;
}

/* The fields of the lines whose event is `event`: "SECONDS EVENT SPIi SPIr ...". */
static GPtrArray *lines_of(const char *out, const char *event)
{
    GPtrArray *found = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
    g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
    for (size_t i = 0; lines[i]; i++) {
        char **f = g_strsplit(lines[i], " ", -1);
        if (g_strv_length(f) >= 4 && strcmp(f[1], event) == 0)
            g_ptr_array_add(found, f);
        else
            g_strfreev(f);
    }
    return found;
}

static char **only(GPtrArray *a)
{
    g_assert_cmpuint(a->len, ==, 1);
    return g_ptr_array_index(a, 0);
}

static void test_delete_after_rekeys(void)
{
    uint16_t rport = free_port(), iport = free_port();
    g_autofree char *rlisten = g_strdup_printf("127.0.0.1:%u", rport);
    g_autofree char *ilisten = g_strdup_printf("127.0.0.1:%u", iport);
    const char *resp_argv[] = {live_path(), "--listen", rlisten, "--psk", "pair test key", "--id", "r@test",
                               "--exit-after", "deleted", "--timeout", "20", NULL};
    const char *init_argv[] = {live_path(), "--listen", ilisten, "--initiate", rlisten, "--psk", "pair test key",
                               "--id", "i@test", "--rekey-ike", "1", "--delete-after", "3.5",
                               "--exit-after", "deleted", "--timeout", "20", NULL};
    GSubprocess *resp = start(resp_argv);
    wait_bound(rport);
    GSubprocess *init = start(init_argv);
    g_autofree char *iout = NULL, *rout = NULL;
    g_assert_cmpint(finish(init, &iout), ==, 0);
    g_assert_cmpint(finish(resp, &rout), ==, 0);
    g_test_message("initiator:\n%s", iout);

    g_autoptr(GPtrArray) up = lines_of(iout, "sa_established");
    g_autoptr(GPtrArray) rekeyed = lines_of(iout, "sa_rekeyed");
    g_autoptr(GPtrArray) gone = lines_of(iout, "sa_deleted");
    g_autoptr(GPtrArray) rgone = lines_of(rout, "sa_deleted");
    char **est = only(up), **del = only(gone), **rdel = only(rgone);
    /* every second a rekey: at least two before the Delete at 3.5 s */
    g_assert_cmpuint(rekeyed->len, >=, 2);
    char **last = g_ptr_array_index(rekeyed, rekeyed->len - 1);
    g_assert_cmpstr(est[2], !=, last[2]);
    g_assert_cmpstr(est[3], !=, last[3]);
    /* the SA deleted is the one established, under its SPIs after the last rekey */
    g_assert_cmpstr(del[2], ==, last[2]);
    g_assert_cmpstr(del[3], ==, last[3]);
    g_assert_cmpstr(del[4], ==, "reason=local");
    g_assert_cmpfloat(g_ascii_strtod(del[0], NULL) - g_ascii_strtod(est[0], NULL), >=, 3.5);
    g_assert_cmpstr(rdel[2], ==, last[2]);
    g_assert_cmpstr(rdel[3], ==, last[3]);
    g_assert_cmpstr(rdel[4], ==, "reason=delete");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/live-pair/delete-after-rekeys", test_delete_after_rekeys);
    return g_test_run();
}
