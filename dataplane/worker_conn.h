/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What forwarding a packet of a known connection does the same for both
 * families (worker.c for v4 and SNAT, worker_fwd6.c for full-NAT 6->6,
 * worker_nat64.c for NAT64): the RST/FIN sequence sanity check and the
 * TCP state machine, counting a reused entry, the cached next hops'
 * validity and the v4 sending by them, the reply counters and the
 * traffic counters; and the v4 trusted side's port check (its v6 twin is
 * worker_fwd6.c's).
 * Inline: this is the per-packet path.
 */
#ifndef SL_WORKER_CONN_H
#define SL_WORKER_CONN_H

#include "tcp_state.h"
#include "worker.h"
#include "worker_sync.h"

/* Packets of a connection's trusted side (the real server; for SNAT the
 * inside host), ICMP errors from that side included, are taken only on
 * the port it was reached through when the connection was made, or on
 * the one the route to their source names now (routes changed; the
 * connection follows): strict reverse-path filtering, one compare per
 * packet and a route lookup only on a mismatch. A reply forged from
 * another segment could otherwise close or hijack the connection. */
/* One of our pool addresses as the source of a packet that arrived on
 * the pool's own port: forged. Our pool addresses only ever source
 * packets a worker rewrote, and a hairpinned one keeps the inside port
 * it arrived on. */
static inline bool sl_worker_spoofs_pool(const struct sl_snapshot *s, sl_be32 src,
					 uint8_t in_port)
{
	const struct sl_snap_addr *a = sl_snap_find_addr(s, src);
	return a != NULL && (a->kinds & SL_ADDR_POOL) && a->port == in_port;
}

static inline bool sl_worker_trusted_port(const struct sl_worker *w,
					  const struct rte_mbuf *m, struct sl_conn *c,
					  enum sl_dir dir, sl_be32 src)
{
	enum sl_dir trusted = (c->flags & SL_CONN_F_SNAT) ? SL_DIR_ORIG : SL_DIR_REPLY;
	uint8_t in_port = w->dp->port_of_ethdev[m->port];

	/* A hairpin session's other side is one of our pool addresses: from
	 * the pool's port, that is someone outside forging it. */
	if (sl_unlikely(c->flags & SL_CONN_F_HAIRPIN) && dir != trusted)
		return !sl_worker_spoofs_pool(w->snap, src, in_port);
	if (dir != trusted || sl_likely(in_port == c->trusted_port))
		return true;
	const struct sl_snap_route *rt = sl_snap_route(w->snap, src);
	if (rt == NULL || rt->port != in_port)
		return false;
	c->trusted_port = in_port;
	return true;
}

/* What rst_check says of a TCP segment. */
enum sl_seq_verdict {
	SL_SEQ_OK,     /* forward, track its flags */
	SL_SEQ_KEEP,   /* forward, but its RST or FIN does not move the state */
	SL_SEQ_DROP,   /* an RST no receiver would take */
};

/* TCP sequence sanity, cheap enough for every segment: the trusted side's
 * acknowledgements move the edge; an RST or FIN from the other side away
 * from it does not end the connection (tcp_state.h). */
static inline enum sl_seq_verdict sl_worker_rst_check(struct sl_conn *c,
						      const struct sl_pkt *pkt,
						      enum sl_dir dir)
{
	const struct sl_tcp_hdr *tcp = (const void *)pkt->l4;
	enum sl_dir trusted = (c->flags & SL_CONN_F_SNAT) ? SL_DIR_ORIG : SL_DIR_REPLY;

	if (dir == trusted) {
		if (pkt->tcp_flags & SL_TCP_ACK) {
			c->rst_edge = (uint16_t)(sl_ntohl(tcp->ack) >> 16);
			c->flags |= SL_CONN_F_RST_EDGE;
		} else if (pkt->tcp_flags & SL_TCP_SYN) {
			/* A new connection from the trusted side (an SNAT
			 * host reusing its port): the old edge means nothing. */
			c->flags &= (uint8_t)~SL_CONN_F_RST_EDGE;
		}
		return SL_SEQ_OK;
	}
	if (!(pkt->tcp_flags & (SL_TCP_RST | SL_TCP_FIN)) || !(c->flags & SL_CONN_F_RST_EDGE))
		return SL_SEQ_OK;
	uint32_t seq = sl_ntohl(tcp->seq);
	bool in_window = sl_tcp_rst_in_window(c->rst_edge, seq);
	if (pkt->tcp_flags & SL_TCP_RST) {
		if (sl_tcp_seq_at_edge(c->rst_edge, seq))
			return SL_SEQ_OK;
		return in_window ? SL_SEQ_KEEP : SL_SEQ_DROP;
	}
	return in_window ? SL_SEQ_OK : SL_SEQ_KEEP; /* a FIN */
}

