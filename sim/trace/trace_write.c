/* The trace as a file: CSV, or JSON Lines; records in time order. */
#include <string.h>

#include "trace.h"

const char *const trace_columns[] = {"t_s", "node", "event", "message", "peer", "exchange", "msg_id", "flags",
                                     "len", "spi_i", "spi_r", "payloads", "detail", "pair", NULL};

static bool is_message(trace_kind k) { return k <= TR_DROPPED; }

typedef struct {
    const trace_rec *recs;
    guint *order;
} sort_ctx;

static gint by_time(gconstpointer a, gconstpointer b, gpointer arg)
{
    const sort_ctx *c = arg;
    guint x = *(const guint *)a, y = *(const guint *)b;
    uint64_t tx = c->recs[x].t_ns, ty = c->recs[y].t_ns;
    return tx != ty ? (tx < ty ? -1 : 1) : (x < y ? -1 : x > y);
}

/* A CSV field as written: ikesim's CSV files hold no quoted fields, so a
 * comma inside a detail (an error text, say) becomes a semicolon rather
 * than a column more. */
static void csv_field(GString *s, const char *v)
{
    g_string_append_c(s, ',');
    for (const char *p = v; *p; p++)
        g_string_append_c(s, *p == ',' || *p == '\n' ? ';' : *p);
}

static void json_str(GString *s, const char *key, const char *v)
{
    if (!*v)
        return;
    g_string_append_printf(s, ",\"%s\":\"", key);
    for (const char *p = v; *p; p++) {
        if (*p == '"' || *p == '\\')
            g_string_append_c(s, '\\');
        g_string_append_c(s, *p);
    }
    g_string_append_c(s, '"');
}

char *sim_trace_text(const run_trace *t, bool json)
{
    size_t n, na;
    const trace_rec *r = sim_trace_records(t, &n);
    const trace_actor *actors = sim_trace_actors(t, &na);
    guint *order = g_new(guint, n ? n : 1), *line = g_new(guint, n ? n : 1);
    for (guint i = 0; i < n; i++)
        order[i] = i;
    sort_ctx c = {r, order};
    g_qsort_with_data(order, (gint)n, sizeof *order, by_time, &c);
    for (guint i = 0; i < n; i++)
        line[order[i]] = i + 1;
    GString *s = g_string_sized_new(128 * n + 256);
    if (!json) {
        for (size_t i = 0; trace_columns[i]; i++)
            g_string_append_printf(s, "%s%s", i ? "," : "", trace_columns[i]);
        g_string_append_c(s, '\n');
    }
    for (guint i = 0; i < n; i++) {
        const trace_rec *x = &r[order[i]];
        const char *node = x->node >= 0 ? actors[x->node].name : "";
        char peer[32] = "";
        if (x->peer >= 0)
            g_strlcpy(peer, actors[x->peer].name, sizeof peer);
        else if (x->peer_addr)
            snprintf(peer, sizeof peer, "%u.%u.%u.%u", x->peer_addr >> 24, x->peer_addr >> 16 & 255,
                     x->peer_addr >> 8 & 255, x->peer_addr & 255);
        bool msg = is_message(x->kind);
        char id[16] = "", flags[8] = "", len[16] = "", spi_i[20] = "", spi_r[20] = "", pair[16] = "";
        if (msg || x->exchange)
            snprintf(id, sizeof id, "%u", x->msg_id);
        if (msg) {
            snprintf(flags, sizeof flags, "0x%02x", x->flags);
            snprintf(len, sizeof len, "%u", x->len);
        }
        if (x->spi_i || x->spi_r) {
            snprintf(spi_i, sizeof spi_i, "%016" G_GINT64_MODIFIER "x", x->spi_i);
            snprintf(spi_r, sizeof spi_r, "%016" G_GINT64_MODIFIER "x", x->spi_r);
        }
        if (x->pair >= 0)
            snprintf(pair, sizeof pair, "%u", line[x->pair]);
        const char *v[] = {NULL, node, trace_kind_name(x->kind), msg ? trace_msg_name(x->msg) : "", peer,
                           x->exchange ? ike_exchange_name(x->exchange) : "", id, flags, len, spi_i, spi_r, x->payloads, x->detail, pair};
        if (json) {
            g_string_append_printf(s, "{\"t_s\":%" G_GUINT64_FORMAT ".%09" G_GUINT64_FORMAT, x->t_ns / 1000000000u,
                                   x->t_ns % 1000000000u);
            for (size_t k = 1; k < G_N_ELEMENTS(v); k++)
                if (k == 6 || k == 8 || k == 13) {
                    if (*v[k])
                        g_string_append_printf(s, ",\"%s\":%s", trace_columns[k], v[k]);
                } else {
                    json_str(s, trace_columns[k], v[k]);
                }
            g_string_append(s, "}\n");
        } else {
            g_string_append_printf(s, "%" G_GUINT64_FORMAT ".%09" G_GUINT64_FORMAT, x->t_ns / 1000000000u,
                                   x->t_ns % 1000000000u);
            for (size_t k = 1; k < G_N_ELEMENTS(v); k++)
                csv_field(s, v[k]);
            g_string_append_c(s, '\n');
        }
    }
    g_free(order);
    g_free(line);
    return g_string_free(s, FALSE);
}

bool sim_trace_write(const run_trace *t, const char *path, GError **err)
{
    g_autofree char *text = sim_trace_text(t, g_str_has_suffix(path, ".jsonl") || g_str_has_suffix(path, ".json"));
    /* written to a temporary file and renamed: never half a trace */
    return g_file_set_contents(path, text, -1, err);
}
