/* exp_value.c — settings and their values: which key a path names (with a
 * "did you mean"), and a value checked against its key's row (exp_keys.c):
 * type, unit, keyword, range. */
#include <math.h>
#include <string.h>

#include "exp_internal.h"

static const struct {
    const char *name;
    exp_group group;
    int index;
} groups[] = {
    {"experiment", EXP_G_EXPERIMENT, -1}, {"topology", EXP_G_TOPOLOGY, -1}, {"gateways", EXP_G_GATEWAY, -1},
    {"gateway.0", EXP_G_GATEWAY, 0},      {"gateway.1", EXP_G_GATEWAY, 1},  {"traffic", EXP_G_TRAFFIC, -1},
    {"traffic.0", EXP_G_TRAFFIC, 0},      {"traffic.1", EXP_G_TRAFFIC, 1},  {"scenario", EXP_G_SCENARIO, -1},
    {"cluster", EXP_G_CLUSTER, -1},
    {"storm", EXP_G_STORM, -1},
};

exp_setting *exp_setting_new(const char *path, const char *value, const char *where)
{
    exp_setting *s = g_new(exp_setting, 1);
    s->path = g_strdup(path);
    s->value = g_strstrip(g_strdup(value));
    s->where = g_strdup(where);
    return s;
}

void exp_setting_free(gpointer p)
{
    exp_setting *s = p;
    if (!s)
        return;
    g_free(s->path);
    g_free(s->value);
    g_free(s->where);
    g_free(s);
}

void exp_fail(GError **err, const exp_setting *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(err, EXP_ERROR, EXP_ERROR_INVALID, "%s: %s: %s", s->where, s->path, msg);
}

/* Levenshtein distance, for "did you mean". */
static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    g_autofree size_t *row = g_new(size_t, lb + 1);
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = MIN(row[j] + 1, row[j - 1] + 1);
            row[j] = MIN(best, diag + (a[i - 1] != b[j - 1]));
            diag = up;
        }
    }
    return row[lb];
}

static char *suggest(const char *got, const char *const *names, size_t n)
{
    const char *best = NULL;
    size_t best_d = 3; /* only close misspellings */
    for (size_t i = 0; i < n; i++) {
        size_t d = distance(got, names[i]);
        if (d < best_d)
            best = names[i], best_d = d;
    }
    return best ? g_strdup_printf(" (did you mean “%s”?)", best) : g_strdup("");
}

const char *exp_group_name(exp_group g)
{
    for (size_t i = 0; i < G_N_ELEMENTS(groups); i++)
        if (groups[i].group == g)
            return groups[i].name;
    return "";
}

static bool group_find(const char *name, exp_group *g, int *index)
{
    for (size_t i = 0; i < G_N_ELEMENTS(groups); i++)
        if (strcmp(groups[i].name, name) == 0) {
            *g = groups[i].group;
            *index = groups[i].index;
            return true;
        }
    return false;
}

const exp_key *exp_key_find(const exp_setting *s, int *index, GError **err)
{
    const char *dot = strrchr(s->path, '.');
    g_autofree char *group = dot ? g_strndup(s->path, (gsize)(dot - s->path)) : g_strdup("");
    exp_group g;
    if (!dot || !group_find(group, &g, index)) {
        const char *names[G_N_ELEMENTS(groups)];
        for (size_t i = 0; i < G_N_ELEMENTS(groups); i++)
            names[i] = groups[i].name;
        g_autofree char *hint = suggest(group, names, G_N_ELEMENTS(groups));
        exp_fail(err, s,
                 "unknown group “%s”%s; keys are named group.key with group one of experiment, topology, "
                 "gateways, gateway.0, gateway.1, traffic, traffic.0, traffic.1, scenario, cluster, storm",
                 group, hint);
        return NULL;
    }
    const char *name = dot + 1;
    size_t n_keys, n = 0;
    const exp_key *keys = exp_keys(&n_keys);
    const char **names = g_newa(const char *, n_keys + 1);
    for (size_t i = 0; i < n_keys; i++) {
        if (keys[i].group != g)
            continue;
        if (strcmp(keys[i].name, name) == 0)
            return &keys[i];
        names[n++] = keys[i].name;
    }
    g_autofree char *hint = suggest(name, names, n);
    g_autofree char *list = NULL;
    if (n <= 12) {
        names[n] = NULL;
        g_autofree char *joined = g_strjoinv(", ", (char **)names);
        list = g_strdup_printf("; [%s] has %s", group, joined);
    } else {
        list = g_strdup_printf("; experiments/REFERENCE.md lists the keys of [%s]", group);
    }
    exp_fail(err, s, "unknown key “%s”%s%s", name, hint, list);
    return NULL;
}

