#include "slurm_dir.h"

#include <string.h>

#include "outdir.h"
#include "slurm.h"

const char *const task_state_names[TASK_N_STATES] = {"done", "queued", "running", "failed", "missing"};

/* A cancelled, timed-out or preempted element gets SIGTERM (its run too):
 * it leaves no record, so it counts as missing, not as failed. */
static const char script_text[] =
    "#!/bin/bash\n"
    "# One element of an ikesim job array (ikesim sweep --slurm): the task on\n"
    "# line SLURM_ARRAY_TASK_ID+1 of the task list given as $1.\n"
    "task=$(sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" \"$1\")\n"
    "case $task in ''|*[!0-9]*)\n"
    "  echo \"ikesim job: no task on line $((SLURM_ARRAY_TASK_ID + 1)) of $1\" >&2; exit 2;;\n"
    "esac\n"
    "failed=%s\n"
    "rm -f \"$failed/$task\"\n"
    "cancelled=\n"
    "trap cancelled=1 TERM\n"
    "%s --task \"$task\"\n"
    "rc=$?\n"
    "if [ \"$rc\" -ne 0 ] && [ -z \"$cancelled\" ]; then\n"
    "  element=${SLURM_ARRAY_JOB_ID}_$SLURM_ARRAY_TASK_ID\n"
    "  echo \"exit $rc on $(hostname -s), job $element, output in slurm/log/$element.out\" >\"$failed/.$task.$$\" &&\n"
    "    mv -f \"$failed/.$task.$$\" \"$failed/$task\"\n"
    "fi\n"
    "exit $rc\n";

static char *slurm_path(const char *dir, const char *name)
{
    return g_build_filename(dir, "slurm", name, NULL);
}

bool slurm_dir_write_script(const char *dir, const char *const *run_argv, GError **err)
{
    g_autofree char *sdir = slurm_path(dir, NULL), *failed = slurm_path(dir, "failed");
    g_autofree char *logs = slurm_path(dir, "log"), *shards = g_build_filename(dir, "shards", NULL);
    GString *cmd = g_string_new(NULL);
    for (const char *const *a = run_argv; *a; a++) {
        g_autofree char *q = g_shell_quote(*a);
        g_string_append_printf(cmd, "%s%s", cmd->len ? " " : "", q);
    }
    g_autofree char *q_failed = g_shell_quote(failed);
    g_autofree char *text = g_strdup_printf(script_text, q_failed, cmd->str);
    g_string_free(cmd, TRUE);
    return out_mkdirs(failed, err) && out_mkdirs(logs, err) && out_mkdirs(shards, err) &&
           out_write(sdir, "job.sh", text, -1, err);
}

/* The arrays recorded in DIR/slurm/jobs, oldest first. */
typedef struct array {
    char *job;
    GArray *tasks; /* size_t: element i runs tasks[i] */
} array;

static void array_free(gpointer p)
{
    array *a = p;
    g_free(a->job);
    g_array_unref(a->tasks);
    g_free(a);
}

static GArray *read_list(const char *path)
{
    GArray *tasks = g_array_new(FALSE, FALSE, sizeof(size_t));
    g_autofree char *text = NULL;
    if (!g_file_get_contents(path, &text, NULL, NULL))
        return tasks;
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l && **l; l++) {
        size_t t = (size_t)g_ascii_strtoull(*l, NULL, 10);
        g_array_append_val(tasks, t);
    }
    return tasks;
}

static GPtrArray *read_arrays(const char *dir)
{
    GPtrArray *arrays = g_ptr_array_new_with_free_func(array_free);
    g_autofree char *path = slurm_path(dir, "jobs"), *text = NULL;
    if (!g_file_get_contents(path, &text, NULL, NULL))
        return arrays;
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++) {
        g_auto(GStrv) f = g_strsplit(*l, " ", 2);
        if (g_strv_length(f) != 2 || strchr(f[1], '/'))
            continue;
        g_autofree char *list = slurm_path(dir, f[1]);
        array *a = g_new(array, 1);
        *a = (array){.job = g_strdup(f[0]), .tasks = read_list(list)};
        g_ptr_array_add(arrays, a);
    }
    return arrays;
}

bool slurm_dir_submit(const char *dir, const char *job_name, const size_t *tasks, size_t n, size_t max_array,
                      int throttle, const char *const *opts, GPtrArray *jobs, GError **err)
{
    g_autofree char *sdir = slurm_path(dir, NULL), *script = slurm_path(dir, "job.sh");
    g_autofree char *jobs_path = slurm_path(dir, "jobs");
    g_autofree char *log = slurm_path(dir, "log/%A_%a.out");
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(argv, g_strconcat("--job-name=", job_name, NULL));
    g_ptr_array_add(argv, g_strconcat("--output=", log, NULL));
    for (const char *const *o = opts; o && *o; o++)
        g_ptr_array_add(argv, g_strdup(*o));
    g_ptr_array_add(argv, NULL);
    for (size_t first = 0; first < n; first += max_array) {
        size_t k = MIN(max_array, n - first), number = 1;
        g_autofree char *name = NULL, *list = NULL;
        do { /* the next unused tasks-K.txt */
            g_free(name);
            g_free(list);
            name = g_strdup_printf("tasks-%zu.txt", number++);
            list = slurm_path(dir, name);
        } while (g_file_test(list, G_FILE_TEST_EXISTS));
        GString *lines = g_string_new(NULL);
        for (size_t i = first; i < first + k; i++)
            g_string_append_printf(lines, "%zu\n", tasks[i]);
        bool ok = out_write(sdir, name, lines->str, (gssize)lines->len, err);
        g_string_free(lines, TRUE);
        g_autofree char *job = ok ? slurm_submit(script, list, k, throttle, (const char *const *)argv->pdata, err)
                                  : NULL;
        if (!job)
            return false;
        /* recorded whole: the old lines and the new one, renamed into place */
        g_autofree char *old = NULL;
        if (!g_file_get_contents(jobs_path, &old, NULL, NULL))
            old = g_strdup("");
        g_autofree char *all = g_strdup_printf("%s%s %s\n", old, job, name);
        if (!out_write(sdir, "jobs", all, -1, err))
            return false;
        g_ptr_array_add(jobs, g_steal_pointer(&job));
    }
    return true;
}

