#include "msc.h"

#include <string.h>

#include <glib/gstdio.h>

#include "units.h"

bool msc_window_parse(const char *s, msc_window *w, GError **err)
{
    *w = (msc_window){2, 0, true};
    if (!s)
        return true;
    g_auto(GStrv) parts = g_strsplit(s, ",", -1);
    bool ok = g_strv_length(parts) == 2 && unit_parse(UNIT_DURATION, g_strstrip(parts[0]), &w->before_s);
    if (ok && strcmp(g_strstrip(parts[1]), "auto") != 0) {
        w->auto_after = false;
        ok = unit_parse(UNIT_DURATION, parts[1], &w->after_s);
    }
    if (!ok)
        g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "--msc-window: expected BEFORE,AFTER as durations around the first crash (AFTER may be "
                    "“auto”), e.g. 2s,auto or 5s,200s; got “%s”", s);
    return ok;
}

typedef struct chart {
    const csv_table *t;
    int c_t, c_node, c_event, c_message, c_peer, c_id, c_payloads, c_detail, c_pair;
    GPtrArray *lifelines; /* names, in order */
    GString *out;
    double gap_px;        /* the space between two lifelines the labels need */
} chart;

/* mscgen's default font is about 6.6 pixels a character; its chart is 600
 * pixels wide at hscale 1, shared by the lifelines. */
enum { CHAR_PX = 8, CHART_PX = 600 };

/* A label's lines must fit between the lifelines its arc joins.  An arc's
 * label says what above the arc and when below it, with a blank line
 * between them that the arc (and a lost arc's cross) runs through, and one
 * before and after, between one message and the next. */
static void fit(chart *c, const char *text, int a, int b)
{
    int span = a > b ? a - b : b - a;
    size_t widest = 0;
    g_auto(GStrv) lines = g_strsplit(text, "\\n", -1);
    for (char **l = lines; *l; l++)
        widest = MAX(widest, strlen(*l));
    double need = ((double)widest * CHAR_PX + 60) / (span == 2 ? 1 : span ? span : 1);
    c->gap_px = MAX(c->gap_px, need);
}

/* An arc over two gaps is centred on the lifeline between them: trailing
 * spaces (narrower than letters) move each line of its label into the
 * left gap, off that lifeline. */
static char *off_middle(const char *text, int a, int b)
{
    if (a - b != 2 && b - a != 2)
        return g_strdup(text);
    g_auto(GStrv) lines = g_strsplit(text, "\\n", -1);
    for (char **l = lines; *l; l++) {
        size_t n = strlen(*l);
        if (n <= 1)
            continue; /* the blank lines around and under the arc stay narrow */
        char *padded = g_strnfill(n + 2 * n + 8, ' ');
        memcpy(padded, *l, n);
        g_free(*l);
        *l = padded;
    }
    return g_strjoinv("\\n", lines);
}

static const char *f(const chart *c, guint row, int col) { return ((char **)g_ptr_array_index(c->t->rows, row))[col]; }
static double t_of(const chart *c, guint row) { return g_ascii_strtod(f(c, row, c->c_t), NULL); }
static bool is(const chart *c, guint row, const char *event) { return strcmp(f(c, row, c->c_event), event) == 0; }

static int lifeline(const chart *c, const char *name)
{
    for (guint i = 0; i < c->lifelines->len; i++)
        if (strcmp(g_ptr_array_index(c->lifelines, i), name) == 0)
            return (int)i;
    return -1;
}

/* gw0 beside every member of gateway 1 it talks to: a cluster's first
 * member on its left, gateway 1 or the other members on its right, then
 * the attackers; an arc then crosses no lifeline but an attacker's. */
static int rank(const char *name)
{
    return strcmp(name, "gw1.m0") == 0 ? 0 : strcmp(name, "gw0") == 0 ? 1 : g_str_has_prefix(name, "gw1") ? 2 : 3;
}

static gint by_role(gconstpointer a, gconstpointer b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    return rank(x) != rank(y) ? rank(x) - rank(y) : strcmp(x, y);
}

static void add_lifeline(chart *c, const char *name)
{
    if (*name && lifeline(c, name) < 0)
        g_ptr_array_add(c->lifelines, g_strdup(name));
}

/* mscgen label text: quotes and backslashes escaped. */
static void label(GString *s, const char *text)
{
    g_string_append(s, " [label=\"");
    for (const char *p = text; *p; p++) {
        if (*p == '"' || *p == '\\')
            g_string_append_c(s, '\\');
        g_string_append_c(s, *p);
    }
    g_string_append(s, "\"");
}

static char *short_t(const char *t_s) { return g_strdup_printf("%.6f s", g_ascii_strtod(t_s, NULL)); }

