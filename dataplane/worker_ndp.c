/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Neighbor discovery (RFC 4861) and ICMPv6 for Sluice's own v6
 * addresses: what worker_out.c and worker_local.c do for ARP and ICMP,
 * for IPv6. A v6 next hop is resolved by a Neighbor Solicitation while
 * the packet waits in a hold queue of its own (sharing the ARP queue's
 * hold_max); solicitations for every address Sluice owns (addrs6) are
 * answered; an advertisement is passed on to be learned only for an
 * address this worker asked about; Router Advertisements are ignored
 * and counted. The control thread keeps the learned table and publishes
 * it in the neighbor view's v6 half.
 */
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "icmp6.h"
#include "ndp.h"
#include "snapshot6.h"
#include "worker6.h"

static void tell_control6(struct sl_worker *w, const uint8_t ip[16],
			  const uint8_t *mac, uint8_t port, uint8_t kind, bool override)
{
	struct sl_learn_msg msg = {.port = port, .kind = kind, .v6 = 1,
				   .override = override};

	memcpy(msg.ip6, ip, 16);
	if (mac)
		memcpy(msg.mac, mac, 6);
	/* Best effort: a full ring only delays learning. */
	rte_ring_mp_enqueue_elem(w->dp->learn_ring, &msg, sizeof(msg));
}

/* The address to solicit from on a port: its own, else a v6 local
 * address on it; NULL: neither (nothing can be asked there). */
static const uint8_t *port_source6(const struct sl_snapshot *s, uint8_t port)
{
	if (s->ports[port].plen6)
		return s->ports[port].ip6;
	if (s->ports[port].nlips6)
		return s->lips6[s->ports[port].lip6_first].ip;
	return NULL;
}

static unsigned asked_slot(const struct sl_worker *w, const uint8_t ip[16])
{
	return sl_snap6_ip_hash(ip) % SL_ARRAY_SIZE(w->ns_asked);
}

/* Did this worker solicit `ip` (its slot still remembers)? */
static bool ns_asked(const struct sl_worker *w, const uint8_t ip[16])
{
	return sl_snap6_eq(w->ns_asked[asked_slot(w, ip)].ip, ip);
}

static void ns_send(struct sl_worker *w, const uint8_t target[16], uint8_t port)
{
	const struct sl_snapshot *s = w->snap;
	const uint8_t *src = port_source6(s, port);

	if (src == NULL)
		return;
	struct rte_mbuf *m = rte_pktmbuf_alloc(w->dp->pool);
	if (m == NULL) {
		/* As arp_ask: the solicitation not made is the drop. */
		w->stats.drops[SL_DROP_NO_MBUF]++;
		return;
	}
	uint8_t *frame = (uint8_t *)rte_pktmbuf_append(m, SL_NDP_FRAME_LEN);
	if (frame == NULL) {
		rte_pktmbuf_free(m);
		return;
	}
	sl_ndp_build_ns(frame, s->ports[port].mac, src, target);
	w->stats.ndp_solicits++;
	sl_worker_tx(w, port, m);
}

/* Solicit a next hop, at most once per SL_ARP_RETRY_MS, and tell the
 * control thread it is wanted (the advertisement is then learned). */
void sl_worker_ns_ask(struct sl_worker *w, const uint8_t nexthop[16], uint8_t port)
{
	unsigned slot = asked_slot(w, nexthop);

	/* The slot's pace, whoever holds it, as arp_ask. */
	if (!sl_worker_ask_slot_take(&w->ns_asked[slot].at_ms, w->now_ms))
		return;
	memcpy(w->ns_asked[slot].ip, nexthop, 16);
	ns_send(w, nexthop, port);
	tell_control6(w, nexthop, NULL, port, SL_LEARN_WANTED, false);
}

void sl_worker_ns_probe(struct sl_worker *w, const uint8_t ip[16], uint8_t port)
{
	if (port < w->snap->nports) {
		ns_send(w, ip, port);
		sl_worker_flush(w);
	}
}

bool sl_worker_hold6(struct sl_worker *w, struct rte_mbuf *m,
		     const uint8_t nexthop[16], uint8_t port, uint32_t since_ms)
{
	sl_worker_ns_ask(w, nexthop, port);
	/* One budget for both queues: together they keep at most
	 * hold_max buffers (worker_ctl.c), whatever the family. */
	if (w->nhold + w->nhold6 >= w->hold_max) {
		sl_worker_drop(w, m, SL_DROP_NEIGH_UNRESOLVED);
		return false;
	}
	struct sl_hold6 *h = &w->hold6[w->nhold6++];
	h->m = m;
	memcpy(h->nexthop, nexthop, 16);
	h->since_ms = since_ms;
	h->port = port;
	return true;
}

/* Known: in the neighbor view, or solicited by this worker (the control
 * thread then has it incomplete). The control thread checks again. */
static bool nd_known(const struct sl_worker *w, const uint8_t ip[16])
{
	return sl_neigh_view_find6(w->neigh, ip) != NULL || ns_asked(w, ip);
}

/* A solicitation reaches `target` unicast (address resolution's
 * follow-ups, RFC 4861 7.3.1) at the port's MAC, or at the target's
 * solicited-node group and that group's multicast MAC. */
static bool ns_addressed(const struct sl_pkt *pkt, const uint8_t target[16],
			 const uint8_t port_mac[6])
{
	uint8_t group[16], mac[6];

	if (sl_snap6_eq(pkt->ip6->daddr, target))
		return memcmp(pkt->eth->dst, port_mac, 6) == 0;
	sl_ndp_solicited_node(target, group);
	sl_ndp_multicast_mac(group, mac);
	return sl_snap6_eq(pkt->ip6->daddr, group) &&
	       memcmp(pkt->eth->dst, mac, 6) == 0;
}

