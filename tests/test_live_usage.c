/* test_live_usage.c — ikesim-live refuses a bad command line with exit
 * status 2 and a message naming what is wrong, before it binds a socket.
 * $IKESIM_LIVE names the binary (meson sets it). */
#include <glib.h>
#include <string.h>

#include "clirun.h"

static void refused(const char *const *args, const char *says)
{
    const char *live = g_getenv("IKESIM_LIVE");
    g_assert_nonnull(live);
    const char *argv[16] = {live, "--listen", "127.0.0.1:7500", "--psk", "k", "--id", "i@test"};
    size_t n = 7;
    for (size_t i = 0; args[i]; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    g_autofree char *err = NULL;
    g_assert_cmpint(clirun(argv, NULL, &err), ==, 2);
    g_assert_nonnull(strstr(err, says));
}

/* NAT traversal: ESP keys only with it */
static void test_nat_t(void)
{
    refused((const char *[]){"--esp-keylog", "/dev/null", NULL}, "--esp-keylog needs --nat-t");
}

static void test_child_rekey(void)
{
    refused((const char *[]){"--child-rekey", "1.5", NULL}, "--child-rekey takes 0 to 86400 whole seconds");
    refused((const char *[]){"--child-rekey", "-1", NULL}, "--child-rekey takes 0 to 86400 whole seconds");
    refused((const char *[]){"--child-rekey", "86401", NULL}, "--child-rekey takes 0 to 86400 whole seconds");
}

static void test_reauth(void)
{
    refused((const char *[]){"--reauth-mode", "later", NULL}, "--reauth-mode takes bbm or mbb");
    refused((const char *[]){"--reauth", "-2", NULL}, "--reauth takes 0 to 86400 seconds");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/live-usage/nat-t", test_nat_t);
    g_test_add_func("/live-usage/child-rekey", test_child_rekey);
    g_test_add_func("/live-usage/reauth", test_reauth);
    return g_test_run();
}