const exp_key *exp_key_by_path(const char *path)
{
    exp_setting s = {.path = (char *)path, .value = "", .where = ""};
    int index;
    return exp_key_find(&s, &index, NULL);
}

int exp_setting_rank(const exp_setting *s)
{
    int index;
    size_t n;
    const exp_key *k = exp_key_find(s, &index, NULL);
    if (!k)
        return 0;
    return (int)k->group * 100000 + (index + 1) * 1000 + (int)(k - exp_keys(&n));
}

char **exp_split_list(const char *value)
{
    char **items = g_strsplit(value, ",", -1);
    for (char **p = items; *p; p++)
        g_strstrip(*p);
    return items;
}

/* "+" joins the names of combined methods ("qcd+resume"). */
static bool is_name(const char *s)
{
    if (!g_ascii_isalnum(s[0]) || strlen(s) > 64)
        return false;
    for (const char *p = s; *p; p++)
        if (!g_ascii_isalnum(*p) && !strchr("._-+", *p))
            return false;
    return true;
}

/* Seeds: "1, 4, 7" or "1..10" or both; each 1..EXP_SEED_MAX, none twice. */
bool exp_parse_seeds(const exp_setting *s, GArray *seeds, GError **err)
{
    g_auto(GStrv) items = exp_split_list(s->value);
    g_autoptr(GHashTable) seen = g_hash_table_new(g_direct_hash, g_direct_equal);
    for (char **p = items; *p; p++) {
        const char *dots = strstr(*p, "..");
        g_autofree char *a = dots ? g_strndup(*p, (gsize)(dots - *p)) : g_strdup(*p);
        const char *b = dots ? dots + 2 : *p;
        double lo, hi;
        if (!unit_parse(UNIT_COUNT, g_strstrip(a), &lo) || !unit_parse(UNIT_COUNT, b, &hi) || lo < 1 ||
            hi > EXP_SEED_MAX || hi < lo) {
            exp_fail(err, s, "expected seeds as whole numbers from 1 to %u and ranges A..B with A <= B, "
                             "separated by commas, e.g. 1..10 or 1, 5, 9; got “%s”", EXP_SEED_MAX, *p);
            return false;
        }
        if (hi - lo >= 1000000) {
            exp_fail(err, s, "“%s” is over a million seeds", *p);
            return false;
        }
        for (double v = lo; v <= hi; v++) {
            uint32_t seed = (uint32_t)v;
            if (g_hash_table_contains(seen, GUINT_TO_POINTER(seed))) {
                exp_fail(err, s, "seed %u appears twice", seed);
                return false;
            }
            g_hash_table_add(seen, GUINT_TO_POINTER(seed));
            g_array_append_val(seeds, seed);
        }
    }
    if (seeds->len == 0) {
        exp_fail(err, s, "expected at least one seed, e.g. 1..10");
        return false;
    }
    return true;
}

/* The checks of a row beyond its range; the range itself says what fits. */
static bool checked(const exp_key *k, const exp_setting *s, double x, GError **err)
{
    double ms = x * 1000, pct = x * 100;
    if ((k->check & EXP_ABOVE_ZERO) && !(x > 0)) {
        exp_fail(err, s, "must be above zero; got “%s”", s->value);
        return false;
    }
    if ((k->check & EXP_WHOLE_MS) && (fabs(ms - round(ms)) > 1e-6 || ms > UINT32_MAX)) {
        exp_fail(err, s, "expected whole milliseconds up to 49 days; got “%s”", s->value);
        return false;
    }
    if ((k->check & EXP_WHOLE_S) && (fabs(x - round(x)) > 1e-9 || x > UINT32_MAX)) {
        exp_fail(err, s, "expected whole seconds; got “%s”", s->value);
        return false;
    }
    if ((k->check & EXP_WHOLE_PERCENT) && fabs(pct - round(pct)) > 1e-6) {
        exp_fail(err, s, "expected a whole percentage, e.g. 20%%; got “%s”", s->value);
        return false;
    }
    return true;
}