/* A client's new SYN on a connection that had closed (TIME_WAIT, CLOSE)
 * reuses its entry, as LVS does: for the counters it is one connection
 * ended and another begun. */
static inline void sl_worker_count_reuse(struct sl_worker *w, const struct sl_conn *c)
{
	if (c->flags & SL_CONN_F_KIND)
		return;
	w->stats.conns_created++;
	w->stats.conns_expired++;
	w->svc_stats[c->svc_id].conns++;
	w->svc_stats[c->svc_id].expired++;
	w->rs_stats[c->rs_id].conns++;
	w->rs_stats[c->rs_id].expired++;
}

/* Cached next hops are good only for the routes and neighbors they were
 * found under. */
static inline void sl_worker_next_hops_current(const struct sl_worker *w,
					       struct sl_conn *c)
{
	if (sl_unlikely(c->nh_gen != w->nh_epoch)) {
		c->nh_gen = w->nh_epoch;
		c->nh_slot[0] = c->nh_slot[1] = SL_NH_NONE;
	}
}

/* TCP state and sequence sanity for a segment of a known connection:
 * false when it was dropped (an RST no receiver would take). *syn says
 * the state machine saw a SYN: the caller clamps its MSS. A bare ACK on
 * an established connection changes nothing and skips the state
 * machine, the commonest packet there is. */
static inline bool sl_worker_track_tcp(struct sl_worker *w, struct rte_mbuf *m,
				       const struct sl_pkt *pkt, struct sl_conn *c,
				       enum sl_dir dir, bool *syn)
{
	enum sl_seq_verdict seq = sl_worker_rst_check(c, pkt, dir);

	*syn = false;
	if (sl_unlikely(seq == SL_SEQ_DROP)) {
		sl_worker_drop(w, m, SL_DROP_TCP_RST_OUT_OF_WINDOW);
		return false;
	}
	if (seq == SL_SEQ_OK && (c->state != SL_CS_TCP_ESTABLISHED ||
				 (pkt->tcp_flags & (SL_TCP_SYN | SL_TCP_FIN | SL_TCP_RST)))) {
		uint8_t was = c->state;
		c->state = sl_tcp_next_state(c->state, &c->flags, dir, pkt->tcp_flags);
		if (sl_unlikely(c->state == SL_CS_TCP_SYN_SENT && was != c->state))
			sl_worker_count_reuse(w, c);
		if (was != c->state) /* SNAT sessions are not synced */
			sl_worker_sync_event(w, c, SL_SYNC_STATE);
		*syn = pkt->tcp_flags & SL_TCP_SYN;
	}
	return true;
}

/* Remember where v4 direction `dir` of `c` leaves (towards `dst`, by
 * route `rt`) under this burst's snapshot and neighbors. False if it has
 * no route or no resolved next hop yet. */
static inline bool sl_worker_learn_via(const struct sl_worker *w, struct sl_conn *c,
				       enum sl_dir dir, const struct sl_snap_route *rt,
				       sl_be32 dst)
{
	const struct sl_snap_neigh *nb =
		rt ? sl_neigh_view_find(w->neigh, rt->via ? rt->via : dst) : NULL;

	/* The entry's ready-made Ethernet header is for its own port. */
	if (nb == NULL || nb->port != rt->port)
		return false;
	c->nh_slot[dir] = (uint16_t)(nb - w->neigh->slot);
	return true;
}

