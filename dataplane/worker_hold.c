/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The hold queues' turns (ARP's, worker_out.c, and NDP's, worker_ndp.c):
 * a held packet is sent once its next hop is resolved, dropped once it
 * waited SL_HOLD_MS, and routed again when a newer snapshot no longer
 * has its next hop on its port. Apart from both queues' owners: routing
 * again calls the output of either family, which holds (worker_ndp.c,
 * worker_out.c), so neither owner may call back here.
 */
#include <rte_mbuf.h>

#include "snapshot6.h"
#include "worker.h"
#include "worker6.h"

/* Does a rerouted packet of `ip_len` bytes fit `port`'s MTU? It passed
 * the old port's check only. */
static bool fits(const struct sl_worker *w, uint8_t port, uint32_t ip_len)
{
	return port < SL_MAX_PORTS && (w->dp->mtu[port] == 0 || ip_len <= w->dp->mtu[port]);
}

/* A held packet whose next hop is no longer on its port: routed afresh
 * from the frame's own destination (v4 or v6, whichever queue held it),
 * which sends it or holds it again for the new next hop (appended to a
 * hold queue its retry loop is walking: the loop reaches it, on its own
 * port now, and keeps it). hold_port_changed only when no route reaches
 * the destination any more, or the new port's MTU is smaller than the
 * packet (no error is built from a hold queue). */
static void reroute(struct sl_worker *w, struct rte_mbuf *m)
{
	const uint8_t *ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, SL_ETH_HLEN);
	const struct sl_ether_hdr *eth = rte_pktmbuf_mtod(m, const void *);
	uint32_t ip_len = rte_pktmbuf_data_len(m) - SL_ETH_HLEN;

	if (rte_pktmbuf_data_len(m) < SL_ETH_HLEN + SL_IPV6_HLEN) {
		sl_worker_drop(w, m, SL_DROP_HOLD_PORT_CHANGED);
		return;
	}
	if (eth->type == sl_htons(SL_ETHERTYPE_IPV4)) {
		sl_be32 dst;
		memcpy(&dst, ip + 16, 4);
		const struct sl_snap_route *rt = sl_snap_route(w->snap, dst);
		if (rt != NULL && fits(w, rt->port, ip_len)) {
			sl_worker_output(w, m, dst);
			return;
		}
	} else if (eth->type == sl_htons(SL_ETHERTYPE_IPV6)) {
		uint8_t dst[16];
		memcpy(dst, ip + 24, 16);
		const struct sl_snap6_route *rt = sl_snap6_route(w->snap, dst);
		if (rt != NULL && fits(w, rt->port, ip_len)) {
			sl_worker_output6(w, m, dst);
			return;
		}
	}
	sl_worker_drop(w, m, SL_DROP_HOLD_PORT_CHANGED);
}

bool sl_worker_hold_turn(struct sl_worker *w, struct rte_mbuf *m, uint32_t since_ms,
			 const uint8_t *mac, uint8_t port, bool on_port)
{
	/* Age first: a packet that waited past the limit may belong to a
	 * connection that has expired meanwhile. */
	if (w->now_ms - since_ms > SL_HOLD_MS) {
		sl_worker_drop(w, m, SL_DROP_NEIGH_UNRESOLVED);
		return true;
	}
	if (!on_port) {
		reroute(w, m);
		return true;
	}
	if (mac == NULL)
		return false;
	struct sl_ether_hdr *eth = rte_pktmbuf_mtod(m, void *);
	memcpy(eth->dst, mac, 6);
	memcpy(eth->src, w->snap->ports[port].mac, 6);
	sl_worker_tx(w, port, m);
	return true;
}

/* Is `nexthop` still reached directly through `port` in the snapshot
 * adopted now? A snapshot taken after the packet was held may have
 * removed the port, or readdressed it so the next hop is off its link. */
static bool still_on_port(const struct sl_snapshot *s, sl_be32 nexthop, uint8_t port)
{
	const struct sl_snap_route *rt = sl_snap_route(s, nexthop);

	return port < s->nports && rt != NULL && rt->port == port && rt->via == 0;
}

/* Send what can now be sent, drop what waited too long or lost its
 * port, keep the rest. */
void sl_worker_hold_retry(struct sl_worker *w)
{
	uint32_t kept = 0;

	for (uint32_t i = 0; i < w->nhold; i++) {
		struct sl_hold *h = &w->hold[i];
		const struct sl_snap_neigh *nb = sl_neigh_view_find(w->neigh, h->nexthop);
		if (sl_worker_hold_turn(w, h->m, h->since_ms, nb ? nb->mac : NULL, h->port,
					still_on_port(w->snap, h->nexthop, h->port)))
			continue;
		sl_worker_arp_ask(w, h->nexthop, h->port);
		w->hold[kept++] = *h;
	}
	w->nhold = kept;
	sl_worker_flush(w);
}

/* Is `nexthop` still on `port`'s link in the snapshot adopted now (the
 * port there, its v6 prefix holding the next hop, as the control thread
 * requires of every v6 neighbor it learns)? A later snapshot may have
 * removed or readdressed the port the packet was held for. */
static bool still_on_port6(const struct sl_snapshot *s, const uint8_t nexthop[16],
			   uint8_t port)
{
	return port < s->nports && s->ports[port].plen6 != 0 &&
	       sl_snap6_in_prefix(nexthop, s->ports[port].ip6, s->ports[port].plen6);
}

void sl_worker_hold6_retry(struct sl_worker *w)
{
	uint32_t kept = 0;

	for (uint32_t i = 0; i < w->nhold6; i++) {
		struct sl_hold6 *h = &w->hold6[i];
		const struct sl_snap_neigh6 *nb = sl_neigh_view_find6(w->neigh, h->nexthop);
		/* A neighbor on another port is not this packet's (its
		 * Ethernet header is for that port): it waits on. */
		if (nb != NULL && nb->port != h->port)
			nb = NULL;
		if (sl_worker_hold_turn(w, h->m, h->since_ms, nb ? nb->mac : NULL, h->port,
					still_on_port6(w->snap, h->nexthop, h->port)))
			continue;
		sl_worker_ns_ask(w, h->nexthop, h->port);
		w->hold6[kept++] = *h;
	}
	w->nhold6 = kept;
	sl_worker_flush(w);
}
