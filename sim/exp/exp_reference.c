/* exp_reference.c — the key tables of experiments/REFERENCE.md, made from
 * the rows of exp_keys.c.  A table sits between "<!-- keys GROUP -->" and
 * "<!-- end keys -->"; everything around it is written by hand. */
#include <string.h>

#include "exp_internal.h"

#define BEGIN "<!-- keys "
#define END "<!-- end keys -->"

static const char *unit_noun(unit_kind u)
{
    static const char *const nouns[] = {[UNIT_DURATION] = "duration", [UNIT_BITRATE] = "bit rate",
                                        [UNIT_SIZE] = "size",         [UNIT_PKTRATE] = "packet rate",
                                        [UNIT_PERSEC] = "rate per second", [UNIT_FRACTION] = "fraction",
                                        [UNIT_REAL] = "number",       [UNIT_COUNT] = "count"};
    return nouns[u];
}

/* A quantity: what it is, its range, its keyword. */
static void append_value(GString *out, const exp_key *k)
{
    if (k->type == EXP_V_UNIT) {
        const char *noun = k->value ? k->value : unit_noun(k->unit);
        if (k->check & EXP_ABOVE_ZERO)
            g_string_append_printf(out, "%s, above %s up to %s", noun, k->min, k->max);
        else if (k->check & EXP_BELOW_MAX)
            g_string_append_printf(out, "%s, %s up to below %s", noun, k->min, k->max);
        else
            g_string_append_printf(out, "%s, %s…%s", noun, k->min, k->max);
        if (k->word)
            g_string_append_printf(out, ", or `%s`", k->word);
    } else if (k->value) {
        g_string_append(out, k->value);
    } else if (k->type == EXP_V_BOOL) {
        g_string_append(out, "boolean");
    } else if (k->type == EXP_V_ENUM) {
        for (int i = 0; k->choices[i]; i++)
            g_string_append_printf(out, "%s`%s`", i ? ", " : "", k->choices[i]);
    }
}

static void append_default(GString *out, const exp_key *k)
{
    if (k->check & EXP_REQUIRED)
        g_string_append(out, "— (required)");
    else if (!k->def)
        g_string_append(out, "—");
    else if (k->def1)
        g_string_append_printf(out, "%s 0 `%s`, %s 1 `%s`", k->group == EXP_G_GATEWAY ? "gateway" : "direction",
                               k->def, k->group == EXP_G_GATEWAY ? "gateway" : "direction", k->def1);
    else
        g_string_append_printf(out, "`%s`", k->def);
}

char *exp_reference_table(exp_group g)
{
    GString *out = g_string_new("| key | value | default | meaning |\n|---|---|---|---|\n");
    size_t n;
    const exp_key *keys = exp_keys(&n);
    for (size_t i = 0; i < n; i++) {
        if (keys[i].group != g)
            continue;
        g_string_append_printf(out, "| `%s` | ", keys[i].name);
        append_value(out, &keys[i]);
        g_string_append(out, " | ");
        append_default(out, &keys[i]);
        g_string_append_printf(out, " | %s |\n", keys[i].help);
    }
    return g_string_free(out, FALSE);
}

char *exp_reference_update(const char *text, GError **err)
{
    GString *out = g_string_new(NULL);
    bool seen[EXP_G_COUNT] = {false};
    const char *p = text;
    for (const char *at; (at = strstr(p, BEGIN));) {
        const char *name = at + strlen(BEGIN), *close = strstr(name, " -->"), *end = strstr(name, END);
        g_autofree char *group = close ? g_strndup(name, (gsize)(close - name)) : NULL;
        exp_group g = 0;
        while (group && g < EXP_G_COUNT && strcmp(exp_group_name(g), group) != 0)
            g++;
        if (!close || !end || end < close || g == EXP_G_COUNT) {
            g_set_error(err, EXP_ERROR, EXP_ERROR_INVALID, "a keys section without its group or its end at “%.40s”", at);
            g_string_free(out, TRUE);
            return NULL;
        }
        seen[g] = true;
        g_autofree char *table = exp_reference_table(g);
        g_string_append_len(out, p, close + strlen(" -->\n") - p);
        g_string_append(out, table);
        p = end;
    }
    g_string_append(out, p);
    for (exp_group g = 0; g < EXP_G_COUNT; g++)
        if (!seen[g]) {
            g_set_error(err, EXP_ERROR, EXP_ERROR_INVALID, "no keys section for [%s]", exp_group_name(g));
            g_string_free(out, TRUE);
            return NULL;
        }
    return g_string_free(out, FALSE);
}