/* Where a sent message ended: its row, or -1 if it has none. */
static long fate_of(const chart *c, guint row)
{
    const char *pair = f(c, row, c->c_pair);
    return *pair ? (long)g_ascii_strtoull(pair, NULL, 10) - 1 : -1;
}

/* Do two sends look alike on a chart (same kind, ends, fate)? */
static bool alike(const chart *c, guint a, guint b)
{
    long fa = fate_of(c, a), fb = fate_of(c, b);
    return strcmp(f(c, a, c->c_node), f(c, b, c->c_node)) == 0 &&
           strcmp(f(c, a, c->c_message), f(c, b, c->c_message)) == 0 &&
           strcmp(f(c, a, c->c_payloads), f(c, b, c->c_payloads)) == 0 && (fa < 0) == (fb < 0) &&
           (fa < 0 || (strcmp(f(c, (guint)fa, c->c_node), f(c, (guint)fb, c->c_node)) == 0 &&
                       strcmp(f(c, (guint)fa, c->c_event), f(c, (guint)fb, c->c_event)) == 0));
}

/* One message (or `more` alike ones after it, up to row `last`): an arc
 * from its sender to where it ended. */
static void arc(chart *c, guint row, guint first, unsigned more, guint last)
{
    const char *from = f(c, row, c->c_node), *to = f(c, row, c->c_peer), *fate = NULL, *why = "";
    g_autofree char *t0 = short_t(f(c, row, c->c_t)), *t1 = NULL;
    long p = fate_of(c, row);
    if (p >= 0) {
        to = f(c, (guint)p, c->c_node);
        fate = f(c, (guint)p, c->c_event);
        why = f(c, (guint)p, c->c_detail);
        t1 = short_t(f(c, (guint)p, c->c_t));
    }
    /* a retransmission is announced on the line before its send */
    g_autofree char *retx = NULL;
    for (guint k = row; k-- > first && strcmp(f(c, k, c->c_t), f(c, row, c->c_t)) == 0;)
        if (is(c, k, "retransmit") && strcmp(f(c, k, c->c_node), from) == 0)
            retx = g_strdup_printf("retransmission %s of ", f(c, k, c->c_detail));
    const char *payloads = f(c, row, c->c_payloads);
    g_autofree char *times =
        !fate ? g_strdup_printf("%s, no end seen", t0)
        : strcmp(fate, "recv") == 0 ? g_strdup_printf("%s -> %s", t0, t1)
        : strcmp(fate, "refused") == 0 ? g_strdup_printf("%s -> %s refused: %s", t0, t1, why)
        : strcmp(fate, "dropped") == 0 ? g_strdup_printf("%s -> %s dropped: %s", t0, t1, why)
                                       : g_strdup_printf("%s -> %s lost: %s", t0, t1, why);
    g_autofree char *text = NULL;
    if (!more) {
        text = g_strdup_printf(" \\n%s%s #%s %s\\n\\n%s\\n ", retx ? retx : "", f(c, row, c->c_message), f(c, row, c->c_id),
                               payloads, times);
    } else {
        long lp = fate_of(c, last);
        g_autofree char *tl = short_t(f(c, last, c->c_t)), *tl1 = lp >= 0 ? short_t(f(c, (guint)lp, c->c_t)) : NULL;
        text = g_strdup_printf(" \\n%u x %s %s\\n\\nfirst %s; last %s%s%s\\n ", more + 1, f(c, row, c->c_message), payloads,
                               times, tl, tl1 ? " -> " : "", tl1 ? tl1 : "");
    }
    bool lost = !fate || strcmp(fate, "lost") == 0 || strcmp(fate, "dropped") == 0;
    int a = lifeline(c, from), b = lifeline(c, to);
    if (a < 0 || b < 0)
        return;
    fit(c, text, a, b);
    g_autofree char *placed = off_middle(text, a, b);
    g_string_append_printf(c->out, "  e%d %s e%d", a, lost ? "-x" : "=>", b);
    /* label with its escapes kept: \n is mscgen's line break */
    g_string_append_printf(c->out, " [label=\"%s\"%s];\n", placed,
                           !fate || strcmp(fate, "recv") ? ", textcolour=\"#b00000\", linecolour=\"#b00000\"" : "");
}

/* A message nobody here sent (an attacker's): an arc at its arrival. */
static void arrival(chart *c, guint row)
{
    int a = lifeline(c, f(c, row, c->c_peer)), b = lifeline(c, f(c, row, c->c_node));
    if (a < 0 || b < 0)
        return;
    g_autofree char *t = short_t(f(c, row, c->c_t));
    g_autofree char *text = g_strdup_printf(" \\n%s #%s %s\\n\\narrived %s%s%s\\n ", f(c, row, c->c_message), f(c, row, c->c_id),
                                            f(c, row, c->c_payloads), t, is(c, row, "refused") ? ", refused: " : "",
                                            is(c, row, "refused") ? f(c, row, c->c_detail) : "");
    fit(c, text, a, b);
    g_autofree char *placed = off_middle(text, a, b);
    g_string_append_printf(c->out, "  e%d => e%d [label=\"%s\"];\n", a, b, placed);
}