/* The frame in `m` made exactly `len` bytes long (one segment). */
static bool set_frame_len(struct rte_mbuf *m, uint16_t len)
{
	uint16_t have = rte_pktmbuf_data_len(m);

	if (m->nb_segs != 1)
		return false;
	if (have > len)
		return rte_pktmbuf_trim(m, (uint16_t)(have - len)) == 0;
	return have == len || rte_pktmbuf_append(m, (uint16_t)(len - have)) != NULL;
}

/* Answer a solicitation for one of Sluice's addresses in its own
 * buffer. VIPs are answered on any port, a port's or local address
 * only on its own port, as ARP is (worker_local.c). */
static void handle_ns(struct sl_worker *w, struct rte_mbuf *m, struct sl_pkt *pkt,
		      const struct sl_nd_info *nd, uint8_t port)
{
	const struct sl_snapshot *s = w->snap;
	const struct sl_snap6_addr *mine = sl_snap6_find_addr(s, nd->target);
	uint8_t target[16], src[16], mac[6];

	if (mine == NULL || !((mine->kinds & SL_ADDR_VIP) || mine->port == port) ||
	    !ns_addressed(pkt, nd->target, s->ports[port].mac)) {
		sl_worker_drop(w, m, SL_DROP_NDP_NOT_OURS);
		return;
	}
	memcpy(target, nd->target, 16);
	memcpy(src, pkt->ip6->saddr, 16);
	memcpy(mac, nd->lladdr ? nd->lladdr : pkt->eth->src, 6);
	/* As an ARP request: it refreshes a neighbor Sluice has or asked
	 * for, never makes one (sl_neigh_seen). DAD probes carry none. */
	if (nd->lladdr && nd_known(w, src))
		tell_control6(w, src, nd->lladdr, port, SL_LEARN_SEEN, true);
	if (!set_frame_len(m, SL_NDP_FRAME_LEN)) {
		sl_worker_drop(w, m, SL_DROP_NO_MBUF);
		return;
	}
	sl_ndp_build_na(rte_pktmbuf_mtod(m, uint8_t *), s->ports[port].mac, target,
			src, mac);
	w->stats.ndp_adverts++;
	sl_worker_tx(w, port, m);
}

/* An advertisement is learned only for a next hop some worker asked
 * about (or one already in the view): the control thread decides, since
 * RSS may bring the answer to a worker that did not ask. One this worker
 * neither has nor asked about is also offered to the host (its own
 * neighbors); a neighbor advertising addresses nobody asked for never
 * fills the table. */
static void handle_na(struct sl_worker *w, struct rte_mbuf *m,
		      const struct sl_nd_info *nd, uint8_t port)
{
	if (nd->lladdr == NULL) {
		sl_worker_drop(w, m, SL_DROP_NDP_UNSOLICITED);
		return;
	}
	/* Every advertisement with an address goes to the control thread,
	 * as every ARP reply does: RSS puts it on the queue of its own
	 * hash, rarely the worker that solicited, and the control thread
	 * makes an entry only for a next hop some worker asked for
	 * (sl_neigh_confirm_addr). One neither in the view nor asked for
	 * here is also offered to the host (its own neighbors). */
	tell_control6(w, nd->target, nd->lladdr, port, SL_LEARN_REPLY,
		      (nd->na_flags & SL_ND_NA_OVERRIDE) != 0);
	if (!nd_known(w, nd->target)) {
		sl_worker_drop(w, m, SL_DROP_NDP_UNSOLICITED);
		return;
	}
	rte_pktmbuf_free(m); /* consumed: learned */
}

/* Other ICMPv6: to an address Sluice owns, a type it does not serve;
 * to any other, not Sluice's (offered to the exception device). */
static enum sl_drop other_icmp6(const struct sl_worker *w, const struct sl_pkt *pkt)
{
	return sl_snap6_find_addr(w->snap, pkt->ip6->daddr) ? SL_DROP_IPV6_PROTO_UNSUPPORTED
							    : SL_DROP_IPV6_NOT_SERVED;
}

void sl_worker_icmp6(struct sl_worker *w, struct rte_mbuf *m, struct sl_pkt *pkt)
{
	uint8_t type = pkt->l4[0], port = w->dp->port_of_ethdev[m->port];
	struct sl_nd_info nd;

	if (type != SL_ICMP6_NEIGH_SOL && type != SL_ICMP6_NEIGH_ADV) {
		/* Router Advertisements are ignored: Sluice's routes are its
		 * configuration's. (The hop limit was checked by sl_parse.) */
		sl_worker_drop(w, m, type == SL_ICMP6_ROUTER_ADV ? SL_DROP_NDP_ROUTER_ADV
								 : other_icmp6(w, pkt));
		return;
	}
	enum sl_ndp r = sl_ndp_parse((const uint8_t *)pkt->ip6, pkt->ip_len, &nd);
	if (r != SL_NDP_OK) {
		sl_worker_drop(w, m, r == SL_NDP_HOP_LIMIT ? SL_DROP_NDP_HOP_LIMIT
							   : SL_DROP_NDP_MALFORMED);
		return;
	}
	if (type == SL_ICMP6_NEIGH_SOL)
		handle_ns(w, m, pkt, &nd, port);
	else
		handle_na(w, m, &nd, port);
}
