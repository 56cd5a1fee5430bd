/* Line numbers for a key file: GKeyFile reports none, so the text is
 * scanned once here, with the same line grammar but stricter. */
#include <string.h>

#include "exp_internal.h"

struct exp_lines {
    GHashTable *groups; /* name -> line */
    GHashTable *keys;   /* "group\nkey" -> line */
};

void exp_lines_free(exp_lines *l)
{
    if (!l)
        return;
    g_hash_table_destroy(l->groups);
    g_hash_table_destroy(l->keys);
    g_free(l);
}

static gboolean fail_at(GError **err, const char *file, int line, const char *fmt, const char *arg)
{
    g_autofree char *msg = g_strdup_printf(fmt, arg);
    g_set_error(err, EXP_ERROR, EXP_ERROR_INVALID, "%s:%d: %s", file, line, msg);
    return FALSE;
}

static bool scan_line(exp_lines *l, const char *file, int n, char *line, char **group, GError **err)
{
    g_strchomp(line); /* trailing blanks and a CR */
    const char *p = line;
    while (*p == ' ' || *p == '\t')
        p++;
    if (!g_utf8_validate(line, -1, NULL))
        return fail_at(err, file, n, "%sline is not valid UTF-8", "");
    if (*p == '\0' || *p == '#')
        return true;
    if (*p == '[') {
        const char *end = strchr(p, ']');
        if (!end || end[1] != '\0' || end == p + 1)
            return fail_at(err, file, n, "expected a group header like [topology], got “%s”", p);
        g_autofree char *name = g_strndup(p + 1, (gsize)(end - p - 1));
        if (strpbrk(name, "[]") || name[0] == ' ' || name[strlen(name) - 1] == ' ')
            return fail_at(err, file, n, "“%s” is no valid group name", name);
        gpointer first = g_hash_table_lookup(l->groups, name);
        if (first) {
            g_autofree char *msg = g_strdup_printf("group [%s] appears twice (first at line %d)", name,
                                                   GPOINTER_TO_INT(first));
            return fail_at(err, file, n, "%s", msg);
        }
        g_free(*group);
        *group = g_strdup(name);
        g_hash_table_insert(l->groups, g_strdup(name), GINT_TO_POINTER(n));
        return true;
    }
    const char *eq = strchr(p, '=');
    if (!eq)
        return fail_at(err, file, n, "expected “key = value”, a [group] or a # comment, got “%s”", p);
    g_autofree char *key = g_strstrip(g_strndup(p, (gsize)(eq - p)));
    if (!*key)
        return fail_at(err, file, n, "%sa key is missing before “=”", "");
    if (!*group)
        return fail_at(err, file, n, "key “%s” comes before any [group]", key);
    if (strpbrk(key, "[]"))
        return fail_at(err, file, n, "“%s” is no valid key (no [ ] in keys: localised keys are not used)", key);
    char *id = g_strconcat(*group, "\n", key, NULL);
    gpointer first = g_hash_table_lookup(l->keys, id);
    if (first) {
        g_free(id);
        bool paths = strcmp(*group, "sweep") == 0 || g_str_has_prefix(*group, "method.");
        g_autofree char *shown = paths ? g_strdup_printf("[%s] %s", *group, key) : g_strconcat(*group, ".", key, NULL);
        g_autofree char *msg = g_strdup_printf("%s: set twice in [%s] (first at line %d)", shown, *group,
                                               GPOINTER_TO_INT(first));
        return fail_at(err, file, n, "%s", msg);
    }
    g_hash_table_insert(l->keys, id, GINT_TO_POINTER(n));
    return true;
}

exp_lines *exp_lines_scan(const char *file, const char *text, gsize len, GError **err)
{
    if (memchr(text, '\0', len)) {
        fail_at(err, file, 1, "%sthe file holds NUL bytes: not a text file", "");
        return NULL;
    }
    exp_lines *l = g_new0(exp_lines, 1);
    l->groups = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    l->keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autofree char *copy = g_strndup(text, len);
    char **lines = g_strsplit(copy, "\n", -1);
    char *group = NULL;
    bool ok = true;
    for (int i = 0; ok && lines[i]; i++)
        ok = scan_line(l, file, i + 1, lines[i], &group, err);
    g_free(group);
    g_strfreev(lines);
    if (!ok) {
        exp_lines_free(l);
        return NULL;
    }
    return l;
}

int exp_lines_group(const exp_lines *l, const char *group)
{
    return GPOINTER_TO_INT(g_hash_table_lookup(l->groups, group));
}

int exp_lines_key(const exp_lines *l, const char *group, const char *key)
{
    g_autofree char *id = g_strconcat(group, "\n", key, NULL);
    return GPOINTER_TO_INT(g_hash_table_lookup(l->keys, id));
}
