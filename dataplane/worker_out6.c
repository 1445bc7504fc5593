/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sending an IPv6 packet whose header is final (sl_worker_output6,
 * worker.h): the route (routes6, longest prefix first), the next hop's
 * neighbor entry (the view's v6 table, its Ethernet header ready to
 * copy), TX on the neighbor's port (sl_worker_tx: VLAN tag, capture; TX
 * checksum offload is IPv4's only, tx_csum.h, and a v6 frame's checksum
 * is already complete: the rewrite updates it in software). A next hop
 * not resolved yet goes to NDP's hold queue (sl_worker_hold6,
 * worker_ndp.c); no route is a counted drop. A connection's packets
 * (FNAT66's, NAT64's replies) leave by its cached next hop instead
 * (sl_worker_send6), found by the same route and neighbor lookups once
 * per connection and change.
 */
#include <rte_mbuf.h>

#include "worker_conn.h"
#include "worker6.h"

bool sl_worker_would_hold6(const struct sl_worker *w, const uint8_t dst[16])
{
	const struct sl_snap6_route *rt = sl_snap6_route(w->snap, dst);
	const struct sl_snap_neigh6 *nb;

	if (rt == NULL)
		return false;
	nb = sl_neigh_view_find6(w->neigh, sl_snap6_next_hop(rt, dst));
	return nb == NULL || nb->port != rt->port;
}

bool sl_worker_output6(struct sl_worker *w, struct rte_mbuf *m, const uint8_t dst[16])
{
	const struct sl_snap6_route *rt = sl_snap6_route(w->snap, dst);

	if (rt == NULL) {
		sl_worker_drop(w, m, SL_DROP_NO_ROUTE);
		return false;
	}
	const uint8_t *hop = sl_snap6_next_hop(rt, dst);
	const struct sl_snap_neigh6 *nb = sl_neigh_view_find6(w->neigh, hop);
	/* The entry's ready-made Ethernet header is for its own port. */
	if (nb == NULL || nb->port != rt->port)
		return sl_worker_hold6(w, m, hop, rt->port, w->now_ms);
	uint8_t *frame = rte_pktmbuf_mtod(m, uint8_t *);
	memcpy(frame, nb->l2, 12);
	((struct sl_ether_hdr *)frame)->type = sl_htons(SL_ETHERTYPE_IPV6);
	sl_worker_tx(w, nb->port, m);
	return true;
}

/* Remember where v6 direction `dir` of `c` leaves (towards `dst`, by
 * route `rt`), worker_conn.h's sl_worker_learn_via for v6: the slot
 * indexes the view's v6 table. False if it has no route or no resolved
 * next hop yet. */
static bool learn_via6(const struct sl_worker *w, struct sl_conn *c, enum sl_dir dir,
		       const struct sl_snap6_route *rt, const uint8_t dst[16])
{
	const struct sl_snap_neigh6 *nb =
		rt ? sl_neigh_view_find6(w->neigh, sl_snap6_next_hop(rt, dst)) : NULL;

	if (nb == NULL || nb->port != rt->port)
		return false;
	c->nh_slot[dir] = (uint16_t)(nb - w->neigh->slot6);
	return true;
}

/* A route looked up here fills the direction's cache, as
 * sl_worker_mtu_out4 does for v4: a client's SYN's clamp (about the
 * reply direction) and the first reply share one lookup. `dst` must be
 * where the direction's packets go (the connection's own address, never
 * an ICMP error's source). */
uint8_t sl_worker_port_out6(const struct sl_worker *w, struct sl_conn *c,
			    enum sl_dir dir, const uint8_t dst[16])
{
	sl_worker_next_hops_current(w, c);
	if (c->nh_slot[dir] == SL_NH_NONE) {
		const struct sl_snap6_route *rt = sl_snap6_route(w->snap, dst);
		if (rt == NULL)
			return SL_MAX_PORTS;
		if (!learn_via6(w, c, dir, rt, dst))
			return rt->port;
	}
	return w->neigh->slot6[c->nh_slot[dir]].port;
}

void sl_worker_send6(struct sl_worker *w, struct rte_mbuf *m, struct sl_conn *c,
		     enum sl_dir dir, const uint8_t dst[16])
{
	sl_worker_next_hops_current(w, c);
	if (sl_unlikely(c->nh_slot[dir] == SL_NH_NONE) &&
	    !learn_via6(w, c, dir, sl_snap6_route(w->snap, dst), dst)) {
		sl_worker_output6(w, m, dst); /* no route, or NDP pending */
		return;
	}
	const struct sl_snap_neigh6 *nb = &w->neigh->slot6[c->nh_slot[dir]];
	memcpy(rte_pktmbuf_mtod(m, uint8_t *), nb->l2, 12);
	sl_worker_tx(w, nb->port, m);
}