static void box(chart *c, guint row, const char *shape, const char *colour, const char *what)
{
    const char *node = f(c, row, c->c_node);
    g_autofree char *t = short_t(f(c, row, c->c_t));
    int a = *node ? lifeline(c, node) : 0, b = *node ? a : (int)c->lifelines->len - 1;
    if (a < 0)
        return;
    g_autofree char *text = g_strdup_printf("%s\\n%s", what, t);
    g_string_append_printf(c->out, "  e%d %s e%d [label=\"%s\", textbgcolour=\"%s\"];\n", a, shape, b, text, colour);
}

/* Does the row put anything on the chart? */
static bool emits(const chart *c, guint row)
{
    const char *ev = f(c, row, c->c_event);
    if (strcmp(ev, "recv") == 0 || strcmp(ev, "refused") == 0)
        return !*f(c, row, c->c_pair);
    if (strcmp(ev, "sa-deleted") == 0)
        return strcmp(f(c, row, c->c_detail), "shutdown") != 0;
    static const char *const kinds[] = {"send", "crash", "reboot", "takeover", "child-up", "sync-dropped", "link-down", "link-up",
                                        "loss", "member-links-down", "member-links-up", NULL};
    return g_strv_contains(kinds, ev);
}

/* Draws row; a send followed by at least seven alike ones with nothing
 * drawn between them (a flood of one-way notifies) becomes one arc; fewer,
 * e.g. a retransmission schedule, keep an arc each.  Returns the last row
 * drawn. */
static guint event_row(chart *c, guint row, guint first, guint end)
{
    const char *ev = f(c, row, c->c_event), *detail = f(c, row, c->c_detail);
    if (strcmp(ev, "send") == 0) {
        unsigned more = 0;
        guint last = row;
        for (guint k = row + 1; k <= end; k++) {
            if (!emits(c, k))
                continue;
            if (!is(c, k, "send") || !alike(c, row, k))
                break;
            more++;
            last = k;
        }
        if (more < 7)
            more = 0, last = row;
        arc(c, row, first, more, last);
        return last;
    }
    if ((strcmp(ev, "recv") == 0 || strcmp(ev, "refused") == 0) && !*f(c, row, c->c_pair))
        arrival(c, row);
    else if (strcmp(ev, "crash") == 0)
        box(c, row, "abox", "#ffc8c8", "crash");
    else if (strcmp(ev, "reboot") == 0)
        box(c, row, "abox", "#c8f0c8", "reboot");
    else if (strcmp(ev, "takeover") == 0)
        box(c, row, "abox", "#c8dcff", "takeover");
    else if (strcmp(ev, "sync-dropped") == 0) {
        g_autofree char *what = g_strdup_printf("sync dropped: %s", detail);
        box(c, row, "rbox", "#fff0b0", what);
    }
    else if (strcmp(ev, "sa-deleted") == 0 && strcmp(detail, "shutdown") != 0) {
        g_autofree char *what = g_strdup_printf("IKE SA deleted: %s", detail);
        box(c, row, "rbox", "#fff0b0", what);
    } else if (strcmp(ev, "child-up") == 0)
        box(c, row, "rbox", "#e0f0e0", "Child SA up");
    else if (strcmp(ev, "link-down") == 0 || strcmp(ev, "link-up") == 0 || strcmp(ev, "loss") == 0 ||
             strcmp(ev, "member-links-down") == 0 || strcmp(ev, "member-links-up") == 0) {
        g_autofree char *what = g_strdup_printf("%s %s", ev, detail);
        box(c, row, "note", "#f0f0f0", what);
    }
    return row;
}

static bool drawn(const chart *c, guint row)
{
    static const char *const kinds[] = {"send", "recv", "refused", "crash", "reboot", "takeover", "sa-deleted",
                                        "child-up", "sync-dropped", "link-down", "link-up", "loss", "member-links-down",
                                        "member-links-up", NULL};
    return g_strv_contains(kinds, f(c, row, c->c_event));
}