/* The MTU of the port v4 direction `dir` of a connection leaves by (0:
 * not checked): the connection's cached next hop, or the route to where
 * the rewrite will send it (the other direction's source, key[dir ^
 * 1].saddr). A route looked up here also fills the direction's next-hop
 * cache, as sending would for its first packet: so the clamp of a
 * client's SYN (which asks about the reply direction, not yet sent) and
 * the SYN-ACK share one route lookup, and a retransmitted SYN makes
 * none. Only a next hop not resolved yet leaves a lookup to the next
 * packet. */
static inline uint16_t sl_worker_mtu_out4(const struct sl_worker *w, struct sl_conn *c,
					  enum sl_dir dir)
{
	uint8_t port = SL_MAX_PORTS;

	sl_worker_next_hops_current(w, c);
	if (c->nh_slot[dir] != SL_NH_NONE) {
		port = w->neigh->slot[c->nh_slot[dir]].port;
	} else {
		sl_be32 dst = c->key[dir ^ 1].saddr;
		const struct sl_snap_route *rt = sl_snap_route(w->snap, dst);
		if (rt != NULL) {
			port = rt->port;
			sl_worker_learn_via(w, c, dir, rt, dst);
		}
	}
	return port < SL_MAX_PORTS ? w->dp->mtu[port] : 0;
}

/* Send a v4 frame whose IP header is final to `dst` by the direction's
 * next hop, looked up once for these routes and neighbors (the
 * Ethernet type is the caller's). */
static inline __attribute__((always_inline)) void
sl_worker_send4(struct sl_worker *w, struct rte_mbuf *m, struct sl_conn *c,
		enum sl_dir dir, sl_be32 dst)
{
	sl_worker_next_hops_current(w, c);
	if (sl_unlikely(c->nh_slot[dir] == SL_NH_NONE) &&
	    !sl_worker_learn_via(w, c, dir, sl_snap_route(w->snap, dst), dst)) {
		sl_worker_output(w, m, dst); /* no route, or ARP pending */
		return;
	}
	const struct sl_snap_neigh *nb = &w->neigh->slot[c->nh_slot[dir]];
	memcpy(rte_pktmbuf_mtod(m, uint8_t *), nb->l2, 12);
	sl_worker_tx(w, nb->port, m);
}

/* A reply reached its owner: from its own queue, or over a ring. */
static inline void sl_worker_count_reply(struct sl_worker *w, const struct rte_mbuf *m)
{
	uint8_t port = w->dp->port_of_ethdev[m->port];

	if (sl_likely(port < SL_MAX_PORTS)) {
		if (w->from_ring)
			w->stats.replies_by_ring[port]++;
		else
			w->stats.replies_on_queue[port]++;
	}
}

/* A full-NAT connection's packet in the service's and server's counters. */
static inline void sl_worker_count_traffic(struct sl_worker *w, const struct rte_mbuf *m,
					   const struct sl_conn *c, enum sl_dir dir)
{
	uint32_t len = rte_pktmbuf_pkt_len(m);
	struct sl_obj_stats *vs = &w->svc_stats[c->svc_id];
	struct sl_obj_stats *rs = &w->rs_stats[c->rs_id];

	if (dir == SL_DIR_ORIG) {
		vs->packets_in++, vs->bytes_in += len;
		rs->packets_in++, rs->bytes_in += len;
	} else {
		vs->packets_out++, vs->bytes_out += len;
		rs->packets_out++, rs->bytes_out += len;
	}
}

/* A full-NAT connection just made here and indexed (svc_id and rs_id
 * set), counted against its service and server. */
static inline void sl_worker_count_new(struct sl_worker *w, const struct sl_conn *c)
{
	w->stats.conns_created++;
	w->svc_stats[c->svc_id].conns++;
	w->rs_stats[c->rs_id].conns++;
	w->rs_active[c->rs_id]++;
}

/* Index a new full-NAT connection and count it: both families' misses
 * end so. False, the entry
 * abandoned, when the table has no room for its keys. */
static inline bool sl_worker_admit(struct sl_worker *w, struct sl_conn *c)
{
	if (sl_ct_insert(&w->ct, c) != 0) {
		sl_ct_abandon(&w->ct, c);
		return false;
	}
	sl_worker_count_new(w, c); /* synced once established (worker_sync.h) */
	return true;
}

#endif
