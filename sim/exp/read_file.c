#include "read_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

static const char *kind(mode_t m)
{
    return S_ISDIR(m) ? "a directory" : S_ISFIFO(m) ? "a FIFO" : S_ISCHR(m) ? "a character device"
         : S_ISBLK(m) ? "a block device" : S_ISSOCK(m) ? "a socket" : "not a file";
}

static bool fail(GError **err, int e, const char *path, const char *what)
{
    g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e), "%s: %s", path, what);
    return false;
}

static char *size_text(gsize n)
{
    return n % 1048576 == 0 ? g_strdup_printf("%zu MiB", (size_t)(n / 1048576)) : g_strdup_printf("%zu bytes", (size_t)n);
}

bool read_regular_file(const char *path, gsize max, char **text, gsize *len, GError **err)
{
    /* O_NONBLOCK: opening a FIFO does not wait for a writer */
    int fd = g_open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, 0);
    if (fd < 0) {
        int e = errno;
        return fail(err, e, path, g_strerror(e));
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return fail(err, e, path, g_strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        g_autofree char *why = g_strdup_printf("%s, not a regular file", kind(st.st_mode));
        return fail(err, EINVAL, path, why);
    }
    g_autofree char *limit = size_text(max);
    if ((guint64)st.st_size > max) {
        close(fd);
        g_autofree char *why = g_strdup_printf("%jd bytes, more than the %s allowed", (intmax_t)st.st_size, limit);
        return fail(err, EFBIG, path, why);
    }
    /* read up to max + 1: a file that grew since fstat is caught too */
    char *buf = g_malloc((gsize)st.st_size + 1);
    gsize cap = (gsize)st.st_size, n = 0;
    for (;;) {
        if (n == cap) {
            if (cap > max)
                break;
            cap = MIN(max + 1, cap * 2 + 4096);
            buf = g_realloc(buf, cap + 1);
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            close(fd);
            g_free(buf);
            return fail(err, e, path, g_strerror(e));
        }
        if (r == 0)
            break;
        n += (gsize)r;
    }
    close(fd);
    if (n > max) {
        g_free(buf);
        g_autofree char *why = g_strdup_printf("more than the %s allowed", limit);
        return fail(err, EFBIG, path, why);
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return true;
}
