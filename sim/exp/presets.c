#include "presets.h"

#include <string.h>

/* strongSwan: swanctl dpd_delay is off by default; 30 s is the usual
 * configured value (ipsec.conf's old default).  Idle time is counted in
 * whole seconds (brief §5.1b); 4 s x 1.8^n, 5 retransmissions: the check
 * fails 165.06 s after it was sent.
 * libreswan: 0.5 s doubling, the exchange abandoned after 30 s (v5.4):
 * waits 0.5, 1, 2, 4, 8 s and a last one capped at 14.5 s.
 * aggressive: what operators tune for fast failover (cf. strongswan#292):
 * a check after 5 s idle, waits 1, 1.5, 2.25, 3.375 s: dead after 8.125 s. */
const sim_liveness sim_liveness_presets[] = {
    {"strongswan", "strongSwan: dpd_delay 30 s, whole-second idle clock, 4 s x 1.8^n, 5 tries (165.06 s)",
     30000, IKE_DPD_WHOLE_SECONDS, {4000, 1.8, 5, 0, 0}},
    {"libreswan", "libreswan: dpd_delay 30 s, 0.5 s doubling, abandoned after 30 s",
     30000, IKE_DPD_EXACT, {500, 2.0, 5, 14500, 0}},
    {"aggressive", "tuned for speed: dpd_delay 5 s, 1 s x 1.5^n, 3 tries (8.125 s)",
     5000, IKE_DPD_EXACT, {1000, 1.5, 3, 0, 0}},
    {"none", "no liveness checks (strongSwan's schedule still governs other exchanges)",
     0, IKE_DPD_EXACT, {4000, 1.8, 5, 0, 0}},
    {NULL, NULL, 0, IKE_DPD_EXACT, {0, 0, 0, 0, 0}},
};

const sim_liveness *sim_liveness_find(const char *name)
{
    for (const sim_liveness *p = sim_liveness_presets; p->name; p++)
        if (strcmp(p->name, name) == 0)
            return p;
    return NULL;
}

static const char *const m_none[] = {"gateways.liveness=none", "gateways.qcd=none", NULL};
static const char *const m_strongswan[] = {"gateways.liveness=strongswan", "gateways.qcd=none", NULL};
static const char *const m_libreswan[] = {"gateways.liveness=libreswan", "gateways.qcd=none", NULL};
static const char *const m_aggressive[] = {"gateways.liveness=aggressive", "gateways.qcd=none", NULL};
/* QCD does not replace liveness checks (a peer that never comes back is
 * still found by them): every QCD method keeps strongSwan's schedule.  The
 * taker starts a check on an unprotected INVALID_SPI hint, which is how
 * ESP to a rebooted maker turns into a token exchange. */
static const char *const m_qcd[] = {
    "gateways.liveness=strongswan", "gateways.qcd=none",
    "gateway.0.qcd=taker", "gateway.0.hint_starts_dpd=true", "gateway.1.qcd=maker", NULL,
};
static const char *const m_qcd_sym[] = {
    "gateways.liveness=strongswan", "gateways.qcd=both", "gateways.hint_starts_dpd=true", NULL,
};
static const char *const m_qcd_fast[] = {
    "gateways.liveness=strongswan", "gateways.qcd=none",
    "gateway.0.qcd=taker", "gateway.0.hint_starts_dpd=true", "gateway.1.qcd=maker",
    "gateway.1.persist_child_map=true", NULL,
};

/* Existing IKEv2 means instead of QCD: the rebooted gateway 1 sets the SA up
 * again itself, and its INITIAL_CONTACT makes gateway 0 delete the stale one
 * (RFC 7296 §2.4).  At each reboot (after its boot delay), or when its own
 * outbound packet finds no SA; either only if it can reach gateway 0 first
 * (can_initiate).  Liveness checks stay for a peer that never comes back. */
static const char *const m_reinit[] = {
    "gateways.liveness=strongswan", "gateways.qcd=none",
    "gateway.1.establish=at-reboot", "gateway.1.initial_contact=true", NULL,
};
static const char *const m_reinit_traffic[] = {
    "gateways.liveness=strongswan", "gateways.qcd=none",
    "gateway.1.establish=on-traffic", "gateway.1.initial_contact=true", NULL,
};

/* RFC 5723: the side that finds the crash (by liveness checks, or QCD)
 * sets the SA up again from its ticket in one round trip, without
 * Diffie-Hellman; the rebooted side kept its ticket keys. */
static const char *const m_resume[] = {
    "gateways.liveness=strongswan", "gateways.qcd=none", "gateways.resume=true", NULL,
};
static const char *const m_qcd_resume[] = {
    "gateways.liveness=strongswan", "gateways.qcd=none",
    "gateway.0.qcd=taker", "gateway.0.hint_starts_dpd=true", "gateway.1.qcd=maker",
    "gateways.resume=true", NULL,
};

const sim_method sim_methods[] = {
    {"none", "no liveness checks, no QCD", m_none},
    {"liveness-strongswan", "liveness checks only, strongSwan preset", m_strongswan},
    {"liveness-libreswan", "liveness checks only, libreswan preset", m_libreswan},
    {"liveness-aggressive", "liveness checks only, aggressive preset", m_aggressive},
    {"qcd", "asymmetric QCD: gateway 1 maker, gateway 0 taker; strongSwan liveness", m_qcd},
    {"qcd-sym", "symmetric QCD: both gateways maker and taker; strongSwan liveness", m_qcd_sym},
    {"qcd-fast", "qcd plus gateway 1's persisted child SPI map (INVALID_SPI carries tokens)", m_qcd_fast},
    {"reinit", "gateway 1 initiates again at every reboot with INITIAL_CONTACT; strongSwan liveness", m_reinit},
    {"reinit-on-traffic", "gateway 1 initiates with INITIAL_CONTACT when its own packet finds no SA; "
     "strongSwan liveness", m_reinit_traffic},
    {"resume", "session resumption (RFC 5723) by the side that finds the crash; strongSwan liveness", m_resume},
    {"qcd+resume", "qcd, then session resumption (RFC 5723) instead of a full handshake", m_qcd_resume},
    {NULL, NULL, NULL},
};

const sim_method *sim_method_find(const char *name)
{
    for (const sim_method *m = sim_methods; m->name; m++)
        if (strcmp(m->name, name) == 0)
            return m;
    return NULL;
}
