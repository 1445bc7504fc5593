/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICMPv6 errors Sluice itself sends about packets it will not forward
 * (RFC 4443): hop limit exceeded, Packet Too Big for its egress MTU,
 * destination unreachable for a connection no server takes. Built in the
 * received buffer (icmp6.h quotes the packet up to the 1280-byte minimum
 * MTU), from the v6 address of the port the packet came in on, and
 * rate-limited together with the v4 errors. And its echo replies:
 * routed as the errors are (to a link-local requester: back on the
 * ingress port), under their own rate (apart from v4's).
 */
#include <rte_mbuf.h>

#include "icmp6.h"
#include "worker6.h"

/* Turn the packet into the error and send it to its source; false (the
 * mbuf left to the caller) with no v6 address on the arrival port, no
 * headroom, or a packet icmp6.h will not answer (an error, a multicast
 * source). */
static bool send_error6(struct sl_worker *w, struct rte_mbuf *m, struct sl_pkt *pkt,
			uint8_t type, uint8_t code, uint32_t word)
{
	uint8_t port = w->dp->port_of_ethdev[m->port];
	uint8_t to[16];
	uint16_t len;

	if (port >= SL_MAX_PORTS || w->snap->ports[port].plen6 == 0 || m->nb_segs != 1)
		return false;
	memcpy(to, pkt->ip6->saddr, 16);
	uint16_t ip_len = pkt->ip_len;
	if (rte_pktmbuf_prepend(m, SL_ICMP6_ERR_HDRS) == NULL)
		return false;
	uint8_t *frame = rte_pktmbuf_mtod(m, uint8_t *);
	if (sl_icmp6_error_build(frame + SL_ETH_HLEN + SL_ICMP6_ERR_HDRS, ip_len,
				 w->snap->ports[port].ip6, type, code, word,
				 &len) != SL_ICMP6_OK)
		return false;
	rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) - SL_ETH_HLEN - len));
	((struct sl_ether_hdr *)frame)->type = sl_htons(SL_ETHERTYPE_IPV6);
	w->stats.icmp_errors_sent++;
	sl_worker_output6(w, m, to);
	return true;
}

static void error6(struct sl_worker *w, struct rte_mbuf *m, struct sl_pkt *pkt,
		   uint8_t type, uint8_t code, uint32_t word)
{
	if (!sl_worker_reply_allowed(w)) {
		w->stats.icmp_errors_limited++;
		rte_pktmbuf_free(m);
		return;
	}
	if (!send_error6(w, m, pkt, type, code, word))
		rte_pktmbuf_free(m);
}

void sl_worker_time_exceeded6(struct sl_worker *w, struct rte_mbuf *m,
			      struct sl_pkt *pkt)
{
	w->stats.drops[SL_DROP_TTL_EXCEEDED]++;
	error6(w, m, pkt, SL_ICMP6_TIME_EXCEEDED, SL_ICMP6_TIME_HOPS, 0);
}

/* IPv6 routers never fragment: every packet over the egress MTU is
 * answered with Packet Too Big (RFC 8201), counted as v4's DF case. */
void sl_worker_too_big6(struct sl_worker *w, struct rte_mbuf *m, struct sl_pkt *pkt,
			uint16_t mtu)
{
	w->stats.drops[SL_DROP_MTU_EXCEEDED_DF]++;
	if (!sl_worker_reply_allowed(w)) {
		w->stats.frag_needed_limited++;
		rte_pktmbuf_free(m);
		return;
	}
	if (!send_error6(w, m, pkt, SL_ICMP6_PKT_TOO_BIG, 0, mtu)) {
		rte_pktmbuf_free(m);
		return;
	}
	w->stats.frag_needed_sent++;
}

void sl_worker_unreachable6(struct sl_worker *w, struct rte_mbuf *m,
			    struct sl_pkt *pkt, uint8_t code)
{
	error6(w, m, pkt, SL_ICMP6_DEST_UNREACH, code, 0);
}

/* A reply to a link-local requester: its address means nothing off the
 * link the request came in on (RFC 4291 2.5.6), so no route can reach
 * it. The reply leaves on that port, to the frame's source MAC, only if
 * the port speaks IPv6 (has a v6 address) and that MAC is one station's:
 * a group source (broadcast, 33:33:...) would have Sluice send its reply
 * to every host on the segment (l2_src_group). */
static void echo6_on_link(struct sl_worker *w, struct rte_mbuf *m)
{
	uint8_t port = w->dp->port_of_ethdev[m->port];
	struct sl_ether_hdr *eth = rte_pktmbuf_mtod(m, struct sl_ether_hdr *);

	if (port >= SL_MAX_PORTS || port >= w->snap->nports ||
	    w->snap->ports[port].plen6 == 0) {
		sl_worker_drop(w, m, SL_DROP_NO_ROUTE);
		return;
	}
	if (eth->src[0] & 0x01) {
		sl_worker_drop(w, m, SL_DROP_L2_SRC_GROUP);
		return;
	}
	memcpy(eth->dst, eth->src, 6);
	memcpy(eth->src, w->snap->ports[port].mac, 6);
	w->stats.icmp6_echo_replies++;
	sl_worker_tx(w, port, m);
}

void sl_worker_echo6(struct sl_worker *w, struct rte_mbuf *m, struct sl_pkt *pkt)
{
	uint8_t to[16];

	if (sl_snap6_find_addr(w->snap, pkt->ip6->daddr) == NULL) {
		sl_worker_drop(w, m, SL_DROP_NOT_LOCAL);
		return;
	}
	if (!sl_worker_echo6_allowed(w)) {
		sl_worker_drop(w, m, SL_DROP_ICMP_ECHO_LIMITED);
		return;
	}
	if (sl_icmp6_echo_to_reply((uint8_t *)pkt->ip6, pkt->ip_len) != SL_ICMP6_OK) {
		sl_worker_drop(w, m, SL_DROP_ICMP_UNSUPPORTED);
		return;
	}
	memcpy(to, pkt->ip6->daddr, 16); /* the requester, after the swap */
	if (sl_ip6_is_link_local(to)) {
		echo6_on_link(w, m);
		return;
	}
	/* Counted once sent (or held for the neighbor): a reply dropped
	 * (no_route, neigh_unresolved) is counted as that drop alone. */
	if (sl_worker_output6(w, m, to))
		w->stats.icmp6_echo_replies++;
}
