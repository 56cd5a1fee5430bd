/* ike_map.c — a hash map that keeps its first entry inline and makes a
 * GHashTable only when a second key arrives.  A client endpoint holds one
 * SA for its whole life, and an empty GHashTable alone costs a few hundred
 * bytes; a headend's maps turn into tables at once.  Lookups, replacements
 * and removals behave as g_hash_table_*() on the same entries. */
#include "ike_internal.h"

gpointer ep_map_lookup(const ep_map *m, gconstpointer key)
{
    if (m->t)
        return g_hash_table_lookup(m->t, key);
    return m->has && m->kind->equal(m->k, key) ? m->v : NULL;
}

void ep_map_replace(ep_map *m, gpointer key, gpointer value)
{
    if (!m->t && m->has && !m->kind->equal(m->k, key)) { /* a second key: now a table */
        m->t = g_hash_table_new_full(m->kind->hash, m->kind->equal, m->kind->key_free, NULL);
        g_hash_table_insert(m->t, m->k, m->v);
        m->has = false;
    }
    if (m->t) {
        g_hash_table_replace(m->t, key, value);
        return;
    }
    if (m->has && m->kind->key_free) /* as g_hash_table_replace: the new key is kept */
        m->kind->key_free(m->k);
    m->k = key;
    m->v = value;
    m->has = true;
}

void ep_map_remove(ep_map *m, gconstpointer key)
{
    if (m->t) {
        g_hash_table_remove(m->t, key);
    } else if (m->has && m->kind->equal(m->k, key)) {
        if (m->kind->key_free)
            m->kind->key_free(m->k);
        m->has = false;
    }
}

void ep_map_clear(ep_map *m)
{
    if (m->t)
        g_hash_table_destroy(m->t);
    else if (m->has && m->kind->key_free)
        m->kind->key_free(m->k);
    m->t = NULL;
    m->has = false;
}