void slurm_dir_status_free(dir_status *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        g_free(s->tasks[i].detail);
    g_free(s->tasks);
    g_free(s);
}

static void set(dir_status *s, size_t t, task_state state, char *detail)
{
    s->tasks[t].state = state;
    s->tasks[t].detail = detail;
    s->count[state]++;
}

/* What job.sh wrote of task t's failure, or NULL. */
static char *failure_record(const char *dir, size_t t)
{
    g_autofree char *name = g_strdup_printf("failed/%zu", t), *path = slurm_path(dir, name);
    char *text = NULL;
    return g_file_get_contents(path, &text, NULL, NULL) ? g_strstrip(text) : NULL;
}

dir_status *slurm_dir_status(const char *dir, size_t n, GError **err)
{
    g_autoptr(GHashTable) done = g_hash_table_new(g_direct_hash, g_direct_equal);
    out_done_tasks(dir, done);
    /* each task's latest array and element */
    g_autoptr(GPtrArray) arrays = read_arrays(dir);
    const array **in = g_new0(const array *, n);
    size_t *index = g_new0(size_t, n);
    for (guint a = 0; a < arrays->len; a++) {
        const array *ar = g_ptr_array_index(arrays, a);
        for (guint i = 0; i < ar->tasks->len; i++) {
            size_t t = g_array_index(ar->tasks, size_t, i);
            if (t < n) {
                in[t] = ar;
                index[t] = i;
            }
        }
    }
    /* squeue only about arrays that may still hold an unfinished task */
    g_autoptr(GPtrArray) ask = g_ptr_array_new();
    for (size_t t = 0; t < n; t++)
        if (in[t] && !g_hash_table_contains(done, GSIZE_TO_POINTER(t)) && !g_ptr_array_find(ask, in[t], NULL))
            g_ptr_array_add(ask, (gpointer)in[t]);
    g_autoptr(GPtrArray) ids = g_ptr_array_new();
    for (guint i = 0; i < ask->len; i++)
        g_ptr_array_add(ids, ((const array *)g_ptr_array_index(ask, i))->job);
    g_ptr_array_add(ids, NULL);
    GPtrArray *els = slurm_elements((const char *const *)ids->pdata, err);
    if (!els) {
        g_free(in);
        g_free(index);
        return NULL;
    }
    const slurm_element **el_of = g_new0(const slurm_element *, n);
    for (guint e = 0; e < els->len; e++) {
        const slurm_element *el = g_ptr_array_index(els, e);
        for (guint i = 0; i < ask->len; i++) {
            const array *ar = g_ptr_array_index(ask, i);
            if (strcmp(ar->job, el->job) != 0 || el->index >= ar->tasks->len)
                continue;
            size_t t = g_array_index(ar->tasks, size_t, el->index);
            if (t < n && in[t] == ar && index[t] == el->index)
                el_of[t] = el;
        }
    }
    dir_status *s = g_new0(dir_status, 1);
    s->n = n;
    s->tasks = g_new0(task_status, n);
    for (size_t t = 0; t < n; t++) {
        const slurm_element *el = el_of[t];
        g_autofree char *elem = in[t] ? g_strdup_printf("job %s_%zu", in[t]->job, index[t]) : NULL;
        char *record;
        if (g_hash_table_contains(done, GSIZE_TO_POINTER(t)))
            set(s, t, TASK_DONE, g_strdup(""));
        else if (el && slurm_state_pending(el->state))
            set(s, t, TASK_QUEUED, g_strdup_printf("%s %s %s", elem, el->state, el->where));
        else if (el && slurm_state_running(el->state))
            set(s, t, TASK_RUNNING, g_strdup_printf("%s %s on %s", elem, el->state, el->where));
        else if ((record = failure_record(dir, t)))
            set(s, t, TASK_FAILED, record);
        else if (el)
            set(s, t, TASK_MISSING, g_strdup_printf("%s %s", elem, el->state));
        else
            set(s, t, TASK_MISSING, elem ? g_strdup_printf("%s ended without a result", elem)
                                         : g_strdup("never submitted"));
    }
    g_ptr_array_free(els, TRUE);
    g_free(el_of);
    g_free(in);
    g_free(index);
    return s;
}
