/* ikesim-reference FILE — rewrites the key tables of experiments/REFERENCE.md
 * (FILE) from the key rows of sim/exp/exp_keys.c; the test suite fails while
 * they differ. */
#include <stdio.h>

#include "exp_internal.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: ikesim-reference experiments/REFERENCE.md\n");
        return 2;
    }
    g_autofree char *text = NULL;
    GError *err = NULL;
    if (!g_file_get_contents(argv[1], &text, NULL, &err)) {
        fprintf(stderr, "ikesim-reference: %s\n", err->message);
        return 2;
    }
    g_autofree char *updated = exp_reference_update(text, &err);
    if (!updated || !g_file_set_contents(argv[1], updated, -1, &err)) {
        fprintf(stderr, "ikesim-reference: %s: %s\n", argv[1], err->message);
        return 2;
    }
    return 0;
}
