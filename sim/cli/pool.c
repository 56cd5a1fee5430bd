#include "pool.h"

#include <signal.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <gio/gio.h>
#include <glib-unix.h>

typedef struct pool {
    const size_t *tasks;
    size_t n, next;
    int workers, running;
    bool interrupted;
    pool_argv_fn argv_for;
    pool_done_fn done;
    void *arg;
    progress *pg;
    GMainLoop *loop;
    GSubprocessLauncher *launcher;
    GPtrArray *live; /* GSubprocess* */
    pid_t parent;
} pool;

typedef struct {
    pool *p;
    size_t task;
    GSubprocess *proc;
} job;

static void child_setup(gpointer data)
{
#ifdef __linux__
    pid_t parent = (pid_t)GPOINTER_TO_INT(data);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) /* the pool died before prctl took hold */
        _exit(1);
#else
    (void)data;
#endif
}

static void start_more(pool *p);

static void finished(GObject *src, GAsyncResult *res, gpointer data)
{
    job *j = data;
    pool *p = j->p;
    char *out = NULL, *err_text = NULL;
    GError *error = NULL;
    int status = -1;
    if (g_subprocess_communicate_utf8_finish(G_SUBPROCESS(src), res, &out, &err_text, &error)) {
        g_subprocess_wait(j->proc, NULL, NULL);
        if (g_subprocess_get_if_exited(j->proc))
            status = g_subprocess_get_exit_status(j->proc);
    } else {
        err_text = g_strdup(error->message);
        g_error_free(error);
    }
    g_ptr_array_remove(p->live, j->proc);
    p->running--;
    if (p->pg)
        p->pg->running = (size_t)p->running;
    if (!p->interrupted)
        p->done(p->arg, j->task, status, out ? out : "", err_text ? err_text : "");
    g_free(out);
    g_free(err_text);
    g_object_unref(j->proc);
    g_free(j);
    start_more(p);
}

static void start_more(pool *p)
{
    while (!p->interrupted && p->running < p->workers && p->next < p->n) {
        size_t task = p->tasks[p->next++];
        char **argv = p->argv_for(p->arg, task);
        GError *error = NULL;
        GSubprocess *proc = g_subprocess_launcher_spawnv(p->launcher, (const char *const *)argv, &error);
        g_strfreev(argv);
        if (!proc) {
            p->done(p->arg, task, -1, "", error->message);
            g_error_free(error);
            continue;
        }
        job *j = g_new(job, 1);
        *j = (job){p, task, proc};
        p->running++;
        g_ptr_array_add(p->live, proc);
        g_subprocess_communicate_utf8_async(proc, NULL, NULL, finished, j);
    }
    if (p->pg) {
        p->pg->running = (size_t)p->running;
        progress_draw(p->pg);
    }
    if (p->running == 0 && (p->interrupted || p->next == p->n))
        g_main_loop_quit(p->loop);
}

static gboolean on_signal(gpointer data)
{
    pool *p = data;
    p->interrupted = true;
    for (guint i = 0; i < p->live->len; i++)
        g_subprocess_force_exit(g_ptr_array_index(p->live, i));
    if (p->running == 0)
        g_main_loop_quit(p->loop);
    return G_SOURCE_CONTINUE;
}

static gboolean tick(gpointer data)
{
    pool *p = data;
    if (p->pg)
        progress_draw(p->pg);
    return G_SOURCE_CONTINUE;
}

bool pool_run(const size_t *tasks, size_t n, int workers, pool_argv_fn argv_for, pool_done_fn done, void *arg,
              progress *pg)
{
    pool p = {.tasks = tasks, .n = n, .workers = workers > 0 ? workers : 1, .argv_for = argv_for,
              .done = done, .arg = arg, .pg = pg, .parent = getpid()};
    p.loop = g_main_loop_new(NULL, FALSE);
    p.live = g_ptr_array_new();
    p.launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
    g_subprocess_launcher_set_child_setup(p.launcher, child_setup, GINT_TO_POINTER(p.parent), NULL);
    guint sigint = g_unix_signal_add(SIGINT, on_signal, &p);
    guint sigterm = g_unix_signal_add(SIGTERM, on_signal, &p);
    guint timer = g_timeout_add_seconds(1, tick, &p);
    start_more(&p);
    if (p.running > 0 || (!p.interrupted && p.next < p.n))
        g_main_loop_run(p.loop);
    g_source_remove(sigint);
    g_source_remove(sigterm);
    g_source_remove(timer);
    g_object_unref(p.launcher);
    g_ptr_array_free(p.live, TRUE);
    g_main_loop_unref(p.loop);
    return !p.interrupted;
}
