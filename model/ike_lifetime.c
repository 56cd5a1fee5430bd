/* ike_lifetime.c — strongSwan 5.9's rekey and expiry times. */
#include "ike_lifetime.h"

enum { DRAW_MASK = 0x7fffffff }; /* random(): 0 .. RAND_MAX = 2^31 - 1 */

static const uint64_t NS = 1000000000ull;

static uint32_t max32(uint32_t a, uint32_t b)
{
    return a > b ? a : b;
}

static uint32_t min32(uint32_t a, uint32_t b)
{
    return a < b ? a : b;
}

void ike_sa_lifetime_resolve(ike_sa_lifetime *l)
{
    if (l->rekey_s == IKE_LFT_UNSET && l->reauth_s == IKE_LFT_UNSET) {
        l->rekey_s = 4 * 3600;
        l->reauth_s = 0;
    }
    if (l->rekey_s == IKE_LFT_UNSET)
        l->rekey_s = 0;
    if (l->reauth_s == IKE_LFT_UNSET)
        l->reauth_s = 0;
    if (l->over_s == IKE_LFT_UNSET)
        l->over_s = max32(l->rekey_s, l->reauth_s) / 10;
    if (l->rand_s == IKE_LFT_UNSET) {
        uint32_t t = l->rekey_s && l->reauth_s ? min32(l->rekey_s, l->reauth_s)
                                                : max32(l->rekey_s, l->reauth_s);
        l->rand_s = min32(l->over_s, t / 2);
    }
}

void ike_child_lifetime_resolve(ike_child_lifetime *l)
{
    if (l->rekey_s == IKE_LFT_UNSET)
        l->rekey_s = 3600;
    if (l->life_s == IKE_LFT_UNSET)
        l->life_s = (uint32_t)((uint64_t)l->rekey_s * 110 / 100);
    if (l->rand_s == IKE_LFT_UNSET)
        l->rand_s = l->life_s - min32(l->life_s, l->rekey_s);
}

/* t less the jitter, but at least a second (a rand_time beyond the rekey
 * time is a configuration strongSwan does not guard against). */
static uint64_t less(uint64_t t, uint64_t jitter)
{
    return jitter < t ? t - jitter : 1;
}

/* peer_cfg.c: rekey_time - random() % jitter_time, whole seconds */
static uint64_t ike_jitter(uint32_t t, uint32_t rand_s, uint32_t draw)
{
    if (t == 0)
        return 0;
    return rand_s == 0 ? t : less(t, (draw & DRAW_MASK) % rand_s);
}

ike_sa_times ike_sa_times_at(const ike_sa_lifetime *l, uint64_t now, uint32_t draw_rekey,
                             uint32_t draw_reauth)
{
    uint64_t rekey = ike_jitter(l->rekey_s, l->rand_s, draw_rekey);
    uint64_t reauth = ike_jitter(l->reauth_s, l->rand_s, draw_reauth);
    ike_sa_times t = { 0 };
    if (rekey)
        t.rekey_at = now + rekey * NS;
    if (reauth)
        t.reauth_at = now + reauth * NS;
    if (rekey || reauth) {
        uint64_t first = rekey && reauth ? (rekey < reauth ? rekey : reauth) : rekey + reauth;
        t.expire_at = now + (first + l->over_s) * NS;
    }
    return t;
}

/* child_cfg.c apply_jitter: rekey - (jitter + 1) * random() / (RAND_MAX + 1.0),
 * truncated; exact here in integers. */
static uint64_t child_jitter(uint32_t rekey, uint32_t rand_s, uint32_t draw)
{
    if (rand_s == 0)
        return rekey;
    uint64_t cut = ((uint64_t)rand_s + 1) * (draw & DRAW_MASK); /* / 2^31, rounded up */
    return less(rekey, (cut + DRAW_MASK) >> 31);
}

ike_sa_times ike_child_times_at(const ike_child_lifetime *l, uint64_t now, uint32_t draw_in,
                                uint32_t draw_out)
{
    ike_sa_times t = { 0 };
    if (l->rekey_s) {
        uint64_t in = child_jitter(l->rekey_s, l->rand_s, draw_in);
        uint64_t out = child_jitter(l->rekey_s, l->rand_s, draw_out);
        t.rekey_at = now + (in < out ? in : out) * NS;
    }
    if (l->life_s)
        t.expire_at = now + (uint64_t)l->life_s * NS;
    return t;
}
