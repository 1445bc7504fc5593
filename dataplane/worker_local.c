/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Traffic for Sluice itself rather than through it: ARP for the addresses
 * it owns, ICMP echo to them, and the ICMP errors it sends about packets
 * it cannot forward. Everything is answered in the received buffer.
 */
#include <rte_ethdev.h>

#include "arp.h"
#include "icmp.h"
#include "worker.h"

/* ICMP errors (and RSTs refusing connections) a worker may send per
 * 100 ms: enough for traceroute and path MTU discovery, too few to be a
 * reflector. */
#define ICMP_ERRORS_PER_WINDOW 100
#define ICMP_WINDOW_MS 100

static uint8_t in_port_of(const struct sl_worker *w, const struct rte_mbuf *m)
{
	return w->dp->port_of_ethdev[m->port];
}

static bool icmp_error_allowed(struct sl_worker *w)
{
	if (w->now_ms - w->icmp_window_start >= ICMP_WINDOW_MS) {
		w->icmp_window_start = w->now_ms;
		w->icmp_in_window = 0;
	}
	return w->icmp_in_window++ < ICMP_ERRORS_PER_WINDOW;
}

bool sl_worker_reply_allowed(struct sl_worker *w)
{
	return icmp_error_allowed(w);
}

/* Turn the packet in `m` into an ICMP error about it, quoting its IP
 * header and 8 bytes, and send it back to its source; the caller has
 * checked the rate. False (the mbuf left to the caller) without a
 * source address or headroom. */
static bool icmp_error_send(struct sl_worker *w, struct rte_mbuf *m,
			    struct sl_pkt *pkt, sl_be32 from, uint8_t type,
			    uint8_t code, uint16_t mtu)
{
	const struct sl_snapshot *s = w->snap;
	sl_be32 to = pkt->ip->saddr;

	if (from == 0)
		from = sl_worker_port_source(s, in_port_of(w, m));
	uint16_t quote = (uint16_t)(SL_IPV4_HLEN +
				    (pkt->l4_len < SL_ICMP_ERR_QUOTE ? pkt->l4_len
								      : SL_ICMP_ERR_QUOTE));

	if (from == 0 || m->nb_segs != 1 ||
	    rte_pktmbuf_prepend(m, SL_ICMP_ERR_HDRS) == NULL)
		return false;
	/* The offending IP header now sits SL_ICMP_ERR_HDRS further in;
	 * keep it and 8 bytes of what follows, put new headers in front. */
	uint32_t keep = SL_ETH_HLEN + SL_ICMP_ERR_HDRS + quote;
	rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) - keep));
	uint8_t *frame = rte_pktmbuf_mtod(m, uint8_t *);
	((struct sl_ether_hdr *)frame)->type = sl_htons(SL_ETHERTYPE_IPV4);
	sl_icmp_error_build(frame + SL_ETH_HLEN, from, to, type, code, quote, mtu);
	w->stats.icmp_errors_sent++;
	sl_worker_output(w, m, to);
	return true;
}

bool sl_worker_icmp_error_try(struct sl_worker *w, struct rte_mbuf *m,
			      struct sl_pkt *pkt, sl_be32 from, uint8_t type,
			      uint8_t code)
{
	if (!icmp_error_allowed(w)) {
		w->stats.icmp_errors_limited++;
		return false;
	}
	return icmp_error_send(w, m, pkt, from, type, code, 0);
}

/* "Fragmentation needed" has a bucket of its own: path MTU discovery
 * keeps working while other errors are limited. A sender lowers its path
 * MTU on the first one, so a transfer needs one or two. */
#define FRAG_NEEDED_PER_SEC 1000
#define FRAG_NEEDED_DEPTH 100

void sl_worker_too_big(struct sl_worker *w, struct rte_mbuf *m, struct sl_pkt *pkt,
		       uint16_t mtu)
{
	if (!(pkt->ip->frag_off & sl_htons(SL_IP_DF))) {
		/* No fragmentation yet: dropped, for the sender's own
		 * timers (TCP shrinks its segments after losses). */
		sl_worker_drop(w, m, SL_DROP_MTU_EXCEEDED);
		return;
	}
	w->stats.drops[SL_DROP_MTU_EXCEEDED_DF]++;
	if (!sl_tbucket_take(&w->frag_needed, w->now_ms, FRAG_NEEDED_PER_SEC,
			     FRAG_NEEDED_DEPTH)) {
		w->stats.frag_needed_limited++;
		rte_pktmbuf_free(m);
		return;
	}
	if (!icmp_error_send(w, m, pkt, 0, SL_ICMP_DEST_UNREACH, SL_ICMP_FRAG_NEEDED, mtu)) {
		rte_pktmbuf_free(m);
		return;
	}
	w->stats.frag_needed_sent++;
}

void sl_worker_icmp_error(struct sl_worker *w, struct rte_mbuf *m,
			  struct sl_pkt *pkt, uint8_t type, uint8_t code)
{
	if (!sl_worker_icmp_error_try(w, m, pkt, 0, type, code))
		rte_pktmbuf_free(m);
}

