#include "tshark.h"

gboolean tshark_available(void)
{
    g_autofree char *path = g_find_program_in_path("tshark");
    return path != NULL;
}

char *tshark_fields(const char *cfg_dir, const char *pcap, const char *filter, const char *field)
{
    g_autofree char *env_dir = g_strconcat("WIRESHARK_CONFIG_DIR=", cfg_dir, NULL);
    char *envp[] = {env_dir, "HOME=/nonexistent", "LC_ALL=C", NULL};
    /* ESP is decrypted and its ICV checked wherever an esp_sa table is given */
    const char *argv[] = {"tshark", "-n", "-o", "esp.enable_encryption_decode:TRUE",
                          "-o", "esp.enable_authentication_check:TRUE", "-r", pcap, "-Y", filter,
                          "-T", "fields", "-e", field, NULL};
    char *out = NULL, *err = NULL;
    gint status;
    g_assert_true(g_spawn_sync(NULL, (char **)argv, envp, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                               &status, NULL));
    if (!g_spawn_check_wait_status(status, NULL))
        g_error("tshark failed: %s", err);
    g_free(err);
    return out;
}

char *tshark_bad_frames(const char *cfg_dir, const char *pcap)
{
    return tshark_fields(cfg_dir, pcap, "!icmp && (_ws.malformed || _ws.expert.severity >= 0x00600000)",
                         "frame.number");
}

guint count_lines(const char *s)
{
    guint n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

void tshark_assert_field(const char *cfg_dir, const char *pcap, const char *filter, const char *field,
                         const char *want)
{
    g_autofree char *got = tshark_fields(cfg_dir, pcap, filter, field);
    g_test_message("%s -> %s: %s", filter, field, got);
    g_assert_cmpstr(g_strstrip(got), ==, want);
}