char *msc_source(const csv_table *t, const msc_window *w, GError **err)
{
    chart c = {.t = t, .c_t = csv_col(t, "t_s"), .c_node = csv_col(t, "node"), .c_event = csv_col(t, "event"),
               .c_message = csv_col(t, "message"), .c_peer = csv_col(t, "peer"), .c_id = csv_col(t, "msg_id"),
               .c_payloads = csv_col(t, "payloads"), .c_detail = csv_col(t, "detail"), .c_pair = csv_col(t, "pair")};
    if (c.c_t < 0 || c.c_node < 0 || c.c_event < 0 || c.c_message < 0 || c.c_peer < 0 || c.c_id < 0 ||
        c.c_payloads < 0 || c.c_detail < 0 || c.c_pair < 0) {
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "not a trace of ikesim run --trace (CSV): columns missing");
        return NULL;
    }
    guint n = t->rows->len;
    double from = 0, to = n ? t_of(&c, n - 1) : 0;
    for (guint i = 0; i < n; i++)
        if (is(&c, i, "crash")) {
            double crash = t_of(&c, i);
            from = crash - w->before_s;
            to = w->auto_after ? crash + 60 : crash + w->after_s;
            for (guint k = i; w->auto_after && k < n; k++)
                if (is(&c, k, "child-up") || (is(&c, k, "sync-answered") && !g_str_has_prefix(f(&c, k, c.c_node), "gw0"))) {
                    to = t_of(&c, k) + 1;
                    break;
                }
            break;
        }
    guint first = n, last = 0;
    c.lifelines = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < n; i++) {
        double at = t_of(&c, i);
        if (at < from || at > to || !drawn(&c, i))
            continue;
        first = MIN(first, i);
        last = i;
        add_lifeline(&c, f(&c, i, c.c_node));
        if (!is(&c, i, "send") || !*f(&c, i, c.c_pair))
            add_lifeline(&c, f(&c, i, c.c_peer));
    }
    g_ptr_array_sort(c.lifelines, by_role);
    c.out = g_string_new(NULL);
    for (guint i = first; c.lifelines->len && i <= last && i < n; i++)
        if (emits(&c, i))
            i = event_row(&c, i, first, last);
    /* wide enough for every label: nothing overlaps */
    guint lines = MAX(c.lifelines->len, 1);
    double hscale = MAX(1.0, c.gap_px * lines / CHART_PX);
    GString *head = g_string_new(NULL);
    g_string_append_printf(head, "msc {\n  hscale = \"%.1f\";\n  ", hscale + 0.05);
    for (guint i = 0; i < c.lifelines->len; i++) {
        g_string_append_printf(head, "%se%u", i ? ", " : "", i);
        label(head, g_ptr_array_index(c.lifelines, i));
        g_string_append(head, "]");
    }
    g_string_append_printf(head, ";\n%s}\n", c.out->str);
    g_string_free(c.out, TRUE);
    g_ptr_array_free(c.lifelines, TRUE);
    return g_string_free(head, FALSE);
}

bool msc_draw(const char *source, const char *path, GError **err)
{
    const char *type = g_str_has_suffix(path, ".svg") ? "svg" : g_str_has_suffix(path, ".png") ? "png" : NULL;
    if (!type) {
        g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "%s: a chart is .svg or .png", path);
        return false;
    }
    g_autofree char *mscgen = g_find_program_in_path("mscgen");
    if (!mscgen) {
        g_set_error(err, G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT,
                    "mscgen is not installed (scripts/install-deps.sh installs it): no chart drawn");
        return false;
    }
    g_autofree char *dir = g_path_get_dirname(path), *base = g_path_get_basename(path);
    g_autofree char *src_name = g_strconcat(".", base, ".msc", NULL), *tmp_name = g_strconcat(".", base, ".tmp", NULL);
    g_autofree char *src = g_build_filename(dir, src_name, NULL), *tmp = g_build_filename(dir, tmp_name, NULL);
    if (!g_file_set_contents(src, source, -1, err))
        return false;
    const char *argv[] = {mscgen, "-T", type, "-o", tmp, src, NULL};
    g_autofree char *out = NULL, *err_out = NULL;
    gint status;
    bool ok = g_spawn_sync(NULL, (char **)argv, NULL, 0, NULL, NULL, &out, &err_out, &status, err);
    if (ok && !g_spawn_check_wait_status(status, NULL)) {
        g_set_error(err, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED, "mscgen failed on %s:\n%s", src, err_out);
        ok = false;
    }
    if (ok && g_rename(tmp, path) != 0) {
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_FAILED, "cannot rename %s to %s", tmp, path);
        ok = false;
    }
    g_remove(tmp);
    g_remove(src);
    return ok;
}

bool msc_from_csv(const char *csv, const msc_window *w, const char *path, GError **err)
{
    csv_table *t = csv_parse(csv, strlen(csv), err);
    if (!t)
        return false;
    g_autofree char *src = msc_source(t, w, err);
    csv_table_free(t);
    return src && msc_draw(src, path, err);
}
