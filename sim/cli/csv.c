#include "csv.h"

#include <math.h>
#include <string.h>

#include "read_file.h"

const char *const csv_metrics[] = {
    "detect_s", "detect_reason", "recover_s", "recover_fwd_s", "recover_rev_s", "lost_pkts", "false_positives",
    "missed", "ike_msgs", "ike_bytes", "liveness_checks", "sim_s", "wall_s", "events",
    /* HA runs only */
    "resume_s", "sa_survived", "replay_drops", "replays_accepted", "seq_reuse", "mid_sync", "takeovers", NULL,
};
const bool csv_metric_numeric[] = {true, false, true, true, true, true, true, true, true, true, true,
                                   true, true, true, true, true, true, true, true, false, true};
const size_t csv_first_ha_metric = 14;

const char *const csv_star_metrics[] = {
    "t50_s", "t90_s", "t99_s", "t100_s", "init_peak_per_s", "init_mean_per_s", "cookies", "retries", "init_drops",
    "never_recovered", NULL,
};

const char *const csv_cost_metrics[] = {
    "sa_s", "sa_rtt", "recover_rtt", "recover_ike_msgs", "recover_ike_bytes", NULL,
};
const char *const csv_star_cost_metrics[] = {"cpu_s", NULL};
const char *const csv_reauth_metrics[] = {"reauths", "esp_lost", "outage_max_s", NULL};
const char *const csv_device_metrics[] = {"blackhole_s", "air_msgs_day", "air_octets_day", NULL};

char *csv_header(const sim_exp *e)
{
    GString *s = g_string_new("run_id,experiment,seed");
    for (size_t i = 0; i < exp_n_params(e); i++)
        g_string_append_printf(s, ",%s", exp_param_column(e, i));
    g_string_append(s, ",method");
    size_t n = exp_has_cluster(e) ? G_N_ELEMENTS(csv_metrics) - 1 : csv_first_ha_metric;
    for (size_t i = 0; i < n; i++)
        g_string_append_printf(s, ",%s", csv_metrics[i]);
    for (size_t i = 0; exp_is_star(e) && csv_star_metrics[i]; i++)
        g_string_append_printf(s, ",%s", csv_star_metrics[i]);
    const char *const *cost = exp_is_star(e) ? csv_star_cost_metrics : csv_cost_metrics;
    for (size_t i = 0; exp_recovery_cost(e) && cost[i]; i++)
        g_string_append_printf(s, ",%s", cost[i]);
    for (size_t i = 0; exp_reauthenticates(e) && csv_reauth_metrics[i]; i++)
        g_string_append_printf(s, ",%s", csv_reauth_metrics[i]);
    for (size_t i = 0; exp_star_per_device(e) && csv_device_metrics[i]; i++)
        g_string_append_printf(s, ",%s", csv_device_metrics[i]);
    g_string_append_c(s, '\n');
    return g_string_free(s, FALSE);
}

static void put_time(GString *s, double v, const char *fmt)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    g_string_append_c(s, ',');
    if (!isnan(v))
        g_string_append(s, g_ascii_formatd(buf, sizeof buf, fmt, v));
}

