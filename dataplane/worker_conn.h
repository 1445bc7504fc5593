/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What forwarding a packet of a known connection does the same for both
 * families (worker.c for v4 and SNAT, worker_fwd6.c for full-NAT 6->6):
 * the RST/FIN sequence sanity check, counting a reused entry, the cached
 * next hops' validity, the reply counters and the traffic counters.
 * Inline: this is the per-packet path.
 */
#ifndef SL_WORKER_CONN_H
#define SL_WORKER_CONN_H

#include "tcp_state.h"
#include "worker.h"

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

/* Index a new full-NAT connection (svc_id and rs_id set) and count it
 * against its service and server: both families' misses end so. False,
 * the entry abandoned, when the table has no room for its keys. */
static inline bool sl_worker_admit(struct sl_worker *w, struct sl_conn *c)
{
	if (sl_ct_insert(&w->ct, c) != 0) {
		sl_ct_abandon(&w->ct, c);
		return false;
	}
	w->stats.conns_created++;
	w->svc_stats[c->svc_id].conns++;
	w->rs_stats[c->rs_id].conns++;
	w->rs_active[c->rs_id]++;
	return true;
}

#endif
