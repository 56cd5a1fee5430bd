#include "slurm.h"

#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>

G_DEFINE_QUARK(ikesim-slurm-error-quark, slurm_error)

bool slurm_have(const char *const *commands, GError **err)
{
    for (const char *const *c = commands; *c; c++) {
        g_autofree char *path = g_find_program_in_path(*c);
        if (!path) {
            g_set_error(err, SLURM_ERROR, SLURM_ERROR_NO_COMMAND,
                        "%s is not on PATH: SLURM's client commands are needed (Debian: slurm-client)", *c);
            return false;
        }
    }
    return true;
}

/* Runs argv; its stdout, or NULL with the command's own words as the
 * error when it fails. */
static char *run(const char *const *argv, GError **err)
{
    if (!slurm_have((const char *const[]){argv[0], NULL}, err))
        return NULL;
    g_autoptr(GSubprocess) p =
        g_subprocess_newv(argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, err);
    g_autofree char *out = NULL, *text = NULL;
    if (!p || !g_subprocess_communicate_utf8(p, NULL, NULL, &out, &text, err))
        return NULL;
    if (g_subprocess_get_if_exited(p) && g_subprocess_get_exit_status(p) == 0)
        return g_steal_pointer(&out);
    g_strstrip(text);
    g_autofree char *cmd = g_strjoinv(" ", (char **)argv);
    g_set_error(err, SLURM_ERROR, SLURM_ERROR_REFUSED, "%s failed: %s", cmd,
                *text ? text : "(no message)");
    return NULL;
}

char *slurm_submit(const char *script, const char *arg, size_t n, int throttle, const char *const *opts,
                   GError **err)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(argv, g_strdup("sbatch"));
    g_ptr_array_add(argv, g_strdup("--parsable"));
    g_ptr_array_add(argv, throttle > 0 ? g_strdup_printf("--array=0-%zu%%%d", n - 1, throttle)
                                       : g_strdup_printf("--array=0-%zu", n - 1));
    for (const char *const *o = opts; o && *o; o++)
        g_ptr_array_add(argv, g_strdup(*o));
    g_ptr_array_add(argv, g_strdup(script));
    g_ptr_array_add(argv, g_strdup(arg));
    g_ptr_array_add(argv, NULL);
    g_autofree char *out = run((const char *const *)argv->pdata, err);
    if (!out)
        return NULL;
    /* "ID" or "ID;CLUSTER" */
    size_t len = strspn(out, "0123456789");
    if (len == 0 || (out[len] && !strchr(";\n", out[len]))) {
        g_set_error(err, SLURM_ERROR, SLURM_ERROR_REFUSED, "sbatch answered “%s”, not a job id", g_strstrip(out));
        return NULL;
    }
    return g_strndup(out, len);
}

static void element_free(gpointer p)
{
    slurm_element *el = p;
    g_free(el->job);
    g_free(el->state);
    g_free(el->where);
    g_free(el);
}

GPtrArray *slurm_elements(const char *const *jobs, GError **err)
{
    GPtrArray *els = g_ptr_array_new_with_free_func(element_free);
    if (!jobs || !*jobs)
        return els;
    g_autofree char *list = g_strjoinv(",", (char **)jobs);
    g_autofree char *jobs_arg = g_strconcat("--jobs=", list, NULL);
    const char *argv[] = {"squeue", "--noheader", "--array", "--states=all", jobs_arg, "--format=%F|%K|%T|%R",
                          NULL};
    GError *e = NULL;
    g_autofree char *out = run(argv, &e);
    if (!out) {
        /* every one of them forgotten: squeue says so and fails */
        if (g_error_matches(e, SLURM_ERROR, SLURM_ERROR_REFUSED) && strstr(e->message, "Invalid job id")) {
            g_error_free(e);
            return els;
        }
        g_propagate_error(err, e);
        g_ptr_array_free(els, TRUE);
        return NULL;
    }
    g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
    for (char **l = lines; *l; l++) {
        g_auto(GStrv) f = g_strsplit(*l, "|", 4);
        char *end;
        if (g_strv_length(f) != 4 || !*f[0] || !g_ascii_isdigit(*f[1]))
            continue; /* not an array element (a blank line) */
        guint64 index = g_ascii_strtoull(f[1], &end, 10);
        if (*end)
            continue;
        slurm_element *el = g_new(slurm_element, 1);
        *el = (slurm_element){.job = g_strdup(f[0]), .index = (size_t)index, .state = g_strdup(f[2]),
                              .where = g_strdup(f[3])};
        g_ptr_array_add(els, el);
    }
    return els;
}

static bool one_of(const char *state, const char *const *states)
{
    for (; *states; states++)
        if (strcmp(state, *states) == 0)
            return true;
    return false;
}

bool slurm_state_pending(const char *state)
{
    return one_of(state, (const char *const[]){"PENDING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED",
                                               "RESV_DEL_HOLD", NULL});
}

bool slurm_state_running(const char *state)
{
    return one_of(state, (const char *const[]){"RUNNING", "CONFIGURING", "COMPLETING", "SUSPENDED", "STOPPED",
                                               "SIGNALING", "STAGE_OUT", "RESIZING", NULL});
}

size_t slurm_max_array_size(void)
{
    const char *argv[] = {"scontrol", "show", "config", NULL};
    g_autofree char *out = run(argv, NULL);
    const char *at = out ? strstr(out, "\nMaxArraySize") : NULL;
    const char *eq = at ? strchr(at, '=') : NULL;
    long v = eq ? strtol(eq + 1, NULL, 10) : 0;
    return v > 1 ? (size_t)v : 1001;
}
