/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a worker does with a TCP/UDP packet its table does not know:
 *
 *  - to a VIP service: schedule a real server (worker_sched.c), take a
 *    local address and port from this worker's own share, create the
 *    connection; with no server to take it, refuse it (worker_reject.c);
 *  - to a local address: a reply for a connection whose local port
 *    belongs to another worker (the port says which) -> pass it there;
 *  - anything else: a counted drop.
 *
 * Also the ARP hold queue: packets whose next hop has no MAC yet wait here
 * briefly while the worker asks for it.
 */
#include <rte_ethdev.h>

#include "arp.h"
#include "nat.h"
#include "tcp_state.h"
#include "worker.h"

void sl_worker_steer(struct sl_worker *w, struct rte_mbuf *m, unsigned owner)
{
	if (rte_ring_sp_enqueue(w->steer_out[owner], m) != 0) {
		sl_worker_drop(w, m, SL_DROP_STEER_RING_FULL);
		return;
	}
	w->stats.steered_out++;
}

/* Take a local address and port for a connection leaving through `port`:
 * round-robin over that port's local addresses, next-fit within each. */
static enum sl_drop take_local(struct sl_worker *w, uint8_t port,
			       const struct sl_v4key *rs_side, uint8_t proto,
			       struct sl_v4key *reply, uint8_t *slot)
{
	const struct sl_snapshot *s = w->snap;
	const struct sl_snap_port *sp = &s->ports[port];

	if (sp->nlips == 0)
		return SL_DROP_NO_LOCAL_ADDRESS;
	for (unsigned tries = 0; tries < sp->nlips; tries++) {
		const struct sl_snap_lip *lip =
			&s->lips[sp->lip_first + (w->lip_rr++ % sp->nlips)];
		struct sl_lip_state *ls = &w->lips[lip->slot];
		uint16_t lport;
		/* A port still held by an older connection to the same
		 * server (say the address was re-added) is skipped. */
		for (unsigned again = 0; again < 4; again++) {
			if (sl_portmap_alloc(&ls->pm, &lport) != 0)
				break;
			*reply = (struct sl_v4key){rs_side->saddr, lip->ip,
						   rs_side->sport, sl_htons(lport)};
			uint32_t h = sl_flow_hash(reply, proto);
			if (sl_ct_lookup(&w->ct, reply, proto, h) == SL_CT_NONE) {
				*slot = lip->slot;
				return SL_DROP_NONE;
			}
			sl_portmap_free(&ls->pm, lport);
		}
	}
	return SL_DROP_PORT_EXHAUSTED;
}

void sl_worker_release_local(struct sl_worker *w, uint8_t slot,
			  const struct sl_v4key *reply)
{
	struct sl_lip_state *ls = &w->lips[slot];
	if (ls->ip == reply->daddr)
		sl_portmap_free(&ls->pm, sl_ntohs(reply->dport));
}

/*
 * A client's packet for a connection this worker does not have. The
 * driver normally keeps a flow on one queue, but not always (af_packet's
 * fanout rolls a full queue's packets over to another; RSS tables get
 * rewritten), and unlike a reply the packet does not say which worker
 * owns it. So it goes round the other workers, each trying its own table,
 * until one has the connection or all have said no.
 */
void sl_worker_pass_on(struct sl_worker *w, struct rte_mbuf *m)
{
	uint8_t *hops = RTE_MBUF_DYNFIELD(m, w->dp->hops_offset, uint8_t *);
	uint8_t done = w->in_ring ? *hops : 0;

	if (w->nworkers < 2 || done + 1u >= w->nworkers) {
		sl_worker_drop(w, m, SL_DROP_NO_CONNECTION);
		return;
	}
	*hops = (uint8_t)(done + 1);
	w->stats.passed_on++;
	sl_worker_steer(w, m, (w->id + 1u) % w->nworkers);
}

static void new_connection(struct sl_worker *w, struct rte_mbuf *m,
			   struct sl_pkt *pkt, const struct sl_snap_svc *svc)
{
	const struct sl_snapshot *s = w->snap;
	enum sl_drop why;

	if (pkt->proto == SL_IPPROTO_TCP && !sl_tcp_is_syn(pkt->tcp_flags)) {
		sl_worker_pass_on(w, m);
		return;
	}
	if (pkt->ip->ttl <= 1) {
		sl_worker_time_exceeded(w, m, pkt);
		return;
	}
	if (svc->seq_len == 0) {
		sl_worker_refuse(w, m, pkt, svc); /* worker_reject.c */
		return;
	}
	const struct sl_snap_rs *rs = sl_worker_pick(w, svc, pkt);
	const struct sl_snap_route *rt = sl_snap_route(s, rs->ip);
	if (rt == NULL) {
		why = SL_DROP_NO_ROUTE;
		goto drop;
	}

	struct sl_v4key rs_side = {rs->ip, 0, rs->port, 0};
	struct sl_v4key reply;
	uint8_t slot;
	why = take_local(w, rt->port, &rs_side, pkt->proto, &reply, &slot);
	if (why != SL_DROP_NONE)
		goto drop;

	struct sl_conn *c = sl_ct_alloc(&w->ct);
	if (c == NULL) {
		why = SL_DROP_TABLE_FULL;
		goto release;
	}
	c->key[SL_DIR_ORIG] = pkt->key;
	c->key[SL_DIR_REPLY] = reply;
	c->proto = pkt->proto;
	c->state = pkt->proto == SL_IPPROTO_TCP ? SL_CS_TCP_SYN_SENT : SL_CS_UDP;
	c->svc_id = svc->id;
	c->rs_id = rs->id;
	c->lip_slot = slot;
	c->created = w->now_ms;
	c->expire = w->now_ms + s->timeouts_ms[c->state];
	sl_nat_prepare(c);
	if (sl_ct_insert(&w->ct, c) != 0) {
		sl_ct_abandon(&w->ct, c);
		why = SL_DROP_TABLE_FULL;
		goto release;
	}
	w->stats.conns_created++;
	w->svc_stats[svc->id].conns++;
	w->rs_stats[rs->id].conns++;
	w->rs_active[rs->id]++;
	sl_worker_forward(w, m, pkt, c, SL_DIR_ORIG);
	return;

release:
	sl_worker_release_local(w, slot, &reply);
drop:
	sl_worker_drop(w, m, why);
}