char *csv_row(const sim_exp *e, const exp_run *run, const sim_row *row)
{
    GString *s = g_string_new(NULL);
    if (run->task >= 0)
        g_string_append_printf(s, "%ld", run->task);
    g_string_append_printf(s, ",%s,%u", exp_name(e), run->seed);
    for (size_t i = 0; i < exp_n_params(e); i++)
        g_string_append_printf(s, ",%s", run->params[i]);
    g_string_append_printf(s, ",%s", run->method);
    put_time(s, row->detect_s, "%.9g");
    g_string_append_printf(s, ",%s", row->detect_reason);
    put_time(s, row->recover_s, "%.9g");
    put_time(s, row->recover_fwd_s, "%.9g");
    put_time(s, row->recover_rev_s, "%.9g");
    g_string_append_printf(s, ",%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT, row->lost_pkts,
                           row->false_positives, row->missed);
    g_string_append_printf(s, ",%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT, row->ike_msgs,
                           row->ike_bytes, row->liveness_checks);
    put_time(s, row->sim_s, "%.9g");
    put_time(s, row->wall_s, "%.3f");
    g_string_append_printf(s, ",%" G_GUINT64_FORMAT, row->events);
    if (exp_has_cluster(e)) {
        put_time(s, row->resume_s, "%.9g");
        g_string_append_printf(s, ",%d,%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT ",%s,%u",
                               row->sa_survived, row->replay_drops, row->replays_accepted, row->seq_reuse,
                               row->mid_sync, row->takeovers);
    }
    if (exp_is_star(e)) {
        put_time(s, row->t50_s, "%.9g");
        put_time(s, row->t90_s, "%.9g");
        put_time(s, row->t99_s, "%.9g");
        put_time(s, row->t100_s, "%.9g");
        put_time(s, row->init_peak_per_s, "%.9g");
        put_time(s, row->init_mean_per_s, "%.6g");
        g_string_append_printf(s, ",%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT
                               ",%" G_GUINT64_FORMAT, row->cookies, row->retries, row->init_drops,
                               row->never_recovered);
    }
    if (exp_recovery_cost(e) && exp_is_star(e)) {
        put_time(s, row->cpu_s, "%.9g");
    } else if (exp_recovery_cost(e)) {
        put_time(s, row->sa_s, "%.9g");
        put_time(s, row->sa_rtt, "%.6f");
        put_time(s, row->recover_rtt, "%.6f");
        g_string_append_printf(s, ",%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT, row->recover_ike_msgs,
                               row->recover_ike_bytes);
    }
    if (exp_reauthenticates(e)) {
        g_string_append_printf(s, ",%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT, row->reauths, row->esp_lost);
        put_time(s, row->outage_max_s, "%.9g");
    }
    if (exp_star_per_device(e)) {
        put_time(s, row->blackhole_s, "%.9g");
        put_time(s, row->air_msgs_day, "%.9g");
        put_time(s, row->air_octets_day, "%.9g");
    }
    g_string_append_c(s, '\n');
    return g_string_free(s, FALSE);
}

void csv_table_free(csv_table *t)
{
    if (!t)
        return;
    g_strfreev(t->header);
    if (t->rows)
        g_ptr_array_free(t->rows, TRUE);
    g_free(t);
}

csv_table *csv_parse(const char *text, gsize len, GError **err)
{
    csv_table *t = g_new0(csv_table, 1);
    t->rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
    const char *end = text + len, *p = text;
    size_t cols = 0;
    int line = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            break; /* a half-written last line */
        line++;
        g_autofree char *l = g_strndup(p, (gsize)(nl - p));
        p = nl + 1;
        char **fields = g_strsplit(l, ",", -1);
        if (!t->header) {
            t->header = fields;
            cols = g_strv_length(fields);
            continue;
        }
        if (g_strv_length(fields) != cols) {
            g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "line %d has %u fields, the header %zu", line,
                        g_strv_length(fields), cols);
            g_strfreev(fields);
            csv_table_free(t);
            return NULL;
        }
        g_ptr_array_add(t->rows, fields);
    }
    if (!t->header) {
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "no header line");
        csv_table_free(t);
        return NULL;
    }
    return t;
}

csv_table *csv_read(const char *path, GError **err)
{
    g_autofree char *text = NULL;
    gsize len;
    if (!read_regular_file(path, (gsize)1 << 30, &text, &len, err))
        return NULL;
    GError *e = NULL;
    csv_table *t = csv_parse(text, len, &e);
    if (!t) {
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: %s", path, e->message);
        g_error_free(e);
    }
    return t;
}

int csv_col(const csv_table *t, const char *name)
{
    for (int i = 0; t->header[i]; i++)
        if (strcmp(t->header[i], name) == 0)
            return i;
    return -1;
}
