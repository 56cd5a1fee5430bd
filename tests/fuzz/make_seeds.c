/* Writes the datagrams of a real handshake, liveness check and Delete into
 * a folder, as the fuzzers' starting corpus. */
#include <stdio.h>

#include <glib/gstdio.h>

#include "ikepair.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
        return 2;
    }
    g_mkdir_with_parents(argv[1], 0755);
    ike_cfg a, b;
    ike_test_cfg(&a, "a.example");
    ike_test_cfg(&b, "b.example");
    ike_pair p;
    pair_init(&p, &a, &b, 1);
    pair_establish(&p);
    ike_ep_liveness(p.ep[0], pair_sa(&p, 0), p.now);
    pair_deliver(&p, MS);
    ike_ep_delete(p.ep[0], pair_sa(&p, 0), p.now);
    pair_deliver(&p, MS);
    int n = 0;
    for (int s = 0; s < 2; s++)
        for (guint i = 0; i < p.sent[s]->len; i++) {
            g_autofree char *path = g_strdup_printf("%s/seed-%d-%u", argv[1], s, i);
            gsize len;
            const char *d = g_bytes_get_data(g_ptr_array_index(p.sent[s], i), &len);
            if (!g_file_set_contents(path, d, (gssize)len, NULL))
                return 1;
            n++;
        }
    pair_free(&p);
    printf("%d seeds in %s\n", n, argv[1]);
    return 0;
}