void sl_worker_miss(struct sl_worker *w, struct rte_mbuf *m, struct sl_pkt *pkt)
{
	const struct sl_snapshot *s = w->snap;
	const struct sl_snap_addr *a = sl_snap_find_addr(s, pkt->key.daddr);

	/* sl_parse() refuses these; the fast parse leaves them to here, where
	 * state would be created, so that established flows pay nothing. */
	if (sl_unlikely(sl_ipv4_martian(pkt->key.saddr) ||
			sl_ipv4_martian(pkt->key.daddr))) {
		sl_worker_drop(w, m, SL_DROP_IP_BAD_ADDRESS);
		return;
	}
	/* From an inside host to the outside (or, hairpinning, to a pool
	 * address): source NAT. */
	if (a == NULL || (a->kinds & SL_ADDR_POOL)) {
		const struct sl_snap_snat *rule =
			s->nsnat ? sl_snap_find_snat(s, pkt->key.saddr) : NULL;
		if (rule != NULL &&
		    (pkt->proto != SL_IPPROTO_ICMP ||
		     ((const struct sl_icmp_hdr *)pkt->l4)->type == SL_ICMP_ECHO_REQUEST))
			sl_worker_snat_out(w, m, pkt, rule);
		else if (a != NULL)
			sl_worker_snat_in(w, m, pkt, a);
		else
			sl_worker_drop(w, m, SL_DROP_NOT_LOCAL);
		return;
	}
	if (pkt->proto == SL_IPPROTO_ICMP) {
		sl_worker_local(w, m, pkt); /* an echo to one of our addresses */
		return;
	}
	if (a->kinds & SL_ADDR_VIP) {
		const struct sl_snap_svc *svc = sl_snap_find_svc(
			s, pkt->key.daddr, pkt->key.dport, pkt->proto);
		if (svc) {
			new_connection(w, m, pkt, svc);
			return;
		}
	}
	if (a->kinds & SL_ADDR_LIP) {
		unsigned owner = sl_port_owner(sl_ntohs(pkt->key.dport), w->nworkers);
		if (owner != w->id) {
			sl_worker_steer(w, m, owner);
			return;
		}
		sl_worker_drop(w, m, SL_DROP_NO_CONNECTION);
		return;
	}
	sl_worker_drop(w, m, (a->kinds & SL_ADDR_VIP) ? SL_DROP_NO_SERVICE
						     : SL_DROP_TO_HOST);
}

bool sl_worker_on_expire(void *ctx, struct sl_conn *c)
{
	struct sl_worker *w = ctx;

	if (c->flags & SL_CONN_F_KIND)
		return sl_worker_snat_expire(w, c);
	w->stats.conns_expired++;
	sl_worker_release_local(w, c->lip_slot, &c->key[SL_DIR_REPLY]);
	w->svc_stats[c->svc_id].expired++;
	w->rs_stats[c->rs_id].expired++;
	w->rs_active[c->rs_id]--;
	return true;
}

/* ---- ARP resolution and the hold queue ---- */

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

/* Ask for a next hop's MAC, at most once per SL_ARP_RETRY_MS. */
static void arp_ask(struct sl_worker *w, sl_be32 nexthop, uint8_t port)
{
	unsigned slot = sl_snap_ip_hash(nexthop) % SL_ARRAY_SIZE(w->arp_asked);
	if (w->arp_asked[slot].ip == nexthop &&
	    w->now_ms - w->arp_asked[slot].at_ms < SL_ARP_RETRY_MS)
		return;
	w->arp_asked[slot].ip = nexthop;
	w->arp_asked[slot].at_ms = w->now_ms;

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
		    uint8_t port)
{
	arp_ask(w, nexthop, port);
	if (w->nhold == SL_HOLD_MAX) {
		sl_worker_drop(w, m, SL_DROP_NEIGH_UNRESOLVED);
		return;
	}
	w->hold[w->nhold++] = (struct sl_hold){m, nexthop, w->now_ms, port};
}

/* Send what can now be sent, drop what waited too long, keep the rest. */
void sl_worker_hold_retry(struct sl_worker *w)
{
	const struct sl_snapshot *s = w->snap;
	uint32_t kept = 0;

	for (uint32_t i = 0; i < w->nhold; i++) {
		struct sl_hold *h = &w->hold[i];
		const struct sl_snap_neigh *nb = sl_snap_find_neigh(s, h->nexthop);
		/* Age first: a packet that waited past the limit may belong
		 * to a connection that has expired meanwhile. */
		if (w->now_ms - h->since_ms > SL_HOLD_MS) {
			sl_worker_drop(w, h->m, SL_DROP_NEIGH_UNRESOLVED);
		} else if (nb) {
			struct sl_ether_hdr *eth = rte_pktmbuf_mtod(h->m, void *);
			memcpy(eth->dst, nb->mac, 6);
			memcpy(eth->src, s->ports[h->port].mac, 6);
			sl_worker_tx(w, h->port, h->m);
		} else {
			arp_ask(w, h->nexthop, h->port);
			w->hold[kept++] = *h;
		}
	}
	w->nhold = kept;
	sl_worker_flush(w);
}
