/* ike_lifetime.h — when an SA rekeys and when it hard-expires, computed the
 * way strongSwan 5.9 (swanctl/vici) computes it, from a configuration in
 * whole seconds and the caller's random draws (uniform 32-bit values, of
 * which the low 31 bits are used, like glibc's random()).
 *
 * IKE SA (src/libcharon/config/peer_cfg.c get_rekey_time/get_reauth_time,
 * src/libcharon/sa/ike_sa.c set_state):
 *   rekey  = rekey_time  - draw % rand_time   (if rekey_time  != 0)
 *   reauth = reauth_time - draw % rand_time   (if reauth_time != 0; its own draw)
 *   hard   = the earlier of the two + over_time
 * Child SA (src/libcharon/config/child_cfg.c apply_jitter, src/libcharon/sa/child_sa.c
 * install_internal): each of the two SAs of a pair, inbound and outbound, draws
 *   rekey  = rekey_time - (rand_time + 1) * draw / 2^31   (truncated to whole seconds)
 * and the pair rekeys at the earlier; hard = life_time after installation.
 *
 * Defaults when a value is left unset (src/libcharon/plugins/vici/vici_config.c,
 * 5.9.0 to 5.9.14): IKE rekey_time 4 h (only if reauth_time is unset too),
 * reauth_time 0, over_time 10 % of max(rekey, reauth), rand_time
 * min(over_time, half the shorter non-zero one): 14400/0/1440/1440 s.  Child
 * rekey_time 1 h, life_time 110 % of rekey_time, rand_time life - rekey:
 * 3600/3960/360 s.  A time of 0 means never.
 */
#ifndef IKESIM_IKE_LIFETIME_H
#define IKESIM_IKE_LIFETIME_H

#include <stdint.h>

enum { IKE_LFT_UNSET = UINT32_MAX };

typedef struct ike_sa_lifetime {
    uint32_t rekey_s, reauth_s, over_s, rand_s;
} ike_sa_lifetime;

typedef struct ike_child_lifetime {
    uint32_t rekey_s, life_s, rand_s;
} ike_child_lifetime;

/* Fills the fields left IKE_LFT_UNSET as strongSwan 5.9 does. */
void ike_sa_lifetime_resolve(ike_sa_lifetime *l);
void ike_child_lifetime_resolve(ike_child_lifetime *l);

/* Absolute times in ns; 0 for never. */
typedef struct ike_sa_times {
    uint64_t rekey_at, reauth_at, expire_at;
} ike_sa_times;

/* An IKE SA established at now (ns); two draws, one for rekey and one for reauth. */
ike_sa_times ike_sa_times_at(const ike_sa_lifetime *l, uint64_t now, uint32_t draw_rekey,
                             uint32_t draw_reauth);
/* A Child SA installed at now; one draw for each of its two SAs. */
ike_sa_times ike_child_times_at(const ike_child_lifetime *l, uint64_t now, uint32_t draw_in,
                                uint32_t draw_out);

#endif
