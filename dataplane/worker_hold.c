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

/* The IP packet's own length, from its header (not the frame's, which
 * may carry Ethernet padding); 0 if the frame is too short to hold the
 * header. */
static uint32_t held_ip_len(const struct rte_mbuf *m, bool v6)
{
	const uint8_t *ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, SL_ETH_HLEN);
	uint32_t hlen = v6 ? SL_IPV6_HLEN : 20;

	if (rte_pktmbuf_data_len(m) < SL_ETH_HLEN + hlen)
		return 0;
	return v6 ? SL_IPV6_HLEN + ((uint32_t)ip[4] << 8 | ip[5])
		  : ((uint32_t)ip[2] << 8 | ip[3]);
}

/* A held packet whose next hop is no longer on its port: routed afresh
 * from the frame's own destination (v4 or v6, whichever queue held it),
 * which sends it or holds it again for the new next hop, keeping the
 * time `since_ms` it was first held (held anew, it would wait SL_HOLD_MS
 * more each time a snapshot moved its next hop, past the life of its
 * connection; appended to the hold queue whose retry pass is running, it
 * waits for the next turn). hold_port_changed when no route reaches the
 * destination any more, the new port's MTU is smaller than the packet
 * (no error is built from a hold queue), or the frame is too short for
 * its header. */
static void reroute(struct sl_worker *w, struct rte_mbuf *m, uint32_t since_ms)
{
	const uint8_t *ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, SL_ETH_HLEN);
	const struct sl_ether_hdr *eth = rte_pktmbuf_mtod(m, const void *);

	if (eth->type == sl_htons(SL_ETHERTYPE_IPV4)) {
		uint32_t ip_len = held_ip_len(m, false);
		sl_be32 dst;
		memcpy(&dst, ip + 16, 4);
		const struct sl_snap_route *rt = ip_len ? sl_snap_route(w->snap, dst) : NULL;
		if (rt != NULL && fits(w, rt->port, ip_len)) {
			sl_be32 hop = rt->via ? rt->via : dst;
			if (sl_neigh_view_find(w->neigh, hop) == NULL)
				sl_worker_hold(w, m, hop, rt->port, since_ms);
			else
				sl_worker_output(w, m, dst);
			return;
		}
	} else if (eth->type == sl_htons(SL_ETHERTYPE_IPV6)) {
		uint32_t ip_len = held_ip_len(m, true);
		uint8_t dst[16];
		if (ip_len)
			memcpy(dst, ip + 24, 16);
		const struct sl_snap6_route *rt = ip_len ? sl_snap6_route(w->snap, dst) : NULL;
		if (rt != NULL && fits(w, rt->port, ip_len)) {
			const uint8_t *hop = sl_snap6_next_hop(rt, dst);
			const struct sl_snap_neigh6 *nb = sl_neigh_view_find6(w->neigh, hop);
			if (nb == NULL || nb->port != rt->port) /* as sl_worker_output6 */
				sl_worker_hold6(w, m, hop, rt->port, since_ms);
			else
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
		reroute(w, m, since_ms);
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
	uint32_t kept = 0, n = w->nhold;

	/* Only the entries there when the pass began: one routed again
	 * may be appended meanwhile, and waits for the next turn. */
	for (uint32_t i = 0; i < n; i++) {
		struct sl_hold *h = &w->hold[i];
		const struct sl_snap_neigh *nb = sl_neigh_view_find(w->neigh, h->nexthop);
		if (sl_worker_hold_turn(w, h->m, h->since_ms, nb ? nb->mac : NULL, h->port,
					still_on_port(w->snap, h->nexthop, h->port)))
			continue;
		sl_worker_arp_ask(w, h->nexthop, h->port);
		w->hold[kept++] = *h;
	}
	for (uint32_t i = n; i < w->nhold; i++)
		w->hold[kept++] = w->hold[i];
	w->nhold = kept;
	sl_worker_flush(w);
}

/* Is `nexthop` still on `port`'s link in the snapshot adopted now (the
 * port there with a v6 address, and its v6 prefix holding the next hop,
 * as the control thread requires of every v6 neighbor it learns; or the
 * next hop link-local, a router's usual address (a route's `via
 * fe80::1` names its port), which is on every link)? A later snapshot
 * may have removed or readdressed the port the packet was held for. */
static bool still_on_port6(const struct sl_snapshot *s, const uint8_t nexthop[16],
			   uint8_t port)
{
	return port < s->nports && s->ports[port].plen6 != 0 &&
	       (sl_ip6_is_link_local(nexthop) ||
		sl_snap6_in_prefix(nexthop, s->ports[port].ip6, s->ports[port].plen6));
}

void sl_worker_hold6_retry(struct sl_worker *w)
{
	uint32_t kept = 0, n = w->nhold6;

	for (uint32_t i = 0; i < n; i++) { /* as sl_worker_hold_retry */
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
	for (uint32_t i = n; i < w->nhold6; i++)
		w->hold6[kept++] = w->hold6[i];
	w->nhold6 = kept;
	sl_worker_flush(w);
}