static bool parse_unit(const exp_key *k, const exp_setting *s, const char *text, exp_value *v, GError **err)
{
    v->is_word = k->word && strcmp(text, k->word) == 0;
    if (v->is_word)
        return true;
    if (unit_parse(k->unit, text, &v->num)) {
        double lo = 0, hi = 0;
        if (!unit_parse(k->unit, k->min, &lo) || !unit_parse(k->unit, k->max, &hi))
            g_error("%s: bad range in the key table", k->name);
        const char *or = k->word ? ", or “" : "", *word = k->word ? k->word : "", *end = k->word ? "”" : "";
        if (v->num < lo || v->num > hi) {
            exp_fail(err, s, "expected %s to %s%s%s%s; got “%s”", k->min, k->max, or, word, end, text);
            return false;
        }
        if ((k->check & EXP_BELOW_MAX) && v->num >= hi) {
            exp_fail(err, s, "expected below %s%s%s%s; got “%s”", k->max, or, word, end, text);
            return false;
        }
        return checked(k, s, v->num, err);
    }
    if (k->word)
        exp_fail(err, s, "expected %s, or “%s”; got “%s”", unit_expect(k->unit), k->word, text);
    else
        exp_fail(err, s, "expected %s; got “%s”", unit_expect(k->unit), text);
    return false;
}

bool exp_value_parse(const exp_key *k, const exp_setting *s, exp_value *v, GError **err)
{
    memset(v, 0, sizeof *v);
    const char *t = s->value;
    switch (k->type) {
    case EXP_V_UNIT:
        return parse_unit(k, s, t, v, err);
    case EXP_V_BOOL:
        if (strcmp(t, "true") == 0 || strcmp(t, "false") == 0) {
            v->flag = t[0] == 't';
            return true;
        }
        exp_fail(err, s, "expected true or false; got “%s”", t);
        return false;
    case EXP_V_ENUM:
        for (int i = 0; k->choices[i]; i++)
            if (strcmp(t, k->choices[i]) == 0) {
                v->choice = i;
                return true;
            }
        {
            g_autofree char *list = g_strjoinv(", ", (char **)k->choices);
            exp_fail(err, s, "expected one of %s; got “%s”", list, t);
        }
        return false;
    case EXP_V_NAME:
        if (is_name(t))
            return true;
        exp_fail(err, s, "expected a name of letters, digits, “.”, “_”, “-” and “+” (at most 64); got “%s”", t);
        return false;
    case EXP_V_TEXT:
        for (const char *p = t; *p; p++)
            if ((unsigned char)*p < 0x20 && *p != '\t') {
                exp_fail(err, s, "control characters are not allowed");
                return false;
            }
        return true;
    case EXP_V_SEEDS: {
        g_autoptr(GArray) seeds = g_array_new(FALSE, FALSE, sizeof(uint32_t));
        return exp_parse_seeds(s, seeds, err);
    }
    case EXP_V_FILES: {
        g_auto(GStrv) items = exp_split_list(t);
        for (char **p = items; *p; p++)
            if (!is_name(*p)) {
                exp_fail(err, s, "expected file names beside the experiment file (letters, digits, . _ - +), "
                                 "separated by commas; got “%s”", *p);
                return false;
            }
        return true;
    }
    case EXP_V_EVENTS: {
        g_autoptr(GArray) evs = g_array_new(FALSE, FALSE, sizeof(sim_script_ev));
        g_autoptr(GArray) triggers = g_array_new(FALSE, FALSE, sizeof(sim_trigger));
        return exp_parse_events(s, evs, triggers, err);
    }
    }
    return false;
}

char *exp_value_csv(const exp_key *k, const exp_setting *s)
{
    exp_value v;
    if (k->type != EXP_V_UNIT || !exp_value_parse(k, s, &v, NULL) || v.is_word)
        return g_strdup(s->value);
    return unit_csv(k->unit, v.num);
}

char **exp_key_names(void)
{
    size_t n;
    const exp_key *keys = exp_keys(&n);
    char **names = g_new0(char *, n + 1);
    for (size_t i = 0; i < n; i++)
        names[i] = g_strconcat(exp_group_name(keys[i].group), ".", keys[i].name, NULL);
    return names;
}

bool exp_key_range(const char *path, const char **min, const char **max, int *unit)
{
    exp_setting s = {(char *)path, (char *)"", (char *)"range"};
    int index;
    const exp_key *k = exp_key_find(&s, &index, NULL);
    if (!k || k->type != EXP_V_UNIT)
        return false;
    *min = k->min;
    *max = k->max;
    *unit = (int)k->unit;
    return true;
}