void sl_worker_time_exceeded(struct sl_worker *w, struct rte_mbuf *m,
			     struct sl_pkt *pkt)
{
	w->stats.drops[SL_DROP_TTL_EXCEEDED]++;
	sl_worker_icmp_error(w, m, pkt, SL_ICMP_TIME_EXCEEDED, 0);
}

/* Known: in the neighbor view (resolved, learned or static), or asked
 * for by this worker, as its arp_asked slot still remembers (the control
 * thread then has it INCOMPLETE; arp_ask keeps a slot's next hop there
 * for at least SL_ARP_RETRY_MS, whoever else shares the slot). The
 * control thread checks again. */
static bool arp_sender_known(const struct sl_worker *w, sl_be32 ip)
{
	unsigned slot = sl_snap_ip_hash(ip) % SL_ARRAY_SIZE(w->arp_asked);

	return sl_neigh_view_find(w->neigh, ip) != NULL ||
	       w->arp_asked[slot].ip == ip;
}

static void handle_arp(struct sl_worker *w, struct rte_mbuf *m, struct sl_pkt *pkt)
{
	const struct sl_snapshot *s = w->snap;
	struct sl_arp_hdr *arp = (void *)pkt->ip;
	uint8_t port = in_port_of(w, m);
	const struct sl_snap_addr *mine = sl_snap_find_addr(s, arp->tpa);
	/* VIPs are answered on any port; a port's or local address only on
	 * its own port. */
	bool for_us = mine && ((mine->kinds & SL_ADDR_VIP) || mine->port == port);
	uint16_t op = sl_ntohs(arp->op);

	/* A reply to the host's address on an exception tap answers the
	 * kernel, not Sluice: learned, it would refresh Sluice's entry
	 * while Sluice's own probes go unanswered. Where the tap shares the
	 * port's own address (allowed), the reply on that port may be
	 * Sluice's: it is learned, or Sluice would never resolve a next hop
	 * there. */
	if (arp->spa != 0 && op == SL_ARP_OP_REPLY &&
	    (for_us || !sl_snap_host_addr(s, arp->tpa)))
		sl_worker_tell_control(w, arp->spa, arp->sha, port, SL_LEARN_REPLY);
	else if (arp->spa != 0 && op == SL_ARP_OP_REQUEST && for_us) {
		/* A request only refreshes a neighbor Sluice already has
		 * (sl_neigh_seen): senders it does not know, spoofed by the
		 * thousand, are not even put on the learn ring, where they
		 * would crowd out the replies that resolve real next hops. */
		if (arp_sender_known(w, arp->spa))
			sl_worker_tell_control(w, arp->spa, arp->sha, port,
					       SL_LEARN_SEEN);
		else
			w->stats.arp_requests_unknown++;
	}

	if (op == SL_ARP_OP_REQUEST && for_us) {
		sl_arp_to_reply(pkt->eth, arp, s->ports[port].mac);
		w->stats.arp_replies++;
		sl_worker_tx(w, port, m);
		return;
	}
	if (op == SL_ARP_OP_REPLY && for_us) {
		rte_pktmbuf_free(m); /* consumed: learned above */
		return;
	}
	sl_worker_drop(w, m, op == SL_ARP_OP_REQUEST || op == SL_ARP_OP_REPLY
				     ? SL_DROP_ARP_NOT_OURS
				     : SL_DROP_ARP_MALFORMED);
}

static void handle_icmp(struct sl_worker *w, struct rte_mbuf *m, struct sl_pkt *pkt)
{
	const struct sl_snap_addr *mine = sl_snap_find_addr(w->snap, pkt->key.daddr);
	const struct sl_icmp_hdr *icmp = (const void *)pkt->l4;

	if (mine == NULL) {
		sl_worker_drop(w, m, SL_DROP_NOT_LOCAL);
		return;
	}
	if (icmp->type != SL_ICMP_ECHO_REQUEST || icmp->code != 0) {
		sl_worker_drop(w, m, SL_DROP_ICMP_UNSUPPORTED);
		return;
	}
	if (!sl_worker_echo_allowed(w)) {
		sl_worker_drop(w, m, SL_DROP_ICMP_ECHO_LIMITED);
		return;
	}
	sl_icmp_echo_to_reply(pkt);
	w->stats.icmp_echo_replies++;
	sl_worker_output(w, m, pkt->key.daddr);
}

void sl_worker_local(struct sl_worker *w, struct rte_mbuf *m, struct sl_pkt *pkt)
{
	if (pkt->kind == SL_PKT_ARP)
		handle_arp(w, m, pkt);
	else if (pkt->proto == SL_IPPROTO_ICMP)
		handle_icmp(w, m, pkt);
	else
		sl_worker_drop(w, m, SL_DROP_UNKNOWN_PROTO);
}
