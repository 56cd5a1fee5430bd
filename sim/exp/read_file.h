/* read_file.h — reading a file named from outside without trusting it: only
 * a regular file, and at most a given size.  A FIFO is refused without
 * waiting for a writer, a device (/dev/zero) without reading it, a file too
 * big without reading it into memory. */
#ifndef IKESIM_SIM_READ_FILE_H
#define IKESIM_SIM_READ_FILE_H

#include <stdbool.h>

#include <glib.h>

/* The whole file into *text (NUL-terminated, g_free() it) and *len, or
 * false with a G_FILE_ERROR whose message starts with the path and says
 * what the file is instead ("x.ini: a FIFO, not a regular file"). */
bool read_regular_file(const char *path, gsize max, char **text, gsize *len, GError **err);

#endif
