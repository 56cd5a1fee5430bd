/* ike_nat.c — NAT traversal in the endpoint (RFC 7296 §2.23), on only when
 * the caller gives ike_io.addresses: the NAT-D notifies of IKE_SA_INIT, and
 * an SA whose peer sits behind a NAT following that peer's address. */
#include "ike_internal.h"

size_t natd_add(ike_ep *ep, uint64_t peer, uint64_t spi_i, uint64_t spi_r, uint8_t hashes[2][IKE_NATD_LEN],
                ike_payload *pl)
{
    ike_endpoint local, remote;
    if (!ep->io.addresses || !ep->io.addresses(ep->io.ctx, peer, &local, &remote))
        return 0;
    return ike_natd_payloads(spi_i, spi_r, &local, &remote, hashes, pl) == IKE_OK ? 2 : 0;
}

bool natd_seen(ike_ep *ep, ike_sa *sa, uint64_t peer, const ike_msg *m)
{
    ike_endpoint local, remote;
    ike_natd_result r;
    if (!ep->io.addresses || !ep->io.addresses(ep->io.ctx, peer, &local, &remote) ||
        ike_natd_check(m, &local, &remote, &r) != IKE_OK || !r.seen)
        return false;
    sa->nat_there = r.nat_there;
    sa->nat_here = r.nat_here;
    return true;
}

void ep_sa_peer_seen(ike_ep *ep, ike_sa *sa, uint64_t peer)
{
    if (!sa->nat_there || peer == sa->peer)
        return;
    /* §2.23: towards a peer behind a NAT, send to the address and port of
     * its latest authenticated message (its mapping may have changed) */
    ike_sa *indexed = sa->initiator ? NULL : ep_responder_lookup(ep, sa->peer, sa->spi_i);
    if (indexed == sa)
        ep_responder_unindex(ep, sa);
    sa->peer = peer;
    if (indexed == sa)
        ep_responder_index(ep, sa);
}
