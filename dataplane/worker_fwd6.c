/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Full-NAT 6->6 packets of known connections (issue 15): worker.c's
 * forward() for IPv6. Both directions are looked up in the one table
 * (sl_ct_lookup6, hashed by the parse with sl_flow_hash6); a miss goes
 * to worker_miss6.c. Then as for v4: the trusted side's port, the hop
 * limit (time exceeded, worker_err6.c), the egress MTU (Packet Too Big),
 * the RST/FIN sanity check and the TCP state machine (worker_conn.h),
 * the SYN's MSS clamped to the egress MTU less 60 bytes, the timer, the
 * rewrite (nat66.h), and the next hop, cached in the entry like v4's
 * (nh_slot indexes the neighbor view's v6 table for a v6 direction).
 *
 * A flushed connection's segments are answered with RSTs, as v4's
 * (sl_worker_flushed, worker_reject.c). Not here yet: a NAT64 entry (v4
 * REPLY key) is never made.
 */
#include <rte_mbuf.h>

#include "nat66.h"
#include "worker_conn.h"
#include "worker6.h"

/* worker.h's sl_worker_trusted_port for a v6 source: the trusted side
 * (the server) on its connection's port, or where the route to it now
 * leaves. */
static bool trusted_port6(const struct sl_worker *w, const struct rte_mbuf *m,
			  struct sl_conn *c, enum sl_dir dir, const uint8_t src[16])
{
	uint8_t in_port = w->dp->port_of_ethdev[m->port];

	if (dir != SL_DIR_REPLY || sl_likely(in_port == c->trusted_port))
		return true;
	const struct sl_snap6_route *rt = sl_snap6_route(w->snap, src);
	if (rt == NULL || rt->port != in_port)
		return false;
	c->trusted_port = in_port;
	return true;
}

/* The port a packet to `dst` leaves by, SL_MAX_PORTS if none: the
 * connection's cached next hop for `dir`, or the route. */
static uint8_t port_out6(const struct sl_worker *w, struct sl_conn *c, enum sl_dir dir,
			 const uint8_t dst[16])
{
	sl_worker_next_hops_current(w, c);
	if (c->nh_slot[dir] != SL_NH_NONE)
		return w->neigh->slot6[c->nh_slot[dir]].port;
	const struct sl_snap6_route *rt = sl_snap6_route(w->snap, dst);
	return rt ? rt->port : SL_MAX_PORTS;
}

static uint16_t mtu_of(const struct sl_worker *w, uint8_t port)
{
	return port < SL_MAX_PORTS ? w->dp->mtu[port] : 0;
}

/* A SYN's MSS lowered to what the port its answers leave by carries
 * (v6 header 40 bytes, TCP 20), as worker.c's clamp_mss. `back` is where
 * the answers go: this packet's source. */
static void clamp_mss6(struct sl_worker *w, struct sl_pkt *pkt, struct sl_conn *c,
		       enum sl_dir dir, const uint8_t back[16])
{
	uint16_t mtu = mtu_of(w, port_out6(w, c, dir ^ 1, back));
	uint16_t hdrs = SL_IPV6_HLEN + sizeof(struct sl_tcp_hdr);

	if (mtu > hdrs && sl_tcp_clamp_mss(pkt->l4, pkt->l4_len, (uint16_t)(mtu - hdrs)))
		w->stats.mss_clamped++;
}

/* TCP state and sequence sanity; false: the segment was dropped. */
static bool track_tcp(struct sl_worker *w, struct rte_mbuf *m, struct sl_pkt *pkt,
		      struct sl_conn *c, enum sl_dir dir)
{
	enum sl_seq_verdict seq = sl_worker_rst_check(c, pkt, dir);

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
		if (pkt->tcp_flags & SL_TCP_SYN)
			clamp_mss6(w, pkt, c, dir, pkt->ip6->saddr);
	}
	return true;
}

/* Send the rewritten packet to `dst` by the direction's cached next hop,
 * learning it on first use. */
