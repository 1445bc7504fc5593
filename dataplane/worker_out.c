/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * How a packet leaves a worker when it has no connection to say where:
 * routed and resolved (sl_worker_output), held while ARP asks for its
 * next hop, or handed to the worker that owns it (steering). Also
 * the note to the control thread of what a worker learned or wants.
 */
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "arp.h"
#include "worker.h"

static sl_be32 next_hop(const struct sl_snap_route *rt, sl_be32 dst)
{
	return rt->via ? rt->via : dst;
}

bool sl_worker_would_hold(const struct sl_worker *w, sl_be32 dst)
{
	const struct sl_snap_route *rt = sl_snap_route(w->snap, dst);
	return rt && sl_neigh_view_find(w->neigh, next_hop(rt, dst)) == NULL;
}

/* Send a packet whose IP header is final towards `dst`: route, resolve
 * the next hop's MAC, fill in Ethernet, queue for TX. (Established
 * connections skip this: they keep their next hop, worker.c.) */
void sl_worker_output(struct sl_worker *w, struct rte_mbuf *m, sl_be32 dst)
{
	const struct sl_snapshot *s = w->snap;
	const struct sl_snap_route *rt = sl_snap_route(s, dst);

	if (sl_unlikely(rt == NULL)) {
		sl_worker_drop(w, m, SL_DROP_NO_ROUTE);
		return;
	}
	sl_be32 nexthop = next_hop(rt, dst);
	const struct sl_snap_neigh *nb = sl_neigh_view_find(w->neigh, nexthop);
	if (sl_unlikely(nb == NULL)) {
		sl_worker_hold(w, m, nexthop, rt->port, w->now_ms);
		return;
	}
	struct sl_ether_hdr *eth = rte_pktmbuf_mtod(m, void *);
	memcpy(eth->dst, nb->mac, 6);
	memcpy(eth->src, s->ports[rt->port].mac, 6);
	sl_worker_tx(w, rt->port, m);
}

/* Hand a packet to another worker's ring; a full ring is the drop `full`. */
static bool enqueue(struct sl_worker *w, struct rte_ring *r, struct rte_mbuf *m,
		    enum sl_drop full)
{
	if (rte_ring_sp_enqueue(r, m) != 0) {
		sl_worker_drop(w, m, full);
		return false;
	}
	w->stats.steered_out++;
	return true;
}

/* A packet whose port names its owner: a server's reply to a local port,
 * SNAT by inside or pool port, an ICMP error by the port it quotes. */
void sl_worker_steer(struct sl_worker *w, struct rte_mbuf *m, unsigned owner)
{
	enqueue(w, w->steer_out[owner], m, SL_DROP_STEER_RING_FULL);
}

/*
 * A client's packet with no connection here, for the worker that owns its
 * flow (sl_flow_owner): one hop, after which the owner either has the
 * connection, makes it, or drops the packet. Its own ring, so that a flood
 * of packets no connection wants (ACKs from random ports need no spoofing)
 * fills this ring and not the one that carries the servers' replies.
 */
void sl_worker_steer_flow(struct sl_worker *w, struct rte_mbuf *m, unsigned owner)
{
	if (enqueue(w, w->flow_out[owner], m, SL_DROP_FLOW_RING_FULL))
		w->stats.flow_steered++;
}

/*
 * Source NAT's packets for the worker their inside or pool port names
 * (an inside host's, a pool address's, a hairpin's, an ICMP error about
 * one). Their own ring: anyone can send to a public pool address at
 * random ports, no spoofing needed, and that flood must not fill the
 * ring full-NAT servers' replies take.
 */
void sl_worker_steer_snat(struct sl_worker *w, struct rte_mbuf *m, unsigned owner)
{
	enqueue(w, w->snat_out[owner], m, SL_DROP_SNAT_RING_FULL);
}

/* The address to speak from on a port: its own, else a local address. */
sl_be32 sl_worker_port_source(const struct sl_snapshot *s, uint8_t port)
{
	if (s->ports[port].ip)
		return s->ports[port].ip;
	if (s->ports[port].nlips)
		return s->lips[s->ports[port].lip_first].ip;
	return 0;
}

void sl_worker_tell_control(struct sl_worker *w, sl_be32 ip,
			    const uint8_t *mac, uint8_t port, uint8_t kind)
{
	struct sl_learn_msg msg = {.ip = ip, .port = port, .kind = kind};
	if (mac)
		memcpy(msg.mac, mac, 6);
	/* Best effort: a full ring only delays learning. */
	rte_ring_mp_enqueue_elem(w->dp->learn_ring, &msg, sizeof(msg));
}

/* Ask for a next hop's MAC, at most once per SL_ARP_RETRY_MS per asked
 * slot, whichever next hop holds it (sl_worker_ask_slot_take). */
void sl_worker_arp_ask(struct sl_worker *w, sl_be32 nexthop, uint8_t port)
{
	unsigned slot = sl_snap_ip_hash(nexthop) % SL_ARRAY_SIZE(w->arp_asked);
	if (!sl_worker_ask_slot_take(&w->arp_asked[slot].at_ms, w->now_ms))
		return;
	w->arp_asked[slot].ip = nexthop;

	const struct sl_snapshot *s = w->snap;
	sl_be32 src = sl_worker_port_source(s, port);
	if (src == 0)
		return;
	struct rte_mbuf *m = rte_pktmbuf_alloc(w->dp->pool);
	if (m == NULL) {
		/* The pool is dry: the request that could not be made is
		 * the drop to count (the packet waiting for it follows). */
		w->stats.drops[SL_DROP_NO_MBUF]++;
		return;
	}
	uint8_t *frame = (uint8_t *)rte_pktmbuf_append(m, SL_ARP_FRAME_LEN);
	if (frame == NULL) {
		rte_pktmbuf_free(m);
		return;
	}
	sl_arp_build_request(frame, s->ports[port].mac, src, nexthop);
	w->stats.arp_requests++;
	sl_worker_tx(w, port, m);
	sl_worker_tell_control(w, nexthop, NULL, port, SL_LEARN_WANTED);
}

void sl_worker_hold(struct sl_worker *w, struct rte_mbuf *m, sl_be32 nexthop,
		    uint8_t port, uint32_t since_ms)
{
	sl_worker_arp_ask(w, nexthop, port);
	if (w->nhold + w->nhold6 >= w->hold_max) { /* one budget: worker_ndp.c */
		sl_worker_drop(w, m, SL_DROP_NEIGH_UNRESOLVED);
		return;
	}
	w->hold[w->nhold++] = (struct sl_hold){m, nexthop, since_ms, port};
}