static void send6(struct sl_worker *w, struct rte_mbuf *m, struct sl_conn *c,
		  enum sl_dir dir, const uint8_t dst[16])
{
	sl_worker_next_hops_current(w, c);
	if (sl_unlikely(c->nh_slot[dir] == SL_NH_NONE)) {
		const struct sl_snap6_route *rt = sl_snap6_route(w->snap, dst);
		const struct sl_snap_neigh6 *nb = NULL;
		static const uint8_t zero[16];
		if (rt != NULL)
			nb = sl_neigh_view_find6(w->neigh, sl_snap6_eq(rt->via, zero)
								  ? dst : rt->via);
		if (nb == NULL || nb->port != rt->port) {
			sl_worker_output6(w, m, dst); /* no route, or NDP pending */
			return;
		}
		c->nh_slot[dir] = (uint16_t)(nb - w->neigh->slot6);
	}
	const struct sl_snap_neigh6 *nb = &w->neigh->slot6[c->nh_slot[dir]];
	memcpy(rte_pktmbuf_mtod(m, uint8_t *), nb->l2, 12);
	sl_worker_tx(w, nb->port, m);
}

static void forward6(struct sl_worker *w, struct rte_mbuf *m, struct sl_pkt *pkt,
		     struct sl_conn *c, enum sl_dir dir)
{
	struct sl_v6key other, to;

	if (sl_unlikely(!trusted_port6(w, m, c, dir, pkt->ip6->saddr))) {
		sl_worker_drop(w, m, SL_DROP_INGRESS_WRONG_PORT);
		return;
	}
	if (sl_unlikely(c->flags & SL_CONN_F_FLUSHED)) { /* never SNAT in v6 */
		sl_worker_flushed(w, m, pkt, c, dir); /* worker_reject.c */
		return;
	}
	if (sl_unlikely(pkt->ip6->hop_limit <= 1)) {
		sl_worker_time_exceeded6(w, m, pkt);
		return;
	}
	sl_ct_get_v6key(&w->ct, c, dir ^ 1, &other);
	to = sl_v6key_reverse(&other);
	if (sl_unlikely(pkt->ip_len > sl_dataplane_mtu_min(w->dp))) {
		uint16_t mtu = mtu_of(w, port_out6(w, c, dir, to.daddr));
		if (mtu != 0 && pkt->ip_len > mtu) {
			sl_worker_too_big6(w, m, pkt, mtu);
			return;
		}
	}
	if (pkt->proto == SL_IPPROTO_TCP && !track_tcp(w, m, pkt, c, dir))
		return;
	sl_ct_set_expire(&w->ct, c, w->now_ms + w->snap->timeouts_ms[c->state]);
	sl_worker_count_traffic(w, m, c, dir);
	sl_nat66_rewrite(pkt, &to, dir == SL_DIR_ORIG ? c->csum_l4
						      : sl_csum_negate(c->csum_l4));
	send6(w, m, c, dir, to.daddr);
}

void sl_worker_ipv6(struct sl_worker *w, struct rte_mbuf *m, struct sl_pkt *pkt)
{
	struct sl_v6key key;

	if (pkt->proto != SL_IPPROTO_TCP && pkt->proto != SL_IPPROTO_UDP) {
		/* Another protocol to an address Sluice owns is one it does
		 * not serve; to any other, not Sluice's at all. */
		sl_worker_drop(w, m, sl_snap6_find_addr(w->snap, pkt->ip6->daddr)
					     ? SL_DROP_IPV6_PROTO_UNSUPPORTED
					     : SL_DROP_IPV6_NOT_SERVED);
		return;
	}
	sl_nat66_key(pkt, &key);
	uint32_t ref = sl_ct_lookup6(&w->ct, &key, pkt->proto, pkt->hash);
	if (sl_likely(ref != SL_CT_NONE)) {
		struct sl_conn *c = sl_ct_conn(&w->ct, ref);
		if (sl_unlikely(!sl_conn_v6(c, SL_DIR_REPLY))) {
			/* NAT64 (a v4 REPLY key): not this path's. */
			sl_worker_drop(w, m, SL_DROP_IPV6_PROTO_UNSUPPORTED);
			return;
		}
		if (sl_ct_ref_dir(ref) == SL_DIR_REPLY)
			sl_worker_count_reply(w, m);
		forward6(w, m, pkt, c, sl_ct_ref_dir(ref));
		return;
	}
	struct sl_conn *c = sl_worker_miss6(w, m, pkt);
	if (c != NULL)
		forward6(w, m, pkt, c, SL_DIR_ORIG);
}
